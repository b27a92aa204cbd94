"""scripts/uv-install.py: a PYENV line with --installer=uv obeys the same pip settings a pip line
does, each translated to what uv reads; a setting uv cannot honour stops the step naming it.

The script runs in the build under the venv's Python; here it is loaded from its file and its
pure parts are called with files and variables written here (no pip.conf of this machine is read:
those tests give the files explicitly or set PIP_CONFIG_FILE to os.devnull, as pip allows).
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "frontend/src/astro_pyenv_frontend/scripts/uv-install.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("uv_install", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


uv_install = _load()
NO_FILES = {"PIP_CONFIG_FILE": os.devnull}


def _from_env(**variables: str) -> tuple[list[str], dict[str, str]]:
    """uv's extra arguments and environment for these PIP_* variables (no configuration file)."""
    command, env, _ = uv_install.uv_command("/uv", "/venv/bin/python", ["-r", "r.txt"], {**NO_FILES, **variables})
    assert command[:5] == ["/uv", "pip", "install", "--python", "/venv/bin/python"]
    assert command[-2:] == ["-r", "r.txt"]
    return command[5:-2], env


def _from_file(tmp_path: Path, text: str) -> tuple[dict[str, str], list[str]]:
    conf = tmp_path / "pip.conf"
    conf.write_text(text)
    env, args, _ = uv_install.translate(uv_install.read_config([str(conf)]))
    return env, args


# -- one test per translated setting: as a variable and in pip.conf ---------------------------

TRANSLATED = [
    ("INDEX_URL", "https://u:p@pypi.example/simple", {"UV_INDEX_URL": "https://u:p@pypi.example/simple"}),
    (
        "EXTRA_INDEX_URL",
        "https://a.example/simple https://b.example/simple",
        {"UV_EXTRA_INDEX_URL": "https://a.example/simple https://b.example/simple"},
    ),
    ("TRUSTED_HOST", "a.example b.example:8080", {"UV_INSECURE_HOST": "a.example b.example:8080"}),
    ("FIND_LINKS", "/wheels https://c.example/links", {"UV_FIND_LINKS": "/wheels,https://c.example/links"}),
    ("CONSTRAINT", "/c1.txt /c2.txt", {"UV_CONSTRAINT": "/c1.txt /c2.txt"}),
    ("DEFAULT_TIMEOUT", "30", {"UV_HTTP_TIMEOUT": "30"}),
    ("TIMEOUT", "45", {"UV_HTTP_TIMEOUT": "45"}),
    ("RETRIES", "7", {"UV_HTTP_RETRIES": "7"}),
    ("CLIENT_CERT", "/run/secrets/client.pem", {"SSL_CLIENT_CERT": "/run/secrets/client.pem"}),
    ("PROXY", "http://proxy:3128", {"HTTP_PROXY": "http://proxy:3128", "HTTPS_PROXY": "http://proxy:3128"}),
    ("ONLY_BINARY", ":all:", {"UV_NO_BUILD": "1"}),
    ("ONLY_BINARY", "numpy,pandas", {"UV_NO_BUILD_PACKAGE": "numpy pandas"}),
    ("NO_BINARY", ":all:", {"UV_NO_BINARY": "1"}),
    ("NO_BINARY", "six", {"UV_NO_BINARY_PACKAGE": "six"}),
    ("PRE", "1", {"UV_PRERELEASE": "allow"}),
    ("REQUIRE_HASHES", "yes", {"UV_REQUIRE_HASHES": "1"}),
]


@pytest.mark.parametrize(("name", "value", "expected"), TRANSLATED, ids=[f"{n}={v}" for n, v, _ in TRANSLATED])
def test_a_pip_variable_reaches_uv_as_uvs_own(name: str, value: str, expected: dict[str, str]) -> None:
    args, env = _from_env(**{f"PIP_{name}": value})
    assert args == []
    assert {key: env[key] for key in expected} == expected
    assert not [key for key in env if key.startswith("PIP_")], "pip's variables are not passed on"


@pytest.mark.parametrize(("name", "value", "expected"), TRANSLATED, ids=[f"{n}={v}" for n, v, _ in TRANSLATED])
def test_a_pip_conf_setting_reaches_uv_as_uvs_own(
    tmp_path: Path, name: str, value: str, expected: dict[str, str]
) -> None:
    key = name.lower().replace("_", "-")
    env, args = _from_file(tmp_path, f"[global]\n{key} = {value}\n")
    assert (env, args) == (expected, [])


