"""Importing astro_pyenv must not pull in anything outside the standard library, on 3.8 too."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rh_support import SRC, find_python

# Lists the top-level modules that were imported and are not part of the standard library.
# sys.stdlib_module_names exists from 3.10; before that, a module counts as stdlib when it is
# built in or lives under the interpreter's stdlib directory but not in site-packages.
_CHECK = r"""
import importlib, json, sys, sysconfig, os
stdlib_dirs = {os.path.realpath(sysconfig.get_paths()[k]) for k in ("stdlib", "platstdlib")}
before = set(sys.modules)
for name in sys.argv[1:]:
    importlib.import_module(name)
def is_stdlib(top):
    names = getattr(sys, "stdlib_module_names", None)
    if names is not None:
        return top in names
    if top in sys.builtin_module_names:
        return True
    mod = sys.modules.get(top)
    path = getattr(mod, "__file__", None)
    if path is None:
        return True  # frozen / namespace-less builtins
    path = os.path.realpath(path)
    return "site-packages" not in path and any(path.startswith(d + os.sep) for d in stdlib_dirs)
tops = {m.split(".")[0] for m in set(sys.modules) - before}
print(json.dumps(sorted(t for t in tops if t != "astro_pyenv" and not t.startswith("_astro") and not is_stdlib(t))))
"""

MODULES = ["astro_pyenv", "astro_pyenv.cli", "astro_pyenv.doctor",
           "astro_pyenv.provider_info", "astro_pyenv.versions"]


def _non_stdlib_imports(python: str, modules, extra_path: str = "") -> list:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(SRC) + (os.pathsep + extra_path if extra_path else "")
    out = subprocess.check_output([python, "-c", _CHECK, *modules], env=env, text=True)
    return json.loads(out)


@pytest.mark.parametrize("minor", ["3.8", "current"])
def test_package_and_cli_import_only_the_standard_library(minor: str) -> None:
    python = sys.executable if minor == "current" else str(find_python(minor))
    assert _non_stdlib_imports(python, MODULES) == []


def test_the_check_itself_detects_a_third_party_import(tmp_path: Path) -> None:
    (tmp_path / "thirdparty_probe_mod.py").write_text("X = 1\n")
    assert _non_stdlib_imports(sys.executable, ["thirdparty_probe_mod"], str(tmp_path)) == ["thirdparty_probe_mod"]
    py38 = str(find_python("3.8"))
    assert _non_stdlib_imports(py38, ["thirdparty_probe_mod"], str(tmp_path)) == ["thirdparty_probe_mod"]


def test_whole_package_compiles_and_imports_on_python38() -> None:
    py38 = str(find_python("3.8"))
    subprocess.run([py38, "-m", "compileall", "-q", str(SRC / "astro_pyenv")], check=True)
    env = dict(os.environ, PYTHONPATH=str(SRC))
    proc = subprocess.run([py38, "-m", "astro_pyenv", "list"], env=env, stdout=subprocess.PIPE, text=True)
    assert proc.returncode == 0


@pytest.mark.parametrize("module", ["astro_pyenv.operators", "astro_pyenv.decorators"])
def test_airflow_integration_without_airflow_says_what_to_install(module: str) -> None:
    # Python 3.8 from pyenv has no Airflow installed.
    py38 = str(find_python("3.8"))
    env = dict(os.environ, PYTHONPATH=str(SRC))
    code = (
        "import importlib, sys\n"
        "try:\n"
        f"    importlib.import_module({module!r})\n"
        "except ImportError as e:\n"
        "    print(type(e).__name__, e)\n"
    )
    out = subprocess.check_output([py38, "-c", code], env=env, text=True)
    assert out.startswith("AirflowNotInstalledError ")
    assert "pip install 'astro-pyenv[airflow]'" in out
