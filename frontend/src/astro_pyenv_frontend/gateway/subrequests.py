"""Subrequests (``docker buildx build --call=outline|targets|check``) about the user's Dockerfile.

A client sets the frontend option ``requestid``; the answer is a result with no image, only
metadata: ``result.json``, ``result.txt``, ``version`` and, for checks, ``result.statuscode``.
We answer what ``frontend.subrequests.describe`` lists, and say "unsupported request" (BuildKit's
typed error) for anything else:

* ``frontend.outline`` and ``frontend.targets``: BuildKit's Dockerfile frontend answers them for
  :func:`~astro_pyenv_frontend.view.buildkit_view` of the user's file (PYENV lines as the ENV
  they set, same lines), so stages, ARGs, comments and line numbers are the user's; the file
  it quotes is put back to the user's text;
* ``frontend.lint``: the same for BuildKit's own rules (warnings at PYENV lines are about the
  stand-in, so dropped), plus our PYENV rules (:mod:`.checks`).  An engine whose Dockerfile
  frontend has no checks (BuildKit before 0.14) gets our rules alone for a file with PYENV lines;
  for one without, its "unsupported request" error goes back as it came, so that buildx falls
  back to a Dockerfile frontend image that has checks, as without us.
"""

from __future__ import annotations

import base64
import json
import sys
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Optional

from .. import checks as rules
from ..contract import TransformResult
from ..errors import DockerfileError
from . import checks, llb
from . import errors as gwerrors
from .client import LLBBridgeClient
from .dockerfile import NO_FACTS, TransformFn, may_use_pyenv
from .errors import ReturnedError
from .opts import FrontendOpts
from .proto import gateway_pb2, ops_pb2, status_pb2
from .source import UserDockerfile, read_dockerfile

DESCRIBE = "frontend.subrequests.describe"
OUTLINE = "frontend.outline"
TARGETS = "frontend.targets"
LINT = "frontend.lint"
VERSION = "1.0.0"
SUBREQUEST_TYPE_URL = "github.com/moby/buildkit/errdefs.Subrequest+json"

# (client, options, inputs, the user's file (None: not read), our dockerfile input or None) ->
# the Dockerfile frontend's result; its failures raise ReturnedError.
ForwardFn = Callable[
    [
        LLBBridgeClient,
        FrontendOpts,
        Mapping[str, ops_pb2.Definition],
        Optional[UserDockerfile],
        Optional[ops_pb2.Definition],
    ],
    gateway_pb2.Result,
]


def _named(*names: str) -> list[dict[str, str]]:
    return [{"name": name, "description": ""} for name in names]


def _definition(name: str, description: str, opts: list[dict[str, str]] | None, metadata: list[str]) -> dict[str, Any]:
    """One entry of the describe answer, shaped as BuildKit's ``subrequests.Request``."""
    return {
        "name": name,
        "version": VERSION,
        "type": "rpc",
        "description": description,
        "opts": opts,
        "inputs": None,
        "metadata": _named(*metadata),
        "refs": None,
    }


DEFINITIONS = (
    _definition(
        OUTLINE,
        "List all parameters current build target supports",
        [{"name": "target", "description": "Target build stage"}],
        ["result.json", "result.txt"],
    ),
    _definition(TARGETS, "List all targets current build supports", [], ["result.json", "result.txt"]),
    _definition(LINT, "Lint a Dockerfile", [], ["result.json", "result.txt", "result.statuscode"]),
    _definition(DESCRIBE, "List available subrequest types", None, ["result.json", "result.txt"]),
)
SUPPORTED = frozenset(d["name"] for d in DEFINITIONS)


def requested(fopts: FrontendOpts) -> str | None:
    """The subrequest this call asks for, or None for a build."""
    return fopts.subrequest


def unsupported_status(name: str) -> status_pb2.Status:
    """BuildKit's "unsupported request" error, typed so clients can tell it from a failure."""
    status = gwerrors.message_status(f"unsupported request {name}")
    detail = status.details.add()
    detail.type_url = SUBREQUEST_TYPE_URL
    detail.value = json.dumps({"name": name}, separators=(",", ":")).encode()
    return status


def is_unsupported(status: status_pb2.Status, name: str) -> bool:
    for detail in status.details:
        if detail.type_url == SUBREQUEST_TYPE_URL:
            try:
                return bool(json.loads(detail.value).get("name") == name)
            except (ValueError, AttributeError):
                continue
    return f"unsupported request {name}" in status.message


def _table(rows: Sequence[Sequence[str]], padding: int) -> str:
    """Rows aligned as Go's tabwriter aligns them (the last cell of a row is not padded)."""
    widths = [max(len(row[i]) for row in rows) + padding for i in range(len(rows[0]) - 1)]
    return "".join("".join(c.ljust(w) for c, w in zip(row, widths)) + row[-1] + "\n" for row in rows)


