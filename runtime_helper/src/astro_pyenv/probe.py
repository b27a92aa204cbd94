"""Run a small script inside a target interpreter to learn its version and key packages."""
from __future__ import annotations

import json
import os
import subprocess
import tempfile
from typing import Mapping, Sequence

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
    "site": [p for p in sys.path if p.endswith(("site-packages", "dist-packages"))],
}))
"""


# Whether Airflow 3's task SDK works here: its version, whether the module a venv task uses to
# reach its supervisor imports, and whether it can reconnect (reinit_supervisor_comms, task SDK
# 1.1.4+).  Imported with PYTHON_OPERATORS_VIRTUAL_ENV_MODE=1, as Airflow's venv script does.
_TASK_SDK_SCRIPT = """
import json, sys
out = {"version": None, "importable": False, "reconnects": False, "error": None}
try:
    from importlib.metadata import version
    out["version"] = version("apache-airflow-task-sdk")
except Exception:
    pass
if out["version"]:
    try:
        from airflow.sdk.execution_time import task_runner
        out["importable"] = True
        out["reconnects"] = callable(getattr(task_runner, "reinit_supervisor_comms", None))
    except BaseException as exc:
        out["error"] = "%s: %s" % (type(exc).__name__, str(exc).splitlines()[0] if str(exc) else "")
print(json.dumps(out))
"""


class ProbeError(RuntimeError):
    """The interpreter could not be run or printed something unexpected."""


def probe_interpreter(
    python: str, distributions: Sequence[str] = KEY_DISTRIBUTIONS, timeout: float = 60.0
) -> dict[str, object]:
    """Run ``python`` and return its version, prefix, the versions of ``distributions`` (None:
    not installed) and its site-packages directories (``site``); ProbeError for anything else."""
    data = _run_json(python, [_PROBE_SCRIPT, json.dumps(list(distributions))], timeout)
    _expect(python, data, "python_version", str)
    _expect(python, data, "prefix", str)
    packages = data.get("packages")
    if not isinstance(packages, dict) or not all(
        isinstance(name, str) and isinstance(version, (str, type(None))) for name, version in packages.items()
    ):
        raise ProbeError(f"{python} printed unexpected output: packages {packages!r:.200}")
    site = data.get("site", [])
    if not isinstance(site, list) or not all(isinstance(path, str) for path in site):
        raise ProbeError(f"{python} printed unexpected output: site {site!r:.200}")
    return data


def _expect(python: str, data: Mapping[str, object], key: str, kind: type) -> None:
    if not isinstance(data.get(key), kind):
        raise ProbeError(f"{python} printed unexpected output: {key} {data.get(key)!r:.200}")


def probe_task_sdk(python: str, timeout: float = 120.0) -> dict[str, object]:
    """Run ``python``: its apache-airflow-task-sdk version (None without), whether
    ``airflow.sdk.execution_time.task_runner`` imports, whether it has ``reinit_supervisor_comms``,
    and the import error.  Imports happen with a throwaway AIRFLOW_HOME, so nothing is written to
    the real one."""
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-probe-") as home:
        env = dict(os.environ, AIRFLOW_HOME=home, PYTHON_OPERATORS_VIRTUAL_ENV_MODE="1")
        data = _run_json(python, [_TASK_SDK_SCRIPT], timeout, env)
    for key, kinds in (("version", (str, type(None))), ("importable", bool), ("reconnects", bool),
                       ("error", (str, type(None)))):
        if not isinstance(data.get(key), kinds):
            raise ProbeError(f"{python} printed unexpected output: {key} {data.get(key)!r:.200}")
    return data


def _run_json(
    python: str, args: Sequence[str], timeout: float, env: Mapping[str, str] | None = None
) -> dict[str, object]:
    """Run ``python -c args...`` and parse the JSON object on its last output line."""
    try:
        proc = subprocess.run(
            [python, "-c", *args],
            capture_output=True,
            encoding="utf-8",
            errors="replace",  # an interpreter may print anything (a non-UTF-8 locale, a sitecustomize)
            timeout=timeout,
            env=env,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise ProbeError(f"cannot run {python}: {exc}") from exc
    if proc.returncode != 0:
        raise ProbeError(f"{python} exited with code {proc.returncode}: {proc.stderr.strip()[-2000:]}")
    try:
        data = json.loads(proc.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError, RecursionError) as exc:
        raise ProbeError(f"{python} printed unexpected output: {proc.stdout[-2000:]!r}") from exc
    if not isinstance(data, dict):
        raise ProbeError(f"{python} printed unexpected output: {proc.stdout[-2000:]!r}")
    return data
