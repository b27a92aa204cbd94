"""Build-performance benchmark: ``make bench``, or ``.venv/bin/python benchmarks/run.py --help``.

The code is the package ``benchmarks/astro_bench``:

- ``runner``: the engine and builder of a run, the project copy, and ``interleave()``, the one
  function that alternates ours and the baseline for every scenario;
- one module per scenario family: ``cold`` (1), ``warm`` (2-5), ``overhead`` (6), ``size`` (7),
  ``transform_time`` (8), ``cold_prebuilt`` (9, 12), ``speed`` (10), ``cross_platform`` (11);
- ``report``: docs/benchmarks.md, docs/benchmarks.json and the chart;
- ``engine`` (the private dockerd, timed builds), ``buildlog`` (steps from a progress log),
  ``results``, ``options``, ``project``, ``config``, ``flags`` (``.ci/build-flags.sh``), ``cli``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from astro_bench.cli import main  # after the path above

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
