"""Links between the pages keep working: every relative link in README.md, docs/*.md, the
changelog and the examples' READMEs names a file that exists and, for a Markdown page, a heading
it has; the packages' READMEs (their PyPI pages) link only to absolute addresses."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from markdown_support import PACKAGE_READMES, PAGES, ROOT, anchor, anchors, links, section


def _relative_links() -> list[tuple[str, str]]:
    found = []
    for page in PAGES:
        for target in links(page.read_text()):
            if not urlsplit(target).scheme and not target.startswith("//"):
                found.append((page.relative_to(ROOT).as_posix(), target))
    return found


def check_local_target(page: Path, target: str) -> str | None:
    """Why ``target``, a relative link on ``page``, is broken, or None."""
    path, _, fragment = target.partition("#")
    file = (page.parent / unquote(path)).resolve() if path else page
    if not file.exists():
        return f"{file.relative_to(ROOT) if file.is_relative_to(ROOT) else file} does not exist"
    if fragment and file.suffix == ".md" and fragment not in anchors(file.read_text()):
        return f"{file.relative_to(ROOT)} has no heading with the anchor #{fragment}"
    return None


def test_the_pages_link_to_each_other() -> None:
    assert len(_relative_links()) > 20
    assert {p.relative_to(ROOT).as_posix() for p in PAGES} >= {"README.md", "docs/README.md", "docs/troubleshooting.md"}


@pytest.mark.parametrize(("page", "target"), _relative_links())
def test_relative_link_points_at_an_existing_file_and_heading(page: str, target: str) -> None:
    assert check_local_target(ROOT / page, target) is None


@pytest.mark.parametrize("readme", PACKAGE_READMES, ids=lambda p: p.parent.name)
def test_package_readmes_link_only_to_absolute_addresses(readme: Path) -> None:
    relative = [t for t in links(readme.read_text()) if not urlsplit(t).scheme]
    assert relative == [], "a relative link is broken on PyPI: link to the project's home instead"


# -- the reader's anchors, as GitHub makes them --------------------------------------------------


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("How it works", "how-it-works"),
        ("Targets, outline and checks (`--call`, `--check`)", "targets-outline-and-checks---call---check"),
        ("A newer Dockerfile syntax than your engine's", "a-newer-dockerfile-syntax-than-your-engines"),
        ("Compared with astronomer/astro-provider-venv", "compared-with-astronomerastro-provider-venv"),
        ("`PyenvSameAsBasePython`", "pyenvsameasbasepython"),
    ],
)
def test_anchor_is_githubs(heading: str, expected: str) -> None:
    assert anchor(heading) == expected


def test_a_repeated_heading_gets_a_numbered_anchor_and_code_blocks_hold_none() -> None:
    text = "# A\n## Fix\n```sh\n# not a heading\n```\n## Fix\n"
    assert anchors(text) == {"a", "fix", "fix-1"}


def test_a_section_ends_at_the_next_heading_of_its_level_not_at_a_comment_in_code() -> None:
    text = "## One\n```dockerfile\n# syntax=x\n```\n### Sub\nbody\n## Two\nnot here\n"
    assert section(text, "## One") == "```dockerfile\n# syntax=x\n```\n### Sub\nbody\n"


def test_a_missing_file_or_heading_is_reported() -> None:
    readme = ROOT / "README.md"
    assert check_local_target(readme, "docs/checks.md#pyenvsameasbasepython") is None
    assert check_local_target(readme, "docs/checks.md#no-such-rule") == "docs/checks.md has no heading with the anchor #no-such-rule"
    assert check_local_target(readme, "docs/no-such-page.md") == "docs/no-such-page.md does not exist"


def test_every_docs_page_is_listed_in_both_indexes() -> None:
    """A new page under docs/ is found from the README's table and from docs/README.md."""
    pages = {p.name for p in (ROOT / "docs").glob("*.md")} - {"README.md", "benchmarks.md"}
    readme = section((ROOT / "README.md").read_text(), "## Documentation")
    index = (ROOT / "docs" / "README.md").read_text()
    assert {name for name in pages if f"(docs/{name})" not in readme} == set()
    assert {name for name in pages if f"({name})" not in index} == set()
