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

import itertools
import json
import re

from .go_text import RE2_SPACE_CLASS
from .lexed import PYENV, Directives, Heredoc, Instruction, Item, LexedDockerfile, Trivia, is_pyenv
from .parser_directives import DirectiveParser
from .variables import ExpansionError, NestingError, ShellLexer
from .word_cursor import lstrip_space, split_command, split_flags

__all__ = [
    "Directives",
    "Heredoc",
    "Instruction",
    "Item",
    "PYENV",
    "LexedDockerfile",
    "Trivia",
    "dockerfile_lines",
    "is_pyenv",
    "json_array",
    "lex",
    "logical_segments",
    "split_command",
    "sub_command",
]

_BOM = "\ufeff"
_HEREDOC_WORD_RE = re.compile(r"([0-9]*)<<(-?)" + RE2_SPACE_CLASS + r"*([^<]*)\Z")
_HEREDOC_INSTRUCTIONS = frozenset({"run", "copy", "add"})

_LINE_WORDS = ShellLexer("\\", raw_quotes=True, raw_escapes=True, skip_unset_env=True)
_HEREDOC_NAME = ShellLexer("\\", skip_unset_env=True)
_HEREDOC_NAME_RAW = ShellLexer("\\", raw_quotes=True, skip_unset_env=True)


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


def _trim_newline(text: str) -> str:
    return text.rstrip("\r\n")


def _is_comment(text: str) -> bool:
    return lstrip_space(text).startswith("#")


def _continuation_regex(escape: str) -> re.Pattern[str]:
    esc = re.escape(escape)
    return re.compile(rf"([^{esc}]){esc}[ \t]*\Z|^{esc}[ \t]*\Z")


def _trim_continuation(text: str, regex: re.Pattern[str]) -> tuple[str, bool]:
    """Remove a trailing continuation character; return (text, is_end_of_line)."""
    match = regex.search(text)
    if match is None:
        return text, True
    return text[: match.start()] + (match.group(1) or ""), False


def _normalise_keyword(word: str) -> str:
    lowered = word.lower()
    return lowered.upper() if lowered.isascii() else word


def sub_command(args: str) -> tuple[str, str]:
    """The keyword (normalised as :attr:`Instruction.keyword`) and arguments of the instruction
    an ``ONBUILD`` line carries, as BuildKit's ``parseSubCommand`` splits its arguments."""
    word, rest = split_command(args)
    return _normalise_keyword(word), rest


