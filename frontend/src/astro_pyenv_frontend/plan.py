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

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

from . import astro_runtime, layout, prebuilt, syntax_directive
from .contract import BaseImageUse, ImageConfig, OnbuildFreeBase
from .errors import DockerfileError
from .instructions import (
    FromInstruction,
    parse_arg,
    parse_env,
    parse_from,
    rewrite_from,
    setting_value,
    stage_references,
)
from .lexer import Instruction, LexedDockerfile, Trivia, split_command
from .libc import Libc
from .pyenv_instruction import PyenvInstruction, parse_pyenv
from .stage_names import stage_name
from .variables import ExpansionError, NestingError, expand
from .versions import UnknownVersionError, resolve_version

__all__ = [
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

Item = Union[Instruction, Trivia]

# A pip cache shared between builds is opt-in: a build arg, or an ARG default before the first
# FROM (the Astro CLI passes no build args).  Unset, empty or "off": no cache.  Any other value
# names the cache: id ``astro-pyenv-pip-<value>``.
PIP_CACHE_ARG = "ASTRO_PYENV_PIP_CACHE"
_PIP_CACHE_OFF = {"", "off", "none", "no", "false", "0"}

# What BuildKit's strconv.Atoi takes as a stage index.
_STAGE_INDEX = re.compile(r"[+-]?[0-9]+\Z")


# -- what a plan holds -----------------------------------------------------------------------


@dataclass(frozen=True)
class Interpreter:
    """One CPython build: ``version`` compiled FROM ``base_image`` in stage ``stage``."""

    stage: str
    version: str
    base_image: str  # expanded
    base_image_text: str  # as written, valid in a FROM line
    platform_flag: str  # "--platform=<p> " or ""

    @property
    def prefix(self) -> str:
        return layout.interpreter_dir(self.version)

    @property
    def python(self) -> str:
        return layout.interpreter_python(self.version)


@dataclass(frozen=True)
class Environment:
    """One PYENV line: a venv named ``pyenv.name`` on ``interpreter``, built in ``stage``."""

    pyenv: PyenvInstruction
    version: str
    interpreter: Interpreter
    stage: str

    @property
    def name(self) -> str:
        return self.pyenv.name

    @property
    def python(self) -> str:
        return layout.venv_python(self.name)

    @property
    def variable(self) -> str:
        return layout.environment_variable(self.name)


@dataclass(frozen=True)
class PipCache:
    """The opt-in pip cache shared between builds: mount ``id``, its top directory seeded from
    ``seed_stage`` (empty and writable by every user, as BuildKit does not apply a mount mode)."""

    id: str
    seed_stage: str


@dataclass(frozen=True)
class PlanWarning:
    message: str
    line: int


# Steps, in output order.  Each knows the user's line its generated text stands for.


@dataclass(frozen=True)
class Verbatim:
    """A user line (or blank/comment) copied byte for byte."""

    item: Item


@dataclass(frozen=True)
class StageHead:
    """The user's FROM line of a stage with PYENV lines, renamed (and -base for Astro Runtime)."""

    item: Instruction
    text: str


@dataclass(frozen=True)
class ToolsStage:
    """The tools stage, and the stage after it that digests the venv steps' secrets (layout.py)."""

    stage: str
    line: int
    pip_cache: PipCache | None
    secrets_stage: str


@dataclass(frozen=True)
class InterpreterStage:
    """Compiles ``interpreter``; or, with ``image`` (``repo:tag@digest``), takes it prebuilt.
    Where the base is not seen first (the Buildah output, :mod:`.prebuilt_offer`), ``note`` says
    which and why, and ``floor`` is the oldest C library the image runs on, checked in the build."""

    interpreter: Interpreter
    tools_stage: str
    line: int
    image: str | None = None
    note: str | None = None
    floor: Libc | None = None


@dataclass(frozen=True)
class VenvStage:
    environment: Environment
    parent_stage: str
    tools_stage: str
    replayed_args: tuple[Instruction, ...]
    secrets_stage: str

    @property
    def line(self) -> int:
        return self.environment.pyenv.line


@dataclass(frozen=True)
class Continuation:
    """The stage after a group of PYENV lines: copies interpreters and venvs, sets variables."""

    environments: tuple[Environment, ...]
    parent_stage: str
    stage: str
    replayed_args: tuple[Instruction, ...]
    new_interpreters: tuple[Interpreter, ...]
    extend_path: bool

    @property
    def line(self) -> int:
        return self.environments[0].pyenv.line


@dataclass(frozen=True)
class AstroOnbuild:
    """The ONBUILD steps of an Astro Runtime image before its project copy, replayed after its
    -base variant's FROM: ``steps`` as read from the image, or None for our template's copy."""

    image: str
    line: int
    steps: tuple[str, ...] | None = None


@dataclass(frozen=True)
class AstroProject:
    """The Astro project copy (and the image's ONBUILD steps after it), after the PYENV work:
    ``steps`` as read from the image, or None for our template's copy.  ``before`` sets the
    image's USER, WORKDIR or SHELL for them where the user's lines above the PYENV work changed
    it; ``again`` are those user lines, written again after the steps."""

    line: int
    image: str = ""
    steps: tuple[str, ...] | None = None
    before: tuple[str, ...] = ()
    again: tuple[Instruction, ...] = ()


Step = Union[Verbatim, StageHead, ToolsStage, InterpreterStage, VenvStage, Continuation, AstroOnbuild, AstroProject]


@dataclass(frozen=True)
class Plan:
    """Everything the emitter and the gateway need; ``changed`` is False without PYENV lines."""

    steps: tuple[Step, ...]
    escape: str
    frontend_image: str
    pip_cache: PipCache | None
    changed: bool
    syntax_line: int | None  # the ``# syntax=`` directive's line: dropped from the output
    warnings: tuple[PlanWarning, ...] = ()
    base_images: tuple[BaseImageUse, ...] = ()  # the images whose configs the gateway reads
    onbuild_free: tuple[OnbuildFreeBase, ...] = ()  # build contexts the generated Dockerfile needs
    prebuilt_setting: str | None = ""  # see prebuilt.setting: None is off, "" the default
    custom_build_settings: tuple[str, ...] = ()  # python-build settings this build sets
    global_args: Mapping[str, str] = field(default_factory=dict)  # ARG values before the first FROM

    @property
    def interpreter_stages(self) -> tuple[InterpreterStage, ...]:
        return tuple(step for step in self.steps if isinstance(step, InterpreterStage))


def pip_cache_id(build_args: Mapping[str, str], global_args: Mapping[str, str]) -> str | None:
    """The cache mount id the venv stages share, or None (the default: no shared cache)."""
    value = setting_value(PIP_CACHE_ARG, build_args, global_args)
    if value.lower() in _PIP_CACHE_OFF:
        return None
    return "astro-pyenv-pip-" + (re.sub(r"[^A-Za-z0-9._-]+", "-", value).strip("-") or "x")


def plan(
    lexed: LexedDockerfile,
    *,
    frontend_image: str,
    build_args: Mapping[str, str],
    known_versions: Sequence[str],
    preferred_versions: Sequence[str] = (),
    interpreter_images: Mapping[tuple[str, str], str] | None = None,
    base_configs: Mapping[str, ImageConfig | None] | None = None,
) -> Plan:
    """Plan the plain Dockerfile for ``lexed``; raise :class:`DockerfileError` on bad input.

    ``interpreter_images`` maps (base image, version) to the prebuilt image that stands in for
    compiling that interpreter (the gateway decides; see :mod:`.prebuilt`).  ``base_configs``
    holds what the base images' configs say, as the gateway read them (see
    :class:`~.contract.TransformOptions`).
    """
    planner = _Planner(lexed, frontend_image, build_args, known_versions, interpreter_images or {})
    planner.base_configs = base_configs
    planner.preferred_versions = frozenset(preferred_versions)
    return planner.run()


# -- the planner ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Defined:
    """Where an environment of a stage (or of a stage it is built from) was defined."""

    name: str
    line: int
    stage_index: int
    stage: str | None


@dataclass(frozen=True)
class _StageInfo:
    """What later stages built FROM this one inherit."""

    name: str | None
    root_image: str  # expanded image of the first non-stage FROM in the chain
    root_image_text: str  # as written, valid in any FROM line
    platform_flag: str
    env: Mapping[str, str]  # ARG/ENV values at the stage's end
    interpreters: frozenset[str] = frozenset()  # interpreter stages already copied in
    path_extended: bool = False
    environments: Mapping[str, _Defined] = field(default_factory=dict)  # by image variable


@dataclass(frozen=True)
class _BaseUse:
    """How a stage with PYENV lines uses its root image: interpreters are compiled FROM
    ``interpreter_base_text`` (the image ``interpreter_base``, expanded, is what the gateway reads
    for them); ``head_image_text`` replaces the image in the user's FROM line (None: as written);
    with ``astro_image`` the ONBUILD steps of that image are replayed around the PYENV work
    (``replay``; None: our template's copy), after it with ``state``."""

    interpreter_base: str
    interpreter_base_text: str
    head_image_text: str | None = None
    astro_image: str | None = None
    replay: astro_runtime.OnbuildReplay | None = None
    state: astro_runtime.OnbuildState = astro_runtime.TEMPLATE_STATE


@dataclass(frozen=True)
class _PyenvLine:
    index: int  # position in the stage's items
    pyenv: PyenvInstruction


@dataclass(frozen=True)
class _Group:
    """Adjacent PYENV lines (only comments and blank lines between them)."""

    lines: tuple[_PyenvLine, ...]

    @property
    def first(self) -> int:
        return self.lines[0].index

    @property
    def last(self) -> int:
        return self.lines[-1].index


class _Planner:
    def __init__(
        self,
        lexed: LexedDockerfile,
        frontend_image: str,
        build_args: Mapping[str, str],
        known_versions: Sequence[str],
        interpreter_images: Mapping[tuple[str, str], str],
    ) -> None:
        self.interpreter_images = interpreter_images
        self.lexed = lexed
        self.escape = lexed.directives.escape
        self.frontend_image = frontend_image
        self.build_args = build_args
        self.known_versions = known_versions
        self.steps: list[Step] = []
        self.warnings: list[PlanWarning] = []
        self.stages: list[_StageInfo] = []
        self.global_args: dict[str, str] = {}
        self.used_names: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # per name given to _unique, the next "-N" to try
        self.stage_by_name: dict[str, int] = {}  # the last stage of each name, by index
        self.interpreters: dict[tuple[str, str, str], Interpreter] = {}
        self.interpreter_versions: set[str] = set()
        self.resolved: dict[str, str] = {}  # version spec -> definition name
        self.tools: ToolsStage | None = None
        self.pip_cache: PipCache | None = None
        self.base_configs: Mapping[str, ImageConfig | None] | None = None
        self.preferred_versions: frozenset[str] = frozenset()
        self.base_images: dict[str, BaseImageUse] = {}  # image -> its first use
        self.onbuild_free: dict[str, str] = {}  # image -> build context name
        self.stage_numbers: list[tuple[Instruction, str]] = []  # references to a stage by number

    def run(self) -> Plan:
        items = list(self.lexed.items)
        has_pyenv = any(isinstance(item, Instruction) and item.keyword == "PYENV" for item in items)
        if has_pyenv:
            # Lines the lexer may have split otherwise than BuildKit: refused before we act on them.
            for item in items:
                if isinstance(item, Instruction) and item.problem:
                    raise DockerfileError.at(item, item.problem)
        _reject_onbuild_pyenv(items)
        preamble, stages = _split_stages(items)
        for item in preamble:
            if isinstance(item, Instruction) and item.keyword == "PYENV":
                raise DockerfileError.at(
                    item, "PYENV must come after the first FROM: it adds a Python environment to a stage"
                )
        for item in preamble:
            if isinstance(item, Instruction) and item.keyword == "ARG":
                for decl in parse_arg(item, self.global_args, self.escape):
                    value = self.build_args.get(decl.name, decl.default)
                    if value is not None:
                        self.global_args[decl.name] = value
            self.steps.append(Verbatim(item))
        # Generated stage names must not clash with any name the user's lines use for a stage or an
        # image (a FROM or --from= naming an image would otherwise pick up our stage), later ones included.
        self.used_names = {name for name in (self._from(s[0]).stage_name for s in stages) if name}
        if has_pyenv:
            self.used_names |= _referenced_names(items, self.global_args, self.escape)
        changed = False
        for stage_items in stages:
            changed |= self._stage(stage_items)
        if changed:
            if self.stage_numbers:
                item, number = self.stage_numbers[0]
                raise DockerfileError.at(item, _msg_stage_number(item.keyword, number))
            self._check_prebuilt_setting()
            self._check_syntax_directive()
        return Plan(
            steps=tuple(self.steps),
            escape=self.escape,
            frontend_image=self.frontend_image,
            pip_cache=self.pip_cache,
            changed=changed,
            syntax_line=self.lexed.syntax_line,
            warnings=tuple(self.warnings),
            base_images=tuple(self.base_images.values()),
            onbuild_free=tuple(OnbuildFreeBase(context, image) for image, context in self.onbuild_free.items()),
            prebuilt_setting=prebuilt.setting(self.build_args, self.global_args),
            custom_build_settings=self._custom_build_settings(),
            global_args=dict(self.global_args),
        )

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
        head = items[0]
        assert isinstance(head, Instruction)
        from_ = self._from(head)
        parent = self._find_stage(from_.image)
        if parent is None:
            parent = _StageInfo(
                name=None,
                root_image=from_.image,
                root_image_text=from_.image_raw,
                platform_flag=f"--platform={from_.platform} " if from_.platform else "",
                env={},
            )
            is_root = True
        else:
            is_root = False
        index = len(self.stages)
        groups, env, environments = self._pyenv_groups(items, parent, index, from_.stage_name)
        info = _StageInfo(
            name=from_.stage_name,
            root_image=parent.root_image,
            root_image_text=parent.root_image_text,
            platform_flag=parent.platform_flag,
            env=env,
            interpreters=parent.interpreters,
            path_extended=parent.path_extended,
            environments=environments,
        )
        if from_.stage_name:
            self.stage_by_name[from_.stage_name] = index
        if not groups:
            self.stages.append(info)
            self.steps.extend(Verbatim(item) for item in items)
            return False
        self.stages.append(info)  # a placeholder while planning: user_name numbering counts it
        self.stages[index] = self._convert_stage(items, groups, info, from_, head, is_root, parent.env)
        return True

    def _pyenv_groups(
        self, items: list[Item], parent: _StageInfo, stage_index: int, stage_name: str | None
    ) -> tuple[list[_Group], dict[str, str], dict[str, _Defined]]:
        """Parse every PYENV line of a stage (in scope order) and group adjacent ones.

        Also returns the stage's variables and environments at its end, for stages built FROM it.
        """
        env = dict(parent.env)
        environments = dict(parent.environments)
        groups: list[list[_PyenvLine]] = []
        last_index = -2
        for index, item in enumerate(items):
            if not isinstance(item, Instruction):
                continue
            if item.keyword != "PYENV":
                self._note_stage_numbers(item, env)
                self._scope_step(item, env)
                continue
            pyenv = parse_pyenv(item, env, self.escape)
            variable = layout.environment_variable(pyenv.name)
            earlier = environments.get(variable)
            if earlier is not None:
                raise DockerfileError.at(item, _msg_name_taken(pyenv.name, earlier, earlier.stage_index == stage_index))
            environments[variable] = _Defined(pyenv.name, item.start_line, stage_index, stage_name)
            if groups and _only_trivia_between(items, last_index, index):
                groups[-1].append(_PyenvLine(index, pyenv))
            else:
                groups.append([_PyenvLine(index, pyenv)])
            last_index = index
        return [_Group(tuple(group)) for group in groups], env, environments

    def _convert_stage(
        self,
        items: list[Item],
        groups: list[_Group],
        info: _StageInfo,
        from_: FromInstruction,
        head: Instruction,
        is_root: bool,
        start_env: Mapping[str, str],
    ) -> _StageInfo:
        """Add the steps of a stage with PYENV lines; return what stages FROM it inherit."""
        base = self._base_use(info, is_root, head, groups[0].lines[0].pyenv.line)
        environments: list[tuple[Environment, ...]] = []
        for group in groups:
            planned = []
            for member in group.lines:
                version = self._resolve(member.pyenv, items[member.index])
                interpreter = self._interpreter(
                    base.interpreter_base, base.interpreter_base_text, info.platform_flag, version, member.pyenv.line
                )
                planned.append(
                    Environment(
                        pyenv=member.pyenv,
                        version=version,
                        interpreter=interpreter,
                        stage=self._unique(f"{layout.VENV_STAGE_PREFIX}{_slug(member.pyenv.name)}"),
                    )
                )
            environments.append(tuple(planned))

        user_name = info.name or self._unique(f"stage-{len(self.stages) - 1}")
        segments = [self._unique(f"{_slug(user_name)}-pyenv-{n}") for n in range(len(groups))]

        head_text = rewrite_from(head, self.escape, stage=segments[0], image=base.head_image_text)
        self.steps.append(StageHead(head, head_text))
        project: AstroProject | None = None
        if base.astro_image is not None:
            replay = base.replay
            self.steps.append(AstroOnbuild(base.astro_image, head.start_line, replay.before if replay else None))
            project = self._project(items, groups[-1].last, base, head, start_env, environments)

        stage_args: list[Instruction] = []
        group_at = {group.first: n for n, group in enumerate(groups)}
        # A group spans from its first to its last PYENV line; comments between them are
        # kept before the generated block, next to the lines they were written beside.
        in_group = {i for group in groups for i in range(group.first, group.last + 1)}
        interpreters_in_chain = set(info.interpreters)
        path_extended = info.path_extended
        for index, item in enumerate(items[1:], start=1):
            if index in group_at:
                n = group_at[index]
                group, envs = groups[n], environments[n]
                parent = segments[n]
                replayed = tuple(stage_args)
                self.steps.extend(
                    Verbatim(between) for between in items[group.first + 1 : group.last] if isinstance(between, Trivia)
                )
                tools = self._tools(envs[0].pyenv.line)
                self.steps.extend(
                    VenvStage(environment, parent, tools.stage, replayed, tools.secrets_stage) for environment in envs
                )
                new_interpreters = []
                for environment in envs:
                    if environment.interpreter.stage not in interpreters_in_chain:
                        interpreters_in_chain.add(environment.interpreter.stage)
                        new_interpreters.append(environment.interpreter)
                self.steps.append(
                    Continuation(
                        environments=envs,
                        parent_stage=parent,
                        stage=segments[n + 1] if n + 1 < len(groups) else user_name,
                        replayed_args=replayed,
                        new_interpreters=tuple(new_interpreters),
                        extend_path=not path_extended,
                    )
                )
                path_extended = True
                if project is not None and n == len(groups) - 1:
                    self.steps.append(project)
                continue
            if index in in_group:
                continue
            if isinstance(item, Instruction) and item.keyword == "ARG":
                stage_args.append(item)
            self.steps.append(Verbatim(item))
        return _StageInfo(
            name=info.name,
            root_image=info.root_image,
            root_image_text=info.root_image_text,
            platform_flag=info.platform_flag,
            env=info.env,
            interpreters=frozenset(interpreters_in_chain),
            path_extended=path_extended,
            environments=info.environments,
        )

    # -- the base image: what it is decides how it is used -----------------------

    def _base_use(self, info: _StageInfo, is_root: bool, head: Instruction, first_pyenv_line: int) -> _BaseUse:
        """How a stage with PYENV lines uses its root image (see :mod:`.astro_runtime`).

        Interpreters are compiled on the image without its ONBUILD steps (they would copy the
        project into the interpreter stage); the user's own FROM changes only when it names the
        image itself, not through another stage.
        """
        image, text = info.root_image, info.root_image_text
        first_use = image not in self.base_images
        if first_use:
            self.base_images[image] = BaseImageUse(image, head.start_line)
        as_is = _BaseUse(image, text)
        config = self.base_configs.get(image) if self.base_configs is not None else None
        if config is None:
            return self._base_by_name(info, is_root, head)
        if not astro_runtime.is_runtime(image, config):
            if config.onbuild and first_use:
                self._warn(astro_runtime.onbuild_warning(image, len(config.onbuild)), first_pyenv_line)
            return as_is
        if not config.onbuild:  # the image is its own -base
            if is_root:
                self._warn(astro_runtime.base_variant_warning(image) or astro_runtime.no_onbuild_warning(image), head)
            return as_is
        if info.platform_flag:  # the gateway supplies the image for the build's target platforms only
            return self._base_by_name(info, is_root, head, config)
        context = self._onbuild_free_context(image)
        if not is_root:
            return _BaseUse(image, context)
        replay = astro_runtime.split_onbuild(config.onbuild, self.escape)
        if isinstance(replay, str):
            self._warn(astro_runtime.used_as_written_warning(image, replay), head)
            return _BaseUse(image, context)
        state = astro_runtime.state_at_split(config, replay.before)
        return _BaseUse(image, context, context, image, replay, state)

    def _base_by_name(
        self, info: _StageInfo, is_root: bool, head: Instruction, config: ImageConfig | None = None
    ) -> _BaseUse:
        """Without the image's config (or for a FROM with --platform): only the public names are
        Astro Runtime images, and their ``-base`` variant stands in for the image without its
        ONBUILD steps, which are replayed from ``config`` (our template's copy without it)."""
        image, text = info.root_image, info.root_image_text
        runtime = astro_runtime.match(image)
        if runtime is None:
            if is_root and config is None and astro_runtime.may_be_runtime(image):
                if self.base_configs is None:
                    self._warn(astro_runtime.cli_warning(image), head)
                else:
                    self._warn(astro_runtime.not_recognised_warning(image, "its config could not be read"), head)
            elif is_root and config is not None:
                reason = "its FROM line names a --platform, and astro-pyenv supplies images without their ONBUILD"
                reason += " steps for the build's platforms only"
                self._warn(astro_runtime.used_as_written_warning(image, reason), head)
            return _BaseUse(image, text)
        if not runtime.needs_rewrite:
            if is_root:
                self._warn(astro_runtime.base_variant_warning(image), head)
            return _BaseUse(image, text)
        base, base_text = runtime.base_image, astro_runtime.base_variant_text(text)
        if not is_root:
            return _BaseUse(base, base_text)
        if config is None:
            if self.base_configs is not None:
                self._warn(astro_runtime.unread_warning(image), head)
            return _BaseUse(base, base_text, base_text, image, None, astro_runtime.TEMPLATE_STATE)
        replay = astro_runtime.split_onbuild(config.onbuild, self.escape)
        if isinstance(replay, str):
            self._warn(astro_runtime.used_as_written_warning(image, replay), head)
            return _BaseUse(base, base_text)
        state = astro_runtime.state_at_split(config, replay.before)
        return _BaseUse(base, base_text, base_text, image, replay, state)

    def _onbuild_free_context(self, image: str) -> str:
        """The build context the gateway supplies ``image`` under, without its ONBUILD steps."""
        if image not in self.onbuild_free:
            self.onbuild_free[image] = self._unique(layout.ONBUILD_FREE_CONTEXT)
        return self.onbuild_free[image]

    def _warn(self, message: str | None, where: Instruction | int) -> None:
        if message is not None:
            line = where if isinstance(where, int) else where.start_line
            self.warnings.append(PlanWarning(message, line))

    # -- the replayed steps after the PYENV work ---------------------------------

    def _project(
        self,
        items: list[Item],
        last_pyenv: int,
        base: _BaseUse,
        head: Instruction,
        start_env: Mapping[str, str],
        environments: Sequence[tuple[Environment, ...]],
    ) -> AstroProject:
        """The image's ONBUILD steps from its project copy on, run after the PYENV work with the
        WORKDIR, USER and SHELL they have in a plain build (where they run at FROM): the settings
        the user's lines above the PYENV work changed are set to the image's for these steps and
        back after them (the user's lines written again); a change that cannot be undone, or whose
        value cannot be told, is refused at its line (issue 22.1)."""
        image = base.astro_image or ""
        steps = base.replay.after if base.replay is not None else astro_runtime.TEMPLATE_PROJECT_STEPS
        needs = astro_runtime.observed(steps)
        above = [item for item in items[1:last_pyenv] if isinstance(item, Instruction) and item.keyword != "PYENV"]
        for item in above:
            if item.keyword in {"ENV", "ARG"} and "ENV" in needs:
                raise DockerfileError.at(item, astro_runtime.environment_message(item.keyword, image, needs["ENV"]))
        state = base.state
        values = {"USER": state.user, "WORKDIR": state.workdir}
        before: list[str] = []
        again: list[Instruction] = []
        for keyword in ("USER", "WORKDIR", "SHELL"):
            mine = [item for item in above if item.keyword == keyword]
            if not mine or keyword not in needs:
                continue
            if keyword == "SHELL":
                line = astro_runtime.shell_line(state.shell) if state.shell is not None else None
            else:
                value = values[keyword]
                written = astro_runtime.literal(value, self.escape) if value is not None else None
                line = f"{keyword} {written}" if written is not None else None
            if line is None:
                raise DockerfileError.at(mine[0], astro_runtime.unknown_setting_message(keyword, image, needs[keyword]))
            before.append(line)
            again.extend(mine)
        self._check_written_again(again, items, last_pyenv, start_env, environments, image)
        again.sort(key=lambda item: item.start_line)
        read_steps = base.replay.after if base.replay is not None else None
        return AstroProject(head.start_line, image, read_steps, tuple(before), tuple(again))

    def _check_written_again(
        self,
        again: Sequence[Instruction],
        items: list[Item],
        last_pyenv: int,
        start_env: Mapping[str, str],
        environments: Sequence[tuple[Environment, ...]],
        image: str,
    ) -> None:
        """A WORKDIR or USER line written again after the replayed steps must read as it did:
        no variable it uses may change between it and there."""
        if not again:
            return
        at_line: dict[int, dict[str, str]] = {}
        env = dict(start_env)
        for item in items[1:last_pyenv]:
            if isinstance(item, Instruction):
                at_line[item.start_line] = dict(env)
                if item.keyword != "PYENV":
                    self._scope_step(item, env)
        changed = "\x00astro-pyenv: changed"  # what PYENV sets, unlike anything the user writes
        env.update({environment.variable: changed for group in environments for environment in group})
        env["PATH"] = changed
        for item in again:
            if item.keyword == "SHELL":
                continue
            try:
                same = expand(item.args, at_line[item.start_line], self.escape).value == expand(
                    item.args, env, self.escape
                ).value
            except NestingError as exc:  # BuildKit reads it, we cannot tell whether it reads the same
                raise DockerfileError.at(item, f"{item.keyword}: {exc.message}") from None
            except ExpansionError:
                continue  # BuildKit says so at the line itself
            if not same:
                raise DockerfileError.at(item, astro_runtime.changed_variable_message(item.keyword, image))

    # -- interpreters ----------------------------------------------------------

    def _resolve(self, pyenv: PyenvInstruction, item: Item) -> str:
        """The definition ``pyenv.version`` stands for; once per spec (a resolution reads every
        definition pyenv knows, a thousand, and a Dockerfile may have thousands of PYENV lines;
        the known and preferred versions it also depends on are fixed for the plan)."""
        found = self.resolved.get(pyenv.version)
        if found is not None:
            return found
        try:
            found = resolve_version(pyenv.version, self.known_versions, self.preferred_versions)
        except UnknownVersionError as exc:
            raise DockerfileError.at(item, str(exc)) from None
        self.resolved[pyenv.version] = found
        return found

    def _interpreter(self, base: str, base_text: str, platform_flag: str, version: str, line: int) -> Interpreter:
        """The interpreter stage for (base, platform, version), planned at its first use."""
        key = (base, platform_flag, version)
        found = self.interpreters.get(key)
        if found is not None:
            return found
        if base.lower() == "scratch":
            raise DockerfileError(
                "PYENV needs an operating system to build Python on, but this stage is based on scratch", line
            )
        tools = self._tools(line)
        suffix = "" if version not in self.interpreter_versions else f"-{len(self.interpreters)}"
        self.interpreter_versions.add(version)
        stage = self._unique(f"{layout.INTERPRETER_STAGE_PREFIX}{_slug(version)}{suffix}")
        interpreter = Interpreter(stage, version, base, base_text, platform_flag)
        self.interpreters[key] = interpreter
        image = None if platform_flag else self.interpreter_images.get((base, version))
        self.steps.append(InterpreterStage(interpreter, tools.stage, line, image))
        return interpreter

    def _tools(self, line: int) -> ToolsStage:
        """The stage that mounts pyenv and our scripts (and the secrets digest after it), planned
        before its first use."""
        if self.tools is None:
            stage = self._unique(layout.TOOLS_STAGE)
            cache_id = pip_cache_id(self.build_args, self.global_args)
            if cache_id is not None:
                self.pip_cache = PipCache(cache_id, self._unique(f"{stage}-pip-cache"))
            secrets_stage = self._unique(layout.secrets_digest_stage(stage))
            self.tools = ToolsStage(stage, line, self.pip_cache, secrets_stage)
            self.steps.append(self.tools)
        return self.tools

    # -- scope -----------------------------------------------------------------

    def _scope_step(self, item: Instruction, env: dict[str, str]) -> None:
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

    def _note_stage_numbers(self, item: Instruction, env: Mapping[str, str]) -> None:
        """Remember where a flag names a stage by its number (generated stages shift numbers)."""
        for value in stage_references(item.keyword, item.args, self.escape):
            try:
                value = expand(value, env, self.escape).value
            except NestingError as exc:  # BuildKit reads it, we cannot tell which stage it names
                raise DockerfileError.at(item, f"{item.keyword}: {exc.message}") from None
            except ExpansionError:
                pass  # BuildKit reports it
            if _STAGE_INDEX.match(value):
                self.stage_numbers.append((item, value))

    def _from(self, item: Item) -> FromInstruction:
        assert isinstance(item, Instruction) and item.keyword == "FROM"
        return parse_from(item, self.global_args, self.escape)

    def _find_stage(self, image: str) -> _StageInfo | None:
        index = self.stage_by_name.get(image.lower())
        return None if index is None else self.stages[index]

    def _unique(self, name: str) -> str:
        """``name`` as a stage name no line uses yet, else with the first free ``-N`` (counting on
        from where the last call for ``name`` stopped, so that thousands of calls stay linear)."""
        candidate, n = stage_name(name), self.next_suffix.get(name, 2)
        while candidate in self.used_names:
            candidate = stage_name(name, f"-{n}")
            n += 1
        self.next_suffix[name] = n
        self.used_names.add(candidate)
        return candidate


# -- helpers ----------------------------------------------------------------------------------



def _split_stages(items: list[Item]) -> tuple[list[Item], list[list[Item]]]:
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


def _referenced_names(items: list[Item], global_args: Mapping[str, str], escape: str) -> set[str]:
    """Every word the user's lines may use as a stage or image name (lower-cased): FROM's words,
    and what the flags of COPY and RUN (ONBUILD ones too) name, as written and expanded."""
    names: set[str] = set()
    for item in items:
        if not isinstance(item, Instruction):
            continue
        if item.keyword == "FROM":
            names.update(word.lower() for word in item.args.split() if not word.startswith("--"))
            continue
        keyword, args = split_command(item.args) if item.keyword == "ONBUILD" else (item.keyword, item.args)
        for value in stage_references(keyword, args, escape):
            names.add(value.lower())
            try:
                names.add(expand(value, global_args, escape).value.lower())
            except ExpansionError:
                pass
    return names


def _only_trivia_between(items: list[Item], start: int, end: int) -> bool:
    return all(isinstance(item, Trivia) for item in items[start + 1 : end])


def _reject_onbuild_pyenv(items: list[Item]) -> None:
    """PYENV is ours, and a child build's frontend may not be: ONBUILD cannot carry it."""
    for item in items:
        if isinstance(item, Instruction) and item.keyword == "ONBUILD":
            trigger = item.args.split(None, 1)
            if trigger and trigger[0].upper() == "PYENV":
                raise DockerfileError.at(
                    item,
                    "ONBUILD PYENV is not supported: the image that runs the trigger may be built"
                    " without this frontend; write the PYENV line in the Dockerfile that builds FROM this image",
                )


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "x"


def _msg_name_taken(name: str, earlier: _Defined, same_stage: bool) -> str:
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


def _msg_stage_number(keyword: str, number: str) -> str:
    return (
        f"{keyword} refers to stage {number} by number; PYENV adds stages, so stage numbers"
        " shift: name the stage (FROM ... AS name) and refer to it by that name"
    )
