"""Generated stage names: none may be a name the user's lines use for a stage or an image."""

from __future__ import annotations

import re

from .. import layout
from ..stage_names import stage_name


class StageNames:
    """Hands out stage names not in ``used`` (and not handed out before)."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next_suffix: dict[str, int] = {}  # per name given to unique, the next "-N" to try
        self.onbuild_free: dict[str, str] = {}  # image -> build context name

    def unique(self, name: str) -> str:
        """``name`` as a stage name no line uses yet, else with the first free ``-N`` (counting on
        from where the last call for ``name`` stopped, so that thousands of calls stay linear)."""
        candidate, n = stage_name(name), self.next_suffix.get(name, 2)
        while candidate in self.used:
            candidate = stage_name(name, f"-{n}")
            n += 1
        self.next_suffix[name] = n
        self.used.add(candidate)
        return candidate

    def onbuild_free_context(self, image: str) -> str:
        """The build context the gateway supplies ``image`` under, without its ONBUILD steps."""
        if image not in self.onbuild_free:
            self.onbuild_free[image] = self.unique(layout.ONBUILD_FREE_CONTEXT)
        return self.onbuild_free[image]


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-") or "x"
