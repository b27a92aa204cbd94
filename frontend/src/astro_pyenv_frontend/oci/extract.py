"""Write the files of image layers under a directory, refusing anything unsafe.

Only entries under one directory of the image (``opt/astro-pyenv/python/3.13.5/``) are written,
each under ``target`` at the same relative path.  Refused (:class:`ExtractError`, nothing more
is written): a name that is absolute or holds ``..``; a symbolic link that is absolute or points
outside the extracted directory; a hard link to an entry outside it; device files and FIFOs; a
write through a directory that is a link.  Modes keep their permission bits, never set-user-id,
set-group-id or sticky; owners are not set (the files belong to whoever runs this).  Whiteouts
of later layers remove what earlier ones wrote, as an image's layers stack.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import tarfile
from pathlib import Path
from typing import BinaryIO

from .errors import ExtractError

__all__ = ["extract_layer"]

_WHITEOUT = ".wh."
_OPAQUE = ".wh..wh..opq"


def extract_layer(layer: BinaryIO, media_type: str, *, source: str, target: Path) -> int:
    """Write the entries of ``layer`` under ``source`` (a directory path in the image, no leading
    ``/``) to ``target``; return how many were written."""
    if "zstd" in media_type:
        raise ExtractError(f"a layer is compressed with zstd ({media_type}), which this tool cannot read")
    prefix = source.strip("/") + "/"
    root = Path(os.path.realpath(target))
    root.mkdir(parents=True, exist_ok=True)
    written = 0
    try:
        with tarfile.open(fileobj=layer, mode="r:*") as archive:
            for member in archive:
                rel = _relative(member.name, prefix)
                if rel is None:
                    continue
                _write(archive, member, rel, root, prefix)
                written += 1
    except tarfile.TarError as err:
        raise ExtractError(f"a layer is not a readable tar archive: {err}") from None
    return written


def _relative(name: str, prefix: str) -> str | None:
    """``name``'s path below ``prefix`` ("" for ``prefix`` itself), or None when outside it."""
    if name.startswith("/") or ".." in name.split("/"):
        raise ExtractError(f"a layer entry is named {name!r}: absolute or with '..'")
    clean = posixpath.normpath(name.removeprefix("./")) if name not in ("", ".", "./") else ""
    if clean + "/" == prefix:
        return ""
    return clean[len(prefix) :] if clean.startswith(prefix) else None


def _write(archive: tarfile.TarFile, member: tarfile.TarInfo, rel: str, root: Path, prefix: str) -> None:
    base = posixpath.basename(rel)
    if base.startswith(_WHITEOUT):
        _whiteout(root, rel, base)
        return
    mode = member.mode & 0o777
    if not rel:  # the directory itself
        if not member.isdir():
            raise ExtractError(f"{member.name} is not a directory")
        root.chmod(mode | 0o700)
        return
    path = root / rel
    _check_parent(path, root, member.name)
    if member.isdir():
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            _remove(path)
        path.mkdir(exist_ok=True)
        path.chmod(mode | 0o700)
    elif member.isreg():
        _remove(path)
        source = archive.extractfile(member)
        assert source is not None
        with source, open(path, "xb") as out:
            shutil.copyfileobj(source, out)
        path.chmod(mode)
    elif member.issym():
        target = member.linkname
        resolved = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
        if target.startswith("/") or resolved == ".." or resolved.startswith("../"):
            raise ExtractError(f"{member.name} links to {target!r}, outside {prefix}")
        _remove(path)
        os.symlink(target, path)
    elif member.islnk():
        linked = _relative(member.linkname, prefix)
        if not linked:
            raise ExtractError(f"{member.name} is a hard link to {member.linkname!r}, outside {prefix}")
        _remove(path)
        os.link(root / linked, path, follow_symlinks=False)
    else:
        kind = "a device" if member.ischr() or member.isblk() else "a FIFO" if member.isfifo() else "not a file"
        raise ExtractError(f"{member.name} is {kind}; an interpreter image holds files, directories and links")


def _check_parent(path: Path, root: Path, name: str) -> None:
    """Refuse a write whose directory is, or goes through, a link out of ``root``; make the
    directories a layer lists no entry for."""
    existing = path.parent
    while not os.path.lexists(existing):
        existing = existing.parent
    real = os.path.realpath(existing)
    if real != str(root) and not real.startswith(str(root) + os.sep):
        raise ExtractError(f"{name} would be written through a link, outside the extracted directory")
    if not os.path.isdir(real):
        raise ExtractError(f"{name}: a file of the layer stands where its directory should be")
    path.parent.mkdir(parents=True, exist_ok=True)


def _whiteout(root: Path, rel: str, base: str) -> None:
    directory = root / posixpath.dirname(rel)
    _check_parent(directory / "x", root, rel)
    if base == _OPAQUE:
        for child in directory.iterdir() if directory.is_dir() else ():
            _remove(child)
    else:
        _remove(directory / base[len(_WHITEOUT) :])


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)
