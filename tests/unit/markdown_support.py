"""Reading the repository's Markdown as GitHub renders it: headings' anchors, links, sections.

Shared by the tests that keep the docs' links and examples true (test_docs_links.py,
test_project_urls.py, test_docs_examples.py, ...).
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# The pages a reader browses: the README, docs/, the changelog and the examples' READMEs.
PAGES = sorted(
    p
    for p in [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("examples/*/README.md")]
    if p.is_file()
)
# The packages' READMEs are their PyPI descriptions: no relative links there.
PACKAGE_READMES = [ROOT / "frontend" / "README.md", ROOT / "runtime_helper" / "README.md"]

_FENCE = re.compile(r"^( *)(```|~~~).*?^\1\2[ \t]*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"(`+).+?\1", re.DOTALL)
_HEADING = re.compile(r"^(#{1,6}) +(.+?) *#* *$", re.MULTILINE)
# [text](target) and ![alt](target); a target has no spaces (an optional "title" is ignored).
_LINK = re.compile(r"!?\[(?:[^\[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")


def without_code(text: str) -> str:
    """``text`` without fenced code blocks and inline code spans (their brackets are not links)."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def code(text: str) -> list[str]:
    """The code of a page: its fenced blocks' bodies and its inline code spans."""
    blocks = [m.group(0) for m in _FENCE.finditer(text)]
    spans = [m.group(0).strip("`") for m in _INLINE_CODE.finditer(_FENCE.sub("", text))]
    return blocks + spans


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation but ``-`` and ``_`` dropped,
    spaces as ``-`` (so ``Targets (`--call`)`` is ``targets---call``)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link's text stays, its target goes
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    """Every heading's anchor in a page, the second of two equal ones as ``<anchor>-1``, ..."""
    seen: dict[str, int] = {}
    found = set()
    for match in _HEADING.finditer(_FENCE.sub("", text)):
        base = anchor(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else f"{base}-{count}")
    return found


def links(text: str) -> list[str]:
    """The targets of a page's links and images, in order, code left out."""
    return _LINK.findall(without_code(text))


def section(text: str, heading: str) -> str:
    """The body of the section under ``heading`` (e.g. ``"## Migrating from x"``), up to the next
    heading of the same or a higher level outside code blocks; AssertionError when there is none."""
    level = len(heading) - len(heading.lstrip("#"))
    body: list[str] | None = None
    fence = ""
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if not fence and body is not None:
            match = re.match(r"(#{1,6}) ", line)
            if match and len(match.group(1)) <= level:
                break
        if stripped.startswith(("```", "~~~")):
            fence = "" if fence and stripped.startswith(fence) else (fence or stripped[:3])
        if body is not None:
            body.append(line)
        elif not fence and line.rstrip() == heading:
            body = []
    assert body is not None, f"no section {heading!r}"
    return "".join(body)
