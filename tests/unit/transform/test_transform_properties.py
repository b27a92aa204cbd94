"""Properties of the whole transform: plain Dockerfiles pass unchanged; any text either
transforms or fails with a located DockerfileError, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend import astro_runtime
from astro_pyenv_frontend.emit import dockerfile_lines
from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.lexer import lex
from astro_pyenv_frontend.transform import TransformOptions, transform

OPTIONS = TransformOptions(frontend_image="example.com/astro-pyenv:1")

PLAIN_LINES = st.sampled_from(
    [
        "FROM python:3.12-slim",
        "FROM python:3.12-slim AS build",
        "FROM build",
        "ARG PY=3.12",
        "ENV A=1 B=2",
        "RUN echo pyenv is a word \\",
        "  && echo continued",
        "RUN <<EOF",
        "PYENV 3.12 inside-a-heredoc",
        "EOF",
        "COPY --from=build /a /b",
        "# a comment",
        "# PYENV 3.12 commented-out",
        "",
        "  ",
        "ONBUILD RUN echo kept",
        "USER nobody",
        "CMD [\"python\"]",
    ]
)
ANY_LINES = st.one_of(
    PLAIN_LINES,
    st.sampled_from(
        [
            "PYENV 3.12.4 env",
            "pyenv 3.13.5t other",
            "PYENV 3.9 with-reqs requirements/a.txt",
            "PYENV ${PY} from-arg",
            "PYENV 3.12",
            "PYENV 9.9 bad",
            "PYENV 3.12 bad;name",
            "PYENV --installer=uv 3.12 flagged",
            "PYENV 3.12 abs /etc/passwd",
            "COPY --from=0 /a /b",
            "FROM scratch",
        ]
    ),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=30),
    st.sampled_from(["RUN a\x0bb", "RUN a\u2028b", "RUN a\rb", "# c\x1cd"]),
)
ENDINGS = st.sampled_from(["\n", "\r\n"])


def _join(lines: list[str], ending: str) -> str:
    return "".join(line + ending for line in lines)


@settings(max_examples=300, deadline=None)
@given(st.lists(PLAIN_LINES, max_size=25), ENDINGS, st.booleans())
def test_dockerfile_without_pyenv_is_unchanged(lines: list[str], ending: str, syntax: bool) -> None:
    text = ("# syntax=example.com/astro-pyenv:1" + ending if syntax else "") + _join(lines, ending)
    has_pyenv = any(
        item.keyword == "PYENV" for item in lex(text).items if hasattr(item, "keyword")
    )
    if has_pyenv:
        return
    result = transform(text, OPTIONS)
    assert not result.changed
    assert result.dockerfile == text


@settings(max_examples=500, deadline=None)
@given(st.lists(ANY_LINES, max_size=25), ENDINGS)
def test_any_text_transforms_or_fails_at_a_line(lines: list[str], ending: str) -> None:
    text = _join(lines, ending)
    line_count = max(1, len(dockerfile_lines(text)))
    try:
        result = transform(text, OPTIONS)
    except DockerfileError as err:
        assert 1 <= err.line <= line_count, (err.line, line_count)
        assert err.message
        return
    assert len(result.source_lines) == len(dockerfile_lines(result.dockerfile))
    for source in result.source_lines:
        assert source is None or 1 <= source <= line_count


# -- PYENV blocks: any number of adjacent lines, in any stage ---------------------------

_VERSIONS = st.sampled_from(["3.9.2", "3.12", "3.13.5", "3.13t"])
_USER_LINES = st.sampled_from(
    ["RUN echo hi", "ENV A=1", "ARG X=2", "USER nobody", "COPY a b", "WORKDIR /w", "LABEL k=v"]
)
_BETWEEN = st.sampled_from(["", "# a comment between PYENV lines", "  "])


@st.composite
def _dockerfiles_with_pyenv_blocks(draw: st.DrawFn) -> tuple[str, int]:
    """(Dockerfile text, number of PYENV lines); names are unique in the file."""
    lines = []
    count = 0
    for stage in range(draw(st.integers(1, 3))):
        lines.append(f"FROM python:3.12-slim AS s{stage}" if stage == 0 else f"FROM s{stage - 1} AS s{stage}")
        for _ in range(draw(st.integers(0, 3))):
            lines.extend(draw(st.lists(_USER_LINES, max_size=2)))
            for position in range(draw(st.integers(1, 4))):
                if position:
                    lines.extend(draw(st.lists(_BETWEEN, max_size=1)))
                name = draw(st.sampled_from(["env", "my-env", "e_x"])) + str(count)
                lines.append(f"PYENV {draw(_VERSIONS)} {name}")
                count += 1
        lines.extend(draw(st.lists(_USER_LINES, max_size=2)))
    return "".join(line + "\n" for line in lines), count


@settings(max_examples=300, deadline=None)
@given(_dockerfiles_with_pyenv_blocks())
def test_every_pyenv_line_becomes_an_environment_and_every_other_line_is_kept(case: tuple[str, int]) -> None:
    text, pyenv_count = case
    result = transform(text, OPTIONS)
    out = [item for item in lex(result.dockerfile).items if hasattr(item, "keyword")]
    assert not [item for item in out if item.keyword == "PYENV"], "a PYENV line reached BuildKit"
    variables = [item.args for item in out if item.keyword == "ENV" and item.args.startswith("ASTRO_PYENV_")]
    assert len(variables) == pyenv_count
    # Every user line other than PYENV and FROM comes through byte for byte, in order.
    kept = [item.raw for item in lex(text).items if hasattr(item, "keyword") and item.keyword not in {"PYENV", "FROM"}]
    emitted = [item.raw for item in out]
    position = 0
    for raw in kept:
        position = emitted.index(raw, position) + 1


# -- user text echoed into generated lines ----------------------------------------------

_NASTY = st.lists(
    st.one_of(
        st.sampled_from(["\n", "\r", "\\", "`", "$", "<<EOF", "#", " ", "\x85", "\u2028", "\t", "{", "}", '"']),
        st.characters(blacklist_categories=["Cs"]),
    ),
    max_size=12,
).map("".join)
_ECHOING = """ARG BASE=python:3.12-slim
ARG TAG=13.0.0
ARG N=env
FROM ${BASE} AS app
ARG V=3.13.5
ARG N
ARG R=requirements.txt
PYENV ${V} ${N} ${R}
FROM quay.io/astronomer/astro-runtime:${TAG}
ARG N
PYENV 3.13.5 ${N}-astro
"""


def _shape(dockerfile: str) -> tuple[list[str], int]:
    """Instruction keywords and line count: what must not depend on a build arg's value."""
    items = lex(dockerfile).items
    return [item.keyword for item in items if hasattr(item, "keyword")], len(dockerfile_lines(dockerfile))


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["BASE", "TAG", "V", "N", "R"]), _NASTY, st.sampled_from(["\n", "\r\n"]))
def test_build_arg_text_never_adds_lines_or_instructions(arg: str, nasty: str, ending: str) -> None:
    """Any value (newlines, escapes, '$', heredoc markers) either fails at a line or leaves the
    generated Dockerfile with the same instructions and lines as a plain value does."""
    text = _ECHOING.replace("\n", ending)
    value = {"BASE": "python:3.12-slim", "TAG": "13.0.0"}.get(arg, "") + nasty
    # The plain value takes the same branch: an Astro Runtime tag or not.
    plain = {"V": "3.13.5", "N": "env", "R": "requirements.txt", "BASE": "python:3.12-slim"}.get(arg)
    if arg == "TAG":
        plain = "13.0.0" if astro_runtime.match(f"quay.io/astronomer/astro-runtime:{value}") else "13.0.0 x"
    expected = transform(text, TransformOptions(frontend_image=OPTIONS.frontend_image, build_args={arg: plain}))
    try:
        result = transform(text, TransformOptions(frontend_image=OPTIONS.frontend_image, build_args={arg: value}))
    except DockerfileError as err:
        assert 1 <= err.line <= 11
        return
    assert _shape(result.dockerfile) == _shape(expected.dockerfile)
