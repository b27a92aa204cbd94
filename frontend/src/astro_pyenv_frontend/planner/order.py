"""The order phase: the steps of a stage with PYENV lines, in output order.

Everything is resolved by now (environments, interpreters, stage names, the base image's use);
this only lays the steps out, so the output order is written here and nowhere else::

    <tools and interpreter stages first used by this stage>
    StageHead                    the user's FROM, renamed
    AstroOnbuild                 (Astro Runtime) the ONBUILD steps before the project copy
    Verbatim ...                 the user's lines above a PYENV group
    VenvStage ...                one per PYENV line of the group
    Continuation                 the stage after the group
    AstroProject                 (Astro Runtime, after the last group) the project copy
    Verbatim ...                 the user's lines below
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from ..lexer import Instruction, Trivia
from .base_image import BaseUse
from .parse import Group
from .steps import (
    AstroOnbuild,
    AstroProject,
    Continuation,
    Environment,
    Interpreter,
    Item,
    StageHead,
    Step,
    ToolsStage,
    VenvStage,
    Verbatim,
)


@dataclass(frozen=True)
class ResolvedStage:
    """A stage with PYENV lines, resolved: what the order phase lays out."""

    items: list[Item]
    groups: tuple[Group, ...]
    environments: tuple[tuple[Environment, ...], ...]  # one tuple per group
    segments: tuple[str, ...]  # the stage's generated names, one per group
    user_name: str  # the name the stage continues under after its last group
    head_text: str  # the user's FROM line, renamed
    base: BaseUse
    project: AstroProject | None
    tools: ToolsStage
    interpreters: frozenset[str]  # interpreter stages the parent stage already holds
    path_extended: bool  # whether the parent stage already has the venvs' PATH entry


@dataclass(frozen=True)
class Ordered:
    steps: tuple[Step, ...]
    interpreters: frozenset[str]  # interpreter stages the stage holds at its end
    path_extended: bool


def order_stage(stage: ResolvedStage) -> Ordered:
    """The steps of ``stage`` from its FROM line to its end."""
    items, groups = stage.items, stage.groups
    head = items[0]
    assert isinstance(head, Instruction)
    steps: list[Step] = [StageHead(head, stage.head_text)]
    base = stage.base
    if base.astro_image is not None:
        steps.append(AstroOnbuild(base.astro_image, head.start_line, base.replay.before if base.replay else None))
    group_at = {group.first: n for n, group in enumerate(groups)}
    # A group spans from its first to its last PYENV line; comments between them are
    # kept before the generated block, next to the lines they were written beside.
    in_group = {i for group in groups for i in range(group.first, group.last + 1)}
    chain = _Chain(set(stage.interpreters), stage.path_extended)
    stage_args: list[Instruction] = []
    for index, item in enumerate(items[1:], start=1):
        if index in group_at:
            steps.extend(_group_steps(stage, group_at[index], tuple(stage_args), chain))
        elif index not in in_group:
            if isinstance(item, Instruction) and item.keyword == "ARG":
                stage_args.append(item)
            steps.append(Verbatim(item))
    return Ordered(tuple(steps), frozenset(chain.interpreters), chain.path_extended)


class _Chain:
    """What the stage holds so far: interpreter stages copied in, and the venvs' PATH entry."""

    def __init__(self, interpreters: set[str], path_extended: bool) -> None:
        self.interpreters = interpreters
        self.path_extended = path_extended

    def new_interpreters(self, environments: Sequence[Environment]) -> tuple[Interpreter, ...]:
        new = []
        for environment in environments:
            if environment.interpreter.stage not in self.interpreters:
                self.interpreters.add(environment.interpreter.stage)
                new.append(environment.interpreter)
        return tuple(new)


def _group_steps(stage: ResolvedStage, n: int, replayed: tuple[Instruction, ...], chain: _Chain) -> list[Step]:
    """The steps of group ``n``: its comments, a venv stage per PYENV line, the continuation."""
    group, envs = stage.groups[n], stage.environments[n]
    parent = stage.segments[n]
    last = n == len(stage.groups) - 1
    tools = stage.tools
    steps: list[Step] = [
        Verbatim(between) for between in stage.items[group.first + 1 : group.last] if isinstance(between, Trivia)
    ]
    steps.extend(VenvStage(environment, parent, tools.stage, replayed, tools.secrets_stage) for environment in envs)
    steps.append(
        Continuation(
            environments=envs,
            parent_stage=parent,
            stage=stage.user_name if last else stage.segments[n + 1],
            replayed_args=replayed,
            new_interpreters=chain.new_interpreters(envs),
            extend_path=not chain.path_extended,
        )
    )
    chain.path_extended = True
    if stage.project is not None and last:
        steps.append(stage.project)
    return steps