def test_a_multi_line_pip_conf_list_is_one_list(tmp_path: Path) -> None:
    env, _ = _from_file(tmp_path, "[global]\nextra-index-url =\n    https://a.example/simple\n    https://b.example/simple\n")
    assert env == {"UV_EXTRA_INDEX_URL": "https://a.example/simple https://b.example/simple"}


def test_cert_replaces_the_trusted_cas_as_pips_does() -> None:
    """uv's SSL_CERT_FILE adds to its bundled roots; --cert replaces them, as PIP_CERT does."""
    args, env = _from_env(PIP_CERT="/run/secrets/astro-pyenv-ca")
    assert args == ["--cert", "/run/secrets/astro-pyenv-ca"]
    assert "SSL_CERT_FILE" not in env


def test_no_index_is_an_argument() -> None:
    assert _from_env(PIP_NO_INDEX="true")[0] == ["--no-index"]


@pytest.mark.parametrize("value", ["0", "no", "false", "off"])
def test_a_yes_no_setting_set_to_no_does_nothing(value: str) -> None:
    args, env = _from_env(PIP_PRE=value, PIP_NO_INDEX=value, PIP_REQUIRE_HASHES=value)
    assert args == [] and "UV_PRERELEASE" not in env and "UV_REQUIRE_HASHES" not in env


def test_a_yes_no_setting_with_another_value_is_refused() -> None:
    with pytest.raises(uv_install.Untranslatable, match="PRE|pre"):
        _from_env(PIP_PRE="maybe")


# -- what pip would have read, and which wins ------------------------------------------------


