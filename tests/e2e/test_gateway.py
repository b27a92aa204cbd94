"""The frontend on a real engine: pass-through fidelity, options, inputs, error locations."""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

import harness

CONFIG_KEYS = ("Env", "Cmd", "Entrypoint", "Labels", "User", "WorkingDir", "ExposedPorts", "Volumes")


def _syntax(frontend_image: str) -> str:
    return f"# syntax={frontend_image}\n"


def _config(engine: harness.Settings, image: str) -> dict:
    out = subprocess.run([engine.docker, "image", "inspect", image], capture_output=True, text=True, check=True)
    config = json.loads(out.stdout)[0]["Config"]
    return {k: config.get(k) for k in CONFIG_KEYS}


def _files(run_in_image: Callable[..., harness.RunResult], image: str, root: str) -> str:
    ran = run_in_image(image, ["sh", "-c", f"cd {root} && find . | sort && find . -type f | sort | xargs sha256sum"])
    assert ran.exit_code == 0, ran.output
    return ran.output


def _docker_build(
    engine: harness.Settings, context: Path, args: Sequence[str], files: Mapping[str, str]
) -> harness.BuildResult:
    """docker build with a context laid out exactly as given (for -f / --build-context cases)."""
    for name, text in files.items():
        path = context / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    iid = context.parent / "iid"
    cmd = [engine.docker, "build", "--network", "host", "--progress", "plain", "--iidfile", str(iid), *args, str(context)]
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace",
                          env={**os.environ, "DOCKER_BUILDKIT": "1"}, check=False, timeout=600)
    image = iid.read_text().strip() if iid.exists() else None
    return harness.BuildResult(done.returncode, done.stdout, image or None)


PLAIN = """FROM {base}
ARG GREETING=hi
ENV APP_HOME=/app GREETING=${{GREETING}}
LABEL org.example.team="astro" org.example.kind=test
WORKDIR /app
COPY app/ /app/
COPY --chmod=0755 run.sh /usr/local/bin/run.sh
RUN echo built > /app/built.txt
USER 1000:1000
EXPOSE 8080
VOLUME /data
ENTRYPOINT ["/usr/local/bin/run.sh"]
CMD ["--serve"]
"""
PLAIN_FILES = {"app/main.py": "print('x')\n", "app/pkg/__init__.py": "", "run.sh": "#!/bin/sh\necho run\n"}


