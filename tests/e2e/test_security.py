"""Attacks on what PYENV builds share with other builds on the same builder (docs/security.md).

Every other build on a builder can mount any cache id it names and write to it as root.  These
tests play that other build with plain Dockerfiles (no frontend) and check that a PYENV build
takes nothing from it, leaks nothing to it, and that secrets stay out of the image.

Compile economy: tests that need a successful PYENV build use the python base with 3.13.5 and
the harness's build args, so they reuse the interpreter layer test_pyenv_builds.py compiles.
Tests that must run the compile step use 3.9.2 (the faster compile) and either fail it on
purpose right after the sources step (a broken PYTHON_CONFIGURE_OPTS) or compile once.
"""

from __future__ import annotations

import io
import os
import re
import signal
import subprocess
import tarfile
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import HTTPServer, SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from . import harness

# Cache ids earlier versions used (compiled interpreters, pip) and the one still used (sources).
OLD_INTERPRETER_IDS = ("astro-pyenv-python-3.9.2", "astro-pyenv-python-3.13.5")
OLD_PIP_ID = "astro-pyenv-pip"
SOURCES_ID = "astro-pyenv-cpython-sources"

# The key the old build-python.sh gave a compiled interpreter in its cache mount, computed the
# same way inside the base, so the planted entry is exactly where the old code looked.
OLD_KEY_SCRIPT = r"""
os_key() {
    ( . /etc/os-release 2>/dev/null; printf '%s-%s' "${ID:-unknown}" "${VERSION_ID:-unknown}" )
    printf -- '-%s-' "$(uname -m)"
    (ldd --version 2>&1 || true) | head -n 1 | tr -cd 'A-Za-z0-9.'
}
"""


SAVED = ".saved-by-astro-pyenv-security-test"


def _old_interpreter_entries(action: str) -> str:
    """Plain Dockerfile steps on every old interpreter cache id: ``plant:<marker>`` or ``restore``.

    The engine may be shared with builds of an older version that still read these ids, so a
    real entry is moved aside while the fake is there, and put back by ``restore``.
    """
    lines = []
    for cache_id in OLD_INTERPRETER_IDS:
        version = cache_id.rsplit("-", 1)[1]
        series = ".".join(version.split(".")[:2])
        if action.startswith("plant:"):
            marker = action.split(":", 1)[1]
            body = (
                f'if [ -e "/c/$key" ] && [ ! -e "/c/$key{SAVED}" ]; then mv "/c/$key" "/c/$key{SAVED}"; fi\n'
                f'rm -rf "/c/$key"; mkdir -p "/c/$key/python/bin" "/c/$key/libs"\n'
                f"printf '#!/bin/sh\\necho {marker}\\n' > \"/c/$key/python/bin/python{series}\"\n"
                f'chmod 755 "/c/$key/python/bin/python{series}"\n'
                f'touch "/c/$key/.complete"\n'
                f'echo "planted $key"\n'
            )
        else:
            body = f'rm -rf "/c/$key"; if [ -e "/c/$key{SAVED}" ]; then mv "/c/$key{SAVED}" "/c/$key"; fi\n'
        lines.append(
            f"RUN --mount=type=cache,id={cache_id},target=/c,sharing=locked <<'EOF'\n"
            f"{OLD_KEY_SCRIPT}\n"
            f"key=$(printf 'v2-%s-%s' '{version}' \"$(os_key)\" | tr -c 'A-Za-z0-9._-' '_')\n"
            f"{body}"
            f"EOF\n"
        )
    return "".join(lines)


def _plant_sources(marker: str) -> str:
    """A plain Dockerfile step that plants fake CPython tarballs in the sources cache."""
    return (
        f"RUN --mount=type=cache,id={SOURCES_ID},target=/c <<'EOF'\n"
        "set -e\n"
        "for v in 3.9.2 3.13.5; do\n"
        '  d=/tmp/Python-$v; mkdir -p $d\n'
        f"  printf '#!/bin/sh\\necho {marker} >&2\\nexit 1\\n' > $d/configure; chmod 755 $d/configure\n"
        "  tar -C /tmp -cJf /c/Python-$v.tar.xz Python-$v 2>/dev/null || tar -C /tmp -czf /c/Python-$v.tar.xz Python-$v\n"
        "done\n"
        "ls -la /c\n"
        "EOF\n"
    )


