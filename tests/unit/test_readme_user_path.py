"""The README's first 60 lines are a user's path into astro-pyenv, and every fact there is true:
the Dockerfile names the released image (tag and digest-pinned forms) and transforms without a
warning; its lines are the benchmarked project's, so the costs it quotes are docs/benchmarks.md's
figures; the DAG is Python whose environment the Dockerfile makes (tests/integration runs it on
Airflow 2 and 3); the commands and the next pages are there."""

from __future__ import annotations

import ast
import re

import pytest
from packaging.version import Version

from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.project import FRONTEND_IMAGE
from astro_pyenv_frontend.transform import TransformOptions, transform

from markdown_support import ROOT, links

TOP = "".join((ROOT / "README.md").read_text().splitlines(keepends=True)[:60])
BENCHMARKS = (ROOT / "docs" / "benchmarks.md").read_text()
VERSION = Version((ROOT / "VERSION").read_text().strip())


def _block(language: str) -> str:
    (block,) = re.findall(rf"^```{language}\n(.*?)^```", TOP, re.MULTILINE | re.DOTALL)
    return block


def _instructions(text: str) -> list[str]:
    return [item.raw.strip() for item in lex(text).items if isinstance(item, Instruction)]


def test_the_dockerfile_has_six_lines_and_names_the_released_image_by_tag() -> None:
    dockerfile = _block("dockerfile")
    assert len(dockerfile.splitlines()) == 6
    assert dockerfile.splitlines()[0] == f"# syntax={FRONTEND_IMAGE}:{VERSION.major}.{VERSION.minor}"


def test_the_digest_pinned_form_is_shown() -> None:
    assert f"`# syntax={FRONTEND_IMAGE}:{VERSION.base_version}@sha256:<digest>`" in TOP


def test_the_dockerfile_transforms_without_warnings() -> None:
    result = transform(_block("dockerfile"), TransformOptions(frontend_image=f"{FRONTEND_IMAGE}:0.2"))
    assert result.warnings == ()
    assert "ENV ASTRO_PYENV_snowpark=/opt/astro-pyenv/venvs/snowpark/bin/python" in result.dockerfile.splitlines()


def test_the_dockerfile_is_the_benchmarked_project_so_the_costs_are_its_costs() -> None:
    benchmarked = (ROOT / "benchmarks" / "project" / "Dockerfile").read_text()
    ours = [line for line in _instructions(_block("dockerfile")) if line.startswith(("FROM", "PYENV"))]
    assert ours == [line for line in _instructions(benchmarked) if line.startswith(("FROM", "PYENV"))]


def _benchmark(row: str, column: int) -> float:
    """A figure of docs/benchmarks.md's summary table: the row starting with ``row``, its ``column``."""
    line = next(line for line in BENCHMARKS.splitlines() if line.startswith(f"| {row} "))
    cell = line.split("|")[column + 1]
    match = re.search(r"([\d.]+) (?:s|MB)", cell)
    assert match, cell
    return float(match.group(1))


@pytest.mark.parametrize(
    ("stated", "row", "column"),
    [
        (r"cold build with prebuilt interpreters takes \*\*([\d.]+) s\*\*", "9.", 1),
        (r"copying the same\s+interpreters: ([\d.]+) s\)", "9.", 2),
        (r"compiled once, \*\*([\d.]+) s\*\* for both", "1.", 1),
        (r"rebuild after a DAG edit takes \*\*([\d.]+) s\*\*", "3.", 1),
        (r"add \*\*([\d.]+) MB\*\* to the image", "7.", 1),
    ],
)
def test_the_costs_are_the_benchmarks_figures(stated: str, row: str, column: int) -> None:
    match = re.search(stated.replace(" ", r"\s+"), TOP)  # wherever the paragraph wraps
    assert match, f"the README's first 60 lines lost: {stated}"
    text = match.group(1)
    decimals = len(text.split(".")[1]) if "." in text else 0
    assert float(text) == round(_benchmark(row, column), decimals), "copy the figure from docs/benchmarks.md"


def test_the_dag_is_python_that_runs_a_task_in_the_dockerfiles_environment() -> None:
    dag = _block("python")
    ast.parse(dag)
    names = {line.split()[2] for line in _instructions(_block("dockerfile")) if line.startswith("PYENV")}
    used = set(re.findall(r'@task\.pyenv\("([^"]+)"\)', dag))
    assert used and used <= names


def test_the_path_names_the_helper_the_commands_and_where_to_go_next() -> None:
    assert "`requirements.txt`" in TOP and "Add `astro-pyenv`" in TOP
    assert "`astro dev start`" in TOP and "`astro deploy`" in TOP
    assert {"docs/troubleshooting.md", "docs/frontend-image.md", "docs/README.md"} <= set(links(TOP))
