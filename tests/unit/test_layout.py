"""The image layout is defined once, in ``astro_pyenv_frontend.layout``; these tests hold every
other spelling of it to that module.

Python modules import ``layout`` and the templates get it in their render context, so neither
spells one of its paths.  What cannot import it (the shell scripts, ``Dockerfile.frontend``, the
benchmark's hand-written Dockerfiles, the CI and interpreter-image scripts) writes the paths as
literals: each literal must be a path ``layout`` defines, the files that write any are listed
here (a new ROOT fails them all, by name), and what a script builds a path from is checked
against the layout.  The runtime helper (stdlib-only, no frontend import) keeps its own copy of
VENV_ROOT and of the variable rule: tests/unit/runtime_helper/test_pyenv_resolve.py and
tests/unit/test_environment_variables.py tie those; one more tie is at the end here.

The compile scripts (``prebuilt.COMPILE_SCRIPTS``) are the prebuilt interpreters' recipe: their
bytes are left alone and tied here, not rewritten.
"""

from __future__ import annotations

import posixpath
import re
import subprocess
from pathlib import Path

import pytest

from astro_pyenv import list_environments, resolve
from astro_pyenv_frontend import layout
from astro_pyenv_frontend.gateway import dockerfile as gateway_dockerfile

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "frontend/src/astro_pyenv_frontend/scripts"

# The files that cannot import layout and spell paths under layout.ROOT.
SPELLING_FILES = (
    "Dockerfile.frontend",
    ".ci/build-frontend-image.sh",
    "interpreters/build.sh",
    "benchmarks/baseline/Dockerfile",
    "benchmarks/floor/Dockerfile",
    "benchmarks/floor/python-slim.Dockerfile",
    "frontend/src/astro_pyenv_frontend/scripts/build-python.sh",
    "frontend/src/astro_pyenv_frontend/scripts/fit-interpreter.sh",
    "frontend/src/astro_pyenv_frontend/scripts/make-venv.sh",
)
# Its one copy in the runtime helper (tied in test_pyenv_resolve.py), and layout itself.
HOLDERS = ("frontend/src/astro_pyenv_frontend/layout.py", "runtime_helper/src/astro_pyenv/resolve.py")

# Every path layout defines under ROOT; below these, any name (a version, an environment, pyenv's
# and the frontend venv's own files, one of our scripts).
LAYOUT_PATHS = frozenset(
    value for name, value in vars(layout).items() if name.isupper() and isinstance(value, str) and value.startswith(layout.ROOT)
)
TREES = (
    layout.PYTHON_ROOT, layout.VENV_ROOT, layout.TOOLS_PYENV, layout.TOOLS_SCRIPTS, layout.TOOLS_UV, layout.FRONTEND_VENV
)
# The paths outside ROOT that a generated step is given (templates take them from layout).
MOUNT_PATHS = (
    layout.MOUNTED_TOOLS,
    layout.BUILD_PYTHON_MOUNT,
    layout.SOURCES_CACHE_MOUNT,
    layout.REQUIREMENTS_MOUNT,
    layout.SECRETS_DIGEST_MOUNT,
    layout.PIP_CACHE_MOUNT,
    layout.PIP_CACHE_SEED_DIR,
)
_LITERAL = re.compile(re.escape(layout.ROOT) + r"[^\s\"'`;:,|)]*")


def _shipped_files() -> list[str]:
    """The repository's files but tests, docs and prose (Markdown), which show paths to people."""
    listed = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        name
        for name in listed
        if not name.startswith(("tests/", "docs/")) and not name.endswith(".md") and (ROOT / name).is_file()
    ]


