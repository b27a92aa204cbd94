"""The transform: a Dockerfile with PYENV lines in, a plain Dockerfile out.

Pure and deterministic: the same text and options always give the same bytes.
The gateway frontend and the CLI both call :func:`transform`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from . import astro_runtime
from .convert import Chunk, Converter, dockerfile_lines
from .errors import DockerfileError
from .lexer import Instruction, LexedDockerfile, lex

__all__ = ["BaseImageUse", "TransformOptions", "TransformResult", "TransformWarning", "transform"]


@dataclass(frozen=True)
class TransformOptions:
    """Inputs besides the Dockerfile text.

    ``frontend_image`` is our own image reference: generated stages mount
    pyenv and the build scripts from it, so builds need no GitHub access.
    ``known_versions`` are pyenv's definition names; None means the snapshot
    bundled with this package (the pyenv the frontend image ships).
    """

    frontend_image: str
    build_args: Mapping[str, str] = field(default_factory=dict)
    known_versions: Sequence[str] | None = None


@dataclass(frozen=True)
class TransformWarning:
    message: str
    line: int


@dataclass(frozen=True)
class BaseImageUse:
    """A base image under PYENV lines, used as is; ``line`` is its first PYENV line."""

    image: str
    line: int


@dataclass(frozen=True)
class TransformResult:
    """The plain Dockerfile and, per output line, the user's line it came from.

    ``warnings`` are what the transform itself can locate (an Astro Runtime ``-base``
    image under PYENV lines); ``pyenv_bases`` lets the gateway warn when such a base has ONBUILD steps,
    which the transform cannot see without resolving the image.
    """

    dockerfile: str
    source_lines: tuple[int | None, ...]
    warnings: tuple[TransformWarning, ...]
    changed: bool
    pyenv_bases: tuple[BaseImageUse, ...] = ()

    def source_line(self, output_line: int) -> int | None:
        """The user's line (1-based) behind ``output_line`` (1-based), if any."""
        if 1 <= output_line <= len(self.source_lines):
            return self.source_lines[output_line - 1]
        return None


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
    converter = Converter(
        lexed=lexed,
        frontend_image=options.frontend_image,
        build_args=options.build_args,
        known_versions=known,
    )
    changed = converter.run()
    if not changed:
        lines = tuple(range(1, len(dockerfile_lines(text)) + 1))
        return TransformResult(text, lines, (), changed=False)
    chunks = _drop_syntax_line(converter.chunks, lexed.directive_lines, lexed.directives.syntax)
    dockerfile, source_lines = _join(chunks)
    bases = tuple(BaseImageUse(image, line) for image, line in converter.pyenv_bases)
    warnings = tuple(
        TransformWarning(message, line)
        for image, line in converter.runtime_base_froms
        if (message := astro_runtime.base_variant_warning(image)) is not None
    )
    return TransformResult(dockerfile, source_lines, warnings, changed=True, pyenv_bases=bases)


_NOT_UTF8 = re.compile("[\ud800-\udfff]")


def _require_utf8(text: str, lexed: LexedDockerfile) -> None:
    """Text with PYENV lines must be UTF-8: the first undecodable byte is an error at its line."""
    found = _NOT_UTF8.search(text)
    if found is None:
        return
    if not any(isinstance(item, Instruction) and item.keyword == "PYENV" for item in lexed.items):
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


def _drop_syntax_line(chunks: list[Chunk], directive_lines: Sequence[int], syntax: str | None) -> list[Chunk]:
    """Drop the ``# syntax=`` line: the plain Dockerfile is for BuildKit's own frontend.

    Dropped rather than blanked: a blank first line would end the parser
    directives, and a following ``# escape=`` would stop counting.
    """
    if syntax is None:
        return chunks
    return [
        chunk
        for chunk in chunks
        if not (chunk.source_lines and chunk.source_lines[0] in directive_lines and _is_syntax_line(chunk.text))
    ]


def _is_syntax_line(text: str) -> bool:
    body = text.lstrip("\ufeff").strip().lstrip("#").strip().lower()
    return body.replace(" ", "").startswith("syntax=")


def _join(chunks: Sequence[Chunk]) -> tuple[str, tuple[int | None, ...]]:
    parts: list[str] = []
    lines: list[int | None] = []
    for chunk in chunks:
        if parts and not parts[-1].endswith("\n"):
            parts.append("\n")
        parts.append(chunk.text)
        lines.extend(chunk.source_lines)
    return "".join(parts), tuple(lines)


def check(text: str, options: TransformOptions) -> None:
    """Validate only; raise :class:`DockerfileError` like :func:`transform`."""
    transform(text, options)


__all__ += ["check", "DockerfileError"]
