"""Podman and Buildah build the generated Dockerfile (docs/podman.md).

They cannot run our frontend, so the user keeps the PYENV file as ``Dockerfile.pyenv`` and
builds ``Dockerfile`` written by ``astro-pyenv-frontend transform --engine=buildah``.  Real
podman 4.3 and buildah 1.28 (Debian bookworm), real pulls of the frontend image from the local
registry (as from a release), pip from PyPI.  The Astro project takes its interpreter prebuilt:
the CLI reads the catalog of the frontend image from the registry, Podman pulls the image by
digest, and the build checks the base's glibc and fits it (a cold build, nothing compiled).  The
plain project compiles (ASTRO_PYENV_PREBUILT=off: that path stays tested), a real CPython 3.9.2
compile whose layers CI's cache directory keeps, so only a change to pyenv, our scripts or the
base compiles again.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from . import harness
from .podman_harness import Containers, Result

PYENV_FILE = """\
# syntax={frontend}
FROM {base}
RUN useradd --uid 50000 --create-home astro
USER astro
PYENV 3.9.2 legacy requirements-legacy.txt
COPY --chown=astro app.py /home/astro/app.py
"""
PROBE = '"$ASTRO_PYENV_legacy" -c "import sys, six; print(sys.version_info[:3], six.__version__)"; id -un'
# The standard modules that load shared libraries, as the stage's (non-root) user.
STDLIB = "import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline, curses, uuid, dbm.gnu, _hashlib; print('stdlib ok')"
FRONTEND_CLI = str(Path(sys.executable).parent / "astro-pyenv-frontend")


@dataclass(frozen=True)
class Project:
    root: Path
    frontend: str  # the frontend image as pulled from the registry
    build_flags: tuple[str, ...]


def _pushed_frontend(engine: harness.Settings, frontend_image: str, registry: str) -> str:
    """The frontend image in the local registry, where a Podman user gets a release from."""
    tag = re.sub(r"[^A-Za-z0-9_.-]", "-", frontend_image.rsplit(":", 1)[-1])
    ref = f"{registry}/astro-pyenv-e2e-podman/astro-pyenv-frontend:{tag}"
    for argv in ([engine.docker, "tag", frontend_image, ref], [engine.docker, "push", ref]):
        done = subprocess.run(argv, capture_output=True, text=True, check=False)
        assert done.returncode == 0, done.stderr
    return ref


def _docker_image_id(engine: harness.Settings, image: str) -> str:
    done = subprocess.run(
        [engine.docker, "image", "inspect", "--format", "{{.Id}}", image], capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


@pytest.fixture(scope="module")
def project(
    engine: harness.Settings, frontend_image: str, registry: str, containers: Containers, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Project]:
    frontend = _pushed_frontend(engine, frontend_image, registry)
    # The previous run's frontend image, so CI's storage does not keep one per commit (no
    # build layer derives from it: the generated stages copy from it by content).
    containers.podman("rmi", frontend)
    # --tls-verify=false: the local registry speaks plain HTTP (Docker allows 127.0.0.0/8 by default, Podman does not).
    pulled = containers.podman("pull", "--tls-verify=false", frontend, timeout=600)
    assert pulled.ok, pulled.tail()
    base = engine.python_base
    have = containers.podman("image", "inspect", "--format", "{{.Id}}", base)
    if not have.ok or have.output.strip() != _docker_image_id(engine, base).removeprefix("sha256:"):
        loaded = containers.load_from_docker(engine.docker, [base])  # offline: the stand-in
        assert loaded.ok, loaded.tail()
    root = tmp_path_factory.mktemp("podman-project")
    (root / "Dockerfile.pyenv").write_text(PYENV_FILE.format(frontend=frontend, base=base))
    (root / "requirements-legacy.txt").write_text("six==1.16.0\n")
    (root / "app.py").write_text("print('v1')\n")
    flags = tuple(harness._build_flags(engine, mirror=True, ca=True))  # --network host, mirror, CA secret
    made = Project(root, frontend, flags)
    # The generated Dockerfile every test below builds (the first test checks this step itself):
    # each test stands alone, in any order or subset.
    written = _transform(made)
    assert written.returncode == 0, written.stderr
    yield made


def _transform(project: Project, *extra: str, prebuilt: bool = False) -> subprocess.CompletedProcess[str]:
    argv = [FRONTEND_CLI, "transform", "-f", "Dockerfile.pyenv", "-o", "Dockerfile", "--engine=buildah", *extra]
    if not prebuilt:
        argv.append("--build-arg=ASTRO_PYENV_PREBUILT=off")
    # The catalog as a user's CLI gets it: from the frontend image, in its registry (the variable
    # is for the frontend image's build).
    env = {k: v for k, v in os.environ.items() if k != "ASTRO_PYENV_PREBUILT_CATALOG"}
    return subprocess.run(argv, cwd=project.root, capture_output=True, text=True, check=False, env=env)


def _podman_build(containers: Containers, project: Project, tag: str, *extra: str) -> tuple[Result, float]:
    start = time.monotonic()
    # --pull=missing --tls-verify=false: the bases are here (offline stand-ins); a prebuilt
    # interpreter comes from the local registry, which speaks plain HTTP.
    result = containers.podman(
        "build", "--pull=missing", "--tls-verify=false", *extra, *project.build_flags,
        "-f", str(project.root / "Dockerfile"), "-t", tag, str(project.root),
    )  # fmt: skip
    return result, time.monotonic() - start


def _pinned_six(project: Project) -> str:
    """The six version requirements-legacy.txt pins now (a test above may have edited it)."""
    match = re.search(r"^six==(\S+)", (project.root / "requirements-legacy.txt").read_text(), re.MULTILINE)
    assert match, "requirements-legacy.txt pins no six"
    return match.group(1)


def _ran_fresh(log: str, marker: str) -> bool:
    """True when the step whose text holds ``marker`` ran (was not taken from the layer cache)."""
    steps = re.split(r"\n(?=\[\d+/\d+\] STEP )", log)
    matching = [step for step in steps if marker in step.split("\n", 1)[0]]
    assert matching, f"no step with {marker!r} in the build log"
    return any("--> Using cache" not in step for step in matching)


IMAGE = "localhost/astro-pyenv-e2e-podman:latest"


def test_podman_builds_generated_dockerfile_and_the_venv_runs(containers: Containers, project: Project) -> None:
    written = _transform(project)
    assert written.returncode == 0, written.stderr
    checked = _transform(project, "--check")
    assert checked.returncode == 0, checked.stderr

    built, seconds = _podman_build(containers, project, IMAGE)
    assert built.ok, built.tail()
    print(f"podman build (compile {'run' if _ran_fresh(built.output, 'build-python.sh') else 'cached'}): {seconds:.1f}s")

    ran = containers.run(IMAGE, "sh", "-c", PROBE)
    assert ran.ok, ran.output
    assert ran.output.splitlines()[-2:] == [f"(3, 9, 2) {_pinned_six(project)}", "astro"], ran.output
    owner = containers.run(IMAGE, "stat", "-c", "%U", "/opt/astro-pyenv/venvs/legacy")
    assert owner.output.strip() == "astro"  # the stage user owns its venv, as with BuildKit


def test_dag_edit_reuses_all_pyenv_work(containers: Containers, project: Project) -> None:
    """Without COPY --link the copies after the PYENV lines still sit on cached PYENV layers."""
    before, _ = _podman_build(containers, project, IMAGE)  # from the cache after the test above
    assert before.ok, before.tail()
    # New content every run: Buildah's cache keys a COPY by content, and CI keeps the cache.
    (project.root / "app.py").write_text(f"print('v2')  # {uuid.uuid4()}\n")
    built, seconds = _podman_build(containers, project, IMAGE)
    assert built.ok, built.tail()
    print(f"podman rebuild after an edit below the PYENV lines: {seconds:.1f}s")
    assert not _ran_fresh(built.output, "build-python.sh")
    assert not _ran_fresh(built.output, "make-venv.sh")
    assert _ran_fresh(built.output, "COPY --chown=astro app.py")


def test_requirements_edit_rebuilds_that_venv_only(containers: Containers, project: Project) -> None:
    """Buildah's layer cache ignores what a bind mount holds; the buildah output copies the file."""
    before, _ = _podman_build(containers, project, IMAGE)  # from the cache after the tests above
    assert before.ok, before.tail()
    (project.root / "requirements-legacy.txt").write_text(f"six==1.17.0\n# {uuid.uuid4()}\n")
    assert _transform(project, "--check").returncode == 0  # the generated file does not change
    built, seconds = _podman_build(containers, project, IMAGE)
    assert built.ok, built.tail()
    print(f"podman rebuild after a requirements edit: {seconds:.1f}s")
    assert not _ran_fresh(built.output, "build-python.sh")
    assert _ran_fresh(built.output, "make-venv.sh")
    ran = containers.run(IMAGE, "sh", "-c", PROBE)
    assert ran.output.splitlines()[-2:] == ["(3, 9, 2) 1.17.0", "astro"], ran.output


