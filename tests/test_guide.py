"""The instructor's guide (docs/INSTRUCTOR_GUIDE.md) against the course it describes.

The guide names sections as §N *Title* (a bare §N only repeats one named so in the same
plan), exercises as Ex. N.k (lists and ranges allowed),
gives each chapter a plan table whose minutes add up to its **Length:**, and states each
chapter's **Run time:**. These tests parse both sides, so a renamed section, a removed
exercise, a re-measured chapter or a dropped command makes the guide fail, not drift.
"""
import ast
import importlib
import importlib.util
import re

import nbformat
import pytest

from course_lib.machinery import chapters
from course_lib.machinery.authoring import ROOT, SOLUTIONS

GUIDE = (ROOT / "docs" / "INSTRUCTOR_GUIDE.md").read_text()
CHAPTERS = sorted(SOLUTIONS.glob("*.ipynb"))
BLOCK = re.compile(r"^### (\d\d) — (.+) \(`(\d\d_\w+\.ipynb)`\)$", re.M)
SECTION_REF = re.compile(r"§(\d+) \*([^*]+)\*")
NUMBER = r"\d+\.\d+"
EXERCISE_LIST = re.compile(rf"Ex\. ({NUMBER}(?:(?:, | and |–){NUMBER})*)")


def chapter_blocks() -> dict[str, str]:
    """Each chapter's lecture plan: from its heading to the next chapter's (or the end)."""
    starts = list(BLOCK.finditer(GUIDE))
    ends = [m.start() for m in starts[1:]] + [len(GUIDE)]
    return {m.group(3): GUIDE[m.start():end] for m, end in zip(starts, ends)}


def headings(path) -> dict[int, str]:
    """The notebook's numbered sections, {N: title} from its `## N. Title` headings."""
    found = {}
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown":
            for number, title in re.findall(r"^## (\d+)\. (.+?)\s*$", cell.source, re.M):
                found[int(number)] = title
    return found


def exercises(path) -> list[str]:
    module = importlib.import_module(f"course_lib.exercises.{chapters.id_of(path.name)}")
    return [e.number for e in module.EXERCISES]


def expand(numbers: str) -> list[str]:
    """'1.1, 1.2 and 1.4' or '2.2–2.4' -> the exercise numbers it names."""
    named = []
    for part in re.split(r", | and ", numbers):
        if "–" in part:
            first, last = part.split("–")
            chapter, low, high = first.split(".")[0], int(first.split(".")[1]), int(last.split(".")[1])
            assert last.split(".")[0] == chapter, f"range {part!r} spans two chapters"
            named += [f"{chapter}.{k}" for k in range(low, high + 1)]
        else:
            named.append(part)
    return named


def mentioned(text: str) -> list[str]:
    text = " ".join(text.split())  # a list may wrap across lines
    return [n for m in EXERCISE_LIST.finditer(text) for n in expand(m.group(1))]


def measured_seconds(path) -> int:
    header = nbformat.read(path, as_version=4).cells[0].source
    return int(re.search(r"<!-- measured -->(\d+) s on", header).group(1))


def course_commands() -> set[str]:
    """The commands course.py accepts: the tuple named `commands` in its main()."""
    tree = ast.parse((ROOT / "course.py").read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "commands" for t in node.targets):
            return set(ast.literal_eval(node.value))
    raise AssertionError("course.py has no `commands` tuple")


BLOCKS = chapter_blocks()
ids = [p.name for p in CHAPTERS]


def test_every_chapter_has_one_lecture_plan_and_every_plan_a_chapter():
    assert len(BLOCK.findall(GUIDE)) == len(BLOCKS), "a chapter has two lecture plans"
    assert sorted(BLOCKS) == [p.name for p in CHAPTERS]
    assert [name for _, _, name in BLOCK.findall(GUIDE)] == [p.name for p in CHAPTERS], "the plans are not in course order"
    for number, title, name in BLOCK.findall(GUIDE):
        chapter = chapters.by_id(chapters.id_of(name))
        assert (int(number), title) == (chapter.number, chapter.title), f"the plan of {name} is headed {number} — {title}"


