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
``-base`` tag.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Union

from . import astro_runtime, layout, prebuilt
from .contract import BaseImageUse
from .errors import DockerfileError
from .instructions import FromInstruction, parse_arg, parse_env, parse_from, setting_value
from .lexer import Instruction, LexedDockerfile, Trivia
from .libc import Libc
from .pyenv_instruction import PyenvInstruction, parse_pyenv
from .stage_names import stage_name
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

_NUMERIC_FROM = re.compile(r"(?:^|[\s,])--from=(\d+)(?=[\s,]|$)|(?:^|[\s,])from=(\d+)(?=[\s,]|$)")
_MAY_NAME_A_STAGE = frozenset({"COPY", "ADD", "RUN", "ONBUILD"})
_FROM_WORD = re.compile(r"(?:^|[\s,])-?-?from=([^\s,]+)", re.IGNORECASE)


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
    ``steps`` as read from the image, or None for our template's copy."""

    line: int
    image: str = ""
    steps: tuple[str, ...] | None = None


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
    pyenv_bases: tuple[BaseImageUse, ...] = ()
    warnings: tuple[PlanWarning, ...] = ()
    runtime_images: tuple[BaseImageUse, ...] = ()  # Astro Runtime images whose ONBUILD steps to read
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
    runtime_onbuild: Mapping[str, Sequence[str] | None] | None = None,
) -> Plan:
    """Plan the plain Dockerfile for ``lexed``; raise :class:`DockerfileError` on bad input.

    ``interpreter_images`` maps (base image, version) to the prebuilt image that stands in for
    compiling that interpreter (the gateway decides; see :mod:`.prebuilt`).  ``runtime_onbuild``
    holds the ONBUILD steps of Astro Runtime images as the gateway read them (see
    :class:`~.contract.TransformOptions`).
    """
    planner = _Planner(lexed, frontend_image, build_args, known_versions, interpreter_images or {})
    planner.runtime_onbuild = runtime_onbuild
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
        self.pyenv_bases: list[BaseImageUse] = []
        self.warnings: list[PlanWarning] = []
        self.stages: list[_StageInfo] = []
        self.global_args: dict[str, str] = {}
        self.used_names: set[str] = set()
        self.interpreters: dict[tuple[str, str, str], Interpreter] = {}
        self.tools: ToolsStage | None = None
        self.pip_cache: PipCache | None = None
        self.runtime_onbuild: Mapping[str, Sequence[str] | None] | None = None
        self.preferred_versions: frozenset[str] = frozenset()
        self.runtime_images: list[BaseImageUse] = []

    def run(self) -> Plan:
        items = list(self.lexed.items)
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
        if any(isinstance(item, Instruction) and item.keyword == "PYENV" for item in items):
            self.used_names |= _referenced_names(items)
        changed = False
        for stage_items in stages:
            changed |= self._stage(stage_items)
        if changed:
            _reject_numeric_stage_refs(items)
            self._check_prebuilt_setting()
        return Plan(
            steps=tuple(self.steps),
            escape=self.escape,
            frontend_image=self.frontend_image,
            pip_cache=self.pip_cache,
            changed=changed,
            syntax_line=_syntax_line(self.lexed),
            pyenv_bases=tuple(self.pyenv_bases),
            warnings=tuple(self.warnings),
            runtime_images=tuple(self.runtime_images),
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
        if not groups:
            self.stages.append(info)
            self.steps.extend(Verbatim(item) for item in items)
            return False
        self.stages.append(info)  # a placeholder while planning: user_name numbering counts it
        self.stages[index] = self._convert_stage(items, groups, info, from_, head, is_root)
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
    ) -> _StageInfo:
        """Add the steps of a stage with PYENV lines; return what stages FROM it inherit."""
        # Astro Runtime: interpreters always build FROM the -base variant (its ONBUILD steps would
        # copy the project into the interpreter stage); the user's own FROM is switched only
        # when it names the image itself, not through another stage.
        runtime = astro_runtime.match(info.root_image)
        interpreter_base, interpreter_base_text = info.root_image, info.root_image_text
        if runtime is not None and runtime.needs_rewrite:
            interpreter_base_text = astro_runtime.base_variant_text(info.root_image_text)
            interpreter_base = runtime.base_image
        astro = runtime if is_root and runtime is not None and runtime.needs_rewrite else None
        if is_root and runtime is not None and not runtime.needs_rewrite:
            warning = astro_runtime.base_variant_warning(runtime.image)
            if warning is not None:
                self.warnings.append(PlanWarning(warning, head.start_line))
        replay: astro_runtime.OnbuildReplay | None = None
        used_as_written = False  # an Astro Runtime image whose ONBUILD steps cannot be split
        if astro is not None:
            replay, used_as_written = self._onbuild_replay(astro.image, head.start_line)
            if used_as_written:
                astro = None
        root_image, root_image_text = info.root_image, info.root_image_text
        if astro is not None:
            root_image, root_image_text = interpreter_base, interpreter_base_text
        elif not used_as_written and all(base.image != info.root_image for base in self.pyenv_bases):
            self.pyenv_bases.append(BaseImageUse(info.root_image, groups[0].lines[0].pyenv.line))

        environments: list[tuple[Environment, ...]] = []
        for group in groups:
            planned = []
            for member in group.lines:
                version = self._resolve(member.pyenv, items[member.index])
                interpreter = self._interpreter(
                    interpreter_base, interpreter_base_text, info.platform_flag, version, member.pyenv.line
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

        head_text = head.raw
        if astro is not None:
            head_text = astro_runtime.rewrite_from(head_text, from_.image_raw)
        self.steps.append(StageHead(head, _rename_stage(head_text, info.name, segments[0])))
        if astro is not None:
            self.steps.append(AstroOnbuild(astro.image, head.start_line, replay.before if replay else None))

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
                if astro is not None and n == len(groups) - 1:
                    # Its lines point at the FROM line: the steps are the image's, not the PYENV line's.
                    self.steps.append(AstroProject(head.start_line, astro.image, replay.after if replay else None))
                continue
            if index in in_group:
                continue
            if isinstance(item, Instruction) and item.keyword == "ARG":
                stage_args.append(item)
            self.steps.append(Verbatim(item))
        return _StageInfo(
            name=info.name,
            root_image=root_image,
            root_image_text=root_image_text,
            platform_flag=info.platform_flag,
            env=info.env,
            interpreters=frozenset(interpreters_in_chain),
            path_extended=path_extended,
            environments=info.environments,
        )

    def _onbuild_replay(self, image: str, line: int) -> tuple[astro_runtime.OnbuildReplay | None, bool]:
        """How to replay ``image``'s ONBUILD steps: (split steps, or None for the template; whether
        the image is instead used as written, its steps running at FROM as BuildKit runs them)."""
        if all(use.image != image for use in self.runtime_images):
            self.runtime_images.append(BaseImageUse(image, line))
        if self.runtime_onbuild is None or image not in self.runtime_onbuild:
            return None, False  # nothing was read (the CLI, or the gateway's first pass)
        triggers = self.runtime_onbuild[image]
        if triggers is None:
            self.warnings.append(PlanWarning(astro_runtime.unread_warning(image), line))
            return None, False
        if not triggers:  # nothing to replay: the image is its own -base
            self.warnings.append(PlanWarning(astro_runtime.no_onbuild_warning(image), line))
            return None, True
        replay = astro_runtime.split_onbuild(triggers, self.escape)
        if isinstance(replay, str):
            self.warnings.append(PlanWarning(astro_runtime.used_as_written_warning(image, replay), line))
            return None, True
        return replay, False

    # -- interpreters ----------------------------------------------------------

    def _resolve(self, pyenv: PyenvInstruction, item: Item) -> str:
        try:
            return resolve_version(pyenv.version, self.known_versions, self.preferred_versions)
        except UnknownVersionError as exc:
            raise DockerfileError.at(item, str(exc)) from None

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
        suffix = "" if not any(k[2] == version for k in self.interpreters) else f"-{len(self.interpreters)}"
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

    def _from(self, item: Item) -> FromInstruction:
        assert isinstance(item, Instruction) and item.keyword == "FROM"
        return parse_from(item, self.global_args, self.escape)

    def _find_stage(self, image: str) -> _StageInfo | None:
        wanted = image.lower()
        for info in reversed(self.stages):
            if info.name == wanted:
                return info
        return None

    def _unique(self, name: str) -> str:
        candidate, n = stage_name(name), 2
        while candidate in self.used_names:
            candidate = stage_name(name, f"-{n}")
            n += 1
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


def _syntax_line(lexed: LexedDockerfile) -> int | None:
    """The line of the ``# syntax=`` directive: the plain Dockerfile is for BuildKit's own frontend."""
    if lexed.directives.syntax is None:
        return None
    for item in lexed.items:
        if isinstance(item, Trivia) and item.start_line in lexed.directive_lines and _is_syntax_line(item.raw):
            return item.start_line
    return None


def _is_syntax_line(text: str) -> bool:
    body = text.lstrip("\ufeff").strip().lstrip("#").strip().lower()
    return body.replace(" ", "").startswith("syntax=")


def _referenced_names(items: list[Item]) -> set[str]:
    """Every word the user's lines may use as a stage or image name (lower-cased, as written)."""
    names: set[str] = set()
    for item in items:
        if not isinstance(item, Instruction):
            continue
        if item.keyword == "FROM":
            names.update(word.lower() for word in item.args.split() if not word.startswith("--"))
        elif item.keyword in _MAY_NAME_A_STAGE and "from=" in item.args.lower():
            names.update(match.group(1).strip("'\"").lower() for match in _FROM_WORD.finditer(item.args))
    return names


def _only_trivia_between(items: list[Item], start: int, end: int) -> bool:
    return all(isinstance(item, Trivia) for item in items[start + 1 : end])


def _rename_stage(raw: str, name: str | None, new_name: str) -> str:
    """Give the FROM line ``raw`` the stage name ``new_name``, keeping all else."""
    if name is not None:
        pattern = re.compile(r"(\b[Aa][Ss][ \t]+)" + re.escape(name) + r"(?=[ \t]*(?:\r?\n|$))", re.IGNORECASE)
        matches = list(pattern.finditer(raw))
        if matches:
            match = matches[-1]
            return raw[: match.start()] + match.group(1) + new_name + raw[match.end() :]
    body = raw.rstrip("\r\n")
    return body + f" AS {new_name}" + raw[len(body) :]


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


def _reject_numeric_stage_refs(items: list[Item]) -> None:
    """Generated stages shift stage numbers, so `--from=<number>` would point elsewhere."""
    for item in items:
        if isinstance(item, Instruction) and item.keyword in {"COPY", "ADD", "RUN"}:
            match = _NUMERIC_FROM.search(item.args)
            if match:
                number = match.group(1) or match.group(2)
                raise DockerfileError.at(
                    item,
                    f"{item.keyword} refers to stage {number} by number; PYENV adds stages, so stage numbers"
                    " shift: name the stage (FROM ... AS name) and refer to it by that name",
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
