"""The benchmark project (``benchmarks/project``) copied into a scratch directory and edited there."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from .config import FRONTEND_IMAGE, PROJECT, RUNTIME_IMAGE


def write_project(directory: Path, base_image: str = RUNTIME_IMAGE) -> Path:
    """A copy of benchmarks/project whose Dockerfile names FRONTEND_IMAGE and ``base_image``."""
    if directory.exists():
        shutil.rmtree(directory)
    shutil.copytree(PROJECT, directory)
    set_base(directory, base_image)
    return directory


def set_base(directory: Path, base_image: str) -> None:
    text = (PROJECT / "Dockerfile").read_text()
    text = re.sub(r"^# syntax=.*$", f"# syntax={FRONTEND_IMAGE}", text, count=1, flags=re.MULTILINE)
    text = re.sub(r"^FROM \S+", f"FROM {base_image}", text, count=1, flags=re.MULTILINE)
    (directory / "Dockerfile").write_text(text)


def append_line(path: Path, line: str) -> None:
    path.write_text(path.read_text().rstrip("\n") + "\n" + line + "\n")


def scratch_dir(path: Path) -> Path:
    """``path`` as a new, empty directory."""
    if path.exists():
        shutil.rmtree(path)
    path.mkdir()
    return path