def _plain(engine: harness.Settings, body: str, nonce: str) -> harness.BuildResult:
    """A plain (frontend-less) build FROM the python base; ``nonce`` defeats the layer cache."""
    # No syntax line: the engine's built-in Dockerfile frontend (it reads heredocs).
    text = f"FROM {engine.python_base}\nARG NONCE={nonce}\n{body}"
    result = harness.build(text, {}, settings=engine)
    _remove(engine, result.image_id)
    return result


def _remove(engine: harness.Settings, *images: str | None) -> None:
    names = [i for i in images if i]
    if names:
        subprocess.run([engine.docker, "image", "rm", "-f", *names], capture_output=True, check=False)


def _steps_of(log: str, stage: str, script: str = "") -> tuple[set[str], set[str]]:
    """(cached, executed) ids of ``stage``'s RUN steps, of those naming ``script`` if given."""
    line = rf"^#(\d+) \[{re.escape(stage)} \d+/\d+\] RUN[^\n]*{re.escape(script)}"
    ids = set(re.findall(line, log, re.MULTILINE))
    cached = {i for i in ids if re.search(rf"^#{i} CACHED$", log, re.MULTILINE)}
    return cached, ids - cached


# -- planted interpreters and sources -------------------------------------------------------


def test_broken_configure_option_runs_the_compile_and_a_planted_tarball_is_refused(
    engine: harness.Settings, frontend_image: str
) -> None:
    """PYTHON_CONFIGURE_OPTS is in the compile step's key: a new value compiles again (here it
    breaks configure on purpose, so the test is cheap).  The compile reads its sources from the
    shared cache only after python-build verified the checksum, so a planted tarball is refused."""
    marker = f"PLANTED-CONFIGURE-{uuid.uuid4().hex}"
    planted = _old_interpreter_entries(f"plant:PLANTED-PYTHON-{marker}") + _plant_sources(marker)
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.9.2 env\n"
    # A configure option unique to this run: no earlier layer can match, and CC=false makes
    # configure stop at once, after python-build fetched and verified the sources.
    args = {"PYTHON_CONFIGURE_OPTS": f"CC=/bin/false --with-astro-pyenv-test={uuid.uuid4().hex}"}
    plant = _plain(engine, planted, marker)
    try:
        assert plant.ok, plant.tail(80)
        result = harness.build(dockerfile, {}, args, settings=engine)
        _remove(engine, result.image_id)
    finally:
        restored = _plain(engine, _old_interpreter_entries("restore"), marker + "-restore")
        assert restored.ok, restored.tail(80)
    assert "PLANTED-PYTHON" not in result.log, result.tail(80)
    assert not result.ok, "a broken PYTHON_CONFIGURE_OPTS must fail the compile, not reuse an interpreter"
    # The compile step (the stage's first step, the build dependencies, may come from the cache:
    # it is the same for every compile on this base).
    cached, executed = _steps_of(result.log, "pyenv-python-3.9.2", "build-python.sh")
    assert executed and not cached, result.tail(80)
    assert "compiling CPython 3.9.2" in result.log, result.tail(80)
    assert marker not in result.log, f"the planted tarball's configure ran:\n{result.tail(80)}"
    assert "reusing CPython" not in result.log
    # python-build rejected the cached file and fetched the real one.
    assert "Downloading Python-3.9.2.tar.xz" in result.log, result.tail(80)
    assert "C compiler cannot create executables" in result.log or "BUILD FAILED" in result.log, result.tail(80)


def _docker_build_command(
    engine: harness.Settings, context: Path, args: dict[str, str], iidfile: Path
) -> list[str]:
    command = [
        engine.docker, "build", "--network", "host", "--progress", "plain",
        "--iidfile", str(iidfile), "-f", str(context / "Dockerfile"),
    ]  # fmt: skip
    for name, value in args.items():
        command += ["--build-arg", f"{name}={value}"]
    if engine.ca_bundle:
        command += ["--secret", f"id={harness.CA_SECRET_ID},src={engine.ca_bundle}"]
    return [*command, str(context)]


