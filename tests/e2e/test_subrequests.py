"""Subrequests and PYENV checks on a real engine: what `docker buildx build --call=...` / `--check`
and `docker build` show for a Dockerfile with PYENV lines.

buildx 0.15+ spells them ``--call=targets`` and ``--check``; older buildx (0.13, Debian's) has
``--print=targets`` and ``--print=lint`` behind ``BUILDX_EXPERIMENTAL=1``: the tests use what the
host's buildx has.  No PYENV work is built here (subrequests build nothing; the builds fail on
purpose at a ``RUN exit 3`` above the PYENV line, after the frontend has sent its warnings).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import pytest

from astro_pyenv_frontend.project import doc_url
from astro_pyenv_frontend.versions import load_bundled_versions, resolve_version

from . import harness

TIMEOUT = 600
BASE_PYTHON = resolve_version("3.12", load_bundled_versions())  # what PYENV 3.12 becomes


@pytest.fixture(scope="module")
def python_base(engine: harness.Settings) -> Iterator[str]:
    """The python base image with ``PYTHON_VERSION`` in its config, as the real python images have
    (the offline stand-in lacks it)."""
    tag = f"local/astro-pyenv-e2e-python-version:{uuid.uuid4().hex[:8]}"
    done = subprocess.run(
        [engine.docker, "build", "--network", "host", "-q", "-t", tag, "-"],
        input=f"FROM {engine.python_base}\nENV PYTHON_VERSION={BASE_PYTHON}\n", text=True,
        capture_output=True, timeout=TIMEOUT, check=False, env={**os.environ, "DOCKER_BUILDKIT": "1"},
    )
    assert done.returncode == 0, done.stderr
    yield tag
    subprocess.run([engine.docker, "image", "rm", tag], capture_output=True, check=False)


def _new_buildx(engine: harness.Settings) -> bool:
    done = subprocess.run([engine.docker, "buildx", "build", "--help"], capture_output=True, text=True, check=False)
    return "--call" in done.stdout


def _engine_has_checks(engine: harness.Settings) -> bool:
    """Docker 27+ (BuildKit 0.14+): its Dockerfile frontend answers ``frontend.lint`` itself."""
    version = harness.engine_version(engine) or "0"
    return int(version.split(".", 1)[0]) >= 27


def _call(
    engine: harness.Settings, frontend_image: str, dockerfile: str, request: str,
    files: Mapping[str, str] | None = None, args: Sequence[str] = (),
) -> subprocess.CompletedProcess[str]:
    """``docker buildx build`` with the subrequest ``request`` (targets, outline, check, ...)."""
    env = {**os.environ, "DOCKER_BUILDKIT": "1"}
    name, _, fmt = request.partition(",")
    if _new_buildx(engine):
        flag = f"--call={request}"
    else:
        env["BUILDX_EXPERIMENTAL"] = "1"
        flag = f"--print={'lint' if name == 'check' else name}{',' + fmt if fmt else ''}"
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(f"# syntax={frontend_image}\n{dockerfile}")
        for path, text in (files or {}).items():
            (context / path).write_text(text)
        return subprocess.run(
            [engine.docker, "buildx", "build", "--network", "host", flag, *args, str(context)],
            capture_output=True, text=True, timeout=TIMEOUT, check=False, env=env,
        )


DOCKERFILE = """\
ARG BASE={base}

# base The image every stage starts from
FROM ${{BASE}} AS base
ARG PYVER=3.12
PYENV ${{PYVER}} same requirements.txt

