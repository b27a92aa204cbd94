"""Health checks for the environments of an image (used by ``astro-pyenv doctor``)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Mapping

from astro_pyenv.access import Access, HostAirflow, host_airflow, variables_and_connections
from astro_pyenv.describe import EnvironmentInfo, describe_environment
from astro_pyenv.errors import PyenvError
from astro_pyenv.probe import ProbeError, probe_task_sdk


@dataclass
class EnvironmentCheck:
    name: str
    info: EnvironmentInfo | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    #: Whether a task here can read Airflow Variables and Connections itself (None without Airflow).
    access: Access | None = None

    @property
    def ok(self) -> bool:
        return not self.problems


def run_pip_check(python: str, timeout: float = 120.0) -> str | None:
    """Return None if ``pip check`` passes, else the reason.

    A venv without pip cannot be checked; that is reported as ``"pip is not installed"``
    and callers treat it as a warning, not a failure.
    """
    try:
        proc = subprocess.run(
            [python, "-m", "pip", "check", "--disable-pip-version-check"],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            encoding="utf-8",
            errors="replace",  # pip's messages may hold anything a package's metadata says
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"pip check could not run: {exc}"
    if proc.returncode == 0:
        return None
    if "No module named pip" in proc.stdout:
        return "pip is not installed"
    return "pip check failed: " + proc.stdout.strip()


def check_environment(
    name: str, environ: Mapping[str, str] | None = None, host: HostAirflow | None = None
) -> EnvironmentCheck:
    """Check one environment; ``host`` is the image's Airflow (default: this interpreter's)."""
    result = EnvironmentCheck(name=name)
    try:
        result.info = describe_environment(name, environ)
    except (PyenvError, ProbeError) as exc:
        result.problems.append(str(exc))
        return result
    pip_problem = run_pip_check(result.info.python)
    if pip_problem == "pip is not installed":
        result.warnings.append("pip is not installed; dependency consistency was not checked")
    elif pip_problem is not None:
        result.problems.append(pip_problem)
    result.access = check_access(result.info, host_airflow() if host is None else host)
    return result


def check_access(info: EnvironmentInfo, host: HostAirflow) -> Access | None:
    """Variables and Connections in environment ``info``; on Airflow 3 its task SDK is probed."""
    sdk: dict[str, object] | None = None
    if (host.major or 0) >= 3:
        try:
            sdk = probe_task_sdk(info.python)
        except ProbeError as exc:
            sdk = {"version": "?", "importable": False, "error": str(exc)}
    return variables_and_connections(host, info.python_version, info.packages.get("apache-airflow"), sdk)
