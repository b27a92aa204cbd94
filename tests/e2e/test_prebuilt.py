"""Prebuilt interpreters on the real engine, from the real registry (issues 13 and 21).

The frontend image under test carries the catalog `make interpreters` wrote (the CPython versions
the local mirror has, built portable on the Debian 11 stand-in, glibc 2.31, and pushed to
``ASTRO_PYENV_REGISTRY``).  What is checked, each against a real build:

- a PYENV line on a glibc base takes the pinned image: no compile step runs, and the interpreter
  works in the image as an unprivileged user, on a minimal base too (tests/e2e/test_portable.py
  goes through every base users have);
- the progress output says, per interpreter, which path it took and why;
- an older glibc, another C library, python-build settings, a registry that does not answer and
  a mirror that serves altered content under the same tag all mean a compile, never the wrong
  interpreter.

The decisions that need no compile are checked with ``--target`` on a stage that does not use the
interpreters: the frontend decides for every PYENV line before BuildKit builds anything.
"""

from __future__ import annotations

import importlib.util
import io
import json
import os
import socket
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from . import harness

MINIMAL_BASE = os.environ.get("ASTRO_PYENV_MINIMAL_BASE", "debian:bookworm-slim")
MODULES = "import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, sys; print('ok', sys.version.split()[0])"
COMPILE_STEP = "compiling CPython"  # what build-python.sh prints when the compile runs


