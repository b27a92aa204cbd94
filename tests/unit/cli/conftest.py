"""The CLI's tests read an empty prebuilt catalog unless they name another: the generated files
they compare are those of a frontend image without prebuilt interpreters (tests/unit/cli/
test_prebuilt_cli.py covers the catalog)."""

from __future__ import annotations

from pathlib import Path

import pytest

EMPTY_CATALOG = Path(__file__).parent / "data" / "empty-catalog.json"


@pytest.fixture(autouse=True)
def _empty_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASTRO_PYENV_PREBUILT_CATALOG", str(EMPTY_CATALOG))
