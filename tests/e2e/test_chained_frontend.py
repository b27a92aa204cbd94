"""``# astro-pyenv-syntax=`` / ``ASTRO_PYENV_SYNTAX``: the generated Dockerfile goes to the
Dockerfile frontend image the user names instead of the engine's built-in one.

docker/dockerfile cannot be pulled here, so the chained image is a stand-in built for the test
(tests/e2e/chained_frontend: a real gateway frontend that hands the build to dockerfile.v0 and
labels the image config with its cmdline), pushed to the local registry and named by digest.
Protects: the build goes through the named image (its label), PYENV work and the user's lines
build, errors still point at the user's lines, an unknown image fails at the directive's line,
the build arg wins over the directive, and without either nothing changes.
"""

from __future__ import annotations

import json
import subprocess
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from . import harness

REPOSITORY = "astro-pyenv-test/chained-frontend"
MARK_LABEL = "astro-pyenv.test.chained-frontend"
STAND_IN = harness.REPO_ROOT / "tests" / "e2e" / "chained_frontend"


def _docker(engine: harness.Settings, *args: str) -> str:
    done = subprocess.run([engine.docker, *args], capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 0, f"docker {' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout.strip()


@pytest.fixture(scope="module")
def chained(engine: harness.Settings, registry: str, frontend_image: str) -> Iterator[str]:
    """``<registry>/astro-pyenv-test/chained-frontend@sha256:...`` of the stand-in, pushed."""
    repo = f"{registry}/{REPOSITORY}"
    tag = f"{repo}:e2e-{uuid.uuid4().hex[:12]}"
    _docker(engine, "build", "--network", "host", "--quiet", "--build-arg", f"FRONTEND_IMAGE={frontend_image}",
            "-t", tag, str(STAND_IN))  # fmt: skip
    try:
        _docker(engine, "push", "--quiet", tag)
        digests = _docker(engine, "image", "inspect", "-f", "{{range .RepoDigests}}{{println .}}{{end}}", tag)
        reference = next(line for line in digests.splitlines() if line.startswith(f"{repo}@"))
    finally:
        _docker(engine, "image", "rm", tag)
    try:
        yield reference
    finally:
        digest = reference.split("@", 1)[1]
        request = urllib.request.Request(f"http://{registry}/v2/{REPOSITORY}/manifests/{digest}", method="DELETE")
        urllib.request.urlopen(request, timeout=10).close()


def _labels(engine: harness.Settings, image: str) -> dict[str, str]:
    return json.loads(_docker(engine, "image", "inspect", "-f", "{{json .Config.Labels}}", image)) or {}


def _dockerfile(frontend_image: str, base: str, directive: str, last_line: str = "RUN echo user-line > /user-line") -> str:
    return f"# syntax={frontend_image}\n{directive}FROM {base}\nPYENV 3.13.5 modern\n{last_line}\n"


def test_the_named_frontend_builds_the_pyenv_work_and_the_users_lines(
    engine: harness.Settings,
    frontend_image: str,
    chained: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
    tmp_path: Path,
) -> None:
    """Build arg, secret, named build context and --target all reach the named frontend."""
    nonce = uuid.uuid4().hex
    (tmp_path / "secret").write_text(nonce)
    (tmp_path / "extra").mkdir()
    (tmp_path / "extra" / "from-context").write_text(nonce)
    dockerfile = _dockerfile(
        frontend_image, engine.python_base, f"# astro-pyenv-syntax={chained}\n",
        "ARG NONCE\nCOPY --from=extra /from-context /from-context\n"
        'RUN --mount=type=secret,id=chain-secret,required=true test "$(cat /run/secrets/chain-secret)" = "$NONCE"'
        ' && echo "user-line $NONCE" > /user-line\n'
        f"FROM {engine.python_base} AS not-the-target\nRUN exit 3",
    ).replace(f"FROM {engine.python_base}\n", f"FROM {engine.python_base} AS final\n", 1)
    result = build(
        dockerfile, build_args={"NONCE": nonce}, target="final",
        extra_args=["--secret", f"id=chain-secret,src={tmp_path / 'secret'}",
                    "--build-context", f"extra={tmp_path / 'extra'}"],
    )  # fmt: skip
    assert result.ok, result.tail(80)
    assert result.image_id
    assert _labels(engine, result.image_id).get(MARK_LABEL) == chained  # it went through the named image
    command = 'cat /user-line /from-context && "$ASTRO_PYENV_modern" -c "import sys; print(sys.version)"'
    ran = run_in_image(result.image_id, ["sh", "-c", command])
    assert ran.exit_code == 0, ran.output
    assert f"user-line {nonce}" in ran.output and "3.13.5" in ran.output, ran.output


def test_a_failing_user_line_is_reported_at_that_line(
    engine: harness.Settings, frontend_image: str, chained: str, build: Callable[..., harness.BuildResult]
) -> None:
    result = build(_dockerfile(frontend_image, engine.python_base, f"# astro-pyenv-syntax={chained}\n", "RUN exit 7"))
    assert not result.ok
    assert "Dockerfile:5" in result.log and ">>> RUN exit 7" in result.log, result.tail(40)


def test_an_image_that_does_not_exist_fails_at_the_directive_line(
    engine: harness.Settings, frontend_image: str, registry: str, build: Callable[..., harness.BuildResult]
) -> None:
    missing = f"{registry}/{REPOSITORY}:does-not-exist"
    result = build(_dockerfile(frontend_image, engine.python_base, f"# astro-pyenv-syntax={missing}\n"))
    assert not result.ok
    assert "Dockerfile:2" in result.log and f">>> # astro-pyenv-syntax={missing}" in result.log, result.tail(40)
    assert f"the Dockerfile frontend named by # astro-pyenv-syntax={missing} (line 2) failed" in result.log


def test_the_build_arg_wins_also_without_pyenv_lines(
    engine: harness.Settings, frontend_image: str, registry: str, chained: str,
    build: Callable[..., harness.BuildResult],
) -> None:  # fmt: skip
    missing = f"{registry}/{REPOSITORY}:does-not-exist"
    dockerfile = f"# syntax={frontend_image}\n# astro-pyenv-syntax={missing}\nFROM {engine.python_base}\nRUN true\n"
    result = build(dockerfile, build_args={"ASTRO_PYENV_SYNTAX": chained})
    assert result.ok, result.tail(40)
    assert result.image_id and _labels(engine, result.image_id).get(MARK_LABEL) == chained


def test_without_the_directive_the_builtin_frontend_builds(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult]
) -> None:
    result = build(_dockerfile(frontend_image, engine.python_base, ""))
    assert result.ok, result.tail(80)
    assert result.image_id and MARK_LABEL not in _labels(engine, result.image_id)
