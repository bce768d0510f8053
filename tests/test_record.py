"""The learner's progress record and the progress view across chapters."""
import json

from course_lib import progress
from course_lib.machinery import record


def test_saving_keeps_the_latest_status_per_exercise(tmp_path, monkeypatch):
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "sub" / "progress.json"))
    record.save("1.1", "fit", "wrong")
    record.save("1.1", "fit", "passed")
    state = json.loads((tmp_path / "sub" / "progress.json").read_text())
    assert state["1.1"]["status"] == "passed" and state["1.1"]["name"] == "fit"


def test_a_corrupt_record_starts_afresh(tmp_path, monkeypatch):
    path = tmp_path / "progress.json"
    path.write_text("{not json")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    assert record.load() == {}
    record.save("1.2", "x", "passed")
    assert record.load()["1.2"]["status"] == "passed"


def test_an_unwritable_record_never_stops_a_chapter(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(blocker / "progress.json"))
    record.save("1.1", "fit", "passed")  # no exception


def test_the_progress_view_lists_every_chapter_exercise_and_quiz(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(tmp_path / "progress.json"))
    record.save("1.2", "doubling_time_months", "passed")
    record.save("1.3", "growth_factor", "wrong")
    progress()
    out = capsys.readouterr().out
    assert "01 From AI to large models  (1/5 done)" in out
    assert "✓ 1.2" in out and "✗ 1.3" in out and "quiz 01" in out and "not yet" in out
