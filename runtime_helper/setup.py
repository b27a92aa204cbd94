"""The package's version, from the one place the repository writes it: ../VERSION.

The rest of the metadata is in pyproject.toml (``dynamic = ["version"]``).  An sdist does not
hold ../VERSION, which is outside this directory; it holds PKG-INFO, written from it when the
sdist was made, so a build from an unpacked sdist takes the version from there.
"""
from email.parser import HeaderParser
from pathlib import Path

from setuptools import setup

HERE = Path(__file__).resolve().parent


def read_version() -> str:
    pkg_info = HERE / "PKG-INFO"
    if pkg_info.is_file():  # building from an sdist
        version = HeaderParser().parsestr(pkg_info.read_text(encoding="utf-8")).get("Version", "")
        source = pkg_info
    else:  # building from the repository
        source = HERE.parent / "VERSION"
        version = source.read_text(encoding="utf-8").strip() if source.is_file() else ""
    if not version:
        raise SystemExit(f"no version: {source} is missing or empty")
    return version


setup(version=read_version())
