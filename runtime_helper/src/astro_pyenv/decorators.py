"""``@task.pyenv("<env>")`` and ``@task.branch_pyenv("<env>")`` (registered via provider info)."""
from __future__ import annotations

from typing import Any, Callable

from astro_pyenv._airflow_compat import _PythonDecoratedOperator, task_decorator_factory
from astro_pyenv.operators import BranchPyenvOperator, PyenvOperator


class _PyenvDecoratedOperator(_PythonDecoratedOperator, PyenvOperator):
    template_fields = PyenvOperator.template_fields
    # Airflow strips the decorator line named here from the source it ships to the venv.
    custom_operator_name: str = "@task.pyenv"


class _BranchPyenvDecoratedOperator(_PythonDecoratedOperator, BranchPyenvOperator):
    template_fields = BranchPyenvOperator.template_fields
    custom_operator_name: str = "@task.branch_pyenv"


def _check_name(pyenv: Any, decorator: str) -> None:
    if callable(pyenv) or not isinstance(pyenv, str) or not pyenv:
        raise TypeError(f'{decorator} needs the environment name: @{decorator}("<name>")')


def pyenv_task(
    pyenv: str | None = None,
    python_callable: Callable[..., Any] | None = None,
    multiple_outputs: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Run the decorated function in PYENV environment ``pyenv`` (resolved at execution)."""
    _check_name(pyenv, "task.pyenv")
    return task_decorator_factory(
        pyenv=pyenv,
        python_callable=python_callable,
        multiple_outputs=multiple_outputs,
        decorated_operator_class=_PyenvDecoratedOperator,
        **kwargs,
    )


def branch_pyenv_task(
    pyenv: str | None = None,
    python_callable: Callable[..., Any] | None = None,
    multiple_outputs: bool | None = None,
    **kwargs: Any,
) -> Any:
    """Branch on the task_id(s) returned by the decorated function, run in environment ``pyenv``."""
    _check_name(pyenv, "task.branch_pyenv")
    return task_decorator_factory(
        pyenv=pyenv,
        python_callable=python_callable,
        multiple_outputs=multiple_outputs,
        decorated_operator_class=_BranchPyenvDecoratedOperator,
        **kwargs,
    )
