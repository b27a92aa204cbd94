"""The parse phase: the lexed Dockerfile as stages, each with its FROM, PYENV groups and scope.

Nothing here plans a step; it reads the user's lines and refuses what cannot be planned.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .. import layout
from ..errors import DockerfileError
from ..instructions import FromInstruction, parse_arg, parse_env, parse_from, stage_references
from ..lexer import PYENV, Instruction, Trivia, is_pyenv, sub_command
from ..pyenv_instruction import PyenvInstruction, parse_pyenv
from ..variables import ExpansionError, NestingError, expand
from ..word_cursor import blank_fields, split_flags
from .steps import Item

# What BuildKit's strconv.Atoi takes as a stage index.
_STAGE_INDEX = re.compile(r"[+-]?[0-9]+\Z")


@dataclass(frozen=True)
class Defined:
    """Where an environment of a stage (or of a stage it is built from) was defined."""

    name: str
    line: int
    stage_index: int
    stage: str | None


@dataclass(frozen=True)
class StageInfo:
    """What later stages built FROM this one inherit."""

    name: str | None
    root_image: str  # expanded image of the first non-stage FROM in the chain
    root_image_text: str  # as written, valid in any FROM line
    platform_flag: str
    env: Mapping[str, str]  # ARG/ENV values at the stage's end
    interpreters: frozenset[str] = frozenset()  # interpreter stages already copied in
    path_extended: bool = False
    environments: Mapping[str, Defined] = field(default_factory=dict)  # by image variable


@dataclass(frozen=True)
class PyenvLine:
    index: int  # position in the stage's items
    pyenv: PyenvInstruction


@dataclass(frozen=True)
class Group:
    """Adjacent PYENV lines (only comments and blank lines between them)."""

    lines: tuple[PyenvLine, ...]

    @property
    def first(self) -> int:
        return self.lines[0].index

    @property
    def last(self) -> int:
        return self.lines[-1].index


@dataclass(frozen=True)
class ParsedStage:
    """One stage: its lines (``items[0]`` is the FROM), its PYENV groups, and what it ends with."""

    items: list[Item]
    head: Instruction
    from_: FromInstruction
    groups: tuple[Group, ...]
    env: dict[str, str]  # ARG/ENV values at the stage's end
    environments: dict[str, Defined]  # at the stage's end, by image variable
    stage_numbers: tuple[tuple[Instruction, str], ...]  # flags that name a stage by its number


class Scope:
    """The variables PYENV arguments may use: build args, the ARGs before the first FROM."""

    def __init__(self, escape: str, build_args: Mapping[str, str]) -> None:
        self.escape = escape
        self.build_args = build_args
        self.global_args: dict[str, str] = {}

    def declare_global(self, item: Instruction) -> None:
        """An ARG line before the first FROM."""
        for decl in parse_arg(item, self.global_args, self.escape):
            value = self.build_args.get(decl.name, decl.default)
            if value is not None:
                self.global_args[decl.name] = value

    def step(self, item: Instruction, env: dict[str, str]) -> None:
        """Apply an ARG or ENV line to the variables PYENV arguments may use."""
        if item.keyword == "ARG":
            for decl in parse_arg(item, env, self.escape):
                value = self.build_args.get(decl.name)
                if value is None:
                    value = decl.default if decl.default is not None else self.global_args.get(decl.name)
                if value is not None:
                    env[decl.name] = value
        elif item.keyword == "ENV":
            for key, value in parse_env(item, env, self.escape):
                env[key] = value

    def from_(self, item: Item) -> FromInstruction:
        assert isinstance(item, Instruction) and item.keyword == "FROM"
        return parse_from(item, self.global_args, self.escape)

    def stage_numbers(self, item: Instruction, env: Mapping[str, str]) -> list[tuple[Instruction, str]]:
        """Where a flag names a stage by its number (generated stages shift numbers)."""
        found = []
        for value in stage_references(item.keyword, item.args, self.escape):
            try:
                value = expand(value, env, self.escape).value
            except NestingError as exc:  # BuildKit reads it, we cannot tell which stage it names
                raise DockerfileError.at(item, f"{item.keyword}: {exc.message}") from None
            except ExpansionError:
                pass  # BuildKit reports it
            if _STAGE_INDEX.match(value):
                found.append((item, value))
        return found


def parse_stage(
    items: list[Item], from_: FromInstruction, parent: StageInfo, stage_index: int, scope: Scope
) -> ParsedStage:
    """Parse every PYENV line of a stage (in scope order) and group adjacent ones; also the
    stage's variables and environments at its end, for stages built FROM it."""
    head = items[0]
    assert isinstance(head, Instruction)
    env = dict(parent.env)
    environments = dict(parent.environments)
    groups: list[list[PyenvLine]] = []
    numbers: list[tuple[Instruction, str]] = []
    last_index = -2
    for index, item in enumerate(items):
        if not isinstance(item, Instruction):
            continue
        if item.keyword != PYENV:
            numbers.extend(scope.stage_numbers(item, env))
            scope.step(item, env)
            continue
        pyenv = parse_pyenv(item, env, scope.escape)
        variable = layout.environment_variable(pyenv.name)
        earlier = environments.get(variable)
        if earlier is not None:
            raise DockerfileError.at(item, _msg_name_taken(pyenv.name, earlier, earlier.stage_index == stage_index))
        environments[variable] = Defined(pyenv.name, item.start_line, stage_index, from_.stage_name)
        if groups and _only_trivia_between(items, last_index, index):
            groups[-1].append(PyenvLine(index, pyenv))
        else:
            groups.append([PyenvLine(index, pyenv)])
        last_index = index
    return ParsedStage(
        items, head, from_, tuple(Group(tuple(g)) for g in groups), env, environments, tuple(numbers)
    )


