"""`interpreter-dockerfile`: the prebuilt interpreter image's Dockerfile uses the transform's stages."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend import layout, render
from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.interpreter_image import LABEL_ARGS, LABEL_PREFIX, interpreter_dockerfile
from astro_pyenv_frontend.transform import TransformOptions, transform
from astro_pyenv_frontend.versions import load_bundled_versions

KNOWN = load_bundled_versions()
BASE = "debian:bookworm-slim"
FRONTEND = "registry.example/astro-pyenv-frontend:1"


def _stages(text: str) -> list[str]:
    return re.findall(r"^FROM (?:--platform=\S+ )?\S+ AS (\S+)$", text, flags=re.MULTILINE)


def test_stages_are_the_transforms_tools_and_interpreter_stages_then_scratch() -> None:
    text = interpreter_dockerfile("3.9.2", BASE, FRONTEND, KNOWN)
    tools = render.tools_stage(FRONTEND, layout.TOOLS_STAGE)
    interpreter = render.interpreter_stage(
        esc="\\",
        version="3.9.2",
        base_image=BASE,
        base_image_text=BASE,
        platform_flag="--platform=$BUILDPLATFORM ",
        stage=f"{layout.INTERPRETER_STAGE_PREFIX}3.9.2-amd64",
        tools_stage=layout.TOOLS_STAGE,
        portable=True,
    )
    assert tools in text and interpreter in text
    assert _stages(text) == ["pyenv-tools", "pyenv-python-3.9.2-amd64", "pyenv-python-3.9.2", "interpreter"]
    assert "FROM pyenv-python-3.9.2-${TARGETARCH} AS pyenv-python-3.9.2\n" in text
    assert "FROM scratch AS interpreter\n" in text
    assert "TARGETARCH" not in interpreter  # the build platform's compile is no cross-compile


def test_another_architecture_is_cross_compiled_with_the_build_platform_s_interpreter() -> None:
    """One Dockerfile for every platform of the index: the arm64 image's stage runs on the amd64
    engine, with TARGETARCH, and mounts the amd64 interpreter of the same version (the layer cache
    has it from the amd64 image's build) as the Python the cross build runs."""
    text = interpreter_dockerfile("3.13.5", BASE, FRONTEND, KNOWN, build_arch="amd64", target_archs=["amd64", "arm64"])
    assert _stages(text) == [
        "pyenv-tools", "pyenv-python-3.13.5-amd64", "pyenv-python-3.13.5-arm64", "pyenv-python-3.13.5", "interpreter"
    ]  # fmt: skip
    cross = text[text.index("AS pyenv-python-3.13.5-arm64") : text.index("AS pyenv-python-3.13.5\n")]
    assert cross.startswith("AS pyenv-python-3.13.5-arm64\nUSER root\nRUN ") and " TARGETARCH\n" in cross
    # The build dependencies come first, with no build argument in scope: the amd64 stage's step.
    prepare = cross[: cross.index("\nARG ")]
    assert prepare.count("RUN ") == 1 and "prepare-build.sh" in prepare
    mount = "--mount=type=bind,from=pyenv-python-3.13.5-amd64,source=/opt/astro-pyenv/python/3.13.5,target=/tmp/astro-pyenv-build-python"
    assert mount in cross
    assert '"--portable", "3.13.5"]' in cross
    with pytest.raises(ValueError):
        interpreter_dockerfile("3.13.5", BASE, FRONTEND, KNOWN, target_archs=["arm64 ; RUN x"])


def test_interpreter_stage_is_a_pyenv_lines_that_carries_its_libraries() -> None:
    """The compile step is the one a PYENV line on that base makes, but --portable (the image
    carries the libraries it links, so it serves other bases too), on the engine's own platform."""
    generated = transform(
        f"FROM {BASE}\nPYENV 3.13.5 e\n", TransformOptions(frontend_image=FRONTEND, known_versions=KNOWN)
    ).dockerfile
    text = interpreter_dockerfile("3.13.5", BASE, FRONTEND, KNOWN)
    tools_start = generated.index("# astro-pyenv: pyenv and build scripts")
    tools_end = generated.index(" AS pyenv-tools\n") + len(" AS pyenv-tools\n")
    compile_start = generated.index("# astro-pyenv: CPython 3.13.5 compiled")
    compile_end = generated.index('"3.13.5"]\n') + len('"3.13.5"]\n')
    assert generated[tools_start:tools_end] in text
    compile_stage = generated[compile_start:compile_end]
    args = re.search(r"^ARG .*$", compile_stage, re.MULTILINE)
    assert args
    portable = (
        compile_stage.replace('"3.13.5"]\n', '"--portable", "3.13.5"]\n')
        .replace(f"FROM {BASE} AS pyenv-python-3.13.5", f"FROM --platform=$BUILDPLATFORM {BASE} AS pyenv-python-3.13.5-amd64")
    )
    assert portable in text
    assert '"--portable"' not in generated
    # Only a PYENV line's venvs need the stage that digests their secrets.
    assert "secrets-digest" not in text


def test_final_stage_copies_the_root_and_labels_from_args() -> None:
    text = interpreter_dockerfile("3.13.5", BASE, FRONTEND, KNOWN)
    final = text[text.index("FROM scratch AS interpreter") :]
    assert f"COPY --from=pyenv-python-3.13.5 {layout.ROOT}/ {layout.ROOT}/\n" in final
    args = [arg for _, arg in LABEL_ARGS]
    assert f"ARG {' '.join(args)}\n" in final
    labels = dict(re.findall(r'(org\.astro-pyenv\.interpreter\.[a-z0-9-]+)="([^"]*)"', final))
    assert labels == {
        f"{LABEL_PREFIX}version": "3.13.5",
        f"{LABEL_PREFIX}recipe": "${INTERPRETER_RECIPE}",
        f"{LABEL_PREFIX}build": "${INTERPRETER_BUILD}",
        f"{LABEL_PREFIX}os": "${INTERPRETER_OS}",
        f"{LABEL_PREFIX}libc": "${INTERPRETER_LIBC}",
        f"{LABEL_PREFIX}pyenv-commit": "${INTERPRETER_PYENV_COMMIT}",
        f"{LABEL_PREFIX}source-sha256": "${INTERPRETER_SOURCE_SHA256}",
    }
    # Only the final stage carries the labels; nothing but FROM, ARG, COPY and LABEL there.
    assert text.count("LABEL ") == 1
    instructions = [line.split()[0] for line in final.splitlines() if line and line[0].isalpha()]
    assert instructions == ["FROM", "ARG", "COPY", "LABEL"]


@pytest.mark.parametrize("version", ["3.13.5t", "3.15.0b1"])
def test_free_threaded_and_pre_release_versions(version: str) -> None:
    text = interpreter_dockerfile(version, BASE, FRONTEND, KNOWN)
    assert f'"/tmp/astro-pyenv/scripts/build-python.sh", "--portable", "{version}"]' in text
    assert f'{LABEL_PREFIX}version="{version}"' in text


def test_cli_prints_it_with_the_frontend_image() -> None:
    result = CliRunner().invoke(main, ["interpreter-dockerfile", "3.9.2", "--base", BASE, "--frontend-image", FRONTEND])
    assert result.exit_code == 0, result.output
    assert result.output == interpreter_dockerfile("3.9.2", BASE, FRONTEND, KNOWN)


def test_cli_default_frontend_image_is_the_local_dev_one() -> None:
    result = CliRunner().invoke(main, ["interpreter-dockerfile", "3.9.2", "--base", BASE])
    assert result.exit_code == 0, result.output
    assert "FROM --platform=$BUILDPLATFORM local/astro-pyenv-frontend:dev AS pyenv-tools\n" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["3.9", "--base", BASE], "'3.9' is a prefix; name the exact version (3.9."),
        (["3.99.1", "--base", BASE], "unknown Python version 3.99.1"),
        (["2.7.18", "--base", BASE], "older than CPython 3.4, the oldest PYENV builds"),
        (["3.13t-dev", "--base", BASE], "development branch"),
        (["pypy3.10-7.3.12", "--base", BASE], "is PyPy: PYENV builds CPython only"),
        (["3.9.2", "--base", "scratch"], "not scratch"),
        (["3.9.2", "--base", "debian\nRUN evil"], "is not an image reference"),
        (["3.9.2", "--base", BASE, "--frontend-image", "a b"], "is not an image reference"),
    ],
)
def test_cli_refuses(args: list[str], message: str) -> None:
    result = CliRunner().invoke(main, ["interpreter-dockerfile", *args])
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output


def test_cli_needs_a_base() -> None:
    result = CliRunner().invoke(main, ["interpreter-dockerfile", "3.9.2"])
    assert result.exit_code == 2
    assert "--base" in result.output
