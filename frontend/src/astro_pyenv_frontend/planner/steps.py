"""What a plan holds: the steps of the generated Dockerfile, in output order, and the plan itself.

Plain frozen data, written by the planner's phases and read by :mod:`..emit`, the gateway and tests.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Union

from .. import layout
from ..contract import BaseImageUse, OnbuildFreeBase
from ..instructions import setting_value
from ..lexer import Instruction, Trivia
from ..libc import Libc
from ..pyenv_instruction import PyenvInstruction
from ..pyenv_values import is_pylock, is_uv_lock

Item = Union[Instruction, Trivia]

# A pip cache shared between builds is opt-in: a build arg, or an ARG default before the first
# FROM (the Astro CLI passes no build args).  Unset, empty or "off": no cache.  Any other value
# names the cache: id ``astro-pyenv-pip-<value>``.
PIP_CACHE_ARG = "ASTRO_PYENV_PIP_CACHE"
_PIP_CACHE_OFF = {"", "off", "none", "no", "false", "0"}


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
    installer: str = "pip"  # what installs into the venv (planner/installer.py)
    includes: tuple[str, ...] = ()  # what the requirements file includes (planner/requirements.py)

    @property
    def name(self) -> str:
        return self.pyenv.name

    @property
    def python(self) -> str:
        return layout.venv_python(self.name)

    @property
    def requirements_files(self) -> tuple[tuple[str, str], ...]:
        """(path in the build context, where the venv step finds it): the requirements file, then
        each file it includes."""
        if self.pyenv.requirements is None:
            return ()
        included = tuple((path, layout.context_mount(path)) for path in self.includes)
        return ((self.pyenv.requirements, self.requirements_mount), *included)

    @property
    def needs_uv(self) -> bool:
        """Whether the venv step needs the frontend image's uv: it installs, or exports a uv.lock."""
        requirements = self.pyenv.requirements
        return self.installer == "uv" or (requirements is not None and is_uv_lock(requirements))

    @property
    def requirements_mount(self) -> str:
        """Where the venv step finds the requirements file: a pylock.toml keeps its kind of name;
        one with includes is where they find it, at its path in the build context."""
        requirements = self.pyenv.requirements
        if requirements and self.includes:
            return layout.context_mount(requirements)
        return layout.PYLOCK_MOUNT if requirements and is_pylock(requirements) else layout.REQUIREMENTS_MOUNT

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

