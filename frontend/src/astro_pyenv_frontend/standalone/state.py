"""What each interpreter and environment on this machine was made from (``<root>/state.json``).

A run compares the keys it computes with these and makes again only what differs; a state of
another root (a moved project: venvs name their own paths) counts as none.  Written last, after
everything it describes exists.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["State", "load_state", "save_state"]

STATE_FILE = "state.json"
_FORMAT = 1


@dataclass
class State:
    interpreters: dict[str, str] = field(default_factory=dict)  # version -> Interpreter.key
    environments: dict[str, str] = field(default_factory=dict)  # name -> VenvSpec.key


def load_state(root: Path) -> State:
    try:
        data = json.loads((root / STATE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return State()
    if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("root") != str(root):
        return State()
    interpreters, environments = data.get("interpreters"), data.get("environments")
    if not isinstance(interpreters, dict) or not isinstance(environments, dict):
        return State()
    return State({str(k): str(v) for k, v in interpreters.items()}, {str(k): str(v) for k, v in environments.items()})


def save_state(root: Path, state: State) -> None:
    data = {
        "format": _FORMAT,
        "root": str(root),
        "interpreters": state.interpreters,
        "environments": state.environments,
    }
    temporary = root / f".{STATE_FILE}.tmp"
    temporary.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(temporary, root / STATE_FILE)
