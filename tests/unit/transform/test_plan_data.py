"""The plan on data: which steps, in which order, with which stages (beside the text goldens).

And the planner's phases one at a time: parse (stages and PYENV groups), resolve (the base
image's use, from the configs given), order (steps laid out from a resolved stage).
"""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from astro_pyenv_frontend.contract import ImageConfig
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.plan import (
    AstroOnbuild,
    AstroProject,
    Continuation,
    InterpreterStage,
    Plan,
    StageHead,
    ToolsStage,
    VenvStage,
    Verbatim,
    plan,
)
from astro_pyenv_frontend.planner.base_image import BaseQuery, resolve_base
from astro_pyenv_frontend.planner.names import StageNames
from astro_pyenv_frontend.planner.parse import Scope, StageInfo, parse_stage, split_stages

KNOWN = ("3.11.9", "3.12.7")
RUNTIME = "quay.io/astronomer/astro-runtime:13.0.0"
RUNTIME_CONFIG = ImageConfig(
    onbuild=("COPY requirements.txt .", "RUN pip install -r requirements.txt", "COPY . ."),
    labels=(("io.astronomer.docker", "true"),),
    working_dir="/usr/local/airflow",
    user="astro",
)


def _plan(text: str, configs: Mapping[str, ImageConfig | None] | None = None) -> Plan:
    return plan(lex(text), frontend_image="f:1", build_args={}, known_versions=KNOWN, base_configs=configs)


def _kinds(planned: Plan) -> list[str]:
    return [type(step).__name__ for step in planned.steps]


def test_a_dockerfile_without_pyenv_lines_is_kept_line_for_line() -> None:
    planned = _plan("ARG V=1\nFROM python:3.12-slim AS a\nRUN echo\n")
    assert not planned.changed
    assert _kinds(planned) == ["Verbatim"] * 3
    assert planned.base_images == () and planned.global_args == {"V": "1"}


def test_one_pyenv_line_in_output_order() -> None:
    planned = _plan("FROM python:3.12-slim AS app\nRUN echo above\nPYENV 3.12 py\nRUN echo below\n")
    assert planned.changed
    assert _kinds(planned) == [
        "ToolsStage",
        "InterpreterStage",
        "StageHead",
        "Verbatim",
        "VenvStage",
        "Continuation",
        "Verbatim",
    ]
    tools, interpreter, head, above, venv, continuation, below = planned.steps
    assert isinstance(tools, ToolsStage) and isinstance(interpreter, InterpreterStage)
    assert isinstance(head, StageHead) and isinstance(venv, VenvStage) and isinstance(continuation, Continuation)
    assert interpreter.tools_stage == tools.stage == venv.tools_stage
    assert interpreter.interpreter.version == "3.12.7" and interpreter.interpreter.base_image == "python:3.12-slim"
    assert head.text == "FROM python:3.12-slim AS app-pyenv-0\n"
    assert venv.parent_stage == continuation.parent_stage == "app-pyenv-0"
    assert continuation.stage == "app" and continuation.extend_path
    assert continuation.new_interpreters == (interpreter.interpreter,)
    assert isinstance(above, Verbatim) and isinstance(below, Verbatim)
    assert [above.item.start_line, below.item.start_line] == [2, 4]
    assert [b.image for b in planned.base_images] == ["python:3.12-slim"]


def test_groups_split_a_stage_into_segments_with_comments_kept_before_the_block() -> None:
    text = "FROM python:3.12-slim\nPYENV 3.12 a\n# about b\nPYENV 3.11 b\nARG X\nPYENV 3.12 c\n"
    planned = _plan(text)
    assert _kinds(planned) == [
        "ToolsStage",
        "InterpreterStage",
        "InterpreterStage",
        "StageHead",
        "Verbatim",  # the comment between a and b
        "VenvStage",
        "VenvStage",
        "Continuation",
        "Verbatim",  # ARG X
        "VenvStage",
        "Continuation",
    ]
    continuations = [step for step in planned.steps if isinstance(step, Continuation)]
    assert [(c.parent_stage, c.stage) for c in continuations] == [
        ("stage-0-pyenv-0", "stage-0-pyenv-1"),
        ("stage-0-pyenv-1", "stage-0"),
    ]
    assert [len(c.new_interpreters) for c in continuations] == [2, 0]
    assert [c.extend_path for c in continuations] == [True, False]
    assert [a.keyword for a in continuations[1].replayed_args] == ["ARG"]


def test_a_stage_built_from_another_reuses_its_interpreter_and_path() -> None:
    text = "FROM python:3.12-slim AS one\nPYENV 3.12 a\nFROM one AS two\nPYENV 3.12 b\n"
    planned = _plan(text)
    assert len(planned.interpreter_stages) == 1
    second = [step for step in planned.steps if isinstance(step, Continuation)][1]
    assert second.new_interpreters == () and not second.extend_path
    assert second.stage == "two" and second.parent_stage == "two-pyenv-0"


