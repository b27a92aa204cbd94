"""Render the generated Dockerfile fragments from the package's templates."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import lru_cache
from typing import Any, Union

import jinja2

from . import layout
from .astro_runtime import TEMPLATE_PROJECT_STEPS, with_ca_secret
from .contract import Engine
from .planner.steps import (
    AstroOnbuild,
    AstroProject,
    Continuation,
    Interpreter,
    InterpreterStage,
    PipCache,
    Plan,
    ToolsStage,
    VenvStage,
)
from .prebuilt import BUILD_SCRIPTS, BUILD_SETTING_ARGS, PREPARE_SCRIPTS

GeneratedStep = Union[ToolsStage, InterpreterStage, VenvStage, Continuation, AstroOnbuild, AstroProject]

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


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The templates compiled when the frontend image was built (:func:`compile_templates`).

    Compiling them is most of a first render (tens of milliseconds per build, each build being a
    new process); a compiled one is used only while its template's source is unchanged (Jinja
    checks). At run time the frontend's unprivileged user reads them and adds nothing."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except PermissionError:  # the image's cache is read-only at run time
            pass


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """The image's compiled templates when this is the frontend image's own Python; else none (a
    CLI on a user's machine compiles as it renders)."""
    if sys.prefix != layout.FRONTEND_VENV:
        return None
    return _CompiledTemplates(layout.FRONTEND_TEMPLATE_CACHE)


def compile_templates() -> int:
    """Compile every template into the image's cache (Dockerfile.frontend, as root); how many."""
    os.makedirs(layout.FRONTEND_TEMPLATE_CACHE, exist_ok=True)
    _environment.cache_clear()
    environment = _environment()
    if environment.bytecode_cache is None:
        raise RuntimeError(f"compile_templates runs in the frontend image's venv ({layout.FRONTEND_VENV})")
    names = environment.list_templates()
    for name in names:
        environment.get_template(name)
    for entry in os.scandir(layout.FRONTEND_TEMPLATE_CACHE):  # Jinja writes them 0600, for root
        os.chmod(entry.path, 0o644)
    return len(names)


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("astro_pyenv_frontend", "templates"),
        autoescape=False,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        bytecode_cache=_bytecode_cache(),
    )
    environment.filters["comment"] = comment_text
    environment.filters["without_eol"] = lambda text: text.rstrip("\r\n")
    environment.filters["by_digest"] = _by_digest
    environment.globals.update(
        layout=layout,
        pip_args=PIP_ARGS,
        prepare_scripts=PREPARE_SCRIPTS,
        compile_scripts=BUILD_SCRIPTS,
        template_project_steps=TEMPLATE_PROJECT_STEPS,
    )
    return environment


# Templates with a variant of their own for Buildah, which mounts nothing from other stages
# (it copies instead) and refuses COPY --link: ``<name>.buildah.Dockerfile.j2``.
_BUILDAH_VARIANTS = frozenset({"interpreter", "prebuilt_interpreter", "venv"})


def _render(name: str, engine: Engine, **values: Any) -> str:
    variant = ".buildah" if engine == "buildah" and name in _BUILDAH_VARIANTS else ""
    template = _environment().get_template(f"{name}{variant}.Dockerfile.j2")
    return template.render(engine=engine, **values)


def generated(step: GeneratedStep, plan: Plan, engine: Engine = "buildkit") -> str:
    """The generated text of ``step``: its template (by step type and engine) given the step,
    with the plan's escape character, frontend image and pip cache, and the values :data:`_TEMPLATES` adds."""
    name, extras = _TEMPLATES[type(step)]
    return _render(
        name(step) if callable(name) else name,
        engine,
        step=step,
        esc=plan.escape,
        frontend_image=plan.frontend_image,
        pip_cache=plan.pip_cache,
        **extras(step, engine),
    )


def _nothing(step: Any, engine: Engine) -> dict[str, Any]:
    return {}


def _interpreter_template(step: InterpreterStage) -> str:
    return "interpreter" if step.image is None else "prebuilt_interpreter"


