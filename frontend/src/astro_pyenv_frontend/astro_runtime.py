"""Astro Runtime base images and their ONBUILD steps.

Astro Runtime images copy the whole project in ONBUILD steps at FROM time, so every DAG edit
would rebuild every PYENV stage after it.  For a stage with PYENV lines we build on the image
without its ONBUILD steps and replay them: those before the project copy right after FROM, the
project copy and what follows after the PYENV work (:func:`split_onbuild`), with the WORKDIR,
USER and SHELL they run with in a plain build (:func:`state_at_split`, :func:`observed`).

What the image is decides, not its name: with the image's config (the gateway reads it), an
image is an Astro Runtime image by its labels (:func:`is_runtime`), whatever it is called,
mirrored, pinned by digest or named by an ARG, and the gateway supplies it without its ONBUILD
steps as a build context.  Without the config (the CLI; an unreadable config) only the public
names are recognised, their ``-base`` variant (the same image without ONBUILD) stands in, and
the templates hold our copy of the usual steps.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from . import layout
from .contract import ImageConfig
from .go_text import GO_SPACES
from .lexer import Instruction, json_array, lex
from .variables import ExpansionError, ShellLexer
from .word_cursor import blank_fields, split_command, split_flags, strip_space

# Airflow 2 era images on quay.io, and the Airflow 3 era registry.
PUBLIC_REPOSITORIES = ("quay.io/astronomer/astro-runtime", "astrocrpublic.azurecr.io/runtime")
_RUNTIME_IMAGE = re.compile(
    r"^(?P<repo>(?:quay\.io/astronomer/astro-runtime|astrocrpublic\.azurecr\.io/runtime))"
    r":(?P<tag>[A-Za-z0-9_.-]+)\Z"
)
# The labels Astronomer's images carry (the Astro CLI reads the runtime version from the first).
_RUNTIME_LABELS = ("io.astronomer.docker.runtime.version", "io.astronomer.docker.airflow.version")


@dataclass(frozen=True)
class RuntimeImage:
    image: str
    tag: str
    needs_rewrite: bool

    @property
    def base_image(self) -> str:
        return self.image if not self.needs_rewrite else f"{self.image}-base"


def match(image: str) -> RuntimeImage | None:
    """Recognise an Astro Runtime image by its public name (already ARG-expanded), with a tag."""
    found = _RUNTIME_IMAGE.match(image)
    if found is None:
        return None
    tag = found.group("tag")
    return RuntimeImage(image=image, tag=tag, needs_rewrite=not tag.endswith("-base"))


def is_runtime(image: str, config: ImageConfig) -> bool:
    """Whether ``image`` is an Astro Runtime image (or another Astronomer Airflow image), by its
    config's labels, or by its public name."""
    labels = dict(config.labels)
    return match(image) is not None or labels.get("io.astronomer.docker") == "true" or any(
        labels.get(name) for name in _RUNTIME_LABELS
    )


def _repository(image: str) -> str:
    """The repository of an image reference: without its digest and tag."""
    name = image.partition("@")[0]
    colon = name.rfind(":")
    return name[:colon] if colon > name.rfind("/") else name


def may_be_runtime(image: str) -> bool:
    """A name an Astro Runtime image may go by (a public repository pinned by digest, a mirror
    such as ``registry.corp/astro-runtime``), which only its config can confirm."""
    return _repository(image).rsplit("/", 1)[-1] in {"astro-runtime", "runtime"}


def base_variant_text(image_text: str) -> str:
    """The image as written, pointing at its ``-base`` variant."""
    return f"{image_text}-base"


def base_variant_warning(image: str) -> str | None:
    """What to tell a user whose PYENV stage starts FROM a ``-base`` image (None for others).

    astro-provider-venv wanted ``-base`` and added the project steps itself; here the
    ``-base`` image is taken as written, so the image would lack the project.
    """
    found = match(image)
    if found is None or found.needs_rewrite:
        return None
    full = image[: -len("-base")]
    return (
        f"{image} has no Astro project steps, so this image gets no packages.txt, requirements.txt"
        f" or project files; write FROM {full} and astro-pyenv adds those steps after the PYENV work"
    )


# -- the image's own ONBUILD steps ----------------------------------------------------------

