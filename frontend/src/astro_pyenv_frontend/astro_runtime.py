"""Astro Runtime base images and their ONBUILD steps.

Astro Runtime images copy the whole project in ONBUILD steps at FROM time, so
every DAG edit would rebuild every PYENV stage after it.  For a stage with
PYENV lines we use the image's ``-base`` variant (same image without ONBUILD)
and replay the image's own ONBUILD steps (read from its config by the gateway):
those before the project copy right after FROM, the project copy and what
follows after the PYENV work (:func:`split_onbuild`).  Where the config cannot
be read (the CLI; an unreachable registry) the templates hold our copy of the
usual steps.
"""

from __future__ import annotations

import json
import posixpath
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import layout

# Airflow 2 era images on quay.io, and the Airflow 3 era registry.
_RUNTIME_IMAGE = re.compile(
    r"^(?P<repo>(?:quay\.io/astronomer/astro-runtime|astrocrpublic\.azurecr\.io/runtime))"
    r":(?P<tag>[A-Za-z0-9_.-]+)\Z"
)


@dataclass(frozen=True)
class RuntimeImage:
    image: str
    tag: str
    needs_rewrite: bool

    @property
    def base_image(self) -> str:
        return self.image if not self.needs_rewrite else f"{self.image}-base"


def match(image: str) -> RuntimeImage | None:
    """Recognise an Astro Runtime image reference (already ARG-expanded)."""
    found = _RUNTIME_IMAGE.match(image)
    if found is None:
        return None
    tag = found.group("tag")
    return RuntimeImage(image=image, tag=tag, needs_rewrite=not tag.endswith("-base"))


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
        keyword = _keyword(trigger)
        if keyword not in _REPLAYABLE:
            return f"its ONBUILD step {_short(trigger)} is not one astro-pyenv replays"
        if trigger.rstrip().endswith(escape) or (escape != "\\" and ("\\" in trigger or escape in trigger)):
            # BuildKit reads a trigger with the default escape character; ours may differ.
            return f"its ONBUILD step {_short(trigger)} would read differently under this Dockerfile's escape character"
    split = next((n for n, trigger in enumerate(triggers) if copies_whole_context(trigger)), None)
    if split is None:
        return "none of its ONBUILD steps copies the whole build context"
    for trigger in triggers[split + 1 :]:
        if _keyword(trigger) in _SETTINGS:
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
    flags, args = _flags(rest)
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
    flags, command = _flags(rest)
    secret = f"/run/secrets/{layout.CA_SECRET}"
    mount = f"--mount=type=secret,id={layout.CA_SECRET},mode=0444"
    if not command.startswith("["):  # shell form: pip reads PIP_CERT
        command = f"if [ -s {secret} ]; then export PIP_CERT={secret}; fi; {command}"
    return " ".join([trigger.split(None, 1)[0], *flags, mount, command])


def _split(trigger: str) -> tuple[str, str]:
    """(keyword upper-cased, the rest)."""
    parts = trigger.strip().split(None, 1)
    return (parts[0].upper() if parts else ""), (parts[1] if len(parts) > 1 else "")


def _keyword(trigger: str) -> str:
    return _split(trigger)[0]


def _flags(rest: str) -> tuple[list[str], str]:
    """The leading ``--flag`` words of an instruction's arguments, and what follows them."""
    found = re.match(r"((?:--\S+\s+)*)(.*)\Z", rest, re.DOTALL)
    assert found is not None
    return found.group(1).split(), found.group(2)


def _paths(args: str) -> list[str]:
    if args.startswith("["):
        try:
            parsed = json.loads(args)
        except (ValueError, RecursionError):
            return []
        return [p for p in parsed if isinstance(p, str)] if isinstance(parsed, list) else []
    return [word.strip("'\"") for word in args.split()]


def _is_context_root(source: str) -> bool:
    """Sources are paths inside the context, ``..`` stopping at its root (``.``, ``./``, ``/``, ``..``)."""
    return posixpath.normpath("/" + source.lstrip("/")) == "/"


def _short(trigger: str) -> str:
    text = " ".join(trigger.split())
    return repr(text if len(text) <= 80 else text[:77] + "...")


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