def test_interrupted_cold_build_then_planted_caches_leave_no_trace(
    engine: harness.Settings, frontend_image: str
) -> None:
    """Kill the build client mid-compile, plant fake sources in the source cache, then build
    again: the image holds a real, freshly compiled CPython."""
    nonce = uuid.uuid4().hex
    marker = f"PLANTED-{nonce}"
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.9.2 env\n"
    # A harmless curl option unique to this run keeps every earlier compile out of reach; the
    # prebuilt image would stand in for the compile this test is about.
    args = {"PYTHON_BUILD_CURL_OPTS": f"--user-agent astro-pyenv-test-{nonce}", "ASTRO_PYENV_PREBUILT": "off"}
    if engine.mirror_url:
        args["PYTHON_BUILD_MIRROR_URL"] = engine.mirror_url
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp) / "context"
        context.mkdir()
        (context / "Dockerfile").write_text(dockerfile)
        iidfile = Path(tmp) / "iid"
        client = subprocess.Popen(
            _docker_build_command(engine, context, args, iidfile),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
            start_new_session=True,
        )
        seen: list[str] = []
        assert client.stdout is not None
        deadline = time.monotonic() + 900
        for line in client.stdout:
            seen.append(line)
            if "compiling CPython 3.9.2" in line or time.monotonic() > deadline:
                break
        time.sleep(20)  # well into make
        os.killpg(client.pid, signal.SIGKILL)
        client.wait()
        assert any("compiling CPython 3.9.2" in line for line in seen), "".join(seen[-60:])

    # Sources only: the old interpreter ids are attacked in the test above (a short window, on an
    # engine other builds may share).
    plant = _plain(engine, _plant_sources(marker), nonce)
    assert plant.ok, plant.tail(80)

    result = harness.build(dockerfile, {}, args, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert "compiling CPython 3.9.2" in result.log, result.tail(80)
        assert marker not in result.log, result.tail(80)
        assert "reusing CPython" not in result.log
        run = harness.run_in_image(
            result.image_id or "",
            ["sh", "-c", '"$ASTRO_PYENV_env" -c "import ssl, sys; print(sys.version.split()[0])"; python3.9 -V'],
        )
        assert run.exit_code == 0, run.output
        assert marker not in run.output
        assert run.output.split() == ["3.9.2", "Python", "3.9.2"], run.output
    finally:
        _remove(engine, result.image_id)


# -- pip cache -------------------------------------------------------------------------------


def test_a_plain_build_cannot_read_what_a_pyenv_build_downloaded(
    engine: harness.Settings, frontend_image: str
) -> None:
    """By default no pip cache is shared: a later plain build finds no new trace of the download,
    neither under the id earlier versions used nor in the opt-in ids' default name.

    Counted before and after, since builds by earlier versions on the same builder may have left
    files there (that is the leak this version no longer has)."""
    # uid/gid/mode are part of a cache mount's identity in BuildKit (the Dockerfile frontend seeds
    # the mount from a directory made with them), so the mount is named with the options the old
    # version used (mode=0777) as well as without.
    mounts = (f"id={OLD_PIP_ID},mode=0777", f"id={OLD_PIP_ID}", "id=astro-pyenv-pip-shared")
    snoop = "".join(
        f"RUN --mount=type=cache,{mount},target=/c "
        f"echo SNOOP {mount}: $(find /c -name 'six-*' 2>/dev/null | wc -l) files\n"
        for mount in mounts
    )

    def counts() -> list[tuple[str, str]]:
        plain = _plain(engine, snoop, uuid.uuid4().hex)
        assert plain.ok, plain.tail(80)
        found = re.findall(r"SNOOP (\S+): (\d+) files", plain.log)
        assert len(found) == len(mounts), plain.tail(40)
        return found

    before = counts()
    nonce = uuid.uuid4().hex
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.13.5 env requirements.txt\n"
    # six built from its sdist: the wheel pip builds goes to pip's wheel cache when there is one
    # (its HTTP cache is no test here: a proxy that drops caching headers leaves it empty).
    files = {"requirements.txt": f"# {nonce}\n--no-binary=six\nsix==1.16.0\n"}
    result = harness.build(dockerfile, files, settings=engine)
    _remove(engine, result.image_id)
    assert result.ok, result.tail(120)
    assert "Building wheel for six" in result.log, "pip did not run: the test would prove nothing"
    assert counts() == before


def test_opted_in_pip_cache_works_for_a_non_root_user(engine: harness.Settings, frontend_image: str) -> None:
    """ASTRO_PYENV_PIP_CACHE (here as an ARG default in the Dockerfile, as the Astro CLI needs):
    uid 50000 writes the shared cache, and the next build with new requirements reads from it.

    Checked with pip's wheel cache (six built from its sdist): pip's HTTP cache stays empty
    behind a proxy that drops caching headers, as on our CI machines."""
    cache = f"test-{uuid.uuid4().hex[:12]}"
    dockerfile = (
        f"# syntax={frontend_image}\nARG ASTRO_PYENV_PIP_CACHE={cache}\nFROM {engine.python_base}\n"
        "RUN useradd --uid 50000 --create-home astro\nUSER astro\nPYENV 3.13.5 env requirements.txt\n"
    )
    # A fresh requirements file: the cache mount's id is not part of the layer cache key, so an
    # earlier build of the same file would be reused without running pip at all.
    requirements = f"# {uuid.uuid4().hex}\n--no-binary=six\nsix==1.16.0\n"
    first = harness.build(dockerfile, {"requirements.txt": requirements}, settings=engine)
    _remove(engine, first.image_id)
    assert first.ok, first.tail(120)
    assert "cache has been disabled" not in first.log.lower(), first.tail(80)
    assert "Stored in directory: /tmp/astro-pyenv-pip-cache/uid-50000/wheels" in first.log, first.tail(80)
    second = harness.build(dockerfile, {"requirements.txt": requirements + "# edited\n"}, settings=engine)
    _remove(engine, second.image_id)
    assert second.ok, second.tail(120)
    assert "cache has been disabled" not in second.log.lower(), second.tail(80)
    assert "Successfully installed six-1.16.0" in second.log, second.tail(80)
    assert "Building wheel for six" not in second.log, f"the cached wheel was not used:\n{second.tail(80)}"


# -- venv ownership, pip version ---------------------------------------------------------------


def test_venv_directory_belongs_to_the_astro_user(engine: harness.Settings, frontend_image: str) -> None:
    """On the Astro Runtime stand-in (user astro, uid 50000) the venv's own directory is astro's."""
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.runtime_base_image}\nPYENV 3.13.5 env\n"
    result = harness.build(dockerfile, {}, settings=engine)
    try:
        assert result.ok, result.tail(120)
        run = harness.run_in_image(
            result.image_id or "",
            ["sh", "-c", "id -u; stat -c '%u %U' /opt/astro-pyenv/venvs/env; "
             "touch /opt/astro-pyenv/venvs/env/written && echo writable"],
        )  # fmt: skip
        assert run.exit_code == 0, run.output
        assert run.output.split() == ["50000", "50000", "astro", "writable"], run.output
    finally:
        _remove(engine, result.image_id)


