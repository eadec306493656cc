"""Every step the code records on a case's timeline has a name people read, never its code."""

from __future__ import annotations

import re
from pathlib import Path

from onewindow.cases.timeline import ACTION_LABELS

SOURCE = Path(__file__).resolve().parents[2]
# An action written into an event: `action="…"` in a module that appends events (argparse's are not).
ACTION = re.compile(r'\baction="([a-z_]+)"')
ARGPARSE_ACTIONS = {"store_true", "store_false", "store_const", "append", "count"}


def recorded_actions() -> set[str]:
    found: set[str] = set()
    for path in SOURCE.rglob("*.py"):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        if "event_append" in text or "_event_build" in text:
            found |= set(ACTION.findall(text)) - ARGPARSE_ACTIONS
    return found


def test_every_recorded_step_has_a_label() -> None:
    actions = recorded_actions()
    assert len(actions) > 30, "the search must find the code's steps"
    assert sorted(actions - ACTION_LABELS.keys()) == []