FROM base
ARG GREETING=hi
PYENV 3.13 modern
CMD python -c 'print(1)'
"""


def _dockerfile(base: str) -> str:
    return DOCKERFILE.format(base=base)


def test_targets_are_the_users_stages(engine: harness.Settings, frontend_image: str) -> None:
    text = _dockerfile(engine.python_base)
    done = _call(engine, frontend_image, text, "targets,format=json", {"requirements.txt": "requests\n"})
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    targets = [(t.get("name", ""), t.get("default", False), t.get("description", "")) for t in answer["targets"]]
    assert targets == [("base", False, "The image every stage starts from"), ("", True, "")]
    # Lines and the quoted file are the user's (line 1 is the # syntax line).
    assert answer["targets"][0]["location"]["ranges"][0]["start"]["line"] == 5
    assert base64.b64decode(answer["sources"][0]).decode().endswith(text)


def test_outline_lists_the_users_args_at_their_lines(engine: harness.Settings, frontend_image: str) -> None:
    text = _dockerfile(engine.python_base)
    done = _call(engine, frontend_image, text, "outline,format=json", {"requirements.txt": "requests\n"},
                 ["--target", "base"])
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["name"] == "base"
    args = {a["name"]: (a.get("value"), a["location"]["ranges"][0]["start"]["line"]) for a in answer["args"]}
    # PYVER is used by the PYENV line; the PIP_* and python-build args of generated stages are not shown.
    assert args == {"BASE": (engine.python_base, 2), "PYVER": ("3.12", 6)}


def test_check_reports_pyenv_rules_at_the_users_line(
    engine: harness.Settings, frontend_image: str, python_base: str
) -> None:
    done = _call(engine, frontend_image, _dockerfile(python_base), "check", {"requirements.txt": "requests\n"})
    out = done.stdout + done.stderr
    assert "WARNING: PyenvSameAsBasePython" in out, out
    assert f"already has Python {BASE_PYTHON}" in out
    assert "WARNING: PyenvUnpinnedRequirements" in out
    assert "   7 | >>> PYENV ${PYVER} same requirements.txt" in out
    if _engine_has_checks(engine):
        assert "WARNING: JSONArgsRecommended" in out  # BuildKit's own rule, at the user's CMD line
        assert "  12 | >>> CMD python -c 'print(1)'" in out
    skipped = _call(engine, frontend_image, "# check=skip=PyenvSameAsBasePython\n" + _dockerfile(python_base),
                    "check", {"requirements.txt": "requests==2.32.3\n"})
    assert "WARNING: Pyenv" not in skipped.stdout + skipped.stderr


def _build(engine: harness.Settings, frontend_image: str, dockerfile: str, args: Sequence[str] = ()) -> str:
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(f"# syntax={frontend_image}\n{dockerfile}")
        (context / "requirements.txt").write_text("requests\n")
        done = subprocess.run(
            [engine.docker, "--debug", "build", "--network", "host", "--progress", "plain", *args, str(context)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT, check=False,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )
    assert done.returncode != 0  # RUN exit 3, or error=true
    return done.stdout


def test_a_build_shows_the_pyenv_warnings_and_error_true_fails_it(
    engine: harness.Settings, frontend_image: str, python_base: str
) -> None:
    text = f"FROM {python_base}\nRUN exit 3\nPYENV 3.12 same requirements.txt\n"
    log = _build(engine, frontend_image, text)
    warnings = log[log.find("2 warnings found"):]
    assert "2 warnings found" in log, log[-3000:]
    assert f"PyenvSameAsBasePython: PYENV {BASE_PYTHON} same:" in warnings and "(line 4)" in warnings
    assert f"More info: {doc_url('checks.md', 'pyenvunpinnedrequirements')}" in warnings
    assert "   4 | >>> PYENV 3.12 same requirements.txt" in warnings

    failed = _build(engine, frontend_image, text, ["--build-arg", "BUILDKIT_DOCKERFILE_CHECK=error=true"])
    assert "lint violation found for rules: PyenvSameAsBasePython, PyenvUnpinnedRequirements" in failed
    assert "exit code: 3" not in failed  # stopped before the build ran

    quiet = _build(engine, frontend_image, "# check=skip=all\n" + text)
    assert "warnings found" not in quiet


# -- issue 22 ------------------------------------------------------------------------------


def test_the_view_splits_lines_as_buildkit_does(engine: harness.Settings, frontend_image: str) -> None:
    """Item 5: a U+2028 or form feed inside a line is no line end; the view handed to BuildKit for
    --call keeps every later line where it is (it shifted them, and BuildKit saw a bare PYENV)."""
    text = (
        f"FROM {engine.python_base} AS base\nLABEL note=\"a\u2028b\" other=\"c\x0cd\"\nPYENV 3.12 a\n"
        "FROM base AS final\nRUN true\n"
    )
    done = _call(engine, frontend_image, text, "targets,format=json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    located = {t.get("name"): t["location"]["ranges"][0]["start"]["line"] for t in answer["targets"]}
    assert located == {"base": 2, "final": 5}  # line 1 is the # syntax line


def test_a_syntax_line_naming_buildkits_frontend_is_said_at_the_pyenv_line(
    engine: harness.Settings, frontend_image: str
) -> None:
    """Item 8: such a file reaches astro-pyenv only through BUILDKIT_SYNTAX; the build says, at the
    PYENV line, that one without that build arg fails there."""
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        context = Path(tmp)
        (context / "Dockerfile").write_text(
            f"# syntax=docker/dockerfile:1\nFROM {engine.python_base}\nRUN exit 3\nPYENV 3.12 a\n"
        )
        done = subprocess.run(
            [engine.docker, "--debug", "build", "--network", "host", "--progress", "plain",
             "--build-arg", f"BUILDKIT_SYNTAX={frontend_image}", str(context)],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=TIMEOUT, check=False,
            env={**os.environ, "DOCKER_BUILDKIT": "1"},
        )  # fmt: skip
    assert done.returncode != 0 and "exit code: 3" in done.stdout, done.stdout[-3000:]
    warnings = done.stdout[done.stdout.find("warning found"):]
    assert "# syntax=docker/dockerfile:1 (line 1) names BuildKit's Dockerfile frontend" in warnings, done.stdout[-3000:]
    assert "   4 | >>> PYENV 3.12 a" in warnings