# What a trigger may be when we replay it (BuildKit refuses ONBUILD, FROM and MAINTAINER as
# triggers; anything else unknown is left for BuildKit to judge at the image's own FROM).
_REPLAYABLE = frozenset(
    {"ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "RUN", "SHELL",
     "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"}
)  # fmt: skip
# BuildKit reads an image's triggers with the default escape character, whatever the Dockerfile's.
TRIGGER_ESCAPE = "\\"
_UNQUOTE = ShellLexer(TRIGGER_ESCAPE, skip_unset_env=True)
# Steps that change how later lines run: moved after the PYENV work they would no longer apply to it.
_SETTINGS = frozenset({"ARG", "ENV", "SHELL", "USER", "WORKDIR"})


@dataclass(frozen=True)
class OnbuildReplay:
    """An image's ONBUILD steps split at its project copy: ``before`` go right after FROM,
    ``after`` (the project copy and every later step) after the PYENV work."""

    before: tuple[str, ...]
    after: tuple[str, ...]


def split_onbuild(triggers: Sequence[str], escape: str = "\\") -> OnbuildReplay | str:
    """Where the project copy is in ``triggers`` (an image config's ``OnBuild`` list), or why the
    steps cannot be moved (then the image is used as written and its steps run at FROM).

    The project copy is the first COPY or ADD, not ``--from``, with the whole build context
    (``.``, ``./``, ``/``, ``..``) among its sources.  Moving it and what follows after the PYENV work
    changes nothing the PYENV work reads, unless one of those later steps changes how later
    lines run (USER, ENV, ARG, WORKDIR, SHELL): then nothing is moved.
    """
    for trigger in triggers:
        if "\n" in trigger or "\r" in trigger:
            return f"its ONBUILD step {_short(trigger)} spans lines (a heredoc)"
        keyword = trigger_keyword(trigger)
        if keyword not in _REPLAYABLE:
            return f"its ONBUILD step {_short(trigger)} is not one astro-pyenv replays"
        other_escape = escape != TRIGGER_ESCAPE and (TRIGGER_ESCAPE in trigger or escape in trigger)
        if trigger.rstrip().endswith(escape) or other_escape:
            # BuildKit reads a trigger with the default escape character; ours may differ.
            return f"its ONBUILD step {_short(trigger)} would read differently under this Dockerfile's escape character"
    split = next((n for n, trigger in enumerate(triggers) if copies_whole_context(trigger)), None)
    if split is None:
        return "none of its ONBUILD steps copies the whole build context"
    for trigger in triggers[split + 1 :]:
        if trigger_keyword(trigger) in _SETTINGS:
            return (
                f"its ONBUILD step {_short(trigger)} comes after the project copy and changes how"
                " later lines run"
            )
    return OnbuildReplay(tuple(triggers[:split]), tuple(triggers[split:]))


def copies_whole_context(trigger: str) -> bool:
    """A COPY or ADD (not ``--from``) with the whole build context among its sources."""
    keyword, rest = _split(trigger)
    if keyword not in {"COPY", "ADD"}:
        return False
    flags, args = split_flags(rest, TRIGGER_ESCAPE)
    if any(flag.lower().startswith("--from") for flag in flags):
        return False
    return any(_is_context_root(source) for source in _paths(args)[:-1])


def with_ca_secret(trigger: str) -> str:
    """A RUN step given the optional CA secret astro-pyenv offers every pip step (``PIP_CERT``
    when the build passes ``--secret id=astro-pyenv-ca``); other steps, and RUN steps that
    mount that secret themselves, unchanged."""
    keyword, rest = _split(trigger)
    if keyword != "RUN" or f"id={layout.CA_SECRET}" in trigger:
        return trigger
    command = split_flags(rest, TRIGGER_ESCAPE)[1]
    flags = rest[: len(rest) - len(command)].rstrip(GO_SPACES)  # as written: a suffix of rest is the command
    secret = f"/run/secrets/{layout.CA_SECRET}"
    mount = f"--mount=type=secret,id={layout.CA_SECRET},mode=0444"
    if not command.startswith("["):  # shell form: pip reads PIP_CERT
        command = f"if [ -s {secret} ]; then export PIP_CERT={secret}; fi; {command}"
    written = split_command(trigger)[0]
    return " ".join(part for part in (written, flags, mount, command) if part)


