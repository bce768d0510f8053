"""Your workspace: copies of the chapters that no update of the course overwrites.

``python3 course.py open`` keeps ``work/`` in step with the course, and never at the cost
of your work:

* a chapter that is new to you is copied in;
* a chapter you have, which the course has renumbered (scaling's number went from 07 to 08
  when the tokens chapter arrived), is renamed with your edits in it, and you are told; if the
  new name is taken by a file of your own, nothing is moved and you are told that instead;
* a chapter the course changed after you copied it stays as you left it: you are told,
  and can compare, or delete your copy to take the new one.

Chapters are matched by their id, the part of the file name after the number, which
never changes (course_lib/machinery/chapters.py). Then JupyterLab opens the chapter you
saved last, or chapter 01 the first time.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.machinery import chapters
from course_lib.machinery.authoring import NOTEBOOKS, ROOT

WORK = ROOT / "work"
MANIFEST = ".copied-from-course.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(work: Path) -> dict[str, dict]:
    """{chapter id: {"digest": the course version copied}}.
    A first-edition manifest, {file name: digest}, is read into the same form."""
    path = work / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return {}
    converted = {}
    for key, value in manifest.items():
        if isinstance(value, str):  # first edition: keyed by file name, the digest alone
            key, value = chapters.id_of(key), {"digest": value}
        if key:
            converted[key] = value
    return converted


def migrate(course: Path, work: Path) -> list[str]:
    """Rename the learner's copies of chapters the course has renumbered; never overwrite a file."""
    new_names = {chapters.id_of(p.name): p.name for p in course.glob("*.ipynb")}
    moves = {}
    for copy in sorted(work.glob("*.ipynb")):
        chapter_id = chapters.id_of(copy.name)
        if chapter_id in new_names and new_names[chapter_id] != copy.name:
            moves[copy] = work / new_names[chapter_id]
    messages = []
    for old, new in moves.items():
        if new.exists() and new not in moves:
            messages.append(f"the course renamed {old.name} to {new.name}, but work/{new.name} is a file of "
                            f"your own: nothing was moved. Your copy is still work/{old.name}; rename one of "
                            "the two to take the chapter's new name.")
            continue
        messages.append(f"moved: work/{old.name} -> work/{new.name} (the chapter's new number; your edits "
                        "are in it)")
    staged = {}
    for old, new in moves.items():  # in two steps, so that a chain of renames never overwrites
        if not (new.exists() and new not in moves):
            staged[old.rename(old.with_name(old.name + ".moving"))] = new
    for temporary, new in staged.items():
        temporary.rename(new)
    return messages


def sync(course: Path = NOTEBOOKS, work: Path = WORK) -> list[str]:
    """Bring ``work`` in step with ``course``: renumber, copy new chapters, report changed ones."""
    work.mkdir(parents=True, exist_ok=True)
    manifest = read_manifest(work)
    messages = migrate(course, work)
    for source in sorted(course.glob("*.ipynb")):
        chapter_id, copy = chapters.id_of(source.name), work / source.name
        if not copy.exists():
            shutil.copyfile(source, copy)
            manifest[chapter_id] = {"digest": digest(source)}
            messages.append(f"new chapter: work/{copy.name}")
        elif manifest.get(chapter_id, {}).get("digest") not in (None, digest(source)):
            messages.append(f"the course's {source.name} has changed since you copied it; your copy "
                            f"work/{copy.name} is untouched. Compare it with notebooks/{source.name}, "
                            "or delete your copy and re-open to take the new one.")
    (work / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return messages


def last_worked_on(work: Path = WORK) -> Path:
    """The chapter you saved last; the first chapter if you have saved none since it was copied."""
    copies = sorted(work.glob("*.ipynb"))
    if not copies:
        raise FileNotFoundError(f"no chapters in {work}: is notebooks/ empty?")
    manifest = read_manifest(work)
    saved = [p for p in copies if digest(p) != manifest.get(chapters.id_of(p.name), {}).get("digest")]
    return max(saved, key=lambda p: p.stat().st_mtime) if saved else copies[0]


def jupyterlab_command(chapter: Path, extra: list[str]) -> tuple[list[str], str | None]:
    """The command that opens ``chapter``, and a note when a flag had to be added."""
    command = [sys.executable, "-m", "jupyterlab", str(chapter), *extra]
    if hasattr(os, "geteuid") and os.geteuid() == 0 and "--allow-root" not in extra:
        return command + ["--allow-root"], ("You are root (a container or a cloud machine?): JupyterLab refuses "
                                            "to start as root unless told, so --allow-root was added.")
    return command, None


def main(argv: list[str]) -> int:
    for message in sync():
        print(message)
    chapter = last_worked_on().relative_to(ROOT)
    command, note = jupyterlab_command(chapter, argv)
    if note:
        print(note)
    print(f"Opening JupyterLab at {chapter} (stop it with Ctrl-C) ...", flush=True)
    return subprocess.run(command, cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
