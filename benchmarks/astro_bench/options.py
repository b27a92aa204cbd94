"""The command line."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import dataclass

from . import __doc__ as DESCRIPTION

# Every scenario (the package's docstring says what each measures).
SCENARIOS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14")


@dataclass(frozen=True)
class Options:
    scenarios: list[str]
    runs: int
    cold_runs: int
    heavy_runs: int
    overhead_runs: int
    transform_runs: int
    cross_runs: int
    cross_compile_limit: float
    keep_engine: bool
    merge: bool
    argv: tuple[str, ...]  # as given, for the report's list of invocations


def parse_args(argv: Sequence[str]) -> Options:
    p = argparse.ArgumentParser(description=DESCRIPTION, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated scenario numbers")
    p.add_argument("--runs", type=int, default=5,
                   help="runs per warm scenario (2-5), cold pairs (9, 12), benchmark rounds (10) [5]")  # fmt: skip
    p.add_argument("--cold-runs", type=int, default=2, help="cold builds of each kind (scenario 1) [2]")
    p.add_argument("--heavy-runs", type=int, default=1,
                   help="baseline runs where the baseline recompiles CPython (4, 5) [1]")  # fmt: skip
    p.add_argument("--overhead-runs", type=int, default=15, help="pairs for scenario 6 [15]")
    p.add_argument("--transform-runs", type=int, default=20, help="runs for scenario 8 [20]")
    p.add_argument("--arm64-runs", type=int, default=1,
                   help="cold linux/arm64 builds of each kind (scenario 11) [1]")  # fmt: skip
    p.add_argument("--arm64-compile-limit", type=float, default=1200.0,
                   help="seconds after which scenario 11's build compiling under emulation is stopped and "
                        "reported as taking more; 0: no such build [1200]")  # fmt: skip
    p.add_argument("--quick", action="store_true", help="fewer runs: 3 warm, 1 cold, 1 heavy, 15 overhead")
    p.add_argument("--keep-engine", action="store_true", help="leave the bench dockerd running")
    p.add_argument("--merge", action="store_true",
                   help="keep the rows of scenarios not run now (docs/benchmarks.json)")  # fmt: skip
    args = p.parse_args(argv)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    unknown = [s for s in scenarios if s not in SCENARIOS]
    if unknown:
        p.error(f"--scenarios: no scenario {', '.join(unknown)} (there are {', '.join(SCENARIOS)})")
    runs, cold_runs, heavy_runs = (3, 1, 1) if args.quick else (args.runs, args.cold_runs, args.heavy_runs)
    return Options(
        scenarios=scenarios,
        runs=runs,
        cold_runs=cold_runs,
        heavy_runs=heavy_runs,
        overhead_runs=args.overhead_runs,
        transform_runs=args.transform_runs,
        cross_runs=args.arm64_runs,
        cross_compile_limit=args.arm64_compile_limit,
        keep_engine=args.keep_engine,
        merge=args.merge,
        argv=tuple(argv),
    )
