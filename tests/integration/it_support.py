"""Cached Airflow virtualenvs and subprocess helpers for the integration tests.

Airflow venvs live under $ASTRO_PYENV_CI_CACHE/airflow-venvs (default /var/cache/astro-pyenv-ci),
outside the repo, and are reused across runs; only our package is reinstalled each session.
"""
from __future__ import annotations

import fcntl
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "runtime_helper"
DAGS = Path(__file__).resolve().parent / "dags"
PYENV_VERSIONS = Path(os.environ.get("PYENV_ROOT", "/root/.pyenv")) / "versions"

CONSTRAINTS = REPO / ".ci" / "constraints"

# Latest releases on PyPI when this was written; override to test others (each needs its
# constraints file: .ci/constraints/update.sh).
AIRFLOW_VERSIONS: dict[str, str] = {
    "airflow2": os.environ.get("ASTRO_PYENV_IT_AIRFLOW2", "2.11.2"),
    "airflow3": os.environ.get("ASTRO_PYENV_IT_AIRFLOW3", "3.3.2"),
}
HOST_PYTHON_MINOR = os.environ.get("ASTRO_PYENV_IT_HOST_PYTHON", "3.11")


def constraints_file(airflow_version: str, python_minor: str) -> Path:
    """Every package pinned for Airflow ``airflow_version`` on ``python_minor``: a new release on
    the index must not change what the tests install."""
    path = CONSTRAINTS / f"airflow-{airflow_version}-python-{python_minor}.txt"
    if not path.is_file():
        raise RuntimeError(f"no {path}: add Airflow {airflow_version} on Python {python_minor} to .ci/constraints/update.sh")
    return path
TASK_PYTHON_MINOR = os.environ.get("ASTRO_PYENV_IT_TASK_PYTHON", "3.9")


def cache_root() -> Path:
    return Path(os.environ.get("ASTRO_PYENV_CI_CACHE", "/var/cache/astro-pyenv-ci")) / "airflow-venvs"


def find_python(minor: str) -> Path | None:
    for candidate in sorted(PYENV_VERSIONS.glob(f"{minor}.*/bin/python")):
        return candidate
    return None


def _run(cmd: list[str], **kwargs) -> None:
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kwargs)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed ({proc.returncode}):\n{proc.stdout[-5000:]}")


def airflow_venv(airflow_version: str, base_python: Path) -> Path:
    """Return the python of a venv with apache-airflow==version, creating it once per cache dir."""
    root = cache_root()
    root.mkdir(parents=True, exist_ok=True)
    py_minor = ".".join(base_python.parent.parent.name.split(".")[:2])
    constraints = constraints_file(airflow_version, py_minor)
    pins = constraints.read_text(encoding="utf-8")
    venv = root / f"airflow-{airflow_version}-py{py_minor}"
    ready = venv / ".astro-pyenv-ready"
    with open(root / f".{venv.name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        # Made again when the pins changed: a venv of other pins is another environment.
        if not ready.exists() or ready.read_text(encoding="utf-8") != pins:
            shutil.rmtree(venv, ignore_errors=True)
            _run([str(base_python), "-m", "venv", str(venv)])
            pip = [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q"]
            _run(pip + ["install", "-c", str(constraints), f"apache-airflow=={airflow_version}"])
            _run(pip + ["check"])
            ready.write_text(pins, encoding="utf-8")
        # Always install the working tree's package (not editable: entry points as users get them),
        # built from a copy (with the VERSION file it reads beside it): setuptools writes build/
        # into the tree it builds, and the other venv's install may build the same package
        # meanwhile.
        with tempfile.TemporaryDirectory(prefix="astro-pyenv-it-") as tmp:
            source = Path(tmp) / PACKAGE.name
            shutil.copytree(PACKAGE, source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
            shutil.copy2(REPO / "VERSION", Path(tmp) / "VERSION")
            _run(
                [str(venv / "bin" / "python"), "-m", "pip", "--disable-pip-version-check", "-q", "install",
                 "--no-deps", "--force-reinstall", str(source)]
            )
    return venv / "bin" / "python"


def clean_environ(airflow_home: Path, **extra: str) -> dict[str, str]:
    """The environment for an Airflow subprocess: no ASTRO_PYENV_* unless given in extra."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ASTRO_PYENV_", "AIRFLOW", "PYTHON"))}
    env.update(
        AIRFLOW_HOME=str(airflow_home),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__CORE__DAGS_FOLDER=str(airflow_home / "dags"),
        AIRFLOW__CORE__UNIT_TEST_MODE="False",
    )
    env.update(extra)
    return env


def run_python(
    python: Path, script: str, args: list[str], env: dict[str, str], timeout: int = 300
) -> subprocess.CompletedProcess[str]:
    """Run ``script``; past ``timeout`` seconds, fail with where each of its processes is blocked
    (kernel wait channel and system call), then kill them all: a hang says where it hangs."""
    proc = subprocess.Popen(
        [str(python), "-c", script, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=env["AIRFLOW_HOME"],
        start_new_session=True,
    )
    try:
        output, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        blocked = where_blocked(proc.pid)
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        raise AssertionError(
            f"still running after {timeout}s; its processes were:\n{blocked}\noutput:\n{output[-8000:]}"
        ) from None
    return subprocess.CompletedProcess(proc.args, proc.returncode, output)


def where_blocked(session: int) -> str:
    """Each process of ``session``: pid, parent, state, kernel wait channel, command, system call."""
    listing = subprocess.run(
        ["ps", "-s", str(session), "-o", "pid=,ppid=,stat=,wchan:32=,etime=,args="],
        capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    lines = []
    for line in listing.splitlines():
        pid = line.split(None, 1)[0]
        try:
            syscall = Path(f"/proc/{pid}/syscall").read_text().split(" ", 1)[0]
        except OSError:
            syscall = "?"
        lines.append(f"{line[:200]}  syscall={syscall}")
    return "\n".join(lines)


def prepare_airflow_venvs() -> None:
    """Make the Airflow venvs the integration tests' fixture asks for (CI's .ci/run makes them in
    the background while it prepares the engine; the fixture then waits on their locks)."""
    base = find_python(HOST_PYTHON_MINOR)
    if base is None:
        print(f"no Python {HOST_PYTHON_MINOR} for Airflow: the integration tests skip these venvs")
        return
    for name, version in sorted(AIRFLOW_VERSIONS.items()):
        print(f"{name}: {airflow_venv(version, base)}", flush=True)


if __name__ == "__main__":
    prepare_airflow_venvs()