def test_old_cpython_gets_a_current_pip_and_installs_a_manylinux_2_28_wheel(
    engine: harness.Settings, frontend_image: str
) -> None:
    """3.9.2 bundles pip 20.2.3, which cannot see manylinux_2_28 wheels; libcst 1.9.0 ships cp39
    only as manylinux_2_28 (and as an sdist that needs Rust: binaries only here, to fail fast)."""
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.9.2 env requirements.txt\n"
    files = {"requirements.txt": "--only-binary=:all:\nlibcst==1.9.0\n"}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        run = harness.run_in_image(
            result.image_id or "",
            ["sh", "-c", '"$ASTRO_PYENV_env" -m pip --version; "$ASTRO_PYENV_env" -c "import libcst; print(libcst.__name__)"'],
        )
        assert run.exit_code == 0, run.output
        version = re.search(r"^pip (\d+)\.", run.output, re.MULTILINE)
        assert version and int(version.group(1)) >= 24, run.output
        assert run.output.split()[-1] == "libcst", run.output
    finally:
        _remove(engine, result.image_id)


def test_bundled_pip_is_kept_when_asked(engine: harness.Settings, frontend_image: str) -> None:
    dockerfile = (
        f"# syntax={frontend_image}\nARG ASTRO_PYENV_PIP_VERSION=bundled\nFROM {engine.python_base}\nPYENV 3.9.2 env\n"
    )
    result = harness.build(dockerfile, {}, settings=engine)
    try:
        assert result.ok, result.tail(120)
        run = harness.run_in_image(result.image_id or "", ["sh", "-c", '"$ASTRO_PYENV_env" -m pip --version'])
        assert run.output.startswith("pip 20.2.3"), run.output
    finally:
        _remove(engine, result.image_id)


