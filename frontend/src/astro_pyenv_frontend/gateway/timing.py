"""Where the frontend's time goes: milliseconds per phase, one stderr line per build.

The line lands in the engine's log (a frontend's stderr is not shown to the user).
"""

from __future__ import annotations

import time


class PhaseTimer:
    """Milliseconds per phase, logged as one stderr line (it lands in the engine's log)."""

    def __init__(self, started: float | None = None) -> None:
        """``started``: a ``time.perf_counter()`` reading from before this was made (the first
        phase then counts from there: the frontend's own imports)."""
        self._last = time.perf_counter() if started is None else started
        self.phases: list[tuple[str, float]] = []

    def mark(self, name: str) -> None:
        now = time.perf_counter()
        self.phases.append((name, (now - self._last) * 1000))
        self._last = now

    def line(self) -> str:
        return "astro-pyenv gateway: " + ", ".join(f"{n} {ms:.0f} ms" for n, ms in self.phases)
