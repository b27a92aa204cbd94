"""Handing the Dockerfile on to a Dockerfile frontend the user named instead of dockerfile.v0.

BuildKit's Dockerfile frontend runs the image a ``# syntax=`` line names by solving with
frontend ``gateway.v0`` and opt ``source=<image>``, every other opt and input as it got them; so
do we, for ``# astro-pyenv-syntax=`` / ``ASTRO_PYENV_SYNTAX`` (see ``syntax_directive``).
``cmdline`` set to the chosen value is what makes a Dockerfile frontend build the file rather
than follow a ``# syntax=`` line or a ``BUILDKIT_SYNTAX`` build arg (back to us).  ``CHAINED_OPT``
tells an astro-pyenv frontend that another one chained to it: a choice that would loop, refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..errors import DockerfileError, GatewayError
from ..syntax_directive import BUILD_ARG, DockerfileFrontend, choose
from . import errors as gwerrors
from .errors import ReturnedError
from .opts import FrontendOpts
from .proto import status_pb2
from .source import UserDockerfile

GATEWAY_FRONTEND = "gateway.v0"
CHAINED_OPT = "astro-pyenv-chained-from"
_INPUTS_CAP = "moby.buildkit.frontend.inputs"


def refuse_loop(fopts: FrontendOpts) -> None:
    """Fail when we run as the Dockerfile frontend another astro-pyenv frontend chained to."""
    if CHAINED_OPT in fopts.opts:
        raise GatewayError(
            f"# astro-pyenv-syntax / {BUILD_ARG} names {fopts.source}, an astro-pyenv frontend: it must name"
            " a Dockerfile frontend such as docker/dockerfile:1.12, which builds the Dockerfile astro-pyenv"
            " generates"
        )


def chosen_frontend(src: UserDockerfile, fopts: FrontendOpts) -> DockerfileFrontend | None:
    """The frontend the user named for ``src``; a bad directive is an error at its line."""
    try:
        return choose(src.data, fopts.build_args)
    except DockerfileError as err:
        raise ReturnedError(gwerrors.dockerfile_error_status(err, filename=src.filename, data=src.data)) from None


def build_arg_frontend(fopts: FrontendOpts) -> DockerfileFrontend | None:
    """The frontend the build arg names (a git/HTTP context: the Dockerfile is not ours to read)."""
    return choose(b"", fopts.build_args)


def solve_target(
    opts: Mapping[str, str], chained: DockerfileFrontend | None, default_frontend: str
) -> tuple[str, dict[str, str]]:
    """(frontend, opts) of the Solve that hands the Dockerfile on."""
    out = dict(opts)
    if chained is None:
        return default_frontend, out
    out["source"] = chained.ref
    out["cmdline"] = chained.cmdline
    out[CHAINED_OPT] = opts.get("source", "")
    return GATEWAY_FRONTEND, out


def locate_error(
    status: status_pb2.Status, chained: DockerfileFrontend | None, src: UserDockerfile | None
) -> status_pb2.Status:
    """A failure of the chained frontend that points at no line (its image cannot be resolved,
    or is no Dockerfile frontend): said with where the user named it, at the directive's line."""
    if chained is None or any(d.type_url == gwerrors.SOURCE_TYPE_URL for d in status.details):
        return status
    message = f"the Dockerfile frontend named by {chained.origin} failed: {status.message}"
    if _INPUTS_CAP in status.message:
        message += (
            f" ({chained.ref} cannot take the Dockerfile astro-pyenv generates as an input: name a"
            " Dockerfile frontend image such as docker/dockerfile:1.12)"
        )
    out = status_pb2.Status(code=status.code, message=gwerrors.safe_text(message))
    out.details.extend(status.details)
    if chained.line is not None and src is not None:
        detail = out.details.add()
        detail.type_url, detail.value = gwerrors.source_detail(src.filename, src.data, [(chained.line, chained.line)])
    return out