def test_buildah_build_takes_the_same_layers(containers: Containers, project: Project) -> None:
    podman, _ = _podman_build(containers, project, IMAGE)  # from the cache after the tests above
    assert podman.ok, podman.tail()
    start = time.monotonic()
    built = containers.buildah(
        "build", "--layers", "--pull=never", *project.build_flags, "-f", str(project.root / "Dockerfile"),
        "-t", "localhost/astro-pyenv-e2e-buildah:latest", str(project.root),
    )
    assert built.ok, built.tail()
    print(f"buildah build --layers on podman's cache: {time.monotonic() - start:.1f}s")
    assert not _ran_fresh(built.output, "make-venv.sh")
    ran = containers.run("localhost/astro-pyenv-e2e-buildah:latest", "sh", "-c", PROBE)
    assert ran.output.splitlines()[-2:] == [f"(3, 9, 2) {_pinned_six(project)}", "astro"], ran.output


def test_stale_generated_file_is_reported(project: Project) -> None:
    text = (project.root / "Dockerfile.pyenv").read_text()
    (project.root / "Dockerfile.pyenv").write_text(text.replace("PYENV 3.9.2 legacy", "PYENV 3.9.2 renamed"))
    try:
        checked = _transform(project, "--check")
    finally:
        (project.root / "Dockerfile.pyenv").write_text(text)
    assert checked.returncode == 1
    assert "Dockerfile is stale: it is not what Dockerfile.pyenv gives now" in checked.stderr


