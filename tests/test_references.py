"""Every reference to a chapter or an exercise names one that exists, under its number and title.

Read: every cell of the chapters, the README, the docs and every course_lib file. A reference
is "chapter 08" (also "chapters 03–05", "chapter-06 model", "ch08"), "Exercise 8.2"
("exercises 8.1–8.6", "Ex. 8.1 and 8.2"), a notebook's file name, or a link to one. Where a
chapter's title is named beside its number ("chapter 11 (Interpretability)", "[08 Scaling](…)"),
it must be that chapter's title. So a renumbering cannot leave a reference behind.
"""
import importlib
import re

import nbformat
import pytest

from course_lib.machinery import chapters
from course_lib.machinery.authoring import ROOT, SOLUTIONS

NUMBERS = r"\d{1,2}(?:(?:, | and | or |–|-| to )\d{1,2})*"
CHAPTER_REF = re.compile(rf"\b[Cc]hapters?[ -]({NUMBERS})\b|\bch(\d\d)\b")
EXERCISE = r"\d{1,2}\.\d+"
EXERCISE_REF = re.compile(rf"\b(?:[Ee]xercises?|Ex\.) ({EXERCISE}(?:(?:, | and |–|-){EXERCISE})*)")
NOTEBOOK_REF = re.compile(r"\b(\d\d_[a-z][a-z0-9_]*)\.ipynb\b")
TITLED = re.compile(r"\b[Cc]hapter (\d{1,2})(?: \(| — |, \*|: \*)([A-Z][^)*\n]*)")
LINK = re.compile(r"\[(\d\d) ([^\]]+)\]\((?:[\w./]*/)?(\d\d_[a-z0-9_]+\.ipynb)\)")


def texts() -> list[tuple[str, str]]:
    """(where, text) for everything a learner or instructor reads."""
    found = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
            found.append((f"{path.name}, cell {index}", cell.source))
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), *sorted((ROOT / "course_lib").rglob("*.py"))]:
        found.append((str(path.relative_to(ROOT)), path.read_text()))
    return found


def expand_chapters(numbers: str) -> list[int]:
    found = []
    for part in re.split(r", | and | or ", numbers):
        ends = re.split(r"–|-| to ", part)
        found += [int(ends[0])] if len(ends) == 1 else [int(ends[0]), int(ends[-1])]
    return found


def expand_exercises(numbers: str) -> list[str]:
    found = []
    for part in re.split(r", | and ", numbers):
        if re.search(r"–|-", part):
            first, last = re.split(r"–|-", part)
            (chapter, low), high = first.split("."), int(last.split(".")[1])
            found += [f"{chapter}.{k}" for k in range(int(low), high + 1)]
        else:
            found.append(part)
    return found


def exercise_numbers() -> set[str]:
    numbers = set()
    for chapter in chapters.CHAPTERS:
        module = importlib.import_module(f"course_lib.exercises.{chapter.id}")
        numbers |= {e.number for e in module.EXERCISES}
    return numbers


def problems_in(where: str, text: str, known: set[str]) -> list[str]:
    numbers = {c.number for c in chapters.CHAPTERS}
    files = {c.notebook for c in chapters.CHAPTERS}
    problems = []
    for match in CHAPTER_REF.finditer(text):
        for n in expand_chapters(match.group(1)) if match.group(1) else [int(match.group(2))]:
            if n not in numbers:
                problems.append(f"{where}: '{match.group(0)}' names chapter {n:02d}, which does not exist")
    for match in EXERCISE_REF.finditer(" ".join(text.split())):
        for number in expand_exercises(match.group(1)):
            if number not in known:
                problems.append(f"{where}: '{match.group(0)}' names exercise {number}, which does not exist")
    for match in NOTEBOOK_REF.finditer(text):
        if f"{match.group(1)}.ipynb" not in files:
            problems.append(f"{where}: names {match.group(0)}, which is not a chapter's notebook")
    for match in TITLED.finditer(text):
        number, said = int(match.group(1)), match.group(2)
        titles = {c.title: c.number for c in chapters.CHAPTERS}
        named = [title for title in titles if said.startswith(title)]
        if named and titles[named[0]] != number:
            problems.append(f"{where}: '{match.group(0)}' gives chapter {number:02d} the title of chapter "
                            f"{titles[named[0]]:02d}")
    for match in LINK.finditer(text):
        number, title, file = int(match.group(1)), match.group(2), match.group(3)
        chapter = next((c for c in chapters.CHAPTERS if c.notebook == file), None)
        if chapter is None or (number, title) != (chapter.number, chapter.title):
            problems.append(f"{where}: the link '{match.group(0)}' does not give {file}'s number and title")
    return problems


def test_every_chapter_and_exercise_reference_exists_under_its_number_and_title():
    known = exercise_numbers()
    problems = [p for where, text in texts() for p in problems_in(where, text, known)]
    assert not problems, f"{len(problems)} references to fix:\n" + "\n".join(problems)


@pytest.mark.parametrize("text, complaint", [
    ("as chapter 13 showed", "names chapter 13, which does not exist"),
    ("chapters 06 and 14", "names chapter 14"),
    ("in ch13's widget", "names chapter 13"),
    ("Exercise 8.9 asks", "names exercise 8.9"),
    ("exercises 8.1–8.9", "names exercise 8.7"),
    ("open 07_scaling.ipynb", "is not a chapter's notebook"),
    ("chapter 08 (Interpretability) showed", "gives chapter 08 the title of chapter 11"),
    ("[07 Scaling](notebooks/08_scaling.ipynb)", "does not give 08_scaling.ipynb's number and title"),
])
def test_the_reference_reader_catches_what_a_renumbering_leaves_behind(text, complaint):
    problems = problems_in("here", text, exercise_numbers())
    assert any(complaint in p for p in problems), problems


def test_the_reference_reader_accepts_right_references():
    right = ("chapters 03–05 and chapter 08 (Scaling); the chapter-06 model; ch11; Exercise 8.2 and 8.3; "
             "exercises 1.1–1.4; [08 Scaling](notebooks/08_scaling.ipynb); 12_open_problems.ipynb")
    assert problems_in("here", right, exercise_numbers()) == []
