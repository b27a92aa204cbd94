"""The managed block of ``ASTRO_PYENV_<name>`` lines in the project's ``.env``.

Astro CLI's standalone mode reads ``.env`` (its ``--env`` option, default ``.env`` in the
project) into the environment of Airflow and its tasks: one ``KEY=value`` a line, ``#`` lines
skipped, one pair of surrounding quotes removed, no interpolation.  This module owns the lines
between its two marker lines and nothing else: every other byte of the file stays as it is.  The
block goes at the end when there is none; without environments it is removed.  A variable it
manages that the user also sets elsewhere in the file is refused, not overridden.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from .errors import HostError

__all__ = ["BEGIN", "END", "updated_dotenv"]

BEGIN = "# >>> astro-pyenv: PYENV environments for standalone mode (astro-pyenv-frontend standalone writes this block)"
END = "# <<< astro-pyenv"
_SAFE = re.compile(r"[A-Za-z0-9_./@+:,=-]*\Z")


def updated_dotenv(text: str, variables: Mapping[str, str], dockerfile_line: int) -> str:
    """``text`` (a .env file, "" when absent) with the block holding ``variables``."""
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == BEGIN]
    ends = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == END]
    if len(starts) > 1 or len(ends) != len(starts) or (starts and ends[0] < starts[0]):
        raise HostError(".env holds a broken astro-pyenv block: remove its lines, then run this again", dockerfile_line)
    before, after = (lines[: starts[0]], lines[ends[0] + 1 :]) if starts else (lines, [])
    _refuse_own_settings([*before, *after], variables, dockerfile_line)
    lines_in_block = [f"{key}={_quoted(value, dockerfile_line)}{newline}" for key, value in variables.items()]
    block = [BEGIN + newline, *lines_in_block, END + newline] if variables else []
    if not starts and block and before and not before[-1].endswith("\n"):
        before[-1] += newline  # the block starts on a line of its own
    return "".join([*before, *block, *after])


def _refuse_own_settings(lines: list[str], variables: Mapping[str, str], dockerfile_line: int) -> None:
    for line in lines:
        key = line.strip().split("=", 1)[0].strip()
        if key in variables and "=" in line and not line.lstrip().startswith("#"):
            message = f".env sets {key} outside the astro-pyenv block; this command writes it: remove that line"
            raise HostError(message, dockerfile_line)


def _quoted(value: str, dockerfile_line: int) -> str:
    if _SAFE.match(value):
        return value
    if "'" in value or "\n" in value or "\r" in value:
        raise HostError(f"cannot write the path {value!r} to .env: it holds a quote or a line break", dockerfile_line)
    return f"'{value}'"