# -- an Astro project, as the Astro CLI builds it with Podman -------------------------------------

ASTRO_PYENV_FILE = """\
# syntax={frontend}
FROM {runtime}
PYENV 3.9.2 legacy requirements-legacy.txt
"""


@pytest.fixture(scope="module")
def astro_project(
    engine: harness.Settings, project: Project, containers: Containers, tmp_path_factory: pytest.TempPathFactory
) -> Project:
    """An Astro project on the Astro Runtime (offline: its stand-in, moved from the Docker engine)."""
    images = [engine.runtime_image, engine.runtime_base_image]
    missing = [
        image
        for image in images
        if containers.podman("image", "inspect", "--format", "{{.Id}}", image).output.strip()
        != _docker_image_id(engine, image).removeprefix("sha256:")
    ]
    if missing:
        loaded = containers.load_from_docker(engine.docker, missing)
        assert loaded.ok, loaded.tail()
    root = tmp_path_factory.mktemp("podman-astro-project")
    (root / "Dockerfile.pyenv").write_text(ASTRO_PYENV_FILE.format(frontend=project.frontend, runtime=engine.runtime_image))
    (root / "requirements-legacy.txt").write_text("six==1.16.0\n")
    (root / "packages.txt").write_text("")
    (root / "requirements.txt").write_text("")
    (root / "dags").mkdir()
    (root / "dags" / "example.py").write_text("# a DAG file\n")
    return Project(root, project.frontend, project.build_flags)


