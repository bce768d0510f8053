"""The exercise contract (design §4) as tests, shared by every chapter's test module.

A chapter's tests list, for each check, the wrong implementations it must catch and
the hint each must get, then generate the standard tests:

    CHECKS = {checks.check_fit_exponential: [(fit_natural_log, "not the natural log"), ...], ...}
    test_reference_and_stub, test_wrong_is_caught, test_all_covered = contract_tests(CHECKS, checks)
"""
import pytest

from course_lib.machinery import chapters
from course_lib.machinery.exercise import ExerciseCrashed, ExerciseFailed


def stub(*args, **kwargs):
    raise NotImplementedError()


def contract_tests(checks: dict, chapter):
    """Tests that every check passes its reference, reports a stub, and catches each wrong answer."""
    number = str(chapters.by_id(chapter.CHAPTER).number)

    @pytest.mark.parametrize("check", checks, ids=lambda c: c.name)
    def test_reference_passes_and_stub_is_not_attempted(check, capsys):
        assert check(check.reference) is check.reference
        assert "cases passed" in capsys.readouterr().out
        assert check(stub) is check.reference
        assert "not attempted" in capsys.readouterr().out

    @pytest.mark.parametrize("check, wrong, hint", [(c, w, h) for c, pairs in checks.items() for w, h in pairs],
                             ids=lambda x: getattr(x, "__name__", None) or getattr(x, "name", "hint"))
    @pytest.mark.filterwarnings("ignore::RuntimeWarning")  # overflowing mistakes warn, as they would for a learner
    def test_wrong_implementation_is_caught_with_its_hint(check, wrong, hint):
        with pytest.raises(ExerciseFailed) as caught:
            check(wrong)
        message = str(caught.value)
        assert hint in message
        assert "input:" in message and "expected:" in message and "got:" in message

    @pytest.mark.parametrize("check, mistake", [(c, m) for c in checks for m in c.mistakes],
                             ids=lambda x: getattr(x, "name", None) or getattr(x, "hint", "")[:40])
    @pytest.mark.filterwarnings("ignore::RuntimeWarning")
    def test_every_listed_mistake_is_told_apart_by_the_cases_and_named(check, mistake):
        """The cases separate each listed mistake from the reference: made, it is caught and named."""
        with pytest.raises((ExerciseFailed, ExerciseCrashed)) as caught:
            check(mistake.answer)
        assert mistake.hint in str(caught.value)

    def test_every_exercise_is_checked_against_wrong_answers():
        assert set(checks) == set(chapter.EXERCISES) and len(chapter.EXERCISES) >= 3
        assert all(len(pairs) >= 2 for pairs in checks.values())
        assert [e.number for e in chapter.EXERCISES] == [f"{number}.{k}" for k in range(1, len(checks) + 1)]
        assert len(chapter.QUIZ.questions) >= 5
        assert all(len(option.why) > 15 for q in chapter.QUIZ.questions for option in q.options)

    return (test_reference_passes_and_stub_is_not_attempted, test_wrong_implementation_is_caught_with_its_hint,
            test_every_listed_mistake_is_told_apart_by_the_cases_and_named,
            test_every_exercise_is_checked_against_wrong_answers)
