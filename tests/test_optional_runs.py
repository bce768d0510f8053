"""Every optional run a chapter offers passes its own cells when the learner flips its flag.

A flag is a line `NAME = False` (an upper-case name, perhaps with a comment) in a code cell of a
solution notebook, such as `LONG_RUN = False` or `GROKKING = False`. Each test runs the whole chapter
with one flag set to True. They take minutes, so they are marked `long` and left out of the default
run: `python3 course.py test -m long` runs them all; `.ci/run` runs one of them on each CI run, a
different one each day (``of_the_day()``), so that each runs every few days.
"""
import datetime
import re

import nbformat
import pytest

from course_lib.machinery.authoring import SOLUTIONS

FLAG = re.compile(r"^([A-Z][A-Z0-9_]+) = False\b", re.M)


def flags() -> list[tuple[str, str]]:
    """(notebook name, flag name) for every optional run in the course."""
    found = []
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                found += [(path.name, name) for name in FLAG.findall(cell.source)]
    return found


def of_the_day() -> str:
    """The pytest -k expression of the optional run CI takes today."""
    notebook, flag = flags()[datetime.date.today().toordinal() % len(flags())]
    return f"{notebook}:{flag}"


@pytest.mark.long
@pytest.mark.parametrize("notebook, flag", flags(), ids=[f"{n}:{f}" for n, f in flags()])
def test_the_optional_run_passes_its_own_cells(notebook, flag, tmp_path):
    from nbclient import NotebookClient
    nb = nbformat.read(SOLUTIONS / notebook, as_version=4)
    flipped = 0
    for cell in nb.cells:
        if cell.cell_type == "code" and re.search(rf"^{flag} = False\b", cell.source, re.M):
            cell.source = re.sub(rf"^{flag} = False\b", f"{flag} = True", cell.source, flags=re.M)
            flipped += 1
    assert flipped == 1, f"{notebook}: {flag} is set in {flipped} cells; flip one"
    NotebookClient(nb, timeout=900, kernel_name="python3",
                   resources={"metadata": {"path": str(SOLUTIONS)}}).execute()


def test_the_course_offers_its_optional_runs():
    assert {flag for _, flag in flags()} >= {"LONG_RUN", "GROKKING"}
