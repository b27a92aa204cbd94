"""Golden lexer cases: lexer_cases/<case>/Dockerfile + expected.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from astro_pyenv_frontend.lexer import Instruction, lex

CASES = Path(__file__).parent / "lexer_cases"
CASE_DIRS = sorted(p for p in CASES.iterdir() if (p / "Dockerfile").is_file())


def _summary(text: str) -> dict[str, Any]:
    lexed = lex(text)
    items: list[dict[str, Any]] = []
    for item in lexed.items:
        if isinstance(item, Instruction):
            entry: dict[str, Any] = {
                "kind": "instruction",
                "keyword": item.keyword,
                "start_line": item.start_line,
                "end_line": item.end_line,
                "args": item.args,
            }
            if item.heredocs:
                entry["heredocs"] = [
                    {
                        "name": h.name,
                        "expand": h.expand,
                        "chomp": h.chomp,
                        "content": h.content,
                        **({} if h.terminated else {"terminated": False}),
                    }
                    for h in item.heredocs
                ]
        else:
            entry = {"kind": "trivia", "start_line": item.start_line, "end_line": item.end_line}
        items.append(entry)
    d = lexed.directives
    return {
        "directives": {"syntax": d.syntax, "escape": d.escape, "check": d.check},
        "directive_lines": list(lexed.directive_lines),
        "items": items,
    }


def test_cases_exist() -> None:
    assert len(CASE_DIRS) >= 40


@pytest.mark.parametrize("case", CASE_DIRS, ids=[p.name for p in CASE_DIRS])
def test_golden(case: Path) -> None:
    text = (case / "Dockerfile").read_bytes().decode("utf-8")
    expected = json.loads((case / "expected.json").read_text(encoding="utf-8"))
    assert _summary(text) == expected
    assert "".join(item.raw for item in lex(text).items) == text
