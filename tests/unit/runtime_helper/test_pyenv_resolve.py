from __future__ import annotations

from pathlib import Path

import pytest

from astro_pyenv import (
    PyenvError,
    PyenvInterpreterError,
    PyenvNotDefinedError,
    environment_names,
    list_environments,
    resolve_python,
)

DOCKERFILE_LINE = "PYENV <python-version> {name} [<requirements-file>]"


def test_resolves_an_absolute_executable(clean_env, monkeypatch, py39_venv: Path) -> None:
    monkeypatch.setenv("ASTRO_PYENV_epo", str(py39_venv))
    assert resolve_python("epo") == str(py39_venv)


def test_explicit_environ_mapping_wins_over_os_environ(clean_env, py39_venv: Path) -> None:
    assert resolve_python("x", {"ASTRO_PYENV_x": str(py39_venv)}) == str(py39_venv)


def test_missing_variable_message_names_variable_existing_envs_and_dockerfile_line(
    clean_env, monkeypatch, py39_venv: Path
) -> None:
    monkeypatch.setenv("ASTRO_PYENV_beta", str(py39_venv))
    monkeypatch.setenv("ASTRO_PYENV_alpha", str(py39_venv))
    with pytest.raises(PyenvNotDefinedError) as info:
        resolve_python("epo_pyenv")
    err = info.value
    assert isinstance(err, LookupError) and isinstance(err, PyenvError)
    text = str(err)
    assert "ASTRO_PYENV_epo_pyenv is not set" in text
    assert "Environments defined in this image: alpha, beta." in text
    assert DOCKERFILE_LINE.format(name="epo_pyenv") in text
    assert err.variable == "ASTRO_PYENV_epo_pyenv"
    assert err.available == ["alpha", "beta"]


def test_missing_variable_message_when_image_has_no_environments(clean_env) -> None:
    with pytest.raises(PyenvNotDefinedError) as info:
        resolve_python("epo")
    assert "This image defines no PYENV environments (no ASTRO_PYENV_* variables are set)." in str(info.value)
    assert DOCKERFILE_LINE.format(name="epo") in str(info.value)


def test_str_is_the_message_not_a_tuple_repr(clean_env) -> None:
    with pytest.raises(PyenvNotDefinedError) as info:
        resolve_python("epo")
    assert str(info.value).startswith("Python environment 'epo' is not defined")


@pytest.mark.parametrize(
    "make_path, reason",
    [
        (lambda tmp: "", "is empty"),
        (lambda tmp: "venv/bin/python", "is not an absolute path"),
        (lambda tmp: str(tmp / "nope" / "python"), "does not exist"),
        (lambda tmp: str(tmp), "is not a file"),
    ],
)
def test_bad_paths_are_rejected_with_the_reason(clean_env, monkeypatch, tmp_path, make_path, reason) -> None:
    path = make_path(tmp_path)
    monkeypatch.setenv("ASTRO_PYENV_bad", path)
    with pytest.raises(PyenvInterpreterError) as info:
        resolve_python("bad")
    text = str(info.value)
    assert f"ASTRO_PYENV_bad={path!r} {reason}" in text
    assert "Environments defined in this image: bad." in text
    assert DOCKERFILE_LINE.format(name="bad") in text
    assert isinstance(info.value, LookupError)



def test_non_executable_file_is_rejected(clean_env, monkeypatch, tmp_path) -> None:
    # os.access(X_OK) is false for a file with no execute bit at all, even for root.
    script = tmp_path / "python"
    script.write_text("#!/bin/sh\n")
    script.chmod(0o644)
    monkeypatch.setenv("ASTRO_PYENV_nx", str(script))
    with pytest.raises(PyenvInterpreterError, match="is not executable"):
        resolve_python("nx")


