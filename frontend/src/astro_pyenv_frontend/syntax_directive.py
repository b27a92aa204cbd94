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
frontend is chosen before any ARG is read).  The directives are the lexer's reading of the
top of the file (:attr:`.lexed.LexedDockerfile.directive_block`); below it, lines are matched as
written, heredoc bodies included: a heredoc that writes such a line is refused too (rare, and said
at its line).  Pure: bytes in, a choice or a DockerfileError out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .errors import DockerfileError
from .lexer import Instruction, LexedDockerfile, dockerfile_lines, lex
from .parser_directives import directive_shape
from .word_cursor import lstrip_space, parse_words, split_flags, strip_space

DIRECTIVE = "astro-pyenv-syntax"
BUILD_ARG = "ASTRO_PYENV_SYNTAX"
BUILDKIT_DIRECTIVES = ("syntax", "escape", "check")
# BuildKit's build arg that wins over a Dockerfile's ``# syntax=`` line.
BUILDKIT_SYNTAX_ARG = "BUILDKIT_SYNTAX"
# Docker Hub repositories of BuildKit's own Dockerfile frontend, which knows no PYENV.
DOCKERFILE_FRONTENDS = ("docker/dockerfile", "docker/dockerfile-upstream")


def syntax_ref(value: str) -> str:
    """The image a ``# syntax=`` value names: what comes before its first space character (BuildKit
    hands the whole value on as the frontend's command line, so ``img --debug`` names ``img``; it
    cuts at a space, not a tab)."""
    return value.partition(" ")[0]


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


def _from_directive(lexed: LexedDockerfile, text: str) -> DockerfileFrontend | None:
    """The directive among the lines shaped like parser directives at the top (None: not there)."""
    found: DockerfileFrontend | None = None
    for entry in lexed.directive_block:
        if entry.key == DIRECTIVE:
            if found is not None:
                raise DockerfileError(
                    f"only one # {DIRECTIVE} directive can be used (the first is on line {found.line})", entry.line
                )
            if not entry.value:
                raise DockerfileError(
                    f"# {DIRECTIVE}= names no image: write the Dockerfile frontend to use, e.g."
                    f" # {DIRECTIVE}=docker/dockerfile:1.12@sha256:<digest>",
                    entry.line,
                )
            found = DockerfileFrontend(ref=syntax_ref(entry.value), cmdline=entry.value, line=entry.line)
        elif entry.key in BUILDKIT_DIRECTIVES and found is not None:
            raise DockerfileError(
                f"move # {entry.key} above # {DIRECTIVE} (line {found.line}): BuildKit reads parser directives"
                f" only up to the first line it does not know, so it would ignore this # {entry.key}",
                entry.line,
            )
    _refuse_below_the_top(lexed, text)
    return found


def _refuse_below_the_top(lexed: LexedDockerfile, text: str) -> None:
    """Our directive on any line below the top block, as written (heredoc bodies included)."""
    top = lexed.directive_block[-1].line if lexed.directive_block else 0
    for number, line in enumerate(dockerfile_lines(text), start=1):
        if number <= top or DIRECTIVE not in line.lower():
            continue
        shaped = directive_shape(lstrip_space(line))
        if shaped is not None and shaped[0].lower() == DIRECTIVE:
            raise DockerfileError(
                f"# {DIRECTIVE} is read only among the parser directives at the top of the Dockerfile"
                " (right under # syntax=, before any blank line, other comment or instruction)",
                number,
            )


def _refuse_arg_default(lexed: LexedDockerfile) -> None:
    """An ``ARG`` line with ``ASTRO_PYENV_SYNTAX=`` as one of its words."""
    for item in lexed.items:
        if not isinstance(item, Instruction) or item.keyword != "ARG" or BUILD_ARG not in item.args.upper():
            continue
        words = parse_words(split_flags(item.args, lexed.directives.escape)[1], lexed.directives.escape)
        if any(word.partition("=")[0].upper() == BUILD_ARG and "=" in word for word in words):
            raise DockerfileError.at(
                item,
                f"an ARG cannot choose the Dockerfile frontend ({BUILD_ARG} is read before any ARG): write"
                f" # {DIRECTIVE}=<image> among the parser directives at the top, or pass --build-arg"
                f" {BUILD_ARG}",
            )


def choose(data: bytes, build_args: Mapping[str, str]) -> DockerfileFrontend | None:
    """The Dockerfile frontend the user named for ``data`` (the Dockerfile's bytes), or None for
    the engine's built-in one.  A misplaced or malformed directive is a DockerfileError even when
    the build arg wins, so what the user wrote never goes silently unused."""
    directive: DockerfileFrontend | None = None
    if b"astro-pyenv-syntax" in data.lower() or BUILD_ARG.encode() in data:
        text = data.decode("utf-8", "surrogateescape")
        lexed = lex(text)
        directive = _from_directive(lexed, text)
        _refuse_arg_default(lexed)
    value = strip_space(build_args.get(BUILD_ARG, ""))
    if value:
        return DockerfileFrontend(ref=syntax_ref(value), cmdline=value)
    return directive
