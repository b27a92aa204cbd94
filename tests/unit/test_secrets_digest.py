"""scripts/secrets-digest.sh: the file whose content puts what the venv steps' secrets say into
their layer cache key (BuildKit keeps secret contents out of it).

It must change when a secret names another index, pip config or CA, stay the same when only the
credentials in a URL change, and never hold a credential. Run with the shells a frontend image
may have, on secrets written here (the e2e test test_security.py checks the cache on an engine).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from astro_pyenv_frontend import layout

SCRIPT = Path(__file__).resolve().parents[2] / "frontend/src/astro_pyenv_frontend/scripts/secrets-digest.sh"
SHELLS = [shell for shell in ("dash", "bash") if shutil.which(shell)]
IDS = layout.VENV_SECRETS


@pytest.fixture(params=SHELLS)
def shell(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _digest(shell: str, tmp_path: Path, secrets: dict[str, str]) -> str:
    """The digest file for ``secrets`` (id -> content; a missing id is an absent secret)."""
    secrets_dir = tmp_path / "secrets"
    shutil.rmtree(secrets_dir, ignore_errors=True)
    secrets_dir.mkdir()
    for secret_id, content in secrets.items():
        (secrets_dir / secret_id).write_text(content)
    out = tmp_path / "digest"
    subprocess.run(
        [shell, str(SCRIPT), str(out), *IDS],
        env={"PATH": "/usr/bin:/bin", "ASTRO_PYENV_SECRETS_DIR": str(secrets_dir)},
        check=True,
        capture_output=True,
    )
    assert not (tmp_path / "digest.tmp").exists()
    return out.read_text()


def test_one_line_per_secret_none_when_absent_or_empty(shell: str, tmp_path: Path) -> None:
    text = _digest(shell, tmp_path, {layout.SETTINGS_SECRET: "PIP_INDEX_URL=https://a.example/simple\n", layout.CA_SECRET: ""})
    lines = dict(line.split(" ") for line in text.splitlines())
    assert list(lines) == list(IDS)
    assert lines[layout.CA_SECRET] == "none" and lines[layout.PIP_CONF_SECRET] == "none"
    assert len(lines[layout.SETTINGS_SECRET]) == 64


@pytest.mark.parametrize(
    ("secret_id", "before", "after"),
    [
        (layout.SETTINGS_SECRET, "PIP_INDEX_URL=https://a.example/simple\n", "PIP_INDEX_URL=https://b.example/simple\n"),
        (layout.SETTINGS_SECRET, "PIP_INDEX_URL=https://a.example/simple\n", "PIP_FIND_LINKS=https://a.example/simple\n"),
        (layout.PIP_CONF_SECRET, "[global]\nindex-url = https://a.example/simple\n", "[global]\nindex-url = https://a.example/other\n"),
        (layout.CA_SECRET, "-----BEGIN CERTIFICATE-----\nAAAA\n", "-----BEGIN CERTIFICATE-----\nBBBB\n"),
    ],
)
def test_another_index_config_or_ca_changes_the_digest(shell: str, tmp_path: Path, secret_id: str, before: str, after: str) -> None:
    assert _digest(shell, tmp_path, {secret_id: before}) != _digest(shell, tmp_path, {secret_id: after})


def test_absent_and_present_differ(shell: str, tmp_path: Path) -> None:
    assert _digest(shell, tmp_path, {}) != _digest(shell, tmp_path, {layout.PIP_CONF_SECRET: "[global]\n"})


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("https://user:token-one@idx.example/simple", "https://user:token-two@idx.example/simple"),
        ("https://token-one@idx.example/simple", "https://other:p%40ss@idx.example/simple"),
        ("https://u:pa@ss@idx.example/simple", "https://idx.example/simple"),  # an unescaped @ in a password
    ],
)
def test_credentials_in_urls_neither_change_nor_reach_the_digest(shell: str, tmp_path: Path, one: str, other: str) -> None:
    settings_one = f"PIP_INDEX_URL={one}\nPIP_EXTRA_INDEX_URL='{one}'\n"
    settings_other = f"PIP_INDEX_URL={other}\nPIP_EXTRA_INDEX_URL='{other}'\n"
    conf_one = f"[global]\nindex-url = {one}\nextra-index-url =\n    {one}\n"
    conf_other = f"[global]\nindex-url = {other}\nextra-index-url =\n    {other}\n"
    first = _digest(shell, tmp_path, {layout.SETTINGS_SECRET: settings_one, layout.PIP_CONF_SECRET: conf_one})
    second = _digest(shell, tmp_path, {layout.SETTINGS_SECRET: settings_other, layout.PIP_CONF_SECRET: conf_other})
    assert first == second
    for credential in ("token-one", "token-two", "user", "p%40ss", "pa@ss"):
        assert credential not in first


def test_the_templates_mount_every_secret_the_venv_step_reads() -> None:
    """The digest covers exactly the secrets the venv step mounts (layout.VENV_SECRETS)."""
    from astro_pyenv_frontend.transform import TransformOptions, transform

    text = transform("FROM python:3.12-slim\nPYENV 3.12 e\n", TransformOptions(frontend_image="f")).dockerfile
    venv_step = text[text.index("AS pyenv-venv-e") :]
    mounted = re.findall(r"--mount=type=secret,id=([\w-]+)", venv_step)
    assert sorted(mounted) == sorted(IDS)
    digest_step = text[text.index("AS pyenv-tools-secrets") : text.index("AS pyenv-venv-e")]
    assert all(f'"{secret_id}"' in digest_step for secret_id in IDS)
    assert f"source={layout.SECRETS_DIGEST_FILE}" in venv_step
