"""scripts/fit-interpreter.sh: which carried libraries a prebuilt interpreter keeps on a base.

Run under dash (Debian's /bin/sh) and bash, on a fake interpreter prefix: its carried list, its
library files, and a stand-in `python` that fails the way a real one does when a library it
needs is missing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "frontend/src/astro_pyenv_frontend/scripts/fit-interpreter.sh"
SHELLS = [shell for shell in ("dash", "bash") if shutil.which(shell)]

# soname package version needs
CARRIED = """\
libncursesw.so.6 libncursesw6 6.2 libtinfo.so.6
libtinfo.so.6 libtinfo6 6.2 -
libreadline.so.8 libreadline8 8.1 libtinfo.so.6
libsqlite3.so.0 libsqlite3-0 3.34.1 -
libssl.so.1.1 libssl1.1 1.1.1w libcrypto.so.1.1
libcrypto.so.1.1 libssl1.1 1.1.1w -
"""


def _prefix(tmp_path: Path, needs_own: str = "") -> Path:
    """A fake interpreter: its `python` fails while ``needs_own`` (a soname) is not in its lib/."""
    prefix = tmp_path / "python" / "3.13.5"
    (prefix / "lib").mkdir(parents=True)
    (prefix / "bin").mkdir()
    (prefix / "lib" / "astro-pyenv-carried").write_text(CARRIED)
    for line in CARRIED.splitlines():
        (prefix / "lib" / line.split()[0]).write_text("carried\n")
    check = f'[ -z "{needs_own}" ] || [ -e "{prefix}/lib/{needs_own}" ] || {{ echo "{needs_own}: too old" >&2; exit 1; }}'
    python = prefix / "bin" / "python3.13"
    python.write_text(f"#!/bin/sh\n{check}\n")
    python.chmod(0o755)
    return prefix


def _base(tmp_path: Path, *sonames: str) -> Path:
    lib = tmp_path / "base" / "usr" / "lib" / "x86_64-linux-gnu"
    lib.mkdir(parents=True)
    for soname in sonames:
        (lib / soname).write_text("the base's\n")
    return tmp_path / "base" / "usr" / "lib"


def _fit(shell: str, prefix: Path, base_lib: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([shell, str(SCRIPT), "3.13.5", str(prefix), str(base_lib)], capture_output=True, text=True)


def _kept(prefix: Path) -> set[str]:
    return {p.name for p in (prefix / "lib").iterdir() if p.name.startswith("lib") and p.name != "astro-pyenv-carried"}


@pytest.mark.parametrize("shell", SHELLS)
def test_the_base_s_copies_win_unless_a_carried_library_needs_its_own(shell: str, tmp_path: Path) -> None:
    # A minimal Debian 13: libtinfo (bash needs it) but no libncursesw, readline, sqlite3, ssl.
    prefix = _prefix(tmp_path)
    done = _fit(shell, prefix, _base(tmp_path, "libtinfo.so.6", "libsqlite3.so.0", "libcrypto.so.1.1"))
    assert done.returncode == 0, done.stderr
    # libtinfo stays: the carried ncursesw and readline were built with it; sqlite3 is the base's;
    # libcrypto stays: the carried libssl needs it.
    assert _kept(prefix) == {
        "libncursesw.so.6", "libtinfo.so.6", "libreadline.so.8", "libssl.so.1.1", "libcrypto.so.1.1"
    }  # fmt: skip
    assert "uses the base's libsqlite3.so.0" in done.stderr
    assert not (prefix / "lib" / ".astro-pyenv-aside").exists()


@pytest.mark.parametrize("shell", SHELLS)
def test_a_base_with_every_library_keeps_none(shell: str, tmp_path: Path) -> None:
    prefix = _prefix(tmp_path)
    sonames = [line.split()[0] for line in CARRIED.splitlines()]
    done = _fit(shell, prefix, _base(tmp_path, *sonames))
    assert done.returncode == 0, done.stderr
    assert _kept(prefix) == set()


@pytest.mark.parametrize("shell", SHELLS)
def test_a_module_failing_on_the_base_s_copy_puts_every_carried_library_back(shell: str, tmp_path: Path) -> None:
    prefix = _prefix(tmp_path, needs_own="libsqlite3.so.0")  # the base's sqlite3 is too old
    done = _fit(shell, prefix, _base(tmp_path, "libsqlite3.so.0", "libtinfo.so.6"))
    assert done.returncode == 0, done.stderr
    assert _kept(prefix) == {line.split()[0] for line in CARRIED.splitlines()}
    assert "libsqlite3.so.0: too old" in done.stderr and "keeps all it carries" in done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_an_interpreter_that_fails_with_its_own_libraries_fails_the_step(shell: str, tmp_path: Path) -> None:
    prefix = _prefix(tmp_path, needs_own="libnowhere.so.1")
    done = _fit(shell, prefix, _base(tmp_path))
    assert done.returncode != 0
    assert "libnowhere.so.1: too old" in done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_nothing_carried_nothing_to_do(shell: str, tmp_path: Path) -> None:
    prefix = tmp_path / "python" / "3.13.5"
    (prefix / "lib").mkdir(parents=True)
    done = _fit(shell, prefix, _base(tmp_path))
    assert done.returncode == 0 and "carries no libraries" in done.stderr


# -- --glibc: the base nothing read before (the Buildah output) is checked first ------------------


def _tools(tmp_path: Path, getconf: str | None, ldd: str) -> dict[str, str]:
    """PATH with stand-ins for `getconf GNU_LIBC_VERSION` (None: fails, as on musl) and `ldd --version`."""
    bin_dir = tmp_path / "tools"
    bin_dir.mkdir()
    scripts = {
        "getconf": f"#!/bin/sh\necho '{getconf}'\n" if getconf is not None else "#!/bin/sh\nexit 1\n",
        "ldd": f"#!/bin/sh\necho '{ldd}' >&2\nexit 1\n",
    }
    for name, text in scripts.items():
        (bin_dir / name).write_text(text)
        (bin_dir / name).chmod(0o755)
    return {"PATH": f"{bin_dir}:/usr/bin:/bin"}


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(
    ("getconf", "ldd", "has"),
    [
        ("glibc 2.28", "", "glibc 2.28"),
        (None, "ldd (GNU libc) 2.17", "glibc 2.17"),
        (None, "musl libc (x86_64)", "musl instead of glibc"),
        (None, "sh: ldd: not found", "no glibc"),
        ("glibc 1.99", "", "glibc 1.99"),
    ],
)
def test_a_base_without_the_glibc_the_image_needs_fails_saying_how_to_compile(
    shell: str, tmp_path: Path, getconf: str | None, ldd: str, has: str
) -> None:
    prefix = _prefix(tmp_path)
    done = subprocess.run(
        [shell, str(SCRIPT), "--glibc=2.31", "--line=7", "3.13.5", str(prefix), str(_base(tmp_path))],
        capture_output=True, text=True, env=_tools(tmp_path, getconf, ldd),
    )  # fmt: skip
    assert done.returncode == 1
    assert done.stderr == (
        f"astro-pyenv: CPython 3.13.5 (PYENV line 7): the prebuilt interpreter needs glibc 2.31 or newer, and this base"
        f" has {has}. Compile it on this base instead: write this Dockerfile again with 'astro-pyenv-frontend transform"
        " ... --build-arg ASTRO_PYENV_PREBUILT=off' (or put 'ARG ASTRO_PYENV_PREBUILT=off' before the first FROM of the"
        " PYENV Dockerfile)\n"
    )
    assert _kept(prefix) == {line.split()[0] for line in CARRIED.splitlines()}  # nothing was fitted


@pytest.mark.parametrize("shell", SHELLS)
@pytest.mark.parametrize(("getconf", "ldd"), [("glibc 2.31", ""), ("glibc 2.41", ""), ("glibc 3.0", ""), (None, "ldd (Debian GLIBC 2.36-9+deb12u4) 2.36")])
def test_a_base_with_that_glibc_or_newer_is_fitted(shell: str, tmp_path: Path, getconf: str | None, ldd: str) -> None:
    prefix = _prefix(tmp_path)
    done = subprocess.run(
        [shell, str(SCRIPT), "--glibc=2.31", "--line=7", "3.13.5", str(prefix), str(_base(tmp_path, "libsqlite3.so.0"))],
        capture_output=True, text=True, env=_tools(tmp_path, getconf, ldd),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "uses the base's libsqlite3.so.0" in done.stderr


@pytest.mark.parametrize("shell", SHELLS)
def test_an_unknown_option_or_a_missing_interpreter_fails_rather_than_passing(shell: str, tmp_path: Path) -> None:
    """A generated file newer than the frontend image's script must not get a silent no-op."""
    done = subprocess.run([shell, str(SCRIPT), "--newer-option=1", "3.13.5"], capture_output=True, text=True)
    assert done.returncode == 2 and "unknown option --newer-option=1" in done.stderr
    done = subprocess.run([shell, str(SCRIPT), "3.13.5", str(tmp_path / "nothing")], capture_output=True, text=True)
    assert done.returncode == 1 and f"no CPython 3.13.5 at {tmp_path / 'nothing'}" in done.stderr
