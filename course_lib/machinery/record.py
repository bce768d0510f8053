"""A record of your progress through the course: every exercise check and quiz answer is recorded.

The record is a small JSON file in your home folder (or wherever the environment
variable COURSE_PROGRESS_FILE points), so it survives updates of the course. It is keyed
by chapter id and exercise name, never by number, so that it survives a renumbering too:

    {"version": 2, "chapters": {"scaling": {"fit_power_law": {"status": "passed", "time": "..."}}}}

A record written by the first, nine-chapter edition (keys such as "7.1" and "quiz 07") is
converted when it is first loaded, and the old file is kept beside it as ``progress.v1.json``.
``show()`` prints the record as a table; ``course_lib.progress()`` calls it with every
chapter's exercises.
"""
from __future__ import annotations

import json
import os
import re
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

VERSION = 2
MARKS = {"passed": "✓", "not attempted": "·", "wrong": "✗", "crashed": "✗"}
# The chapters of the first edition, in its order: its record keys "7.1" or "quiz 07" name them by number.
FIRST_EDITION = ("background", "concepts", "forward_pass", "backprop", "gradient_descent",
                 "tiny_language_model", "scaling", "interpretability", "open_problems")


def progress_file() -> Path:
    default = Path.home() / ".large-models-course" / "progress.json"
    return Path(os.environ.get("COURSE_PROGRESS_FILE", default))


def convert_first_edition(old: dict) -> dict:
    """The chapters part of a version-2 record holding what a first-edition record held."""
    chapters: dict[str, dict] = {}
    for key, entry in old.items():
        match = re.fullmatch(r"(\d+)\.\d+|quiz (\d+)", key)
        if not match or not isinstance(entry, dict) or not 1 <= int(match.group(1) or match.group(2)) <= 9:
            continue  # not something the first edition wrote
        chapter = FIRST_EDITION[int(match.group(1) or match.group(2)) - 1]
        name = "quiz" if match.group(2) else entry.get("name", key)
        chapters.setdefault(chapter, {})[name] = {k: v for k, v in entry.items() if k != "name"}
    return chapters


def load() -> dict[str, dict[str, dict]]:
    """The record's chapters: {chapter id: {exercise name or "quiz": {"status": ..., "time": ...}}}."""
    path = progress_file()
    try:
        state = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    if not isinstance(state, dict):
        return {}
    if state.get("version") == VERSION:
        return state.get("chapters", {})
    chapters = convert_first_edition(state)
    try:
        backup = path.with_name(path.stem + ".v1" + path.suffix)
        if not backup.exists():
            backup.write_text(path.read_text())
        write(chapters)
    except OSError:  # a read-only home: use the converted record without storing it
        pass
    return chapters


def write(chapters: dict) -> None:
    path = progress_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({"version": VERSION, "chapters": chapters}, indent=1, sort_keys=True))


def save(chapter: str, name: str, status: str) -> None:
    """Store the latest result of exercise (or quiz) ``name`` of ``chapter``; never fails the caller."""
    chapters = load()
    chapters.setdefault(chapter, {})[name] = {
        "status": status, "time": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    try:
        write(chapters)
    except OSError:  # a read-only home must not stop a chapter
        pass


def show(catalogue: Sequence[tuple[str, str, Sequence[tuple[str, str]]]], chapter: str | None = None) -> None:
    """Print the record. ``catalogue`` lists (chapter id, label, [(number, name), ...]) in course
    order, the quiz as ("", "quiz"). The chapter ``chapter`` (or every one, if None) is shown
    item by item; the others get one line each."""
    state = load()
    width = max(len(name) for _, _, items in catalogue for _, name in items) + 2
    label_width = max(len(label) for _, label, _ in catalogue) + 2
    lines = []
    for chapter_id, label, items in catalogue:
        mine = state.get(chapter_id, {})
        statuses = [mine.get(name, {}).get("status", "not yet") for _, name in items]
        done = sum(status == "passed" for status in statuses)
        lines.append(f"{label:<{label_width}} {done} of {len(items)} done")
        if chapter is not None and chapter_id != chapter:
            continue
        for (number, name), status in zip(items, statuses):
            lines.append(f"   {MARKS.get(status, ' ')} {number:<6} {name:<{width}} {status}")
    lines.append(f"(record kept in {progress_file()})")
    print("\n".join(lines))