@pytest.fixture(scope="module")
def catalog(engine: harness.Settings, frontend_image: str) -> dict[str, object]:
    """The catalog inside the frontend image under test (fails in CI when there is none)."""
    done = subprocess.run(
        [engine.docker, "run", "--rm", "--network", "none", "--entrypoint", "cat", frontend_image,
         "/opt/astro-pyenv/prebuilt/catalog.json"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        message = f"{frontend_image} has no prebuilt catalog: run `make interpreters` then `make frontend-image`"
        if harness_in_ci():
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    loaded: dict[str, object] = json.loads(done.stdout)
    recipe = subprocess.run(
        [engine.docker, "run", "--rm", "--network", "none", "--entrypoint", "cat", frontend_image,
         "/opt/astro-pyenv/prebuilt/recipe"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    # The frontend uses only images made with its own recipe; a catalog may list older ones too.
    entries = loaded["interpreters"]
    assert isinstance(entries, list)
    loaded["interpreters"] = [e for e in entries if e.get("recipe") == recipe]
    return loaded


def harness_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _entry(catalog: dict[str, object], version: str) -> dict[str, str]:
    entries = catalog["interpreters"]
    assert isinstance(entries, list)
    # The one the frontend picks: an optimised build before a plain one of the same key.
    for entry in sorted(entries, key=lambda e: "--enable-optimizations" not in e.get("build", "")):
        if entry["version"] == version and entry["libc"] == "glibc 2.31":
            return dict(entry)
    pytest.fail(f"the catalog has no {version} for glibc 2.31: {entries}", pytrace=False)


def _fake_libc(version: tuple[int, int]) -> bytes:
    """A libc.so.6 that says glibc ``version`` (the unit tests' ELF maker): all the frontend reads."""
    path = harness.REPO_ROOT / "tests" / "unit" / "gateway" / "fake_libc.py"
    spec = importlib.util.spec_from_file_location("fake_libc", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    data: bytes = module.libc_so(version)
    return data


def _announced(log: str) -> list[str]:
    """The interpreter announcements, each once (BuildKit's plain progress may print a vertex's
    name again, same "#N" and text, when other vertices' output came in between)."""
    return list(dict.fromkeys(line for line in log.splitlines() if "astro-pyenv: CPython" in line and "(line " in line))


def test_prebuilt_interpreter_is_pulled_not_compiled_and_works_as_any_user(
    engine: harness.Settings,
    frontend_image: str,
    catalog: dict[str, object],
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    entry = _entry(catalog, "3.13.5")
    nonce = uuid.uuid4().hex[:12]
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        f"RUN echo {nonce} > /nonce\nPYENV 3.13.5 fast\nUSER 50000:50000\n"
    )
    result = build(dockerfile)
    assert result.ok, result.tail(80)
    assert COMPILE_STEP not in result.log, result.tail(80)
    assert entry["digest"] in result.log  # BuildKit resolved the pinned image
    (line,) = _announced(result.log)
    assert "CPython 3.13.5: prebuilt for glibc 2.31+" in line and "(line 4)" in line, line
    assert result.image_id
    env_python = run_in_image(result.image_id, ["sh", "-c", f'"$ASTRO_PYENV_fast" -c "{MODULES}"'])
    assert env_python.exit_code == 0 and "ok 3.13.5" in env_python.output, env_python.output
    interpreter = run_in_image(
        result.image_id, ["/opt/astro-pyenv/python/3.13.5/bin/python3.13", "-c", MODULES], user="12345:12345"
    )
    assert interpreter.exit_code == 0 and "ok 3.13.5" in interpreter.output, interpreter.output


def test_prebuilt_interpreter_runs_on_a_minimal_base(
    engine: harness.Settings,
    frontend_image: str,
    catalog: dict[str, object],
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    """debian:bookworm-slim lacks libssl, libsqlite3, ...: the image carries what it links to."""
    _entry(catalog, "3.9.2")
    result = build(f"# syntax={frontend_image}\nFROM {MINIMAL_BASE}\nPYENV 3.9.2 old\n")
    assert result.ok, result.tail(80)
    assert COMPILE_STEP not in result.log, result.tail(80)
    assert result.image_id
    ran = run_in_image(result.image_id, ["sh", "-c", f'"$ASTRO_PYENV_old" -c "{MODULES}"'], user="nobody")
    assert ran.exit_code == 0 and "ok 3.9.2" in ran.output, ran.output


def _decisions(
    build: Callable[..., harness.BuildResult], frontend_image: str, body: str, **build_args: str
) -> list[str]:
    """Build only a trivial last stage of ``body``: the frontend still decides for every PYENV line."""
    dockerfile = f"# syntax={frontend_image}\n{body}\nFROM scratch AS nothing\n"
    result = build(dockerfile, build_args=build_args, target="nothing")
    assert result.ok, result.tail(80)
    assert COMPILE_STEP not in result.log
    return _announced(result.log)


def test_an_older_glibc_another_c_library_or_custom_build_settings_mean_a_compile(
    engine: harness.Settings,
    frontend_image: str,
    catalog: dict[str, object],
    build: Callable[..., harness.BuildResult],
) -> None:
    _entry(catalog, "3.13.5")
    # Bases whose C library is older than the images' or musl: made here by copying a libc.so.6
    # that says glibc 2.28, or musl's loader, into images (the frontend reads nothing else);
    # nothing runs in them, as only the decision is built.
    nonce = uuid.uuid4().hex[:8]
    old, musl = f"astro-pyenv-e2e/old-glibc:{nonce}", f"astro-pyenv-e2e/musl:{nonce}"
    made = build(f"FROM {MINIMAL_BASE}\nCOPY libc.so.6 /lib/x86_64-linux-gnu/libc.so.6\n",
                 files={"libc.so.6": _fake_libc((2, 28))}, tag=old)  # fmt: skip
    assert made.ok, made.tail()
    made = build("FROM scratch\nCOPY ld-musl /lib/ld-musl-x86_64.so.1\n",
                 files={"ld-musl": b"\x7fELF musl"}, tag=musl)  # fmt: skip
    assert made.ok, made.tail()
    try:
        body = (
            f"FROM {old} AS old\nPYENV 3.13.5 a\nFROM {musl} AS musl\nPYENV 3.13.5 b\n"
            f"FROM {engine.python_base} AS same\nPYENV 3.13.5 c"
        )
        lines = _decisions(build, frontend_image, body)
        assert len(lines) == 3, lines
        assert "CPython 3.13.5 is compiled: the base has glibc 2.28; prebuilt images of 3.13.5 need glibc 2.31" in lines[0]
        assert "CPython 3.13.5 is compiled: the base image's C library is musl" in lines[1]
        assert "CPython 3.13.5: prebuilt for glibc 2.31+" in lines[2]
        custom = _decisions(build, frontend_image, body, PYTHON_CONFIGURE_OPTS="--without-doc-strings")
        assert all("is compiled: the build sets PYTHON_CONFIGURE_OPTS" in line for line in custom), custom
        off = _decisions(build, frontend_image, "ARG ASTRO_PYENV_PREBUILT=off\n" + body)
        assert all("is compiled: prebuilt interpreters are off" in line for line in off), off
    finally:
        subprocess.run([engine.docker, "image", "rm", old, musl], capture_output=True, check=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def unreachable_frontend(engine: harness.Settings, catalog: dict[str, object]) -> Iterator[str]:
    """A frontend image whose catalog lists 3.9.2 at a registry nobody serves, by a digest this
    engine has never pulled (BuildKit takes a digest it already holds from its own store, which is
    right: same bytes).  The image is made with `docker import`, outside BuildKit's store, pushed
    to the real registry for a real digest, and removed locally."""
    nonce = uuid.uuid4().hex[:10]
    pushed = f"{engine.registry}/astro-pyenv-e2e/unreachable-{nonce}:3.9.2"
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        layer = Path(tmp) / "layer.tar"
        with tarfile.open(layer, "w") as tar:
            data = f"never used {nonce}\n".encode()
            info = tarfile.TarInfo("opt/astro-pyenv/python/3.9.2/README")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        docker = engine.docker
        subprocess.run([docker, "import", str(layer), pushed], check=True, capture_output=True)
        subprocess.run([docker, "push", pushed], check=True, capture_output=True)
        digest = subprocess.run(
            [docker, "image", "inspect", "--format", "{{index .RepoDigests 0}}", pushed],
            check=True, capture_output=True, text=True,
        ).stdout.strip().split("@")[1]  # fmt: skip
        subprocess.run([docker, "image", "rm", pushed], check=True, capture_output=True)
        entry = {**_entry(catalog, "3.9.2"), "tag": "3.9.2", "digest": digest}
        nowhere = f"127.0.0.1:{_free_port()}/astro-pyenv-e2e/unreachable-{nonce}"
        path = Path(tmp) / "catalog.json"
        path.write_text(json.dumps({"repository": nowhere, "interpreters": [entry]}))
        tag = f"local/astro-pyenv-frontend:e2e-unreachable-{nonce}"
        made = harness.build_frontend_image(tag, env={"ASTRO_PYENV_PREBUILT_CATALOG": str(path)})
        assert made.ok, made.tail()
    try:
        yield tag
    finally:
        subprocess.run([engine.docker, "image", "rm", tag], capture_output=True, check=False)


@pytest.mark.last
def test_a_registry_that_does_not_answer_means_a_compile_and_the_build_succeeds(
    engine: harness.Settings,
    unreachable_frontend: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
    tmp_path: Path,
) -> None:
    """The compile step is the one test_settings_secret compiles on every run (the mirror given
    in the settings secret, which no cache key holds): run after it, this build takes that step
    from the build cache, as a user's second build would. The plan's choice and a working image
    are what this test is about."""
    extra: list[str] = []
    if engine.mirror_url:
        settings = tmp_path / "settings.env"
        settings.write_text(f"PYTHON_BUILD_MIRROR_URL={engine.mirror_url}\n")
        extra = ["--secret", f"id=astro-pyenv-settings,src={settings}"]
    result = build(
        f"# syntax={unreachable_frontend}\nFROM {engine.python_base}\nPYENV 3.9.2 env\n",
        extra_args=extra, mirror=False,
    )  # fmt: skip
    assert result.ok, result.tail(80)
    (line,) = _announced(result.log)
    assert "CPython 3.9.2 is compiled: the registry did not serve 127.0.0.1:" in line, line
    assert "pyenv-python-3.9.2" in result.log and "build-python.sh" in result.log
    assert result.image_id
    ran = run_in_image(result.image_id, ["sh", "-c", f'"$ASTRO_PYENV_env" -c "{MODULES}"'])
    assert ran.exit_code == 0 and "ok 3.9.2" in ran.output, ran.output


def test_a_mirror_serving_other_content_under_the_same_tag_is_not_used(
    engine: harness.Settings,
    frontend_image: str,
    catalog: dict[str, object],
    build: Callable[..., harness.BuildResult],
) -> None:
    """Pinning by digest: a mirror whose tag holds altered bytes cannot serve the catalog's digest."""
    entry = _entry(catalog, "3.13.5")
    mirror = f"{engine.registry}/astro-pyenv-e2e/altered-{uuid.uuid4().hex[:8]}"
    altered = f"{mirror}:{entry['tag']}"
    made = build("FROM scratch\nCOPY marker /opt/astro-pyenv/python/3.13.5/bin/python3.13\n",
                 files={"marker": "#!/bin/sh\necho forged\n"}, tag=altered)  # fmt: skip
    assert made.ok, made.tail()
    pushed = subprocess.run([engine.docker, "push", altered], capture_output=True, text=True, check=False)
    assert pushed.returncode == 0, pushed.stderr
    try:
        lines = _decisions(build, frontend_image, f"FROM {engine.python_base}\nPYENV 3.13.5 a",
                           ASTRO_PYENV_PREBUILT=mirror)  # fmt: skip
        (line,) = lines
        assert f"is compiled: the registry did not serve {mirror}:{entry['tag']}@{entry['digest']}" in line, line
    finally:
        subprocess.run([engine.docker, "image", "rm", altered], capture_output=True, check=False)
