"""The course for a whole class: an nbgrader course made from solutions/, and nbgitpuller links.

    python3 course.py classroom nbgrader [DIR]        write an nbgrader course (default build/classroom/nbgrader)
    python3 course.py classroom link HUB [--repo URL] [--branch B] [--chapter NN_id.ipynb]
                                                      print the link that puts the course into every
                                                      student's home on a JupyterHub and opens a chapter
    python3 course.py classroom test                  run the classroom tests: nbgrader and a local hub

An nbgrader assignment per chapter, named by its id. Its source notebook is the chapter's
solution with nbgrader's metadata: each exercise cell (the one with ``### BEGIN SOLUTION``) is an
autograded answer, and an autograder test cell follows it,

    assert check_x(x) is not check_x.reference

which passes only if the learner's own function passes the check (an untouched stub makes the
check lend its reference, a wrong answer makes it raise). Points come from the exercise's
difficulty (★ = 1 point, ★★ = 2, ★★★ = 3). nbgrader's ``generate_assignment`` then gives exactly
the student notebooks of notebooks/ plus those test cells (tests/test_classroom.py checks).
The classroom tools run in an environment of their own (.venv-classroom/): nbgrader and JupyterHub
are for the instructor's machines and the hub, not for a learner's JupyterLab.
"""
from __future__ import annotations

import argparse
import re
import subprocess
import sys
import urllib.parse
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell

from course_lib.machinery import chapters
from course_lib.machinery.authoring import BEGIN, ROOT, SOLUTIONS, cleaned

COURSE_DIR = ROOT / "build" / "classroom" / "nbgrader"
REPOSITORY = "https://github.com/large-models-from-first-principles/course"
CHECK_CALL = re.compile(r"^(\w+) = (check_\w+)\(\s*(\w+),?\s*\)\s*$", re.M)  # black may wrap it
EXERCISE_HEADING = re.compile(r"Exercise (\d+\.\d+) — .*?\((★+)☆*,")
CONFIG = '''"""nbgrader's configuration for this course, written by `python3 course.py classroom nbgrader`."""
import os
from pathlib import Path

c = get_config()  # noqa: F821 (nbgrader provides it)
c.CourseDirectory.root = str(Path(__file__).resolve().parent)
c.CourseDirectory.course_id = "large-models-from-first-principles"
# The course's own stub, so that the release version is exactly the student notebook of notebooks/.
c.ClearSolutions.code_stub = {{"python": "# YOUR CODE HERE\\nraise NotImplementedError()"}}
c.Execute.timeout = {timeout}
# Grading runs every student's exercise checks: keep their results out of the grading account's
# own progress record (course_lib.machinery.record).
os.environ.setdefault("COURSE_PROGRESS_FILE", str(Path(__file__).resolve().parent / "progress-of-grading.json"))
'''


class ClassroomError(Exception):
    """A chapter that cannot be made into an nbgrader assignment, or a bad argument."""


def points(nb: nbformat.NotebookNode) -> dict[str, int]:
    """{exercise number: points} from the stars of each exercise's heading."""
    found = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            found.update({number: len(stars) for number, stars in EXERCISE_HEADING.findall(cell.source)})
    return found


def assignment(nb: nbformat.NotebookNode, name: str) -> nbformat.NotebookNode:
    """The nbgrader source of a chapter: answer cells marked, a test cell after each."""
    nb = cleaned(nb)
    worth = list(points(nb).values())
    answers = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and BEGIN in c.source]
    if len(worth) != len(answers):
        raise ClassroomError(f"{name}: {len(answers)} exercise cells but {len(worth)} exercise headings with stars")
    cells = []
    for index, cell in enumerate(nb.cells):
        cells.append(cell)
        if index not in answers:
            continue
        calls = CHECK_CALL.findall(cell.source)
        if len(calls) != 1:
            raise ClassroomError(f"{name}, cell {index}: an exercise cell needs one `x = check_x(x)` line")
        _, check, function = calls[0]
        grade_id = check.removeprefix("check_")
        cell.metadata["nbgrader"] = {"grade": False, "grade_id": grade_id, "locked": False,
                                     "schema_version": 3, "solution": True, "task": False}
        test = new_code_cell(f"assert {check}({function}) is not {check}.reference, "
                             f"\"{function} is not done yet: the check lent its reference\"")
        test.metadata["nbgrader"] = {"grade": True, "grade_id": f"test_{grade_id}", "locked": True,
                                     "points": worth[answers.index(index)], "schema_version": 3,
                                     "solution": False, "task": False}
        test.metadata["slideshow"] = {"slide_type": "skip"}
        cells.append(test)
    nb.cells = cells
    return nb


def write_course(out: Path = COURSE_DIR, timeout: int = 300) -> Path:
    """An nbgrader course directory: its config and one source assignment per chapter."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "nbgrader_config.py").write_text(CONFIG.format(timeout=timeout))
    for chapter in chapters.CHAPTERS:
        nb = nbformat.read(SOLUTIONS / chapter.notebook, as_version=4)
        folder = out / "source" / chapter.id
        folder.mkdir(parents=True, exist_ok=True)
        nbformat.write(assignment(nb, chapter.notebook), folder / chapter.notebook)
    return out


def link(hub: str, repo: str = REPOSITORY, branch: str = "main", chapter: str | None = None) -> str:
    """The nbgitpuller link: it clones (or updates) the course in the student's home, keeping their
    edits, then opens ``chapter`` (default: chapter 01) in JupyterLab."""
    if not re.match(r"^https?://[^/\s]+", hub or ""):
        raise ClassroomError(f"the hub's address must start with http:// or https://, got {hub!r}")
    chapter = chapter or chapters.CHAPTERS[0].notebook
    if chapter not in {c.notebook for c in chapters.CHAPTERS}:
        raise ClassroomError(f"no chapter {chapter!r}; the chapters are {', '.join(c.notebook for c in chapters.CHAPTERS)}")
    folder = repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")  # the student's folder for the course
    query = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": folder,
                                    "urlpath": f"lab/tree/{folder}/notebooks/{chapter}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python3 course.py classroom", description=__doc__.split("\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    make = verbs.add_parser("nbgrader", help="write an nbgrader course from solutions/")
    make.add_argument("out", nargs="?", type=Path, default=COURSE_DIR)
    pull = verbs.add_parser("link", help="print the nbgitpuller link that opens chapter 01")
    pull.add_argument("hub")
    pull.add_argument("--repo", default=REPOSITORY)
    pull.add_argument("--branch", default="main")
    pull.add_argument("--chapter")
    verbs.add_parser("test", help="run the classroom tests (nbgrader round trip, a hub on localhost)")
    args, rest = parser.parse_known_args(argv)
    try:
        if args.verb == "nbgrader":
            out = write_course(args.out)
            print(f"wrote an nbgrader course in {out}: cd there, then e.g.\n"
                  f"  nbgrader generate_assignment {chapters.CHAPTERS[0].id} --create")
        elif args.verb == "link":
            print(link(args.hub, args.repo, args.branch, args.chapter))
        else:
            return subprocess.run([sys.executable, "-m", "pytest", "-p", "no:xdist", "-m", "classroom",
                                   "tests/test_classroom.py", *rest], cwd=ROOT).returncode
    except ClassroomError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
