"""Variables and Connections per environment: the decision table, the task SDK probe on real
interpreters, and what `astro-pyenv doctor` prints."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from astro_pyenv.access import (
    TEMPLATED,
    Access,
    HostAirflow,
    _python_fits,
    variables_and_connections,
)
from astro_pyenv.describe import EnvironmentInfo
from astro_pyenv.doctor import check_access
from astro_pyenv.probe import probe_task_sdk

from rh_support import add_fake_distribution, find_python, make_venv, run_cli

AIRFLOW3 = HostAirflow(
    airflow="3.1.8+astro.1",
    task_sdk="1.1.8",
    task_sdk_requires_python="<3.14,>=3.10",
    standard_provider="1.21.0",
)
AIRFLOW2 = HostAirflow(airflow="2.11.0+astro.1")
SDK_OK = {"version": "1.1.8", "importable": True, "reconnects": True, "error": None}
NO_SDK = {"version": None, "importable": False, "reconnects": False, "error": None}
AUTO = "add --task-sdk=auto to this environment's PYENV line (installs apache-airflow-task-sdk==1.1.8), or "


@pytest.mark.parametrize(
    ("host", "python", "env_airflow", "sdk", "expected"),
    [
        (HostAirflow(), "3.12.1", None, None, None),
        (AIRFLOW3, "3.13.5", None, SDK_OK, Access(True, "apache-airflow-task-sdk 1.1.8, as Airflow 3.1.8+astro.1 here runs")),
        (AIRFLOW3, "3.13.5", None, NO_SDK, Access(False, "apache-airflow-task-sdk is not installed here", AUTO + TEMPLATED)),
        (
            AIRFLOW3,
            "3.9.2",
            None,
            NO_SDK,
            Access(
                False,
                "apache-airflow-task-sdk 1.1.8 (Airflow 3.1.8+astro.1 here) needs Python <3.14,>=3.10, "
                "and this environment runs Python 3.9.2",
                TEMPLATED + ", or run the task in an environment whose Python the task SDK supports",
            ),
        ),
        (
            AIRFLOW3,
            "3.14.0",
            None,
            NO_SDK,
            Access(
                False,
                "apache-airflow-task-sdk 1.1.8 (Airflow 3.1.8+astro.1 here) needs Python <3.14,>=3.10, "
                "and this environment runs Python 3.14.0",
                TEMPLATED + ", or run the task in an environment whose Python the task SDK supports",
            ),
        ),
        (
            AIRFLOW3,
            "3.12.1",
            None,
            {**SDK_OK, "version": "1.1.7"},
            Access(
                False,
                "apache-airflow-task-sdk 1.1.7 here, but Airflow 3.1.8+astro.1 runs 1.1.8: the messages "
                "between the task and its supervisor may not match",
                "install apache-airflow-task-sdk==1.1.8 (PYENV --task-sdk=auto)",
            ),
        ),
        (
            AIRFLOW3,
            "3.12.1",
            None,
            {**SDK_OK, "version": "1.1.8+astro.1"},
            Access(True, "apache-airflow-task-sdk 1.1.8+astro.1, as Airflow 3.1.8+astro.1 here runs"),
        ),
        (
            AIRFLOW3,
            "3.12.1",
            None,
            {**SDK_OK, "importable": False, "reconnects": False, "error": "ModuleNotFoundError: No module named 'msgspec'"},
            Access(
                False,
                "apache-airflow-task-sdk 1.1.8 is installed here but does not import: "
                "ModuleNotFoundError: No module named 'msgspec'",
                "install apache-airflow-task-sdk==1.1.8 with what it needs (PYENV --task-sdk=auto does)",
            ),
        ),
        (
            AIRFLOW3,
            "3.12.1",
            None,
            {**SDK_OK, "version": "1.1.3", "reconnects": False},
            Access(
                False,
                "apache-airflow-task-sdk 1.1.3 here cannot reconnect to the task's supervisor",
                "install apache-airflow-task-sdk==1.1.8 (PYENV --task-sdk=auto)",
            ),
        ),
        (
            HostAirflow(airflow="3.1.3", task_sdk="1.1.3", standard_provider="1.9.2"),
            "3.12.1",
            None,
            SDK_OK,
            Access(
                False,
                "Airflow 3.1.3 here (task SDK 1.1.3, standard provider 1.9.2) does not reconnect a task in "
                "another interpreter to its supervisor: that takes task SDK 1.1.4+ and standard provider 1.10.0+",
                "use a newer Airflow 3 image, or " + TEMPLATED,
            ),
        ),
        (
            HostAirflow(airflow="3.1.5", task_sdk="1.1.5", standard_provider="1.9.2"),
            "3.12.1",
            None,
            SDK_OK,
            Access(
                False,
                "Airflow 3.1.5 here (task SDK 1.1.5, standard provider 1.9.2) does not reconnect a task in "
                "another interpreter to its supervisor: that takes task SDK 1.1.4+ and standard provider 1.10.0+",
                "use a newer Airflow 3 image, or " + TEMPLATED,
            ),
        ),
        (AIRFLOW2, "3.9.2", "2.11.0", None, Access(True, "apache-airflow 2.11.0 here reads them from the metadata database")),
        (
            AIRFLOW2,
            "3.13.5",
            None,
            None,
            Access(
                False,
                "Airflow 2.11.0+astro.1 hands them to a task through its own packages, and this environment has no Airflow",
                TEMPLATED + ", read AIRFLOW_VAR_<KEY> / AIRFLOW_CONN_<CONN_ID> from os.environ where they are set "
                "that way, or install apache-airflow==2.11.0 here",
            ),
        ),
        (
            AIRFLOW2,
            "3.11.2",
            "2.10.5",
            None,
            Access(
                False,
                "Airflow 2.11.0+astro.1 hands them to a task through its own packages, and this environment has "
                "apache-airflow 2.10.5",
                TEMPLATED + ", read AIRFLOW_VAR_<KEY> / AIRFLOW_CONN_<CONN_ID> from os.environ where they are set "
                "that way, or install apache-airflow==2.11.0 here",
            ),
        ),
    ],
)
def test_variables_and_connections(
    host: HostAirflow, python: str, env_airflow: str | None, sdk: dict[str, object] | None, expected: Access | None
) -> None:
    assert variables_and_connections(host, python, env_airflow, sdk) == expected


@pytest.mark.parametrize(
    ("requires", "python", "fits"),
    [
        ("<3.14,>=3.10", "3.9.2", False),
        ("<3.14,>=3.10", "3.10.0", True),
        ("<3.14,>=3.10", "3.13.5", True),
        ("<3.14,>=3.10", "3.14.0", False),
        ("!=3.15,>=3.10", "3.15.1", True),  # != without .* is one exact version
        ("!=3.15.*,>=3.10", "3.15.1", False),
        ("==3.12.*", "3.12.9", True),
        ("==3.12.*", "3.13.0", False),
        ("~=3.10", "3.13.1", True),
        ("~=3.10.2", "3.11.0", False),
        (">3.9", "3.9.0", False),
        ("<=3.9", "3.9.18", False),
        (">= 3.10", "3.12.1", True),
        (">=3.10,<4; extra", "3.12.1", None),
        (">=3.10", "unknown", None),
    ],
)
def test_python_fits(requires: str, python: str, fits: bool | None) -> None:
    assert _python_fits(requires, python) is fits


# -- the probe, on real interpreters ------------------------------------------------------------


def _site(python: Path) -> Path:
    return Path(
        subprocess.check_output([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True).strip()
    )


def _fake_task_sdk(python: Path, version: str, body: str) -> None:
    """apache-airflow-task-sdk's metadata and an airflow.sdk.execution_time.task_runner module."""
    add_fake_distribution(python, "apache-airflow-task-sdk", version)
    package = _site(python) / "airflow" / "sdk" / "execution_time"
    package.mkdir(parents=True)
    for directory in (package.parent.parent, package.parent, package):
        (directory / "__init__.py").write_text("")
    (package / "task_runner.py").write_text(body)


