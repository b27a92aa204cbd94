"""The Dockerfile of a prebuilt interpreter image (``make interpreters``, issue 13).

It renders the tools stage and the interpreter stage with the very templates and functions the
transform uses, so the image holds exactly what an interpreter stage of a PYENV build produces,
then copies ``layout.ROOT`` into a ``FROM scratch`` stage labelled with the key
:mod:`.prebuilt` matches on.  The labels' values are build args the build script fills
(``interpreters/build.sh``); only the version, known here, is written as is.  Pure.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from . import layout, render
from .pyenv_values import version_problem
from .stage_names import stage_name
from .versions import resolve_version

__all__ = ["FINAL_STAGE", "LABEL_ARGS", "LABEL_PREFIX", "interpreter_dockerfile"]

LABEL_PREFIX = "org.astro-pyenv.interpreter."

# (label name after LABEL_PREFIX, the build arg that fills it)
LABEL_ARGS = (
    ("recipe", "INTERPRETER_RECIPE"),  # prebuilt.recipe_digest of the frontend image's tools
    ("build", "INTERPRETER_BUILD"),  # the python-build settings passed, e.g. PYTHON_CONFIGURE_OPTS=...
    ("os", "INTERPRETER_OS"),  # prebuilt.os_key of the base's /etc/os-release
    ("libc", "INTERPRETER_LIBC"),  # the base's C library, e.g. "glibc 2.36"
    ("pyenv-commit", "INTERPRETER_PYENV_COMMIT"),  # the frontend image's pyenv commit
    ("source-sha256", "INTERPRETER_SOURCE_SHA256"),  # the CPython tarball's, from pyenv's definition
)

FINAL_STAGE = "interpreter"
_ARCH = re.compile(r"^[a-z0-9]+$")


def interpreter_dockerfile(
    version: str,
    base_image: str,
    frontend_image: str,
    known_versions: Sequence[str],
    build_arch: str = "amd64",
    target_archs: Sequence[str] = (),
) -> str:
    """The Dockerfile that compiles CPython ``version`` on ``base_image`` with the tools of
    ``frontend_image`` and keeps only ``layout.ROOT``.

    Every stage runs on the build platform (``build_arch``, the engine's): the interpreter for it
    is compiled as a PYENV line's would be, portable; one for each other of ``target_archs`` is
    cross-compiled, with that first interpreter as the build's Python.  The image built for a
    ``--platform`` takes the stage of its architecture (BuildKit's ``TARGETARCH``).

    ``version`` must be an exact definition name of ``known_versions`` (an image tag and label say
    which version it holds); a base or image name with whitespace, or ``scratch``, is refused.
    """
    problem = version_problem(version)
    if problem:
        raise ValueError(problem)
    exact = resolve_version(version, known_versions)
    if exact != version:
        raise ValueError(f"{version!r} is a prefix; name the exact version ({exact})")
    for what, value in (("base image", base_image), ("frontend image", frontend_image)):
        if not value or any(ch.isspace() for ch in value) or value.startswith("-"):
            raise ValueError(f"{what} {value!r} is not an image reference")
    if base_image.lower() == "scratch":
        raise ValueError("an interpreter needs an operating system to be built on, not scratch")
    for arch in (build_arch, *target_archs):
        if not _ARCH.match(arch):
            raise ValueError(f"{arch!r} is not an architecture name (amd64, arm64, ...)")
    tools = stage_name(layout.TOOLS_STAGE)
    interpreter = stage_name(layout.INTERPRETER_STAGE_PREFIX + version)
    native = f"{interpreter}-{build_arch}"
    parts = [_header(version, base_image), render.tools_stage(frontend_image, tools)]
    for arch in dict.fromkeys((build_arch, *target_archs)):
        parts.append(
            render.interpreter_stage(
                esc="\\",
                version=version,
                base_image=base_image,
                base_image_text=base_image,
                platform_flag="--platform=$BUILDPLATFORM ",  # another architecture is cross-compiled
                stage=f"{interpreter}-{arch}",
                tools_stage=tools,
                portable=True,
                build_python_stage="" if arch == build_arch else native,
            )
        )
    parts += [
        "\n# astro-pyenv: the interpreter of the image's platform\n",
        f"FROM {interpreter}-${{TARGETARCH}} AS {interpreter}\n",
        "\n",
        _final(version, interpreter),
    ]
    return "".join(parts)


def _header(version: str, base_image: str) -> str:
    args = " ".join(f"--build-arg {arg}=..." for _, arg in LABEL_ARGS)
    return (
        f"# astro-pyenv: prebuilt CPython {render.comment_text(version)} for {render.comment_text(base_image)}"
        " (astro-pyenv-frontend interpreter-dockerfile)\n"
        f"# The labels' values: {args}\n"
    )


def _final(version: str, interpreter: str) -> str:
    names = " ".join(arg for _, arg in LABEL_ARGS)
    labels = [f'{LABEL_PREFIX}version="{version}"']
    labels += [f'{LABEL_PREFIX}{label}="${{{arg}}}"' for label, arg in LABEL_ARGS]
    label_lines = " \\\n      ".join(labels)
    return (
        "# astro-pyenv: what the interpreter stage produced, alone: the interpreter, its python3.X link,"
        " the venvs directory\n"
        f"FROM scratch AS {FINAL_STAGE}\n"
        f"ARG {names}\n"
        f"COPY --from={interpreter} {layout.ROOT}/ {layout.ROOT}/\n"
        f"LABEL {label_lines}\n"
    )
