"""Plan and emit the plain Dockerfile for a lexed Dockerfile with PYENV lines.

Layout of what one user stage with PYENV lines becomes (the README draws it)::

    FROM <frontend image> AS pyenv-tools            once: pyenv + scripts, mounted
    FROM <root base> AS pyenv-python-<ver>          once per (base, version): compile
    FROM <base> AS <stage>-pyenv-0                  the user's FROM, renamed
    ...user lines above the PYENV lines...
    FROM <stage>-pyenv-0 AS pyenv-venv-<name>       one per PYENV line: venv + pip
    FROM <stage>-pyenv-0 AS <stage>                 continuation, under the user's name
    COPY --link interpreter and venvs; ENV ASTRO_PYENV_<name>=...
    ...user lines below...

A venv stage branches from the state just above its PYENV line, so it sees
what the user installed there, while environments build in parallel and
editing one requirements file rebuilds one venv stage only.  Every user line
other than PYENV is emitted verbatim; the only edits are the stage name of a
FROM that holds PYENV lines and, for Astro Runtime images, the ``-base`` tag.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Mapping, Sequence, Union

from . import astro_runtime, render
from .errors import DockerfileError
from .instructions import FromInstruction, parse_arg, parse_env, parse_from
from .lexer import Instruction, LexedDockerfile, Trivia
from .pyenv_instruction import PyenvInstruction, parse_pyenv
from .stage_names import stage_name
from .versions import UnknownVersionError, major_minor, resolve_version

Item = Union[Instruction, Trivia]

VENV_ROOT = "/opt/astro-pyenv/venvs"
PYTHON_ROOT = "/opt/astro-pyenv/python"
TOOLS_STAGE = "pyenv-tools"

_LINE = re.compile(r"[^\n]*\n|[^\n]+\Z")
_NUMERIC_FROM = re.compile(r"(?:^|[\s,])--from=(\d+)(?=[\s,]|$)|(?:^|[\s,])from=(\d+)(?=[\s,]|$)")


@dataclass(frozen=True)
class Chunk:
    """A piece of output text; ``source_lines`` holds one entry per line."""

    text: str
    source_lines: tuple[int | None, ...]


@dataclass(frozen=True)
class Interpreter:
    stage: str
    version: str


@dataclass(frozen=True)
class Environment:
    pyenv: PyenvInstruction
    version: str
    interpreter: Interpreter
    stage: str

    @property
    def name(self) -> str:
        return self.pyenv.name

    @property
    def python(self) -> str:
        return f"{VENV_ROOT}/{self.name}/bin/python"


@dataclass
class _StageInfo:
    """What later stages need to know about an earlier one."""

    name: str | None
    root_image: str  # expanded image of the first non-stage FROM in the chain
    root_image_text: str  # as written, valid in any FROM line
    platform_flag: str
    env: dict[str, str]
    interpreters: frozenset[str] = frozenset()
    path_extended: bool = False


@dataclass
class Converter:
    """Walks the lexed Dockerfile once and collects output chunks."""

    lexed: LexedDockerfile
    frontend_image: str
    build_args: Mapping[str, str]
    known_versions: Sequence[str]
    chunks: list[Chunk] = field(default_factory=list)
    # (image, first PYENV line) for stages whose base is used as is: its ONBUILD steps, if any,
    # run before the PYENV work (Astro Runtime images are switched to -base instead).
    pyenv_bases: list[tuple[str, int]] = field(default_factory=list)
    # (image, FROM line) of PYENV stages FROM an Astro Runtime -base image: it lacks the project steps.
    runtime_base_froms: list[tuple[str, int]] = field(default_factory=list)
    _interpreters: dict[tuple[str, str, str], Interpreter] = field(default_factory=dict)
    _stages: list[_StageInfo] = field(default_factory=list)
    _global_args: dict[str, str] = field(default_factory=dict)
    _used_names: set[str] = field(default_factory=set)
    _tools_emitted: bool = False
    _pyenv_uses_variables: bool = True

    @property
    def _escape(self) -> str:
        return self.lexed.directives.escape

    # -- entry -----------------------------------------------------------------

    def run(self) -> bool:
        """Fill ``chunks``; return whether any PYENV line was converted."""
        items = list(self.lexed.items)
        # Tracking ARG and ENV values costs most of the time on long Dockerfiles; only
        # PYENV arguments ever need them.
        self._pyenv_uses_variables = any(
            isinstance(item, Instruction) and item.keyword == "PYENV" and "$" in item.args for item in items
        )
        preamble, stages = _split_stages(items)
        for item in preamble:
            if isinstance(item, Instruction) and item.keyword == "PYENV":
                raise DockerfileError(
                    "PYENV must come after the first FROM: it adds a Python environment to a stage",
                    item.start_line,
                    item.end_line,
                    item.raw,
                )
        for item in preamble:
            if isinstance(item, Instruction) and item.keyword == "ARG":
                for decl in parse_arg(item, self._global_args, self._escape):
                    value = self.build_args.get(decl.name, decl.default)
                    if value is not None:
                        self._global_args[decl.name] = value
            self._verbatim(item)
        # Generated stage names must not clash with any of the user's, later stages included.
        self._used_names = {name for name in (self._from(s[0]).stage_name for s in stages) if name}
        changed = False
        for stage_items in stages:
            changed |= self._stage(stage_items)
        if changed:
            _reject_numeric_stage_refs(items)
        return changed

    # -- stages ----------------------------------------------------------------

    def _stage(self, items: list[Item]) -> bool:
        from_ = self._from(items[0])
        parent = self._find_stage(from_.image)
        if parent is not None:
            info = _StageInfo(
                name=from_.stage_name,
                root_image=parent.root_image,
                root_image_text=parent.root_image_text,
                platform_flag=parent.platform_flag,
                env=dict(parent.env),
                interpreters=parent.interpreters,
                path_extended=parent.path_extended,
            )
        else:
            info = _StageInfo(
                name=from_.stage_name,
                root_image=from_.image,
                root_image_text=from_.image_raw,
                platform_flag=f"--platform={from_.platform} " if from_.platform else "",
                env={},
            )
        self._stages.append(info)
        groups, info.env = self._pyenv_groups(items, info)
        if not groups:
            for item in items:
                self._verbatim(item)
            return False
        self._convert_stage(items, groups, info, from_, parent is None)
        return True

    def _pyenv_groups(
        self, items: list[Item], info: _StageInfo
    ) -> tuple[list[list[tuple[int, PyenvInstruction]]], dict[str, str]]:
        """Parse every PYENV line of a stage (in scope order) and group adjacent ones.

        Also returns the stage's variables at its end, for stages built FROM it.
        """
        env = dict(info.env)
        groups: list[list[tuple[int, PyenvInstruction]]] = []
        last_index = -2
        seen: dict[str, int] = {}
        for index, item in enumerate(items):
            if not isinstance(item, Instruction):
                continue
            if item.keyword == "PYENV":
                pyenv = parse_pyenv(item, env, self._escape)
                if pyenv.name in seen:
                    raise DockerfileError(
                        f"PYENV name {pyenv.name!r} is already used on line {seen[pyenv.name]} of this stage;"
                        " each environment needs its own name",
                        item.start_line,
                        item.end_line,
                        item.raw,
                    )
                seen[pyenv.name] = item.start_line
                if groups and _only_trivia_between(items, last_index, index):
                    groups[-1].append((index, pyenv))
                else:
                    groups.append([(index, pyenv)])
                last_index = index
            else:
                self._scope_step(item, env)
        return groups, env

    def _convert_stage(
        self,
        items: list[Item],
        groups: list[list[tuple[int, PyenvInstruction]]],
        info: _StageInfo,
        from_: FromInstruction,
        is_root: bool,
    ) -> None:
        head = items[0]
        assert isinstance(head, Instruction)
        # Astro Runtime: interpreters always build FROM the -base variant (its ONBUILD steps would
        # copy the project into the interpreter stage); the user's own FROM is switched only
        # when it names the image itself, not through another stage.
        runtime = astro_runtime.match(info.root_image)
        base_for_interpreter_text = info.root_image_text
        base_for_interpreter = info.root_image
        if runtime is not None and runtime.needs_rewrite:
            base_for_interpreter_text = astro_runtime.base_variant_text(info.root_image_text)
            base_for_interpreter = runtime.base_image
        astro = runtime if is_root and runtime is not None and runtime.needs_rewrite else None
        if is_root and runtime is not None and not runtime.needs_rewrite:
            self.runtime_base_froms.append((runtime.image, head.start_line))
        if astro is not None:
            info.root_image_text = base_for_interpreter_text
            info.root_image = base_for_interpreter
        elif all(image != info.root_image for image, _ in self.pyenv_bases):
            self.pyenv_bases.append((info.root_image, groups[0][0][1].line))
        environments: list[list[Environment]] = []
        for group in groups:
            envs = []
            for index, pyenv in group:
                version = self._resolve(pyenv, items[index])
                interpreter = self._interpreter(
                    base_for_interpreter, base_for_interpreter_text, info.platform_flag, version, pyenv.line
                )
                envs.append(
                    Environment(
                        pyenv=pyenv,
                        version=version,
                        interpreter=interpreter,
                        stage=self._unique(f"pyenv-venv-{_slug(pyenv.name)}"),
                    )
                )
            environments.append(envs)

        user_name = info.name or self._unique(f"stage-{len(self._stages) - 1}")
        segments = [self._unique(f"{_slug(user_name)}-pyenv-{n}") for n in range(len(groups))]

        # The user's FROM, renamed to the first segment (and -base for Astro Runtime).
        head_text = head.raw
        if astro is not None:
            head_text = astro_runtime.rewrite_from(head_text, from_.image_raw)
        head_text = _rename_stage(head_text, info.name, segments[0])
        self.chunks.append(Chunk(head_text, tuple(range(head.start_line, head.end_line + 1))))
        if astro is not None:
            self._generated(render.astro_onbuild(astro.image), head.start_line)

        stage_args: list[Instruction] = []
        group_starts = {group[0][0]: n for n, group in enumerate(groups)}
        # A group spans from its first to its last PYENV line; comments between them are
        # emitted before the generated block, next to the lines they were written beside.
        group_members = {i for group in groups for i in range(group[0][0], group[-1][0] + 1)}
        interpreters_in_chain = set(info.interpreters)
        path_extended = info.path_extended
        for index, item in enumerate(items[1:], start=1):
            if index in group_starts:
                n = group_starts[index]
                envs = environments[n]
                parent = segments[n]
                target = segments[n + 1] if n + 1 < len(groups) else user_name
                line = envs[0].pyenv.line
                for between in items[index + 1 : groups[n][-1][0]]:
                    self._verbatim(between)
                for environment in envs:
                    self._emit_venv_stage(environment, parent, stage_args)
                new_interpreters = []
                for environment in envs:
                    interpreter = environment.interpreter
                    if interpreter.stage not in interpreters_in_chain:
                        interpreters_in_chain.add(interpreter.stage)
                        new_interpreters.append(interpreter)
                text = render.continuation(
                    summary=_summary(envs),
                    parent_stage=parent,
                    stage=target,
                    replayed_args=[a.raw.rstrip("\r\n") for a in stage_args],
                    new_interpreters=new_interpreters,
                    environments=envs,
                    extend_path=not path_extended,
                )
                path_extended = True
                self._generated(text, line, replayed=stage_args)
                if astro is not None and n == len(groups) - 1:
                    self._generated(render.astro_project(), line)
                continue
            if index in group_members:
                continue
            if isinstance(item, Instruction) and item.keyword == "ARG":
                stage_args.append(item)
            self._verbatim(item)
        info.interpreters = frozenset(interpreters_in_chain)
        info.path_extended = path_extended

    def _emit_venv_stage(self, environment: Environment, parent: str, stage_args: list[Instruction]) -> None:
        text = render.venv_stage(
            esc=self._escape,
            name=environment.name,
            version=environment.version,
            requirements=environment.pyenv.requirements,
            parent_stage=parent,
            stage=environment.stage,
            replayed_args=[a.raw.rstrip("\r\n") for a in stage_args],
            interpreter_stage=environment.interpreter.stage,
            tools_stage=TOOLS_STAGE,
            python=_interpreter_python(environment.version),
        )
        self._generated(text, environment.pyenv.line, replayed=stage_args)

    # -- interpreters ----------------------------------------------------------

    def _resolve(self, pyenv: PyenvInstruction, item: Item) -> str:
        try:
            return resolve_version(pyenv.version, self.known_versions)
        except UnknownVersionError as exc:
            raise DockerfileError(str(exc), item.start_line, item.end_line, item.raw) from None

    def _interpreter(self, base: str, base_text: str, platform_flag: str, version: str, line: int) -> Interpreter:
        key = (base, platform_flag, version)
        found = self._interpreters.get(key)
        if found is not None:
            return found
        if base.lower() == "scratch":
            raise DockerfileError(
                "PYENV needs an operating system to build Python on, but this stage is based on scratch",
                line,
            )
        if not self._tools_emitted:
            self._generated(render.tools_stage(self.frontend_image, TOOLS_STAGE), line)
            self._used_names.add(TOOLS_STAGE)
            self._tools_emitted = True
        slug_version = _slug(version)
        suffix = "" if not any(k[2] == version for k in self._interpreters) else f"-{len(self._interpreters)}"
        stage = self._unique(f"pyenv-python-{slug_version}{suffix}")
        interpreter = Interpreter(stage=stage, version=version)
        self._interpreters[key] = interpreter
        self._generated(
            render.interpreter_stage(
                esc=self._escape,
                version=version,
                base_image=base,
                base_image_text=base_text,
                platform_flag=platform_flag,
                stage=stage,
                tools_stage=TOOLS_STAGE,
            ),
            line,
        )
        return interpreter

    # -- scope -----------------------------------------------------------------

    def _scope_step(self, item: Instruction, env: dict[str, str]) -> None:
        """Apply an ARG or ENV line to the variables PYENV arguments may use."""
        if not self._pyenv_uses_variables:
            return
        if item.keyword == "ARG":
            for decl in parse_arg(item, env, self._escape):
                value = self.build_args.get(decl.name)
                if value is None:
                    value = decl.default if decl.default is not None else self._global_args.get(decl.name)
                if value is not None:
                    env[decl.name] = value
        elif item.keyword == "ENV":
            for key, value in parse_env(item, env, self._escape):
                env[key] = value

    def _from(self, item: Item) -> FromInstruction:
        assert isinstance(item, Instruction) and item.keyword == "FROM"
        return parse_from(item, self._global_args, self._escape)

    def _find_stage(self, image: str) -> _StageInfo | None:
        wanted = image.lower()
        for info in reversed(self._stages):
            if info.name == wanted:
                return info
        return None

    # -- output ----------------------------------------------------------------

    def _unique(self, name: str) -> str:
        candidate, n = stage_name(name), 2
        while candidate in self._used_names:
            candidate = stage_name(name, f"-{n}")
            n += 1
        self._used_names.add(candidate)
        return candidate

    def _verbatim(self, item: Item) -> None:
        self.chunks.append(Chunk(item.raw, tuple(range(item.start_line, item.end_line + 1))))

    def _generated(self, text: str, line: int, replayed: Sequence[Instruction] = ()) -> None:
        """Add generated text; its lines point at ``line`` (replayed ARG lines at their own)."""
        lines = dockerfile_lines(text)
        replayed_text = {a.raw.rstrip("\r\n"): a.start_line for a in replayed}
        sources = tuple(replayed_text.get(text_line.rstrip("\r\n"), line) for text_line in lines)
        self.chunks.append(Chunk(text, sources))


def dockerfile_lines(text: str) -> list[str]:
    """Lines as BuildKit counts them: only ``\n`` ends a line (``\r\n`` is one ending)."""
    return _LINE.findall(text)


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


def _reject_numeric_stage_refs(items: list[Item]) -> None:
    """Generated stages shift stage numbers, so `--from=<number>` would point elsewhere."""
    for item in items:
        if isinstance(item, Instruction) and item.keyword in {"COPY", "ADD", "RUN"}:
            match = _NUMERIC_FROM.search(item.args)
            if match:
                number = match.group(1) or match.group(2)
                raise DockerfileError(
                    f"{item.keyword} refers to stage {number} by number; PYENV adds stages, so stage numbers"
                    " shift: name the stage (FROM ... AS name) and refer to it by that name",
                    item.start_line,
                    item.end_line,
                    item.raw,
                )


def _interpreter_python(version: str) -> str:
    series = major_minor(version) + ("t" if version.endswith("t") else "")
    return f"{PYTHON_ROOT}/{version}/bin/python{series}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "x"


def _summary(envs: list[Environment]) -> str:
    parts = [f"{e.name} (CPython {e.version}, line {e.pyenv.line})" for e in envs]
    return "PYENV " + ", ".join(parts)
