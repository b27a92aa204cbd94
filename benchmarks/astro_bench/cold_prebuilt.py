"""Scenarios 9 and 12: cold builds with prebuilt interpreters, each against its floor.

The engine is pruned before every build, as in scenario 1, so BuildKit pulls the interpreter
images from the registry each time.  Ours is a project built with the frontend image (which must
carry a catalog); the floor is a plain Dockerfile that copies the very same images
(``repo:tag@digest``, read from that catalog now) and does only the venv and pip work.

- 9: the benchmark project on the Astro Runtime (``benchmarks/project``, ``benchmarks/floor/Dockerfile``);
- 12: ``benchmarks/project-python-slim`` on python:3.12-slim, Debian 13 as every python:3.x-slim
  tag is today, with ``PYENV 3.11`` and ``PYENV 3.13`` (series: the catalog's releases are
  used), against ``benchmarks/floor/python-slim.Dockerfile``.

Both run :func:`measure` with their :class:`ColdPrebuilt`.  The notes time ours' fit steps (the
``fit-interpreter.sh`` RUN steps, which drop the carried libraries the base has its own of):
work the floor does not do.
"""

from __future__ import annotations

import re
import statistics
import subprocess
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.libc import parse_libc
from astro_pyenv_frontend.prebuilt import os_key

from .buildlog import Build, Step
from .config import (
    COLD_PREBUILT_FLOOR_RATIO,
    COLD_PREBUILT_TARGET_S,
    ENVIRONMENTS,
    FLOOR_DOCKERFILE,
    FLOOR_TAG,
    FRONTEND_IMAGE,
    OURS_TAG,
    PROJECT,
    PYTHON_BASE,
    PYTHON_SLIM_ENVIRONMENTS,
    PYTHON_SLIM_FLOOR_DOCKERFILE,
    PYTHON_SLIM_FLOOR_TAG,
    PYTHON_SLIM_OURS_TAG,
    PYTHON_SLIM_PROJECT,
    RUNTIME_BASE,
    RUNTIME_IMAGE,
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
    resolve_versions,
)
from .project import write_project
from .results import Row
from .runner import Runner, interleave

# What the fit step prints (scripts/fit-interpreter.sh): which libraries it took from the base.
FIT_LINE = re.compile(r"^#\d+ [0-9.]+ astro-pyenv: (CPython \S+:? (?:uses|with) the base's.*)$", re.MULTILINE)
FIT_STEP = re.compile(r'fit-interpreter\.sh",\s*"([^"]+)"')


@dataclass(frozen=True)
class ColdPrebuilt:
    """One cold-build-with-prebuilt-interpreters scenario: what ours and the floor build."""

    key: str  # the report's row
    title: str
    base: str  # what the project's FROM names (ours)
    floor_base: str  # the floor's BASE_IMAGE; its C library decides which images serve
    environments: Mapping[str, str]  # PYENV name -> version as written (a series resolves)
    project: Path  # the project's source directory (copied, then built)
    scratch: str  # the copy's directory name under the run's work directory
    floor_dockerfile: Path
    ours_tag: str
    floor_tag: str
    label: str  # build log labels: <label><n>, <label><n>-floor
    settings_key: str  # in benchmarks.json
    target_s: float | None = None  # ours at most this many seconds (9), besides the ratio
    copy_in: tuple[str, ...] = ()  # images copied into the bench engine first (the run's own are there)
    os_key: str | None = None  # the release the scenario is about (``debian-13``); a note warns otherwise

    @property
    def target(self) -> str:
        ratio = f"≤ {COLD_PREBUILT_FLOOR_RATIO}× the floor"
        return f"≤ {self.target_s:.0f} s and {ratio}" if self.target_s is not None else f"no CPython compiled; {ratio}"


RUNTIME = ColdPrebuilt(
    key="9",
    title="9. cold build, prebuilt interpreters (vs the floor)",
    base=RUNTIME_IMAGE,
    floor_base=RUNTIME_BASE,
    environments=ENVIRONMENTS,
    project=PROJECT,
    scratch="project",  # the runner's own copy: written afresh, as scenario 1 does
    floor_dockerfile=FLOOR_DOCKERFILE,
    ours_tag=OURS_TAG,
    floor_tag=FLOOR_TAG,
    label="prebuilt-cold",
    settings_key="cold_prebuilt",
    target_s=COLD_PREBUILT_TARGET_S,
)
PYTHON_SLIM = ColdPrebuilt(
    key="12",
    title=f"12. cold build, prebuilt interpreters on `{PYTHON_BASE}` (Debian 13; vs its floor)",
    base=PYTHON_BASE,
    floor_base=PYTHON_BASE,
    environments=PYTHON_SLIM_ENVIRONMENTS,
    project=PYTHON_SLIM_PROJECT,
    scratch="project-python-slim",
    floor_dockerfile=PYTHON_SLIM_FLOOR_DOCKERFILE,
    ours_tag=PYTHON_SLIM_OURS_TAG,
    floor_tag=PYTHON_SLIM_FLOOR_TAG,
    label="slim-cold",
    settings_key="cold_prebuilt_python_slim",
    copy_in=(PYTHON_BASE,),
    os_key="debian-13",
)


