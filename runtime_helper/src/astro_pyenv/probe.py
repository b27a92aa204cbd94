"""Run a small script inside a target interpreter to learn its version and key packages."""
from __future__ import annotations

import json
import subprocess
from typing import Sequence

#: Distributions that decide what Airflow can pass into the target environment:
#: apache-airflow (context objects, macros), pendulum (logical dates), cloudpickle / dill
#: (``serializer=``), lazy-object-proxy (needed by Airflow's own context objects).
KEY_DISTRIBUTIONS = ("apache-airflow", "pendulum", "cloudpickle", "dill", "lazy-object-proxy")

# Kept free of f-strings and walrus so it also runs in old interpreters.
_PROBE_SCRIPT = """
import json, sys, platform
try:
    from importlib.metadata import version, PackageNotFoundError
except ImportError:
    version = None
def get(dist):
    if version is None:
        try:
            import pkg_resources
            return pkg_resources.get_distribution(dist).version
        except Exception:
            return None
    try:
        return version(dist)
    except Exception:
        return None
print(json.dumps({
    "python_version": platform.python_version(),
    "executable": sys.executable,
    "prefix": sys.prefix,
    "packages": dict((d, get(d)) for d in json.loads(sys.argv[1])),
}))
"""


class ProbeError(RuntimeError):
    """The interpreter could not be run or printed something unexpected."""


def probe_interpreter(
    python: str, distributions: Sequence[str] = KEY_DISTRIBUTIONS, timeout: float = 60.0
) -> dict[str, object]:
    """Run ``python`` and return its version, prefix and the versions of ``distributions``."""
    try:
        proc = subprocess.run(
            [python, "-c", _PROBE_SCRIPT, json.dumps(list(distributions))],
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ProbeError(f"cannot run {python}: {exc}") from exc
    if proc.returncode != 0:
        raise ProbeError(f"{python} exited with code {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise ProbeError(f"{python} printed unexpected output: {proc.stdout[-2000:]!r}") from exc
    if not isinstance(data, dict):
        raise ProbeError(f"{python} printed unexpected output: {proc.stdout[-2000:]!r}")
    return data
