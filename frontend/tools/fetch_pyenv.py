"""Fetch pyenv's source archive for a pinned commit and verify it by git's own tree id.

Usage (Dockerfile.frontend's ``pyenv-download`` stage)::

    python3 fetch_pyenv.py --url URL --tree TREE_ID [--ca FILE] DEST

The pin is the commit.  Its archive (``https://github.com/pyenv/pyenv/archive/<commit>.tar.gz``)
is made by ``git archive`` on the server, and the bytes of that tarball (compression, headers) are
not promised to stay the same, so no checksum of the file can be written down in advance, and
none can be computed offline.  What a commit does fix is its tree: ``TREE_ID`` is
``git rev-parse <commit>^{tree}``, which any clone gives offline.  This script recomputes the tree
id from the files in the archive (git's blob and tree hashing: each file's bytes and whether it is
executable, each symlink's target, the names) and extracts nothing unless it is that id.

Standard library only: it runs in the frontend image's Python base, before anything is installed.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import os
import ssl
import sys
import tarfile
import urllib.request
from pathlib import Path, PurePosixPath

# git's modes: a tree, a file, an executable file, a symlink.
TREE, FILE, EXECUTABLE, SYMLINK = "40000", "100644", "100755", "120000"


class FetchError(Exception):
    pass


def _object_id(kind: str, body: bytes) -> bytes:
    return hashlib.sha1(f"{kind} {len(body)}\0".encode() + body).digest()


def _tree_id(entries: dict[str, tuple[str, bytes]]) -> bytes:
    """The id of a tree of ``name -> (mode, object id)``, entries in git's order (a tree's name
    compares as if it ended in ``/``)."""
    order = sorted(entries, key=lambda name: name.encode() + (b"/" if entries[name][0] == TREE else b""))
    body = b"".join(f"{entries[name][0]} {name}\0".encode() + entries[name][1] for name in order)
    return _object_id("tree", body)


def _member_path(member: tarfile.TarInfo) -> PurePosixPath | None:
    """The member's path below the archive's one top directory (None for that directory), or
    FetchError when it could escape the destination."""
    path = PurePosixPath(member.name)
    if path.is_absolute() or ".." in path.parts:
        raise FetchError(f"the archive holds an unsafe path: {member.name}")
    return PurePosixPath(*path.parts[1:]) if len(path.parts) > 1 else None


def tree_id(archive: tarfile.TarFile) -> str:
    """git's tree id of the files in ``archive``, a ``git archive`` of one commit with one top
    directory (``--prefix=<name>/``, as GitHub's archives have)."""
    root: dict[str, object] = {}
    tops = set()
    for member in archive.getmembers():
        tops.add(PurePosixPath(member.name).parts[0])
        path = _member_path(member)
        if path is None or member.isdir():
            continue
        if member.issym():
            entry = (SYMLINK, _object_id("blob", member.linkname.encode()))
        elif member.isfile():
            data = archive.extractfile(member)
            assert data is not None
            entry = (EXECUTABLE if member.mode & 0o100 else FILE, _object_id("blob", data.read()))
        else:
            raise FetchError(f"the archive holds {member.name}, which is neither a file nor a symlink")
        node = root
        for part in path.parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise FetchError(f"the archive holds {member.name} below a file")
            node = child
        node[path.parts[-1]] = entry
    if len(tops) != 1:
        raise FetchError(f"the archive has {len(tops)} top directories, not the one git archive makes")
    return _hash_tree(root).hex()


def _hash_tree(node: dict[str, object]) -> bytes:
    entries: dict[str, tuple[str, bytes]] = {}
    for name, child in node.items():
        if isinstance(child, dict):
            entries[name] = (TREE, _hash_tree(child))
        else:
            assert isinstance(child, tuple)
            entries[name] = child
    return _tree_id(entries)


def extract(archive: tarfile.TarFile, dest: Path) -> None:
    """Write the archive's files below its top directory into ``dest``, modes as the archive says
    (the tree was verified, so every member is pyenv's own)."""
    for member in archive.getmembers():
        path = _member_path(member)
        if path is None:
            continue
        target = dest / path
        if member.isdir():
            target.mkdir(parents=True, exist_ok=True)
        elif member.issym():
            target.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(member.linkname, target)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            data = archive.extractfile(member)
            assert data is not None
            target.write_bytes(data.read())
        if not member.issym():
            os.chmod(target, member.mode & 0o777)


def download(url: str, ca_file: str | None) -> bytes:
    context = ssl.create_default_context(cafile=ca_file) if ca_file else None
    request = urllib.request.Request(url, headers={"User-Agent": "astro-pyenv-frontend-build"})
    with urllib.request.urlopen(request, timeout=120, context=context) as answer:  # noqa: S310 (https or a local mirror)
        body: bytes = answer.read()
    return body


def open_archive(body: bytes) -> tarfile.TarFile:
    raw = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
    return tarfile.open(fileobj=io.BytesIO(raw), mode="r:")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True, help="the archive (.tar.gz or .tar) of the pinned commit")
    parser.add_argument("--tree", required=True, help="git rev-parse <commit>^{tree}: 40 hex digits")
    parser.add_argument("--ca", help="a CA bundle for the download (used when the file is not empty)")
    parser.add_argument("dest", type=Path, help="an empty or missing directory for pyenv's files")
    args = parser.parse_args(argv)
    ca = args.ca if args.ca and os.path.isfile(args.ca) and os.path.getsize(args.ca) > 0 else None
    try:
        if len(args.tree) != 40 or any(c not in "0123456789abcdef" for c in args.tree):
            raise FetchError(f"--tree must be a git tree id (40 hex digits), got {args.tree!r}")
        try:
            body = download(args.url, ca)
            archive = open_archive(body)
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise FetchError(f"{args.url}: {exc}") from exc
        with archive:
            got = tree_id(archive)
            if got != args.tree:
                raise FetchError(
                    f"{args.url} holds the tree {got}, not {args.tree}: not the pinned commit's files. "
                    "For another commit, pass its tree too: --build-arg PYENV_TREE=$(git rev-parse <commit>^{tree})"
                )
            args.dest.mkdir(parents=True, exist_ok=True)
            extract(archive, args.dest)
    except FetchError as exc:
        print(f"fetch_pyenv: {exc}", file=sys.stderr)
        return 1
    print(f"fetch_pyenv: {args.url}: tree {got} verified", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
