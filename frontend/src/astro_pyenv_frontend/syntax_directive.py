"""Which Dockerfile frontend gets the Dockerfile astro-pyenv hands on.

By default the engine's built-in one (``dockerfile.v0``): on Docker 26 that is BuildKit 0.13's,
which knows no ``COPY --exclude``, ``--parents`` or ``# check=``.  The user may name a newer one,
as ``# syntax=`` names a frontend for BuildKit:

* ``# astro-pyenv-syntax=docker/dockerfile:1.12@sha256:...`` among the parser directives at the
  top of the Dockerfile (the Astro CLI passes no build args, so this is its way);
* the build arg ``ASTRO_PYENV_SYNTAX=<image>``, which wins over the directive, as BuildKit's
  ``BUILDKIT_SYNTAX`` wins over ``# syntax=``.

BuildKit reads parser directives only up to the first line that is not one it knows, and it
does not know ours: a ``# syntax``, ``# escape`` or ``# check`` line below ours would be
ignored, so that is refused here, as is our directive anywhere else in the file (a comment
BuildKit skips, and so a choice silently lost) and an ``ARG ASTRO_PYENV_SYNTAX=`` default (the
frontend is chosen before any ARG is read).  Lines are matched as written, heredoc bodies
included: a heredoc that writes such a line is refused too (rare, and said at its line).
Pure: bytes in, a choice or a DockerfileError out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import DockerfileError

DIRECTIVE = "astro-pyenv-syntax"
BUILD_ARG = "ASTRO_PYENV_SYNTAX"
BUILDKIT_DIRECTIVES = ("syntax", "escape", "check")
# BuildKit's build arg that wins over a Dockerfile's ``# syntax=`` line.
BUILDKIT_SYNTAX_ARG = "BUILDKIT_SYNTAX"
# Docker Hub repositories of BuildKit's own Dockerfile frontend, which knows no PYENV.
DOCKERFILE_FRONTENDS = ("docker/dockerfile", "docker/dockerfile-upstream")

_BOM = b"\xef\xbb\xbf"
_SPACE = b"\t\n\v\f\r "
_LINE_SPACE = b"\t\v\f\r "
# A parser-directive-shaped line (leading space already trimmed) up to its "="; names as BuildKit's,
# plus "-".  The value is the rest with the space around it stripped (a regex doing that too
# backtracked quadratically over a long run of spaces).
_DIRECTIVE_KEY = re.compile(rb"#[\t\v\f\r ]*([A-Za-z][A-Za-z0-9-]*)[\t\v\f\r ]*=")
_OURS_ANYWHERE = re.compile(rb"^[\t\v\f\r ]*#[\t\v\f\r ]*astro-pyenv-syntax[\t\v\f\r ]*=", re.IGNORECASE | re.MULTILINE)
_ARG_START = re.compile(rb"[\t\v\f\r ]*arg[\t\v\f\r ]", re.IGNORECASE)


def syntax_ref(value: str) -> str:
    """The image a ``# syntax=`` value names: its first word (BuildKit hands the whole value on as
    the frontend's command line, so ``img --debug`` names ``img``)."""
    words = value.split()
    return words[0] if words else ""


def names_dockerfile_frontend(value: str) -> bool:
    """Whether a ``# syntax=`` value names BuildKit's Dockerfile frontend (``docker/dockerfile:1``,
    ``docker.io/docker/dockerfile:1.7@sha256:...``, a mirror of it), which does not know PYENV."""
    ref = syntax_ref(value).lower().split("@", 1)[0]
    name, _, tag = ref.rpartition(":")
    if name and "/" not in tag:
        ref = name
    # Docker Hub's, or a mirror's that keeps the repository's path (mirror.corp/docker/dockerfile).
    return any(ref == repository or ref.endswith("/" + repository) for repository in DOCKERFILE_FRONTENDS)


def msg_pyenv_unknown_to(origin: str) -> str:
    """``origin`` (how the user named BuildKit's Dockerfile frontend) cannot build a PYENV line."""
    return (
        f"{origin} names BuildKit's Dockerfile frontend, which does not know PYENV: a build that follows it"
        f" stops here at \"unknown instruction: PYENV\"; name the astro-pyenv frontend image in # syntax="
        f" (a newer Dockerfile frontend for the rest of the file goes in # {DIRECTIVE}=)"
    )