def _interpreter_extras(step: InterpreterStage, engine: Engine) -> dict[str, Any]:
    """A compile's settings; a prebuilt image for Buildah, which takes no tag beside a digest, is
    copied by digest alone, and its fit checks first that the base has the C library ``floor``."""
    if step.image is None:
        return {"portable": False, "build_python_stage": "", "build_args": PYTHON_BUILD_ARGS}
    if engine == "buildah" and (step.floor is None or step.floor.family != "glibc"):
        raise ValueError("a prebuilt interpreter for Buildah needs the glibc it was built on")
    return {}


def _continuation_extras(step: Continuation, engine: Engine) -> dict[str, Any]:
    parts = [f"{e.name} (CPython {e.version}, line {e.pyenv.line})" for e in step.environments]
    # Buildah (and so Podman) refuses COPY --link.
    return {"summary": "PYENV " + ", ".join(parts), "link": "" if engine == "buildah" else "--link "}


def _onbuild_extras(step: AstroOnbuild, engine: Engine) -> dict[str, Any]:
    """The image's ONBUILD steps before its project copy (None: our template's copy)."""
    return {"steps": _with_ca_secret(step.steps)}


def _project_extras(step: AstroProject, engine: Engine) -> dict[str, Any]:
    """The project copy and the ONBUILD steps after it (None: our template's copy), and the
    user's lines written ``again`` after them, named in a comment (the emitter copies those)."""
    again = ("line " if len(step.again) == 1 else "lines ") + ", ".join(str(item.start_line) for item in step.again)
    return {"steps": _with_ca_secret(step.steps), "again_lines": again}


def _with_ca_secret(steps: Sequence[str] | None) -> list[str] | None:
    return None if steps is None else [with_ca_secret(step) for step in steps]


# Step type -> its template (a name, or a function of the step naming one) and the values the
# template needs beside the step.
_TEMPLATES: Mapping[type, tuple[str | Callable[[Any], str], Callable[[Any, Engine], dict[str, Any]]]] = {
    ToolsStage: ("tools", _nothing),
    InterpreterStage: (_interpreter_template, _interpreter_extras),
    VenvStage: ("venv", _nothing),
    Continuation: ("continuation", _continuation_extras),
    AstroOnbuild: ("astro_onbuild", _onbuild_extras),
    AstroProject: ("astro_project", _project_extras),
}


def _by_digest(image: str) -> str:
    """``repo:tag@digest`` -> ``repo@digest``."""
    name, at, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    if at and ":" in last:
        name = name[: len(name) - len(last)] + last.split(":", 1)[0]
    return f"{name}{at}{digest}"


# For the prebuilt interpreter images' Dockerfile (:mod:`.interpreter_image`), which has no plan.


def tools_stage(
    frontend_image: str,
    stage: str,
    pip_cache: PipCache | None = None,
    engine: Engine = "buildkit",
    secrets_stage: str | None = None,
) -> str:
    """The tools stage; with ``secrets_stage`` (venvs follow), also the stage that digests the
    venv steps' secrets, for engines that run our frontend (Buildah gets no build id)."""
    step = ToolsStage(stage, line=0, pip_cache=pip_cache, secrets_stage=secrets_stage or "")
    return _render("tools", engine, step=step, frontend_image=frontend_image)


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
    library it links but glibc's (the prebuilt images); ``note`` says why it is compiled (a
    comment).  With ``build_python_stage`` (a stage holding the same version for the build
    platform) it is cross-compiled for ``TARGETARCH``, that stage's CPython running the build."""
    interpreter = Interpreter(stage, version, base_image, base_image_text, platform_flag)
    return _render(
        "interpreter",
        engine,
        step=InterpreterStage(interpreter, tools_stage, line=0, note=note),
        esc=esc,
        portable=portable,
        build_python_stage=build_python_stage,
        build_args=(*PYTHON_BUILD_ARGS, "TARGETARCH") if build_python_stage else PYTHON_BUILD_ARGS,
    )
