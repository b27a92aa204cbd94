"""The Makefile's targets that the docs name: each exists, and `make frontend-image` asks for an
engine alone (offline, the image's base), not the whole test harness (registry, QEMU, mirror);
tests/e2e/test_frontend_image.py runs it without those scripts."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest

from markdown_support import PAGES, ROOT, code

MAKEFILE = (ROOT / "Makefile").read_text()
TARGETS = set(re.findall(r"^([a-z][\w-]*):", MAKEFILE, re.MULTILINE))
# `make X` in the docs' code that is not ours: CPython's `make install` (python-build's settings).
NOT_OURS = {"install"}


def _documented_targets() -> list[tuple[str, str]]:
    """`make <target>` in the code of every page (commands, code spans)."""
    found = set()
    for page in PAGES:
        for snippet in code(page.read_text()):
            for target in re.findall(r"(?<![\w/.$(-])make ([a-z][\w-]*)", snippet):
                if target not in NOT_OURS:
                    found.add((page.relative_to(ROOT).as_posix(), target))
    return sorted(found)


def test_the_readme_keeps_the_two_commands_for_a_fresh_machine() -> None:
    readme = (ROOT / "README.md").read_text()
    assert re.search(r"^make example +# ", readme, re.MULTILINE)
    assert re.search(r"^make test +# ", readme, re.MULTILINE)
    assert {"example", "test"} <= TARGETS


@pytest.mark.parametrize(("page", "target"), _documented_targets())
def test_a_documented_make_target_exists(page: str, target: str) -> None:
    assert target in TARGETS, f"{page} names `make {target}`, which the Makefile lacks"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_frontend_image_prepares_only_what_the_image_build_needs() -> None:
    done = subprocess.run(["make", "-n", "-C", str(ROOT), "frontend-image"], capture_output=True, text=True, check=True)
    commands = done.stdout
    assert "bash .ci/prepare-engine.sh --frontend-image\n" in commands
    # engine-ready: registry, emulation, mirror; engine-multiarch: the stand-ins for two platforms
    assert "bash .ci/prepare-engine.sh --no-multiarch\n" not in commands
    assert "bash .ci/prepare-engine.sh\n" not in commands
    assert ".ci/build-frontend-image.sh" in commands