def test_astro_project_builds_cold_under_podman_with_a_prebuilt_interpreter_and_the_project_copied_last(
    containers: Containers, astro_project: Project
) -> None:
    written = _transform(astro_project, prebuilt=True)
    assert written.returncode == 0, written.stderr
    generated = (astro_project.root / "Dockerfile").read_text()
    assert "build-python.sh" not in generated, generated  # nothing is compiled
    chosen = re.search(r"^# astro-pyenv: (CPython 3\.9\.2: prebuilt for .*)$", generated, re.MULTILINE)
    assert chosen, generated
    assert f"(the catalog of {astro_project.frontend})" in chosen.group(1)  # read from its registry
    print(chosen.group(1))
    tag = "localhost/astro-pyenv-e2e-podman-astro:latest"

    # The layer cache: after a DAG edit no PYENV step and no replayed ONBUILD step runs.
    built, seconds = _podman_build(containers, astro_project, tag)
    assert built.ok, built.tail()
    print(f"podman build of the Astro project (layer cache as CI keeps it): {seconds:.1f}s")
    (astro_project.root / "dags" / "example.py").write_text(f"# edited {uuid.uuid4()}\n")
    rebuilt, seconds = _podman_build(containers, astro_project, tag)
    assert rebuilt.ok, rebuilt.tail()
    print(f"podman rebuild of the Astro project after a DAG edit: {seconds:.1f}s")
    assert not _ran_fresh(rebuilt.output, "fit-interpreter.sh")
    assert not _ran_fresh(rebuilt.output, "make-venv.sh")
    assert not _ran_fresh(rebuilt.output, "install-python-dependencies")

    # Cold: no layer cache, the interpreter image pulled by digest from the registry; no compile.
    (image,) = re.findall(r"^COPY --from=(\S+@sha256:[0-9a-f]{64}) /opt/astro-pyenv/ ", generated, re.MULTILINE)
    containers.podman("rmi", "--force", image)
    built, seconds = _podman_build(containers, astro_project, tag, "--no-cache")
    assert built.ok, built.tail()
    print(f"podman build of the Astro project, cold (--no-cache, interpreter pulled): {seconds:.1f}s")
    assert _ran_fresh(built.output, "fit-interpreter.sh")  # after its glibc check
    print(*[line for line in built.output.splitlines() if line.startswith("astro-pyenv: CPython 3.9.2")], sep="\n")
    ran = containers.run(tag, "sh", "-c", PROBE + f"; \"$ASTRO_PYENV_legacy\" -c \"{STDLIB}\"; cat dags/example.py")
    last = ran.output.splitlines()[-4:]
    assert last[:3] == ["(3, 9, 2) 1.16.0", "astro", "stdlib ok"] and last[3].startswith("# edited "), ran.output


def test_podman_builds_a_uv_line_with_the_frontend_images_uv(containers: Containers, project: Project) -> None:
    """``--installer=uv`` for Buildah: uv copied from the pulled frontend image into the venv
    stage (Buildah mounts nothing from other stages), not into the image; the prebuilt 3.13.5."""
    uv_file = project.root / "Dockerfile.uv.pyenv"
    # Its own requirements file (test_requirements_edit_rebuilds_that_venv_only edits the shared
    # one), new on every run: the venv step must run for its log to say who installed.
    (project.root / "requirements-uv.txt").write_text(f"# run {uuid.uuid4().hex}\nsix==1.16.0\n")
    uv_file.write_text(
        f"# syntax={project.frontend}\nFROM {harness.Settings.from_env().python_base}\n"
        "RUN useradd --uid 50000 --create-home astro\nUSER astro\n"
        "PYENV --installer=uv 3.13.5 fast requirements-uv.txt\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "ASTRO_PYENV_PREBUILT_CATALOG"}
    written = subprocess.run(
        [FRONTEND_CLI, "transform", "-f", uv_file.name, "-o", "Dockerfile.uv", "--engine=buildah"],
        cwd=project.root, capture_output=True, text=True, check=False, env=env,
    )  # fmt: skip
    assert written.returncode == 0, written.stderr
    tag = "localhost/astro-pyenv-e2e-podman-uv:latest"
    built = containers.podman(
        "build", "--pull=missing", "--tls-verify=false", *project.build_flags,
        "-f", str(project.root / "Dockerfile.uv"), "-t", tag, str(project.root),
    )  # fmt: skip
    assert built.ok, built.tail()
    assert "astro-pyenv: installed by uv " in built.output, built.tail()
    ran = containers.run(tag, "sh", "-c", '"$ASTRO_PYENV_fast" -c "import six; print(six.__version__)"; ls /tmp/astro-pyenv 2>&1 | head -1')
    assert ran.output.split()[0] == "1.16.0", ran.output
    assert "No such file" in ran.output, ran.output