def split_stages(items: list[Item]) -> tuple[list[Item], list[list[Item]]]:
    """The lines before the first FROM, and each stage's lines."""
    preamble: list[Item] = []
    stages: list[list[Item]] = []
    for item in items:
        if isinstance(item, Instruction) and item.keyword == "FROM":
            stages.append([item])
        elif stages:
            stages[-1].append(item)
        else:
            preamble.append(item)
    return preamble, stages


def check_lines(items: list[Item], has_pyenv: bool) -> None:
    """Refuse what cannot be planned before acting on any line."""
    if has_pyenv:
        # Lines the lexer may have split otherwise than BuildKit: refused before we act on them.
        for item in items:
            if isinstance(item, Instruction) and item.problem:
                raise DockerfileError.at(item, item.problem)
    _reject_onbuild_pyenv(items)


def check_preamble(preamble: list[Item]) -> None:
    for item in preamble:
        if is_pyenv(item):
            raise DockerfileError.at(
                item, "PYENV must come after the first FROM: it adds a Python environment to a stage"
            )


def referenced_names(items: list[Item], global_args: Mapping[str, str], escape: str) -> set[str]:
    """Every word the user's lines may use as a stage or image name (lower-cased): FROM's words,
    and what the flags of COPY and RUN (ONBUILD ones too) name, as written and expanded."""
    names: set[str] = set()
    for item in items:
        if not isinstance(item, Instruction):
            continue
        if item.keyword == "FROM":
            rest = split_flags(item.args, escape)[1]
            names.update(word.lower() for word in blank_fields(rest) if word)
            continue
        keyword, args = sub_command(item.args) if item.keyword == "ONBUILD" else (item.keyword, item.args)
        for value in stage_references(keyword, args, escape):
            names.add(value.lower())
            try:
                names.add(expand(value, global_args, escape).value.lower())
            except ExpansionError:
                pass
    return names


def msg_stage_number(keyword: str, number: str) -> str:
    return (
        f"{keyword} refers to stage {number} by number; PYENV adds stages, so stage numbers"
        " shift: name the stage (FROM ... AS name) and refer to it by that name"
    )


def _only_trivia_between(items: list[Item], start: int, end: int) -> bool:
    return all(isinstance(item, Trivia) for item in items[start + 1 : end])


def _reject_onbuild_pyenv(items: list[Item]) -> None:
    """PYENV is ours, and a child build's frontend may not be: ONBUILD cannot carry it."""
    for item in items:
        if isinstance(item, Instruction) and item.keyword == "ONBUILD":
            if sub_command(item.args)[0] == PYENV:
                raise DockerfileError.at(
                    item,
                    "ONBUILD PYENV is not supported: the image that runs the trigger may be built"
                    " without this frontend; write the PYENV line in the Dockerfile that builds FROM this image",
                )


def _msg_name_taken(name: str, earlier: Defined, same_stage: bool) -> str:
    if earlier.name != name:
        return (
            f"PYENV names {earlier.name!r} (line {earlier.line}) and {name!r} both set the variable"
            f" {layout.environment_variable(name)} ('-' becomes '_'); give this environment another name"
        )
    if same_stage:
        return (
            f"PYENV name {name!r} is already used on line {earlier.line} of this stage;"
            " each environment needs its own name"
        )
    return (
        f"PYENV name {name!r} is already used on line {earlier.line} in stage {earlier.stage!r}, which this stage"
        " is built from; an image holds one environment per name: give this one another name"
    )