def _text(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8", errors="replace")


def _rel(path: str) -> str:
    return posixpath.relpath(path, layout.ROOT)


def _is_layout_path(literal: str) -> bool:
    path = literal.rstrip("./") or "/"
    if path in LAYOUT_PATHS:
        return True
    if path.startswith(layout.TOOLS_SCRIPTS + "/"):
        return (SCRIPTS / path[len(layout.TOOLS_SCRIPTS) + 1 :]).is_file()
    return any(path.startswith(tree + "/") for tree in TREES)


def test_python_modules_and_templates_spell_no_layout_path() -> None:
    spelled = sorted(
        f"{name}: {path}"
        for name in _shipped_files()
        if name.endswith((".py", ".j2")) and name not in HOLDERS
        for path in (layout.ROOT, *MOUNT_PATHS)
        if path in _text(name)
    )
    assert spelled == [], "import astro_pyenv_frontend.layout (templates: {{ layout.NAME }}) instead"


def test_the_helper_spells_only_its_venv_root() -> None:
    text = _text(HOLDERS[1])
    assert _LITERAL.findall(text) == [layout.VENV_ROOT]
    assert f'IMAGE_VENVS = "{layout.VENV_ROOT}"' in text


def test_the_files_that_spell_layout_paths_are_those_listed_here() -> None:
    spelling = {name for name in _shipped_files() if layout.ROOT in _text(name)}
    assert sorted(spelling - set(HOLDERS)) == sorted(SPELLING_FILES)


@pytest.mark.parametrize("name", SPELLING_FILES)
def test_every_path_a_file_spells_is_one_layout_defines(name: str) -> None:
    literals = _LITERAL.findall(_text(name))
    assert literals, f"{name} spells no path under {layout.ROOT}: is it still listed rightly?"
    assert [p for p in literals if not _is_layout_path(p)] == []


def test_the_tools_sit_where_the_recipe_and_the_mounts_expect_them() -> None:
    # prebuilt.recipe_digest hashes the files under these names of the tools root (layout.ROOT in
    # the frontend image): renaming them changes every recipe.
    assert (_rel(layout.TOOLS_PYENV), _rel(layout.TOOLS_SCRIPTS)) == ("pyenv", "scripts")
    # build-python.sh finds pyenv in the directory above its own, make-venv.sh uv.
    assert posixpath.dirname(layout.PYENV_MOUNT) == posixpath.dirname(layout.SCRIPTS_MOUNT) == layout.MOUNTED_TOOLS
    assert posixpath.dirname(layout.UV_MOUNT) == layout.MOUNTED_TOOLS
    assert gateway_dockerfile.DEFAULT_PYENV_ROOT == layout.TOOLS_PYENV


def test_the_compile_script_builds_the_layout() -> None:
    text = (SCRIPTS / "build-python.sh").read_text()
    python, bin_dir, venvs = _rel(layout.PYTHON_ROOT), _rel(layout.BIN_DIR), _rel(layout.VENV_ROOT)
    assert posixpath.dirname(layout.BIN_DIR) == layout.ROOT  # the python3.X links are relative: ../python/
    for line in (
        f"root={layout.ROOT}\n",
        f'prefix="$root/{python}/$version"\n',
        f'mkdir -p "$root/{bin_dir}"\n',
        f'ln -sf "../{python}/$version/bin/python$series" "$root/{bin_dir}/python$series"\n',
        f'install -d -m 1777 "$root/{venvs}"\n',
        f"sources_cache={layout.SOURCES_CACHE_MOUNT}\n",
        f"build_python={layout.BUILD_PYTHON_MOUNT} ",
        f'"$tools/{posixpath.basename(layout.PYENV_MOUNT)}/plugins/python-build/bin/python-build"',
    ):
        assert line in text
    # what interpreter_python names: $prefix/bin/python$series
    assert layout.interpreter_python("3.13.5t") == f"{layout.interpreter_dir('3.13.5t')}/bin/python3.13t"


def test_the_venv_script_hands_off_where_the_final_stage_copies_from() -> None:
    text = (SCRIPTS / "make-venv.sh").read_text()
    assert posixpath.dirname(layout.VENV_HANDOFF_DIR) == layout.VENV_ROOT
    for line in (
        f"venvs={layout.VENV_ROOT}\n",
        f'out="$venvs/{posixpath.basename(layout.VENV_HANDOFF_DIR)}"\n',
        f"cache_mount={layout.PIP_CACHE_MOUNT}\n",
        'scripts="$(dirname "$0")"\n',
        '. "$scripts/settings.sh"\n',  # beside it in layout.SCRIPTS_MOUNT
        f'uv="$scripts/../{posixpath.basename(layout.UV_MOUNT)}/uv"\n',  # the binary in layout.UV_MOUNT
    ):
        assert line in text


def test_the_fit_script_finds_the_interpreter_where_layout_puts_it() -> None:
    text = (SCRIPTS / "fit-interpreter.sh").read_text()
    assert f'prefix="${{2:-{layout.PYTHON_ROOT}/$version}}"\n' in text
    assert f"grep -v '^{layout.ROOT}/'" in text


def test_the_frontend_image_holds_what_layout_names() -> None:
    text = _text("Dockerfile.frontend")
    assert layout.PREBUILT_CATALOG == f"{layout.PREBUILT_DIR}/catalog.json"  # the file it copies
    for line in (
        f"COPY --from=builder {layout.FRONTEND_VENV} {layout.FRONTEND_VENV}\n",
        f"COPY --from=pyenv-trimmed {layout.TOOLS_PYENV} {layout.TOOLS_PYENV}\n",
        f"COPY --from=uv-download {layout.TOOLS_UV} {layout.TOOLS_UV}\n",
        f"COPY --chmod=0755 frontend/src/astro_pyenv_frontend/scripts/ {layout.TOOLS_SCRIPTS}/\n",
        f"ENV ASTRO_PYENV_ROOT={layout.TOOLS_PYENV}\n",
        f"COPY LICENSE {layout.LICENSE_FILE}\n",
        f"-m astro_pyenv_frontend.prebuilt {layout.ROOT} \\\n        >{layout.PREBUILT_RECIPE};",
        f'>{layout.PREBUILT_PYENV_COMMIT}\n',
        f"COPY --from=prebuilt-catalog /catalog.jso[n] {layout.PREBUILT_DIR}/\n",
        f'ENTRYPOINT ["{layout.FRONTEND_VENV}/bin/python", "-I", "-m", "astro_pyenv_frontend"]',
    ):
        assert line in text


def test_the_helper_names_an_environment_by_the_venv_directory_layout_gives_it() -> None:
    python = layout.venv_python("my-env")
    assert resolve.image_python("my-env") == python
    assert list_environments({layout.environment_variable("my-env"): python}) == {"my-env": python}
