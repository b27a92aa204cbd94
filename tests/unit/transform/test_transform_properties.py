"""Properties of the whole transform: plain Dockerfiles pass unchanged; any text either
transforms or fails with a located DockerfileError, never another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.convert import dockerfile_lines
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