def json_array(args: str) -> list[object] | None:
    """The JSON array ``args`` is, as BuildKit's ``parseJSON`` tests the JSON form (non-string
    items count too, BuildKit rejects them later); None if it is not one."""
    args = lstrip_space(args)
    if not args.startswith("["):
        return None

    def _reject_constant(_name: str) -> object:
        raise ValueError("not JSON")

    try:
        value = json.loads(args, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _can_contain_heredoc(cmd: str, args: str, escape: str) -> bool:
    rest = split_flags(args, escape)[1]
    if cmd.lower() == "onbuild":
        if not rest:
            return False
        cmd, args = sub_command(rest)
        rest = split_flags(args, escape)[1]
    if cmd.lower() not in _HEREDOC_INSTRUCTIONS:
        return False
    return not (rest and json_array(rest) is not None)


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


def logical_segments(instr: Instruction, escape: str) -> tuple[tuple[int, str], ...]:
    """The pieces of ``instr.raw`` that :func:`lex` joins into the instruction's logical line,
    each with its offset in ``raw``: continuation characters, line ends, comment and blank lines
    inside a continuation and heredoc bodies are not in any piece.  Joined, the pieces give the
    line :func:`lex` split into ``keyword`` and ``args`` (a property test holds the two together),
    so an edit of a word of ``args`` can be made where that word is in ``raw``.
    """
    continuation = _continuation_regex(escape)
    lines = dockerfile_lines(instr.raw)
    physical, start = lines[0], 0
    if instr.start_line == 1 and physical.startswith(_BOM):
        physical, start = physical[len(_BOM) :], len(_BOM)
    start += len(_trim_newline(physical)) - len(lstrip_space(_trim_newline(physical)))
    token, end_of_line = _trim_continuation(_first_token(physical), continuation)
    segments = [(start, token)]
    if not end_of_line:
        offsets = [0, *itertools.accumulate(len(line) for line in lines)]  # where each line starts
        pieces, _ = _read_continuation(lines, 1, continuation)
        segments.extend((offsets[index], piece) for index, piece in pieces)
    return tuple(segments)


def _first_token(physical: str) -> str:
    """The first line of a logical line as BuildKit reads it: a comment counts as empty."""
    token = lstrip_space(_trim_newline(physical))
    return "" if _is_comment(token) else token


def _read_continuation(lines: list[str], i: int, continuation: re.Pattern[str]) -> tuple[list[tuple[int, str]], int]:
    """The lines from ``i`` that continue a logical line, up to the one that ends it (or the end
    of the file): each (index, text without its line end and continuation character), comment
    and blank lines left out; and the index of the line after them."""
    pieces: list[tuple[int, str]] = []
    while i < len(lines):
        physical = lines[i]
        i += 1
        if _is_comment(physical):
            continue
        token = _trim_newline(physical)
        if not lstrip_space(token):
            continue
        token, end_of_line = _trim_continuation(token, continuation)
        pieces.append((i - 1, token))
        if end_of_line:
            break
    return pieces, i


class _Scan:
    """The state :func:`lex` carries from line to line: the parser directives read so far."""

    def __init__(self) -> None:
        self.directives = DirectiveParser()
        self.escape = "\\"
        self.continuation = _continuation_regex(self.escape)
        self.directive_lines: list[int] = []
        self.directive_keys: dict[str, tuple[int, ...]] = {}

    def directive(self, token: str, line: int) -> None:
        """Take the line (newline and leading space trimmed) if it is a parser directive."""
        if not self.directives.parse(token, line):
            return
        self.directive_lines.append(line)
        key = self.directives.key
        self.directive_keys[key] = (*self.directive_keys.get(key, ()), line)
        escape = self.directives.values.get("escape", "\\")
        if escape != self.escape:
            self.escape = escape
            self.continuation = _continuation_regex(escape)


def lex(text: str) -> LexedDockerfile:
    """Split ``text`` into instructions and trivia, losslessly. Never raises."""
    lines = dockerfile_lines(text)
    scan = _Scan()
    items: list[Item] = []
    i = 0
    while i < len(lines):
        item, i = _lex_item(lines, i, scan)
        items.append(item)
    values = scan.directives.values
    directives = Directives(syntax=values.get("syntax"), escape=scan.escape, check=values.get("check"))
    return LexedDockerfile(
        directives, tuple(scan.directive_lines), tuple(items), scan.directive_keys, tuple(scan.directives.block)
    )


def _lex_item(lines: list[str], start: int, scan: _Scan) -> tuple[Item, int]:
    """The item that starts at line index ``start``, and the index of the line after it."""
    physical = lines[start]
    if start == 0 and physical.startswith(_BOM):
        physical = physical[len(_BOM) :]
    scan.directive(lstrip_space(_trim_newline(physical)), start + 1)
    logical, end_of_line = _trim_continuation(_first_token(physical), scan.continuation)
    i = start + 1
    if end_of_line and not logical:
        return Trivia(start + 1, start + 1, lines[start]), i
    parts = [logical]
    if not end_of_line:
        pieces, i = _read_continuation(lines, i, scan.continuation)
        parts.extend(piece for _, piece in pieces)
    line = "".join(parts)
    word, args = split_command(line)
    heredocs: list[Heredoc] = []
    problem = ""
    if "<<" in line and _can_contain_heredoc(word, args, scan.escape):
        try:
            opened = _heredocs_in_line(line)
        except NestingError as exc:
            opened, problem = [], f"{_normalise_keyword(word)}: {exc.message}"
        for doc in opened:
            body, i = _read_heredoc(lines, i, doc)
            heredocs.append(body)
    instruction = Instruction(
        keyword=_normalise_keyword(word),
        start_line=start + 1,
        end_line=i,
        raw="".join(lines[start:i]),
        args=args,
        heredocs=tuple(heredocs),
        problem=problem,
    )
    return instruction, i


def _read_heredoc(lines: list[str], i: int, doc: Heredoc) -> tuple[Heredoc, int]:
    """``doc`` with its body, read from line index ``i`` to its end word (or the file's end)."""
    body: list[str] = []
    terminated = False
    while i < len(lines):
        physical = lines[i]
        i += 1
        candidate = _trim_newline(physical)
        if doc.chomp:
            candidate = candidate.lstrip("\t")
        if candidate == doc.name:
            terminated = True
            break
        body.append(physical)
    return Heredoc(doc.name, doc.expand, doc.chomp, "".join(body), terminated), i
