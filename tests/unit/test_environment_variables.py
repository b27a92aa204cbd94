"""What an ``ASTRO_PYENV_*`` variable is: one rule, held by both packages.

``ASTRO_PYENV_`` names in capitals are astro-pyenv's settings (``ASTRO_PYENV_PIP_VERSION``, the
build id, any later one); every other ``ASTRO_PYENV_<suffix>`` is an environment's variable.  The
frontend refuses a PYENV name whose variable would be a setting's (the next venv step would read
``ENV ASTRO_PYENV_PIP_VERSION=<path>`` as the pip version to install), and the runtime helper
never lists a setting as an environment.  The helper is a separate, stdlib-only package, so the
rule is written twice; these tests hold the two copies to the same answers.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv import PyenvNotDefinedError, PyenvSettingNameError, list_environments, resolve, resolve_python
from astro_pyenv.cli import main as helper_main
from astro_pyenv_frontend import layout
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.pyenv_instruction import parse_pyenv
from astro_pyenv_frontend.transform import TransformOptions, transform

ROOT = Path(__file__).resolve().parents[2]
NAMES = st.from_regex(r"[A-Za-z0-9][A-Za-z0-9_-]{0,12}", fullmatch=True)


def _frontend_accepts(name: str) -> bool:
    (instr,) = [i for i in lex(f"PYENV 3.12 {name}").items if isinstance(i, Instruction)]
    try:
        parse_pyenv(instr, {})
    except DockerfileError:
        return False
    return True


def test_both_packages_write_the_same_rule() -> None:
    assert layout.VARIABLE_PREFIX == resolve.ENV_PREFIX
    assert layout.SETTING_SUFFIX.pattern == resolve.SETTING_SUFFIX.pattern
    # The plain-python example lists environments with the standard library alone: the same rule.
    example = (ROOT / "examples/plain-python/show_envs.py").read_text()
    assert f're.compile(r"{layout.SETTING_SUFFIX.pattern}")' in example


@settings(max_examples=500, deadline=None)
@given(NAMES)
def test_a_name_the_frontend_accepts_is_an_environment_to_the_helper_and_no_other(name: str) -> None:
    variable = layout.environment_variable(name)
    assert variable == resolve.variable_name(name)
    assert layout.is_setting(variable) == resolve.is_setting(variable)
    assert _frontend_accepts(name) == resolve.is_environment_variable(variable)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=20))
def test_any_variable_is_either_a_setting_or_an_environment_or_neither(suffix: str) -> None:
    key = "ASTRO_PYENV_" + suffix
    assert layout.is_setting(key) == resolve.is_setting(key)
    assert not (resolve.is_setting(key) and resolve.is_environment_variable(key))


def _settings_spelled_in(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        found.update(re.findall(r"ASTRO_PYENV_[A-Za-z0-9_]*[A-Za-z0-9]", path.read_text(encoding="utf-8")))
    return found


def test_every_setting_astro_pyenv_reads_is_in_the_settings_space() -> None:
    """A later setting named outside it (ASTRO_PYENV_pipVersion) could collide with a name in an
    image built today: this fails first."""
    shipped = [
        p
        for base in (ROOT / "frontend/src", ROOT / "runtime_helper/src")
        for p in base.rglob("*")
        if p.suffix in {".py", ".sh", ".j2"}
    ]
    spelled = _settings_spelled_in(shipped + [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])
    readme_examples = {"ASTRO_PYENV_snowpark", "ASTRO_PYENV_my_venv", "ASTRO_PYENV_legacy", "ASTRO_PYENV_modern"}
    settings_seen = {name for name in spelled - readme_examples if not re.search("[a-z]", name)}
    assert {"ASTRO_PYENV_PIP_VERSION", "ASTRO_PYENV_PIP_CACHE", "ASTRO_PYENV_PREBUILT", "ASTRO_PYENV_SYNTAX",
            layout.BUILD_ID_ARG} <= settings_seen
    for name in settings_seen:
        assert layout.is_setting(name) and resolve.is_setting(name), name
    for name in spelled - settings_seen:  # environments in examples: lower-case, never settings
        assert not layout.is_setting(name), name


@pytest.mark.parametrize("name", ["PIP_VERSION", "PIP-VERSION", "PIP_CACHE", "PREBUILT", "SYNTAX", "BUILD_ID", "ML"])
def test_a_name_whose_variable_is_a_setting_is_refused_at_its_line(name: str) -> None:
    text = f"FROM python:3.12-slim\n\nPYENV 3.12 {name}\n"
    with pytest.raises(DockerfileError) as info:
        transform(text, TransformOptions(frontend_image="example.com/astro-pyenv:1"))
    assert info.value.line == 3
    assert f"would set ASTRO_PYENV_{name.replace('-', '_')}" in info.value.message
    assert f"such as {name.lower()!r}" in info.value.message


@pytest.mark.parametrize("name", ["pip_version", "Pip_Version", "mL", "311", "3D", "x-ML"])
def test_names_with_a_lower_case_letter_or_a_leading_digit_are_environments(name: str) -> None:
    assert _frontend_accepts(name)
    assert resolve.is_environment_variable(resolve.variable_name(name))


def test_the_helper_lists_no_setting_as_an_environment() -> None:
    env = {
        "ASTRO_PYENV_PIP_VERSION": "24.3.1",
        "ASTRO_PYENV_BUILD_ID": "abc",
        "ASTRO_PYENV_CI_CACHE": "/var/cache",
        "ASTRO_PYENV_snowpark": "/opt/astro-pyenv/venvs/snowpark/bin/python",
    }
    assert list_environments(env) == {"snowpark": "/opt/astro-pyenv/venvs/snowpark/bin/python"}
    with pytest.raises(PyenvSettingNameError) as info:
        resolve_python("PIP_VERSION", env)
    assert isinstance(info.value, PyenvNotDefinedError)
    assert "ASTRO_PYENV_PIP_VERSION is in the space of astro-pyenv's settings" in str(info.value)
    assert "Environments defined in this image: snowpark." in str(info.value)


def test_doctor_does_not_call_a_setting_a_broken_environment(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for key in [k for k in os.environ if k.startswith("ASTRO_PYENV_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("ASTRO_PYENV_PIP_VERSION", "24.3.1")
    assert helper_main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "BROKEN" not in out and "PIP_VERSION" not in out
