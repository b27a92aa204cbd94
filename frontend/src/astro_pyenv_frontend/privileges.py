"""Give up root before touching a build's input.

BuildKit starts a frontend image as uid 0 whatever its ``USER`` says, so the
gateway entry point drops to an unprivileged user itself, first thing: no
supplementary groups, then the group, then the user (the user last: after it,
the process may no longer change its groups).  Real, effective and saved ids
all change, so the process cannot regain root.
"""

from __future__ import annotations

import os
from typing import Any

__all__ = ["FRONTEND_GID", "FRONTEND_UID", "PrivilegeError", "drop_privileges"]

#: The ``astro-pyenv`` user and group of Dockerfile.frontend.
FRONTEND_UID = 10001
FRONTEND_GID = 10001


class PrivilegeError(Exception):
    """Running as root and unable to stop."""


def drop_privileges(uid: int = FRONTEND_UID, gid: int = FRONTEND_GID, ops: Any = os) -> bool:
    """Become ``uid``:``gid`` with no supplementary groups when running as root.

    Returns whether anything changed; raises :class:`PrivilegeError` when root
    could not be left completely.  ``ops`` is :mod:`os` (tests pass a stand-in).
    """
    if ops.getuid() != 0 and ops.geteuid() != 0:
        return False
    if uid == 0 or gid == 0:
        raise PrivilegeError("refusing to 'drop' root privileges to uid or gid 0")
    try:
        ops.setgroups([])
        ops.setgid(gid)
        ops.setuid(uid)
    except OSError as err:
        raise PrivilegeError(f"could not drop root privileges to {uid}:{gid}: {err}") from None
    if (
        set(ops.getresuid()) != {uid}
        or set(ops.getresgid()) != {gid}
        or list(ops.getgroups()) not in ([], [gid])
    ):
        raise PrivilegeError(
            f"still privileged after dropping to {uid}:{gid}: uids {ops.getresuid()}, gids {ops.getresgid()},"
            f" groups {ops.getgroups()}"
        )
    return True
