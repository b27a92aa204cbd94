"""The resolve phase for base images: what a stage's root image is decides how it is used.

Pure but for the names it asks :class:`.names.StageNames` for: it takes the facts (the image
configs the gateway read, or None when it read none) and returns the use and its warnings.
See :mod:`..astro_runtime` for what an Astro Runtime image needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import astro_runtime
from ..contract import ImageConfig
from ..lexer import Instruction
from .names import StageNames
from .steps import PlanWarning


@dataclass(frozen=True)
class BaseUse:
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
class BaseQuery:
    """A stage's root image as its FROM chain names it, and where the stage uses it."""

    image: str  # expanded
    text: str  # as written, valid in any FROM line
    platform_flag: str
    is_root: bool  # the stage's own FROM names the image (not another stage)
    first_use: bool  # no stage with PYENV lines used the image before
    head: Instruction
    first_pyenv_line: int


def resolve_base(
    query: BaseQuery, configs: Mapping[str, ImageConfig | None] | None, escape: str, names: StageNames
) -> tuple[BaseUse, tuple[PlanWarning, ...]]:
    """How the stage uses its root image, and what to warn about.

    Interpreters are compiled on the image without its ONBUILD steps (they would copy the
    project into the interpreter stage); the user's own FROM changes only when it names the
    image itself, not through another stage.
    """
    resolver = _Resolver(query, configs, escape)
    return resolver.by_config(names), tuple(resolver.warnings)


class _Resolver:
    def __init__(self, query: BaseQuery, configs: Mapping[str, ImageConfig | None] | None, escape: str) -> None:
        self.query = query
        self.configs = configs
        self.escape = escape
        self.warnings: list[PlanWarning] = []

    def warn(self, message: str | None, where: Instruction | int) -> None:
        if message is not None:
            line = where if isinstance(where, int) else where.start_line
            self.warnings.append(PlanWarning(message, line))

    def by_config(self, names: StageNames) -> BaseUse:
        q = self.query
        image, head = q.image, q.head
        as_is = BaseUse(image, q.text)
        config = self.configs.get(image) if self.configs is not None else None
        if config is None:
            return self.by_name(None)
        if not astro_runtime.is_runtime(image, config):
            if config.onbuild and q.first_use:
                self.warn(astro_runtime.onbuild_warning(image, len(config.onbuild)), q.first_pyenv_line)
            return as_is
        if not config.onbuild:  # the image is its own -base
            if q.is_root:
                self.warn(astro_runtime.base_variant_warning(image) or astro_runtime.no_onbuild_warning(image), head)
            return as_is
        if q.platform_flag:  # the gateway supplies the image for the build's target platforms only
            return self.by_name(config)
        context = names.onbuild_free_context(image)
        if not q.is_root:
            return BaseUse(image, context)
        return self.replayed(config, image, context)

    def by_name(self, config: ImageConfig | None) -> BaseUse:
        """Without the image's config (or for a FROM with --platform): only the public names are
        Astro Runtime images, and their ``-base`` variant stands in for the image without its
        ONBUILD steps, which are replayed from ``config`` (our template's copy without it)."""
        q = self.query
        image, head = q.image, q.head
        runtime = astro_runtime.match(image)
        if runtime is None:
            if q.is_root:
                self.not_runtime_by_name(config)
            return BaseUse(image, q.text)
        if not runtime.needs_rewrite:
            if q.is_root:
                self.warn(astro_runtime.base_variant_warning(image), head)
            return BaseUse(image, q.text)
        base, base_text = runtime.base_image, astro_runtime.base_variant_text(q.text)
        if not q.is_root:
            return BaseUse(base, base_text)
        if config is None:
            if self.configs is not None:
                self.warn(astro_runtime.unread_warning(image), head)
            return BaseUse(base, base_text, base_text, image, None, astro_runtime.TEMPLATE_STATE)
        return self.replayed(config, base, base_text)

    def not_runtime_by_name(self, config: ImageConfig | None) -> None:
        """A root image whose name is no Astro Runtime image's: say why it is used as written."""
        image, head = self.query.image, self.query.head
        if config is None and astro_runtime.may_be_runtime(image):
            if self.configs is None:
                self.warn(astro_runtime.cli_warning(image), head)
            else:
                self.warn(astro_runtime.not_recognised_warning(image, "its config could not be read"), head)
        elif config is not None:
            reason = "its FROM line names a --platform, and astro-pyenv supplies images without their ONBUILD"
            reason += " steps for the build's platforms only"
            self.warn(astro_runtime.used_as_written_warning(image, reason), head)

    def replayed(self, config: ImageConfig, base: str, base_text: str) -> BaseUse:
        """The root image's ONBUILD steps replayed around the PYENV work, FROM ``base_text``; or,
        where they cannot be split at the project copy, the image used as written."""
        image = self.query.image
        replay = astro_runtime.split_onbuild(config.onbuild, self.escape)
        if isinstance(replay, str):
            self.warn(astro_runtime.used_as_written_warning(image, replay), self.query.head)
            return BaseUse(base, base_text)
        state = astro_runtime.state_at_split(config, replay.before)
        return BaseUse(base, base_text, base_text, image, replay, state)
