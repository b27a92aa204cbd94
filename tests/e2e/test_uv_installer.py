"""PYENV's --installer=uv on the real engine, beside pip (issue 25.1).

What is checked, each against a real build on the python base with the prebuilt 3.13.5 (no
CPython compile):

- a uv venv is what a pip venv is for its users: the same interpreter path, layout, pip and
  packages, compiled bytecode, owned by the stage's user; uv itself is not in the image;
- a private index behind basic auth and its own CA, given only as secrets (the settings secret,
  or a pip.conf as the pip-config secret), reaches uv as it reaches pip, and its password no layer;
- the opt-in shared cache is uv's too, for a non-root user;
- a failure of uv, and a pip setting uv cannot honour, are shown at the PYENV line;
- --task-sdk=auto on the Airflow 3 runtime: uv installs the image's task SDK and airflow-core.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
import uuid
from pathlib import Path

from . import harness
from .test_gateway_fixes import _located
from .test_security import _strings_in_image
from .test_settings_secret import PROBE, Index, private_index  # noqa: F401  (a fixture)

PROBE_REQUIREMENT = PROBE.replace("_", "-") + "==1.0"
# What a task sees of its environment: interpreter, prefix, packages, pip, compiled bytecode, owner.
LOOK = (
    'for v in "$ASTRO_PYENV_byuv" "$ASTRO_PYENV_bypip"; do "$v" -c "'
    "import os, sys, six, pip, pathlib; "
    "p = pathlib.Path(six.__file__); "
    "print(sys.executable.replace(sys.prefix, '<venv>'), sys.version.split()[0], six.__version__, pip.__version__, "
    "any(p.parent.glob('__pycache__/six.*.pyc')), os.stat(sys.prefix).st_uid, "
    "sorted(x.name for x in pathlib.Path(sys.prefix, 'bin').iterdir() if not x.name.startswith('activate')))"
    '"; done'
)


def _remove(engine: harness.Settings, *images: str | None) -> None:
    found = [image for image in images if image]
    if found:
        subprocess.run([engine.docker, "image", "rm", "-f", *found], capture_output=True, check=False)


def test_a_uv_venv_is_what_a_pip_venv_is_and_uv_stays_out_of_the_image(
    engine: harness.Settings, frontend_image: str
) -> None:
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        "RUN useradd --uid 50000 --create-home astro\nUSER astro\n"
        "PYENV --installer=uv 3.13.5 byuv requirements.txt\nPYENV 3.13.5 bypip requirements.txt\n"
    )
    requirements = f"# {uuid.uuid4().hex}\nsix==1.16.0\n"
    result = harness.build(dockerfile, {"requirements.txt": requirements}, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert "astro-pyenv: installed by uv 0.13.9" in result.log, result.tail(80)
        looked = harness.run_in_image(result.image_id or "", ["sh", "-c", LOOK])
        assert looked.exit_code == 0, looked.output
        by_uv, by_pip = looked.output.strip().splitlines()
        assert by_uv == by_pip, looked.output
        assert by_uv.startswith("<venv>/bin/python 3.13.5 1.16.0 26.3 True 50000 "), by_uv
        paths = harness.run_in_image(
            result.image_id or "",
            ["sh", "-c", 'echo "$ASTRO_PYENV_byuv"; find / -xdev -name uv -type f | head -3; echo end'],
            user="0",
        )
        assert paths.output.split() == ["/opt/astro-pyenv/venvs/byuv/bin/python", "end"], paths.output
    finally:
        _remove(engine, result.image_id)


def test_a_private_index_given_only_as_secrets_reaches_uv_and_pip(
    engine: harness.Settings, frontend_image: str, private_index: Index  # noqa: F811  (the fixture)
) -> None:
    """The settings secret naming it the index, with uv as the Dockerfile's default (the bundled
    pip kept: the index serves the probe only); then a pip.conf as the pip-config secret naming it
    an extra index, for a uv line and a pip line on 3.11.2: the pip bundled with 3.13.5 cannot
    reach an HTTPS index by IP address ("check_hostname requires server_hostname"), and pip's own
    upgrade asks every index."""
    with tempfile.TemporaryDirectory() as tmp:
        ca = Path(tmp) / "ca.pem"
        system = Path(engine.ca_bundle or "/etc/ssl/certs/ca-certificates.crt").read_text()
        ca.write_text(system + private_index.ca.read_text())
        settings = Path(tmp) / "settings.env"
        settings.write_text(f'PIP_INDEX_URL="{private_index.url}"\nPIP_DEFAULT_TIMEOUT=30\n')
        pip_conf = Path(tmp) / "pip.conf"
        pip_conf.write_text(f"[global]\nextra-index-url = {private_index.url}\ntimeout = 30\n")
        requirements = {"requirements.txt": f"# run {uuid.uuid4().hex}\n{PROBE_REQUIREMENT}\n"}
        head = f"# syntax={frontend_image}\n"
        from_settings = harness.build(
            f"{head}ARG ASTRO_PYENV_PIP_VERSION=bundled\nARG ASTRO_PYENV_INSTALLER=uv\nFROM {engine.python_base}\nPYENV 3.13.5 probe requirements.txt\n",
            requirements,
            extra_args=["--secret", f"id=astro-pyenv-settings,src={settings}", "--secret", f"id=astro-pyenv-ca,src={ca}"],
            secrets=False,
            settings=engine,
        )  # fmt: skip
        from_pip_conf = harness.build(
            f"{head}FROM {engine.python_base}\n"
            "PYENV --installer=uv 3.11.2 byuv requirements.txt\nPYENV 3.11.2 bypip requirements.txt\n",
            requirements,
            extra_args=["--secret", f"id=astro-pyenv-pip-conf,src={pip_conf}", "--secret", f"id=astro-pyenv-ca,src={ca}"],
            secrets=False,
            settings=engine,
        )  # fmt: skip
    try:
        assert from_settings.ok, from_settings.tail(120)
        assert "astro-pyenv: uv gets pip's settings: cert default-timeout index-url" in from_settings.log
        assert from_pip_conf.ok, from_pip_conf.tail(120)
        assert "astro-pyenv: uv gets pip's settings: cert extra-index-url timeout" in from_pip_conf.log
        command = 'for v in "$@"; do "$v" -c "import ' + PROBE + ', sys; print(sys.prefix)"; done'
        probe = harness.run_in_image(
            from_settings.image_id or "", ["sh", "-c", command, "-", "/opt/astro-pyenv/venvs/probe/bin/python"]
        )
        assert probe.output.split() == ["/opt/astro-pyenv/venvs/probe"], probe.output
        venvs = [f"/opt/astro-pyenv/venvs/{name}/bin/python" for name in ("byuv", "bypip")]
        probe = harness.run_in_image(from_pip_conf.image_id or "", ["sh", "-c", command, "-", *venvs])
        assert probe.output.split() == ["/opt/astro-pyenv/venvs/byuv", "/opt/astro-pyenv/venvs/bypip"], probe.output
        assert sum(path.endswith(".whl") for path in private_index.requests) >= 3, private_index.requests
        for image in (from_settings.image_id, from_pip_conf.image_id):
            assert not _strings_in_image(engine, image or "", [private_index.password]), "the password reached the image"
    finally:
        _remove(engine, from_settings.image_id, from_pip_conf.image_id)


def test_the_opted_in_cache_is_uvs_too_for_a_non_root_user(engine: harness.Settings, frontend_image: str) -> None:
    """six from its sdist: uv builds it in the first build and takes the built wheel from the
    shared cache in the next, with other requirements (so the venv step runs again)."""
    cache = f"test-{uuid.uuid4().hex[:12]}"
    dockerfile = (
        f"# syntax={frontend_image}\nARG ASTRO_PYENV_PIP_CACHE={cache}\nFROM {engine.python_base}\n"
        "RUN useradd --uid 50000 --create-home astro\nUSER astro\n"
        "PYENV --installer=uv 3.13.5 env requirements.txt\n"
    )
    requirements = f"# {uuid.uuid4().hex}\n--no-binary=six\nsix==1.16.0\n"
    first = harness.build(dockerfile, {"requirements.txt": requirements}, settings=engine)
    _remove(engine, first.image_id)
    assert first.ok, first.tail(120)
    assert "Built six==1.16.0" in first.log, first.tail(80)
    second = harness.build(dockerfile, {"requirements.txt": requirements + "# edited\n"}, settings=engine)
    _remove(engine, second.image_id)
    assert second.ok, second.tail(120)
    assert "+ six==1.16.0" in second.log, second.tail(80)
    assert "Built six" not in second.log, f"the cached wheel was not used:\n{second.tail(80)}"


def test_a_uv_failure_is_shown_at_its_pyenv_line(engine: harness.Settings, frontend_image: str) -> None:
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.python_base}\n"
        "PYENV --installer=uv 3.13.5 bad requirements.txt\n"
    )
    result = harness.build(dockerfile, {"requirements.txt": "this is not a requirement !!\n"}, settings=engine)
    _remove(engine, result.image_id)
    assert not result.ok
    assert _located(result.log, 3, "PYENV --installer=uv 3.13.5 bad requirements.txt"), result.tail(60)
    assert "did not complete successfully: exit code: 2" in result.log.splitlines()[-1], result.tail(60)


def test_a_pip_setting_uv_cannot_honour_stops_the_step_at_its_line(
    engine: harness.Settings, frontend_image: str
) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        pip_conf = Path(tmp) / "pip.conf"
        pip_conf.write_text("[install]\nprefer-binary = yes\n")
        result = harness.build(
            f"# syntax={frontend_image}\nFROM {engine.python_base}\nRUN echo {uuid.uuid4().hex}\n"
            "PYENV --installer=uv 3.13.5 env\n",
            extra_args=["--secret", f"id=astro-pyenv-pip-conf,src={pip_conf}"],
            settings=engine,
        )
    _remove(engine, result.image_id)
    assert not result.ok
    said = (
        "astro-pyenv: --installer=uv cannot honour pip's setting prefer-binary (from"
        " /run/secrets/astro-pyenv-pip-conf [install]): remove it, or install this PYENV line with --installer=pip"
    )
    assert said in result.log, result.tail(60)
    assert _located(result.log, 4, "PYENV --installer=uv 3.13.5 env"), result.tail(60)


def test_the_documented_example_on_astro_runtime(engine: harness.Settings, frontend_image: str) -> None:
    """docs/pyenv-instruction.md's example on the Astro Runtime stand-in (user astro, uid 50000):
    uv as the Dockerfile's default for one line, pip by its flag for the other."""
    dockerfile = (
        f"# syntax={frontend_image}\nARG ASTRO_PYENV_INSTALLER=uv\nFROM {engine.runtime_base_image}\n"
        "PYENV 3.13.5 modern requirements-modern.txt\n"
        "PYENV --installer=pip 3.9.2 snowpark requirements-snowpark.txt\n"
    )
    nonce = f"# {uuid.uuid4().hex}\n"
    files = {"requirements-modern.txt": nonce + "six==1.16.0\n", "requirements-snowpark.txt": nonce + "six==1.16.0\n"}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert result.log.count("astro-pyenv: installed by uv") == 1, result.tail(80)
        command = 'for v in "$ASTRO_PYENV_modern" "$ASTRO_PYENV_snowpark"; do "$v" -c "import six, sys; print(sys.version.split()[0], six.__version__)"; done; id -un'
        ran = harness.run_in_image(result.image_id or "", ["sh", "-c", command])
        assert ran.output.split() == ["3.13.5", "1.16.0", "3.9.2", "1.16.0", "astro"], ran.output
    finally:
        _remove(engine, result.image_id)


