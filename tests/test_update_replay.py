"""A learner's update from the first, nine-chapter edition to the twelve-chapter order, replayed.

The workspace and progress record are written as the first edition wrote them: copies under
the old names (07_scaling, 08_interpretability, 09_open_problems), a manifest keyed by file
name, two chapters edited, a record keyed by exercise number. Then the new course's `open`
runs its sync: every edit must survive under the chapter's new name, every passed exercise
must still show as passed, and the learner must be told what moved.
"""
import hashlib
import json
import re

import pytest

from course_lib import progress
from course_lib.machinery import chapters, record, workspace
from course_lib.machinery.authoring import NOTEBOOKS

FIRST_EDITION_NAMES = [f"{n:02d}_{chapter_id}.ipynb" for n, chapter_id in enumerate(record.FIRST_EDITION, 1)]


@pytest.fixture
def first_edition_learner(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    manifest = {}
    for name in FIRST_EDITION_NAMES:
        text = (NOTEBOOKS / chapters.by_id(chapters.id_of(name)).notebook).read_text()
        (work / name).write_text(text)
        manifest[name] = hashlib.sha256(text.encode()).hexdigest()
    (work / workspace.MANIFEST).write_text(json.dumps(manifest))
    for name, edit in (("03_forward_pass.ipynb", "my numpy MLP"), ("07_scaling.ipynb", "my power-law fit")):
        (work / name).write_text((work / name).read_text().replace('"cells": [', f'"cells": [\n  "{edit}",', 1))
    old_record = {
        "1.1": {"name": "fit_exponential", "status": "passed", "time": "2026-10-01T10:00:00+00:00"},
        "3.2": {"name": "sigmoid_grad", "status": "passed", "time": "2026-10-02T10:00:00+00:00"},
        "7.1": {"name": "fit_power_law", "status": "passed", "time": "2026-10-03T10:00:00+00:00"},
        "7.2": {"name": "r_squared", "status": "wrong", "time": "2026-10-03T10:05:00+00:00"},
        "quiz 08": {"name": "quiz", "status": "passed", "time": "2026-10-04T10:00:00+00:00"},
    }
    path = tmp_path / "home" / "progress.json"
    path.parent.mkdir()
    path.write_text(json.dumps(old_record))
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    return work, old_record


def test_an_update_to_twelve_chapters_keeps_every_edit_and_every_passed_exercise(first_edition_learner, capsys):
    work, old_record = first_edition_learner
    messages = workspace.sync(NOTEBOOKS, work)
    print("\n".join(messages))  # what the learner reads (pytest -s shows it)

    assert "moved: work/07_scaling.ipynb -> work/08_scaling.ipynb (the chapter's new number; your edits are in it)" \
        in messages
    assert "moved: work/08_interpretability.ipynb -> work/11_interpretability.ipynb (the chapter's new number; " \
           "your edits are in it)" in messages
    assert "moved: work/09_open_problems.ipynb -> work/12_open_problems.ipynb (the chapter's new number; " \
           "your edits are in it)" in messages
    assert not any("changed since you copied it" in m for m in messages)  # same course content, new names
    assert sorted(p.name for p in work.glob("*.ipynb")) == sorted(c.notebook for c in chapters.CHAPTERS)
    assert "my numpy MLP" in (work / "03_forward_pass.ipynb").read_text()
    assert "my power-law fit" in (work / "08_scaling.ipynb").read_text()
    assert workspace.last_worked_on(work).name in ("03_forward_pass.ipynb", "08_scaling.ipynb")
    assert workspace.sync(NOTEBOOKS, work) == []  # a second open has nothing to say

    capsys.readouterr()
    progress()
    shown = capsys.readouterr().out
    for line in ("✓ 1.1    fit_exponential", "✓ 3.2    sigmoid_grad", "✓ 8.1    fit_power_law", "✗ 8.2    r_squared"):
        assert re.search(re.escape(line.split()[0]) + r"\s+" + r"\s+".join(map(re.escape, line.split()[1:])), shown), \
            f"{line!r} missing from\n{shown}"
    assert re.search(r"✓\s+quiz\s+passed", shown.split("11 Interpretability")[1])  # the quiz row has no number
    assert json.loads(record.progress_file().with_name("progress.v1.json").read_text()) == old_record
