"""The standalone command end to end, against the in-process fake registry: the image for this
machine fetched, extracted and fitted; venvs made by scripts/make-venv.sh with a real Python;
the .env block written; and a second run changes only what the Dockerfile or a requirements file
changed (issue 27).  The interpreter image here holds a stand-in `python3.9` that runs this test's
own Python; tests/integration/test_standalone.py uses the real images."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from astro_pyenv_frontend.host import host_platform
from astro_pyenv_frontend.oci.client import RegistryClient
from astro_pyenv_frontend.prebuilt import Offer
from astro_pyenv_frontend.standalone.command import Settings, materialise
from astro_pyenv_frontend.standalone.errors import HostError
from astro_pyenv_frontend.standalone.interpreters import choose_interpreter

from fake_registry import FakeRegistry, entry, layer

PREFIX = "opt/astro-pyenv/python/3.9.2/"
DOCKERFILE = """\
# syntax=registry.example/astro-pyenv/frontend:1
ARG ASTRO_PYENV_PIP_VERSION=bundled
FROM python:3.12-slim
PYENV 3.9.2 one requirements-one.txt
PYENV 3.9.2 two
"""


def _interpreter_image(registry: FakeRegistry) -> str:
    python = f"#!/bin/sh\nexec {sys.executable} \"$@\"\n".encode()
    files = layer(
        entry("opt/"), entry("opt/astro-pyenv/"), entry("opt/astro-pyenv/python/"), entry(PREFIX),
        entry(PREFIX + "bin/"), entry(PREFIX + "lib/"),
        (PREFIX + "bin/python3.9", python, 0o755),
        (PREFIX + "lib/astro-pyenv-carried", b""),
        ("opt/astro-pyenv/bin/python3.9", b"not extracted"),
    )  # fmt: skip
    image = registry.image("astro-pyenv/cpython", [files])
    return registry.index("astro-pyenv/cpython", {host_platform(): image})["digest"]


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, FakeRegistry, Settings]:
    registry = FakeRegistry(auth="bearer")
    digest = _interpreter_image(registry)
    catalog = {
        "repository": "registry.example/astro-pyenv/cpython",
        "interpreters": [
            {"version": "3.9.2", "libc": "glibc 2.17", "platforms": [host_platform()], "recipe": "sha256:" + "1" * 64,
             "tag": "3.9.2-test", "digest": digest},
        ],
    }  # fmt: skip
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "project" / "requirements-one.txt").write_text("# nothing yet\n")
    (tmp_path / "project" / ".env").write_text("MINE=1")
    settings = Settings(dockerfile=tmp_path / "project" / "Dockerfile", catalog=str(tmp_path / "catalog.json"))
    return tmp_path / "project", registry, settings


def _run(settings: Settings, registry: FakeRegistry) -> list[str]:
    said: list[str] = []
    materialise(settings, said.append, RegistryClient(registry, lambda host: None))
    return said


def test_a_second_run_changes_only_what_the_dockerfile_or_a_requirements_file_changed(
    project: tuple[Path, FakeRegistry, Settings],
) -> None:
    root, registry, settings = project
    said = _run(settings, registry)
    venvs = root / ".venv" / "astro-pyenv" / "venvs"
    assert any("CPython 3.9.2: prebuilt for glibc 2.17+" in line and "(line 4)" in line for line in said), said
    assert any(line.startswith("astro-pyenv: CPython 3.9.2: fetched") for line in said), said
    assert sorted(p.name for p in venvs.iterdir()) == ["one", "two"]
    assert not (root / ".venv" / "astro-pyenv" / "bin").exists()  # only the interpreter's directory
    env = (root / ".env").read_text()
    assert env.startswith("MINE=1\n# >>> astro-pyenv")
    assert f"ASTRO_PYENV_one={venvs}/one/bin/python\n" in env and f"ASTRO_PYENV_two={venvs}/two/bin/python\n" in env
    requests = len(registry.requests)
    made = {name: (venvs / name / "pyvenv.cfg").stat().st_mtime_ns for name in ("one", "two")}

    said = _run(settings, registry)
    assert len(registry.requests) == requests  # nothing fetched: the interpreter is as it was
    assert "astro-pyenv: venv one (line 4): unchanged" in said and "astro-pyenv: venv two (line 5): unchanged" in said
    assert said[-1] == f"astro-pyenv: {root / '.env'}: unchanged"

    (root / "requirements-one.txt").write_text("# still nothing, other bytes\n")
    settings.dockerfile.write_text(DOCKERFILE.replace("PYENV 3.9.2 two\n", ""))
    said = _run(settings, registry)
    assert any(line.startswith("astro-pyenv: venv one (line 4): made") for line in said), said
    assert (venvs / "one" / "pyvenv.cfg").stat().st_mtime_ns != made["one"]
    assert sorted(p.name for p in venvs.iterdir()) == ["one"]
    assert "ASTRO_PYENV_two" not in (root / ".env").read_text()
    assert (root / ".env").read_text().startswith("MINE=1\n")


def test_an_interpreter_no_image_serves_is_an_error_at_its_line_saying_what_to_do() -> None:
    with pytest.raises(HostError) as info:
        choose_interpreter("3.9.2", 8, Offer(None, problem="the catalog of x:1 could not be read: offline"),
                           named=None, repository_setting="", custom_build=())  # fmt: skip
    assert info.value.line == 8
    assert info.value.message == (
        "CPython 3.9.2: no prebuilt interpreter for this machine (the catalog of x:1 could not be read: offline), and"
        " nothing is compiled here. Install CPython 3.9.2 (pyenv install 3.9.2; uv python install 3.9.2 where GitHub"
        " is reachable) and name it: --python 3.9.2=/path/to/python"
    )
    with pytest.raises(HostError, match=r"prebuilt interpreters are off \(ASTRO_PYENV_PREBUILT\)"):
        choose_interpreter("3.9.2", 8, None, named=None, repository_setting=None, custom_build=())


def test_a_named_interpreter_must_be_that_version(tmp_path: Path) -> None:
    this = "%d.%d.%d" % sys.version_info[:3]
    assert choose_interpreter(this, 3, None, named=Path(sys.executable), repository_setting="", custom_build=()).python
    with pytest.raises(HostError, match=f"runs CPython {this}, not 3.0.1"):
        choose_interpreter("3.0.1", 3, None, named=Path(sys.executable), repository_setting="", custom_build=())
    with pytest.raises(HostError, match=r"runs CPython \(not a Python\)"):
        choose_interpreter("3.0.1", 3, None, named=tmp_path / "nothing", repository_setting="", custom_build=())


def test_a_machine_the_images_do_not_serve_is_said_in_its_own_words(monkeypatch: pytest.MonkeyPatch) -> None:
    from astro_pyenv_frontend.libc import Libc
    from astro_pyenv_frontend.prebuilt import parse_catalog
    from astro_pyenv_frontend.standalone import interpreters

    entry = '{"version": "3.9.2", "libc": "glibc 2.31", "platforms": ["%s"], "recipe": "sha256:%s", "tag": "t", "digest": "sha256:%s"}'
    catalog = parse_catalog('{"repository": "r.example/c", "interpreters": [%s]}' % (entry % (host_platform(), "b" * 64, "a" * 64)))
    for libc, said in [
        (Libc("musl", (0, 0)), "this machine's C library is musl; prebuilt interpreters need glibc"),
        (Libc("glibc", (2, 28)), "this machine has glibc 2.28; prebuilt images of 3.9.2 need glibc 2.31 or newer"),
        (None, "this machine's C library could not be read"),
    ]:
        monkeypatch.setattr(interpreters, "host_libc", lambda libc=libc: libc)
        with pytest.raises(HostError, match="no prebuilt interpreter for this machine") as info:
            choose_interpreter("3.9.2", 8, Offer(catalog), named=None, repository_setting="", custom_build=())
        assert said in info.value.message


def test_a_uv_line_is_made_with_pip_and_says_so(project: tuple[Path, FakeRegistry, Settings]) -> None:
    """Standalone mode has no uv (the frontend image's serves image builds): pip makes the venv."""
    root, registry, settings = project
    settings.dockerfile.write_text(DOCKERFILE.replace("PYENV 3.9.2 two\n", "PYENV --installer=uv 3.9.2 two\n"))
    said = _run(settings, registry)
    warning = (
        "astro-pyenv: warning: venv two (line 5): installed with pip: standalone mode has no uv"
        " (the frontend image's uv serves image builds only)"
    )
    assert warning in said, said
    made = [line for line in said if line.startswith("astro-pyenv: venv two (line 5): made")]
    assert made and "installed by uv" not in made[0], said
    assert (root / ".venv" / "astro-pyenv" / "venvs" / "two" / "bin" / "pip").exists()


ROOT_ONLY_LOCK = (
    'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n'
    '[[package]]\nname = "tasks"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
)
PROJECT = '[project]\nname = "tasks"\nversion = "0.1.0"\nrequires-python = ">=3.9"\ndependencies = []\n'


def test_a_uv_lock_is_exported_with_the_uv_on_path(
    project: tuple[Path, FakeRegistry, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Standalone mode has no frontend image: the first uv on PATH exports the lock (here the
    project venv's, pinned in requirements-dev.txt); its project's dependencies, none here."""
    root, registry, settings = project
    (root / "uv.lock").write_text(ROOT_ONLY_LOCK)
    (root / "pyproject.toml").write_text(PROJECT)
    settings.dockerfile.write_text(DOCKERFILE.replace("PYENV 3.9.2 two\n", "PYENV 3.9.2 two uv.lock\n"))
    monkeypatch.setenv("PATH", f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}")
    said = _run(settings, registry)
    made = [line for line in said if line.startswith("astro-pyenv: venv two (line 5): made")]
    assert made and "installs 0 package(s) exported from uv.lock" in made[0], said


def test_without_a_uv_a_uv_lock_is_an_error_at_its_line(
    project: tuple[Path, FakeRegistry, Settings], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, registry, settings = project
    (root / "uv.lock").write_text(ROOT_ONLY_LOCK)
    (root / "pyproject.toml").write_text(PROJECT)
    settings.dockerfile.write_text(DOCKERFILE.replace("PYENV 3.9.2 two\n", "PYENV 3.9.2 two uv.lock\n"))
    path = "/usr/bin:/bin"
    if shutil.which("uv", path=path):
        pytest.skip("this machine has a uv in /usr/bin or /bin")
    monkeypatch.setenv("PATH", path)
    with pytest.raises(HostError) as info:
        _run(settings, registry)
    assert info.value.line == 5
    assert "<requirements-file> uv.lock of PYENV two: no uv here to export it" in info.value.message
