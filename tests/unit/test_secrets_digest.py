"""scripts/secrets-digest.sh: the file whose content puts what the venv steps' secrets say into
their layer cache key (BuildKit keeps secret contents out of it).

It must change when a secret names another index, pip config or CA (a URL whose host only looks
like ours after a careless cut included: urllib3 and urllib.parse say where pip goes), stay the
same when only the credentials in a URL change, and never hold a credential. Run with the shells
a frontend image may have, on secrets written here (the e2e tests test_security.py and
test_settings_secret.py check the cache on an engine).
"""

from __future__ import annotations

import functools
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# Where a request for the URL goes, as urllib3 (pip's HTTP client, through requests) and
# urllib.parse (pip's link handling) read it: everything but the userinfo.
def _where(url: str) -> tuple[object, ...]:
    parsed = urllib3.util.parse_url(url)
    split = urlsplit(url)
    return (parsed.scheme, parsed.host, parsed.port, parsed.path, parsed.query, split.hostname, split.port)


OURS = "https://pypi.org/simple"


@pytest.mark.parametrize(
    "theirs",
    [
        "https://evil.example?@pypi.org/simple",  # userinfo ends at ?, # and / (RFC 3986)
        "https://evil.example#@pypi.org/simple",
        "https://evil.example\\@pypi.org/simple",  # urllib3 ends the authority at a backslash too
        "https://evil.example/@pypi.org/simple",
        "https://u:p@evil.example?@pypi.org/simple",
        "https://evil.example:443?x=1@pypi.org/simple",
    ],
)
def test_a_url_whose_host_is_not_ours_never_digests_like_ours(shell: str, tmp_path: Path, theirs: str) -> None:
    """``https://evil.example?@pypi.org/simple`` sends pip to evil.example: only what a URL parser
    calls userinfo may go, or a build with that secret leaves a venv ours reuses."""
    assert _where(theirs)[1] != "pypi.org"
    for secret_id, template in ((layout.SETTINGS_SECRET, "PIP_INDEX_URL={}\n"), (layout.PIP_CONF_SECRET, "[global]\nindex-url = {}\n")):
        ours = _digest(shell, tmp_path, {secret_id: template.format(OURS)})
        assert _digest(shell, tmp_path, {secret_id: template.format(theirs)}) != ours, theirs


@pytest.mark.parametrize(
    ("value", "same_as"),
    [
        ("PIP_INDEX_URL=https://a@b@pypi.org/simple", "PIP_INDEX_URL=https://pypi.org/simple"),  # the last @ ends it
        ("PIP_INDEX_URL=\"https://u@pypi.org/simple\"", "PIP_INDEX_URL=\"https://pypi.org/simple\""),
        ("PIP_EXTRA_INDEX_URL=https://u@a.example https://v@b.example", "PIP_EXTRA_INDEX_URL=https://a.example https://b.example"),
        ("PIP_FIND_LINKS=http://u:p@[::1]:8080/x", "PIP_FIND_LINKS=http://[::1]:8080/x"),
    ],
)
def test_userinfo_goes_wherever_the_url_stands(shell: str, tmp_path: Path, value: str, same_as: str) -> None:
    assert _digest(shell, tmp_path, {layout.SETTINGS_SECRET: value}) == _digest(
        shell, tmp_path, {layout.SETTINGS_SECRET: same_as}
    )


def test_only_the_userinfo_of_the_url_itself_goes(shell: str, tmp_path: Path) -> None:
    """A URL inside another URL's query is part of what pip sends to that index."""
    one = "PIP_INDEX_URL=https://a.example/simple?next=https://x@b.example\n"
    other = "PIP_INDEX_URL=https://a.example/simple?next=https://y@b.example\n"
    conf = "[global]\nindex-url:https://u@a.example/simple\n"  # configparser also takes ':'
    assert _digest(shell, tmp_path, {layout.SETTINGS_SECRET: one}) != _digest(shell, tmp_path, {layout.SETTINGS_SECRET: other})
    assert _digest(shell, tmp_path, {layout.PIP_CONF_SECRET: conf}) == _digest(
        shell, tmp_path, {layout.PIP_CONF_SECRET: conf.replace("u@", "")}
    )


@functools.cache
def _our_digest() -> str:
    with tempfile.TemporaryDirectory() as tmp:
        return _digest(SHELLS[0], Path(tmp), {layout.SETTINGS_SECRET: f"PIP_INDEX_URL={OURS}\n"})


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(junk=st.text(alphabet="ab.:@?#/\\%[]", max_size=12))
def test_equal_digests_mean_the_same_host(tmp_path: Path, junk: str) -> None:
    """Whatever comes between ``//`` and our host, a digest equal to ours means pip goes to our host."""
    theirs = f"https://{junk}@pypi.org/simple"
    try:
        where = _where(theirs)
    except (ValueError, urllib3.exceptions.LocationParseError):
        return  # pip cannot use it at all
    if _digest(SHELLS[0], tmp_path, {layout.SETTINGS_SECRET: f"PIP_INDEX_URL={theirs}\n"}) == _our_digest():
        assert where == _where(OURS), theirs


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
