"""Render the generated Dockerfile fragments from the package's templates."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import jinja2

from . import layout
from .contract import Engine
from .libc import Libc
from .prebuilt import BUILD_SCRIPTS, BUILD_SETTING_ARGS, PREPARE_SCRIPTS

if TYPE_CHECKING:
    from .plan import PipCache

# python-build settings a user may pass as build args (``--build-arg NAME=...``);
# checksums stay verified: the skip-checksum switch is deliberately absent.  Each is
# an ARG of the interpreter stage, so its value is part of the compile step's layer
# cache key: changing any of them compiles again.  That holds for the download
# settings too (mirror, HTTP client and its options), which cannot change the
# verified result: a needless compile is the price of keeping the key simple.
PYTHON_BUILD_ARGS = (
    "PYTHON_BUILD_MIRROR_URL",
    "PYTHON_BUILD_HTTP_CLIENT",
    "PYTHON_BUILD_CURL_OPTS",
    "PYTHON_BUILD_WGET_OPTS",
    *BUILD_SETTING_ARGS,  # those that change what is built (a prebuilt image then does not fit)
)

# pip settings a user may pass as build args, e.g. for a private index.
PIP_ARGS = (
    "PIP_INDEX_URL",
    "PIP_EXTRA_INDEX_URL",
    "PIP_TRUSTED_HOST",
    "PIP_FIND_LINKS",
    "PIP_CONSTRAINT",
    "PIP_PRE",
    "PIP_ONLY_BINARY",
    "PIP_NO_BINARY",
    "PIP_DEFAULT_TIMEOUT",
    # ours: "bundled" keeps the pip CPython ships, a version pins one; default the newest
    "ASTRO_PYENV_PIP_VERSION",
)

def comment_text(text: str) -> str:
    """``text`` made safe inside a ``#`` comment line: one line, nothing a parser could act on.

    Values in comments may come from build args (``FROM ${BASE}``): a line break there would
    add instructions to the generated Dockerfile.  Backslashes and every control or line/paragraph
    separator character are written as Python-style escapes.
    """
    return "".join(_comment_char(ch) for ch in text)


def _comment_char(ch: str) -> str:
    if ch == "\\":
        return "\\\\"
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F or ch in "\u2028\u2029":
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return ch


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("astro_pyenv_frontend", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
    )
    environment.filters["comment"] = comment_text
    environment.globals["layout"] = layout
    return environment


def _render(template: str, **values: Any) -> str:
    return _environment().get_template(template).render(**values)


def tools_stage(
    frontend_image: str,
    stage: str,
    pip_cache: PipCache | None = None,
    engine: Engine = "buildkit",
    secrets_stage: str | None = None,
) -> str:
    """The tools stage; with ``secrets_stage`` (venvs follow), also the stage that digests the
    venv steps' secrets, for engines that run our frontend (Buildah gets no build id)."""
    return _render(
        "tools.Dockerfile.j2",
        frontend_image=frontend_image,
        stage=stage,
        secrets_stage=secrets_stage,
        pip_cache=pip_cache,
        engine=engine,
    )


def interpreter_stage(
    *,
    esc: str,
    version: str,
    base_image: str,
    base_image_text: str,
    platform_flag: str,
    stage: str,
    tools_stage: str,
    engine: Engine = "buildkit",
    portable: bool = False,
    note: str | None = None,
    build_python_stage: str = "",
) -> str:
    """The stage that compiles CPython ``version`` on ``base_image``; ``portable`` carries every
    library it links but glibc's (the prebuilt images, :mod:`.interpreter_image`); ``note`` says
    why it is compiled (a comment).  With ``build_python_stage`` (a stage holding the same version
    for the build platform) it is cross-compiled for ``TARGETARCH``, that stage's CPython running
    the build."""
    return _render(
        "interpreter.Dockerfile.j2",
        engine=engine,
        portable=portable,
        note=note,
        build_python_stage=build_python_stage,
        build_python_prefix=layout.interpreter_dir(version),
        compile_scripts=BUILD_SCRIPTS,
        prepare_scripts=PREPARE_SCRIPTS,
        esc=esc,
        version=version,
        base_image=base_image,
        base_image_text=base_image_text,
        platform_flag=platform_flag,
        stage=stage,
        tools_stage=tools_stage,
        build_args=(*PYTHON_BUILD_ARGS, "TARGETARCH") if build_python_stage else PYTHON_BUILD_ARGS,
    )