def run(r: Runner) -> None:
    """Scenario 9."""
    measure(r, RUNTIME)


def run_python_slim(r: Runner) -> None:
    """Scenario 12."""
    measure(r, PYTHON_SLIM)


@dataclass(frozen=True)
class Prebuilt:
    """The images the frontend image would use: ``versions`` maps each version as written to the
    release it resolves to, ``images`` each release to ``repo:tag@digest``; ``libc`` is the
    base's C library they were chosen for (``glibc 2.41``)."""

    versions: dict[str, str]
    images: dict[str, str]
    libc: str = ""


def prebuilt_for(r: Runner, specs: Sequence[str], base: str = RUNTIME_BASE, platform: str | None = None) -> Prebuilt:
    """What the frontend image would use for ``specs`` (``3.9.2``, or a series such as ``3.11``)
    on ``base`` (in the engine's image store) for ``platform`` (the engine's own by default),
    from the catalog baked into it; raises when it has none, or the registry does not answer."""
    catalog = r.engine.docker("run", "--rm", "--network", "none", "--entrypoint", "cat", FRONTEND_IMAGE,
                              layout.PREBUILT_CATALOG, check=False)  # fmt: skip
    if catalog.returncode != 0:
        raise CatalogMismatch(f"{FRONTEND_IMAGE} carries no catalog ({layout.PREBUILT_CATALOG}): build it with one "
                              "(make interpreters, then make frontend-image)")  # fmt: skip
    recipe = r.engine.read_file(FRONTEND_IMAGE, layout.PREBUILT_RECIPE).strip()
    libc_text = r.engine.libc(base, platform=platform)
    libc = parse_libc(libc_text)
    if libc is None:
        raise CatalogMismatch(f"{base}: `getconf GNU_LIBC_VERSION` names no glibc")
    wanted = Wanted(libc=libc, platform=platform or r.engine.platform(), recipe=recipe)
    repository = repository_from_env(r.engine.image_env(FRONTEND_IMAGE))
    versions = resolve_versions(specs, catalog.stdout)
    images = catalog_images(catalog.stdout, sorted(set(versions.values())), wanted, repository)
    registry = next(iter(images.values())).split("/", 1)[0]
    check_registry(registry)
    return Prebuilt(versions, images, libc_text)


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


def floor_args(spec: ColdPrebuilt, images: Mapping[str, str]) -> dict[str, str]:
    """The floor's build args for ``images``; raises when its Dockerfile declares one of them not
    (the catalog's versions moved: the hand-written floor needs them)."""
    args = floor_build_args(images, spec.floor_base)
    missing = set(args) - floor_args_declared(spec.floor_dockerfile.read_text())
    if missing:
        raise RuntimeError(f"{spec.floor_dockerfile} declares no ARG {sorted(missing)}")
    return args


def measure(r: Runner, spec: ColdPrebuilt) -> None:
    """Ours and the floor of ``spec``, interleaved, the engine pruned before every build."""
    row = r.results.row(spec.key, spec.title, target=spec.target)
    if spec.copy_in:
        r.engine.copy_in(list(spec.copy_in))
    chosen = prebuilt_for(r, list(spec.environments.values()), base=spec.floor_base)
    args = floor_args(spec, chosen.images)
    log("prebuilt images: " + ", ".join(f"{v} {i}" for v, i in chosen.images.items()))
    project = write_project(r.work / spec.scratch, base_image=spec.base, source=spec.project)
    builds: dict[str, list[Build]] = {"ours": [], "floor": []}
    loads: list[float] = []
    r.warm = False  # a prune drops the cache the warm scenarios build on (also when a build fails)
    for turn in interleave(r.options.runs):
        r.engine.prune()
        loads.append(load_average())
        label = f"{spec.label}{turn.index + 1}"
        if turn.side == "ours":
            b = r.builder.build("ours", project, label, tag=spec.ours_tag)
        else:
            b = r.builder.build("plain", project, f"{label}-floor", tag=spec.floor_tag,
                                dockerfile=spec.floor_dockerfile, build_args=args)  # fmt: skip
        builds["ours" if turn.side == "ours" else "floor"].append(b)
    settings = summarise(row, spec, builds["ours"], builds["floor"], chosen, loads)
    os_release = os_release_of(r, spec.floor_base)
    row.notes.append(base_note(spec, os_release, chosen.libc))
    settings["base_os"] = os_key(os_release)
    r.results.settings[spec.settings_key] = settings


def os_release_of(r: Runner, image: str) -> str:
    """``/etc/os-release`` of ``image``, or "" when it has none."""
    try:
        return r.engine.read_file(image, "/etc/os-release")
    except subprocess.CalledProcessError:
        return ""


