"""Lossless Dockerfile lexer.

Splits a Dockerfile into instructions and trivia (blank, comment and parser
directive lines) the way BuildKit's parser (``frontend/dockerfile/parser``)
groups physical lines, while keeping every byte: ``"".join(item.raw for item
in lexed.items) == text``.  Nothing is re-printed from a syntax tree, so the
transform can copy every non-PYENV item verbatim.

BuildKit behaviour reproduced here:

* parser directives (``# syntax=``, ``# escape=``, ``# check=``) count only
  before the first line that is not a directive -- a blank line, any other
  comment or an instruction ends them; keys are case-insensitive and
  whitespace around ``=`` is allowed;
* ``# escape=`` switches the line-continuation character to a backtick;
* a continuation ends at a line whose last non-blank character is the escape
  character not preceded by another escape character; comment lines and
  blank lines inside a continuation are dropped from the logical line;
* heredocs (``<<EOF``, ``<<-EOF``, ``<<"EOF"``, several per line) only for
  RUN, COPY and ADD (also behind ONBUILD), never for their JSON form; their
  bodies are opaque;
* CRLF endings, a leading UTF-8 BOM (ignored for parsing, kept in ``raw``).

The lexer never raises.  Input BuildKit itself rejects is still split:
a duplicated or invalid directive is kept as a directive line but ignored
(the first occurrence wins), an unterminated heredoc runs to the end of the
file (``Heredoc.terminated`` is False), a continuation at end of file ends
the instruction there, and a lone continuation with nothing after it yields
an :class:`Instruction` with an empty keyword.  The transform emits those
lines unchanged and BuildKit reports the error on the generated Dockerfile.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Union

from .go_text import GO_SPACES, go_is_space
from .variables import ExpansionError, NestingError, ShellLexer

__all__ = [
    "Directives",
    "Heredoc",
    "Instruction",
    "Item",
    "LexedDockerfile",
    "Trivia",
    "dockerfile_lines",
    "lex",
    "logical_segments",
    "split_command",
    "split_flags",
]

_BOM = "\ufeff"
_DIRECTIVE_KEY_RE = re.compile(r"([a-zA-Z][a-zA-Z0-9]*)[\t\n\f\r ]*=")
_DIRECTIVE_SPACE = "\t\n\f\r "
_HEREDOC_WORD_RE = re.compile(r"([0-9]*)<<(-?)[\t\n\f\r ]*([^<]*)\Z")
_SPLIT_COMMAND_RE = re.compile(r"[\t\v\f\r ]+")
_HEREDOC_INSTRUCTIONS = frozenset({"run", "copy", "add"})
_VALID_DIRECTIVES = ("syntax", "escape", "check")

_LINE_WORDS = ShellLexer("\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True)
_HEREDOC_NAME = ShellLexer("\\", skip_unset_env=True)
_HEREDOC_NAME_RAW = ShellLexer("\\", raw_quotes=True, skip_unset_env=True)


@dataclass(frozen=True)
class Directives:
    """Parser directives found at the top of the file.

    ``syntax`` is the whole value (``docker/dockerfile:1 x`` stays as written).
    """

    syntax: str | None = None
    escape: str = "\\"
    check: str | None = None


@dataclass(frozen=True)
class Heredoc:
    """One here-document attached to an instruction.

    ``content`` is the body exactly as written, line terminators included and
    leading tabs *not* removed even when ``chomp`` is set (BuildKit chomps
    later, when running the instruction).
    """

    name: str
    expand: bool
    chomp: bool
    content: str
    terminated: bool = True


@dataclass(frozen=True)
class Instruction:
    """One instruction; ``problem`` says why the lexer may have split it otherwise than BuildKit
    (a heredoc name it could not read: see :data:`.variables.MAX_NESTING`), else it is empty."""

    keyword: str
    start_line: int
    end_line: int
    raw: str
    args: str
    heredocs: tuple[Heredoc, ...] = ()
    problem: str = ""


@dataclass(frozen=True)
class Trivia:
    """One blank, comment or parser-directive line."""

    start_line: int
    end_line: int
    raw: str


Item = Union[Instruction, Trivia]


@dataclass(frozen=True)
class LexedDockerfile:
    directives: Directives
    directive_lines: tuple[int, ...]
    items: tuple[Item, ...]
    syntax_line: int | None = None  # the line of the ``# syntax=`` directive in force


# -- small helpers mirroring BuildKit's --------------------------------------


def dockerfile_lines(text: str) -> list[str]:
    """Lines as BuildKit counts them, each with its ending: only ``\\n`` ends a line (``\\r\\n`` is
    one ending; a lone ``\\r``, U+2028, ``\\x0c``, ``\\x85`` or ``\\x1c`` do not, unlike for
    ``str.splitlines``).  Every line number the frontend says or maps is one of these."""
    lines = text.split("\n")
    out = [line + "\n" for line in lines[:-1]]
    if lines[-1]:
        out.append(lines[-1])
    return out


def _lstrip_space(text: str) -> str:
    return text.lstrip(GO_SPACES)


def _strip_space(text: str) -> str:
    return text.strip(GO_SPACES)


def _trim_newline(text: str) -> str:
    return text.rstrip("\r\n")


def _is_comment(text: str) -> bool:
    return _lstrip_space(text).startswith("#")


def _continuation_regex(escape: str) -> re.Pattern[str]:
    esc = re.escape(escape)
    return re.compile(rf"([^{esc}]){esc}[ \t]*\Z|^{esc}[ \t]*\Z")


def _trim_continuation(text: str, regex: re.Pattern[str]) -> tuple[str, bool]:
    """Remove a trailing continuation character; return (text, is_end_of_line)."""
    match = regex.search(text)
    if match is None:
        return text, True
    return text[: match.start()] + (match.group(1) or ""), False


def split_command(line: str) -> tuple[str, str]:
    """A logical line's keyword (as written) and arguments, as BuildKit's parser splits them."""
    parts = _SPLIT_COMMAND_RE.split(_strip_space(line), maxsplit=1)
    return parts[0], (_strip_space(parts[1]) if len(parts) == 2 else "")


def _normalise_keyword(word: str) -> str:
    lowered = word.lower()
    return lowered.upper() if lowered.isascii() else word


def split_flags(args: str, escape: str) -> tuple[tuple[str, ...], str]:
    """Split leading ``--flag`` words off ``args`` (BuildKit's extractBuilderFlags).

    Flag words have quotes and escapes removed; a bare ``--`` ends the flags.
    Returns the flag words and the remaining text, stripped.  BuildKit walks
    bytes here; we walk code points, which differs only for non-ASCII text
    inside flags.
    """
    flags: list[str] = []
    pos = 0
    n = len(args)
    while True:
        while pos < n and go_is_space(args[pos]):
            pos += 1
        if pos == n or not args.startswith("--", pos):
            return tuple(flags), _strip_space(args[pos:])
        word: list[str] = []
        quote = ""
        quoted = False
        while pos < n:
            ch = args[pos]
            if not quote and go_is_space(ch):
                break
            pos += 1
            if quote and ch == quote:
                quote = ""
                continue
            if not quote and ch in "'\"":
                quote = ch
                quoted = True
                continue
            if ch == escape:
                if pos == n:
                    continue
                ch = args[pos]
                pos += 1
            word.append(ch)
        text = "".join(word)
        if text == "--" and pos < n:
            return tuple(flags), _strip_space(args[pos:])
        if text != "--" and (text or quoted):
            flags.append(text)


def _is_json_array(args: str) -> bool:
    """BuildKit's JSON form test (a JSON array; non-string items count too,
    BuildKit rejects them later)."""
    args = _lstrip_space(args)
    if not args.startswith("["):
        return False

    def _reject_constant(_name: str) -> object:
        raise ValueError("not JSON")

    try:
        value = json.loads(args, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, list)


def _can_contain_heredoc(cmd: str, args: str, escape: str) -> bool:
    rest = split_flags(args, escape)[1]
    if cmd.lower() == "onbuild":
        if not rest:
            return False
        cmd, args = split_command(rest)
        rest = split_flags(args, escape)[1]
    if cmd.lower() not in _HEREDOC_INSTRUCTIONS:
        return False
    return not (rest and _is_json_array(rest))


def _heredoc_from_word(word: str) -> Heredoc | None:
    match = _HEREDOC_WORD_RE.match(word)
    if match is None:
        return None
    chomp = match.group(2) == "-"
    rest = match.group(3)
    if not rest:
        return None
    try:
        words = _HEREDOC_NAME.process_words(rest, {})
        if len(words) != 1:
            return None
        raw_words = _HEREDOC_NAME_RAW.process_words(rest, {})
    except NestingError:
        raise  # BuildKit reads it: the caller says we cannot
    except ExpansionError:
        return None  # BuildKit fails the parse; we leave the line as it is
    if len(raw_words) != 1:
        return None
    name = words[0]
    quotes = name.count("'") + name.count('"')
    raw_quotes = raw_words[0].count("'") + raw_words[0].count('"')
    return Heredoc(name=name, expand=quotes == raw_quotes, chomp=chomp, content="")


def _heredocs_in_line(line: str) -> list[Heredoc]:
    """The heredocs a line opens; raises NestingError when BuildKit may see one we cannot read."""
    try:
        words = _LINE_WORDS.process_words(line, {})
    except NestingError:
        raise
    except ExpansionError:
        return []
    docs = []
    for word in words:
        doc = _heredoc_from_word(word)
        if doc is not None:
            docs.append(doc)
    return docs


def directive(text: str) -> tuple[str, str] | None:
    """(key, value) of a parser directive's text after ``#`` (leading space trimmed), as BuildKit's
    ``key = value`` pattern reads it, ``(.+?)[ ]*$`` included: the value without the space around
    it, or the last space character when there is nothing else.  Scanned once, in linear time (the
    pattern backtracked quadratically over a long run of spaces)."""
    match = _DIRECTIVE_KEY_RE.match(text)
    if match is None:
        return None
    rest = text[match.end() :]
    value = rest.lstrip(_DIRECTIVE_SPACE).rstrip(_DIRECTIVE_SPACE)
    if not value:
        if not rest:
            return None
        value = rest[-1]
    return match.group(1), value


class _DirectiveParser:
    def __init__(self) -> None:
        self.done = False
        self.seen: set[str] = set()
        self.values: dict[str, str] = {}
        self.last_key = ""  # the key of the last directive taken

    def parse(self, token: str) -> bool:
        """Feed one line (newline and leading space trimmed); True if a directive."""
        self.last_key = ""
        if self.done:
            return False
        if not token.startswith("#"):
            self.done = True
            return False
        found = directive(_lstrip_space(token[1:]))
        if found is None or found[0].lower() not in _VALID_DIRECTIVES:
            self.done = True
            return False
        key, value = found[0].lower(), found[1]
        if key in self.seen:
            return True  # BuildKit: "only one <key> parser directive can be used"
        self.seen.add(key)
        if key == "escape" and value not in ("\\", "`"):
            return True  # BuildKit: "invalid escape token"
        self.values[key] = value
        self.last_key = key
        return True


def logical_segments(instr: Instruction, escape: str) -> tuple[tuple[int, str], ...]:
    """The pieces of ``instr.raw`` that :func:`lex` joins into the instruction's logical line,
    each with its offset in ``raw``: continuation characters, line ends, comment and blank lines
    inside a continuation and heredoc bodies are not in any piece.  Joined, the pieces give the
    line :func:`lex` split into ``keyword`` and ``args`` (a property test holds the two together),
    so an edit of a word of ``args`` can be made where that word is in ``raw``.
    """
    continuation = _continuation_regex(escape)
    lines = dockerfile_lines(instr.raw)
    offset = 0
    segments: list[tuple[int, str]] = []
    for number, physical in enumerate(lines):
        start = offset
        offset += len(physical)
        if number == 0:
            if instr.start_line == 1 and physical.startswith(_BOM):
                physical, start = physical[len(_BOM):], start + len(_BOM)
            token = _lstrip_space(_trim_newline(physical))
            start += len(_trim_newline(physical)) - len(token)
            if _is_comment(token):
                token = ""
        else:
            if _is_comment(physical):
                continue
            token = _trim_newline(physical)
            if not _lstrip_space(token):
                continue
        token, end_of_line = _trim_continuation(token, continuation)
        segments.append((start, token))
        if end_of_line:
            break
    return tuple(segments)


def lex(text: str) -> LexedDockerfile:
    """Split ``text`` into instructions and trivia, losslessly. Never raises."""
    lines = dockerfile_lines(text)
    directive_parser = _DirectiveParser()
    escape = "\\"
    continuation = _continuation_regex(escape)
    directive_lines: list[int] = []
    syntax_line: int | None = None
    items: list[Item] = []
    i = 0
    n = len(lines)
    while i < n:
        start = i
        physical = lines[i]
        if i == 0 and physical.startswith(_BOM):
            physical = physical[len(_BOM):]
        token = _lstrip_space(_trim_newline(physical))
        if directive_parser.parse(token):
            directive_lines.append(i + 1)
            if directive_parser.last_key == "syntax" and syntax_line is None:
                syntax_line = i + 1
            new_escape = directive_parser.values.get("escape", "\\")
            if new_escape != escape:
                escape = new_escape
                continuation = _continuation_regex(escape)
        if _is_comment(token):
            token = ""
        i += 1
        logical, end_of_line = _trim_continuation(token, continuation)
        if end_of_line and not logical:
            items.append(Trivia(start + 1, start + 1, lines[start]))
            continue
        parts = [logical]
        while not end_of_line and i < n:
            physical = lines[i]
            i += 1
            if _is_comment(physical):
                continue
            token = _trim_newline(physical)
            if not _lstrip_space(token):
                continue
            token, end_of_line = _trim_continuation(token, continuation)
            parts.append(token)
        line = "".join(parts)
        word, args = split_command(line)
        heredocs: list[Heredoc] = []
        problem = ""
        if "<<" in line and _can_contain_heredoc(word, args, escape):
            try:
                opened = _heredocs_in_line(line)
            except NestingError as exc:
                opened, problem = [], f"{_normalise_keyword(word)}: {exc.message}"
            for doc in opened:
                body: list[str] = []
                terminated = False
                while i < n:
                    physical = lines[i]
                    i += 1
                    candidate = _trim_newline(physical)
                    if doc.chomp:
                        candidate = candidate.lstrip("\t")
                    if candidate == doc.name:
                        terminated = True
                        break
                    body.append(physical)
                heredocs.append(
                    Heredoc(doc.name, doc.expand, doc.chomp, "".join(body), terminated)
                )
        items.append(
            Instruction(
                keyword=_normalise_keyword(word),
                start_line=start + 1,
                end_line=i,
                raw="".join(lines[start:i]),
                args=args,
                heredocs=tuple(heredocs),
                problem=problem,
            )
        )
    directives = Directives(
        syntax=directive_parser.values.get("syntax"),
        escape=escape,
        check=directive_parser.values.get("check"),
    )
    return LexedDockerfile(directives, tuple(directive_lines), tuple(items), syntax_line)