def test_list_environments_is_sorted_and_ignores_other_variables(clean_env, monkeypatch) -> None:
    monkeypatch.setenv("ASTRO_PYENV_b", "/b/python")
    monkeypatch.setenv("ASTRO_PYENV_a", "/a/python")
    monkeypatch.setenv("ASTRO_PYENV_", "/nameless")
    monkeypatch.setenv("NOT_ASTRO_PYENV_c", "/c")
    assert list_environments() == {"a": "/a/python", "b": "/b/python"}
    assert environment_names() == ["a", "b"]


def test_names_are_case_sensitive(clean_env, monkeypatch, py39_venv: Path) -> None:
    monkeypatch.setenv("ASTRO_PYENV_Epo", str(py39_venv))
    with pytest.raises(PyenvNotDefinedError, match="Environments defined in this image: Epo."):
        resolve_python("epo")


# -- names with '-': the image variable uses '_' (dash drops names with '-') -----------------


def test_a_name_with_dashes_resolves_through_its_underscore_variable(clean_env, py39_venv: Path) -> None:
    env = {"ASTRO_PYENV_my_venv": str(py39_venv)}
    assert resolve_python("my-venv", env) == str(py39_venv)
    assert resolve_python("my_venv", env) == str(py39_venv)


def test_listing_shows_names_as_written_on_the_pyenv_line(clean_env) -> None:
    env = {
        "ASTRO_PYENV_my_venv": "/opt/astro-pyenv/venvs/my-venv/bin/python",
        "ASTRO_PYENV_plain_one": "/opt/astro-pyenv/venvs/plain_one/bin/python",
        "ASTRO_PYENV_custom": "/somewhere/else/python",
        "ASTRO_PYENV_": "/ignored",
    }
    assert list_environments(env) == {
        "custom": "/somewhere/else/python",
        "my-venv": "/opt/astro-pyenv/venvs/my-venv/bin/python",
        "plain_one": "/opt/astro-pyenv/venvs/plain_one/bin/python",
    }


def test_an_image_built_before_the_mapping_still_resolves(clean_env, py39_venv: Path) -> None:
    assert resolve_python("old-name", {"ASTRO_PYENV_old-name": str(py39_venv)}) == str(py39_venv)


def test_a_missing_dashed_name_names_the_variable_to_set(clean_env) -> None:
    with pytest.raises(PyenvNotDefinedError) as info:
        resolve_python("my-venv", {})
    assert "ASTRO_PYENV_my_venv is not set" in str(info.value)


# -- a .env written for Astro's standalone mode also reaches the containers of Docker mode ---------


def test_a_host_path_that_does_not_exist_here_yields_to_the_image_s_own_environment(
    clean_env, monkeypatch, py39_venv: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from astro_pyenv import resolve

    venvs = tmp_path / "opt-astro-pyenv-venvs"
    (venvs / "snowpark" / "bin").mkdir(parents=True)
    (venvs / "snowpark" / "bin" / "python").symlink_to(py39_venv)
    monkeypatch.setattr(resolve, "IMAGE_VENVS", str(venvs))
    host_path = "/home/me/project/.venv/astro-pyenv/venvs/snowpark/bin/python"
    monkeypatch.setenv("ASTRO_PYENV_snowpark", host_path)
    assert resolve_python("snowpark") == str(venvs / "snowpark" / "bin" / "python")
    assert f"ASTRO_PYENV_snowpark={host_path} does not exist here; using this image's own environment" in caplog.text
    # Without an environment of that name in the image, the variable's path is the error, as before.
    monkeypatch.setenv("ASTRO_PYENV_other", host_path.replace("snowpark", "other"))
    with pytest.raises(PyenvInterpreterError, match="does not exist"):
        resolve_python("other")


def test_the_helper_looks_where_the_frontend_puts_environments() -> None:
    from astro_pyenv import resolve
    from astro_pyenv_frontend import layout

    assert resolve.IMAGE_VENVS == layout.VENV_ROOT
    assert resolve.image_python("a-b") == layout.venv_python("a-b")