def _split(trigger: str) -> tuple[str, str]:
    """(keyword upper-cased, the rest): the trigger read as BuildKit reads it when it runs it, as a
    Dockerfile of its own (default escape character) that must hold one instruction ("" if not)."""
    found = [item for item in lex(trigger).items if isinstance(item, Instruction)]
    return (found[0].keyword, found[0].args) if len(found) == 1 else ("", "")


def trigger_keyword(trigger: str) -> str:
    """An ONBUILD trigger's keyword, upper-cased (one reading for the planner and the replay)."""
    return _split(trigger)[0]


def _paths(args: str) -> list[str]:
    """COPY's or ADD's paths: a JSON array of strings, else the words (BuildKit's
    ``parseMaybeJSONToList``), each with its quotes and escapes removed as BuildKit's expansion
    removes them (a variable stays as written: the image's values are not known here)."""
    parsed = json_array(args)
    if parsed is not None:
        return [p for p in parsed if isinstance(p, str)]
    paths = []
    for word in blank_fields(args):
        try:
            paths.append(_UNQUOTE.process_word(word, {}).value)
        except ExpansionError:
            paths.append(word)
    return paths


def _is_context_root(source: str) -> bool:
    """Sources are paths inside the context, ``..`` stopping at its root (``.``, ``./``, ``/``, ``..``)."""
    return posixpath.normpath("/" + source.lstrip("/")) == "/"