def test_the_install_section_wins_over_global_and_the_variable_over_both(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[global]\nindex-url = https://global/simple\n[install]\nindex-url = https://install/simple\n")
    _, env = _from_env(PIP_CONFIG_FILE=str(conf))
    assert env["UV_INDEX_URL"] == "https://install/simple"
    _, env = _from_env(PIP_CONFIG_FILE=str(conf), PIP_INDEX_URL="https://variable/simple")
    assert env["UV_INDEX_URL"] == "https://variable/simple"


def test_underscores_and_dashes_name_the_same_setting(tmp_path: Path) -> None:
    env, _ = _from_file(tmp_path, "[global]\nindex_url = https://a/simple\n")
    assert env == {"UV_INDEX_URL": "https://a/simple"}


def test_the_files_pip_reads_in_the_order_it_reads_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    secret = tmp_path / "secret.conf"
    environ = {"HOME": str(home), "XDG_CONFIG_DIRS": "/xdg1:/xdg2", "PIP_CONFIG_FILE": str(secret)}
    system = ["/xdg1/pip/pip.conf", "/xdg2/pip/pip.conf", "/etc/pip.conf"]
    user = [f"{home}/.pip/pip.conf", f"{home}/.config/pip/pip.conf"]
    # the user's files count only while PIP_CONFIG_FILE names no existing file (pip's rule)
    monkeypatch.setenv("HOME", str(home))  # where the script's expanduser looks, as in the build
    assert uv_install.config_files(environ) == [*system, *user, str(secret)]
    secret.write_text("[global]\n")
    assert uv_install.config_files(environ) == [*system, str(secret)]
    assert uv_install.config_files({**environ, "PIP_CONFIG_FILE": os.devnull}) == []


def test_a_later_file_wins(tmp_path: Path) -> None:
    first, second = tmp_path / "a.conf", tmp_path / "b.conf"
    first.write_text("[global]\nindex-url = https://first/simple\ntimeout = 9\n")
    second.write_text("[global]\nindex-url = https://second/simple\n")
    settings = uv_install.read_config([str(first), str(tmp_path / "missing.conf"), str(second)])
    env, _, _ = uv_install.translate(settings)
    assert env == {"UV_INDEX_URL": "https://second/simple", "UV_HTTP_TIMEOUT": "9"}


def test_an_empty_value_is_as_if_unset() -> None:
    _, env = _from_env(PIP_INDEX_URL="", PIP_EXTRA_INDEX_URL=" ")
    assert "UV_INDEX_URL" not in env and "UV_EXTRA_INDEX_URL" not in env


# -- what uv cannot honour, what has no effect ---------------------------------------------------


def test_a_setting_uv_cannot_honour_stops_the_step_naming_it_and_where(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("[install]\nuser = yes\n")
    with pytest.raises(uv_install.Untranslatable) as info:
        _from_env(PIP_CONFIG_FILE=str(conf))
    assert str(info.value) == (
        f"astro-pyenv: --installer=uv cannot honour pip's setting user (from {conf} [install]): remove it,"
        " or install this PYENV line with --installer=pip"
    )
    with pytest.raises(uv_install.Untranslatable, match=r"setting prefer-binary \(from variable PIP_PREFER_BINARY\)"):
        _from_env(PIP_PREFER_BINARY="1")


def test_a_pip_conf_that_cannot_be_read_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    conf = tmp_path / "pip.conf"
    conf.write_text("index-url = https://no-section/simple\n")
    with pytest.raises(uv_install.Untranslatable, match=f"^astro-pyenv: pip's configuration file {conf} cannot be read: "):
        uv_install.read_config([str(conf)])


def test_settings_without_effect_on_the_venv_are_named_not_refused() -> None:
    _, _, named = uv_install.uv_command(
        "/uv", "/p", [], {**NO_FILES, "PIP_NO_CACHE_DIR": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_INDEX_URL": "x"}
    )
    assert named == ["index-url", "(no effect under uv: disable-pip-version-check no-cache-dir)"]


def test_only_names_are_logged_never_values() -> None:
    secret = "token-3f9a"
    _, _, named = uv_install.uv_command("/uv", "/p", [], {**NO_FILES, "PIP_INDEX_URL": f"https://u:{secret}@x/simple"})
    assert secret not in " ".join(named)


# -- what uv is always told ------------------------------------------------------------------


def test_uv_reads_no_config_downloads_no_python_copies_and_compiles_bytecode() -> None:
    _, env = _from_env()
    assert {key: env[key] for key in uv_install.FIXED} == {
        "UV_NO_CONFIG": "1",
        "UV_PYTHON_DOWNLOADS": "never",
        "UV_LINK_MODE": "copy",
        "UV_COMPILE_BYTECODE": "1",
        "UV_NO_PROGRESS": "1",
    }


def test_with_extra_indexes_uv_takes_the_best_version_from_all_as_pip_does() -> None:
    assert _from_env(PIP_EXTRA_INDEX_URL="https://a/simple")[1]["UV_INDEX_STRATEGY"] == "unsafe-best-match"
    assert _from_env(PIP_FIND_LINKS="/wheels")[1]["UV_INDEX_STRATEGY"] == "unsafe-best-match"
    assert "UV_INDEX_STRATEGY" not in _from_env(PIP_INDEX_URL="https://a/simple")[1]
    stage_choice = _from_env(PIP_EXTRA_INDEX_URL="https://a/simple", UV_INDEX_STRATEGY="first-index")[1]
    assert stage_choice["UV_INDEX_STRATEGY"] == "first-index"


# -- the script as the build runs it ------------------------------------------------------------


def test_the_script_execs_uv_with_the_translation(tmp_path: Path) -> None:
    """Run as make-venv.sh runs it (python -I); a stand-in uv prints what it was given."""
    fake_uv = tmp_path / "uv"
    fake_uv.write_text('#!/bin/sh\necho "args: $*"\necho "index: $UV_INDEX_URL"\necho "pip: ${PIP_INDEX_URL-unset}"\n')
    fake_uv.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PIP_CONFIG_FILE": os.devnull, "PIP_INDEX_URL": "https://i/simple"}
    done = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(fake_uv), "/venv/bin/python", "six==1.16.0"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "args: pip install --python /venv/bin/python six==1.16.0",
        "index: https://i/simple",
        "pip: unset",
    ]
    assert done.stderr == "astro-pyenv: uv gets pip's settings: index-url\n"


def test_the_script_fails_with_one_line_and_runs_no_uv(tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    fake_uv = tmp_path / "uv"
    fake_uv.write_text(f"#!/bin/sh\ntouch {marker}\n")
    fake_uv.chmod(0o755)
    env = {"PATH": os.environ["PATH"], "PIP_CONFIG_FILE": os.devnull, "PIP_USER": "1"}
    done = subprocess.run(
        [sys.executable, "-I", str(SCRIPT), str(fake_uv), "/venv/bin/python"], env=env, capture_output=True, text=True
    )
    assert done.returncode == 1 and not marker.exists()
    assert done.stderr.splitlines() == [uv_install.msg_untranslatable("user", "variable PIP_USER")]
