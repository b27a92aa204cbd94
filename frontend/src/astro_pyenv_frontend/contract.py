"""The transform's public contract: what goes in, what comes out, how it fails.

Used by the CLI and the gateway.  Importing it is cheap (no parser, no templates), so the
gateway can name these types on its fast path for Dockerfiles without PYENV lines.

Errors: :class:`~.errors.DockerfileError` carries the user's line once; the gateway turns it
into BuildKit's source-location detail, the CLI into ``Dockerfile:LINE: message``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from .errors import DockerfileError

if TYPE_CHECKING:
    from .prebuilt import Offer

__all__ = [
    "ENGINES",
    "BaseImageUse",
    "DockerfileError",
    "Engine",
    "ImageConfig",
    "InterpreterUse",
    "OnbuildFreeBase",
    "PyenvUse",
    "TransformOptions",
    "TransformResult",
    "TransformWarning",
]


# The builder the plain Dockerfile is written for.  ``buildkit`` (docker build, the frontend)
# gets the fast form; ``buildah`` (buildah build, podman build: they cannot run BuildKit
# frontends) gets only what Buildah 1.28 builds correctly: no ``COPY --link``, and inputs that
# its layer cache must see (requirements files, pyenv, our scripts) copied instead of mounted.
Engine = Literal["buildkit", "buildah"]
ENGINES: tuple[Engine, ...] = ("buildkit", "buildah")


@dataclass(frozen=True)
class TransformOptions:
    """Inputs besides the Dockerfile text.

    ``frontend_image`` is our own image reference: generated stages mount
    pyenv and the build scripts from it, so builds need no GitHub access.
    ``known_versions`` are pyenv's definition names; None means the snapshot
    bundled with this package (the pyenv the frontend image ships).
    """

    frontend_image: str
    build_args: Mapping[str, str] = field(default_factory=dict)
    known_versions: Sequence[str] | None = None
    # Versions a prefix (``PYENV 3.11``) resolves to first: those prebuilt images exist of.
    preferred_versions: Sequence[str] = ()
    # (base image, version) -> prebuilt interpreter image (repo:tag@digest) to use, not compile
    interpreter_images: Mapping[tuple[str, str], str] = field(default_factory=dict)
    # Base image (as expanded: TransformResult.base_images) -> what its config says, or None when
    # it could not be read.  None as a whole: nothing was read (the CLI), and Astro Runtime images
    # are recognised by their public names only.  Given configs, the transform may build on an
    # image without its ONBUILD steps under a build context name it lists in
    # TransformResult.onbuild_free, which the caller must then supply (the gateway does).
    base_configs: Mapping[str, ImageConfig | None] | None = None
    engine: Engine = "buildkit"
    # By requirements path (as on a PYENV line): the files it includes with -r/-c, or why they
    # cannot be followed (:mod:`.requirements_includes`); the caller reads them.  A path not
    # here has no includes mounted (the file alone, as before).
    requirements_includes: Mapping[str, tuple[str, ...] | str] = field(default_factory=dict)
    # For ``buildah`` (no gateway sees the base): the catalog the CLI read, from which the
    # transform chooses itself and notes each choice in the file (:mod:`.prebuilt_offer`).
    prebuilt_offer: Offer | None = None


@dataclass(frozen=True)
class ImageConfig:
    """What a base image's config says, the same on every platform read: its ONBUILD steps, its
    labels, and the WORKDIR, USER and SHELL its ONBUILD steps start from ("" and () when unset)."""

    onbuild: tuple[str, ...] = ()
    labels: tuple[tuple[str, str], ...] = ()
    working_dir: str = ""
    user: str = ""
    shell: tuple[str, ...] = ()


@dataclass(frozen=True)
class TransformWarning:
    """Something the user should know, at ``line`` of their Dockerfile; the build goes on."""

    message: str
    line: int


@dataclass(frozen=True)
class BaseImageUse:
    """The image (as expanded) a stage with PYENV lines is built on, directly or through other
    stages; ``line`` is the FROM line of the first such stage."""

    image: str
    line: int


@dataclass(frozen=True)
class OnbuildFreeBase:
    """A build context the generated Dockerfile names in FROM lines: ``image`` exactly (same
    layers and config, pinned as it was read), without its config's ONBUILD steps."""

    context: str
    image: str


@dataclass(frozen=True)
class InterpreterUse:
    """One interpreter the generated Dockerfile builds: ``version`` for a stage FROM ``base_image``
    (as expanded), first needed at ``line``; ``image`` is the prebuilt image used, if any."""

    base_image: str
    version: str
    line: int
    platform_flag: str = ""
    image: str | None = None


@dataclass(frozen=True)
class PyenvUse:
    """One PYENV line as the transform read it: lines ``line``..``end_line`` of the user's file,
    the venv ``name`` on CPython ``version`` (resolved), compiled FROM ``base_image`` (as expanded),
    with its ``requirements`` file (a path in the build context) if any."""

    line: int
    end_line: int
    name: str
    version: str
    base_image: str
    requirements: str | None = None
    task_sdk: str | None = None  # the --task-sdk flag's value
    installer: str = "pip"  # the line's installer (planner/installer.py)
    includes: tuple[str, ...] = ()  # the files its requirements file includes (-r/-c), as read


@dataclass(frozen=True)
class TransformResult:
    """The plain Dockerfile and, per output line, the user's line it came from.

    ``changed`` is False for a Dockerfile without PYENV lines: ``dockerfile`` is then the
    input, unchanged.  ``base_images`` are the images whose configs the gateway reads and hands
    back (``TransformOptions.base_configs``): what an image is (an Astro Runtime image, one with
    ONBUILD steps) decides how it is used, not its name; ``onbuild_free`` are the build contexts
    the generated Dockerfile then needs.  ``interpreters`` and the two prebuilt settings let the
    gateway choose prebuilt interpreter images and transform again.
    """

    dockerfile: str
    source_lines: tuple[int | None, ...]
    warnings: tuple[TransformWarning, ...] = ()
    changed: bool = False
    base_images: tuple[BaseImageUse, ...] = ()
    interpreters: tuple[InterpreterUse, ...] = ()
    prebuilt_setting: str | None = ""  # ASTRO_PYENV_PREBUILT: None is off, "" the default
    custom_build_settings: tuple[str, ...] = ()  # python-build settings this build sets
    environments: tuple[PyenvUse, ...] = ()  # every PYENV line, in file order
    onbuild_free: tuple[OnbuildFreeBase, ...] = ()
    # ARG values before the first FROM, build args applied: the settings a build's steps inherit.
    global_args: tuple[tuple[str, str], ...] = ()