def test_each_base_gets_its_own_interpreter_stage() -> None:
    text = "FROM python:3.12-slim AS one\nPYENV 3.12 a\nFROM debian:12 AS two\nPYENV 3.12 b\n"
    stages = [step.interpreter for step in _plan(text).interpreter_stages]
    assert [(s.base_image, s.stage) for s in stages] == [
        ("python:3.12-slim", "pyenv-python-3.12.7"),
        ("debian:12", "pyenv-python-3.12.7-1"),
    ]
    kinds = _kinds(_plan(text))
    assert kinds.index("InterpreterStage", 2) > kinds.index("Continuation"), "planned before its first use"


def test_the_astro_runtime_steps_wrap_the_pyenv_work() -> None:
    text = f"FROM {RUNTIME}\nPYENV 3.12 py\nCOPY dags/ dags/\n"
    planned = _plan(text, {RUNTIME: RUNTIME_CONFIG})
    assert _kinds(planned) == [
        "ToolsStage",
        "InterpreterStage",
        "StageHead",
        "AstroOnbuild",
        "VenvStage",
        "Continuation",
        "AstroProject",
        "Verbatim",
    ]
    onbuild, project = planned.steps[3], planned.steps[6]
    assert isinstance(onbuild, AstroOnbuild) and isinstance(project, AstroProject)
    assert onbuild.steps == RUNTIME_CONFIG.onbuild[:2] and project.steps == RUNTIME_CONFIG.onbuild[2:]
    (free,) = planned.onbuild_free
    assert free.image == RUNTIME
    assert planned.interpreter_stages[0].interpreter.base_image_text == free.context


# -- the phases ----------------------------------------------------------------------------------


def test_parse_groups_adjacent_pyenv_lines_and_ends_with_the_stage_scope() -> None:
    items = list(lex("FROM debian:12\nENV A=1\nPYENV 3.12 a\n\nPYENV 3.11 b\nRUN x\nPYENV 3.12 c\n").items)
    preamble, (stage,) = split_stages(items)
    scope = Scope("\\", {})
    from_ = scope.from_(stage[0])
    parsed = parse_stage(stage, from_, StageInfo(None, "debian:12", "debian:12", "", {}), 0, scope)
    assert [[line.pyenv.name for line in group.lines] for group in parsed.groups] == [["a", "b"], ["c"]]
    assert parsed.env == {"A": "1"}
    assert sorted(parsed.environments) == ["ASTRO_PYENV_a", "ASTRO_PYENV_b", "ASTRO_PYENV_c"]
    assert preamble == [] and parsed.stage_numbers == ()


def _query(image: str, *, is_root: bool = True, platform_flag: str = "") -> BaseQuery:
    (head,) = [item for item in lex(f"FROM {image}\n").items if isinstance(item, Instruction)]
    return BaseQuery(image, image, platform_flag, is_root, True, head, 2)


def test_resolve_uses_a_plain_image_as_is_whether_or_not_its_config_was_read() -> None:
    for configs in (None, {}, {"debian:12": ImageConfig()}):
        use, warnings = resolve_base(_query("debian:12"), configs, "\\", StageNames())
        assert (use.interpreter_base_text, use.head_image_text, use.astro_image, warnings) == (
            "debian:12",
            None,
            None,
            (),
        )


def test_resolve_a_runtime_image_from_its_config_names_a_context_once() -> None:
    names = StageNames()
    use, warnings = resolve_base(_query(RUNTIME), {RUNTIME: RUNTIME_CONFIG}, "\\", names)
    assert warnings == ()
    assert use.astro_image == RUNTIME and use.head_image_text == use.interpreter_base_text
    assert use.replay is not None and use.replay.after == ("COPY . .",)
    again, _ = resolve_base(_query(RUNTIME, is_root=False), {RUNTIME: RUNTIME_CONFIG}, "\\", names)
    assert again.interpreter_base_text == use.interpreter_base_text and again.astro_image is None
    assert names.onbuild_free == {RUNTIME: use.interpreter_base_text}


def test_resolve_a_runtime_image_by_name_uses_its_base_variant() -> None:
    use, warnings = resolve_base(_query(RUNTIME), {}, "\\", StageNames())
    assert use.interpreter_base_text == RUNTIME + "-base" and use.replay is None
    assert [w.line for w in warnings] == [1]


@pytest.mark.parametrize("name", ["pyenv-tools", "x"])
def test_names_are_unique_and_skip_names_in_use(name: str) -> None:
    names = StageNames()
    names.used = {name}
    assert [names.unique(name), names.unique(name)] == [f"{name}-2", f"{name}-3"]
