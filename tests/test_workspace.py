"""The learner's workspace: new chapters are copied in, renumbered chapters follow their new
names, the learner's copies are never replaced, and `open` starts where the learner left off."""
import json

from course_lib.machinery import workspace
from course_lib.machinery.workspace import last_worked_on, sync


def course_folder(tmp_path, chapters):
    course = tmp_path / "notebooks"
    course.mkdir(exist_ok=True)
    for old in course.glob("*.ipynb"):
        old.unlink()
    for name, text in chapters.items():
        (course / name).write_text(text)
    return course


def test_new_chapters_are_copied_and_existing_copies_never_replaced(tmp_path):
    course, work = course_folder(tmp_path, {"01_a.ipynb": "course v1"}), tmp_path / "work"
    assert sync(course, work) == ["new chapter: work/01_a.ipynb"]
    (work / "01_a.ipynb").write_text("my answers")
    (course / "02_b.ipynb").write_text("chapter two")
    assert sync(course, work) == ["new chapter: work/02_b.ipynb"]
    assert (work / "01_a.ipynb").read_text() == "my answers"


def test_a_changed_course_chapter_is_reported_not_copied(tmp_path):
    course, work = course_folder(tmp_path, {"01_a.ipynb": "course v1"}), tmp_path / "work"
    sync(course, work)
    (work / "01_a.ipynb").write_text("my answers")
    (course / "01_a.ipynb").write_text("course v2")
    messages = sync(course, work)
    assert len(messages) == 1 and "01_a.ipynb has changed since you copied it" in messages[0]
    assert (work / "01_a.ipynb").read_text() == "my answers"
    (work / "01_a.ipynb").unlink()  # the learner takes the new version
    assert sync(course, work) == ["new chapter: work/01_a.ipynb"]
    assert (work / "01_a.ipynb").read_text() == "course v2" and sync(course, work) == []


def test_a_renumbered_chapter_is_renamed_with_its_edits_even_along_a_chain(tmp_path):
    course = course_folder(tmp_path, {"07_b.ipynb": "b", "08_c.ipynb": "c"})
    work = tmp_path / "work"
    sync(course, work)
    (work / "07_b.ipynb").write_text("my b")
    (work / "08_c.ipynb").write_text("my c")
    course_folder(tmp_path, {"07_new.ipynb": "new", "08_b.ipynb": "b", "11_c.ipynb": "c"})
    messages = sync(course, work)
    assert "moved: work/07_b.ipynb -> work/08_b.ipynb (the chapter's new number; your edits are in it)" in messages
    assert "moved: work/08_c.ipynb -> work/11_c.ipynb (the chapter's new number; your edits are in it)" in messages
    assert "new chapter: work/07_new.ipynb" in messages
    assert sorted(p.name for p in work.glob("*.ipynb")) == ["07_new.ipynb", "08_b.ipynb", "11_c.ipynb"]
    assert (work / "08_b.ipynb").read_text() == "my b" and (work / "11_c.ipynb").read_text() == "my c"
    assert sync(course, work) == []  # nothing more to say


def test_a_new_name_taken_by_the_learners_own_file_moves_nothing(tmp_path):
    course, work = course_folder(tmp_path, {"07_b.ipynb": "b"}), tmp_path / "work"
    sync(course, work)
    (work / "07_b.ipynb").write_text("my b")
    (work / "08_b.ipynb").write_text("my own notes")
    course_folder(tmp_path, {"08_b.ipynb": "b"})
    messages = sync(course, work)
    assert len(messages) == 1
    assert messages[0].startswith("the course renamed 07_b.ipynb to 08_b.ipynb, but work/08_b.ipynb is a file "
                                  "of your own: nothing was moved.")
    assert (work / "07_b.ipynb").read_text() == "my b" and (work / "08_b.ipynb").read_text() == "my own notes"


def test_open_starts_at_chapter_01_then_where_the_learner_last_saved(tmp_path):
    course = course_folder(tmp_path, {f"0{n}_{c}.ipynb": c for n, c in enumerate("abc", 1)})
    work = tmp_path / "work"
    sync(course, work)
    assert last_worked_on(work).name == "01_a.ipynb"  # copies made in order are not "worked on"
    (work / "02_b.ipynb").write_text("my b")
    assert last_worked_on(work).name == "02_b.ipynb"
    (work / "03_c.ipynb").write_text("my c")
    assert last_worked_on(work).name == "03_c.ipynb"


def test_as_root_jupyterlab_is_started_with_allow_root_and_says_why(monkeypatch, tmp_path):
    monkeypatch.setattr(workspace.os, "geteuid", lambda: 0)
    command, note = workspace.jupyterlab_command(tmp_path / "01_a.ipynb", [])
    assert command[-1] == "--allow-root" and "refuses to start as root" in note
    monkeypatch.setattr(workspace.os, "geteuid", lambda: 1000)
    command, note = workspace.jupyterlab_command(tmp_path / "01_a.ipynb", ["--port=9999"])
    assert "--allow-root" not in command and note is None and command[-1] == "--port=9999"


def test_a_first_edition_manifest_is_read_by_chapter_id(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / workspace.MANIFEST).write_text(json.dumps({"07_scaling.ipynb": "abc", "notes.ipynb": "x"}))
    assert workspace.read_manifest(work) == {"scaling": {"digest": "abc"}}
