"""Requirements installed exactly, with either installer (issue 25.2): a pylock.toml (PEP 751) or
a uv.lock (exported by the frontend image's uv) as the requirements argument, and a requirements
file with hashes (pip's and uv's hash-checking mode); a hash that does not match stops the step
at its PYENV line.  The prebuilt 3.13.5 (its
tested pip, 26.3, reads pylock.toml), six 1.16.0's wheel from PyPI."""

from __future__ import annotations

import subprocess
import uuid

import pytest

from . import harness
from .test_gateway_fixes import _located

WHEEL = "https://files.pythonhosted.org/packages/d9/5a/e7c31adbe875f2abbb91bd84cf2dc52d792b5a01506781dbcf25c91daf11/six-1.16.0-py2.py3-none-any.whl"
WHEEL_SHA256 = "8abb2f1d86890a2dfb989f9a77cfcfd3e47c2a354b01111771326f8aa26e0254"
SDIST_SHA256 = "1e61c37477a1626458e36f7b1d82aa5c9b094fa4802892072e49de9c60c4c926"


def _pylock(nonce: str, sha256: str = WHEEL_SHA256) -> str:
    return (
        f'# run {nonce}\nlock-version = "1.0"\ncreated-by = "astro-pyenv tests"\nrequires-python = ">=3.9"\n\n'
        f'[[packages]]\nname = "six"\nversion = "1.16.0"\n'
        f'wheels = [{{ url = "{WHEEL}", hashes = {{ sha256 = "{sha256}" }} }}]\n'
    )


def _hashed(nonce: str, wheel: str = WHEEL_SHA256, sdist: str = SDIST_SHA256) -> str:
    return f"# run {nonce}\nsix==1.16.0 \\\n    --hash=sha256:{wheel} \\\n    --hash=sha256:{sdist}\n"


INICONFIG_WHEEL = "https://files.pythonhosted.org/packages/ef/a6/62565a6e1cf69e10f5727360368e451d4b7f58beeac6173dc9db836a5b46/iniconfig-2.0.0-py3-none-any.whl"


def _uv_project(nonce: str) -> str:
    return (
        f'# run {nonce}\n[project]\nname = "tasks"\nversion = "0.1.0"\nrequires-python = ">=3.9"\n'
        'dependencies = ["six==1.16.0"]\n\n[dependency-groups]\ndev = ["iniconfig==2.0.0"]\n'
    )


def _uv_lock(sha256: str = WHEEL_SHA256) -> str:
    """What ``uv lock`` (0.13) writes for :func:`_uv_project`: six, and iniconfig in the dev group."""
    return (
        'version = 1\nrevision = 3\nrequires-python = ">=3.9"\n\n'
        '[[package]]\nname = "iniconfig"\nversion = "2.0.0"\nsource = { registry = "https://pypi.org/simple" }\n'
        f'wheels = [{{ url = "{INICONFIG_WHEEL}", hash = "sha256:b6a85871a79d2e3b22d2d1b94ac2824226a63c6b741c88f7ae975f18b6778374" }}]\n\n'
        '[[package]]\nname = "six"\nversion = "1.16.0"\nsource = { registry = "https://pypi.org/simple" }\n'
        f'wheels = [{{ url = "{WHEEL}", hash = "sha256:{sha256}" }}]\n\n'
        '[[package]]\nname = "tasks"\nversion = "0.1.0"\nsource = { virtual = "." }\n'
        'dependencies = [{ name = "six" }]\n\n'
        '[package.dev-dependencies]\ndev = [{ name = "iniconfig" }]\n\n'
        '[package.metadata]\nrequires-dist = [{ name = "six", specifier = "==1.16.0" }]\n\n'
        '[package.metadata.requires-dev]\ndev = [{ name = "iniconfig", specifier = "==2.0.0" }]\n'
    )


def _remove(engine: harness.Settings, image: str | None) -> None:
    if image:
        subprocess.run([engine.docker, "image", "rm", "-f", image], capture_output=True, check=False)


def _failed_at_line(engine: harness.Settings, frontend_image: str, line: str, files: dict[str, str]) -> harness.BuildResult:
    """A build of ``line`` (the Dockerfile's line 3) that must fail there; its log, the image removed."""
    result = harness.build(f"# syntax={frontend_image}\nFROM {engine.python_base}\n{line}\n", files, settings=engine)
    _remove(engine, result.image_id)
    assert not result.ok
    assert _located(result.log, 3, line), result.tail(60)
    return result


def test_a_pylock_and_a_hashed_file_install_exactly_with_uv_and_pip(engine: harness.Settings, frontend_image: str) -> None:
    nonce = uuid.uuid4().hex
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        "PYENV --installer=uv 3.13.5 uv-lock locks/pylock.toml\nPYENV --installer=pip 3.13.5 pip-lock locks/pylock.toml\n"
        "PYENV --installer=uv 3.13.5 uv-hashed hashed.txt\nPYENV --installer=pip 3.13.5 pip-hashed hashed.txt\n"
    )
    files = {"locks/pylock.toml": _pylock(nonce), "hashed.txt": _hashed(nonce)}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        command = (
            'for v in "$ASTRO_PYENV_uv_lock" "$ASTRO_PYENV_pip_lock" "$ASTRO_PYENV_uv_hashed" "$ASTRO_PYENV_pip_hashed";'
            ' do "$v" -c "import six; print(six.__version__)"; done'
        )
        ran = harness.run_in_image(result.image_id or "", ["sh", "-c", command])
        assert ran.output.split() == ["1.16.0"] * 4, ran.output
    finally:
        _remove(engine, result.image_id)


