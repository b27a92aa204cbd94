"""ExternalPythonOperator variants that take an environment name instead of an interpreter path.

The name is resolved when the task executes, not when the DAG file is parsed, so a DAG parses on
machines that lack the environment; the task then fails with PyenvNotDefinedError.
"""
from __future__ import annotations

import subprocess
from typing import Any

from astro_pyenv._airflow_compat import BranchExternalPythonOperator, ExternalPythonOperator
from astro_pyenv.resolve import resolve_python, variable_name
from astro_pyenv.versions import same_release

# Prints the target's apache-airflow version, or an empty line if it has none.
_TARGET_AIRFLOW_VERSION_SCRIPT = """
try:
    from importlib.metadata import version
except ImportError:
    from importlib_metadata import version
try:
    print(version("apache-airflow"))
except Exception:
    print("")
"""


def unresolved_python(pyenv: str) -> str:
    """Placeholder kept in ``python`` until execute(); ExternalPythonOperator rejects an empty one."""
    return f"<astro-pyenv {pyenv!r}: resolved from ${variable_name(pyenv)} at execution>"


class PyenvOperator(ExternalPythonOperator):
    """Run ``python_callable`` in the image's PYENV environment ``pyenv``.

    Takes every ExternalPythonOperator argument except ``python``.
    """

    def __init__(self, *, pyenv: str, **kwargs: Any) -> None:
        if "python" in kwargs:
            raise TypeError(
                f"{type(self).__name__} takes the environment name (pyenv=...), not python=...; "
                "use ExternalPythonOperator for an explicit interpreter path"
            )
        if not isinstance(pyenv, str) or not pyenv:
            raise ValueError(f"pyenv must be a non-empty environment name, got {pyenv!r}")
        self.pyenv = pyenv
        super().__init__(python=unresolved_python(pyenv), **kwargs)

    def execute(self, context: Any) -> Any:
        self.python = resolve_python(self.pyenv)
        self.log.info("PYENV environment %r resolved to %s", self.pyenv, self.python)
        return super().execute(context)

    def _get_airflow_version_from_target_env(self) -> str | None:
        """Like Airflow's check, but ``2.7.2+astro.3`` on the host matches ``2.7.2`` in the venv.

        Airflow compares the strings exactly and, on a mismatch, silently stops passing the
        Airflow context objects; Astro Runtime's local version labels would trigger that.
        """
        from airflow import __version__ as host_version

        try:
            target_version = subprocess.check_output(
                [self.python, "-c", _TARGET_AIRFLOW_VERSION_SCRIPT], encoding="utf-8", errors="replace"
            ).strip()
        except (OSError, subprocess.CalledProcessError) as exc:
            self.log.warning("Could not read the Airflow version of %s: %s", self.python, exc)
            return None
        if not target_version:
            if self.expect_airflow:
                self.log.warning(
                    "Airflow is not installed in PYENV environment %r (%s): Airflow context objects "
                    "(dag, task, macros, ...) are not passed to the task. Pass expect_airflow=False "
                    "to silence this warning.",
                    self.pyenv,
                    self.python,
                )
            return None
        if same_release(host_version, target_version):
            return target_version
        self.log.warning(
            "Airflow %s in PYENV environment %r differs from the running Airflow %s: Airflow context "
            "objects are not passed to the task. Install apache-airflow==%s in that environment.",
            target_version,
            self.pyenv,
            host_version,
            host_version.split("+", 1)[0],
        )
        return None


    def _is_pendulum_installed_in_target_env(self) -> bool:
        """Same question as Airflow asks, without printing a traceback into the task log."""
        try:
            subprocess.check_call(
                [self.python, "-c", "import pendulum"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
        except (OSError, subprocess.CalledProcessError):
            if self.expect_pendulum:
                self.log.warning("pendulum is not installed in PYENV environment %r", self.pyenv)
            return False
        return True


class BranchPyenvOperator(PyenvOperator, BranchExternalPythonOperator):
    """Branching variant: ``python_callable`` returns the task_id(s) to follow."""
