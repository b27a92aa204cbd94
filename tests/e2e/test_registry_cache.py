"""A registry build cache carries every PYENV step to an engine whose build cache is empty.

What a CI runner does (docs/ci-recipe.md): each job starts on a machine with no build cache, and
`--cache-to type=registry,...,mode=max` / `--cache-from type=registry,...` is the way the
previous job's steps reach it.  Here the same engine stands in for both jobs: build with
--cache-to, remove from the engine's build cache every record these builds made or used
(`docker builder prune -af --filter id=...`: the rest of the cache stays for the next run),
build again with --cache-from.  No PYENV RUN step may run again (the secrets digest runs on every build, by
design: docs/security.md), and the image must work.  A plain Dockerfile of similar work (a venv
with the same requirements file on the same base) makes the same trip, for the times.

Exporting a cache needs the containerd image store with Docker's default (docker) build driver;
with the classic store the docker driver exports no cache (users switch to a docker-container
builder there), so the test runs on an engine with the containerd image store only.

The Makefile runs this file last on the current engine: a build running beside the prune could
lose records it was about to reuse (the test prunes only what was used since it started).
"""

from __future__ import annotations

import json
import re
import subprocess
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

import pytest

from astro_pyenv_frontend import layout

from . import harness

PACKAGE = "six==1.16.0"


def _pyenv_steps(log: str) -> tuple[list[str], list[str]]:
    """(stages whose RUN steps ran, stages whose RUN steps came from the cache); the secrets
    digest, which runs on every build, is left out of both."""
    steps = re.findall(r"^#(\d+) \[(pyenv-[\w.-]+) [^\]]*\] RUN", log, re.MULTILINE)
    ran: set[str] = set()
    cached: set[str] = set()
    for step, stage in steps:
        (cached if re.search(rf"^#{step} CACHED$", log, re.MULTILINE) else ran).add(stage)
    ran.discard(harness.SECRETS_DIGEST_STAGE)
    cached.discard(harness.SECRETS_DIGEST_STAGE)
    return sorted(ran), sorted(cached)


# The RUN steps of the generated stages, as build cache records describe them.
_PYENV_STEP = re.compile(r"make-venv\.sh|fit-interpreter\.sh")
_STAMP = re.compile(r"(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d)(?:\.(\d+))?")


