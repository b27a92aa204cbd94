"""What every scenario runs on: the engine and builder for the run, the project, and the one
function that interleaves ours and the baseline."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .buildlog import Build
from .config import BASELINE_TAG, OURS_TAG, log
from .engine import Builder, Engine
from .options import Options
from .project import write_project
from .results import Results, Side


@dataclass(frozen=True)
class Turn:
    """One build in an interleaved series: pair ``index`` (from 0), which side, and whether it
    is the first build of its pair (where a scenario makes the pair's edit)."""

    index: int
    side: Side
    first: bool


def interleave(runs: int, *, limits: Mapping[Side, int] | None = None) -> Iterator[Turn]:
    """Ours and the baseline ``runs`` times each, pair by pair, alternating which goes first
    (ours in pairs 0, 2, ...).  A side in ``limits`` only builds in the first that many pairs."""
    limits = limits or {}
    for i in range(runs):
        order: tuple[Side, Side] = ("ours", "baseline") if i % 2 == 0 else ("baseline", "ours")
        first = True
        for side in order:
            if i >= limits.get(side, runs):
                continue
            yield Turn(i, side, first)
            first = False


@dataclass(frozen=True)
class Session:
    """What every scenario has, with or without an engine (scenario 8 runs without one)."""

    options: Options
    work: Path  # a scratch directory, removed at the end
    results: Results


class Runner:
    """The engine and builder of this run and the project copy the scenarios build and edit."""

    def __init__(self, session: Session, engine: Engine, builder: Builder) -> None:
        self.session = session
        self.options = session.options
        self.results = session.results
        self.work = session.work
        self.engine = engine
        self.builder = builder
        self.project = write_project(session.work / "project")
        self.warm = False  # both images built from the project as it is now

    def build(
        self, side: Side, label: str, *, context: Path | None = None, build_args: dict[str, str] | None = None
    ) -> Build:
        """Ours or the baseline from the project (or ``context``), tagged as that side's image."""
        tag = OURS_TAG if side == "ours" else BASELINE_TAG
        return self.builder.build(side, context or self.project, label, tag=tag, build_args=build_args)

    def ensure_warm(self) -> None:
        """Both images built from the project as it is now (untimed)."""
        if not self.warm:
            log("warming up: building ours and the baseline once (untimed)")
            self.build("ours", "warmup")
            self.build("baseline", "warmup")
            self.warm = True


@contextmanager
def open_runner(session: Session, log_dir: Path) -> Iterator[Runner]:
    """Start the bench engine and yield a runner on it; stop the engine at the end unless
    ``--keep-engine``."""
    engine = Engine.start()
    try:
        yield Runner(session, engine, Builder(engine, log_dir))
    finally:
        if not session.options.keep_engine:
            engine.stop()