def test_a_uv_lock_installs_its_projects_dependencies_exactly_with_uv_and_pip(
    engine: harness.Settings, frontend_image: str
) -> None:
    """uv exports the lock beside its pyproject.toml in the venv step (the frontend image's uv, for
    a pip line too): the project's dependencies, not its dev group, nor the project itself; as a
    user who is not root."""
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        "RUN useradd --uid 50000 --create-home astro\nUSER astro\n"
        "PYENV --installer=uv 3.13.5 by-uv tasks/uv.lock\nPYENV --installer=pip 3.13.5 by-pip tasks/uv.lock\n"
    )
    files = {"tasks/pyproject.toml": _uv_project(uuid.uuid4().hex), "tasks/uv.lock": _uv_lock()}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert result.log.count("installs 1 package(s) exported from uv.lock") == 2, result.tail(80)
        command = (
            'for v in "$ASTRO_PYENV_by_uv" "$ASTRO_PYENV_by_pip"; do "$v" -c "import six; print(six.__version__)";'
            ' "$v" -c "import iniconfig" 2>/dev/null && echo dev-group || echo no-dev-group;'
            ' "$v" -m pip show tasks >/dev/null 2>&1 && echo project || echo no-project; done; ls /tmp/astro-pyenv 2>&1 | head -1'
        )
        ran = harness.run_in_image(result.image_id or "", ["sh", "-c", command])
        assert ran.output.split()[:6] == ["1.16.0", "no-dev-group", "no-project"] * 2, ran.output
        assert "No such file" in ran.output, "uv stays out of the image"
    finally:
        _remove(engine, result.image_id)


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_a_uv_lock_whose_hash_does_not_match_stops_the_step_at_its_line(
    engine: harness.Settings, frontend_image: str, installer: str
) -> None:
    line = f"PYENV --installer={installer} 3.13.5 env uv.lock"
    files = {"pyproject.toml": _uv_project(uuid.uuid4().hex), "uv.lock": _uv_lock("0" * 64)}
    result = _failed_at_line(engine, frontend_image, line, files)
    assert "hash" in result.log.lower(), result.tail(60)


def test_a_uv_lock_without_its_project_stops_the_build_at_its_line(engine: harness.Settings, frontend_image: str) -> None:
    line = "PYENV 3.13.5 env tasks/uv.lock"
    result = _failed_at_line(engine, frontend_image, line, {"tasks/uv.lock": _uv_lock()})
    said = (
        "<requirements-file> 'tasks/uv.lock' needs its project's 'tasks/pyproject.toml' beside it in the build"
        " context: uv exports the lock with it"
    )
    assert said in result.log, result.tail(40)


@pytest.mark.parametrize("installer", ["uv", "pip"])
@pytest.mark.parametrize("kind", ["pylock", "hashed"])
def test_a_hash_that_does_not_match_stops_the_step_at_its_line(
    engine: harness.Settings, frontend_image: str, installer: str, kind: str
) -> None:
    nonce = uuid.uuid4().hex
    wrong = "0" * 64
    if kind == "pylock":
        path, text = "pylock.toml", _pylock(nonce, wrong)
    else:
        path, text = "hashed.txt", _hashed(nonce, wrong, wrong)
    line = f"PYENV --installer={installer} 3.13.5 env {path}"
    result = _failed_at_line(engine, frontend_image, line, {path: text})
    assert "hash" in result.log.lower(), result.tail(60)


def test_includes_are_followed_within_the_context_and_an_edit_to_one_rebuilds(
    engine: harness.Settings, frontend_image: str
) -> None:
    """-r and -c in a requirements file, relative to it, for both installers; editing only the
    included constraints file installs the other version (the files are in the step's key)."""
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        "PYENV --installer=uv 3.13.5 by-uv reqs/main.txt\nPYENV --installer=pip 3.13.5 by-pip reqs/main.txt\n"
    )
    nonce = uuid.uuid4().hex
    files = {"reqs/main.txt": f"# {nonce}\n-r base.txt\n-c ../constraints.txt\n", "reqs/base.txt": "six\n"}
    command = 'for v in "$ASTRO_PYENV_by_uv" "$ASTRO_PYENV_by_pip"; do "$v" -c "import six; print(six.__version__)"; done'
    images: list[str | None] = []
    try:
        for pin in ("1.16.0", "1.15.0"):
            result = harness.build(dockerfile, {**files, "constraints.txt": f"six=={pin}\n"}, settings=engine)
            images.append(result.image_id)
            assert result.ok, result.tail(120)
            ran = harness.run_in_image(result.image_id or "", ["sh", "-c", command])
            assert ran.output.split() == [pin, pin], ran.output
    finally:
        for image in images:
            _remove(engine, image)


def test_an_include_outside_the_context_stops_the_build_at_its_line(engine: harness.Settings, frontend_image: str) -> None:
    line = "PYENV 3.13.5 env reqs/main.txt"
    result = _failed_at_line(
        engine, frontend_image, line, {"reqs/main.txt": "-r base.txt\n", "reqs/base.txt": "-c ../../constraints.txt\n"}
    )
    said = (
        "<requirements-file> 'reqs/main.txt' includes '../../constraints.txt' (in reqs/base.txt), which is"
        " outside the build context: PYENV follows -r and -c includes only within it"
    )
    assert said in result.log, result.tail(40)
