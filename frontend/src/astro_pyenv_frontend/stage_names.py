"""Generated stage names that BuildKit accepts.

dockerfile.v0 checks every stage name twice: against ``^[a-z][a-z0-9-_.]*$``,
and, because a stage may be replaced by a named build context, as an image
reference (``reference.ParseNormalizedNamed``).  The second check is stricter:
separators are ``.``, ``_``, ``__`` or runs of ``-`` between letters and digits
(``a_`` or ``a_-b`` fail with "invalid context name"), and the name with
``docker.io/library/`` in front may have at most 255 characters (newer
BuildKit counts without ``docker.io/``; we keep to the stricter rule).
"""

from __future__ import annotations

import hashlib
import re

__all__ = ["MAX_STAGE_NAME", "stage_name"]

#: 255 - len("docker.io/library/")
MAX_STAGE_NAME = 237

_RUNS = re.compile(r"[a-z0-9]+|[^a-z0-9]+")
_ALNUM = re.compile(r"[a-z0-9]+")
_VALID_SEPARATOR = re.compile(r"[._]|__|-+")
_HASH_LENGTH = 8
_SEPARATORS = "._-"  # what _clean leaves besides letters and digits


def _clean(text: str) -> str:
    """Lower-case, with every separator run BuildKit's reference grammar rejects made ``-``."""
    out = []
    for run in _RUNS.findall(text.lower()):
        if _ALNUM.fullmatch(run) or _VALID_SEPARATOR.fullmatch(run):
            out.append(run)
        else:
            out.append("-")
    # Separators only between letters and digits (every other character is one of "._-";
    # str.strip, as a regex anchored at the end backtracks quadratically over a long run).
    name = "".join(out).strip(_SEPARATORS)
    if not name:
        return "x"
    return name if name[0].isalpha() else "x-" + name


def stage_name(base: str, suffix: str = "") -> str:
    """``base`` + ``suffix`` as a stage name BuildKit accepts; unchanged when it already is one.

    ``suffix`` (such as ``-2``) must itself be separators and letters/digits ending in one.
    A name that would be too long keeps its start, then a short hash of ``base`` so distinct
    long names stay distinct, then ``suffix``.
    """
    name = _clean(base)
    if len(name) + len(suffix) <= MAX_STAGE_NAME:
        return name + suffix
    digest = hashlib.sha256(base.encode("utf-8", "surrogateescape")).hexdigest()[:_HASH_LENGTH]
    keep = MAX_STAGE_NAME - len(suffix) - _HASH_LENGTH - 1
    head = name[:keep].rstrip(_SEPARATORS)
    return f"{head}-{digest}{suffix}"
