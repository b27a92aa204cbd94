"""Podman and Buildah for tests/e2e/test_podman.py: real programs, our own storage.

Every call gets ``--root``/``--runroot`` under ``$ASTRO_PYENV_CI_CACHE/containers`` (overlay,
as root), so the machine's /var/lib/containers is untouched and CI keeps base layers and the
layer cache (a compiled CPython) between runs.  ``.ci/podman.sh install`` installs both.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Containers", "Result", "available"]


@dataclass(frozen=True)
class Result:
    exit_code: int
    output: str  # stdout and stderr, interleaved

    @property
    def ok(self) -> bool:
        return self.exit_code == 0

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.output.splitlines()[-lines:])


def available() -> bool:
    return shutil.which("podman") is not None and shutil.which("buildah") is not None


@dataclass(frozen=True)
class Containers:
    """podman and buildah sharing one storage (``root``) and run directory."""

    root: Path
    runroot: Path

    @classmethod
    def from_env(cls) -> Containers:
        cache = Path(os.environ.get("ASTRO_PYENV_CI_CACHE") or "/var/cache/astro-pyenv-ci")
        return cls(root=cache / "containers" / "storage", runroot=Path("/run/astro-pyenv-containers"))

    def _storage(self) -> list[str]:
        return ["--root", str(self.root), "--runroot", str(self.runroot), "--storage-driver", "overlay"]

    def podman(self, *args: str, stdin: bytes | None = None, timeout: float = 1800) -> Result:
        # --tmpdir and the file event log: podman's own state stays under runroot, no systemd needed.
        base = ["podman", *self._storage(), "--tmpdir", str(self.runroot / "libpod"), "--events-backend", "file"]
        return _run([*base, *args], stdin, timeout)

    def buildah(self, *args: str, timeout: float = 1800) -> Result:
        return _run(["buildah", *self._storage(), *args], None, timeout)

    def load_from_docker(self, docker: str, images: Sequence[str]) -> Result:
        """``docker save`` from the Docker engine, ``podman load`` here (offline stand-ins included)."""
        save = subprocess.run([docker, "save", *images], capture_output=True, check=False)
        if save.returncode != 0:
            return Result(save.returncode, save.stderr.decode(errors="replace"))
        return self.podman("load", stdin=save.stdout, timeout=600)

    def run(self, image: str, *command: str) -> Result:
        """Run ``command`` in ``image``, without network.

        The ulimits are explicit: podman raises the open-files and process limits by default,
        which needs CAP_SYS_RESOURCE, and containers on these machines run without it.
        """
        return self.podman(
            "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:1024", "--ulimit", "nproc=1024:1024",
            image, *command, timeout=300,
        )


def _run(argv: Sequence[str], stdin: bytes | None, timeout: float) -> Result:
    done = subprocess.run(
        list(argv), input=stdin, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=timeout, check=False
    )
    return Result(done.returncode, done.stdout.decode(errors="replace"))
