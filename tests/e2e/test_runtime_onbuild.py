"""Astro Runtime ONBUILD steps read from the image, not from our template (issue 15.5).

A stand-in named like a runtime image (a tag nobody else uses) carries ONBUILD steps that differ
from the template: a step before the project copy, the copy, and a step after it.  The build
must run the first right after FROM (before the user's lines and the PYENV work), the others
after the PYENV work, and a DAG edit must leave every PYENV step cached.  An image whose
config cannot be read (only its ``-base`` variant exists) gets our copy of the usual steps and a
warning.

The replayed steps run with the WORKDIR they have in a plain build, whatever the lines above
the PYENV work set (issue 22.1); and the runtime is known by what it is, not by its name:
pinned by digest, re-tagged under another registry's name or named by an ARG, its project copy
still comes after the PYENV work (issue 22.14).
"""

from __future__ import annotations

import re
import subprocess
import urllib.request
import uuid
from collections.abc import Iterator

import pytest

from . import harness

IMAGE = "quay.io/astronomer/astro-runtime:13.99.0-onbuildtest"
STANDIN = """FROM {base}
ONBUILD USER root
ONBUILD RUN echo "pre uid=$(id -u) venv=${{ASTRO_PYENV_py:-missing}} cert=${{PIP_CERT:-none}}" > /onbuild-pre.txt
ONBUILD USER astro
ONBUILD COPY --chown=astro:0 . .
ONBUILD RUN echo "post venv=${{ASTRO_PYENV_py:-missing}} dags=$(ls dags | tr '\\n' ' ')" > /usr/local/airflow/onbuild-post.txt
"""
USER_DOCKERFILE = """# syntax={frontend}
FROM {image}
RUN cp /onbuild-pre.txt /usr/local/airflow/user-saw-pre.txt && test ! -e /usr/local/airflow/dags
PYENV 3.13.5 py
"""