def test_the_pip_version_setting_holds_for_uv_venvs(engine: harness.Settings, frontend_image: str) -> None:
    """ASTRO_PYENV_PIP_VERSION pins the venv's pip as it does for pip lines, installed by uv."""
    dockerfile = (
        f"# syntax={frontend_image}\nARG ASTRO_PYENV_PIP_VERSION=24.3.1\nFROM {engine.python_base}\n"
        f"RUN echo {uuid.uuid4().hex}\nPYENV --installer=uv 3.13.5 env\n"
    )
    result = harness.build(dockerfile, settings=engine)
    try:
        assert result.ok, result.tail(120)
        ran = harness.run_in_image(result.image_id or "", ["sh", "-c", '"$ASTRO_PYENV_env" -m pip --version'])
        assert ran.output.startswith("pip 24.3.1 from /opt/astro-pyenv/venvs/env/"), ran.output
    finally:
        _remove(engine, result.image_id)


def test_task_sdk_auto_with_uv_installs_the_runtimes_task_sdk(engine: harness.Settings, frontend_image: str) -> None:
    """--task-sdk=auto on a uv line, on the Airflow 3 runtime stand-in: uv installs the task SDK
    and airflow-core of the image's own Airflow with the requirements, in one run, so an Airflow 3
    task in that venv reads Variables and Connections (as test_examples checks with pip)."""
    dockerfile = (
        f"# syntax={frontend_image}\nFROM {engine.runtime3_image}-base\n"
        "PYENV --installer=uv --task-sdk=auto 3.13.5 sdk requirements.txt\n"
    )
    files = {"requirements.txt": f"# {uuid.uuid4().hex}\nsix==1.16.0\n"}
    result = harness.build(dockerfile, files, settings=engine)
    try:
        assert result.ok, result.tail(120)
        assert "astro-pyenv: installed by uv" in result.log, result.tail(80)
        assert "astro-pyenv: venv sdk gets apache-airflow-task-sdk==" in result.log, result.tail(80)
        versions = (
            "from importlib.metadata import version as v; "
            "print(*(v(d).split('+')[0] for d in ('apache-airflow-task-sdk', 'apache-airflow-core')))"
        )
        sdk_imports = "from airflow.sdk import Variable, Connection; import six; print(six.__version__)"
        # the venv's versions, Airflow's own (python3 on PATH), then what a task in the venv imports
        command = f'"$ASTRO_PYENV_sdk" -c "{versions}"; python3 -c "{versions}"; "$ASTRO_PYENV_sdk" -c "{sdk_imports}"'
        ran = harness.run_in_image(result.image_id or "", ["sh", "-c", command])
        lines = ran.output.splitlines()  # airflow.sdk's import may log (Airflow's structlog) before the last line
        assert len(lines) >= 3 and re.fullmatch(r"1\.\S+ 3\.\S+", lines[0]), ran.output
        assert lines[0] == lines[1] and lines[-1] == "1.16.0", ran.output
    finally:
        _remove(engine, result.image_id)
