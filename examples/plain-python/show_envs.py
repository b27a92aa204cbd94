"""Print which Python the image's own python3 and each PYENV environment run.

Every `PYENV <version> <name>` line sets ASTRO_PYENV_<name> to its venv's interpreter; this
script needs nothing but the standard library. Exits 1 when an environment does not run.
"""

import os
import re
import subprocess
import sys

PROBE = "import sys; print(sys.version.split()[0], sys.executable)"
# ASTRO_PYENV_ names in capitals are astro-pyenv's settings (ASTRO_PYENV_PIP_VERSION, ...), never
# environments: the same rule as the runtime helper's (astro_pyenv.resolve.SETTING_SUFFIX).
SETTING_SUFFIX = re.compile(r"[A-Z][A-Z0-9_]*\Z")


def main() -> int:
    print(f"base python3: {sys.version.split()[0]} at {sys.executable}")
    suffixes = (key[len("ASTRO_PYENV_"):] for key in os.environ if key.startswith("ASTRO_PYENV_"))
    names = sorted(name for name in suffixes if name and not SETTING_SUFFIX.match(name))
    if not names:
        print("no ASTRO_PYENV_<name> variables: the image has no PYENV environments")
        return 1
    failed = 0
    for name in names:
        python = os.environ[f"ASTRO_PYENV_{name}"]
        done = subprocess.run([python, "-c", PROBE], capture_output=True, text=True)
        if done.returncode != 0:
            print(f"PYENV-CHECK env={name} FAILED: {done.stderr.strip()}")
            failed = 1
            continue
        version, executable = done.stdout.split()
        print(f"PYENV-CHECK env={name} python={version} executable={executable}")
    legacy = os.environ.get("ASTRO_PYENV_legacy")
    if legacy:
        done = subprocess.run([legacy, "-c", "import six; print(six.__version__)"], capture_output=True, text=True)
        print(f"legacy has six {done.stdout.strip() or 'MISSING'}")
        failed |= done.returncode != 0
    return failed


if __name__ == "__main__":
    sys.exit(main())
