from __future__ import annotations

import os
from pathlib import Path

import pytest

import astro_pyenv.describe as describe_mod
from astro_pyenv import ProbeError, PyenvNotDefinedError, describe_environment


def test_describe_runs_the_real_interpreter(clean_env, monkeypatch, py39_venv: Path) -> None:
    monkeypatch.setenv("ASTRO_PYENV_old", str(py39_venv))
    info = describe_environment("old")
    assert info.python == str(py39_venv)
    assert info.python_version.startswith("3.9.")
    assert info.prefix == str(py39_venv.parent.parent)
    assert info.packages["pendulum"] == "2.1.2"
    assert info.has_pendulum
    assert not info.has_airflow and not info.has_cloudpickle and not info.has_dill
    assert not info.has_lazy_object_proxy
    assert set(info.packages) == {"apache-airflow", "pendulum", "cloudpickle", "dill", "lazy-object-proxy"}


def test_describe_another_python_version(clean_env, monkeypatch, py310_pip_venv: Path) -> None:
    monkeypatch.setenv("ASTRO_PYENV_new", str(py310_pip_venv))
    info = describe_environment("new")
    assert info.python_version.startswith("3.10.")
    assert info.packages["pendulum"] is None
    assert info.as_dict()["python_version"] == info.python_version


def test_describe_is_cached_per_interpreter(clean_env, monkeypatch, py39_venv: Path) -> None:
    calls = []
    real_probe = describe_mod.probe_interpreter

    def counting_probe(python, distributions):
        calls.append(python)
        return real_probe(python, distributions)

    monkeypatch.setattr(describe_mod, "probe_interpreter", counting_probe)
    monkeypatch.setenv("ASTRO_PYENV_a", str(py39_venv))
    monkeypatch.setenv("ASTRO_PYENV_b", str(py39_venv))
    first = describe_environment("a")
    second = describe_environment("b")
    assert calls == [str(py39_venv)]
    assert (first.python_version, first.packages) == (second.python_version, second.packages)
    assert second.name == "b"


def test_cache_is_invalidated_when_the_interpreter_changes(clean_env, monkeypatch, py39_venv: Path) -> None:
    calls = []
    real_probe = describe_mod.probe_interpreter
    monkeypatch.setattr(
        describe_mod, "probe_interpreter", lambda p, d: calls.append(p) or real_probe(p, d)
    )
    monkeypatch.setenv("ASTRO_PYENV_a", str(py39_venv))
    describe_environment("a")
    st = os.stat(py39_venv)
    os.utime(py39_venv, (st.st_atime, st.st_mtime + 10))
    try:
        describe_environment("a")
    finally:
        os.utime(py39_venv, (st.st_atime, st.st_mtime))
    assert len(calls) == 2


def test_describe_unknown_name_raises_the_lookup_error(clean_env) -> None:
    with pytest.raises(PyenvNotDefinedError):
        describe_environment("ghost")


def test_describe_interpreter_that_fails_raises_probe_error(clean_env, monkeypatch, tmp_path: Path) -> None:
    fake = tmp_path / "python"
    fake.write_text("#!/bin/sh\necho boom >&2\nexit 3\n")
    fake.chmod(0o755)
    monkeypatch.setenv("ASTRO_PYENV_fake", str(fake))
    with pytest.raises(ProbeError, match="exited with code 3: boom"):
        describe_environment("fake")
