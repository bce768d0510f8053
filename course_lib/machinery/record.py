"""A record of your progress through the course: every exercise check and quiz answer is recorded.

The record is a small JSON file in your home folder (or wherever the environment
variable COURSE_PROGRESS_FILE points), so it survives updates of the course.
``show()`` prints it as a table, chapter by chapter (``course_lib.progress()`` calls it
with every chapter's exercises).
"""
from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

MARKS = {"passed": "✓", "not attempted": "·", "wrong": "✗", "crashed": "✗"}


def progress_file() -> Path:
    default = Path.home() / ".large-models-course" / "progress.json"
    return Path(os.environ.get("COURSE_PROGRESS_FILE", default))


def load() -> dict:
    path = progress_file()
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}


def save(key: str, name: str, status: str) -> None:
    """Store the latest result of exercise (or quiz) ``key``; never fails the caller."""
    state = load()
    state[key] = {"name": name, "status": status,
                  "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    path = progress_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(state, indent=1, sort_keys=True))
    except OSError:  # a read-only home must not stop a chapter
        pass


def show(chapters: dict[str, list[tuple[str, str]]]) -> None:
    """Print the record as a table: ``chapters`` is {chapter title: [(key, name), ...]}."""
    state = load()
    width = max(len(name) for items in chapters.values() for _, name in items) + 2
    lines = []
    for title, items in chapters.items():
        done = sum(state.get(key, {}).get("status") == "passed" for key, _ in items)
        lines.append(f"{title}  ({done}/{len(items)} done)")
        for key, name in items:
            status = state.get(key, {}).get("status", "not yet")
            lines.append(f"   {MARKS.get(status, ' ')} {key:<8} {name:<{width}} {status}")
    lines.append(f"(record kept in {progress_file()})")
    print("\n".join(lines))
