"""Every install from a package index that CI, the tests, the example and the benchmark make is
pinned, so that a new release on the index changes nothing they build (a new cryptography once
broke the Airflow stand-in on every fresh machine while warm caches hid it)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

# Files that pin: one `name==version` per requirement (comments, markers and uv's annotations
# allowed).
PIN_FILES = sorted(
    {
        REPO / "requirements-dev.txt",
        REPO / "frontend" / "constraints.txt",
        REPO / "benchmarks" / "requirements.txt",
        *(REPO / ".ci" / "constraints").glob("*.txt"),
        *(REPO / "examples").glob("*/requirements*.txt"),
        *(REPO / "benchmarks" / "project").glob("requirements*.txt"),
    }
)
_REQUIREMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*(\[[^\]]*\])?==[^\s;,<>=!~*]+(\s*;.*)?$")

# Where installs are written: scripts, Makefiles, Dockerfiles, the tests' own Dockerfiles.
SCANNED = [
    REPO / "Makefile",
    REPO / "Dockerfile.frontend",
    *sorted((REPO / ".ci").rglob("*")),
    *sorted((REPO / "benchmarks").rglob("Dockerfile")),
    *sorted((REPO / "examples").rglob("Dockerfile")),
    *sorted((REPO / "release").glob("*.sh")),
    *sorted((REPO / "interpreters").glob("*.sh")),
    *sorted((REPO / "tests" / "e2e").rglob("*.py")),
    *sorted((REPO / "tests" / "integration").rglob("*.py")),
]
_INSTALL = re.compile(r"\bpip3?\"?\]?,? (?:install|wheel)\b|\"install\"|\buv pip install\b")
# What makes an install line pinned (or not from an index at all).
_PINNED = re.compile(
    r"==|-r\s+\S*requirements[\w.-]*\.txt|-r\s+\"?\$file\"?|-c\s|PIP_CONSTRAINT|--no-deps|\"-c\"|constraints"
)


def _requirements(path: Path) -> list[str]:
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            lines.append(line)
    return lines


@pytest.mark.parametrize("path", PIN_FILES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_requirement_in_a_pin_file_is_pinned(path: Path) -> None:
    loose = [line for line in _requirements(path) if not _REQUIREMENT.match(line)]
    assert not loose, f"{path.relative_to(REPO)}: not pinned with ==: {loose}"


def _install_lines(path: Path) -> list[tuple[int, str]]:
    """Lines that install from an index, a continued command read as one line."""
    text = path.read_text(encoding="utf-8", errors="replace")
    lines = text.splitlines()
    found = []
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if stripped.startswith(("#", '"""')) or not _INSTALL.search(line):
            continue
        command = line
        follow = number
        while command.rstrip().endswith("\\") and follow < len(lines):
            command = command.rstrip()[:-1] + " " + lines[follow].strip()
            follow += 1
        if path.suffix == ".py":  # an argument list may go on over the next lines
            command = " ".join([command, *lines[number : number + 2]])
        found.append((number, command))
    return found


def test_every_install_from_an_index_is_pinned() -> None:
    unpinned = []
    for path in SCANNED:
        if not path.is_file() or path.suffix in {".md", ".txt", ".json", ".yml", ".tar"}:
            continue
        for number, command in _install_lines(path):
            # The stand-in's ONBUILD script installs the user's requirements.txt, as Astro
            # Runtime's does (the example's file is pinned: test above).
            if _PINNED.search(command):
                continue
            unpinned.append(f"{path.relative_to(REPO)}:{number}: {command.strip()}")
    assert not unpinned, "installs without pins:\n" + "\n".join(unpinned)


def test_the_scan_finds_an_unpinned_install(tmp_path: Path) -> None:
    """The check above can fail: a loose install is found, a pinned one is not."""
    script = tmp_path / "x.sh"
    script.write_text("pip install requests\npip install requests==2.32.3\npip install -q \\\n  flask\n")
    assert [n for n, c in _install_lines(script) if not _PINNED.search(c)] == [1, 3]
