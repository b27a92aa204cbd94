"""-r/-c includes of a PYENV requirements file, followed within the build context (issue 25.2):
which lines include, where the included file is (relative to the file naming it, as pip and uv
resolve it), what cannot be followed and is the line's error, and how the venv step gets them."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from astro_pyenv_frontend.cli import main
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.requirements_includes import (
    IncludeError,
    all_includes,
    from_directory,
    include_targets,
    included_files,
    read_in_rounds,
)
from astro_pyenv_frontend.transform import TransformOptions, transform


def test_the_option_lines_that_include() -> None:
    text = (
        "-r a.txt\n-rb.txt\n--requirement c.txt\n--requirement=d.txt\n-c e.txt\n--constraint=f.txt\n"
        "six==1.16.0  # -r not-me.txt\n# -r nor-me.txt\n-e ./local\n--index-url https://x/simple\n"
        "-r \\\n  joined.txt\n"
    )
    assert include_targets(text) == ["a.txt", "b.txt", "c.txt", "d.txt", "e.txt", "f.txt", "joined.txt"]


def test_includes_are_found_relative_to_the_file_naming_them_in_order_once() -> None:
    files = {
        "reqs/main.txt": "-r base.txt\n-c ../constraints.txt\n-r https://example.com/r.txt\n-r main.txt\n",
        "reqs/base.txt": "-r sub/more.txt\n-c ../constraints.txt\n",
        "reqs/sub/more.txt": "-r ../base.txt\n",
        "constraints.txt": "six==1.16.0\n",
    }
    found = included_files("reqs/main.txt", files.get)
    assert found.files == ("reqs/base.txt", "constraints.txt", "reqs/sub/more.txt")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("-r ../outside.txt\n", "includes '../outside.txt' (on one of its lines), which is outside the build context"),
        ("-c /etc/passwd\n", "includes '/etc/passwd' (on one of its lines), which is outside the build context"),
        ("-r ${HOME}/x.txt\n", "includes '${HOME}/x.txt' (on one of its lines) through a variable"),
        ("-r missing.txt\n", "includes 'missing.txt' (on one of its lines), which is not a file in the build context"),
        ("-r 'quoted name.txt'\n", "includes \"'quoted\" (on one of its lines): <requirements-file> \"'quoted\" contains"),
    ],
)
def test_what_cannot_be_followed_is_said_naming_the_file_and_the_include(text: str, message: str) -> None:
    with pytest.raises(IncludeError) as info:
        included_files("main.txt", {"main.txt": text}.get)
    assert str(info.value).startswith(f"<requirements-file> 'main.txt' {message}"), str(info.value)


def test_a_nested_include_outside_names_the_file_it_is_in() -> None:
    files = {"main.txt": "-r reqs/base.txt\n", "reqs/base.txt": "-r ../../up.txt\n"}
    with pytest.raises(IncludeError, match=r"includes '\.\./\.\./up\.txt' \(in reqs/base\.txt\), which is outside"):
        included_files("main.txt", files.get)


def test_a_missing_main_file_has_no_includes_the_build_reports_it() -> None:
    assert included_files("main.txt", {}.get).files == ()


def test_includes_nested_too_deep_are_refused() -> None:
    files = {f"r{n}.txt": f"-r r{n + 1}.txt\n" for n in range(30)}
    with pytest.raises(IncludeError, match="more than 20 deep"):
        included_files("r0.txt", files.get)


def test_every_file_a_build_reads_once_in_rounds_and_a_pylock_is_not_read() -> None:
    files = {"a.txt": "-r b.txt\n", "b.txt": "-r c.txt\n", "c.txt": "six\n", "d.txt": "idna\n"}
    asked: list[list[str]] = []

    def fetch(paths: list[str]) -> dict[str, str | None]:
        asked.append(paths)
        return {path: files.get(path) for path in paths}

    found = read_in_rounds(["a.txt", "d.txt", "pylock.toml", "a.txt"], fetch)
    assert found == {"a.txt": ("b.txt", "c.txt"), "d.txt": ()}
    assert asked == [["a.txt", "d.txt"], ["b.txt"], ["c.txt"]]


def test_a_problem_is_kept_by_path_not_raised() -> None:
    found = all_includes(["ok.txt", "bad.txt"], {"ok.txt": "six\n", "bad.txt": "-r ../x\n"}.get)
    assert found["ok.txt"] == ()
    assert isinstance(found["bad.txt"], str) and "outside the build context" in found["bad.txt"]


def test_from_a_directory(tmp_path: Path) -> None:
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "main.txt").write_text("-r base.txt\n")
    (tmp_path / "reqs" / "base.txt").write_text("six\n")
    assert from_directory(tmp_path, ["reqs/main.txt", "nothere.txt"]) == {"reqs/main.txt": ("reqs/base.txt",), "nothere.txt": ()}


# -- what the venv step gets --------------------------------------------------------------------

DOCKERFILE = "FROM python:3.12-slim\nPYENV 3.12 tools reqs/main.txt\n"


def _transformed(includes: dict[str, tuple[str, ...] | str], engine: str = "buildkit") -> str:
    options = TransformOptions(frontend_image="f:dev", requirements_includes=includes, engine=engine)  # type: ignore[arg-type]
    return transform(DOCKERFILE, options).dockerfile


def test_each_file_is_mounted_at_its_path_in_the_context_and_the_installer_reads_it_there() -> None:
    out = _transformed({"reqs/main.txt": ("reqs/base.txt", "constraints.txt")})
    for path in ("reqs/main.txt", "reqs/base.txt", "constraints.txt"):
        assert f"--mount=type=bind,source={path},target=/tmp/astro-pyenv-context/{path} " in out
    assert '"/tmp/astro-pyenv-context/reqs/main.txt"]' in out and "/tmp/astro-pyenv-requirements.txt" not in out


def test_buildah_copies_each_into_the_venv_stage() -> None:
    out = _transformed({"reqs/main.txt": ("reqs/base.txt",)}, engine="buildah")
    assert "COPY reqs/main.txt /tmp/astro-pyenv-context/reqs/main.txt\n" in out
    assert "COPY reqs/base.txt /tmp/astro-pyenv-context/reqs/base.txt\n" in out


def test_without_includes_the_file_is_mounted_alone_as_before() -> None:
    assert _transformed({"reqs/main.txt": ()}) == _transformed({})
    assert "source=reqs/main.txt,target=/tmp/astro-pyenv-requirements.txt " in _transformed({})


def test_an_include_that_cannot_be_followed_is_the_pyenv_lines_error() -> None:
    with pytest.raises(DockerfileError) as info:
        _transformed({"reqs/main.txt": "<requirements-file> 'reqs/main.txt' includes ... outside"})
    assert (info.value.line, info.value.message) == (2, "<requirements-file> 'reqs/main.txt' includes ... outside")


def test_the_cli_reads_the_includes_beside_the_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("# syntax=f:dev\n" + DOCKERFILE)
    (tmp_path / "reqs").mkdir()
    (tmp_path / "reqs" / "main.txt").write_text("-r base.txt\n")
    (tmp_path / "reqs" / "base.txt").write_text("six==1.16.0\n")
    done = CliRunner().invoke(main, ["transform", "-f", str(tmp_path / "Dockerfile")])
    assert done.exit_code == 0, done.output
    assert "source=reqs/base.txt,target=/tmp/astro-pyenv-context/reqs/base.txt" in done.output
    (tmp_path / "reqs" / "base.txt").write_text("-r ../../up.txt\n")
    done = CliRunner().invoke(main, ["transform", "-f", str(tmp_path / "Dockerfile")])
    assert done.exit_code == 1
    assert f"{tmp_path / 'Dockerfile'}:3: <requirements-file> 'reqs/main.txt' includes '../../up.txt'" in done.output


def test_check_reads_the_includes_from_its_context(tmp_path: Path) -> None:
    project, context = tmp_path / "project", tmp_path / "context"
    project.mkdir()
    (context / "reqs").mkdir(parents=True)
    (project / "Dockerfile").write_text("# syntax=f:dev\n" + DOCKERFILE)
    (context / "reqs" / "main.txt").write_text("-r ../../outside.txt\nsix==1.16.0\n")
    done = CliRunner().invoke(main, ["check", "-f", str(project / "Dockerfile"), "--context", str(context)])
    assert done.exit_code == 1
    assert "includes '../../outside.txt' (on one of its lines), which is outside the build context" in done.output