def test_pass_through_equals_plain_build(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    text = PLAIN.format(base=engine.python_base)
    plain = build(text, PLAIN_FILES, {"GREETING": "hello"})
    ours = build(_syntax(frontend_image) + text, PLAIN_FILES, {"GREETING": "hello"})
    assert plain.ok, plain.tail()
    assert ours.ok, ours.tail()
    assert _config(engine, ours.image_id) == _config(engine, plain.image_id)
    assert "GREETING=hello" in _config(engine, ours.image_id)["Env"]
    for root in ("/app", "/usr/local/bin"):
        assert _files(run_in_image, ours.image_id, root) == _files(run_in_image, plain.image_id, root)


def test_build_args_and_target(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
) -> None:
    text = _syntax(frontend_image) + (
        f"FROM {engine.python_base} AS first\nARG FOO\nENV STAGE=first FOO=${{FOO}}\n"
        f"FROM {engine.python_base} AS second\nENV STAGE=second\n"
    )
    result = build(text, build_args={"FOO": "bar"}, target="first")
    assert result.ok, result.tail()
    env = _config(engine, result.image_id)["Env"]
    assert "STAGE=first" in env and "FOO=bar" in env


def test_dockerignore_applies(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nCOPY . /ctx/\n"
    result = build(text, {".dockerignore": "secret.txt\n", "secret.txt": "s", "kept.txt": "k"})
    assert result.ok, result.tail()
    ran = run_in_image(result.image_id, ["ls", "/ctx"])
    assert "kept.txt" in ran.output.split() and "secret.txt" not in ran.output.split()


def test_custom_dockerfile_name_with_its_own_dockerignore(
    engine: harness.Settings, frontend_image: str, run_in_image: Callable[..., harness.RunResult],
) -> None:
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        ctx = Path(tmp) / "ctx"
        files = {
            "build/Build.Dockerfile": _syntax(frontend_image) + f"FROM {engine.python_base}\nENV WHICH=custom\nCOPY . /ctx/\n",
            "build/Build.Dockerfile.dockerignore": "only-for-default.txt\nbuild\n",
            ".dockerignore": "only-for-custom.txt\n",
            "only-for-default.txt": "d", "only-for-custom.txt": "c",
        }
        result = _docker_build(engine, ctx, ["-f", str(ctx / "build/Build.Dockerfile")], files)
        try:
            assert result.ok, result.tail()
            assert "WHICH=custom" in _config(engine, result.image_id)["Env"]
            listing = run_in_image(result.image_id, ["ls", "-A", "/ctx"]).output.split()
            assert "only-for-custom.txt" in listing and "only-for-default.txt" not in listing
        finally:
            if result.image_id:
                subprocess.run([engine.docker, "image", "rm", result.image_id], capture_output=True, check=False)


def test_named_build_context(
    engine: harness.Settings, frontend_image: str, run_in_image: Callable[..., harness.RunResult],
) -> None:
    with tempfile.TemporaryDirectory(prefix="astro-pyenv-e2e-") as tmp:
        extra = Path(tmp) / "extra"
        extra.mkdir()
        (extra / "hello.txt").write_text("from named context\n")
        ctx = Path(tmp) / "ctx"
        files = {"Dockerfile": _syntax(frontend_image) + f"FROM {engine.python_base}\nCOPY --from=extra hello.txt /hello.txt\n"}
        result = _docker_build(engine, ctx, ["--build-context", f"extra={extra}"], files)
        try:
            assert result.ok, result.tail()
            ran = run_in_image(result.image_id, ["cat", "/hello.txt"])
            assert ran.output.strip() == "from named context"
        finally:
            if result.image_id:
                subprocess.run([engine.docker, "image", "rm", result.image_id], capture_output=True, check=False)


def test_pyenv_error_points_at_users_line(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nENV A=1\nPYENV 3.12\nRUN true\n"
    result = build(text)
    assert not result.ok
    assert "Dockerfile:4" in result.log, result.tail()
    assert ">>> PYENV 3.12" in result.log, result.tail()
    assert "PYENV expects" in result.log, result.tail()


def test_dockerfile_v0_error_after_pyenv_maps_to_users_line(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nPYENV 3.12.3 py\nENV A=1\nFOOBAR x\n"
    result = build(text)
    assert not result.ok
    assert "Dockerfile:5" in result.log, result.tail()
    assert ">>> FOOBAR x" in result.log, result.tail()
    assert "line 5: unknown instruction: FOOBAR" in result.log, result.tail()


def test_failing_pip_install_points_at_the_pyenv_line(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
) -> None:
    """A failure inside generated stages is shown at the PYENV line that caused it."""
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nENV A=1\nPYENV 3.13.5 broken requirements/bad.txt\n"
    result = build(text, {"requirements/bad.txt": "astro-pyenv-no-such-package-here==0.0.1\n"})
    assert not result.ok
    assert "Dockerfile:4" in result.log, result.tail()
    assert ">>> PYENV 3.13.5 broken requirements/bad.txt" in result.log, result.tail()


def test_missing_requirements_file_points_at_the_pyenv_line(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
) -> None:
    text = _syntax(frontend_image) + f"FROM {engine.python_base}\nPYENV 3.13.5 env requirements/missing.txt\n"
    result = build(text)
    assert not result.ok
    assert "Dockerfile:3" in result.log, result.tail()
    assert ">>> PYENV 3.13.5 env requirements/missing.txt" in result.log, result.tail()


def test_frontend_image_shape(engine: harness.Settings, frontend_image: str) -> None:
    out = subprocess.run([engine.docker, "image", "inspect", frontend_image], capture_output=True, text=True, check=True)
    config = json.loads(out.stdout)[0]["Config"]
    labels = config["Labels"]
    assert labels["moby.buildkit.frontend.network.none"] == "true"
    caps = labels["moby.buildkit.frontend.caps"].split(",")
    assert {"moby.buildkit.frontend.inputs", "moby.buildkit.frontend.subrequests", "moby.buildkit.frontend.contexts"} <= set(caps)
    assert config["User"] not in ("", "0", "root")
    assert config["Entrypoint"][-2:] == ["-m", "astro_pyenv_frontend"]


def test_unchanged_dockerfile_with_heredoc_and_comments(
    engine: harness.Settings, frontend_image: str, build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    text = _syntax(frontend_image) + (
        f"FROM {engine.python_base}\n# a comment \\\nRUN <<EOF\necho 'a  b' > /h.txt\nEOF\n"
    )
    result = build(text)
    assert result.ok, result.tail()
    assert run_in_image(result.image_id, ["cat", "/h.txt"]).output == "a  b\n"
