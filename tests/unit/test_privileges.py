"""The frontend leaves root before it reads anything (issue 11.4)."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass, field

import pytest

from astro_pyenv_frontend.privileges import FRONTEND_GID, FRONTEND_UID, PrivilegeError, drop_privileges


@dataclass
class FakeOs:
    """Records the calls drop_privileges makes; ids change like the kernel's would."""

    uid: int = 0
    gid: int = 0
    groups: list[int] = field(default_factory=lambda: [0, 1, 2])
    fail_on: str = ""
    calls: list[str] = field(default_factory=list)

    def getuid(self) -> int:
        return self.uid

    def geteuid(self) -> int:
        return self.uid

    def getresuid(self) -> tuple[int, int, int]:
        return (self.uid,) * 3

    def getresgid(self) -> tuple[int, int, int]:
        return (self.gid,) * 3

    def getgroups(self) -> list[int]:
        return self.groups

    def _call(self, name: str) -> None:
        self.calls.append(name)
        if name == self.fail_on:
            raise PermissionError(1, "Operation not permitted")

    def setgroups(self, groups: list[int]) -> None:
        self._call("setgroups")
        self.groups = list(groups)

    def setgid(self, gid: int) -> None:
        self._call("setgid")
        self.gid = gid

    def setuid(self, uid: int) -> None:
        self._call("setuid")
        self.uid = uid


def test_root_drops_groups_then_gid_then_uid() -> None:
    fake = FakeOs()
    assert drop_privileges(ops=fake) is True
    assert fake.calls == ["setgroups", "setgid", "setuid"]
    assert (fake.uid, fake.gid, fake.groups) == (FRONTEND_UID, FRONTEND_GID, [])


def test_non_root_changes_nothing() -> None:
    fake = FakeOs(uid=1000, gid=1000)
    assert drop_privileges(ops=fake) is False
    assert fake.calls == []


@pytest.mark.parametrize("step", ["setgroups", "setgid", "setuid"])
def test_a_failed_step_is_an_error(step: str) -> None:
    with pytest.raises(PrivilegeError, match="could not drop root privileges to 10001:10001"):
        drop_privileges(ops=FakeOs(fail_on=step))


def test_a_step_without_effect_is_an_error() -> None:
    class Stubborn(FakeOs):
        def setuid(self, uid: int) -> None:
            self._call("setuid")  # "succeeds", stays root

    with pytest.raises(PrivilegeError, match="still privileged"):
        drop_privileges(ops=Stubborn())


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root")
def test_really_leaves_root() -> None:
    code = (
        "import os; from astro_pyenv_frontend.privileges import drop_privileges; drop_privileges();"
        " print(os.getresuid(), os.getresgid(), os.getgroups())"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "(10001, 10001, 10001) (10001, 10001, 10001) []"
