"""The Astro Runtime project copy (and the image's ONBUILD steps after it), after the PYENV work.

In a plain build these steps run at the user's FROM, with the image's WORKDIR, USER and SHELL;
here they run after the PYENV work, so the settings the user's lines above it changed are set
back to the image's for them, and the user's lines are written again after them (issue 22.1).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from .. import astro_runtime
from ..errors import DockerfileError
from ..lexer import Instruction, is_pyenv
from ..variables import ExpansionError, NestingError, expand
from .base_image import BaseUse
from .parse import Scope
from .steps import AstroProject, Environment, Item


def plan_project(
    items: list[Item],
    last_pyenv: int,
    base: BaseUse,
    head: Instruction,
    start_env: Mapping[str, str],
    environments: Sequence[tuple[Environment, ...]],
    scope: Scope,
) -> AstroProject:
    """The image's ONBUILD steps from its project copy on, run after the PYENV work with the
    WORKDIR, USER and SHELL they have in a plain build; a change that cannot be undone, or whose
    value cannot be told, is refused at its line."""
    image = base.astro_image or ""
    steps = base.replay.after if base.replay is not None else astro_runtime.TEMPLATE_PROJECT_STEPS
    needs = astro_runtime.observed(steps)
    above = [item for item in items[1:last_pyenv] if isinstance(item, Instruction) and not is_pyenv(item)]
    for item in above:
        if item.keyword in {"ENV", "ARG"} and "ENV" in needs:
            raise DockerfileError.at(item, astro_runtime.environment_message(item.keyword, image, needs["ENV"]))
    before: list[str] = []
    again: list[Instruction] = []
    for keyword in ("USER", "WORKDIR", "SHELL"):
        mine = [item for item in above if item.keyword == keyword]
        if not mine or keyword not in needs:
            continue
        line = _image_setting(keyword, base.state, scope.escape)
        if line is None:
            raise DockerfileError.at(mine[0], astro_runtime.unknown_setting_message(keyword, image, needs[keyword]))
        before.append(line)
        again.extend(mine)
    _check_written_again(again, items[1:last_pyenv], start_env, environments, image, scope)
    again.sort(key=lambda item: item.start_line)
    read_steps = base.replay.after if base.replay is not None else None
    return AstroProject(head.start_line, image, read_steps, tuple(before), tuple(again))


def _image_setting(keyword: str, state: astro_runtime.OnbuildState, escape: str) -> str | None:
    """The line that sets ``keyword`` to the image's value, or None where it cannot be told."""
    if keyword == "SHELL":
        return astro_runtime.shell_line(state.shell) if state.shell is not None else None
    value = state.user if keyword == "USER" else state.workdir
    written = astro_runtime.literal(value, escape) if value is not None else None
    return f"{keyword} {written}" if written is not None else None


def _check_written_again(
    again: Sequence[Instruction],
    above: Sequence[Item],
    start_env: Mapping[str, str],
    environments: Sequence[tuple[Environment, ...]],
    image: str,
    scope: Scope,
) -> None:
    """A WORKDIR or USER line written again after the replayed steps must read as it did:
    no variable it uses may change between it and there."""
    if not again:
        return
    at_line: dict[int, dict[str, str]] = {}
    env = dict(start_env)
    for item in above:
        if isinstance(item, Instruction):
            at_line[item.start_line] = dict(env)
            if not is_pyenv(item):
                scope.step(item, env)
    changed = "\x00astro-pyenv: changed"  # what PYENV sets, unlike anything the user writes
    env.update({environment.variable: changed for group in environments for environment in group})
    env["PATH"] = changed
    for item in again:
        if item.keyword == "SHELL":
            continue
        try:
            same = expand(item.args, at_line[item.start_line], scope.escape).value == expand(
                item.args, env, scope.escape
            ).value
        except NestingError as exc:  # BuildKit reads it, we cannot tell whether it reads the same
            raise DockerfileError.at(item, f"{item.keyword}: {exc.message}") from None
        except ExpansionError:
            continue  # BuildKit says so at the line itself
        if not same:
            raise DockerfileError.at(item, astro_runtime.changed_variable_message(item.keyword, image))