def _docker(engine: harness.Settings, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([engine.docker, *args], capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def standin(engine: harness.Settings) -> Iterator[str]:
    """``IMAGE`` (ONBUILD steps of its own) and ``IMAGE-base``, removed afterwards."""
    tagged = _docker(engine, "tag", engine.runtime_base_image, f"{IMAGE}-base")
    assert tagged.returncode == 0, tagged.stderr
    try:
        built = harness.build(STANDIN.format(base=f"{IMAGE}-base"), {}, tag=IMAGE, settings=engine)
        assert built.ok, built.tail()
        yield IMAGE
    finally:
        _docker(engine, "image", "rm", IMAGE, f"{IMAGE}-base")


def _build(engine: harness.Settings, frontend: str, dag: str) -> harness.BuildResult:
    files = {"dags/example.py": dag}
    return harness.build(USER_DOCKERFILE.format(frontend=frontend, image=IMAGE), files, settings=engine)


def test_the_image_onbuild_steps_run_around_the_pyenv_work(
    engine: harness.Settings, frontend_image: str, standin: str
) -> None:
    first = _build(engine, frontend_image, f"# {uuid.uuid4().hex}\n")
    second = None
    try:
        assert first.ok, first.tail(120)
        assert "could not read the ONBUILD steps" not in first.log
        run = harness.run_in_image(
            first.image_id or "",
            ["sh", "-c", "cat /onbuild-pre.txt /usr/local/airflow/user-saw-pre.txt /usr/local/airflow/onbuild-post.txt"],
        )
        assert run.exit_code == 0, run.output
        pre, user_saw, post = run.output.strip().splitlines()
        cert = "/run/secrets/astro-pyenv-ca" if engine.ca_bundle else "none"
        assert pre == f"pre uid=0 venv=missing cert={cert}", "before the PYENV work, with the CA secret"
        assert user_saw == pre, "before the user's lines"
        assert post == "post venv=/opt/astro-pyenv/venvs/py/bin/python dags=example.py", "after the PYENV work"

        second = _build(engine, frontend_image, f"# an edit {uuid.uuid4().hex}\n")
        assert second.ok, second.tail(120)
        steps = re.findall(r"^#(\d+) \[(pyenv-[\w.-]+) [^\]]*\] RUN", second.log, re.MULTILINE)
        assert {stage for _, stage in steps} >= {"pyenv-venv-py"}, second.tail(80)
        ran = sorted({stage for step, stage in steps if not re.search(rf"^#{step} CACHED$", second.log, re.MULTILINE)})
        ran.remove(harness.SECRETS_DIGEST_STAGE)  # runs on every build, by design
        assert not ran, f"PYENV stages ran again after a DAG edit: {ran}\n{second.tail(80)}"
    finally:
        ids = [r.image_id for r in (first, second) if r is not None and r.image_id]
        if ids:
            _docker(engine, "image", "rm", *ids)


def test_an_unreadable_image_config_means_the_usual_steps_and_a_warning(
    engine: harness.Settings, frontend_image: str
) -> None:
    missing = "quay.io/astronomer/astro-runtime:13.99.1-onbuildtest"  # only its -base exists
    tagged = _docker(engine, "tag", engine.runtime_base_image, f"{missing}-base")
    assert tagged.returncode == 0, tagged.stderr
    files = {"packages.txt": "", "requirements.txt": "", "dags/example.py": "# a DAG\n"}
    dockerfile = f"# syntax={frontend_image}\nFROM {missing}\nPYENV 3.13.5 py\n"
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert f"could not read the ONBUILD steps of {missing}" in result.log
        run = harness.run_in_image(result.image_id or "", ["sh", "-c", "ls /usr/local/airflow/dags"])
        assert run.exit_code == 0 and run.output.strip() == "example.py", run.output
    finally:
        _docker(engine, "image", "rm", f"{missing}-base", *([result.image_id] if result.image_id else []))


def _pyenv_steps_that_ran(log: str) -> list[str]:
    """The generated stages whose RUN steps did not come from the cache (the secrets digest runs
    on every build, by design)."""
    steps = re.findall(r"^#(\d+) \[(pyenv-[\w.-]+) [^\]]*\] RUN", log, re.MULTILINE)
    ran = {stage for step, stage in steps if not re.search(rf"^#{step} CACHED$", log, re.MULTILINE)}
    return sorted(ran - {harness.SECRETS_DIGEST_STAGE})


# The project's DAGs, the image's WORKDIR, what is in the user's build directory.
LAYOUT = "ls /usr/local/airflow/dags; pwd; ls /opt/build"


def test_the_project_lands_where_airflow_reads_it_whatever_workdir_the_lines_above_pyenv_set(
    engine: harness.Settings, frontend_image: str
) -> None:
    """Issue 22.1: ``WORKDIR /opt/build`` above PYENV made the replayed project copy put the DAGs
    in /opt/build.  A plain build (the same lines, no PYENV) is the reference: the project in
    /usr/local/airflow, the image's WORKDIR /opt/build."""
    above = "WORKDIR /opt/build\nRUN touch made-here\n"
    files = {"packages.txt": "", "requirements.txt": "", "dags/example.py": f"# {uuid.uuid4().hex}\n"}
    plain = harness.build(f"FROM {engine.runtime_image}\n{above}", files, settings=engine)
    ours = harness.build(f"# syntax={frontend_image}\nFROM {engine.runtime_image}\n{above}PYENV 3.13.5 py\n", files, settings=engine)
    try:
        assert plain.ok, plain.tail(80)
        assert ours.ok, ours.tail(120)
        expected = harness.run_in_image(plain.image_id or "", ["sh", "-c", LAYOUT])
        assert expected.output.split() == ["example.py", "/opt/build", "made-here"], expected.output
        got = harness.run_in_image(ours.image_id or "", ["sh", "-c", LAYOUT])
        assert got.output == expected.output, "the DAGs where a plain build puts them, the user's WORKDIR kept"
        venv = harness.run_in_image(ours.image_id or "", ["sh", "-c", '"$ASTRO_PYENV_py" -c "print(1)"'])
        assert venv.output.strip() == "1", venv.output
    finally:
        ids = [r.image_id for r in (plain, ours) if r.image_id]
        if ids:
            _docker(engine, "image", "rm", *ids)


@pytest.fixture(scope="module")
def pinned_runtime(engine: harness.Settings, registry: str) -> Iterator[str]:
    """The runtime stand-in pushed to the local registry, named ``<repo>:<tag>@sha256:<digest>``."""
    # A repository of this run's own: the other engine's run, beside this one, may push the same
    # image (the same manifest digest), and each run deletes its manifest when done.
    name = f"astro-pyenv-test/astro-runtime-{uuid.uuid4().hex[:12]}"
    repo = f"{registry}/{name}"
    tag = f"{repo}:13.0.0-e2e"
    assert _docker(engine, "tag", engine.runtime_image, tag).returncode == 0
    try:
        pushed = _docker(engine, "push", "--quiet", tag)
        assert pushed.returncode == 0, pushed.stderr
        digests = _docker(engine, "image", "inspect", "-f", "{{range .RepoDigests}}{{println .}}{{end}}", tag)
        digest = next(line for line in digests.stdout.splitlines() if line.startswith(f"{repo}@")).split("@", 1)[1]
        try:
            yield f"{tag}@{digest}"
        finally:  # the manifest goes; its blobs stay until the registry's garbage collection
            url = f"http://{registry}/v2/{name}/manifests/{digest}"
            urllib.request.urlopen(urllib.request.Request(url, method="DELETE"), timeout=10).close()
    finally:
        _docker(engine, "image", "rm", tag)


@pytest.fixture(scope="module")
def retagged_runtime(engine: harness.Settings) -> Iterator[str]:
    """The runtime stand-in under a mirror's name, as ``docker tag`` leaves it."""
    tag = f"registry.corp.example/astro-runtime:13.0.0-e2e-{uuid.uuid4().hex[:12]}"
    assert _docker(engine, "tag", engine.runtime_image, tag).returncode == 0
    try:
        yield tag
    finally:
        _docker(engine, "image", "rm", tag)


@pytest.mark.parametrize(
    ("runtime", "named_by_arg"), [("pinned_runtime", False), ("retagged_runtime", True)], ids=["pinned", "re-tagged"]
)
def test_a_runtime_under_another_name_gets_its_project_copy_after_the_pyenv_work(
    engine: harness.Settings, frontend_image: str, request: pytest.FixtureRequest, runtime: str, named_by_arg: bool
) -> None:
    """Issue 22.14: pinned by digest, or re-tagged and named by an ARG, the runtime was not known
    by its name, so its ONBUILD project copy ran before the PYENV work and every DAG edit
    rebuilt the environments.  Its config says what it is."""
    image = request.getfixturevalue(runtime)
    head = f"ARG RUNTIME={image}\nFROM ${{RUNTIME}}\n" if named_by_arg else f"FROM {image}\n"
    dockerfile = f"# syntax={frontend_image}\n{head}PYENV 3.13.5 py\n"
    built: list[harness.BuildResult] = []

    def build(dag: str) -> harness.BuildResult:
        files = {"packages.txt": "", "requirements.txt": "", "dags/example.py": dag}
        result = harness.build(dockerfile, files, settings=engine)
        built.append(result)
        assert result.ok, result.tail(120)
        assert "is used as written" not in result.log and "could not read" not in result.log, result.tail(80)
        return result

    try:
        first = build(f"# {uuid.uuid4().hex}\n")
        run = harness.run_in_image(first.image_id or "", ["sh", "-c", 'ls /usr/local/airflow/dags && "$ASTRO_PYENV_py" -c "print(1)"'])
        assert run.output.split() == ["example.py", "1"], run.output
        second = build(f"# an edit {uuid.uuid4().hex}\n")
        assert "pyenv-venv-py" in second.log, second.tail(80)
        ran = _pyenv_steps_that_ran(second.log)
        assert not ran, f"PYENV stages ran again after a DAG edit: {ran}\n{second.tail(80)}"
    finally:
        ids = [r.image_id for r in built if r.image_id]
        if ids:
            _docker(engine, "image", "rm", *ids)
