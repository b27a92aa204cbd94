"""The figures: one row of the report per scenario, and everything written to benchmarks.json."""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass, field
from typing import Literal

# The two sides of every comparison; scenario 6 puts the plain Dockerfile on the baseline side.
Side = Literal["ours", "baseline"]


def median_cell(values: list[float], unit: str) -> str:
    """``"0.49 s (n=5)"``: the median of ``values`` and how many there are; ``–`` for none."""
    if not values:
        return "–"
    return f"{statistics.median(values):.2f} {unit} (n={len(values)})"


def ratio_cell(ours: list[float], baseline: list[float]) -> str:
    """``"2.47×"``: median of ours over median of the baseline; ``–`` unless both have values."""
    if not ours or not baseline:
        return "–"
    return f"{statistics.median(ours) / statistics.median(baseline):.2f}×"


def raw_value(value: float, unit: str) -> str:
    """One run in the raw-figures table: 3 decimals for times, 1 for sizes."""
    return f"{value:.3f}" if unit in ("s", "ms") else f"{value:.1f}"


@dataclass
class Row:
    scenario: str
    ours: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    unit: str = "s"
    target: str = ""
    met: str = ""
    notes: list[str] = field(default_factory=list)
    # For figures that are not ours-vs-baseline times (6, 7, 8): explicit text per column.
    ours_text: str | None = None
    baseline_text: str | None = None
    ratio_text: str | None = None

    @property
    def ours_median(self) -> float | None:
        return statistics.median(self.ours) if self.ours else None

    @property
    def baseline_median(self) -> float | None:
        return statistics.median(self.baseline) if self.baseline else None

    def add(self, side: Side, value: float) -> None:
        (self.ours if side == "ours" else self.baseline).append(value)

    def cells(self) -> list[str]:
        """The report's table row: scenario, ours, baseline, ratio, target, met."""
        ours = self.ours_text if self.ours_text is not None else median_cell(self.ours, self.unit)
        base = self.baseline_text if self.baseline_text is not None else median_cell(self.baseline, self.unit)
        ratio = self.ratio_text if self.ratio_text is not None else ratio_cell(self.ours, self.baseline)
        return [self.scenario, ours, base, ratio, self.target, self.met]


@dataclass
class Results:
    rows: dict[str, Row] = field(default_factory=dict)
    started: str = field(default_factory=lambda: time.strftime("%Y-%m-%d %H:%M:%S %Z"))
    # Written to benchmarks.json as is: "invocations" (the report's history) and per-scenario
    # figures ("parallelism", "overhead_ms", "sizes").
    settings: dict[str, object] = field(default_factory=dict)

    def row(
        self,
        key: str,
        scenario: str,
        *,
        unit: str = "s",
        target: str = "",
        met: str = "",
        notes: list[str] | None = None,
    ) -> Row:
        """A new row for scenario ``key`` (replacing one from an earlier run)."""
        row = Row(scenario, unit=unit, target=target, met=met, notes=list(notes or []))
        self.rows[key] = row
        return row

    @property
    def invocations(self) -> list[str]:
        """The report's history of invocations (``--merge`` keeps the earlier ones)."""
        history = self.settings.get("invocations", [])
        return [str(h) for h in history] if isinstance(history, list) else []
