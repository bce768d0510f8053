"""Your workspace: copies of the chapters that no update of the course overwrites.

``python course.py open`` copies each chapter of ``notebooks/`` into ``work/`` the
first time it appears, and never replaces a chapter you already have. When the
course's version of a chapter changes after you copied it, you are told, and can
compare, or delete your copy to take the new one.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from course_lib.machinery.authoring import NOTEBOOKS, ROOT

WORK = ROOT / "work"
MANIFEST = ".copied-from-course.json"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sync(course: Path = NOTEBOOKS, work: Path = WORK) -> list[str]:
    """Copy new chapters from ``course`` into ``work``; report chapters that changed since."""
    work.mkdir(parents=True, exist_ok=True)
    manifest_path = work / MANIFEST
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    messages = []
    for source in sorted(course.glob("*.ipynb")):
        copy = work / source.name
        if not copy.exists():
            shutil.copyfile(source, copy)
            manifest[source.name] = digest(source)
            messages.append(f"new chapter: {copy.relative_to(work.parent)}")
        elif manifest.get(source.name) not in (None, digest(source)):
            messages.append(f"the course's {source.name} has changed since you copied it; your copy "
                            f"{copy.relative_to(work.parent)} is untouched. Compare it with "
                            f"{source.relative_to(course.parent)}, or delete your copy and re-open to take the new one.")
    manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    return messages


def last_opened(work: Path = WORK) -> Path:
    """The chapter you worked on last (the most recently modified), else the first."""
    chapters = sorted(work.glob("*.ipynb"))
    if not chapters:
        raise FileNotFoundError(f"no chapters in {work}: is notebooks/ empty?")
    return max(chapters, key=lambda p: (p.stat().st_mtime, -chapters.index(p)))


def main(argv: list[str]) -> int:
    for message in sync():
        print(message)
    chapter = last_opened().relative_to(ROOT)
    print(f"Opening JupyterLab at {chapter} (stop it with Ctrl-C) ...", flush=True)
    return subprocess.run([sys.executable, "-m", "jupyterlab", str(chapter), *argv], cwd=ROOT).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