def base_note(spec: ColdPrebuilt, os_release: str, libc: str) -> str:
    """What the floor's base is (ours' FROM is that image or its ONBUILD variant), as its
    ``/etc/os-release`` and C library say; a warning when it is not the release ``spec`` is about
    (its base was set to another image, e.g. by ``$ASTRO_PYENV_PYTHON_BASE``)."""
    pretty = ""
    for line in os_release.splitlines():
        name, sep, value = line.strip().partition("=")
        if sep and name == "PRETTY_NAME":
            pretty = value.strip().strip("\"'")
    key = os_key(os_release)
    text = f"base `{spec.floor_base}`: {pretty or key or 'no /etc/os-release'}, {libc or 'no glibc named'}"
    if spec.os_key is not None and key != spec.os_key:
        text += f"; WARNING: not {spec.os_key}, the release this scenario is about"
    return text


def fit_steps(steps: Sequence[Step]) -> dict[str, float]:
    """``{version: seconds}`` of the fit steps (``fit-interpreter.sh``) a build ran (not cached)."""
    found: dict[str, float] = {}
    for s in steps:
        m = FIT_STEP.search(s.text)
        if m and s.executed:
            found[m.group(1)] = found.get(m.group(1), 0.0) + (s.seconds or 0.0)
    return found


def summarise(
    row: Row,
    spec: ColdPrebuilt,
    ours: Sequence[Build],
    floor: Sequence[Build],
    chosen: Prebuilt,
    loads: Sequence[float],
) -> dict[str, object]:
    """Fill ``row`` (figures, notes, met) from the builds; the figures for benchmarks.json."""
    row.ours = [b.seconds for b in ours]
    row.baseline = [b.seconds for b in floor]
    ours_s = statistics.median(row.ours)
    floor_s = statistics.median(row.baseline)
    row.baseline_text = f"{floor_s:.2f} s floor (n={len(floor)})"
    ratio = ours_s / floor_s
    compiled: list[str] = []
    fits: list[dict[str, float]] = []
    for i, b in enumerate(ours):
        lines = interpreter_lines(b.log)
        compiled += lines.compiling
        other = {v: image for v, image in lines.prebuilt.items() if chosen.images.get(v) != image}
        fit = fit_steps(b.steps())
        fits.append(fit)
        row.notes.append(
            f"ours run {i + 1}: {b.seconds:.1f} s; prebuilt: {', '.join(sorted(lines.prebuilt)) or 'none'}; "
            f"compiled: {', '.join(f'{v} ({w})' for v, w in sorted(lines.compiled_why.items())) or 'nothing'}; "
            f"fit steps: {fit_text(fit)}"
            + (f"; WARNING: images other than the floor's: {other}" if other else "")
            + (f"; WARNING: compiled CPython {lines.compiling} (an `astro-pyenv: compiling CPython` line)"
               if lines.compiling else "")  # fmt: skip
        )
    for i, b in enumerate(floor):
        slow = sorted((s for s in b.steps() if s.executed), key=lambda s: -(s.seconds or 0))[:3]
        row.notes.append(f"floor run {i + 1}: {b.seconds:.1f} s; slowest steps: "
                         + "; ".join(f"{step_label(s.text)} {s.seconds:.1f} s" for s in slow))  # fmt: skip
    fit_total = [sum(f.values()) for f in fits]
    if fit_total:
        row.notes.append(
            f"fit steps (ours' `fit-interpreter.sh` RUN steps, from the build log; work the floor does not do, "
            f"in parallel stages): median {statistics.median(fit_total):.1f} s summed over the interpreters"
            + "".join(f"; {line}" for line in FIT_LINE.findall(ours[0].log))
        )
    row.notes.append(f"1-minute load average before the cold builds: {', '.join(f'{x:.2f}' for x in loads)}")
    resolved = [f"PYENV {s} → {v}" for s, v in chosen.versions.items() if s != v]
    row.notes.append("interpreter images (ours and the floor, from the frontend image's catalog): "
                     + ", ".join(f"{v} `{i}`" for v, i in chosen.images.items())
                     + (f" ({', '.join(resolved)}, as the frontend resolves them with that catalog)"
                        if resolved else ""))  # fmt: skip
    within = ratio <= COLD_PREBUILT_FLOOR_RATIO and (spec.target_s is None or ours_s <= spec.target_s)
    row.met = "no (ours compiled CPython)" if compiled else "yes" if within else "no"
    return {"base": spec.base, "versions": chosen.versions, "images": chosen.images, "ours_s": row.ours,
            "floor_s": row.baseline, "ratio": ratio, "compiled": compiled, "fit_s": fits}  # fmt: skip


def fit_text(fit: Mapping[str, float]) -> str:
    """``"3.11.2 0.8 s, 3.13.5 1.1 s"``, or ``"none"``."""
    return ", ".join(f"{v} {t:.1f} s" for v, t in sorted(fit.items())) or "none"
