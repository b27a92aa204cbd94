"""Real builds of PYENV Dockerfiles through our frontend, checked inside the built images.

CPython 3.9.2 and 3.13.5 are the versions whose sources the offline mirror has;
on a connected machine the same tests fetch them from python.org.
"""

from __future__ import annotations

import os
import re
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from . import harness

# A base without Python or its runtime libraries (a debootstrap minbase stand-in here).
MINIMAL_BASE = os.environ.get("ASTRO_PYENV_MINIMAL_BASE", "debian:bookworm-slim")
MODULES = "import ssl, sqlite3, ctypes, zlib, bz2, lzma, readline"


def _dockerfile(frontend: str, base: str, legacy_requirements: str = "requirements/legacy.txt") -> str:
    return f"""# syntax={frontend}
FROM {base} AS app
RUN python3 -c "import sys; print(sys.version)" > /base-python-version
PYENV 3.9.2 legacy {legacy_requirements}
PYENV 3.13.5 modern
COPY dags/ /dags/
"""


FILES = {
    "requirements/legacy.txt": "six==1.16.0\n",
    "dags/example.py": "print('a DAG')\n",
}


def _remove(engine: harness.Settings, *images: str) -> None:
    subprocess.run([engine.docker, "image", "rm", "-f", *images], capture_output=True, check=False)


@pytest.fixture(scope="module")
def two_envs(engine: harness.Settings, frontend_image: str) -> Iterator[str]:
    """An image with two PYENV environments on the python base image."""
    tag = "astro-pyenv-e2e/two-envs:latest"
    result = harness.build(
        _dockerfile(frontend_image, engine.python_base), FILES, tag=tag, settings=engine
    )
    assert result.ok, result.tail(120)
    yield tag
    _remove(engine, tag)


def _run(image: str, script: str, user: str | None = None) -> harness.RunResult:
    return harness.run_in_image(image, ["sh", "-c", script], user=user)


