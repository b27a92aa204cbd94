"""The managed block in the project's .env: ASTRO_PYENV_<name> where standalone mode reads it,
and every byte of the user's own lines kept (issue 27)."""

from __future__ import annotations

import pytest

from astro_pyenv_frontend.standalone.dotenv import BEGIN, END, updated_dotenv
from astro_pyenv_frontend.standalone.errors import HostError

VARIABLES = {"ASTRO_PYENV_snowpark": "/p/.venv/astro-pyenv/venvs/snowpark/bin/python"}
BLOCK = f"{BEGIN}\nASTRO_PYENV_snowpark=/p/.venv/astro-pyenv/venvs/snowpark/bin/python\n{END}\n"


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ("", BLOCK),
        ("A=1\n", "A=1\n" + BLOCK),
        ("A=1", "A=1\n" + BLOCK),  # the block starts on its own line
        ("A='x y' # kept\n\n#c\n", "A='x y' # kept\n\n#c\n" + BLOCK),
    ],
)
def test_the_block_is_appended_after_the_user_s_lines(before: str, after: str) -> None:
    assert updated_dotenv(before, VARIABLES, 8) == after


def test_the_block_is_replaced_in_place_and_every_other_byte_kept() -> None:
    user_top, user_bottom = "A=1\r\n  B = 2 \r\n", "# mine\r\nC=\"q\"\r\nlast-line-without-newline"
    old = f"{BEGIN}\r\nASTRO_PYENV_old=/x\r\n{END}\r\n"
    text = updated_dotenv(user_top + old + user_bottom, {"ASTRO_PYENV_new": "/y"}, 8)
    assert text == user_top + f"{BEGIN}\r\nASTRO_PYENV_new=/y\r\n{END}\r\n" + user_bottom
    assert updated_dotenv(text, {"ASTRO_PYENV_new": "/y"}, 8) == text  # a second run changes nothing
    assert updated_dotenv(text, {}, 8) == user_top + user_bottom  # no environments: no block


def test_a_variable_the_user_sets_too_is_refused_not_overridden() -> None:
    with pytest.raises(HostError, match="sets ASTRO_PYENV_snowpark outside the astro-pyenv block") as info:
        updated_dotenv("ASTRO_PYENV_snowpark=/mine\n", VARIABLES, 8)
    assert info.value.line == 8
    assert updated_dotenv("# ASTRO_PYENV_snowpark=/mine\n", VARIABLES, 8).startswith("# ASTRO_PYENV_snowpark=/mine\n")


def test_a_broken_block_is_refused() -> None:
    with pytest.raises(HostError, match="broken astro-pyenv block"):
        updated_dotenv(f"{BEGIN}\nA=1\n", VARIABLES, 8)
    with pytest.raises(HostError, match="broken astro-pyenv block"):
        updated_dotenv(f"{END}\n{BEGIN}\n", VARIABLES, 8)


def test_paths_are_quoted_only_when_they_must_be() -> None:
    text = updated_dotenv("", {"ASTRO_PYENV_a": "/my projects/#1/python"}, 8)
    assert "ASTRO_PYENV_a='/my projects/#1/python'\n" in text
    with pytest.raises(HostError, match="holds a quote"):
        updated_dotenv("", {"ASTRO_PYENV_a": "/it's/python"}, 8)
