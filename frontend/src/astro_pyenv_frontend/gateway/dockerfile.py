"""The transform, as the gateway runs it: only for Dockerfiles that may hold PYENV lines.

The transform module (and its templates) is imported only when a line can be a PYENV
instruction: for a plain Dockerfile that import would cost about as much as the rest of the
frontend together.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import layout
from ..contract import BaseImageUse, ImageConfig, InterpreterUse, TransformResult
from ..errors import DockerfileError
from . import errors as gwerrors
from .errors import ReturnedError
from .opts import FrontendOpts
from .source import UserDockerfile

DEFAULT_PYENV_ROOT = layout.TOOLS_PYENV



@dataclass(frozen=True)
class Facts:
    """What the gateway has read for the transform so far (see :class:`~..contract.TransformOptions`):
    the base images' configs (None: not read, as for a first pass), and the prebuilt interpreter
    images chosen, by (base image, version)."""

    base_configs: Mapping[str, ImageConfig | None] | None = None
    interpreter_images: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # What the requirements files include (gateway/requirements.py), read with the base configs.
    requirements_includes: Mapping[str, tuple[str, ...] | str] = field(default_factory=dict)


NO_FACTS = Facts()


@dataclass(frozen=True)
class Needs:
    """What a transform pass needs the gateway to read before the next pass: the configs of
    ``base_images`` (first), then prebuilt images for ``interpreters``.  Empty: nothing more."""

    base_images: tuple[BaseImageUse, ...] = ()
    interpreters: tuple[InterpreterUse, ...] = ()


def needs(result: TransformResult, facts: Facts) -> Needs:
    """What ``result``, a pass with ``facts``, still needs; a file left as it is needs nothing."""
    if not result.changed:
        return Needs()
    if facts.base_configs is None:
        return Needs(base_images=result.base_images)
    if not facts.interpreter_images:
        return Needs(interpreters=result.interpreters)
    return Needs()

# (text, options, facts) -> result
TransformFn = Callable[[str, FrontendOpts, Facts], TransformResult]


def _known_versions() -> Sequence[str] | None:
    """pyenv's definition names from the image; None lets the transform use its snapshot."""
    root = Path(os.environ.get("ASTRO_PYENV_ROOT", DEFAULT_PYENV_ROOT))
    if not root.is_dir():
        return None
    try:
        from ..versions import load_known_versions

        return load_known_versions(root)
    except Exception:  # noqa: BLE001 - the bundled snapshot is a fine fallback
        import traceback  # only when the transform crashed

        traceback.print_exc(file=sys.stderr)
        return None


def default_transform(text: str, fopts: FrontendOpts, facts: Facts = NO_FACTS) -> TransformResult:
    """The real transform, with options taken from the frontend options."""
    from ..prebuilt import catalog_versions
    from ..transform import TransformOptions, transform
    from .interpreters import load_catalog

    options = TransformOptions(
        frontend_image=fopts.source,
        build_args=fopts.build_args,
        known_versions=_known_versions(),
        preferred_versions=catalog_versions(load_catalog()),
        interpreter_images=facts.interpreter_images,
        base_configs=facts.base_configs,
        requirements_includes=facts.requirements_includes,
    )
    return transform(text, options)


# BuildKit's parser trims Go's unicode.IsSpace before the keyword and after the line, and splits
# the keyword off at [\t\v\f\r ]; any non-ASCII byte stands in for the multi-byte spaces (and the
# BOM), so the test errs on the side of running the transform.
_SPACE = rb"[\t\v\f\r \x80-\xff]"
# A continuation, with the comment and blank lines the parser skips after it.
_CONTINUATION = re.compile(rb"[\\`][ \t]*\r*\n(?:" + _SPACE + rb"*(?:#[^\n]*)?\n)*")
# ONBUILD PYENV too: the transform refuses it at its line.
_PYENV_LINE = re.compile(
    rb"^" + _SPACE + rb"*(?:onbuild" + _SPACE + rb"+)?pyenv(?:" + _SPACE + rb"|[\\`]|$)", re.IGNORECASE | re.MULTILINE
)


def may_use_pyenv(data: bytes) -> bool:
    """False only when no line can be a PYENV instruction (cheap, conservative).

    Plain Dockerfiles then skip importing the transform and its templates,
    which costs about as much as the rest of the frontend together.  (The
    ``# syntax`` line names our image, so a bare substring test won't do.)
    Lines are tried both as written and with continuations joined, since the
    parser joins lines before reading the keyword but skips comment lines.
    """
    return bool(_PYENV_LINE.search(data) or _PYENV_LINE.search(_CONTINUATION.sub(b"", data)))


def transform_dockerfile(
    src: UserDockerfile,
    fopts: FrontendOpts,
    transform_fn: TransformFn = default_transform,
    facts: Facts = NO_FACTS,
) -> tuple[bytes, TransformResult]:
    """(bytes to hand on, TransformResult); DockerfileError becomes a located status."""
    if not may_use_pyenv(src.data):
        return src.data, TransformResult(dockerfile="", source_lines=())
    text = src.data.decode("utf-8", errors="surrogateescape")
    try:
        result = transform_fn(text, fopts, facts)
    except DockerfileError as err:
        raise ReturnedError(
            gwerrors.dockerfile_error_status(err, filename=src.filename, data=src.data)
        ) from None
    if not result.changed:
        return src.data, result
    return result.dockerfile.encode("utf-8", errors="surrogateescape"), result
