"""The secret astro-pyenv-settings (scripts/settings.sh): what it accepts, what it refuses, and
that it wins over build args and ARG defaults.

The generated RUN steps source settings.sh in a real POSIX shell; these tests do the same with
the shells a base image may have (dash is /bin/sh on Debian, bash elsewhere), on files written
here, so the parser and the precedence are checked without an engine.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from astro_pyenv_frontend import layout
from astro_pyenv_frontend.plan import PIP_CACHE_ARG
from astro_pyenv_frontend.prebuilt import PREBUILT_ARG
from astro_pyenv_frontend.render import PIP_ARGS, PYTHON_BUILD_ARGS

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "frontend/src/astro_pyenv_frontend/scripts"
SETTINGS_SH = SCRIPTS / "settings.sh"
SHELLS = [shell for shell in ("dash", "bash") if shutil.which(shell)]
SHOW = "PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_TRUSTED_HOST PIP_DEFAULT_TIMEOUT PYTHON_BUILD_MIRROR_URL"


def _load(shell: str, tmp_path: Path, text: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Source settings.sh, load ``text`` as the secret, print the settings as NAME=<value>."""
    secret = tmp_path / "settings"
    secret.write_bytes(text.encode())
    script = (
        f'. "{SETTINGS_SH}"; astro_pyenv_load_settings "{secret}"; '
        f'for n in {SHOW}; do eval "v=\\${{$n-<unset>}}"; echo "$n=$v"; done'
    )
    clean = {key: value for key, value in os.environ.items() if not key.startswith(("PIP_", "PYTHON_BUILD_"))}
    return subprocess.run([shell, "-c", script], env={**clean, **(env or {})}, capture_output=True, text=True)


def _values(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    assert done.returncode == 0, done.stderr
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_settings_are_exported_and_only_their_names_are_printed(shell: str, tmp_path: Path) -> None:
    text = (
        "# private index, credentials in the URL\r\n"
        "\r\n"
        "PIP_INDEX_URL=https://user:s3cret@pypi.example.com/simple\r\n"
        '  PIP_EXTRA_INDEX_URL="https://extra.example.com/simple"\n'
        "PIP_TRUSTED_HOST='extra.example.com'\n"
        "PIP_FIND_LINKS=http://127.0.0.1:8000/a=b\n"
        "PYTHON_BUILD_MIRROR_URL=http://mirror.example.com/cpython"  # no final newline
    )
    done = _load(shell, tmp_path, text)
    values = _values(done)
    assert values["PIP_INDEX_URL"] == "https://user:s3cret@pypi.example.com/simple"
    assert values["PIP_EXTRA_INDEX_URL"] == "https://extra.example.com/simple"
    assert values["PIP_TRUSTED_HOST"] == "extra.example.com"
    assert values["PIP_FIND_LINKS"] == "http://127.0.0.1:8000/a=b"  # split at the first "=" only
    assert values["PYTHON_BUILD_MIRROR_URL"] == "http://mirror.example.com/cpython"
    assert values["PIP_DEFAULT_TIMEOUT"] == "<unset>"
    assert "s3cret" not in done.stderr
    assert done.stderr.strip() == (
        "astro-pyenv: from secret astro-pyenv-settings: PIP_INDEX_URL PIP_EXTRA_INDEX_URL"
        " PIP_TRUSTED_HOST PIP_FIND_LINKS PYTHON_BUILD_MIRROR_URL"
    )


def test_the_secret_wins_over_build_args_and_arg_defaults(shell: str, tmp_path: Path) -> None:
    # In a RUN step a build arg and an ARG default are both plain environment variables.
    env = {"PIP_INDEX_URL": "https://from-build-arg/simple", "PIP_DEFAULT_TIMEOUT": "60"}
    values = _values(_load(shell, tmp_path, "PIP_INDEX_URL=https://from-secret/simple\n", env))
    assert values["PIP_INDEX_URL"] == "https://from-secret/simple"
    assert values["PIP_DEFAULT_TIMEOUT"] == "60"  # not in the secret: the build arg stays


def test_a_later_line_wins_over_an_earlier_one(shell: str, tmp_path: Path) -> None:
    values = _values(_load(shell, tmp_path, "PIP_DEFAULT_TIMEOUT=10\nPIP_DEFAULT_TIMEOUT=30\n"))
    assert values["PIP_DEFAULT_TIMEOUT"] == "30"


def test_no_secret_or_an_empty_one_changes_nothing(shell: str, tmp_path: Path) -> None:
    done = _load(shell, tmp_path, "", {"PIP_INDEX_URL": "https://from-build-arg/simple"})
    assert _values(done)["PIP_INDEX_URL"] == "https://from-build-arg/simple"
    assert done.stderr == ""
    missing = subprocess.run(
        [shell, "-c", f'. "{SETTINGS_SH}"; astro_pyenv_load_settings "{tmp_path}/absent"; echo ok'],
        capture_output=True, text=True,
    )  # fmt: skip
    assert (missing.returncode, missing.stdout, missing.stderr) == (0, "ok\n", "")


@pytest.mark.parametrize("locale", ["C", "C.UTF-8"])
def test_a_byte_order_mark_at_the_start_is_skipped(shell: str, tmp_path: Path, locale: str) -> None:
    """Issue 22.12: a secret saved with a UTF-8 BOM was refused as unknown setting '\\ufeffPIP_INDEX_URL'."""
    text = "\ufeffPIP_INDEX_URL=https://pypi.example.com/simple\r\nPIP_DEFAULT_TIMEOUT=30\r\n"
    values = _values(_load(shell, tmp_path, text, {"LC_ALL": locale}))
    assert values["PIP_INDEX_URL"] == "https://pypi.example.com/simple"
    assert values["PIP_DEFAULT_TIMEOUT"] == "30"
    # Only at the start of the file: elsewhere it is part of the line, as any other character.
    done = _load(shell, tmp_path, "PIP_DEFAULT_TIMEOUT=30\n\ufeffPIP_INDEX_URL=https://x\n", {"LC_ALL": locale})
    assert done.returncode == 1 and "line 2: unknown setting" in done.stderr


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("ASTRO_PYENV_PIP_VERSION=24.3.1", "ASTRO_PYENV_PIP_VERSION changes what is built"),
        ("PYTHON_CONFIGURE_OPTS=--enable-shared", "PYTHON_CONFIGURE_OPTS changes what is built"),
        ("PYTHON_BUILD_CURL_OPTS=-k", "PYTHON_BUILD_CURL_OPTS changes what is built"),
        ("PIP_CONSTRAINT=c.txt", "PIP_CONSTRAINT changes what is built"),
        ("ASTRO_PYENV_PREBUILT=off", "ASTRO_PYENV_PREBUILT is read by the frontend before any step runs"),
        ("ASTRO_PYENV_PIP_CACHE=team", "ASTRO_PYENV_PIP_CACHE is read by the frontend"),
        ("PIP_INDEX=https://x", "unknown setting 'PIP_INDEX'"),
        ("PIP_INDEX_URL = https://x", "unknown setting 'PIP_INDEX_URL '"),
        ("export PIP_INDEX_URL=https://x", "unknown setting 'export PIP_INDEX_URL'"),
        ("https://pypi.example.com/simple", "expected KEY=value"),
        ("PYTHON_BUILD_MIRROR_URL=-K/etc/passwd", "PYTHON_BUILD_MIRROR_URL must start with http:// or https://"),
    ],
)
def test_a_setting_the_secret_cannot_carry_is_an_error_naming_its_line(
    shell: str, tmp_path: Path, line: str, message: str
) -> None:
    done = _load(shell, tmp_path, f"# settings\nPIP_DEFAULT_TIMEOUT=30\n{line}\n")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("astro-pyenv: secret astro-pyenv-settings, line 3: " + message), done.stderr
    if "changes what is built" in message or "read by the frontend" in message:
        key = line.split("=", 1)[0]
        assert f"'ARG {key}=...' before the first FROM" in done.stderr


