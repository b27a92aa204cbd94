"""Prebuilt interpreters where nothing can look at the base image first.

A BuildKit build chooses with the base's C library in hand (:mod:`.gateway.interpreters`).  The
file ``transform --engine=buildah`` writes is built later, by Podman or Buildah, from a base
the CLI never sees, so the choice is made from the catalog alone and the base is checked when
the file is built: the generated stage fails, saying how to compile instead, if the base's glibc
is older than the image needs (scripts/fit-interpreter.sh ``--glibc``).  The host
(:mod:`.standalone`) knows its own C library and uses :func:`.prebuilt.choose`.

The catalog comes as a :class:`.prebuilt.Offer`: what the CLI could read.  Pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from . import prebuilt
from .plan import InterpreterStage, Plan
from .prebuilt import Offer

__all__ = ["Offer", "choose_for_unseen_base", "decide_unseen"]


def choose_for_unseen_base(
    offer: Offer | None,
    *,
    version: str,
    repository_setting: str | None,
    custom_build: Iterable[str] = (),
    platform_flag: str = "",
) -> prebuilt.Choice:
    """The image for ``version`` on any glibc base the catalog serves, or why it is compiled.

    Of the fitting entries: optimised builds first, then the oldest glibc (it runs on the most
    bases), then the most platforms (the build's own is taken from the image's index)."""
    catalog = offer.catalog if offer is not None else None
    custom_build = tuple(custom_build)
    early = prebuilt.choice_without_base(
        catalog,
        version=version,
        repository_setting=repository_setting,
        custom_build=custom_build,
        platform_flag=platform_flag,
    )
    compiling = f"CPython {version} is compiled"
    if early is not None:
        if catalog is None and repository_setting is not None and not platform_flag and not custom_build:
            return prebuilt.Choice(None, f"{compiling}: {(offer or Offer(None)).problem}")
        return early
    assert catalog is not None and offer is not None
    if not offer.checks_glibc:
        why = f"its fit step cannot check the base's glibc ({offer.origin} is older)"
        return prebuilt.Choice(None, f"{compiling}: {why}")
    entries = [e for e in catalog.entries if e.version == version]
    if offer.recipe is None and len({e.recipe for e in entries}) > 1:
        why = "the catalog has images of it from several recipes, and none was named (a recipe file beside it)"
        return prebuilt.Choice(None, f"{compiling}: {why}")
    if offer.recipe is not None:
        entries = [e for e in entries if e.recipe == offer.recipe]
        if not entries:
            why = "the prebuilt images were made with other pyenv or build scripts"
            return prebuilt.Choice(None, f"{compiling}: {why}")
    entry = min(entries, key=lambda e: ("--enable-optimizations" not in e.build, e.libc.version, -len(e.platforms)))
    repository = repository_setting or catalog.repository
    image = f"{repository}:{entry.tag}@{entry.digest}"
    reason = (
        f"CPython {version}: prebuilt for {entry.libc}+ ({', '.join(entry.platforms)}), {image}"
        f"{offer.origin and f' ({offer.origin})'}; the build checks that the base has {entry.libc} or newer"
    )
    return prebuilt.Choice(image, reason, entry.libc)


def decide_unseen(planned: Plan, offer: Offer | None) -> Plan:
    """``planned`` with every interpreter stage's choice made from ``offer``, noted on the stage."""
    steps = []
    for step in planned.steps:
        if isinstance(step, InterpreterStage):
            choice = choose_for_unseen_base(
                offer,
                version=step.interpreter.version,
                repository_setting=planned.prebuilt_setting,
                custom_build=planned.custom_build_settings,
                platform_flag=step.interpreter.platform_flag,
            )
            step = replace(step, image=choice.image, note=f"{choice.reason} (line {step.line})", floor=choice.floor)
        steps.append(step)
    return replace(planned, steps=tuple(steps))
