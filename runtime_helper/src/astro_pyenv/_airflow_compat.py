"""Import the Airflow classes we build on, from where the installed Airflow major version keeps them.

Airflow 2 (>= 2.4): airflow.operators.python, airflow.decorators.*.
Airflow 3: airflow.providers.standard (operators, _PythonDecoratedOperator) and airflow.sdk.
"""
from __future__ import annotations

from astro_pyenv.errors import AirflowNotInstalledError

_INSTALL_HINT = (
    "astro_pyenv's Airflow operators and decorators need Apache Airflow >= 2.4 in this interpreter: "
    "pip install 'astro-pyenv[airflow]' (or install apache-airflow yourself). "
    "Resolving environments (astro_pyenv.resolve_python) and the astro-pyenv CLI work without Airflow."
)

try:
    import airflow
except ImportError as exc:  # pragma: no cover - exercised in a subprocess test
    raise AirflowNotInstalledError(_INSTALL_HINT) from exc

AIRFLOW_VERSION: str = airflow.__version__
AIRFLOW_MAJOR: int = int(AIRFLOW_VERSION.split(".", 1)[0])

if AIRFLOW_MAJOR >= 3:
    try:
        from airflow.providers.standard.decorators.python import _PythonDecoratedOperator
        from airflow.providers.standard.operators.python import (
            BranchExternalPythonOperator,
            ExternalPythonOperator,
        )
    except ImportError as exc:  # apache-airflow-core without the standard provider
        raise AirflowNotInstalledError(
            "Airflow 3 needs the standard provider for astro_pyenv: pip install apache-airflow-providers-standard"
        ) from exc
    from airflow.sdk.bases.decorator import task_decorator_factory
else:
    from airflow.decorators.base import task_decorator_factory
    from airflow.decorators.python import _PythonDecoratedOperator
    from airflow.operators.python import BranchExternalPythonOperator, ExternalPythonOperator

__all__ = [
    "AIRFLOW_MAJOR",
    "AIRFLOW_VERSION",
    "BranchExternalPythonOperator",
    "ExternalPythonOperator",
    "_PythonDecoratedOperator",
    "task_decorator_factory",
]
