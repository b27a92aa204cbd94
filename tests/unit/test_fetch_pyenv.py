"""frontend/tools/fetch_pyenv.py: pyenv from an archive of the pinned commit, accepted only when
its files hash to that commit's git tree, so the commit stays the pin whatever bytes the server's
tarball has (Dockerfile.frontend's pyenv-download stage)."""

from __future__ import annotations

import importlib.util
import io
import re
import shutil
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

from markdown_support import ROOT

_spec = importlib.util.spec_from_file_location("fetch_pyenv", ROOT / "frontend" / "tools" / "fetch_pyenv.py")
assert _spec and _spec.loader
fetch_pyenv = importlib.util.module_from_spec(_spec)
sys.modules["fetch_pyenv"] = fetch_pyenv
_spec.loader.exec_module(fetch_pyenv)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
DOCKERFILE = (ROOT / "Dockerfile.frontend").read_text()


def _arg(name: str) -> str:
    match = re.search(rf"^ARG {name}=(\S+)$", DOCKERFILE, re.MULTILINE)
    assert match, name
    return match.group(1)


def _git(repo: Path, *args: str) -> str:
    env = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "HOME": str(repo), "PATH": "/usr/bin:/bin"}  # fmt: skip
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, env=env).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A commit with what pyenv's tree has: nested directories, executables, a symlink, names
    that sort differently as trees and as files (``a`` vs ``a.b`` vs ``a-b``)."""
    root = tmp_path / "repo"
    (root / "a" / "deep").mkdir(parents=True)
    (root / "a" / "deep" / "x").write_text("x\n")
    (root / "a.b").write_text("file\n")
    (root / "a-b").write_bytes(b"\x00binary\xff")
    (root / "bin").mkdir()
    (root / "bin" / "tool").write_text("#!/bin/sh\necho hi\n")
    (root / "bin" / "tool").chmod(0o755)
    (root / "bin" / "link").symlink_to("tool")
    (root / "empty.txt").write_text("")
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "c")
    return root


def _archive(repo: Path, out: Path, commit: str = "HEAD") -> Path:
    """What GitHub serves: git archive of the commit, gzipped, under one top directory."""
    _git(repo, "archive", "--format=tar.gz", f"--prefix=pyenv-{commit[:12]}/", "-o", str(out), commit)
    return out


def test_the_tree_id_of_a_git_archive_is_the_commits_tree(repo: Path, tmp_path: Path) -> None:
    archive = _archive(repo, tmp_path / "a.tar.gz")
    with fetch_pyenv.open_archive(archive.read_bytes()) as tar:
        assert fetch_pyenv.tree_id(tar) == _git(repo, "rev-parse", "HEAD^{tree}").strip()


def test_a_changed_byte_an_executable_bit_or_a_missing_file_is_another_tree(repo: Path, tmp_path: Path) -> None:
    good = _git(repo, "rev-parse", "HEAD^{tree}").strip()
    for name, change in [("content", lambda: (repo / "a.b").write_text("File\n")),
                         ("mode", lambda: (repo / "bin" / "tool").chmod(0o644)),
                         ("missing", lambda: (repo / "empty.txt").unlink())]:  # fmt: skip
        change()
        _git(repo, "add", "-A")
        _git(repo, "commit", "-qm", name)
        with fetch_pyenv.open_archive(_archive(repo, tmp_path / f"{name}.tar.gz").read_bytes()) as tar:
            got = fetch_pyenv.tree_id(tar)
        assert got == _git(repo, "rev-parse", "HEAD^{tree}").strip() != good


def test_main_extracts_a_verified_archive_with_its_modes_and_links(repo: Path, tmp_path: Path) -> None:
    archive = _archive(repo, tmp_path / "a.tar.gz")
    dest = tmp_path / "pyenv"
    tree = _git(repo, "rev-parse", "HEAD^{tree}").strip()
    assert fetch_pyenv.main(["--url", archive.as_uri(), "--tree", tree, "--ca", "/nonexistent", str(dest)]) == 0
    assert (dest / "a" / "deep" / "x").read_text() == "x\n"
    assert (dest / "a-b").read_bytes() == b"\x00binary\xff"
    assert (dest / "bin" / "tool").stat().st_mode & 0o111
    assert not (dest / "a.b").stat().st_mode & 0o111
    assert (dest / "bin" / "link").is_symlink() and (dest / "bin" / "link").readlink() == Path("tool")


def test_main_extracts_nothing_from_an_archive_of_other_files(repo: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pinned = _git(repo, "rev-parse", "HEAD^{tree}").strip()
    (repo / "bin" / "tool").write_text("#!/bin/sh\necho evil\n")
    _git(repo, "commit", "-qam", "evil")
    archive = _archive(repo, tmp_path / "evil.tar.gz")
    dest = tmp_path / "pyenv"
    assert fetch_pyenv.main(["--url", archive.as_uri(), "--tree", pinned, str(dest)]) == 1
    assert not dest.exists()
    err = capsys.readouterr().err
    assert f"not {pinned}: not the pinned commit's files" in err
    assert "--build-arg PYENV_TREE=$(git rev-parse <commit>^{tree})" in err


def test_main_refuses_a_bad_tree_id_and_an_unreachable_archive(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert fetch_pyenv.main(["--url", "file:///nonexistent.tar.gz", "--tree", "v2.6.30", str(tmp_path / "d")]) == 1
    assert "--tree must be a git tree id (40 hex digits), got 'v2.6.30'" in capsys.readouterr().err
    assert fetch_pyenv.main(["--url", (tmp_path / "none.tar.gz").as_uri(), "--tree", "0" * 40, str(tmp_path / "d")]) == 1
    assert "none.tar.gz: " in capsys.readouterr().err


def test_an_archive_path_outside_the_destination_is_refused() -> None:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        info = tarfile.TarInfo("pyenv/../../etc/x")
        tar.addfile(info, io.BytesIO(b""))
    with tarfile.open(fileobj=io.BytesIO(raw.getvalue())) as tar, pytest.raises(fetch_pyenv.FetchError, match="unsafe path"):
        fetch_pyenv.tree_id(tar)


def test_the_pinned_tree_is_the_pinned_commits_in_a_pyenv_clone(tmp_path: Path) -> None:
    """PYENV_TREE is what `git rev-parse PYENV_COMMIT^{tree}` says, and the archive of that commit
    hashes to it: checked against the machine's pyenv clone (.ci/engine-env.sh uses it offline)."""
    found = shutil.which("pyenv")
    root = Path(subprocess.run(["pyenv", "root"], capture_output=True, text=True).stdout.strip()) if found else Path("/root/.pyenv")
    commit, tree = _arg("PYENV_COMMIT"), _arg("PYENV_TREE")
    if not (root / ".git").exists() or subprocess.run(["git", "-C", str(root), "cat-file", "-e", commit]).returncode:
        pytest.skip(f"no pyenv clone with commit {commit}")
    assert _git(root, "rev-parse", f"{commit}^{{tree}}").strip() == tree
    archive = _archive(root, tmp_path / "pyenv.tar.gz", commit)
    with fetch_pyenv.open_archive(archive.read_bytes()) as tar:
        assert fetch_pyenv.tree_id(tar) == tree


# -- Dockerfile.frontend builds with the Dockerfile frontend of Docker 24 --------------------------


def test_the_frontend_dockerfile_needs_nothing_newer_than_docker_24s_dockerfile_frontend() -> None:
    """Docker 24 builds with its built-in Dockerfile 1.5 when no `# syntax=` line names another;
    ADD of a git URL, ADD --checksum, COPY --parents/--exclude need 1.6 and later."""
    lines = DOCKERFILE.splitlines()
    assert not any(re.match(r"#\s*syntax\s*=", line, re.IGNORECASE) for line in lines)
    instructions = [line for line in lines if line and not line.startswith("#")]
    assert not [line for line in instructions if re.match(r"\s*ADD\b", line)], "ADD <git|URL> needs Dockerfile 1.6"
    assert not [line for line in instructions if re.search(r"--(parents|exclude|checksum|keep-git-dir)\b", line)]
