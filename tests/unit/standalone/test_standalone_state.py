"""What each environment was made from, kept between runs (issue 27)."""

from __future__ import annotations

from pathlib import Path

from astro_pyenv_frontend.standalone.state import STATE_FILE, State, load_state, save_state


def test_state_round_trips_and_belongs_to_its_root(tmp_path: Path) -> None:
    save_state(tmp_path, State({"3.9.2": "image x"}, {"snowpark": "sha256:1"}))
    assert load_state(tmp_path) == State({"3.9.2": "image x"}, {"snowpark": "sha256:1"})
    moved = tmp_path / "moved"
    moved.mkdir()
    (moved / STATE_FILE).write_bytes((tmp_path / STATE_FILE).read_bytes())
    assert load_state(moved) == State()  # venvs name their own paths: a moved root starts again
    (tmp_path / STATE_FILE).write_text("{not json")
    assert load_state(tmp_path) == State()