def _result(metadata: Mapping[str, bytes]) -> gateway_pb2.Result:
    result = gateway_pb2.Result()
    for key, value in metadata.items():
        result.metadata[key] = value
    return result


def _json(value: Any) -> bytes:
    return json.dumps(value, indent=2).encode()


def describe_result() -> gateway_pb2.Result:
    rows = [["NAME", "VERSION", "DESCRIPTION"]]
    rows += [[d["name"].removeprefix("frontend."), d["version"], d["description"]] for d in DEFINITIONS]
    return _result({"result.json": _json(list(DEFINITIONS)), "result.txt": _table(rows, 1).encode(),
                    "version": VERSION.encode()})


def answer(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    transform_fn: TransformFn,
    forward: ForwardFn,
) -> gateway_pb2.Result:
    """The answer to the subrequest ``requested(fopts)``; raises ReturnedError for the user."""
    name = requested(fopts) or ""
    if name == DESCRIBE:
        return describe_result()
    if name not in SUPPORTED:
        raise ReturnedError(unsupported_status(name))
    if fopts.remote_context:
        return forward(client, fopts, inputs, None, None)  # dockerfile.v0 reads the file from the URL itself
    src = read_dockerfile(client, fopts, inputs)
    text = src.data.decode("utf-8", errors="surrogateescape")
    try:
        result = transform_fn(text, fopts, NO_FACTS) if may_use_pyenv(src.data) else None
    except DockerfileError as err:
        if name == LINT:
            return _lint_result(_build_error_results(src, err))
        raise ReturnedError(gwerrors.dockerfile_error_status(err, filename=src.filename, data=src.data)) from None
    view = _view(src, result)
    if name == LINT:
        return _lint(client, fopts, inputs, src, result, view, forward)
    answered = _forward_view(client, fopts, inputs, src, view, forward)
    if "result.json" in answered.metadata:
        data = json.loads(answered.metadata["result.json"])
        answered.metadata["result.json"] = _json(_user_sources(data, view, src.data))
    return answered


def _view(src: UserDockerfile, result: TransformResult | None) -> bytes:
    if result is None or not result.changed:
        return src.data
    from ..lexer import lex
    from ..view import buildkit_view

    text = src.data.decode("utf-8", errors="surrogateescape")
    escape = lex(text).directives.escape
    return buildkit_view(text, result.environments, escape).encode("utf-8", errors="surrogateescape")


def _forward_view(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    src: UserDockerfile,
    view: bytes,
    forward: ForwardFn,
) -> gateway_pb2.Result:
    """dockerfile.v0's answer for ``view``; its errors quote the user's file."""
    dockerfile_input = None
    if view != src.data:
        files = [llb.FileToWrite(src.filename, view)]
        if src.dockerignore is not None:
            files.append(llb.FileToWrite(src.filename + ".dockerignore", src.dockerignore))
        name = f"[internal] astro-pyenv: {src.filename} with PYENV lines as ENV"
        dockerfile_input = llb.files_input(files, custom_name=name)
    try:
        return forward(client, fopts, inputs, src, dockerfile_input)
    except ReturnedError as err:
        raise ReturnedError(_user_status(err.status, src, view)) from None


def _user_status(status: status_pb2.Status, src: UserDockerfile, view: bytes) -> status_pb2.Status:
    lines = tuple(range(1, view.count(b"\n") + 2))
    gen = gwerrors.GeneratedSource(filename=src.filename, generated=view, original=src.data, source_lines=lines)
    return gwerrors.remap_status(status, gen)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _user_sources(data: Any, view: bytes, user: bytes) -> Any:
    """``data`` with every quoted copy of ``view`` replaced by the user's text."""
    if not isinstance(data, dict) or not isinstance(data.get("sources"), list):
        return data
    sources = []
    for source in data["sources"]:
        if isinstance(source, str) and base64.b64decode(source) == view:
            source = _b64(user)
        elif isinstance(source, dict) and base64.b64decode(source.get("data") or "") == view:
            source = dict(source, data=_b64(user))
            source.pop("definition", None)  # the LLB of our view, not of the user's file
        sources.append(source)
    return dict(data, sources=sources)


# -- checks -----------------------------------------------------------------------------------


def _source_info(src: UserDockerfile) -> dict[str, Any]:
    return {"filename": src.filename, "language": gwerrors.LANGUAGE, "data": _b64(src.data)}


def _location(index: int, start: int, end: int) -> dict[str, Any]:
    return {"sourceIndex": index, "ranges": [{"start": {"line": start}, "end": {"line": end}}]}


def _build_error_results(src: UserDockerfile, err: DockerfileError) -> dict[str, Any]:
    line = max(1, int(err.line))
    end = max(line, int(err.end_line or line))
    return {
        "warnings": [],
        "sources": [_source_info(src)],
        "buildError": {"message": gwerrors.safe_text(err.message), "location": _location(0, line, end)},
    }


