"""Whether a task in an environment can read Airflow Variables and Connections itself.

Airflow 2: a task reads them from the metadata database through Airflow's own packages, so an
environment can when it has the same ``apache-airflow`` as the image.

Airflow 3: tasks reach them through the task SDK, which asks the task's supervisor; a task in
another interpreter reconnects to that supervisor when ``apache-airflow-task-sdk`` is installed in
its environment (apache/airflow #57212, task SDK 1.1.4, and #58148, standard provider 1.10.0).
The environment's task SDK should be the image's: both ends speak its message schema.

Everywhere: values rendered into the task's arguments (``{{ var.value.<key> }}``,
``{{ conn.<conn_id>.host }}``) arrive as plain strings, in any Python.

:func:`variables_and_connections` decides from facts gathered elsewhere (pure, unit-tested);
:func:`host_airflow` reads the facts of the interpreter that runs it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Mapping

from astro_pyenv.versions import public_version, same_release

#: The first releases that connect a venv task to its supervisor (checked in their wheels).
MIN_TASK_SDK = (1, 1, 4)
MIN_STANDARD_PROVIDER = (1, 10, 0)

TEMPLATED = "pass them to the task as templated arguments ({{ var.value.<key> }}, {{ conn.<conn_id>.host }})"


@dataclass(frozen=True)
class HostAirflow:
    """The Airflow installed beside the running interpreter (the image's Airflow)."""

    airflow: str | None = None
    task_sdk: str | None = None
    task_sdk_requires_python: str | None = None
    standard_provider: str | None = None

    @property
    def major(self) -> int | None:
        release = _release(self.airflow)
        return release[0] if release else None


@dataclass(frozen=True)
class Access:
    """The answer for one environment: ``available``, why, and what to add when not."""

    available: bool
    detail: str
    fix: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {"available": self.available, "detail": self.detail, "fix": self.fix}


def host_airflow() -> HostAirflow:
    """Read the versions from this interpreter's installed distributions (Airflow is not imported)."""
    import importlib.metadata as metadata

    def version(*names: str) -> str | None:
        for name in names:
            try:
                return metadata.version(name)
            except metadata.PackageNotFoundError:
                continue
        return None

    requires = None
    if version("apache-airflow-task-sdk"):
        requires = (metadata.metadata("apache-airflow-task-sdk").get_all("Requires-Python") or [None])[0]
    return HostAirflow(
        airflow=version("apache-airflow", "apache-airflow-core"),
        task_sdk=version("apache-airflow-task-sdk"),
        task_sdk_requires_python=requires,
        standard_provider=version("apache-airflow-providers-standard"),
    )


def variables_and_connections(
    host: HostAirflow,
    python_version: str,
    env_airflow: str | None,
    task_sdk: Mapping[str, object] | None,
) -> Access | None:
    """Can a task in an environment (``python_version``, its ``apache-airflow`` version, and for
    Airflow 3 what :func:`astro_pyenv.probe.probe_task_sdk` found there) read Variables and
    Connections?  None where the host has no Airflow."""
    if host.major is None:
        return None
    if host.major < 3:
        return _airflow2(str(host.airflow), env_airflow)
    return _airflow3(host, python_version, task_sdk or {})


def _airflow2(airflow: str, env_airflow: str | None) -> Access:
    if env_airflow and same_release(airflow, env_airflow):
        return Access(True, f"apache-airflow {env_airflow} here reads them from the metadata database")
    has = f"apache-airflow {env_airflow}" if env_airflow else "no Airflow"
    return Access(
        False,
        f"Airflow {airflow} hands them to a task through its own packages, and this environment has {has}",
        f"{TEMPLATED}, read AIRFLOW_VAR_<KEY> / AIRFLOW_CONN_<CONN_ID> from os.environ where they are "
        f"set that way, or install apache-airflow=={public_version(airflow)} here",
    )


def _airflow3(host: HostAirflow, python_version: str, probe: Mapping[str, object]) -> Access:
    airflow, host_sdk = host.airflow, host.task_sdk
    if not host_sdk or _older(host_sdk, MIN_TASK_SDK) or _older(host.standard_provider, MIN_STANDARD_PROVIDER):
        return Access(
            False,
            f"Airflow {airflow} here (task SDK {host_sdk or '-'}, standard provider "
            f"{host.standard_provider or '-'}) does not reconnect a task in another interpreter to its "
            "supervisor: that takes task SDK 1.1.4+ and standard provider 1.10.0+",
            f"use a newer Airflow 3 image, or {TEMPLATED}",
        )
    pin = f"apache-airflow-task-sdk=={public_version(host_sdk)}"
    installed = probe.get("version")
    if not installed:
        requires = host.task_sdk_requires_python
        if requires and _python_fits(requires, python_version) is False:
            return Access(
                False,
                f"apache-airflow-task-sdk {host_sdk} (Airflow {airflow} here) needs Python {requires}, "
                f"and this environment runs Python {python_version}",
                f"{TEMPLATED}, or run the task in an environment whose Python the task SDK supports",
            )
        return Access(
            False,
            "apache-airflow-task-sdk is not installed here",
            f"add --task-sdk=auto to this environment's PYENV line (installs {pin}), or {TEMPLATED}",
        )
    if not probe.get("importable"):
        return Access(
            False,
            f"apache-airflow-task-sdk {installed} is installed here but does not import: {probe.get('error')}",
            f"install {pin} with what it needs (PYENV --task-sdk=auto does)",
        )
    if not probe.get("reconnects"):
        return Access(
            False,
            f"apache-airflow-task-sdk {installed} here cannot reconnect to the task's supervisor",
            f"install {pin} (PYENV --task-sdk=auto)",
        )
    if not same_release(host_sdk, str(installed)):
        return Access(
            False,
            f"apache-airflow-task-sdk {installed} here, but Airflow {airflow} runs {host_sdk}: the "
            "messages between the task and its supervisor may not match",
            f"install {pin} (PYENV --task-sdk=auto)",
        )
    return Access(True, f"apache-airflow-task-sdk {installed}, as Airflow {airflow} here runs")


def _release(version: str | None) -> tuple[int, ...] | None:
    """The leading release numbers of a version (``3.1.8+astro.1`` -> (3, 1, 8)), or None."""
    found = re.match(r"\s*v?(\d+(?:\.\d+)*)", version or "")
    return tuple(int(part) for part in found.group(1).split(".")) if found else None


def _older(version: str | None, minimum: tuple[int, ...]) -> bool:
    release = _release(version)
    return release is None or _padded(release, len(minimum)) < minimum


def _padded(release: tuple[int, ...], length: int) -> tuple[int, ...]:
    return release + (0,) * (length - len(release))


def _python_fits(requires: str, python_version: str) -> bool | None:
    """Whether ``python_version`` satisfies a Requires-Python of plain clauses (``>=3.10,<3.14``,
    ``!=3.15``, ``==3.12.*``, ``~=3.10``); None when a clause is beyond that."""
    have = _release(python_version)
    if have is None:
        return None
    for clause in filter(None, (c.strip() for c in requires.split(","))):
        found = re.fullmatch(r"(~=|==|!=|<=|>=|<|>)\s*(\d+(?:\.\d+)*)(\.\*)?", clause)
        if found is None:
            return None
        op, text, star = found.groups()
        want = tuple(int(part) for part in text.split("."))
        if star:
            if op not in ("==", "!="):
                return None
            prefix_equal = _padded(have, len(want))[: len(want)] == want
            ok = prefix_equal if op == "==" else not prefix_equal
        else:
            size = max(len(have), len(want))
            mine, theirs = _padded(have, size), _padded(want, size)
            ok = {
                "==": mine == theirs,
                "!=": mine != theirs,
                "<=": mine <= theirs,
                ">=": mine >= theirs,
                "<": mine < theirs,
                ">": mine > theirs,
                "~=": mine >= theirs and have[: len(want) - 1] == want[:-1],
            }[op]
        if not ok:
            return False
    return True
