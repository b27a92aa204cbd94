"""A timed build and the steps read from its plain BuildKit progress log."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

STEP_NAME = re.compile(r"^#(\d+) \[([^\]]+)\] (.*)$", re.MULTILINE)
STEP_DONE = re.compile(r"^#(\d+) DONE ([0-9.]+)s$", re.MULTILINE)
STEP_CACHED = re.compile(r"^#(\d+) CACHED$", re.MULTILINE)


@dataclass
class Step:
    id: int
    stage: str  # "pyenv-python-3.9.2" from "[pyenv-python-3.9.2 2/3]"; "internal" etc. as is
    text: str  # "RUN ...", "COPY ..."
    seconds: float | None = None
    cached: bool = False

    @property
    def executed(self) -> bool:
        return not self.cached and self.seconds is not None


@dataclass(frozen=True)
class Build:
    kind: str
    seconds: float
    log: str
    log_file: Path

    def steps(self) -> list[Step]:
        steps: dict[int, Step] = {}
        for m in STEP_NAME.finditer(self.log):
            sid = int(m.group(1))
            if sid in steps:
                continue
            stage = re.sub(r"\s+\d+/\d+$", "", m.group(2).strip())
            steps[sid] = Step(sid, stage, m.group(3))
        for m in STEP_DONE.finditer(self.log):
            if int(m.group(1)) in steps:
                steps[int(m.group(1))].seconds = float(m.group(2))
        for m in STEP_CACHED.finditer(self.log):
            if int(m.group(1)) in steps:
                steps[int(m.group(1))].cached = True
        return sorted(steps.values(), key=lambda s: s.id)

    def executed_runs(self) -> list[Step]:
        return [s for s in self.steps() if s.executed and s.text.startswith("RUN")]

    def last_output(self, step: int) -> tuple[float, str] | None:
        """The last line step ``step`` printed (``#12 51.76 text``): its time and text."""
        found = None
        for m in re.finditer(rf"^#{step} ([0-9.]+) (.*)$", self.log, re.MULTILINE):
            found = (float(m.group(1)), m.group(2))
        return found


class BuildFailed(RuntimeError):
    pass


class BuildStopped(BuildFailed):
    """A build stopped at its time limit: ``build`` holds its log so far and how long it ran."""

    def __init__(self, build: Build, limit: float) -> None:
        super().__init__(f"{build.kind} build stopped at its limit of {limit:.0f} s; log {build.log_file}")
        self.build = build
        self.limit = limit
