"""The learner's workspace: new chapters are copied in, the learner's copies are never replaced."""
import os

from course_lib.machinery.workspace import last_opened, sync


def test_new_chapters_are_copied_and_existing_copies_never_replaced(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "work"
    course.mkdir()
    (course / "01_a.ipynb").write_text("course v1")
    assert sync(course, work) == ["new chapter: work/01_a.ipynb"]
    (work / "01_a.ipynb").write_text("my answers")
    (course / "02_b.ipynb").write_text("chapter two")
    assert sync(course, work) == ["new chapter: work/02_b.ipynb"]
    assert (work / "01_a.ipynb").read_text() == "my answers"


def test_a_changed_course_chapter_is_reported_not_copied(tmp_path):
    course, work = tmp_path / "notebooks", tmp_path / "work"
    course.mkdir()
    (course / "01_a.ipynb").write_text("course v1")
    sync(course, work)
    (work / "01_a.ipynb").write_text("my answers")
    (course / "01_a.ipynb").write_text("course v2")
    messages = sync(course, work)
    assert len(messages) == 1 and "01_a.ipynb has changed since you copied it" in messages[0]
    assert (work / "01_a.ipynb").read_text() == "my answers"
    (work / "01_a.ipynb").unlink()  # the learner takes the new version
    assert sync(course, work) == ["new chapter: work/01_a.ipynb"]
    assert (work / "01_a.ipynb").read_text() == "course v2" and sync(course, work) == []


def test_the_course_opens_at_the_chapter_worked_on_last(tmp_path):
    for name in ("01_a.ipynb", "02_b.ipynb", "03_c.ipynb"):
        (tmp_path / name).write_text("")
        os.utime(tmp_path / name, (1000, 1000))
    assert last_opened(tmp_path).name == "01_a.ipynb"
    os.utime(tmp_path / "02_b.ipynb", (2000, 2000))
    assert last_opened(tmp_path).name == "02_b.ipynb"
