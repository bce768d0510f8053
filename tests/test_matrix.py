"""The robustness matrix's choice of CI's daily paths."""
import datetime

from course_lib.machinery import chapters
from tests import matrix


def test_three_days_of_ci_perturb_every_chapter_once():
    days = [datetime.date(2026, 12, 1) + datetime.timedelta(days=k) for k in range(3)]
    picked = [matrix.of_the_day(day) for day in days]
    notebooks = [p for paths in picked for p in paths if p.startswith("solutions/")]
    assert sorted(notebooks) == sorted(f"solutions/{c.notebook}" for c in chapters.CHAPTERS)
    assert all(any(p.startswith("tests/test_exercises_") for p in paths) for paths in picked)
    assert matrix.of_the_day(days[0]) == matrix.of_the_day(days[0] + datetime.timedelta(days=3))
