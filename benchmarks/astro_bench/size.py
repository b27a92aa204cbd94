"""Scenario 7: the final image's size over the base image against the bytes in ``layout.ROOT``
(the interpreters and venvs)."""

from __future__ import annotations

from astro_pyenv_frontend import layout

from .config import BASELINE_TAG, OURS_TAG, RUNTIME_BASE, SIZE_TARGET_PCT
from .results import Side
from .runner import Runner


def run(r: Runner) -> None:
    row = r.results.row("7", f"7. image size over base vs {layout.ROOT} bytes",
                        target=f"< {SIZE_TARGET_PCT:.0f}% above")  # fmt: skip
    r.ensure_warm()
    base_size = r.engine.image_size(RUNTIME_BASE)
    # side -> (bytes over the base, bytes in layout.ROOT, % of the first above the second)
    figures: dict[Side, tuple[int, int, float]] = {}
    sides: tuple[tuple[Side, str], ...] = (("ours", OURS_TAG), ("baseline", BASELINE_TAG))
    for side, tag in sides:
        size = r.engine.image_size(tag)
        du = r.engine.docker(
            "run", "--rm", "--network", "none", "--user", "0", "--entrypoint", "du", tag, "-sb", layout.ROOT
        ).stdout.split()[0]
        over = size - base_size
        figures[side] = (over, int(du), (over - int(du)) / int(du) * 100)
    o, b = figures["ours"], figures["baseline"]
    row.ours_text = f"{o[0] / 1e6:.1f} MB over base; {o[1] / 1e6:.1f} MB in {layout.ROOT} ({o[2]:+.1f}%)"
    row.baseline_text = f"{b[0] / 1e6:.1f} MB over base; {b[1] / 1e6:.1f} MB in {layout.ROOT} ({b[2]:+.1f}%)"
    row.ratio_text = f"{o[0] / b[0]:.2f}× (added bytes)"
    row.met = "yes" if o[2] < SIZE_TARGET_PCT else "no"
    row.ours, row.baseline = [o[0] / 1e6], [b[0] / 1e6]
    row.unit = "MB"
    row.notes.append(
        f"base {RUNTIME_BASE} is {base_size / 1e6:.1f} MB (`docker image inspect .Size`, uncompressed); "
        f"{layout.ROOT} measured with `du -sb` inside each image (one measurement: sizes do not vary)"
    )
    r.results.settings["sizes"] = {"base": base_size, "ours": list(o), "baseline": list(b)}
