"""One venv on this machine, made by the script that makes it in an image (scripts/make-venv.sh):
the same pip pin, the same ``--task-sdk`` handling, the same one pip run for requirements and
task SDK.  The differences are where it is made (``--venvs``, ``--in-place``: a venv does not
move) and whose Airflow ``--task-sdk=auto`` reads: the project's, ``.venv/bin/python``, which
standalone mode installs Airflow into."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ..contract import PyenvUse
from .errors import HostError

__all__ = ["VenvSpec", "airflow_task_sdk", "make_venv"]

# What the task SDK lookup prints: "<task-sdk> <airflow-core>", or nothing without one.
_TASK_SDK = """
from importlib.metadata import version
try:
    sdk = version("apache-airflow-task-sdk")
except Exception:
    raise SystemExit(0)
try:
    core = version("apache-airflow-core")
except Exception:
    core = "-"
print(sdk, core)
"""
_SCRIPTS = ("make-venv.sh", "settings.sh")


@dataclass(frozen=True)
class VenvSpec:
    """Everything a venv is made from; :attr:`key` changes when any of it does."""

    use: PyenvUse
    python: Path  # the interpreter's
    interpreter_key: str
    requirements: Path | None
    pip_settings: Mapping[str, str]
    airflow_python: Path | None  # for --task-sdk=auto
    task_sdk_found: str  # what auto found ("3.1.8 3.1.8", "" for none); "" without auto
    includes: tuple[Path, ...] = ()  # the files the requirements file includes (-r/-c)

    @property
    def key(self) -> str:
        data = {
            "version": self.use.version,
            "interpreter": self.interpreter_key,
            "requirements": _sha256(self.requirements.read_bytes()) if self.requirements else None,
            "includes": [_sha256(path.read_bytes()) for path in self.includes],
            "task_sdk": [self.use.task_sdk, self.task_sdk_found],
            "pip": dict(sorted(self.pip_settings.items())),
            "scripts": [_sha256(_script(name).read_bytes()) for name in _SCRIPTS],
        }
        return "sha256:" + _sha256(json.dumps(data, sort_keys=True).encode())


def airflow_task_sdk(airflow_python: Path | None) -> str:
    """The task SDK and Airflow core ``airflow_python`` runs ("" without them, or without it)."""
    if airflow_python is None or not airflow_python.exists():
        return ""
    done = subprocess.run([str(airflow_python), "-I", "-c", _TASK_SDK], capture_output=True, text=True)
    return done.stdout.strip() if done.returncode == 0 else ""


def make_venv(spec: VenvSpec, venvs: Path) -> str:
    """Make the venv ``venvs/<name>`` (replacing it); return pip's last words on it."""
    use = spec.use
    target = venvs / use.name
    if target.exists() or target.is_symlink():
        shutil.rmtree(target)
    venvs.mkdir(parents=True, exist_ok=True)
    argv = ["/bin/sh", str(_script("make-venv.sh"))]
    if use.task_sdk:
        argv.append(f"--task-sdk={use.task_sdk}")
    if spec.airflow_python is not None:
        argv.append(f"--airflow-python={spec.airflow_python}")
    argv += [f"--venvs={venvs}", "--in-place", use.name, str(spec.python)]
    if spec.requirements is not None:
        argv.append(str(spec.requirements))
    env = {**os.environ, **spec.pip_settings}
    done = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    if done.returncode != 0:
        shutil.rmtree(target, ignore_errors=True)
        output = done.stdout.strip()[-4000:]
        raise HostError(f"PYENV {use.name}: making the venv failed:\n{output}", use.line, use.end_line)
    said = [line.removeprefix("astro-pyenv: ") for line in done.stdout.splitlines() if line.startswith("astro-pyenv:")]
    return "; ".join(said)


def _script(name: str) -> Path:
    return Path(str(resources.files("astro_pyenv_frontend") / "scripts" / name))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