def _sh_list(name: str) -> list[str]:
    match = re.search(rf'^{name}="([^"]*)"$', SETTINGS_SH.read_text(), re.MULTILINE)
    assert match, name
    return match.group(1).split()


def test_every_setting_is_classified_once_and_matches_the_templates() -> None:
    secret = _sh_list("astro_pyenv_secret_settings")
    result = _sh_list("astro_pyenv_result_settings")
    frontend = _sh_list("astro_pyenv_frontend_settings")
    assert not set(secret) & set(result)
    assert sorted(secret + result) == sorted({*PIP_ARGS, *PYTHON_BUILD_ARGS})
    assert sorted(frontend) == sorted({PREBUILT_ARG, PIP_CACHE_ARG})
    assert layout.SETTINGS_SECRET == "astro-pyenv-settings"


def test_docs_table_has_one_row_per_setting_saying_where_it_may_come_from() -> None:
    readme = (ROOT / "docs" / "settings.md").read_text()
    rows = {}
    for row in re.findall(r"^\| `([A-Z_]+)` \|(.*)\|$", readme, re.MULTILINE):
        rows[row[0]] = [cell.strip() for cell in row[1].split("|")]
    secret = _sh_list("astro_pyenv_secret_settings")
    for name in secret + _sh_list("astro_pyenv_result_settings") + _sh_list("astro_pyenv_frontend_settings"):
        assert name in rows, f"docs/settings.md's table lacks {name}"
        build_arg, dockerfile_arg, in_secret = rows[name][1:4]
        assert build_arg == "yes" and dockerfile_arg == "yes", (name, rows[name])
        assert in_secret.startswith("yes" if name in secret else "no"), (name, rows[name])


def test_both_build_scripts_read_the_secret_before_they_download() -> None:
    venv = (SCRIPTS / "make-venv.sh").read_text()
    assert venv.index("astro_pyenv_load_settings") < venv.index("-m pip install")
    python = (SCRIPTS / "build-python.sh").read_text()
    assert python.index("astro_pyenv_load_settings") < python.index("python-build/bin/python-build")


def test_the_documented_settings_file_is_accepted(tmp_path: Path) -> None:
    readme = (ROOT / "docs" / "settings.md").read_text()
    block = re.search(r"```\n(# settings\.env.*?)```", readme, re.DOTALL)
    assert block, "docs/settings.md lost its settings.env example"
    values = _values(_load(SHELLS[0], tmp_path, block.group(1)))
    assert values["PIP_INDEX_URL"].startswith("https://")
    assert values["PYTHON_BUILD_MIRROR_URL"].startswith("https://")
