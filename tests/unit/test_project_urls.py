"""The project's web addresses are written once, in astro_pyenv_frontend/project.py: the packages'
metadata, the frontend image's labels, the build checks' URLs and every link to the project in
the repository's files agree with it, and each link to a page of the repository names a file
(and heading) that exists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
import tomllib

from astro_pyenv_frontend import project
from astro_pyenv_frontend.checks import RULES

from markdown_support import ROOT, anchors

_ANY_HOME = re.compile(r"https?://github\.com/[\w.-]+/astro-pyenv(?![\w-])[^\s\"'`)<>\]]*")
_ANY_IMAGE = re.compile(r"ghcr\.io/([\w.<>-]+)/astro-pyenv-frontend")
_BINARY = {".png", ".gz", ".whl", ".tar"}


def _repository_files() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [ROOT / name for name in listed if Path(name).suffix not in _BINARY and (ROOT / name).is_file()]


def _project_links() -> list[tuple[str, str]]:
    found = []
    for path in _repository_files():
        for url in _ANY_HOME.findall(path.read_text(errors="replace")):
            found.append((path.relative_to(ROOT).as_posix(), url.rstrip(".,;:")))
    return found


def test_the_home_is_an_https_address_and_the_rest_derives_from_it() -> None:
    assert re.fullmatch(r"https://github\.com/[\w.-]+/astro-pyenv", project.HOME_URL)
    owner = project.HOME_URL.split("/")[-2]
    assert project.FRONTEND_IMAGE == f"ghcr.io/{owner}/astro-pyenv-frontend"
    assert all(url.startswith(project.HOME_URL) for url in project.package_urls().values())
    assert project.doc_url("checks.md", "x") == f"{project.HOME_URL}/blob/{project.BRANCH}/docs/checks.md#x"


@pytest.mark.parametrize("package", ["frontend", "runtime_helper"])
def test_package_urls_are_the_projects(package: str) -> None:
    meta = tomllib.loads((ROOT / package / "pyproject.toml").read_text())["project"]
    assert meta["urls"] == project.package_urls()


def test_the_frontend_image_labels_name_the_project() -> None:
    labels = dict(re.findall(r'org\.opencontainers\.image\.(\w+)="([^"]*)"', (ROOT / "Dockerfile.frontend").read_text()))
    assert labels["url"] == labels["source"] == project.HOME_URL
    assert labels["documentation"] == project.DOCS_URL


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.name)
def test_check_rule_urls_are_absolute_and_name_the_rules_heading(rule: object) -> None:
    url = rule.url  # type: ignore[attr-defined]
    assert url == project.doc_url("checks.md", rule.name.lower())  # type: ignore[attr-defined]
    assert url.startswith("https://")
    assert url.split("#")[1] in anchors((ROOT / "docs" / "checks.md").read_text())


def test_every_link_to_the_project_uses_its_one_home() -> None:
    found = _project_links()
    assert len(found) > 10
    others = [(path, url) for path, url in found if not url.startswith(project.HOME_URL)]
    assert others == [], f"only {project.HOME_URL} is the project's home (astro_pyenv_frontend/project.py)"


@pytest.mark.parametrize(("path", "url"), sorted(set(_project_links())))
def test_a_link_to_a_page_of_the_project_names_an_existing_file_and_heading(path: str, url: str) -> None:
    rest = url[len(project.HOME_URL):]
    match = re.fullmatch(rf"/(?:blob|tree)/{project.BRANCH}/([^#?]+)(?:#(.+))?", rest)
    if not match:
        assert rest in {"", "/", "/issues"}, f"{path}: {url} is not a page of the repository"
        return
    target = ROOT / match.group(1)
    assert target.exists(), f"{path}: {url} names {match.group(1)}, which does not exist"
    if match.group(2):
        assert match.group(2) in anchors(target.read_text()), f"{path}: {url}: no such heading"


def test_the_released_image_is_named_after_the_projects_owner() -> None:
    owners = {
        (path.relative_to(ROOT).as_posix(), owner)
        for path in _repository_files()
        for owner in _ANY_IMAGE.findall(path.read_text(errors="replace"))
    }
    assert owners, "no page names the released image"
    expected = project.FRONTEND_IMAGE.split("/")[1]
    assert {(path, owner) for path, owner in owners if owner not in {expected, "<owner>"}} == set()
