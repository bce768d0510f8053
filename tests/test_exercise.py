"""The exercise contract (design §4), on a toy exercise: pass, not attempted, wrong, crash."""
import numpy as np
import pytest

from course_lib.machinery import record
from course_lib.machinery.exercise import Case, Exercise, ExerciseCrashed, ExerciseFailed, Mistake, compare, show


def reference(x):
    return np.cumsum(x)


toy = Exercise("1.1", "running_total", reference,
               [Case((np.arange(6.0),)), Case((np.array([2.0]),)), Case(([1.0, 2.0, 3.0],))],
               arg_names=("x",),
               mistakes=[Mistake("You returned the total, not the running total.", lambda x: np.sum(x))],
               hint="Add up as you go.")


def test_pass_prints_one_green_line_and_returns_the_learners_function(capsys):
    def mine(x):
        return np.cumsum(np.asarray(x))
    assert toy(mine) is mine
    assert capsys.readouterr().out.strip() == "\033[32m✓ Exercise 1.1 — running_total: 3 cases passed\033[0m"
    assert record.load()["background"]["running_total"]["status"] == "passed"


def test_stub_is_not_attempted_and_the_reference_stands_in(capsys):
    def stub(x):
        raise NotImplementedError()
    assert toy(stub) is reference
    assert "not attempted" in capsys.readouterr().out
    assert record.load()["background"]["running_total"]["status"] == "not attempted"


def test_wrong_answer_names_the_smallest_failing_case_expected_got_and_the_hint():
    def wrong(x):
        return np.cumsum(x)[::-1]
    with pytest.raises(ExerciseFailed) as caught:
        toy(wrong)
    message = str(caught.value)
    assert "case 2 of 3" in message  # [1, 2, 3] fails; [2] alone does not
    assert "input:    x=[1.0, 2.0, 3.0]" in message
    assert "expected: [1., 3., 6.]" in message and "got:      [6., 3., 1.]" in message
    assert "hint:     Add up as you go." in message
    assert record.load()["background"]["running_total"]["status"] == "wrong"


def test_a_known_mistake_gets_its_own_hint():
    with pytest.raises(ExerciseFailed, match="You returned the total, not the running total"):
        toy(lambda x: np.sum(x))


def test_a_crash_is_reported_with_the_input_and_chained():
    def crashing(x):
        return x.nonexistent
    with pytest.raises(ExerciseCrashed, match=r"(?s)your function raised AttributeError: .*on input: x=\[2\.\]") as caught:
        toy(crashing)
    assert isinstance(caught.value.__cause__, AttributeError)


def test_a_function_that_changes_its_input_does_not_spoil_later_cases():
    def mutating(x):
        total = np.cumsum(x)
        x[0] = 100.0
        return total
    assert toy(mutating) is mutating
    assert [float(case.args[0][0]) for case in toy.cases()] == [2.0, 1.0, 0.0]


def test_passing_something_that_is_not_a_function_is_explained():
    with pytest.raises(TypeError, match="pass your function itself"):
        toy(3)


@pytest.mark.parametrize("expected, got, fragment", [
    ((1.0, 2.0), (1.0,), "a tuple of 2 values"),
    ((1.0, 2.0), (1.0, 2.5), "element 1: expected 2.0, got 2.5"),
    (np.zeros((2, 3)), np.zeros((3, 2)), "expected shape (2, 3), got shape (3, 2)"),
    (np.zeros(3), np.array([0, 0.5, 0]), "largest difference at index (1,)"),
    (1.0, "1.0", "expected a number, got str"),
    ({"a": 1.0}, {"b": 1.0}, "keys ['a']"),
    ("yes", "no", "expected 'yes', got 'no'"),
])
def test_compare_says_what_differs(expected, got, fragment):
    assert fragment in compare(expected, got)


def test_compare_accepts_matches_within_tolerance_and_nan():
    assert compare(1.0, 1.0 + 1e-9) is None
    assert compare(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None
    assert compare([1, "a"], (1, "a")) is None


def test_show_keeps_messages_short():
    assert len(show(np.arange(10_000.0))) <= 160
    assert show(np.float64(2.5)) == "2.5"