def test_each_variable_points_to_a_venv_of_the_requested_version(two_envs: str) -> None:
    result = _run(
        two_envs,
        '"$ASTRO_PYENV_legacy" -c "import sys; print(sys.version.split()[0], sys.prefix)";'
        '"$ASTRO_PYENV_modern" -c "import sys; print(sys.version.split()[0], sys.prefix)"',
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == [
        "3.9.2",
        "/opt/astro-pyenv/venvs/legacy",
        "3.13.5",
        "/opt/astro-pyenv/venvs/modern",
    ]


def test_requirements_are_installed_only_where_asked(two_envs: str) -> None:
    result = _run(
        two_envs,
        '"$ASTRO_PYENV_legacy" -c "import six; print(six.__version__)";'
        '"$ASTRO_PYENV_modern" -c "import six" 2>/dev/null && echo modern-has-six || echo modern-bare',
    )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1.16.0", "modern-bare"]


def test_stdlib_extension_modules_import(two_envs: str) -> None:
    result = _run(two_envs, f'"$ASTRO_PYENV_legacy" -c "{MODULES}" && "$ASTRO_PYENV_modern" -c "{MODULES}" && echo ok')
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith("ok")


def test_versioned_interpreters_are_on_path(two_envs: str) -> None:
    result = _run(two_envs, "python3.9 --version; python3.13 --version")
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["Python", "3.9.2", "Python", "3.13.5"]


def test_base_python_is_unchanged(two_envs: str) -> None:
    result = _run(
        two_envs,
        'python3 -c "import sys; print(sys.version)" > /tmp/now; cmp -s /tmp/now /base-python-version'
        ' && command -v python3',
    )
    assert result.exit_code == 0, result.output
    assert not result.output.strip().startswith("/opt/astro-pyenv")


def _step_lines(log: str, stage: str) -> tuple[set[str], set[str]]:
    """Step ids of ``stage``'s RUN steps, split into (cached, executed)."""
    ids = set(re.findall(rf"^#(\d+) \[{re.escape(stage)} \d+/\d+\] RUN", log, re.MULTILINE))
    cached = {i for i in ids if re.search(rf"^#{i} CACHED$", log, re.MULTILINE)}
    return cached, ids - cached


def test_editing_one_requirements_file_rebuilds_only_that_venv(
    engine: harness.Settings, frontend_image: str, two_envs: str
) -> None:
    # A new edit each run: an edit built before would be a cache hit on a warm engine.
    files = {**FILES, "requirements/legacy.txt": f"six==1.16.0\n# edited {uuid.uuid4().hex}\n"}
    result = harness.build(_dockerfile(frontend_image, engine.python_base), files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert _step_lines(result.log, "pyenv-venv-legacy")[1], "the edited venv must be rebuilt"
        cached, executed = _step_lines(result.log, "pyenv-venv-modern")
        assert cached and not executed, f"pyenv-venv-modern should stay cached:\n{result.tail(80)}"
        # An interpreter stage has a RUN step only when it compiles (no prebuilt image matched).
        for stage in ("pyenv-python-3.9.2", "pyenv-python-3.13.5"):
            cached, executed = _step_lines(result.log, stage)
            assert not executed, f"{stage} should stay cached:\n{result.tail(80)}"
    finally:
        if result.image_id:
            _remove(engine, result.image_id)


def test_editing_a_dag_runs_no_pyenv_step(engine: harness.Settings, frontend_image: str, two_envs: str) -> None:
    files = {**FILES, "dags/example.py": f"print('an edited DAG {uuid.uuid4().hex}')\n"}
    result = harness.build(_dockerfile(frontend_image, engine.python_base), files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        for stage in ("pyenv-venv-legacy", "pyenv-venv-modern", "pyenv-python-3.9.2", "pyenv-python-3.13.5"):
            cached, executed = _step_lines(result.log, stage)
            assert not executed, f"{stage} ran again after a DAG edit:\n{result.tail(80)}"
    finally:
        if result.image_id:
            _remove(engine, result.image_id)


def test_minimal_base_and_non_root_user(engine: harness.Settings, frontend_image: str) -> None:
    """On a base without Python's runtime libraries, as a non-root user that stays the user.

    3.9.2: every base compiles its own interpreters, and 3.9.2 is the faster compile."""
    dockerfile = f"""# syntax={frontend_image}
FROM {MINIMAL_BASE}
RUN useradd --create-home --uid 1234 runner
USER runner
PYENV 3.9.2 tool
"""
    tag = "astro-pyenv-e2e/minimal:latest"
    result = harness.build(dockerfile, {}, tag=tag, settings=engine)
    try:
        assert result.ok, result.tail(120)
        run = _run(
            tag,
            f'id -u; "$ASTRO_PYENV_tool" -c "{MODULES}; print(\'imports-ok\')";'
            " stat -c %u /opt/astro-pyenv/venvs/tool/lib /opt/astro-pyenv/venvs/tool",
        )
        assert run.exit_code == 0, run.output
        assert run.output.split() == ["1234", "imports-ok", "1234", "1234"], run.output
        if "compiling CPython 3.9.2" in result.log:
            # What the minimal base lacks was copied next to the interpreter.
            assert "the base image does not have it" in result.log, result.tail(80)
    finally:
        _remove(engine, tag)


def test_requirement_compiles_against_a_library_installed_above(engine: harness.Settings, frontend_image: str) -> None:
    """A PYENV line sees the stage above it: psycopg2 builds from source against libpq-dev."""
    dockerfile = f"""# syntax={frontend_image}
FROM {engine.python_base}
RUN apt-get update -qq && apt-get install -y -qq --no-install-recommends gcc libc6-dev libpq-dev >/dev/null
PYENV 3.13.5 pg requirements/pg.txt
"""
    files = {"requirements/pg.txt": "--no-binary psycopg2\npsycopg2==2.9.10\n"}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        run = _run(result.image_id or "", '"$ASTRO_PYENV_pg" -c "import psycopg2; print(psycopg2.__version__.split()[0])"')
        assert run.exit_code == 0, run.output
        assert run.output.strip() == "2.9.10"
    finally:
        if result.image_id:
            _remove(engine, result.image_id)


def test_base_with_onbuild_steps_builds_and_warns(engine: harness.Settings, frontend_image: str) -> None:
    base_tag = "astro-pyenv-e2e/onbuild-base:latest"
    base = harness.build(
        f"FROM {engine.python_base}\nONBUILD RUN echo onbuild-step-ran\n", {}, tag=base_tag, settings=engine
    )
    assert base.ok, base.tail()
    # 3.9.2, the faster compile: ONBUILD steps run in the interpreter stage too, so it compiles.
    dockerfile = f"# syntax={frontend_image}\nFROM {base_tag}\nPYENV 3.9.2 tool\n"
    result = harness.build(dockerfile, {}, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert "onbuild-step-ran" in result.log
        assert f"{base_tag} has 1 ONBUILD step(s); they run before the PYENV work" in result.log
    finally:
        _remove(engine, base_tag, *([result.image_id] if result.image_id else []))


def _stopped_at_configure(log: str) -> bool:
    return "C compiler cannot create executables" in log or "BUILD FAILED" in log


def _prepare_steps(log: str) -> tuple[int, int]:
    """(executed, cached) counts of the interpreter stages' prepare step (the build dependencies)."""
    ids = set(re.findall(r"^#(\d+) \[pyenv-python-[^\]]*\] RUN .*prepare-build\.sh", log, re.MULTILINE))
    cached = {i for i in ids if re.search(rf"^#{i} CACHED$", log, re.MULTILINE)}
    return len(ids - cached), len(cached)


def test_compiles_on_one_base_install_the_build_dependencies_once(
    engine: harness.Settings, frontend_image: str
) -> None:
    """The build dependencies are a step of their own, before the version and the build
    arguments: two versions compiled in one build install them once, and a later build's
    compile of a third version on the same base reuses that layer.  (CC=/bin/false stops each
    compile at configure, after the step this test is about: the test stays cheap.)"""
    base = f"astro-pyenv-e2e/deps-base:{uuid.uuid4().hex[:12]}"  # a base image no cache has seen
    made = harness.build(f"FROM {engine.python_base}\nRUN echo {base} > /nonce\n", tag=base, settings=engine)
    assert made.ok, made.tail(40)
    args = {"ASTRO_PYENV_PREBUILT": "off", "PYTHON_CONFIGURE_OPTS": "CC=/bin/false"}
    try:
        first = harness.build(
            f"# syntax={frontend_image}\nFROM {base}\nPYENV 3.9.2 a\nPYENV 3.13.5 b\n", {}, args, settings=engine
        )
        assert not first.ok and _stopped_at_configure(first.log), first.tail(80)
        assert _prepare_steps(first.log) == (1, 0), first.tail(120)
        assert first.log.count("astro-pyenv: installing build dependencies") == 1, first.tail(120)

        later = harness.build(f"# syntax={frontend_image}\nFROM {base}\nPYENV 3.11.2 c\n", {}, args, settings=engine)
        assert not later.ok and _stopped_at_configure(later.log), later.tail(80)
        assert _prepare_steps(later.log) == (0, 1), later.tail(120)
        assert "astro-pyenv: installing build dependencies" not in later.log, later.tail(120)
    finally:
        _remove(engine, base)
