"""Typed parsing of the plain instructions the planner needs: FROM, ARG, ENV.

Semantics follow BuildKit (``frontend/dockerfile/parser/line_parsers.go`` and
``instructions/parse.go``): arguments are split the way BuildKit splits them
and values are expanded with the variables in scope, using the file's escape
character.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from .errors import DockerfileError
from .go_text import GO_SPACES
from .lexer import Instruction, logical_segments
from .variables import ExpansionError, expand
from .word_cursor import blank_fields, parse_words, split_command, split_flags

__all__ = [
    "ArgDecl",
    "FromInstruction",
    "parse_arg",
    "parse_env",
    "parse_from",
    "rewrite_from",
    "split_flags",
    "stage_references",
]

_STAGE_NAME_RE = re.compile(r"[a-z][a-z0-9\-_.]*\Z")


@dataclass(frozen=True)
class FromInstruction:
    """``FROM [--platform=<p>] <image> [AS <name>]``.

    ``platform`` is the flag value as written (not expanded: BuildKit resolves
    ``$BUILDPLATFORM`` and friends itself).  ``flags`` are the flag words.
    """

    image: str
    image_raw: str
    stage_name: str | None
    platform: str | None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ArgDecl:
    name: str
    default: str | None


def _go_quote(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _expand(instr: Instruction, word: str, env: Mapping[str, str], escape: str) -> str:
    try:
        return expand(word, env, escape).value
    except ExpansionError as exc:
        raise DockerfileError.at(instr, f"{instr.keyword}: {exc.message}") from None


def _check_keyword(instr: Instruction, keyword: str) -> None:
    if instr.keyword != keyword:
        raise ValueError(f"expected a {keyword} instruction, got {instr.keyword or 'nothing'}")


def parse_from(instr: Instruction, env: Mapping[str, str], escape: str = "\\") -> FromInstruction:
    """Parse FROM; ``env`` holds the ARGs declared before the first FROM."""
    _check_keyword(instr, "FROM")
    flags, rest = split_flags(instr.args, escape)
    args = blank_fields(rest) if rest else []
    stage_name: str | None = None
    if len(args) == 3 and args[1].lower() == "as":
        stage_name = args[2].lower()
        if not _STAGE_NAME_RE.match(stage_name):
            raise DockerfileError.at(
                instr,
                f"invalid name for build stage: {_go_quote(args[2])}, "
                "name can't start with a number or contain symbols",
            )
    elif len(args) != 1:
        raise DockerfileError.at(instr, "FROM requires either one or three arguments: FROM <image> [AS <name>]")
    platform: str | None = None
    for flag in flags:
        name, sep, value = flag.partition("=")
        if name != "--platform":
            raise DockerfileError.at(instr, f"unknown flag: {name}; FROM accepts only --platform=<platform>")
        if not sep:
            raise DockerfileError.at(instr, f"missing a value on flag: {name}")
        if platform is not None:
            raise DockerfileError.at(instr, f"duplicate flag specified: {name}")
        platform = value
    image = _expand(instr, args[0], env, escape)
    if not image:
        raise DockerfileError.at(instr, f"base name ({args[0]}) should not be blank")
    return FromInstruction(image, args[0], stage_name, platform, flags)


def rewrite_from(instr: Instruction, escape: str, *, stage: str, image: str | None = None) -> str:
    """``instr.raw`` (a FROM that :func:`parse_from` accepts) with the stage name ``stage`` (given
    with ``AS`` when it has none) and, if given, ``image`` in place of its image; all else kept.

    The words are found where BuildKit reads them, in the logical line: a name on the line after
    ``AS \\``, after ``AS`` and a vertical tab, or split by a continuation is replaced where it is
    written.  A word split over lines is written whole on its last line (the lines before keep
    their continuation character), so the text keeps its number of lines.
    """
    segments = logical_segments(instr, escape)
    positions = [start + i for start, text in segments for i in range(len(text))]
    line = "".join(text for _, text in segments).rstrip(GO_SPACES)
    _, args = split_command(line)
    rest = split_flags(args, escape)[1]
    words = blank_fields(rest)
    end = len(line)
    edits: list[tuple[list[int], str]] = []
    if len(words) == 3:
        edits.append((positions[end - len(words[2]) : end], stage))
    else:
        edits.append(([], f" AS {stage}"))
    if image is not None:
        first = end - len(rest)
        edits.append((positions[first : first + len(words[0])], image))
    raw = instr.raw
    last = positions[end - 1]
    for chars, text in edits:  # the name (or the end) first: it is right of the image
        if not chars:
            raw = raw[: last + 1] + text + raw[last + 1 :]
            continue
        pieces = [raw[: chars[0]]]
        for here, following in zip(chars, [*chars[1:], None]):
            if following is None:
                pieces.append(text + raw[here + 1 :])
            else:
                pieces.append(raw[here + 1 : following])
        raw = "".join(pieces)
    return raw


def stage_references(keyword: str, args: str, escape: str) -> tuple[str, ...]:
    """The values an instruction's own flags give a stage (or image) in, as BuildKit reads them:
    ``COPY --from=<v>`` and the ``from=<v>`` field of each ``RUN --mount=<csv>``.  Flags are the
    leading ``--`` words (:func:`split_flags`: quotes removed); the command after them is not
    read, so ``RUN ./migrate --from=2`` names no stage.  Values are as written (not expanded).
    """
    keyword = keyword.upper()
    if keyword not in ("COPY", "RUN"):
        return ()
    found = []
    for flag in split_flags(args, escape)[0]:
        name, sep, value = flag.partition("=")
        if not sep:
            continue
        if keyword == "COPY" and name == "--from":
            found.append(value)
        elif keyword == "RUN" and name == "--mount":
            found.extend(_mount_from(value))
    return tuple(found)


def _mount_from(value: str) -> list[str]:
    """The ``from=`` fields of a ``--mount`` value (comma-separated, CSV quoting; keys are
    case-insensitive)."""
    try:
        fields = next(csv.reader([value]), [])
    except csv.Error:
        return []
    found = []
    for item in fields:
        key, sep, field = item.partition("=")
        if sep and key.lower() == "from":
            found.append(field)
    return found


def parse_arg(instr: Instruction, env: Mapping[str, str], escape: str = "\\") -> tuple[ArgDecl, ...]:
    """Parse ``ARG NAME[=default] ...``; names and defaults are expanded with ``env``.

    Like BuildKit, every default is expanded with the same ``env``: in
    ``ARG A=1 B=$A`` the value of B uses the A that was in scope before the line.
    """
    _check_keyword(instr, "ARG")
    _, rest = split_flags(instr.args, escape)
    words = parse_words(rest, escape)
    if not words:
        raise DockerfileError.at(instr, "ARG requires at least one argument: ARG <name>[=<default>]")
    decls = []
    for word in words:
        name, sep, value = word.partition("=")
        if not name:
            raise DockerfileError.at(instr, f"ARG names can not be blank: {_go_quote(word)}")
        decls.append(
            ArgDecl(
                _expand(instr, name, env, escape),
                _expand(instr, value, env, escape) if sep else None,
            )
        )
    return tuple(decls)


def parse_env(instr: Instruction, env: Mapping[str, str], escape: str = "\\") -> tuple[tuple[str, str], ...]:
    """Parse ``ENV K=V ...`` or the legacy ``ENV K V w``; expanded with ``env``."""
    _check_keyword(instr, "ENV")
    flags, rest = split_flags(instr.args, escape)
    if flags:
        raise DockerfileError.at(instr, f"unknown flag: {flags[0].partition('=')[0]}; ENV accepts no flags")
    words = parse_words(rest, escape)
    if not words:
        raise DockerfileError.at(instr, "ENV requires at least one argument: ENV <key>=<value> ...")
    pairs: list[tuple[str, str]] = []
    if "=" not in words[0]:
        parts = blank_fields(rest, maxsplit=1)
        if len(parts) < 2:
            raise DockerfileError.at(instr, "ENV must have two arguments: ENV <key>=<value> ... or ENV <key> <value>")
        pairs.append((parts[0], parts[1]))
    else:
        for word in words:
            key, sep, value = word.partition("=")
            if not sep:
                raise DockerfileError.at(
                    instr,
                    f"Syntax error - can't find = in {_go_quote(word)}. Must be of the form: name=value",
                )
            if not key:
                raise DockerfileError.at(instr, f"ENV names can not be blank: {_go_quote(word)}")
            pairs.append((key, value))
    return tuple((_expand(instr, k, env, escape), _expand(instr, v, env, escape)) for k, v in pairs)


def setting_value(name: str, build_args: Mapping[str, str], global_args: Mapping[str, str]) -> str:
    """A frontend setting: the build arg ``name``, else the default of an ``ARG name=...`` before
    the first FROM (the Astro CLI passes no build args), stripped; "" when neither is set."""
    value = build_args.get(name)
    if value is None:
        value = global_args.get(name, "")
    return value.strip()
