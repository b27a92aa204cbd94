"""Plan what a Dockerfile with PYENV lines becomes: pure, typed, and writes no text.

:func:`plan` walks the lexed Dockerfile once and returns a :class:`Plan`: the ordered steps of
the generated Dockerfile (user lines kept verbatim, generated stages), the interpreters and
environments they hold, and what the gateway needs to know (bases used as is, warnings).
:mod:`.emit` renders a plan into text; nothing here depends on templates.

What one user stage with PYENV lines becomes (docs/how-it-works.md draws it)::

    FROM --platform=$BUILDPLATFORM <frontend image> AS pyenv-tools   once: pyenv + scripts, mounted
    FROM <root base> AS pyenv-python-<ver>          once per (base, version): compile
    FROM <base> AS <stage>-pyenv-0                  the user's FROM, renamed
    ...user lines above the PYENV lines...
    FROM <stage>-pyenv-0 AS pyenv-venv-<name>       one per PYENV line: venv + pip
    FROM <stage>-pyenv-0 AS <stage>                 continuation, under the user's name
    COPY --link interpreter and venvs; ENV ASTRO_PYENV_<name>=...
    ...user lines below...

A venv stage branches from the state just above its PYENV line, so it sees what the user
installed there, while environments build in parallel and editing one requirements file
rebuilds one venv stage only.  Every user line other than PYENV is kept verbatim; the only
edits are the stage name of a FROM that holds PYENV lines and, for Astro Runtime images, the
image without its ONBUILD steps (a build context the gateway supplies, or the ``-base`` tag),
whose steps are replayed around the PYENV work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from . import layout, prebuilt, syntax_directive
from .contract import BaseImageUse, ImageConfig, OnbuildFreeBase
from .errors import DockerfileError
from .instructions import rewrite_from, setting_value
from .lexer import Instruction, LexedDockerfile, is_pyenv
from .planner.base_image import BaseQuery, BaseUse, resolve_base
from .planner.installer import installer_for
from .planner.names import StageNames, slug
from .planner.order import ResolvedStage, order_stage
from .planner.parse import (
    ParsedStage,
    PyenvLine,
    Scope,
    StageInfo,
    check_lines,
    check_preamble,
    msg_stage_number,
    parse_stage,
    referenced_names,
    split_stages,
)
from .planner.project import plan_project
from .planner.requirements import Includes, includes_for
from .planner.steps import (
    PIP_CACHE_ARG,
    AstroOnbuild,
    AstroProject,
    Continuation,
    Environment,
    Interpreter,
    InterpreterStage,
    Item,
    PipCache,
    Plan,
    PlanWarning,
    StageHead,
    Step,
    ToolsStage,
    VenvStage,
    Verbatim,
    pip_cache_id,
)
from .pyenv_instruction import PyenvInstruction
from .versions import UnknownVersionError, resolve_version

__all__ = [
    "PIP_CACHE_ARG",
    "AstroOnbuild",
    "AstroProject",
    "BaseImageUse",
    "Continuation",
    "Environment",
    "Interpreter",
    "InterpreterStage",
    "PipCache",
    "Plan",
    "PlanWarning",
    "StageHead",
    "Step",
    "ToolsStage",
    "VenvStage",
    "Verbatim",
    "pip_cache_id",
    "plan",
]


def plan(
    lexed: LexedDockerfile,
    *,
    frontend_image: str,
    build_args: Mapping[str, str],
    known_versions: Sequence[str],
    preferred_versions: Sequence[str] = (),
    interpreter_images: Mapping[tuple[str, str], str] | None = None,
    base_configs: Mapping[str, ImageConfig | None] | None = None,
    requirements_includes: Includes | None = None,
) -> Plan:
    """Plan the plain Dockerfile for ``lexed``; raise :class:`DockerfileError` on bad input.

    ``interpreter_images`` maps (base image, version) to the prebuilt image that stands in for
    compiling that interpreter (the gateway decides; see :mod:`.prebuilt`).  ``base_configs``
    holds what the base images' configs say, as the gateway read them (see
    :class:`~.contract.TransformOptions`).
    """
    facts = _Facts(
        frontend_image=frontend_image,
        known_versions=known_versions,
        preferred_versions=frozenset(preferred_versions),
        interpreter_images=interpreter_images or {},
        base_configs=base_configs,
        requirements_includes=requirements_includes or {},
    )
    return _Planner(lexed, build_args, facts).run()


@dataclass(frozen=True)
class _Facts:
    """What the plan depends on besides the Dockerfile and build args, fixed for the plan."""

    frontend_image: str
    known_versions: Sequence[str]
    preferred_versions: frozenset[str]
    interpreter_images: Mapping[tuple[str, str], str]
    base_configs: Mapping[str, ImageConfig | None] | None  # None: the gateway read none (the CLI)
    requirements_includes: Includes  # what each requirements file includes, as read (planner/requirements.py)


class _Planner:
    """Runs the phases over the stages in turn: each stage is parsed, then (with PYENV lines)
    resolved and ordered; what a stage ends with is what stages FROM it start from."""

    def __init__(self, lexed: LexedDockerfile, build_args: Mapping[str, str], facts: _Facts) -> None:
        self.lexed = lexed
        self.escape = lexed.directives.escape
        self.build_args = build_args
        self.facts = facts
        self.scope = Scope(self.escape, build_args)
        self.names = StageNames()
        self.steps: list[Step] = []
        self.warnings: list[PlanWarning] = []
        self.stages: list[StageInfo] = []
        self.stage_by_name: dict[str, int] = {}  # the last stage of each name, by index
        self.stage_numbers: list[tuple[Instruction, str]] = []  # references to a stage by number
        self.interpreters: dict[tuple[str, str, str], Interpreter] = {}
        self.interpreter_versions: set[str] = set()
        self.resolved: dict[str, str] = {}  # version spec -> definition name
        self.tools: ToolsStage | None = None
        self.pip_cache: PipCache | None = None
        self.base_images: dict[str, BaseImageUse] = {}  # image -> its first use

    @property
    def global_args(self) -> dict[str, str]:
        return self.scope.global_args

    def run(self) -> Plan:
        items = list(self.lexed.items)
        has_pyenv = any(is_pyenv(item) for item in items)
        check_lines(items, has_pyenv)
        preamble, stages = split_stages(items)
        check_preamble(preamble)
        for item in preamble:
            if isinstance(item, Instruction) and item.keyword == "ARG":
                self.scope.declare_global(item)
            self.steps.append(Verbatim(item))
        # Generated stage names must not clash with any name the user's lines use for a stage or an
        # image (a FROM or --from= naming an image would otherwise pick up our stage), later ones included.
        self.names.used = {name for name in (self.scope.from_(s[0]).stage_name for s in stages) if name}
        if has_pyenv:
            self.names.used |= referenced_names(items, self.global_args, self.escape)
        changed = False
        for stage_items in stages:
            changed |= self._stage(stage_items)
        if changed:
            self._check_changed()
        return self._plan(changed)

    def _plan(self, changed: bool) -> Plan:
        return Plan(
            steps=tuple(self.steps),
            escape=self.escape,
            frontend_image=self.facts.frontend_image,
            pip_cache=self.pip_cache,
            changed=changed,
            syntax_line=self.lexed.syntax_line,
            warnings=tuple(self.warnings),
            base_images=tuple(self.base_images.values()),
            onbuild_free=tuple(OnbuildFreeBase(context, image) for image, context in self.names.onbuild_free.items()),
            prebuilt_setting=prebuilt.setting(self.build_args, self.global_args),
            custom_build_settings=self._custom_build_settings(),
            global_args=dict(self.global_args),
        )

    def _check_changed(self) -> None:
        """What only matters once the Dockerfile changes: stage numbers, settings, the syntax line."""
        if self.stage_numbers:
            item, number = self.stage_numbers[0]
            raise DockerfileError.at(item, msg_stage_number(item.keyword, number))
        self._check_prebuilt_setting()
        self._check_syntax_directive()

    def _check_prebuilt_setting(self) -> None:
        repository = prebuilt.setting(self.build_args, self.global_args)
        if repository and not prebuilt.valid_repository(repository):
            first = next(s.line for s in self.steps if isinstance(s, (InterpreterStage, VenvStage)))
            raise DockerfileError(
                f"{prebuilt.PREBUILT_ARG}={repository!r} is neither a repository (host[:port]/path, no tag)"
                " nor off",
                first,
            )

    def _check_syntax_directive(self) -> None:
        """A ``# syntax=`` naming BuildKit's Dockerfile frontend: this build reached us some other way
        (the BUILDKIT_SYNTAX build arg), one without fails at the first PYENV line; say so there."""
        syntax = self.lexed.directives.syntax
        if syntax is not None and syntax_directive.names_dockerfile_frontend(syntax):
            first = next(step.line for step in self.steps if isinstance(step, VenvStage))
            origin = f"# syntax={syntax} (line {self.lexed.syntax_line})"
            self.warnings.append(PlanWarning(syntax_directive.msg_pyenv_unknown_to(origin), first))

    def _custom_build_settings(self) -> tuple[str, ...]:
        """The python-build settings the interpreter stages' ARGs receive, non-empty."""
        return tuple(
            name for name in prebuilt.BUILD_SETTING_ARGS if setting_value(name, self.build_args, self.global_args)
        )

    # -- stages ----------------------------------------------------------------

    def _stage(self, items: list[Item]) -> bool:
        """Plan one stage; return whether it holds PYENV lines."""
        from_ = self.scope.from_(items[0])
        found = self.stage_by_name.get(from_.image.lower())
        is_root = found is None
        if found is None:
            platform_flag = f"--platform={from_.platform} " if from_.platform else ""
            parent = StageInfo(None, from_.image, from_.image_raw, platform_flag, {})
        else:
            parent = self.stages[found]
        index = len(self.stages)
        parsed = parse_stage(items, from_, parent, index, self.scope)
        self.stage_numbers.extend(parsed.stage_numbers)
        info = StageInfo(
            name=from_.stage_name,
            root_image=parent.root_image,
            root_image_text=parent.root_image_text,
            platform_flag=parent.platform_flag,
            env=parsed.env,
            interpreters=parent.interpreters,
            path_extended=parent.path_extended,
            environments=parsed.environments,
        )
        if from_.stage_name:
            self.stage_by_name[from_.stage_name] = index
        self.stages.append(info)
        if not parsed.groups:
            self.steps.extend(Verbatim(item) for item in items)
            return False
        self._convert_stage(parsed, info, index, is_root, parent.env)
        return True

    def _convert_stage(
        self, parsed: ParsedStage, info: StageInfo, index: int, is_root: bool, start_env: Mapping[str, str]
    ) -> None:
        """Resolve a stage with PYENV lines, then add its steps in order (and what it holds at its
        end to ``self.stages``).  Names are handed out in the order of the lines they stand for."""
        head, groups = parsed.head, parsed.groups
        image = info.root_image
        first_use = image not in self.base_images
        if first_use:
            self.base_images[image] = BaseImageUse(image, head.start_line)
        first_line = groups[0].lines[0].pyenv.line
        query = BaseQuery(image, info.root_image_text, info.platform_flag, is_root, first_use, head, first_line)
        base, warnings = resolve_base(query, self.facts.base_configs, self.escape, self.names)
        self.warnings.extend(warnings)
        had_tools = self.tools is not None
        new_interpreters: list[InterpreterStage] = []
        environments = tuple(
            tuple(self._environment(parsed, member, base, info, new_interpreters) for member in group.lines)
            for group in groups
        )
        user_name = info.name or self.names.unique(f"stage-{index}")
        segments = tuple(self.names.unique(f"{slug(user_name)}-pyenv-{n}") for n in range(len(groups)))
        head_text = rewrite_from(head, self.escape, stage=segments[0], image=base.head_image_text)
        project = None
        if base.astro_image is not None:
            project = plan_project(parsed.items, groups[-1].last, base, head, start_env, environments, self.scope)
        assert self.tools is not None  # every environment has an interpreter, planned with the tools
        resolved = ResolvedStage(
            items=parsed.items,
            groups=groups,
            environments=environments,
            segments=segments,
            user_name=user_name,
            head_text=head_text,
            base=base,
            project=project,
            tools=self.tools,
            interpreters=info.interpreters,
            path_extended=info.path_extended,
        )
        ordered = order_stage(resolved)
        # The stages this one is the first to use come before it: the tools, then its interpreters.
        if not had_tools:
            self.steps.append(self.tools)
        self.steps.extend(new_interpreters)
        self.steps.extend(ordered.steps)
        self.stages[index] = replace(info, interpreters=ordered.interpreters, path_extended=ordered.path_extended)

    # -- interpreters and environments -------------------------------------------

    def _environment(
        self, parsed: ParsedStage, member: PyenvLine, base: BaseUse, info: StageInfo, new: list[InterpreterStage]
    ) -> Environment:
        """One PYENV line's environment; an interpreter stage it is the first to use goes to ``new``."""
        pyenv, item = member.pyenv, parsed.items[member.index]
        version = self._resolve(pyenv, item)
        interpreter = self.interpreters.get((base.interpreter_base, info.platform_flag, version))
        if interpreter is None:
            step = self._new_interpreter(
                base.interpreter_base, base.interpreter_base_text, info.platform_flag, version, pyenv.line
            )
            new.append(step)
            interpreter = step.interpreter
        stage = self.names.unique(f"{layout.VENV_STAGE_PREFIX}{slug(pyenv.name)}")
        installer = installer_for(pyenv, item, version, self.build_args, self.global_args)
        includes = includes_for(pyenv, item, self.facts.requirements_includes)
        return Environment(pyenv, version, interpreter, stage, installer, includes)

    def _resolve(self, pyenv: PyenvInstruction, item: Item) -> str:
        """The definition ``pyenv.version`` stands for; once per spec (a resolution reads every
        definition pyenv knows, a thousand, and a Dockerfile may have thousands of PYENV lines;
        the known and preferred versions it also depends on are fixed for the plan)."""
        found = self.resolved.get(pyenv.version)
        if found is not None:
            return found
        try:
            found = resolve_version(pyenv.version, self.facts.known_versions, self.facts.preferred_versions)
        except UnknownVersionError as exc:
            raise DockerfileError.at(item, str(exc)) from None
        self.resolved[pyenv.version] = found
        return found

    def _new_interpreter(
        self, base: str, base_text: str, platform_flag: str, version: str, line: int
    ) -> InterpreterStage:
        """The interpreter stage for (base, platform, version), planned at its first use."""
        if base.lower() == "scratch":
            raise DockerfileError(
                "PYENV needs an operating system to build Python on, but this stage is based on scratch", line
            )
        tools = self._tools(line)
        suffix = "" if version not in self.interpreter_versions else f"-{len(self.interpreters)}"
        self.interpreter_versions.add(version)
        stage = self.names.unique(f"{layout.INTERPRETER_STAGE_PREFIX}{slug(version)}{suffix}")
        interpreter = Interpreter(stage, version, base, base_text, platform_flag)
        self.interpreters[(base, platform_flag, version)] = interpreter
        image = None if platform_flag else self.facts.interpreter_images.get((base, version))
        return InterpreterStage(interpreter, tools.stage, line, image)

    def _tools(self, line: int) -> ToolsStage:
        """The stage that mounts pyenv and our scripts (and the secrets digest after it), named
        at its first use."""
        if self.tools is None:
            stage = self.names.unique(layout.TOOLS_STAGE)
            cache_id = pip_cache_id(self.build_args, self.global_args)
            if cache_id is not None:
                self.pip_cache = PipCache(cache_id, self.names.unique(f"{stage}-pip-cache"))
            secrets_stage = self.names.unique(layout.secrets_digest_stage(stage))
            self.tools = ToolsStage(stage, line, self.pip_cache, secrets_stage)
        return self.tools