def _cache_records(engine: harness.Settings) -> list[dict[str, str]]:
    # `docker system df` fails now and then while the engine removes what a test before left
    # (seen once in a full run); it is asked again a few times.
    for attempt in range(5):
        done = subprocess.run(
            [engine.docker, "system", "df", "-v", "--format", "{{json .BuildCache}}"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if done.returncode == 0:
            records: list[dict[str, str]] = json.loads(done.stdout or "null") or []
            return records
        time.sleep(2 * (attempt + 1))
    raise AssertionError(f"docker system df -v failed: {done.stderr}")


def _stamp(text: str) -> datetime | None:
    """A record's time as `docker system df -v` prints it (UTC, nanoseconds)."""
    match = _STAMP.match(text or "")
    if not match:
        return None
    fraction = (match.group(2) or "0")[:6].ljust(6, "0")
    return datetime.strptime(f"{match.group(1)}.{fraction}", "%Y-%m-%d %H:%M:%S.%f").replace(tzinfo=timezone.utc)


def _forget_since(engine: harness.Settings, since: datetime) -> list[dict[str, str]]:
    """Remove the build cache records made or used since ``since`` (this test's builds: the rest
    of the engine's cache stays, for the next test run); return those of them still there (the
    parents of records other builds use)."""
    used = []
    for record in _cache_records(engine):
        when = _stamp(record.get("LastUsedAt") or "") or _stamp(record.get("CreatedAt") or "")
        if when is not None and when >= since:
            used.append(record["ID"])
    if used:
        pruned = subprocess.run(
            [engine.docker, "builder", "prune", "-af", "--filter", f"id=^({'|'.join(used)})$"],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert pruned.returncode == 0, pruned.stderr
    return [record for record in _cache_records(engine) if record["ID"] in set(used)]


def _timed(build: Callable[..., harness.BuildResult], *args: object, **kwargs: object) -> tuple[harness.BuildResult, float]:
    start = time.monotonic()
    result = build(*args, **kwargs)
    return result, time.monotonic() - start


def test_a_registry_cache_brings_every_pyenv_step_to_an_engine_with_an_empty_build_cache(
    engine: harness.Settings,
    frontend_image: str,
    registry: str,
    build: Callable[..., harness.BuildResult],
    run_in_image: Callable[..., harness.RunResult],
) -> None:
    if harness.image_store(engine) != "containerd":
        pytest.skip("the classic image store's docker build driver exports no build cache (docs/ci-recipe.md)")
    nonce = uuid.uuid4().hex[:12]
    # A requirements file of its own: the venv step cannot come from any earlier build's cache.
    files = {"requirements.txt": f"{PACKAGE}\n# {nonce}\n"}
    pyenv_dockerfile = f"# syntax={frontend_image}\nFROM {engine.python_base}\nPYENV 3.13.5 tools requirements.txt\n"
    secret = f"/run/secrets/{harness.CA_SECRET_ID}"
    plain_dockerfile = (
        f"FROM {engine.python_base}\n"
        "COPY requirements.txt /requirements.txt\n"
        "RUN python -m venv /venv\n"
        f"RUN --mount=type=secret,id={harness.CA_SECRET_ID} \\\n"
        f"    if [ -s {secret} ]; then export PIP_CERT={secret}; fi; \\\n"
        "    /venv/bin/pip install --no-cache-dir -r /requirements.txt\n"
    )
    trips = {"pyenv": pyenv_dockerfile, "plain": plain_dockerfile}
    refs = {name: f"{registry}/astro-pyenv-e2e/build-cache:{name}-{nonce}" for name in trips}
    times: dict[str, float] = {}
    started = datetime.now(timezone.utc) - timedelta(seconds=1)
    for name, dockerfile in trips.items():
        first, times[f"{name} export"] = _timed(
            build, dockerfile, files, extra_args=["--cache-to", f"type=registry,ref={refs[name]},mode=max"]
        )
        assert first.ok, first.tail(80)
    # The next job's runner: nothing of these builds in the build cache.
    before = len(_cache_records(engine))
    left = _forget_since(engine, started)
    assert not [r for r in left if _PYENV_STEP.search(r.get("Description") or "")], left
    print(f"build cache records: {before} before the prune, {len(_cache_records(engine))} after, {len(left)} of this test's left")
    results = {}
    for name, dockerfile in trips.items():
        results[name], times[f"{name} import"] = _timed(
            build, dockerfile, files, extra_args=["--cache-from", f"type=registry,ref={refs[name]}"]
        )
        assert results[name].ok, results[name].tail(80)
    print(
        "registry cache trip (s): "
        + ", ".join(f"{key} {value:.1f}" for key, value in times.items())
    )

    ran, cached = _pyenv_steps(results["pyenv"].log)
    assert not ran, f"PYENV stages ran again with the registry cache: {ran}\n{results['pyenv'].tail(100)}"
    assert f"{layout.VENV_STAGE_PREFIX}tools" in cached, results["pyenv"].tail(100)
    assert any(stage.startswith(layout.INTERPRETER_STAGE_PREFIX) for stage in cached), results["pyenv"].tail(100)
    plain_runs = re.findall(r"^#(\d+) \[[^\]]*\] RUN", results["plain"].log, re.MULTILINE)
    assert plain_runs and all(
        re.search(rf"^#{step} CACHED$", results["plain"].log, re.MULTILINE) for step in plain_runs
    ), results["plain"].tail(60)

    image = results["pyenv"].image_id
    assert image
    ran_image = run_in_image(
        image, ["/opt/astro-pyenv/venvs/tools/bin/python", "-c", "import six, sys; print(sys.version.split()[0], six.__version__)"]
    )
    assert (ran_image.exit_code, ran_image.output.strip()) == (0, "3.13.5 1.16.0"), ran_image.output
