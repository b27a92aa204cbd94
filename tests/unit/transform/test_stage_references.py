"""Stage references are read the way BuildKit reads them: the instruction's own flags, then its
arguments.  Generated stages shift the user's stage numbers, so a reference by number is refused
at its line; words in a command (``RUN ./migrate --from=2``) are not references."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.errors import DockerfileError
from astro_pyenv_frontend.instructions import stage_references
from astro_pyenv_frontend.lexer import Instruction, lex
from astro_pyenv_frontend.transform import TransformOptions, transform

OPTIONS = TransformOptions(frontend_image="example.com/astro-pyenv:1")
HEAD = "FROM python:3.12-slim AS first\nRUN echo hi > /hi\nFROM python:3.12-slim\nPYENV 3.12 x\n"


@pytest.mark.parametrize(
    ("keyword", "args", "expected"),
    [
        ("COPY", "--from=0 /a /b", ("0",)),
        ("COPY", '--from="0" /a /b', ("0",)),
        ("COPY", "--chown=1 --from='build' /a /b", ("build",)),
        ("COPY", "/a --from=0 /b", ()),
        ("COPY", "-- --from=0 /b", ()),
        ("RUN", "--mount=from=0,target=/x true", ("0",)),
        ("RUN", '--mount=type=bind,"from=1",target=/x true', ("1",)),
        ("RUN", "--mount=type=cache,target=/c,FROM=b --mount=type=bind,from=c,target=/d make", ("b", "c")),
        ("RUN", "./migrate --from=2 --to=3", ()),
        ("RUN", "echo from=1", ()),
        ("RUN", "echo --mount=from=0", ()),
        ("RUN", "--network=none ./migrate --from=2", ()),
        ("ADD", "--from=0 /a /b", ()),  # ADD takes no --from (BuildKit refuses the flag)
        ("ENV", "from=0", ()),
    ],
)
def test_stage_references_are_read_from_the_flags(keyword: str, args: str, expected: tuple[str, ...]) -> None:
    assert stage_references(keyword, args, "\\") == expected


@pytest.mark.parametrize(
    "line",
    [
        "COPY --from=0 /hi /hi",
        'COPY --from="0" /hi /hi',
        "COPY --from='1' /hi /hi",
        "COPY --link --from=+0 /hi /hi",
        "RUN --mount=from=0,target=/x cat /x/hi",
        'RUN --mount=type=bind,"from=0",target=/x cat /x/hi',
        "RUN --mount=type=cache,target=/c,from=0 true",
        "ARG N=0\nCOPY --from=$N /hi /hi",
        "ARG N=0\nRUN --mount=from=${N},target=/x true",
    ],
)
def test_a_stage_named_by_its_number_is_refused_at_its_line(line: str) -> None:
    text = HEAD + line + "\n"
    with pytest.raises(DockerfileError) as info:
        transform(text, OPTIONS)
    assert info.value.line == text.count("\n")
    assert "by number" in info.value.message


@pytest.mark.parametrize(
    "line",
    [
        "RUN ./migrate --from=2 --to=3",
        "RUN echo from=1",
        "RUN echo --mount=from=0",
        "RUN --network=none ./migrate --from=2",
        "COPY --from=first /hi /hi",
        "COPY /hi --from=0",
        "ONBUILD COPY --from=0 /a /b",
    ],
)
def test_words_that_are_not_stage_references_are_left_alone(line: str) -> None:
    transform(HEAD + line + "\n", OPTIONS)


def test_generated_stages_avoid_names_a_quoted_mount_field_uses() -> None:
    text = (
        "FROM python:3.12-slim\nPYENV 3.12 x\n"
        'RUN --mount=type=bind,"from=pyenv-tools",target=/t true\n'
    )
    result = transform(text, OPTIONS)
    stages = [
        i.args.split()[-1]
        for i in lex(result.dockerfile).items
        if isinstance(i, Instruction) and i.keyword == "FROM" and " AS " in i.args
    ]
    assert "pyenv-tools" not in stages
    assert "pyenv-tools-2" in stages