def _short(trigger: str) -> str:
    text = " ".join(trigger.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


# -- what the replayed steps run with -------------------------------------------------------

DEFAULT_SHELL = ("/bin/sh", "-c")
# Our copy of the project copy, after the PYENV work (templates/astro_project.Dockerfile.j2).
TEMPLATE_PROJECT_STEPS = ("COPY --chown=astro:0 . .",)


@dataclass(frozen=True)
class OnbuildState:
    """The WORKDIR, USER and SHELL an image's ONBUILD steps have reached at its project copy in
    a plain build, where they all run at FROM; None where astro-pyenv cannot tell."""

    workdir: str | None
    user: str | None
    shell: tuple[str, ...] | None


# With our copy of the usual steps (the config unread): the Astro Runtime's WORKDIR (its
# AIRFLOW_HOME), the USER those steps end with, the default SHELL.
TEMPLATE_STATE = OnbuildState("/usr/local/airflow", "astro", DEFAULT_SHELL)


def state_at_split(config: ImageConfig, before: Sequence[str]) -> OnbuildState:
    """The config's WORKDIR, USER and SHELL as the ONBUILD steps ``before`` the project copy
    leave them (a step with a variable or an escape makes that setting unknown)."""
    workdir: str | None = config.working_dir or "/"
    user: str | None = config.user or "0"  # no USER: root
    shell: tuple[str, ...] | None = config.shell or DEFAULT_SHELL
    for trigger in before:
        keyword, rest = _split(trigger)  # rest: trimmed as BuildKit trims it
        unknown = "$" in rest or "\\" in rest or not rest
        if keyword == "WORKDIR":
            relative_to_unknown = workdir is None and not rest.startswith("/")
            workdir = None if unknown or relative_to_unknown else _clean(posixpath.join(workdir or "/", rest))
        elif keyword == "USER":
            user = None if unknown else rest
        elif keyword == "SHELL":
            shell = _json_words(rest)
    return OnbuildState(workdir, user, shell)


def _clean(path: str) -> str:
    cleaned = posixpath.normpath(path)
    return "/" + cleaned.lstrip("/")


def _json_words(text: str) -> tuple[str, ...] | None:
    try:
        parsed = json.loads(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(parsed, list) or not parsed or not all(isinstance(word, str) for word in parsed):
        return None
    return tuple(parsed)


def observed(steps: Iterable[str]) -> dict[str, str]:
    """The settings (WORKDIR, USER, SHELL, ENV) whose value one of ``steps`` depends on, each
    with the first step that does: RUN depends on all, COPY/ADD/VOLUME on WORKDIR, CMD and
    friends on SHELL (their shell form), and a step with ``$`` on the variables (ENV, ARG)."""
    found: dict[str, str] = {}
    for step in steps:
        keyword, rest = _split(step)
        needs: tuple[str, ...] = ()
        if keyword == "RUN":
            needs = ("WORKDIR", "USER", "SHELL", "ENV")
        elif keyword in {"COPY", "ADD", "VOLUME"}:
            needs = ("WORKDIR",)
        elif keyword in {"CMD", "ENTRYPOINT", "HEALTHCHECK"}:
            needs = ("SHELL",)
        if "$" in rest:
            needs += ("ENV",)
        for setting in needs:
            found.setdefault(setting, step)
    return found


def literal(value: str, escape: str) -> str | None:
    """``value`` written so that a WORKDIR or USER line reads it back unchanged (``$`` and the
    escape character escaped); None when no line can."""
    if not value or value != strip_space(value) or "\n" in value or "\r" in value:
        return None
    return value.replace(escape, escape + escape).replace("$", escape + "$")


def shell_line(shell: Sequence[str]) -> str:
    return "SHELL " + json.dumps(list(shell), ensure_ascii=False)


def unknown_setting_message(keyword: str, image: str, step: str) -> str:
    return (
        f"this {keyword} line is above the PYENV work, which the ONBUILD steps of {image} from its"
        f" project copy on run after (a plain build runs them at FROM, before this line); its step"
        f" {_short(step)} needs the image's own {keyword}, which astro-pyenv cannot tell from the"
        f" image's steps: move this line below the stage's last PYENV line"
    )


def changed_variable_message(keyword: str, image: str) -> str:
    return (
        f"astro-pyenv writes this {keyword} line again after the ONBUILD steps of {image} that it"
        f" runs after the PYENV work (they need the image's own {keyword}), but a variable it uses"
        f" is changed by a later line above the PYENV work (or by PYENV): write the value, or set"
        f" the variable before this line"
    )


def environment_message(keyword: str, image: str, step: str) -> str:
    return (
        f"this {keyword} line above the PYENV work would change the environment of the ONBUILD"
        f" step {_short(step)} of {image}, which astro-pyenv runs after the PYENV work (a plain"
        f" build runs it at FROM, before this line): move this line below the stage's last PYENV line"
    )


# -- warnings --------------------------------------------------------------------------------


def unread_warning(image: str) -> str:
    return (
        f"could not read the ONBUILD steps of {image}, so astro-pyenv replays its own copy of the usual"
        " Astro Runtime steps (packages.txt, requirements.txt, and the project after the PYENV work),"
        " which may differ from this image's"
    )


def used_as_written_warning(image: str, reason: str) -> str:
    return (
        f"{image} is used as written: {reason}; its ONBUILD steps run at this FROM, before the PYENV"
        " work, so a change to what they copy (DAGs included) rebuilds the Python environments"
    )


def no_onbuild_warning(image: str) -> str:
    return (
        f"{image} has no ONBUILD steps, so it is used as written and this image gets no packages.txt,"
        " requirements.txt or project files from it"
    )


def not_recognised_warning(image: str, reason: str, hint: str = "") -> str:
    """For an image whose name an Astro Runtime image may go by, used as written: why."""
    return (
        f"{image} is used as written ({reason}): if it is an Astro Runtime image, its ONBUILD steps"
        f" run at this FROM, before the PYENV work, and a DAG edit rebuilds the Python environments{hint}"
    )


def cli_warning(image: str) -> str:
    """Why the CLI, which reads no image, does not take ``image`` for an Astro Runtime image."""
    public = " and ".join(f"{repository}:<tag>" for repository in PUBLIC_REPOSITORIES)
    reason = (
        f"astro-pyenv-frontend transform reads no image and knows Astro Runtime images only as {public},"
        " without a digest"
    )
    hint = "; docker build with the frontend reads the image and moves its project copy after the PYENV work"
    return not_recognised_warning(image, reason, hint)


def onbuild_warning(image: str, count: int) -> str:
    """For a base image with ONBUILD steps that is not an Astro Runtime image."""
    return (
        f"{image} has {count} ONBUILD step(s); they run before the PYENV work,"
        " so changing what they copy rebuilds the Python environments"
    )