def test_probe_without_task_sdk(py39_venv: Path) -> None:
    assert probe_task_sdk(str(py39_venv)) == {"version": None, "importable": False, "reconnects": False, "error": None}


def test_probe_finds_a_task_sdk_that_reconnects(tmp_path: Path) -> None:
    python = make_venv(find_python("3.12"), tmp_path / "venv")
    # The probe imports with a throwaway AIRFLOW_HOME and the venv-script mode Airflow sets.
    _fake_task_sdk(
        python,
        "1.1.8",
        "import os\nassert os.environ['PYTHON_OPERATORS_VIRTUAL_ENV_MODE'] == '1'\n"
        "assert 'astro-pyenv-probe-' in os.environ['AIRFLOW_HOME']\n"
        "def reinit_supervisor_comms():\n    pass\n",
    )
    assert probe_task_sdk(str(python)) == {"version": "1.1.8", "importable": True, "reconnects": True, "error": None}


def test_probe_reports_an_import_error(tmp_path: Path) -> None:
    python = make_venv(find_python("3.12"), tmp_path / "venv")
    _fake_task_sdk(python, "1.1.8", "import msgspec_is_not_here\n")
    found = probe_task_sdk(str(python))
    assert (found["version"], found["importable"], found["reconnects"]) == ("1.1.8", False, False)
    assert found["error"] == "ModuleNotFoundError: No module named 'msgspec_is_not_here'"