def prebuilt_interpreter_stage(
    *,
    esc: str,
    version: str,
    base_image: str,
    base_image_text: str,
    platform_flag: str,
    image: str,
    stage: str,
    tools_stage: str,
    engine: Engine = "buildkit",
    note: str | None = None,
    floor: Libc | None = None,
    line: int = 0,
) -> str:
    """The interpreter stage when a prebuilt image (``repo:tag@digest``) stands in for the compile:
    its files on the base the compile would have used, fitted to that base.  For Buildah, which
    takes no tag beside a digest, the image by digest alone, and the fit checks first that the
    base has the C library ``floor`` (the PYENV ``line`` is named if not)."""
    if engine == "buildah" and (floor is None or floor.family != "glibc"):
        raise ValueError("a prebuilt interpreter for Buildah needs the glibc it was built on")
    return _render(
        "prebuilt_interpreter.Dockerfile.j2",
        engine=engine,
        note=note,
        floor=floor,
        line=line,
        image_by_digest=_by_digest(image),
        esc=esc,
        version=version,
        base_image=base_image,
        base_image_text=base_image_text,
        platform_flag=platform_flag,
        image=image,
        stage=stage,
        tools_stage=tools_stage,
    )


def _by_digest(image: str) -> str:
    """``repo:tag@digest`` -> ``repo@digest``."""
    name, at, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if at and ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return f"{name}{at}{digest}"


def venv_stage(
    *,
    esc: str,
    name: str,
    version: str,
    requirements: str | None,
    parent_stage: str,
    stage: str,
    replayed_args: Sequence[str],
    interpreter_stage: str,
    tools_stage: str,
    secrets_stage: str,
    python: str,
    pip_cache: PipCache | None = None,
    engine: Engine = "buildkit",
    task_sdk: str | None = None,
) -> str:
    return _render(
        "venv.Dockerfile.j2",
        engine=engine,
        esc=esc,
        name=name,
        version=version,
        requirements=requirements,
        parent_stage=parent_stage,
        stage=stage,
        replayed_args=replayed_args,
        interpreter_stage=interpreter_stage,
        tools_stage=tools_stage,
        secrets_stage=secrets_stage,
        python=python,
        pip_cache=pip_cache,
        task_sdk=task_sdk,
        build_args=PIP_ARGS,
    )


def continuation(
    *,
    summary: str,
    parent_stage: str,
    stage: str,
    replayed_args: Sequence[str],
    new_interpreters: Sequence[Any],
    environments: Sequence[Any],
    extend_path: bool,
    engine: Engine = "buildkit",
) -> str:
    return _render(
        "continuation.Dockerfile.j2",
        # Buildah (and so Podman) refuses COPY --link.
        link="" if engine == "buildah" else "--link ",
        summary=summary,
        parent_stage=parent_stage,
        stage=stage,
        replayed_args=replayed_args,
        new_interpreters=new_interpreters,
        environments=environments,
        extend_path=extend_path,
    )


def astro_onbuild(image: str, steps: Sequence[str] | None = None) -> str:
    """The image's ONBUILD steps before its project copy (``steps``; None: our template's copy)."""
    return _render("astro_onbuild.Dockerfile.j2", image=image, steps=_with_ca_secret(steps))


def astro_project(
    image: str = "", steps: Sequence[str] | None = None, before: Sequence[str] = (), again: Sequence[Any] = ()
) -> str:
    """The project copy and the ONBUILD steps after it (``steps``; None: our template's copy),
    with the lines ``before`` them that set the image's USER, WORKDIR or SHELL for them, and a
    comment for the user's lines written ``again`` after them (the emitter copies those)."""
    from .astro_runtime import TEMPLATE_PROJECT_STEPS

    return _render(
        "astro_project.Dockerfile.j2",
        image=image,
        steps=_with_ca_secret(steps),
        template_steps=TEMPLATE_PROJECT_STEPS,
        before=before,
        again=bool(again),
        again_lines=("line " if len(again) == 1 else "lines ") + ", ".join(str(item.start_line) for item in again),
    )


def _with_ca_secret(steps: Sequence[str] | None) -> list[str] | None:
    from .astro_runtime import with_ca_secret

    return None if steps is None else [with_ca_secret(step) for step in steps]
