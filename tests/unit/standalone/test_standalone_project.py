"""The standalone command reads the Dockerfile with the planner a build uses: the same
environments, versions, flags and errors at the same lines (issue 27)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.prebuilt import Offer
from astro_pyenv_frontend.standalone.errors import HostError
from astro_pyenv_frontend.standalone.project import read_project

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "astro-project" / "Dockerfile"


def _no_offer(image: str) -> Offer:
    raise AssertionError(f"the catalog of {image} was read")


def test_the_example_project_s_environments_are_what_its_image_holds() -> None:
    asked: list[str] = []
    project = read_project(EXAMPLE, {}, None, lambda image: asked.append(image) or Offer(None))  # type: ignore[func-returns-value]
    assert asked == ["local/astro-pyenv-frontend:dev"]  # the # syntax= image's catalog
    found = [(u.name, u.version, u.line, u.requirements, u.task_sdk) for u in project.environments]
    assert found == [
        ("snowpark", "3.9.2", 8, "requirements-snowpark.txt", None),
        ("modern", "3.13.5", 12, None, "auto"),
    ]
    assert project.context == EXAMPLE.parent and project.prebuilt_setting == ""


def test_a_prefix_resolves_to_the_catalog_s_version_first(tmp_path: Path) -> None:
    from astro_pyenv_frontend.prebuilt import parse_catalog

    entry = '{"version": "3.13.1", "libc": "glibc 2.31", "platforms": ["linux/amd64"], "recipe": "sha256:%s", "tag": "t", "digest": "sha256:%s"}' % ("b" * 64, "a" * 64)
    catalog = parse_catalog('{"repository": "r.example/c", "interpreters": [%s]}' % entry)
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("# syntax=x/y:1\nFROM python:3.12-slim\nPYENV 3.13 tools\n")
    assert read_project(dockerfile, {}, None, lambda image: Offer(catalog)).environments[0].version == "3.13.1"
    assert read_project(dockerfile, {}, None, lambda image: Offer(None)).environments[0].version != "3.13.1"


def test_prebuilt_off_and_pip_settings_come_from_args_before_the_first_from(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "ARG ASTRO_PYENV_PREBUILT=off\nARG PIP_INDEX_URL=https://pypi.example/simple\nFROM python:3.12-slim\n"
        "PYENV 3.9.2 legacy\n"
    )
    project = read_project(dockerfile, {"ASTRO_PYENV_PIP_VERSION": "bundled"}, None, _no_offer)
    assert project.prebuilt_setting is None and project.offer is None
    assert dict(project.pip_settings) == {"PIP_INDEX_URL": "https://pypi.example/simple", "ASTRO_PYENV_PIP_VERSION": "bundled"}


def test_one_name_in_two_stages_is_refused_at_the_second_line(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-slim AS a\nPYENV 3.9.2 x\nFROM python:3.12-slim AS b\nPYENV 3.13.5 x\n")
    with pytest.raises(HostError) as info:
        read_project(dockerfile, {"ASTRO_PYENV_PREBUILT": "off"}, None, _no_offer)
    assert info.value.line == 4
    assert "one environment per name" in info.value.message


def test_bad_pyenv_lines_are_the_error_check_reports_at_the_same_line(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("# syntax=x/y:1\nFROM python:3.12-slim\nPYENV 3.9.2 bad/name\n")
    with pytest.raises(DockerfileError) as info:
        read_project(dockerfile, {}, None, _no_offer)
    checked = CliRunner().invoke(main, ["check", "-f", str(dockerfile)])
    assert checked.output == f"{dockerfile}:{info.value.line}: {info.value.message}\n"
    ran = CliRunner().invoke(main, ["standalone", "-f", str(dockerfile)])
    assert ran.exit_code == 1 and ran.output == checked.output


def test_the_installer_is_read_as_a_build_reads_it(tmp_path: Path) -> None:
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(
        "ARG ASTRO_PYENV_INSTALLER=uv\nFROM python:3.12-slim\nPYENV 3.9.2 fast\nPYENV --installer=pip 3.9.2 slow\n"
    )
    project = read_project(dockerfile, {}, None, lambda image: Offer(None))
    assert [(u.name, u.installer) for u in project.environments] == [("fast", "uv"), ("slow", "pip")]


def test_includes_are_read_beside_the_dockerfile_and_an_edit_to_one_changes_the_venvs_key(tmp_path: Path) -> None:
    from astro_pyenv_frontend.standalone.venvs import VenvSpec

    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM python:3.12-slim\nPYENV 3.9.2 tools reqs/main.txt\n")
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "main.txt").write_text("-c ../constraints.txt\nsix\n")
    (tmp_path / "constraints.txt").write_text("six==1.16.0\n")
    (use,) = read_project(dockerfile, {}, None, lambda image: Offer(None)).environments
    assert use.includes == ("constraints.txt",)

    def key() -> str:
        includes = tuple(tmp_path / path for path in use.includes)
        return VenvSpec(use, Path("/p"), "k", tmp_path / "reqs" / "main.txt", {}, None, "", includes).key

    before = key()
    (tmp_path / "constraints.txt").write_text("six==1.15.0\n")
    assert key() != before
