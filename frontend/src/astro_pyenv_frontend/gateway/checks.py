"""The PYENV build checks, run against the engine: what the rules need, fetched; findings sent.

Best effort: a base image that cannot be resolved or a requirements file that cannot be read
just gives no finding (the build itself reports those properly).  The rules are pure, in
:mod:`astro_pyenv_frontend.checks`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence

from .. import checks
from ..checks import CheckConfig, Finding
from ..contract import PyenvUse, TransformResult
from . import errors as gwerrors
from . import llb
from .client import GatewayCallError, LLBBridgeClient
from .context_files import ContextFiles
from .opts import FrontendOpts
from .platforms import platform_message, target_platforms
from .proto import ops_pb2
from .source import UserDockerfile


def config_for(fopts: FrontendOpts, directive: str | None) -> CheckConfig:
    """The check settings of this build; a bad value is the user's error, said once."""
    try:
        return checks.check_config(directive, fopts.build_args)
    except checks.CheckConfigError as err:
        from ..errors import GatewayError

        source = checks.CHECK_BUILD_ARG if checks.CHECK_BUILD_ARG in fopts.build_args else "# check="
        raise GatewayError(f"failed to parse {source}: {err}") from None


def _base_python(client: LLBBridgeClient, fopts: FrontendOpts, image: str) -> str | None:
    """The base image's ``PYTHON_VERSION`` (set by the python images and so by Astro Runtime)."""
    targets = target_platforms(fopts)
    try:
        raw = client.resolve_image_config(
            image,
            platform=platform_message(targets[0]) if targets else None,
            resolve_mode=fopts.opts.get("image-resolve-mode", ""),
            log_name=f"[internal] astro-pyenv: check {image}'s Python",
        )
        env = (json.loads(raw or b"{}").get("config") or {}).get("Env") or []
    except (GatewayCallError, ValueError, AttributeError, RecursionError) as err:
        print(f"astro-pyenv: could not read {image}'s config for checks: {err}", file=sys.stderr)
        return None
    for entry in env:
        name, _, value = str(entry).partition("=")
        if name == "PYTHON_VERSION" and value.strip():
            return value.strip()
    return None


def _requirements(files: ContextFiles, paths: Sequence[str]) -> dict[str, str]:
    """The requirements files that could be read, by path."""
    try:
        texts = files.read(paths)
    except GatewayCallError as err:
        print(f"astro-pyenv: could not load the build context for checks: {err}", file=sys.stderr)
        return {}
    return {path: text for path, text in texts.items() if text is not None}  # a missing one: the build says


def findings(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    environments: Sequence[PyenvUse],
    config: CheckConfig,
    files: ContextFiles | None = None,
) -> list[Finding]:
    """Every enabled rule over every PYENV line; only what an enabled rule needs is fetched (the
    requirements files from ``files``, when the build has read them already)."""
    found: list[Finding | None] = []
    if environments and config.enabled(checks.PYENV_SAME_AS_BASE_PYTHON):
        images = dict.fromkeys(u.base_image for u in environments)
        pythons = {image: _base_python(client, fopts, image) for image in images}
        found += [checks.same_as_base_python(u, v) for u in environments if (v := pythons.get(u.base_image))]
    if config.enabled(checks.UNPINNED_REQUIREMENTS):
        paths = list(dict.fromkeys(u.requirements for u in environments if u.requirements))
        texts = _requirements(files or ContextFiles(client, fopts, inputs), paths) if not fopts.remote_context else {}
        found += [
            checks.requirements_finding(u, texts[u.requirements])
            for u in environments
            if u.requirements is not None and u.requirements in texts
        ]
    return checks.enabled_findings((f for f in found if f is not None), config)


def send(client: LLBBridgeClient, src: UserDockerfile, found: Iterable[Finding]) -> None:
    """Each finding through BuildKit's warning API, as BuildKit sends its own rules' warnings."""
    digest = llb.head_digest(src.definition)
    for finding in found:
        rng = ops_pb2.Range(
            start=ops_pb2.Position(line=finding.line), end=ops_pb2.Position(line=finding.end_line)
        )
        info = ops_pb2.SourceInfo(
            filename=src.filename,
            data=gwerrors.snippet_data(src.data, [(finding.line, finding.end_line)]),
            language=gwerrors.LANGUAGE,
        )
        try:
            client.warn(
                gwerrors.safe_text(finding.short),
                digest=digest,
                info=info,
                ranges=(rng,),
                detail=(finding.rule.description.encode(),),
                url=finding.rule.url,
            )
        except GatewayCallError as err:  # a lost warning must not fail the build
            print(f"astro-pyenv: warning not delivered: {err}", file=sys.stderr)


def run_for_build(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    src: UserDockerfile,
    result: TransformResult,
    *,
    can_warn: bool,
    files: ContextFiles | None = None,
) -> None:
    """The checks of a build: warnings shown by ``docker build``; with ``error=true`` a finding
    fails the build, as BuildKit's own rules do."""
    from ..lexer import lex

    directive = lex(src.data.decode("utf-8", errors="surrogateescape")).directives.check
    config = config_for(fopts, directive)
    if not can_warn and not config.error:
        return
    found = findings(client, fopts, inputs, result.environments, config, files)
    if can_warn:
        send(client, src, found)
    if config.error and found:
        from ..errors import GatewayError

        raise GatewayError(checks.violation_message(found))
