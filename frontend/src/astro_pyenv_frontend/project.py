"""Where the project lives on the web: its home, documentation and released image, written once.

There is no public repository yet: :data:`HOME_URL` is where it is meant to be published, and
must be set to the real home when it is.  Everything else here derives from it.  The frontend's
build-check URLs use :func:`doc_url`; the packages' metadata (``[project.urls]``), the frontend
image's labels and every link to the project in the docs are written out and checked against
this module by ``tests/unit/test_project_urls.py``.
"""

from __future__ import annotations

HOME_URL = "https://github.com/astro-pyenv/astro-pyenv"
BRANCH = "main"
_OWNER = HOME_URL.rstrip("/").split("/")[-2]

DOCS_URL = f"{HOME_URL}/tree/{BRANCH}/docs"
ISSUES_URL = f"{HOME_URL}/issues"
CHANGELOG_URL = f"{HOME_URL}/blob/{BRANCH}/CHANGELOG.md"
# Where the release workflow (.github/workflows/release.yml) pushes the image: ghcr.io/<owner>.
FRONTEND_IMAGE = f"ghcr.io/{_OWNER}/astro-pyenv-frontend"


def doc_url(page: str, anchor: str = "") -> str:
    """The web address of ``docs/<page>`` (and of a heading in it, by its GitHub anchor)."""
    url = f"{HOME_URL}/blob/{BRANCH}/docs/{page}"
    return f"{url}#{anchor}" if anchor else url


def package_urls() -> dict[str, str]:
    """``[project.urls]`` of both Python packages."""
    return {
        "Homepage": HOME_URL,
        "Documentation": DOCS_URL,
        "Source": HOME_URL,
        "Issues": ISSUES_URL,
        "Changelog": CHANGELOG_URL,
    }
