"""Every input takes time linear in its size (issue 22.10): doubling it twice multiplies the time
by about 4, where a quadratic path (4,000 stages took 42 s; a `# syntax=` line with 40,000 spaces
7 s) multiplies it by 16.  Each case is timed at n and 4n (the best of a few runs, garbage
collection off) and the ratio must stay under 8.  The time is this process's CPU time, not the
wall clock: CI runs these tests beside builds that keep both cores busy, and time spent waiting
for a core is not the code's.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from astro_pyenv_frontend.checks import unpinned_requirements
from astro_pyenv_frontend.gateway.dockerfile import may_use_pyenv
from astro_pyenv_frontend.lexer import lex
from astro_pyenv_frontend.syntax_directive import choose
from astro_pyenv_frontend.transform import TransformOptions, transform
from astro_pyenv_frontend.variables import expand
from astro_pyenv_frontend.view import buildkit_view

OPTIONS = TransformOptions(frontend_image="example.com/astro-pyenv:1")
RATIO = 8.0


def _best(run: Callable[[], object], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        gc.disable()
        try:
            start = time.process_time()
            run()
            best = min(best, time.process_time() - start)
        finally:
            gc.enable()
    return best


def _assert_linear(make: Callable[[int], object], run: Callable[[object], object], n: int) -> None:
    small, large = make(n), make(4 * n)
    run(small)  # warm caches (templates, the bundled version list)
    ratio = _best(lambda: run(large), 2) / max(_best(lambda: run(small), 3), 1e-4)
    if ratio >= RATIO:  # a busy machine: measure once more before calling it quadratic
        ratio = _best(lambda: run(large), 3) / max(_best(lambda: run(small), 5), 1e-4)
    assert ratio < RATIO, f"4x the input took {ratio:.1f}x the time"


def _transform(text: object) -> object:
    assert isinstance(text, str)
    return transform(text, OPTIONS)


def _transform_or_error(text: object) -> object:
    try:
        return _transform(text)
    except Exception as exc:  # noqa: BLE001 - the time to fail counts the same
        return exc


CASES: dict[str, tuple[Callable[[int], object], Callable[[object], object], int]] = {
    "stages with PYENV lines (stage names made unique)": (
        lambda n: "".join(f"FROM python:3.12-slim AS s{i}\nPYENV 3.12 a\n" for i in range(n)), _transform, 250
    ),
    "PYENV lines in one stage": (
        lambda n: "FROM python:3.12-slim\n" + "".join(f"PYENV 3.12 e{i}\n" for i in range(n)), _transform, 250
    ),
    "stages FROM stages": (
        lambda n: "FROM python:3.12-slim AS s0\nPYENV 3.12 a\n"
        + "".join(f"FROM s{i} AS s{i + 1}\nRUN true\n" for i in range(n)),
        _transform,
        1000,
    ),
    "a # syntax= line with many spaces": (lambda n: "# syntax=x" + " " * (20 * n) + "y\nFROM x\n", lex, 1000),
    "a # syntax= line of spaces": (lambda n: "#syntax=" + " " * (20 * n) + "\n", lex, 1000),
    "a # astro-pyenv-syntax= line with many spaces": (
        lambda n: ("# astro-pyenv-syntax=x" + " " * (20 * n) + "y\nFROM x\n").encode(),
        lambda data: choose(data, {}),  # type: ignore[arg-type]
        1000,
    ),
    "an ARG line with many spaces and the syntax build arg's name": (
        lambda n: ("ARG" + " " * (20 * n) + "x ASTRO_PYENV_SYNTAXx ASTRO_PYENV_SYNTAX" * n + "\n").encode(),
        lambda data: choose(data, {}),  # type: ignore[arg-type]
        500,
    ),
    "a stage name with a long run of separators": (
        lambda n: "FROM python:3.12-slim AS a" + "-" * (20 * n) + "b\nPYENV 3.12 a\n", _transform, 1000
    ),
    "a long continuation": (
        lambda n: "FROM python:3.12-slim\nPYENV 3.12 a\nRUN true" + " \\\n  && true" * n + "\n", _transform, 2000
    ),
    "a long heredoc": (
        lambda n: "FROM python:3.12-slim\nPYENV 3.12 a\nRUN <<EOF\n" + "echo x\n" * n + "EOF\n", _transform, 4000
    ),
    "many stage references": (
        lambda n: "FROM python:3.12-slim AS b\nPYENV 3.12 a\n" + "COPY --from=b /a /b\n" * n, _transform, 1000
    ),
    "a PYENV line with a long word": (
        lambda n: "FROM python:3.12-slim\nPYENV 3.12 " + "a" * (50 * n) + "\n", _transform_or_error, 1000
    ),
    "continuations and spaces for the gateway's PYENV test": (
        lambda n: ("RUN \\\n" + " " * n + "\n# c\n" * n + "\\\n" * n).encode(), may_use_pyenv, 500
    ),
    "a requirements file": (lambda n: "pkg>=1  # x\n-r other.txt\nb==2 \\\n  --hash=x\n" * n, unpinned_requirements, 500),
}


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_time_grows_linearly_with_the_input(case: str) -> None:
    make, run, n = CASES[case]
    _assert_linear(make, run, n)


def test_patterns_and_long_values_take_linear_time() -> None:
    def make(n: int) -> object:
        return {"V": "ab" * (500 * n)}

    def run(env: object) -> object:
        assert isinstance(env, dict)
        return [expand(word, env).value for word in ("${V##*a*b*a*c}", "${V%%*b*a*c}", "${V//a*b?/x}", "${V//b/c}")]

    _assert_linear(make, run, 4)


def test_the_view_for_checks_takes_linear_time() -> None:
    def make(n: int) -> object:
        text = "FROM python:3.12-slim\n" + "".join(f"PYENV 3.12 e{i}\nRUN true\n" for i in range(n))
        return text, transform(text, OPTIONS).environments

    def run(made: object) -> object:
        text, environments = made  # type: ignore[misc]
        return buildkit_view(text, environments)

    _assert_linear(make, run, 500)


# No ARG line: every venv stage repeats the ARG lines of its stage above its PYENV line (ARGs are
# not inherited from the stage it is built FROM), so n groups of PYENV and ARG lines in one
# stage give a generated Dockerfile of n*n lines, which the gateway refuses past 1.9 MiB.
_CHUNKS = st.lists(
    st.sampled_from(
        ["FROM python:3.12-slim AS s", "PYENV 3.12 e", "ENV B=${A:-x}", "RUN echo hi \\", "  && true",
         "COPY --from=s /a /b", "# comment", "", "    ", "RUN <<EOF", "EOF", "FROM s", "LABEL a=b"]
    ),
    min_size=1,
    max_size=8,
)


# Timings are not shrunk (each example costs a second) and the examples are the same on every run.
@settings(max_examples=6, deadline=None, derandomize=True, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow])
@given(_CHUNKS)
def test_any_repeated_chunk_takes_linear_time(chunk: list[str]) -> None:
    """A chunk of lines repeated n and 4n times (names numbered so that the file stays valid)."""

    def make(n: int) -> object:
        lines = []
        for i in range(n):
            for line in chunk:
                if line.startswith(("FROM python", "PYENV")):
                    line = f"{line}{i}"
                lines.append(line)
        return "FROM python:3.12-slim AS s\n" + "\n".join(lines) + "\n"

    _assert_linear(make, _transform_or_error, 150)


def test_stage_names_are_made_unique_with_linear_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted rather than timed: every stage named its venv stage pyenv-venv-a-<n> by trying
    -2, -3, ... from the start (4,000 stages: 8 million names tried, 42 s)."""
    from astro_pyenv_frontend.planner import names

    tried = 0
    real = names.stage_name

    def counting(base: str, suffix: str = "") -> str:
        nonlocal tried
        tried += 1
        return real(base, suffix)

    monkeypatch.setattr(names, "stage_name", counting)
    counts = []
    for n in (100, 400):
        tried = 0
        _transform("".join(f"FROM python:3.12-slim AS s{i}\nPYENV 3.12 a\n" for i in range(n)))
        counts.append(tried)
    assert counts[1] / counts[0] < 5, counts
