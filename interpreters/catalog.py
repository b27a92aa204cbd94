"""JSON work for interpreters/build.sh: the base's OS key, whether a pushed index can be reused,
and merging one entry into the catalog.  Runs with the project venv's Python, so the catalog it
writes is checked by the very parser the frontend uses (astro_pyenv_frontend.prebuilt).

    catalog.py os-key                    < os-release       prints debian-11 (exit 1 without)
    catalog.py reusable INSPECT.json --recipe R --build B --platforms P[,P]
                                         exit 0 and print the index digest when the index
                                         (`imagetools inspect --format '{{json .}}'`) holds every
                                         platform with labels recipe=R and build=B; else exit 1
                                         and print why
    catalog.py release-versions          prints the versions a release builds: the newest final
                                         release the bundled pyenv knows of every series in
                                         RELEASE_SERIES, one per line
    catalog.py platforms INSPECT.json    prints the index's platforms, comma-separated (what a
                                         reused index holds, which may be more than was asked)
    catalog.py entries CATALOG           prints one line per entry, fields split by \x1f (unit
                                         separator; a field may be empty): version, libc, os,
                                         platforms, recipe, build, tag, digest (`make release`
                                         copies them)
    catalog.py merge CATALOG --repository ... --version ... --libc 'glibc X.Y' --os ...
                  --platforms P[,P] --recipe ... --build ... --tag ... --digest ...
                                         adds the entry, replacing one of the same version, C
                                         library, recipe and build, and dropping those of other
                                         recipes; creates the file if missing
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from astro_pyenv_frontend.interpreter_image import LABEL_PREFIX
from astro_pyenv_frontend.prebuilt import CatalogError, os_key, parse_catalog
from astro_pyenv_frontend.versions import load_bundled_versions, resolve_version

# The CPython series upstream still maintains (3.9 to 3.14) and the free-threaded builds: what a
# release's catalog holds, each at its newest patch release.
RELEASE_SERIES = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14", "3.13t", "3.14t")


def release_versions() -> list[str]:
    known = load_bundled_versions()
    return [resolve_version(series, known) for series in RELEASE_SERIES]


def _platform(raw: dict[str, Any]) -> str:
    parts = [raw.get("os", ""), raw.get("architecture", "")]
    if raw.get("variant"):
        parts.append(raw["variant"])
    return "/".join(parts)


def _same_platform(a: str, b: str) -> bool:
    # linux/arm64 and linux/arm64/v8 name one platform.
    def norm(p: str) -> str:
        return p[: -len("/v8")] if p.startswith("linux/arm64/") and p.endswith("/v8") else p

    return norm(a) == norm(b)


def index_platforms(inspect: dict[str, Any]) -> list[str]:
    """The platforms of an index, named as the catalog names them (``linux/arm64``)."""
    entries = (inspect.get("manifest") or {}).get("manifests") or []
    named = [_platform(m.get("platform") or {}) for m in entries]
    return [p[: -len("/v8")] if p.startswith("linux/arm64/") and p.endswith("/v8") else p for p in named]


def reusable(inspect: dict[str, Any], recipe: str, build: str, platforms: list[str]) -> tuple[bool, str]:
    manifest = inspect.get("manifest") or {}
    entries = manifest.get("manifests")
    if not isinstance(entries, list):
        return False, "the tag is not a multi-platform index"
    have = [_platform(m.get("platform") or {}) for m in entries]
    missing = [p for p in platforms if not any(_same_platform(p, h) for h in have)]
    if missing:
        return False, f"the index lacks {', '.join(missing)} (has {', '.join(have)})"
    images = inspect.get("image") or {}
    # One platform: the config itself; several: platform -> config.
    configs = {have[0]: images} if "config" in images else images
    for platform, config in configs.items():
        labels = (config.get("config") or {}).get("Labels") or {}
        for name, wanted in (("recipe", recipe), ("build", build)):
            found = labels.get(LABEL_PREFIX + name)
            if found != wanted:
                return False, f"{platform}: label {name} is {found!r}, not {wanted!r}"
    return True, str(manifest["digest"])


def merge(path: Path, repository: str, entry: dict[str, Any]) -> None:
    if path.exists():
        data = json.loads(path.read_text(encoding="utf-8"))
        parse_catalog(path.read_text(encoding="utf-8"))  # refuse to extend a broken file
    else:
        data = {"repository": repository, "interpreters": []}
    if data.get("repository") not in ("", repository):
        print(f"catalog.py: {path}: repository {data['repository']} replaced by {repository}", file=sys.stderr)
    data["repository"] = repository
    def key(e: dict[str, Any]) -> tuple[str, str, str, str]:
        return (e["version"], e.get("libc", ""), e["recipe"], e.get("build", ""))

    # Entries of another recipe go: the frontend image this catalog is baked into uses only its own.
    kept = [e for e in data.get("interpreters") or [] if e.get("recipe") == entry["recipe"] and key(e) != key(entry)]
    kept.append(entry)
    kept.sort(key=key)
    data["interpreters"] = kept
    text = json.dumps(data, indent=2) + "\n"
    parse_catalog(text)  # what the frontend will read
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="catalog.py")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("os-key")
    sub.add_parser("release-versions")
    p_reuse = sub.add_parser("reusable")
    p_reuse.add_argument("inspect")
    p_reuse.add_argument("--recipe", required=True)
    p_reuse.add_argument("--build", required=True)
    p_reuse.add_argument("--platforms", required=True)
    p_platforms = sub.add_parser("platforms")
    p_platforms.add_argument("inspect")
    p_entries = sub.add_parser("entries")
    p_entries.add_argument("catalog", type=Path)
    p_merge = sub.add_parser("merge")
    p_merge.add_argument("catalog", type=Path)
    for name in ("repository", "version", "libc", "os", "platforms", "recipe", "build", "tag", "digest"):
        p_merge.add_argument(f"--{name}", required=True)
    args = parser.parse_args(argv)

    if args.command == "os-key":
        key = os_key(sys.stdin.read())
        if key is None:
            print("no ID and VERSION_ID in /etc/os-release", file=sys.stderr)
            return 1
        print(key)
        return 0
    if args.command == "release-versions":
        print("\n".join(release_versions()))
        return 0
    if args.command == "reusable":
        inspect = json.loads(Path(args.inspect).read_text(encoding="utf-8"))
        ok, said = reusable(inspect, args.recipe, args.build, args.platforms.split(","))
        print(said)
        return 0 if ok else 1
    if args.command == "entries":
        for e in parse_catalog(args.catalog.read_text(encoding="utf-8")).entries:
            fields = (e.version, str(e.libc), e.os, ",".join(e.platforms), e.recipe, e.build, e.tag, e.digest)
            print("\x1f".join(fields))
        return 0
    if args.command == "platforms":
        print(",".join(index_platforms(json.loads(Path(args.inspect).read_text(encoding="utf-8")))))
        return 0
    entry = {
        "version": args.version,
        "libc": args.libc,
        "os": args.os,
        "platforms": args.platforms.split(","),
        "recipe": args.recipe,
        "build": args.build,
        "tag": args.tag,
        "digest": args.digest,
    }
    try:
        merge(args.catalog, args.repository, entry)
    except CatalogError as err:
        hint = "a catalog of an older recipe? remove it and build again"
        print(f"catalog.py: {args.catalog}: {err} ({hint})", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
