"""A benchmark project (``benchmarks/project``; scenario 12's ``benchmarks/project-python-slim``)
copied into a scratch directory and edited there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .config import FRONTEND_IMAGE, PROJECT, RUNTIME_IMAGE


def write_project(directory: Path, base_image: str = RUNTIME_IMAGE, source: Path = PROJECT) -> Path:
    """A copy of ``source`` whose Dockerfile names FRONTEND_IMAGE and ``base_image``."""
    if directory.exists():
        shutil.rmtree(directory)
    shutil.copytree(source, directory)
    set_base(directory, base_image, source)
    return directory


def set_base(directory: Path, base_image: str, source: Path = PROJECT) -> None:
    text = project_dockerfile((source / "Dockerfile").read_text(), FRONTEND_IMAGE, base_image)
    (directory / "Dockerfile").write_text(text)


def project_dockerfile(text: str, frontend_image: str, base_image: str) -> str:
    """A project's Dockerfile ``text`` with our syntax line naming ``frontend_image`` and its
    first FROM ``base_image``."""
    text = re.sub(r"^# syntax=.*$", f"# syntax={frontend_image}", text, count=1, flags=re.MULTILINE)
    return re.sub(r"^FROM \S+", f"FROM {base_image}", text, count=1, flags=re.MULTILINE)


def append_line(path: Path, line: str) -> None:
    path.write_text(path.read_text().rstrip("\n") + "\n" + line + "\n")


def scratch_dir(path: Path) -> Path:
    """``path`` as a new, empty directory."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path