def test_probe_of_an_old_task_sdk(tmp_path: Path) -> None:
    python = make_venv(find_python("3.12"), tmp_path / "venv")
    _fake_task_sdk(python, "1.1.3", "SUPERVISOR_COMMS = None\n")
    assert probe_task_sdk(str(python))["reconnects"] is False


def test_check_access_probes_only_on_airflow_3(py39_venv: Path) -> None:
    info = EnvironmentInfo(name="old", python=str(py39_venv), python_version="3.9.18", prefix="", packages={})
    on_airflow3 = check_access(info, AIRFLOW3)
    assert on_airflow3 is not None and not on_airflow3.available
    assert on_airflow3.detail.endswith("needs Python <3.14,>=3.10, and this environment runs Python 3.9.18")
    on_airflow2 = check_access(info, AIRFLOW2)
    assert on_airflow2 is not None and on_airflow2.detail.endswith("this environment has no Airflow")
    assert check_access(info, HostAirflow()) is None


# -- astro-pyenv doctor ----------------------------------------------------------------------------


def test_doctor_says_per_environment_whether_tasks_read_variables(tmp_path: Path, py39_venv: Path) -> None:
    """The CLI run by an interpreter with Airflow 3's distributions, as in an Airflow 3 image."""
    host = make_venv(find_python("3.12"), tmp_path / "airflow")
    add_fake_distribution(host, "apache-airflow", "3.1.8")
    add_fake_distribution(host, "apache-airflow-task-sdk", "1.1.8", requires_python="<3.14,>=3.10")
    add_fake_distribution(host, "apache-airflow-providers-standard", "1.21.0")
    with_sdk = make_venv(find_python("3.12"), tmp_path / "with-sdk")
    _fake_task_sdk(with_sdk, "1.1.8", "def reinit_supervisor_comms():\n    pass\n")
    without_sdk = make_venv(find_python("3.12"), tmp_path / "without-sdk")
    env = {"ASTRO_PYENV_modern": str(with_sdk), "ASTRO_PYENV_bare": str(without_sdk), "ASTRO_PYENV_old": str(py39_venv)}
    proc = run_cli("doctor", env_vars=env, python=host)
    assert proc.returncode == 0, proc.stdout + proc.stderr  # informative: no environment is broken
    lines = [line.strip() for line in proc.stdout.splitlines()]
    said = {lines[i - 2].split()[1].rstrip(":"): lines[i:i + 2] for i, line in enumerate(lines) if line.startswith("Variables")}
    assert said["modern"][0] == "Variables and Connections in a task: yes: apache-airflow-task-sdk 1.1.8, as Airflow 3.1.8 here runs"
    assert said["bare"] == [
        "Variables and Connections in a task: no: apache-airflow-task-sdk is not installed here",
        "to get them: " + AUTO + TEMPLATED,
    ]
    assert said["old"][0].startswith("Variables and Connections in a task: no: apache-airflow-task-sdk 1.1.8 (Airflow 3.1.8 here) needs Python <3.14,>=3.10, and this environment runs Python 3.9.")
    assert said["old"][1] == "to get them: " + TEMPLATED + ", or run the task in an environment whose Python the task SDK supports"

    as_json = run_cli("doctor", "--json", "modern", env_vars=env, python=host)
    (check,) = json.loads(as_json.stdout)
    assert check["variables_and_connections"] == {
        "available": True,
        "detail": "apache-airflow-task-sdk 1.1.8, as Airflow 3.1.8 here runs",
        "fix": None,
    }


def test_doctor_without_airflow_says_nothing_about_variables(py39_venv: Path) -> None:
    proc = run_cli("doctor", "--json", env_vars={"ASTRO_PYENV_old": str(py39_venv)})
    assert json.loads(proc.stdout)[0]["variables_and_connections"] is None
    assert "Variables" not in run_cli("doctor", env_vars={"ASTRO_PYENV_old": str(py39_venv)}).stdout
