"""Health checks for the environments of an image (used by ``astro-pyenv doctor``)."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from typing import Mapping

from astro_pyenv.describe import EnvironmentInfo, describe_environment
from astro_pyenv.errors import PyenvError
from astro_pyenv.probe import ProbeError


@dataclass
class EnvironmentCheck:
    name: str
    info: EnvironmentInfo | None = None
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

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
            text=True,
            timeout=timeout,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        return f"pip check could not run: {exc}"
    if proc.returncode == 0:
        return None
    if "No module named pip" in proc.stdout:
        return "pip is not installed"
    return "pip check failed: " + proc.stdout.strip()


def check_environment(name: str, environ: Mapping[str, str] | None = None) -> EnvironmentCheck:
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
    return result
