"""``benchmarks/run.py``: run the chosen scenarios in order, rewriting the report after each."""

from __future__ import annotations

import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from pathlib import Path

from . import cache_trip, cold, cold_prebuilt, cross_platform, installers, overhead, size, speed, transform_time, warm
from .buildlog import BuildFailed
from .config import LOGS, load_average, log
from .options import parse_args
from .report import load_previous, write_report
from .results import Results
from .runner import Runner, Session, open_runner

# Scenarios on the bench engine, and those without one.
ENGINE_SCENARIOS: dict[str, Callable[[Runner], None]] = {
    "1": cold.run,
    "2": warm.no_change,
    "3": warm.dag_edit,
    "4": warm.requirements_edit,
    "5": warm.new_base,
    "6": overhead.run,
    "7": size.run,
    "9": cold_prebuilt.run,
    "10": speed.run,
    "11": cross_platform.run,
    "12": cold_prebuilt.run_python_slim,
    "13": cache_trip.run,
    "14": installers.run,
}
LOCAL_SCENARIOS: dict[str, Callable[[Session], None]] = {"8": transform_time.run}
# 7 measures the images 2-4 left behind, before 5 builds on other bases; 9, 12 and 11 prune the
# engine like 1 (so they come next, before the warm scenarios fill the cache again); 10 builds its
# own images, as 14 its venvs; 13 runs on an engine of its own.
ORDER = ["1", "9", "12", "11", "2", "3", "4", "7", "5", "6", "14", "10", "13", "8"]


def main(argv: Sequence[str]) -> int:
    options = parse_args(argv)
    started = time.perf_counter()
    stamp = time.strftime("%Y%m%d-%H%M%S")
    log_dir = LOGS / stamp
    log_dir.mkdir(parents=True, exist_ok=True)
    log(f"scenarios {options.scenarios}; logs in {log_dir}; load {load_average():.2f}")
    with ExitStack() as stack:
        tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="astro-pyenv-bench-"))
        session = Session(options, Path(tmp), Results())
        runner = None if options.scenarios == ["8"] else stack.enter_context(open_runner(session, log_dir))
        if options.merge:
            load_previous(session.results)
        for key in ORDER:
            if key not in options.scenarios:
                continue
            log(f"scenario {key}")
            try:
                if key in LOCAL_SCENARIOS:
                    LOCAL_SCENARIOS[key](session)
                elif runner is None:
                    raise RuntimeError(f"scenario {key} needs the bench engine")
                else:
                    ENGINE_SCENARIOS[key](runner)
            except Exception as exc:  # noqa: BLE001 - report it, go on with the next scenario
                log(f"scenario {key} failed: {exc}")
                if not isinstance(exc, BuildFailed):
                    log(traceback.format_exc())
                session.results.row(key, f"{key}. FAILED", notes=[str(exc).splitlines()[0]])
            write_report(session.results, options.argv, time.perf_counter() - started)
    return 0
