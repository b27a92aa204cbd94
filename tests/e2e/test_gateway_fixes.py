"""The gateway on a real engine for issues 10.7, 10.8, 10.14 and 11.4.

Most builds here fail on purpose, fast: a ``RUN exit 3`` above the PYENV lines ends the build
before any CPython compile, after the frontend has done its part.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import pytest

from . import harness

TIMEOUT = 1800


def _syntax(frontend_image: str) -> bytes:
    return f"# syntax={frontend_image}\n".encode()


def _command(engine: harness.Settings, context: Path, args: Sequence[str] = (), debug: bool = False) -> list[str]:
    cmd = [engine.docker, *(["--debug"] if debug else []), "build", "--network", "host", "--progress", "plain"]
    if engine.mirror_url:
        cmd += ["--build-arg", f"PYTHON_BUILD_MIRROR_URL={engine.mirror_url}"]
    if engine.ca_bundle:
        cmd += ["--secret", f"id={harness.CA_SECRET_ID},src={engine.ca_bundle}"]
    return [*cmd, "--iidfile", str(context.parent / "iid"), *args, str(context)]


def _write(context: Path, dockerfile: bytes, files: Mapping[str, str]) -> None:
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_bytes(dockerfile)
    for name, text in files.items():
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        (context / name).write_text(text)


def _build(
    engine: harness.Settings, dockerfile: bytes, files: Mapping[str, str] | None = None,
    args: Sequence[str] = (), debug: bool = False,
) -> harness.BuildResult:
    """docker build of exactly these Dockerfile bytes (harness.build writes text)."""
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp) / "context"
        _write(context, dockerfile, files or {})
        done = subprocess.run(
            _command(engine, context, args, debug), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, text=True, errors="replace", timeout=TIMEOUT, check=False,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
        iid = context.parent / "iid"
        image = iid.read_text().strip() if iid.exists() else None
    if image:
        subprocess.run([engine.docker, "image", "rm", image], capture_output=True, check=False)
    return harness.BuildResult(done.returncode, done.stdout, image or None)


def _located(log: str, line: int, text: str) -> bool:
    """BuildKit's snippet points at ``line`` of the user's Dockerfile, showing ``text`` there."""
    return f"Dockerfile:{line}\n" in log and f"{line:>4} | >>> {text}" in log


# -- issue 10.7: large error details -------------------------------------------------------


def test_failure_among_thirty_pyenv_lines_is_shown_at_a_pyenv_line(
    engine: harness.Settings, frontend_image: str
) -> None:
    """30 PYENV lines make the generated Dockerfile, and so the error's details, ~50 KiB.

    One stage each: only the last (the target) is built, so the failing line is known.  (Many
    PYENV lines in one stage, split by other lines, make dockerfile.v0's conversion slow: 20
    groups take ~26 s here, 30 over two minutes; a layout matter left to the planner.)
    """
    user_lines = []
    for n in range(30):
        user_lines += [f"FROM {engine.python_base} AS s{n}", f"PYENV 3.13.5 env{n} requirements/bad.txt"]
    text = _syntax(frontend_image) + ("\n".join(user_lines) + "\n").encode()
    # pip rejects this line at once, without asking an index.
    result = _build(engine, text, {"requirements/bad.txt": "this is not a requirement !!\n"})
    assert not result.ok
    assert "metadata size" not in result.log, result.tail()
    assert _located(result.log, 61, "PYENV 3.13.5 env29 requirements/bad.txt"), result.tail()
    assert "did not complete successfully: exit code: 1" in result.log.splitlines()[-1], result.tail()


# -- issue 10.8: one clear sentence at the right line --------------------------------------


def test_form_feed_indented_pyenv_line_is_converted(engine: harness.Settings, frontend_image: str) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nRUN exit 3\n\fPYENV 3.13.5 py\n".encode()
    result = _build(engine, text)
    assert not result.ok
    assert "[internal] astro-pyenv: generated Dockerfile" in result.log, result.tail()
    assert "unknown instruction" not in result.log, result.tail()
    assert _located(result.log, 3, "RUN exit 3"), result.tail()


def test_form_feed_indented_bad_pyenv_line_is_reported_at_its_line(
    engine: harness.Settings, frontend_image: str
) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\n\fPYENV 3.13.5\n".encode()
    result = _build(engine, text)
    assert not result.ok
    assert "Dockerfile:3\n" in result.log, result.tail()
    assert "PYENV expects <python-version> <name> [<requirements-file>], got 1 argument" in result.log


def test_invalid_utf8_with_pyenv_is_reported_at_its_line(engine: harness.Settings, frontend_image: str) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\n# caf\xe9\nPYENV 3.13.5 py\n".encode("latin-1")
    result = _build(engine, text)
    assert not result.ok
    assert "Dockerfile:3\n" in result.log, result.tail()
    assert "line 3 is not valid UTF-8 (byte 0xe9 at column 6); save the Dockerfile as UTF-8 to use PYENV" in result.log
    assert "UnicodeEncodeError" not in result.log


def test_invalid_utf8_without_pyenv_builds_as_before(engine: harness.Settings, frontend_image: str) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\n# caf\xe9\nRUN echo ok\n".encode("latin-1")
    result = _build(engine, text)
    assert result.ok, result.tail()


def test_too_long_pyenv_name_is_reported_at_its_line(engine: harness.Settings, frontend_image: str) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nPYENV 3.13.5 {'n' * 240}\n".encode()
    result = _build(engine, text)
    assert not result.ok
    assert "Dockerfile:3\n" in result.log, result.tail()
    assert "is 240 characters long; use at most 128" in result.log, result.tail()
    assert "invalid context name" not in result.log


@pytest.mark.parametrize(("stage", "name"), [("b" * 240, "py"), ("app", "py_")], ids=["long-stage", "name-ending-in-_"])
def test_generated_stage_names_are_accepted(
    engine: harness.Settings, frontend_image: str, stage: str, name: str
) -> None:
    """240 characters are fine for this BuildKit (it allows 247), 240 + "-pyenv-0" were not; nor was "pyenv-venv-py_"."""
    text = _syntax(frontend_image) + f"FROM {engine.python_base} AS {stage}\nRUN exit 3\nPYENV 3.13.5 {name}\n".encode()
    result = _build(engine, text)
    assert not result.ok
    assert "invalid context name" not in result.log, result.tail()
    assert _located(result.log, 3, "RUN exit 3"), result.tail()


def _big(size: int) -> bytes:
    line = b"# padding, so that this Dockerfile is larger than a gRPC message may be\n"
    return line * (size // len(line))


def test_large_dockerfile_without_pyenv_builds(
    engine: harness.Settings, frontend_image: str, run_in_image: Callable[..., harness.RunResult]
) -> None:
    """2.5 MiB: a plain build works; ours failed ("received message larger than max")."""
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\n".encode() + _big((5 << 20) // 2)
    text += b"LABEL org.example.big=yes\n"
    tag = f"astro-pyenv-e2e/big:{uuid.uuid4().hex[:8]}"
    made = _build_tagged(engine, text, tag)
    try:
        assert made.returncode == 0, made.stdout[-3000:]
        out = subprocess.run([engine.docker, "image", "inspect", tag], capture_output=True, text=True, check=True)
        assert json.loads(out.stdout)[0]["Config"]["Labels"]["org.example.big"] == "yes"
    finally:
        subprocess.run([engine.docker, "image", "rm", tag], capture_output=True, check=False)


def test_dockerfile_over_4_mib_without_pyenv_fails_as_a_plain_build_does(
    engine: harness.Settings, frontend_image: str
) -> None:
    """Over 4 MiB docker's own BuildKit client gives up on the result (buildx 0.13; buildx 0.29
    takes it): with us the build ends as the plain one does."""
    body = f"FROM {engine.python_base}\n".encode() + _big(5 << 20) + b"LABEL org.example.big=yes\n"

    def build_once_more_if_canceled(text: bytes) -> harness.BuildResult:
        # Under load docker's client sometimes cancels such a build before it reads the result
        # ("failed to solve: Canceled: context canceled", seen in CI, without our frontend too).
        result = _build(engine, text)
        return _build(engine, text) if "Canceled: context canceled" in result.log else result

    plain = build_once_more_if_canceled(body)
    ours = build_once_more_if_canceled(_syntax(frontend_image) + body)
    assert ours.ok == plain.ok, f"plain:\n{plain.tail()}\nours:\n{ours.tail()}"
    if not plain.ok:
        assert "received message larger than max" in plain.log, plain.tail()
        assert "received message larger than max" in ours.log, ours.tail()
        assert "astro-pyenv" not in ours.log.splitlines()[-1]


def test_large_dockerfile_with_pyenv_is_one_clear_error(engine: harness.Settings, frontend_image: str) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\n".encode() + _big((5 << 20) // 2)
    result = _build(engine, text + b"PYENV 3.13.5 py\n")
    assert not result.ok
    assert (
        "failed to solve: this Dockerfile with its PYENV lines converted is 2.5 MiB, more than the 1.9 MiB"
        " astro-pyenv can hand on"
    ) in result.log, result.tail()
    assert "larger than max" not in result.log


def test_base_without_etc_passwd_is_explained_at_the_pyenv_line(
    engine: harness.Settings, frontend_image: str
) -> None:
    base = f"astro-pyenv-e2e/no-passwd:{uuid.uuid4().hex[:8]}"
    made = _build_tagged(engine, f"FROM {engine.python_base}\nRUN rm /etc/passwd\n".encode(), base)
    assert made.returncode == 0, made.stdout[-3000:]
    try:
        # The compile is what needs root; a prebuilt interpreter would need no user lookup at all.
        text = _syntax(frontend_image) + f"ARG ASTRO_PYENV_PREBUILT=off\nFROM {base}\nENV A=1\nPYENV 3.13.5 py\n".encode()
        result = _build(engine, text)
        assert not result.ok
        assert _located(result.log, 5, "PYENV 3.13.5 py"), result.tail()
        assert (
            "failed to solve: PYENV compiles Python as user root, but the base image has no root entry in"
            " /etc/passwd (or no /etc/passwd at all); build on an image that has one"
        ) in result.log, result.tail()
    finally:
        subprocess.run([engine.docker, "image", "rm", base], capture_output=True, check=False)


def _build_tagged(engine: harness.Settings, dockerfile: bytes, tag: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp) / "context"
        _write(context, dockerfile, {})
        return subprocess.run(_command(engine, context, ["-t", tag]), stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT, check=False)


# -- issue 10.14: warning at a FROM of an Astro Runtime -base image ------------------------


def test_runtime_base_image_under_pyenv_warns_at_the_from_line(engine: harness.Settings, frontend_image: str) -> None:
    base = engine.runtime_base_image
    text = _syntax(frontend_image) + f"FROM {base}\nRUN exit 3\nPYENV 3.13.5 py\n".encode()
    result = _build(engine, text, debug=True)  # --debug: the warning's snippet, with the line
    assert not result.ok
    message = (
        f"{base} has no Astro project steps, so this image gets no packages.txt, requirements.txt or project"
        f" files; write FROM {engine.runtime_image} and astro-pyenv adds those steps after the PYENV work"
    )
    warning = result.log[result.log.find("1 warning found"):]
    assert "1 warning found" in result.log and message in warning, result.tail()
    assert _located(warning, 2, f"FROM {base}"), result.tail()


# -- issue 11.4: the frontend does not run as root -----------------------------------------


def _frontend_processes(probe: str) -> list[int]:
    """Pids of our frontend processes whose options carry ``probe`` (other builds may run too)."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            if b"astro_pyenv_frontend" not in cmdline:
                continue
            if probe.encode() in (entry / "environ").read_bytes():
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


