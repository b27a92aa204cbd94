"""Warnings the transform locates itself (issue 10.14)."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.transform import TransformOptions, TransformWarning, transform

OPTIONS = TransformOptions(frontend_image="local/astro-pyenv-frontend:dev")


@pytest.mark.parametrize(
    ("image", "full"),
    [
        ("quay.io/astronomer/astro-runtime:13.0.0-base", "quay.io/astronomer/astro-runtime:13.0.0"),
        ("astrocrpublic.azurecr.io/runtime:3.0-2-base", "astrocrpublic.azurecr.io/runtime:3.0-2"),
    ],
)
def test_runtime_base_image_under_pyenv_warns_at_its_from_line(image: str, full: str) -> None:
    text = f"# syntax=x\nARG TAG\nFROM {image} AS app\nRUN true\nPYENV 3.12 py\n"
    result = transform(text, OPTIONS)
    assert result.warnings == (
        TransformWarning(
            f"{image} has no Astro project steps, so this image gets no packages.txt, requirements.txt"
            f" or project files; write FROM {full} and astro-pyenv adds those steps after the PYENV work",
            3,
        ),
    )


def test_runtime_base_image_given_by_an_arg_is_named_expanded() -> None:
    text = "ARG V=13.0.0\nFROM quay.io/astronomer/astro-runtime:${V}-base\nPYENV 3.12 py\n"
    (warning,) = transform(text, OPTIONS).warnings
    assert warning.line == 2 and "write FROM quay.io/astronomer/astro-runtime:13.0.0 and" in warning.message


@pytest.mark.parametrize(
    "text",
    [
        "FROM quay.io/astronomer/astro-runtime:13.0.0\nPYENV 3.12 py\n",  # we add the steps ourselves
        "FROM quay.io/astronomer/astro-runtime:13.0.0-base\nRUN true\n",  # no PYENV: not our business
        "FROM quay.io/astronomer/astro-runtime:13.0.0-base\nRUN true\nFROM python:3.12-slim\nPYENV 3.12 py\n",
        "FROM python:3.12-slim\nPYENV 3.12 py\n",
    ],
)
def test_no_warning_otherwise(text: str) -> None:
    assert transform(text, OPTIONS).warnings == ()