@pytest.mark.parametrize("path", CHAPTERS, ids=ids)
def test_section_references_match_the_notebook_headings(path):
    sections, block = headings(path), BLOCKS[path.name]
    references = SECTION_REF.findall(block)
    assert references, f"the plan of {path.name} names no section"
    for number, title in references:
        title = " ".join(title.split())  # a title wrapped across lines renders with a space
        assert int(number) in sections, f"{path.name} has no section {number} (guide: {title!r})"
        assert title == sections[int(number)], \
            f"{path.name} §{number} is {sections[int(number)]!r}, the guide says {title!r}"
    named = {int(number) for number, _ in references}
    for number in re.findall(r"§(\d+)(?! \*)", block):  # a bare §N must repeat a section named in full
        assert int(number) in named, f"the plan of {path.name} says §{number} without naming it as §N *Title*"


def test_section_references_appear_only_in_lecture_plans():
    before_plans = GUIDE[:BLOCK.search(GUIDE).start()]
    assert "§" not in before_plans, "a § reference outside a chapter's plan cannot be checked: name the chapter's section there"


@pytest.mark.parametrize("path", CHAPTERS, ids=ids)
def test_exercise_numbers_exist_and_each_is_either_done_in_class_or_assigned(path):
    known, block = exercises(path), BLOCKS[path.name]
    for number in mentioned(block):
        assert number.split(".")[0] == str(int(path.name[:2])), f"plan of {path.name} names exercise {number}"
        assert number in known, f"{path.name} has no exercise {number}"
    in_class = mentioned(re.search(r"^\*\*In class:\*\*(.*?)\*\*Assign:\*\*", block, re.M).group(1))
    assigned = mentioned(re.search(r"\*\*Assign:\*\*(.*)$", block, re.M).group(1))
    assert not set(in_class) & set(assigned), f"{path.name}: exercises both in class and assigned"
    assert sorted(in_class + assigned) == sorted(known), f"{path.name}: every exercise is done in class or assigned, once"


def test_exercise_numbers_outside_the_plans_exist():
    before_plans = GUIDE[:BLOCK.search(GUIDE).start()]
    everything = {n for p in CHAPTERS for n in exercises(p)}
    assert set(mentioned(before_plans)) <= everything


@pytest.mark.parametrize("path", CHAPTERS, ids=ids)
def test_the_plan_minutes_add_up_to_the_stated_length(path):
    block = BLOCKS[path.name]
    length = int(re.search(r"\*\*Length:\*\* (\d+) minutes", block).group(1))
    rows = [int(m) for m in re.findall(r"^\| (\d+) \|", block, re.M)]
    total = int(re.search(r"^\| \*\*(\d+)\*\* \| \*\*total\*\* \|$", block, re.M).group(1))
    assert rows and sum(rows) == total == length, f"{path.name}: rows add up to {sum(rows)}, total {total}, length {length}"
    assert length % 90 == 0, "plans are whole 90-minute sessions"


@pytest.mark.parametrize("path", CHAPTERS, ids=ids)
def test_the_stated_run_time_is_the_measured_one(path):
    stated = int(re.search(r"\*\*Run time:\*\* (\d+) s", BLOCKS[path.name]).group(1))
    assert stated == measured_seconds(path), \
        f"{path.name} was measured at {measured_seconds(path)} s (its header); the guide says {stated} s"


def test_the_commands_the_guide_gives_exist():
    commands = re.findall(r"python3 course\.py (\w+)", GUIDE)
    assert {"open", "slides"} <= set(commands)
    assert set(commands) <= course_commands()
    for name in re.findall(r"python3 course\.py slides (\S+?\.ipynb)", GUIDE):
        assert (SOLUTIONS / name).exists()
    for module in re.findall(r"python -m ([\w.]+)", GUIDE):
        assert importlib.util.find_spec(module), f"no module {module}"


def test_the_parsers_see_what_they_should():
    """The checks above must be able to fail: feed the parsers known cases."""
    assert expand("2.2–2.4") == ["2.2", "2.3", "2.4"] and expand("1.1, 1.2 and 1.4") == ["1.1", "1.2", "1.4"]
    assert SECTION_REF.findall("§7 *How much does the choice of years matter?*") == \
        [("7", "How much does the choice of years matter?")]
    assert headings(SOLUTIONS / "01_background.ipynb")[7] == "How much does the choice of years matter?"
    assert "slides" in course_commands() and "grade" not in course_commands()