def _ids(pid: int) -> dict[str, list[int]]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("Uid", "Gid", "Groups"):
            fields[key] = [int(v) for v in value.split()]
    return fields


@pytest.mark.skipif(os.geteuid() != 0, reason="reading another user's /proc/<pid>/environ needs root")
def test_frontend_process_runs_unprivileged(engine: harness.Settings, frontend_image: str) -> None:
    """During a real build, the frontend process on the host has non-zero real/effective/saved ids.

    The build's RUN step waits (at most 60 s) for a TCP connection to a port this test opens
    once it has read the ids, so the frontend is alive while we look and the build ends soon after.
    The ids are read while that step runs.
    """
    import socket

    probe = f"astro-pyenv-uid-probe-{uuid.uuid4().hex}"
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    wait = (
        "import socket, time\n"
        "start = time.time()\n"
        "while time.time() - start < 60:\n"
        "    try:\n"
        f"        socket.create_connection(('127.0.0.1', {port}), 1).recv(1)\n"
        "        break\n"
        "    except OSError:\n"
        "        time.sleep(0.5)\n"
    )
    text = _syntax(frontend_image) + (
        f"FROM {engine.python_base}\nCOPY wait.py /wait.py\nRUN python3 /wait.py; exit 3\nPYENV 3.13.5 py\n"
    ).encode()
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp) / "context"
        _write(context, text, {"wait.py": wait})
        proc = subprocess.Popen(
            _command(engine, context, ["--build-arg", f"ASTRO_PYENV_PROBE={probe}"]),
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
        )
        log: list[str] = []
        reader = threading.Thread(target=lambda: log.extend(proc.stdout or ()), daemon=True)
        reader.start()
        try:
            ids: dict[str, list[int]] = {}
            deadline = time.time() + 120
            # Read once the RUN step runs: the frontend has long since read the Dockerfile (what
            # it must do unprivileged) and waits for the solve.  Read earlier, a loaded machine
            # can show the process in the moment between its start as root and the drop.
            while time.time() < deadline and not ids and proc.poll() is None:
                if "python3 /wait.py" in "".join(log):
                    for pid in _frontend_processes(probe):
                        try:
                            ids = _ids(pid)
                        except OSError:  # gone meanwhile
                            continue
                time.sleep(0.2)
            listener.listen(1)
            listener.settimeout(60)
            conn, _ = listener.accept()  # lets the RUN step end
            conn.close()
            proc.wait(timeout=120)
        finally:
            listener.close()
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        reader.join(10)
    assert ids, "no frontend process found during the build:\n" + "".join(log)[-3000:]
    assert ids["Uid"] == [10001] * 4 and ids["Gid"] == [10001] * 4, ids
    assert ids["Groups"] == [], ids
    assert "exit code: 3" in "".join(log), "".join(log)[-3000:]