# -- secrets -----------------------------------------------------------------------------------


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serve_directory(root: str) -> Iterator[int]:
    """An HTTP server on 127.0.0.1 serving ``root`` (a find-links page); yields its port."""
    server = HTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()


@pytest.fixture
def find_links_server() -> Iterator[int]:
    """A find-links page that answers and lists nothing."""
    with tempfile.TemporaryDirectory() as root, serve_directory(root) as port:
        yield port


def _strings_in_image(engine: harness.Settings, image: str, secrets: list[str]) -> list[str]:
    """Where any of ``secrets`` appears: history, inspect output, any file of any layer."""
    found: list[str] = []
    history = subprocess.run(
        [engine.docker, "history", "--no-trunc", "--format", "{{.CreatedBy}} {{.Comment}}", image],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    inspect = subprocess.run([engine.docker, "image", "inspect", image], capture_output=True, text=True, check=True).stdout
    for secret in secrets:
        if secret in history:
            found.append(f"history: {secret}")
        if secret in inspect:
            found.append(f"inspect: {secret}")
    with tempfile.TemporaryDirectory() as tmp:
        archive = Path(tmp) / "image.tar"
        subprocess.run([engine.docker, "save", "-o", str(archive), image], check=True)
        found += _strings_in_archive(archive, [s.encode() for s in secrets])
    return found


def _strings_in_archive(archive: Path, needles: list[bytes]) -> list[str]:
    """Where any of ``needles`` appears in a saved image: any file of it, any file of a layer in it."""
    found: list[str] = []

    def scan(name: str, data: bytes) -> None:
        for needle in needles:
            if needle in data:
                found.append(f"{name}: {needle.decode()}")

    with tarfile.open(archive) as outer:
        for member in outer.getmembers():
            if not member.isfile():
                continue
            blob = outer.extractfile(member)
            assert blob is not None
            data = blob.read()
            scan(member.name, data)
            try:
                with tarfile.open(fileobj=io.BytesIO(data)) as layer:
                    for entry in layer.getmembers():
                        if entry.isfile():
                            content = layer.extractfile(entry)
                            if content is not None:
                                scan(f"{member.name}:{entry.name}", content.read())
            except tarfile.TarError:
                pass
    return found


def test_no_secret_reaches_the_image(engine: harness.Settings, frontend_image: str, find_links_server: int) -> None:
    nonce = uuid.uuid4().hex
    ca_marker = f"astro-pyenv-ca-marker-{nonce}"
    conf_password = f"pipconf-password-{nonce}"
    arg_password = f"buildarg-password-{nonce}"
    dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.13.5 env requirements.txt\n"
    with tempfile.TemporaryDirectory() as tmp:
        ca = Path(tmp) / "ca.pem"
        bundle = Path(engine.ca_bundle or "/etc/ssl/certs/ca-certificates.crt").read_text()
        # Text outside BEGIN/END blocks is ignored by TLS libraries: the bundle stays valid.
        ca.write_text(f"{ca_marker}\n{bundle}")
        conf = Path(tmp) / "pip.conf"
        conf.write_text(f"[global]\n# index credentials: user:{conf_password}\ntimeout = 60\n")
        extra = [
            "--secret", f"id=astro-pyenv-ca,src={ca}",
            "--secret", f"id=astro-pyenv-pip-conf,src={conf}",
        ]  # fmt: skip
        args = {"PIP_FIND_LINKS": f"http://user:{arg_password}@127.0.0.1:{find_links_server}/"}
        result = harness.build(
            dockerfile, {"requirements.txt": "six==1.16.0\n"}, args, extra_args=extra, secrets=False, settings=engine
        )
    try:
        assert result.ok, result.tail(120)
        image = result.image_id or ""
        run = harness.run_in_image(image, ["sh", "-c", '"$ASTRO_PYENV_env" -c "import six; print(six.__version__)"'])
        assert run.output.strip() == "1.16.0", run.output
        leaks = _strings_in_image(engine, image, [ca_marker, conf_password, arg_password])
        assert not leaks, leaks
    finally:
        _remove(engine, result.image_id)
