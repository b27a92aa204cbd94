"""One CPython on this machine, as a build would get it.

A prebuilt image of the catalog, chosen as for a base with this machine's glibc and platform
(:func:`.prebuilt.choose`), is fetched over the registry's HTTP API (every manifest and blob
checked against its digest), only its ``opt/astro-pyenv/python/<version>/`` extracted
(:mod:`..oci.extract`), then fitted to this machine by scripts/fit-interpreter.sh, as a build
fits it to its base.  It is made beside its final place and moved there whole.

Where no image fits (another C library, platform or version, prebuilt off), nothing is compiled
here: python-build needs the frontend image's pyenv and a compiler toolchain, and ``uv python
install`` needs GitHub; the user installs that CPython as they like and names it (``--python
VERSION=PATH``), which is checked to be that version.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .. import prebuilt
from ..host import host_libc, host_platform
from ..layout import PYTHON_ROOT, interpreter_python
from ..oci import RegistryError
from ..oci.client import RegistryClient
from ..oci.extract import extract_layer
from ..oci.reference import parse_reference
from .errors import HostError

__all__ = ["Interpreter", "choose_interpreter", "install", "interpreter_version", "python_in"]


@dataclass(frozen=True)
class Interpreter:
    """Where CPython ``version`` comes from: ``image`` (``repo:tag@digest``) or ``python`` (a path
    the user named); ``key`` says it in one string, for the state file."""

    version: str
    reason: str
    image: str | None = None
    python: Path | None = None

    @property
    def key(self) -> str:
        """The image's digest (a mirror serves the same bytes), or the path named."""
        return f"image {self.image.rsplit('@', 1)[-1]}" if self.image else f"python {self.python}"


def python_in(prefix: Path, version: str) -> Path:
    """``<prefix>/bin/python3.X``: where an interpreter directory keeps its ``python``."""
    return prefix / Path(interpreter_python(version)).relative_to(f"{PYTHON_ROOT}/{version}")


def choose_interpreter(
    version: str,
    line: int,
    offer: prebuilt.Offer | None,
    *,
    named: Path | None,
    repository_setting: str | None,
    custom_build: tuple[str, ...],
) -> Interpreter:
    """The image for this machine, or the interpreter the user named; else a :class:`HostError`."""
    if named is not None:
        found = interpreter_version(named)
        if found != version:
            raise HostError(f"--python {version}={named} runs CPython {found or '(not a Python)'}, not {version}", line)
        return Interpreter(version, f"CPython {version}: {named} (--python)", python=named)
    catalog = offer.catalog if offer is not None else None
    platform = host_platform()
    choice = prebuilt.choose(
        catalog,
        version=version,
        libc=host_libc(),
        platforms=[platform],
        recipe=offer.recipe if offer is not None else None,
        repository_setting=repository_setting,
        custom_build=custom_build,
        check_recipe=offer is not None and offer.recipe is not None,
    )
    if choice.image is not None:
        return Interpreter(version, choice.reason.replace(f"({platform})", f"({platform}, this machine)"), choice.image)
    why = choice.reason.split(": ", 1)[1].replace("the base image's", "this machine's")
    why = why.replace("the base ", "this machine ")
    if catalog is None and repository_setting is not None and offer is not None:
        why = offer.problem
    raise HostError(
        f"CPython {version}: no prebuilt interpreter for this machine ({why}), and nothing is compiled here."
        f" Install CPython {version} (pyenv install {version}; uv python install {version} where GitHub is"
        f" reachable) and name it: --python {version}=/path/to/python",
        line,
    )


def interpreter_version(python: Path) -> str | None:
    """What ``python`` says it is: ``3.13.5``, ``3.13.5t`` when free-threaded; None if it does not run."""
    code = (
        "import platform, sysconfig; "
        "print(platform.python_version() + ('t' if sysconfig.get_config_var('Py_GIL_DISABLED') else ''))"
    )
    try:
        done = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, timeout=60)
    except OSError:
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def install(interpreter: Interpreter, line: int, target: Path, client: RegistryClient) -> str:
    """Fetch ``interpreter``'s image into ``target`` (replacing it) and fit it; say what was done."""
    assert interpreter.image is not None
    version = interpreter.version
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=target.parent))
    try:
        fetched = _fetch(interpreter.image, version, staging, client)
        if not python_in(staging, version).is_file():
            missing = python_in(Path(), version)
            raise HostError(f"CPython {version}: the image {interpreter.image} holds no {missing}", line)
        fitted = _fit(version, staging)
        if fitted.returncode != 0:
            raise HostError(f"CPython {version} does not run on this machine: {fitted.stderr.strip()[-2000:]}", line)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    except RegistryError as err:
        raise HostError(f"CPython {version}: {err}", line) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return f"fetched {fetched / 1e6:.1f} MB; " + "; ".join(_our_lines(fitted.stderr))


def _our_lines(output: str) -> list[str]:
    return [line.removeprefix("astro-pyenv: ") for line in output.splitlines() if line.startswith("astro-pyenv:")]


def _fetch(image: str, version: str, target: Path, client: RegistryClient) -> int:
    """Extract the interpreter directory of ``image`` for this platform; return the bytes fetched."""
    ref = parse_reference(image)
    manifest = client.image_manifest(ref, host_platform())
    total = 0
    for layer in manifest.layers():
        with tempfile.TemporaryFile(dir=target.parent) as blob:
            client.blob(ref, layer, blob)
            blob.seek(0)
            extract_layer(blob, layer.media_type, source=f"{PYTHON_ROOT.lstrip('/')}/{version}", target=target)
        total += layer.size
    return total


def _fit(version: str, prefix: Path) -> subprocess.CompletedProcess[str]:
    script = resources.files("astro_pyenv_frontend") / "scripts" / "fit-interpreter.sh"
    with resources.as_file(script) as path:
        return subprocess.run(["/bin/sh", str(path), version, str(prefix)], capture_output=True, text=True)
