from __future__ import annotations

import pytest

from astro_pyenv.versions import public_version, same_release


@pytest.mark.parametrize(
    "host, target, expected",
    [
        ("2.7.2+astro.3", "2.7.2", True),
        ("2.7.2", "2.7.2+astro.3", True),
        ("3.0.1+astro.1", "3.0.1+astro.2", True),
        ("2.7.2", "2.7.2\n", True),
        ("2.7.2+astro.3", "2.7.3", False),
        ("2.7.2", "2.7.20", False),
        ("3.0.0", "2.10.5", False),
        ("", "", False),
    ],
)
def test_same_release_ignores_only_the_local_label(host: str, target: str, expected: bool) -> None:
    assert same_release(host, target) is expected


def test_public_version() -> None:
    assert public_version(" 2.7.2+astro.3 ") == "2.7.2"
    assert public_version("2.7.2") == "2.7.2"
