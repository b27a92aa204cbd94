"""The transform: a Dockerfile with PYENV lines in, a plain Dockerfile out.

Pure and deterministic: the same text and options always give the same bytes.
The gateway frontend and the CLI both call :func:`transform`.
"""

from __future__ import annotations

import re

from . import plan
from .contract import (
    ENGINES,
    BaseImageUse,
    DockerfileError,
    Engine,
    InterpreterUse,
    PyenvUse,
    TransformOptions,
    TransformResult,
    TransformWarning,
)
from .lexer import LexedDockerfile, dockerfile_lines, is_pyenv, lex

__all__ = [
    "ENGINES",
    "BaseImageUse",
    "DockerfileError",
    "Engine",
    "TransformOptions",
    "TransformResult",
    "TransformWarning",
    "transform",
]


def transform(text: str, options: TransformOptions) -> TransformResult:
    """Turn ``text`` into a plain Dockerfile; raise :class:`DockerfileError` on bad input.

    Callers holding bytes decode them with ``surrogateescape``: a file without PYENV lines
    then comes back unchanged whatever its encoding, as BuildKit reads bytes.
    """
    lexed = lex(text)
    _require_utf8(text, lexed)
    known = options.known_versions
    if known is None:
        from .versions import load_bundled_versions

        known = load_bundled_versions()
    planned = plan.plan(
        lexed,
        frontend_image=options.frontend_image,
        build_args=options.build_args,
        known_versions=known,
        preferred_versions=options.preferred_versions,
        interpreter_images=options.interpreter_images,
        base_configs=options.base_configs,
        requirements_includes=options.requirements_includes,
    )
    if options.engine == "buildah" and planned.changed:
        from .prebuilt_offer import decide_unseen

        planned = decide_unseen(planned, options.prebuilt_offer)
    warnings = tuple(TransformWarning(w.message, w.line) for w in planned.warnings)
    if not planned.changed:
        lines = tuple(range(1, len(dockerfile_lines(text)) + 1))
        return TransformResult(text, lines, warnings, changed=False)
    # Imported only for a file that changes: the templates (and Jinja2) cost a build without
    # PYENV lines nothing.
    from .emit import emit

    dockerfile, source_lines = emit(planned, options.engine)
    interpreters, environments = _uses(planned)
    return TransformResult(
        dockerfile,
        source_lines,
        warnings,
        changed=True,
        base_images=planned.base_images,
        interpreters=interpreters,
        prebuilt_setting=planned.prebuilt_setting,
        custom_build_settings=planned.custom_build_settings,
        environments=environments,
        onbuild_free=planned.onbuild_free,
        global_args=tuple(sorted(planned.global_args.items())),
    )


def _uses(planned: plan.Plan) -> tuple[tuple[InterpreterUse, ...], tuple[PyenvUse, ...]]:
    """The interpreters the plan builds and its PYENV lines (in file order), as the result lists them."""
    interpreters = tuple(
        InterpreterUse(
            base_image=step.interpreter.base_image,
            version=step.interpreter.version,
            line=step.line,
            platform_flag=step.interpreter.platform_flag,
            image=step.image,
        )
        for step in planned.interpreter_stages
    )
    environments = tuple(
        PyenvUse(
            line=step.environment.pyenv.line,
            end_line=max(step.environment.pyenv.line, step.environment.pyenv.end_line),
            name=step.environment.name,
            version=step.environment.version,
            base_image=step.environment.interpreter.base_image,
            requirements=step.environment.pyenv.requirements,
            task_sdk=step.environment.pyenv.flags.get("task-sdk"),
            installer=step.environment.installer,
            includes=step.environment.includes,
        )
        for step in planned.steps
        if isinstance(step, plan.VenvStage)
    )
    return interpreters, tuple(sorted(environments, key=lambda use: use.line))


_NOT_UTF8 = re.compile("[\ud800-\udfff]")


def _require_utf8(text: str, lexed: LexedDockerfile) -> None:
    """Text with PYENV lines must be UTF-8: the first undecodable byte is an error at its line."""
    found = _NOT_UTF8.search(text)
    if found is None:
        return
    if not any(is_pyenv(item) for item in lexed.items):
        return
    start = found.start()
    line = text.count("\n", 0, start) + 1
    column = start - (text.rfind("\n", 0, start) + 1) + 1
    code = ord(found.group())
    byte = f"byte 0x{code - 0xDC00:02x}" if 0xDC80 <= code <= 0xDCFF else f"character U+{code:04X}"
    raise DockerfileError(
        f"line {line} is not valid UTF-8 ({byte} at column {column}); save the Dockerfile as UTF-8 to use PYENV",
        line,
    )
