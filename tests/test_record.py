"""The learner's progress record, its conversion from the first edition, and the progress view."""
import json
import re

import pytest

from course_lib import progress
from course_lib.machinery import record


@pytest.fixture
def record_file(tmp_path, monkeypatch):
    path = tmp_path / "sub" / "progress.json"
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(path))
    return path


def test_saving_keeps_the_latest_status_per_exercise(record_file):
    record.save("background", "fit", "wrong")
    record.save("background", "fit", "passed")
    state = json.loads(record_file.read_text())
    assert state["version"] == 2 and state["chapters"]["background"]["fit"]["status"] == "passed"


def test_a_corrupt_record_starts_afresh(record_file):
    record_file.parent.mkdir()
    record_file.write_text("{not json")
    assert record.load() == {}
    record.save("background", "x", "passed")
    assert record.load()["background"]["x"]["status"] == "passed"


def test_an_unwritable_record_never_stops_a_chapter(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("COURSE_PROGRESS_FILE", str(blocker / "progress.json"))
    record.save("background", "fit", "passed")  # no exception


def test_a_first_edition_record_is_converted_once_and_backed_up(record_file):
    old = {"7.1": {"name": "fit_power_law", "status": "passed", "time": "2026-01-01T00:00:00+00:00"},
           "quiz 08": {"name": "quiz", "status": "3/8 right", "time": "2026-01-02T00:00:00+00:00"},
           "1.2": {"name": "doubling_time_months", "status": "wrong", "time": "2026-01-03T00:00:00+00:00"}}
    record_file.parent.mkdir()
    record_file.write_text(json.dumps(old))
    chapters = record.load()
    assert chapters["scaling"]["fit_power_law"] == {"status": "passed", "time": "2026-01-01T00:00:00+00:00"}
    assert chapters["interpretability"]["quiz"]["status"] == "3/8 right"
    assert chapters["background"]["doubling_time_months"]["status"] == "wrong"
    assert json.loads(record_file.with_name("progress.v1.json").read_text()) == old
    assert json.loads(record_file.read_text())["version"] == 2
    record.save("scaling", "fit_power_law", "wrong")  # the converted record is the one in use
    assert record.load()["scaling"]["fit_power_law"]["status"] == "wrong"
    assert json.loads(record_file.with_name("progress.v1.json").read_text()) == old


def test_the_progress_view_shows_one_chapter_in_full_and_a_line_for_each_other(record_file, capsys):
    record.save("background", "doubling_time_months", "passed")
    record.save("background", "growth_factor", "wrong")
    record.save("scaling", "fit_power_law", "passed")
    progress("background")
    out = capsys.readouterr().out
    assert re.search(r"^01 From AI to large models +1 of 5 done$", out, re.M)  # aligned with the other chapters
    assert "✓ 1.2" in out and "✗ 1.3" in out and "quiz" in out and "not yet" in out
    assert "08 Scaling" in out and "1 of 7 done" in out and "8.1" not in out
    progress()
    out = capsys.readouterr().out
    assert "✓ 8.1" in out and re.search(r"^11 Interpretability +0 of 7 done$", out, re.M)


def test_the_progress_view_rejects_an_unknown_chapter():
    with pytest.raises(KeyError, match="no chapter has the id 'scalng'"):
        progress("scalng")