@dataclass(frozen=True)
class DockerfileFrontend:
    """A Dockerfile frontend image the user named; ``line`` is the directive's (None: build arg)."""

    ref: str
    cmdline: str
    line: int | None = None

    @property
    def origin(self) -> str:
        """Where the user named it, in their words."""
        if self.line is None:
            return f"build arg {BUILD_ARG}={self.cmdline}"
        return f"# {DIRECTIVE}={self.cmdline} (line {self.line})"


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if lines and lines[0].startswith(_BOM):
        lines[0] = lines[0][len(_BOM):]
    return [line.rstrip(b"\r") for line in lines]


def _from_directive(data: bytes) -> DockerfileFrontend | None:
    """The directive among the top block of directive-shaped lines (None: not there)."""
    lines = _lines(data)
    found: DockerfileFrontend | None = None
    header_end = len(lines)
    for number, line in enumerate(lines, start=1):
        stripped = line.lstrip(_SPACE)
        match = _DIRECTIVE_KEY.match(stripped)
        if match is None:
            header_end = number - 1
            break
        name = match.group(1).decode("ascii").lower()
        value = stripped[match.end() :].strip(_LINE_SPACE).decode("utf-8", "replace")
        if name == DIRECTIVE:
            if found is not None:
                raise DockerfileError(
                    f"only one # {DIRECTIVE} directive can be used (the first is on line {found.line})", number
                )
            if not value:
                raise DockerfileError(
                    f"# {DIRECTIVE}= names no image: write the Dockerfile frontend to use, e.g."
                    f" # {DIRECTIVE}=docker/dockerfile:1.12@sha256:<digest>",
                    number,
                )
            found = DockerfileFrontend(ref=value.split()[0], cmdline=value, line=number)
        elif name in BUILDKIT_DIRECTIVES and found is not None:
            raise DockerfileError(
                f"move # {name} above # {DIRECTIVE} (line {found.line}): BuildKit reads parser directives"
                f" only up to the first line it does not know, so it would ignore this # {name}",
                number,
            )
    for match in _OURS_ANYWHERE.finditer(data):
        number = data.count(b"\n", 0, match.start()) + 1
        if number > header_end:
            raise DockerfileError(
                f"# {DIRECTIVE} is read only among the parser directives at the top of the Dockerfile"
                " (right under # syntax=, before any blank line, other comment or instruction)",
                number,
            )
    return found


def _refuse_arg_default(data: bytes) -> None:
    """An ``ARG`` line with ``ASTRO_PYENV_SYNTAX=`` as one of its words (line by line: linear)."""
    name = BUILD_ARG.encode().lower() + b"="
    for number, line in enumerate(data.split(b"\n"), start=1):
        lowered = line.lower()
        if name not in lowered or _ARG_START.match(line) is None:
            continue
        at = lowered.find(name)
        while at != -1:
            if line[at - 1 : at] in (b"\t", b"\v", b"\f", b"\r", b" "):
                raise DockerfileError(
                    f"an ARG cannot choose the Dockerfile frontend ({BUILD_ARG} is read before any ARG): write"
                    f" # {DIRECTIVE}=<image> among the parser directives at the top, or pass --build-arg"
                    f" {BUILD_ARG}",
                    number,
                )
            at = lowered.find(name, at + 1)


def choose(data: bytes, build_args: Mapping[str, str]) -> DockerfileFrontend | None:
    """The Dockerfile frontend the user named for ``data`` (the Dockerfile's bytes), or None for
    the engine's built-in one.  A misplaced or malformed directive is a DockerfileError even when
    the build arg wins, so what the user wrote never goes silently unused."""
    directive = _from_directive(data) if b"astro-pyenv-syntax" in data.lower() else None
    if BUILD_ARG.encode() in data:
        _refuse_arg_default(data)
    value = build_args.get(BUILD_ARG, "").strip()
    if value:
        return DockerfileFrontend(ref=value.split()[0], cmdline=value)
    return directive
