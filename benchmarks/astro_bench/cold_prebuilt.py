"""Scenario 9: cold builds with prebuilt interpreters, against the floor (``benchmarks/floor``).

The engine is pruned before every build, as in scenario 1, so BuildKit pulls the interpreter
images from the registry each time.  Ours is the benchmark project with the frontend image
(which must carry a catalog); the floor is a plain Dockerfile that copies the very same images
(``repo:tag@digest``, read from that catalog now) and does only the venv and pip work.
"""

from __future__ import annotations

import re
import statistics
import urllib.error
import urllib.request

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.libc import parse_libc

from .buildlog import Build
from .config import (
    COLD_PREBUILT_FLOOR_RATIO,
    COLD_PREBUILT_TARGET_S,
    ENVIRONMENTS,
    FLOOR_DOCKERFILE,
    FLOOR_TAG,
    FRONTEND_IMAGE,
    RUNTIME_BASE,
    load_average,
    log,
)
from .interpreters import (
    CatalogMismatch,
    Wanted,
    catalog_images,
    floor_args_declared,
    floor_build_args,
    interpreter_lines,
    repository_from_env,
)
from .project import write_project
from .runner import Runner, interleave


def prebuilt_images(
    r: Runner, versions: list[str], base: str = RUNTIME_BASE, platform: str | None = None
) -> dict[str, str]:
    """``{version: repo:tag@digest}`` the frontend image would use on ``base`` (the runtime's, in
    the engine's image store) for ``platform`` (the engine's own by default), from the catalog
    baked into it; raises when it has none, or the registry does not answer."""
    catalog = r.engine.docker("run", "--rm", "--network", "none", "--entrypoint", "cat", FRONTEND_IMAGE,
                              layout.PREBUILT_CATALOG, check=False)  # fmt: skip
    if catalog.returncode != 0:
        raise CatalogMismatch(f"{FRONTEND_IMAGE} carries no catalog ({layout.PREBUILT_CATALOG}): build it with one "
                              "(make interpreters, then make frontend-image)")  # fmt: skip
    recipe = r.engine.read_file(FRONTEND_IMAGE, layout.PREBUILT_RECIPE).strip()
    libc = parse_libc(r.engine.libc(base, platform=platform))
    if libc is None:
        raise CatalogMismatch(f"{base}: `getconf GNU_LIBC_VERSION` names no glibc")
    wanted = Wanted(libc=libc, platform=platform or r.engine.platform(), recipe=recipe)
    repository = repository_from_env(r.engine.image_env(FRONTEND_IMAGE))
    images = catalog_images(catalog.stdout, versions, wanted, repository)
    registry = next(iter(images.values())).split("/", 1)[0]
    check_registry(registry)
    return images


def check_registry(registry: str) -> None:
    """The registry answers ``/v2/`` over plain HTTP (a local one; else ours would compile)."""
    url = f"http://{registry}/v2/"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310 - a fixed http URL
            answer.read()
    except urllib.error.HTTPError as err:
        if err.code != 401:  # 401: a registry that wants a login still answers
            raise CatalogMismatch(f"the registry at {url} answered {err.code}") from None
    except OSError as err:
        raise CatalogMismatch(f"the registry at {url} does not answer: {err}") from None


def step_label(text: str) -> str:
    """A short name for a floor step: ``venv snowpark``, ``FROM <image>`` shortened, else its start."""
    venv = re.search(rf"-m venv {re.escape(layout.VENV_ROOT)}/(\w+)", text)
    if venv:
        return f"venv {venv.group(1)} (venv, pip, requirements)"
    text = " ".join(text.split())
    return text if len(text) <= 70 else text[:67] + "..."


def run(r: Runner) -> None:
    target = f"≤ {COLD_PREBUILT_TARGET_S:.0f} s and ≤ {COLD_PREBUILT_FLOOR_RATIO}× the floor"
    row = r.results.row("9", "9. cold build, prebuilt interpreters (vs the floor)", target=target)
    versions = sorted(set(ENVIRONMENTS.values()))
    images = prebuilt_images(r, versions)
    args = floor_build_args(images, RUNTIME_BASE)
    missing = set(args) - floor_args_declared(FLOOR_DOCKERFILE.read_text())
    if missing:
        raise RuntimeError(f"{FLOOR_DOCKERFILE} declares no ARG {sorted(missing)}")
    log("prebuilt images: " + ", ".join(f"{v} {i}" for v, i in images.items()))
    write_project(r.project)
    builds: dict[str, list[Build]] = {"ours": [], "floor": []}
    loads: list[float] = []
    for turn in interleave(r.options.runs):
        r.engine.prune()
        loads.append(load_average())
        label = f"prebuilt-cold{turn.index + 1}"
        if turn.side == "ours":
            b = r.build("ours", label)
        else:
            b = r.builder.build("plain", r.project, f"{label}-floor", tag=FLOOR_TAG, dockerfile=FLOOR_DOCKERFILE,
                                build_args=args)  # fmt: skip
        builds["ours" if turn.side == "ours" else "floor"].append(b)
        row.add(turn.side, b.seconds)
    r.warm = False  # the last prune dropped the cache the warm scenarios build on
    ours = statistics.median(row.ours)
    floor = statistics.median(row.baseline)
    row.baseline_text = f"{floor:.2f} s floor (n={len(row.baseline)})"
    ratio = ours / floor
    compiled: list[str] = []
    for i, b in enumerate(builds["ours"]):
        lines = interpreter_lines(b.log)
        compiled += lines.compiling
        other = {v: i for v, i in lines.prebuilt.items() if images.get(v) != i}
        row.notes.append(
            f"ours run {i + 1}: {b.seconds:.1f} s; prebuilt: {', '.join(sorted(lines.prebuilt)) or 'none'}; "
            f"compiled: {', '.join(f'{v} ({w})' for v, w in sorted(lines.compiled_why.items())) or 'nothing'}"
            + (f"; WARNING: images other than the floor's: {other}" if other else "")
            + (f"; WARNING: compiled CPython {lines.compiling} (an `astro-pyenv: compiling CPython` line)"
               if lines.compiling else "")  # fmt: skip
        )
    for i, b in enumerate(builds["floor"]):
        slow = sorted((s for s in b.steps() if s.executed), key=lambda s: -(s.seconds or 0))[:3]
        row.notes.append(f"floor run {i + 1}: {b.seconds:.1f} s; slowest steps: "
                         + "; ".join(f"{step_label(s.text)} {s.seconds:.1f} s" for s in slow))  # fmt: skip
    row.notes.append(f"1-minute load average before the cold builds: {', '.join(f'{x:.2f}' for x in loads)}")
    row.notes.append("interpreter images (ours and the floor, from the frontend image's catalog): "
                     + ", ".join(f"{v} `{i}`" for v, i in images.items()))  # fmt: skip
    if compiled:
        row.met = "no (ours compiled CPython)"
    else:
        row.met = "yes" if ours <= COLD_PREBUILT_TARGET_S and ratio <= COLD_PREBUILT_FLOOR_RATIO else "no"
    r.results.settings["cold_prebuilt"] = {"images": images, "ours_s": row.ours, "floor_s": row.baseline,
                                           "ratio": ratio, "compiled": compiled}  # fmt: skip