def _first_line(warning: Mapping[str, Any]) -> tuple[int, int]:
    location = warning.get("location") or {}
    ranges = location.get("ranges") or []
    line = int(((ranges[0] if ranges else {}).get("start") or {}).get("line") or 0)
    return int(location.get("sourceIndex") or 0), line


def _lint(
    client: LLBBridgeClient,
    fopts: FrontendOpts,
    inputs: Mapping[str, ops_pb2.Definition],
    src: UserDockerfile,
    result: TransformResult | None,
    view: bytes,
    forward: ForwardFn,
) -> gateway_pb2.Result:
    from ..lexer import lex
    from ..view import pyenv_lines

    try:
        answered = _forward_view(client, fopts, inputs, src, view, forward)
        data = _user_sources(json.loads(answered.metadata["result.json"]), view, src.data)
    except ReturnedError as err:
        # Without PYENV lines the client's own fallback (buildx lints with a newer Dockerfile
        # frontend image) does better than we can; with them that fallback cannot read the file.
        if not is_unsupported(err.status, LINT) or result is None or not result.changed:
            raise
        print("astro-pyenv: this engine's Dockerfile frontend has no checks; only PYENV rules run", file=sys.stderr)
        data = {"warnings": [], "sources": []}
    environments = result.environments if result is not None else ()
    sources = data.setdefault("sources", []) or []
    data["sources"] = sources
    index = next((i for i, s in enumerate(sources) if isinstance(s, dict) and s.get("data") == _b64(src.data)), None)
    if index is None:
        sources.append(_source_info(src))
        index = len(sources) - 1
    stand_ins = pyenv_lines(environments)
    data["warnings"] = [
        w for w in data.get("warnings") or [] if not (_first_line(w)[0] == index and _first_line(w)[1] in stand_ins)
    ]
    directive = lex(src.data.decode("utf-8", errors="surrogateescape")).directives.check
    try:
        config = rules.check_config(directive, fopts.build_args)
    except rules.CheckConfigError:
        config = rules.CheckConfig()  # dockerfile.v0 reports it where it has checks
    for finding in checks.findings(client, fopts, inputs, environments, config):
        data["warnings"].append({
            "ruleName": finding.rule.name,
            "description": finding.rule.description,
            "url": finding.rule.url,
            "detail": gwerrors.safe_text(finding.message),
            "location": _location(index, finding.line, finding.end_line),
        })
    return _lint_result(data)


def _lint_result(data: dict[str, Any]) -> gateway_pb2.Result:
    failed = bool(data.get("warnings")) or bool(data.get("buildError"))
    return _result({
        "result.json": _json(data),
        "result.txt": lint_text(data).encode("utf-8", "replace"),
        "result.statuscode": b"1" if failed else b"0",
        "version": VERSION.encode(),
    })


def _print_source(info: Mapping[str, Any], ranges: Sequence[Mapping[str, Any]]) -> str:
    """A snippet as BuildKit prints one: the file, ``>>>`` at the located lines, context around."""
    lines = base64.b64decode(info.get("data") or "").decode("utf-8", "replace").split("\n")
    spans = [(int((r.get("start") or {}).get("line") or 0), int((r.get("end") or {}).get("line") or 0)) for r in ranges]
    spans = [(s, max(s, e)) for s, e in spans]
    if not spans:
        return ""
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if start < 1 or start > len(lines):
        return ""
    end = min(end, len(lines))
    first = start
    pad = 4 if start == end else 2
    p = 0
    while p < pad:
        if start > 1:
            start -= 1
            p += 1
        if end != len(lines):
            end += 1
            p += 1
        p += 1
    out = [f"{info.get('filename', '')}:{first}\n--------------------\n"]
    for n in range(start, end + 1):
        mark = ">>>" if any(s <= n <= e for s, e in spans) else "   "
        out.append(f" {n:3d} | {mark} {lines[n - 1]}\n")
    out.append("--------------------\n")
    return "".join(out)


def lint_text(data: Mapping[str, Any]) -> str:
    """``result.txt`` of a lint answer: each warning with its rule, URL, detail and snippet."""
    sources = data.get("sources") or []
    out = []
    for warning in sorted(data.get("warnings") or [], key=_first_line):
        out.append(f"\nWARNING: {warning.get('ruleName', '')}")
        if warning.get("url"):
            out.append(f" - {warning['url']}")
        out.append(f"\n{warning.get('detail', '')}\n")
        index, _ = _first_line(warning)
        location = warning.get("location") or {}
        if 0 <= index < len(sources) and isinstance(sources[index], dict):
            out.append(_print_source(sources[index], location.get("ranges") or []))
    return "".join(out)
