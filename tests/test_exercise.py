"""The exercise contract (design §4) on toy exercises, and every rule of the diagnosis."""
import importlib
import math

import numpy as np
import pytest
import torch

from course_lib.machinery import chapters, record
from course_lib.machinery.diagnosis import compare, relation, show
from course_lib.machinery.exercise import (LENT_STYLE, PASSED_STYLE, Case, Exercise, ExerciseCrashed,
                                           ExerciseFailed, Mistake)


def reference(x):
    return np.cumsum(x)


toy = Exercise("1.1", "running_total", reference,
               [Case((np.arange(6.0),)), Case((np.array([2.0]),)), Case((np.array([1.0, 2.0, 3.0]),))],
               arg_names=("x",),
               mistakes=[Mistake("You returned the total, not the running total.", lambda x: np.sum(x) + 0 * x,
                                 detail="np.cumsum(x) adds up as it goes.")],
               hint="Add up as you go.", detail="Each entry is the sum of all entries up to it.")


def failure_of(check, function):
    with pytest.raises(ExerciseFailed) as caught:
        check(function)
    return str(caught.value)


# The contract: pass, not attempted, wrong, crash.
def test_pass_prints_one_line_and_returns_the_learners_function(capsys):
    def mine(x):
        return np.cumsum(np.asarray(x))
    assert toy(mine) is mine
    assert capsys.readouterr().out.strip() == "✓ Exercise 1.1 — running_total: 3 cases passed"
    assert record.load()["background"]["running_total"]["status"] == "passed"


def test_stub_is_not_attempted_and_the_reference_stands_in(capsys):
    def stub(x):
        raise NotImplementedError()
    assert toy(stub) is reference
    assert "not attempted" in capsys.readouterr().out
    assert record.load()["background"]["running_total"]["status"] == "not attempted"


def test_wrong_answer_shows_a_failing_case_expected_got_hint_and_how_to_move_on():
    message = failure_of(toy, lambda x: np.cumsum(x)[::-1] * 1.0)
    assert "wrong answer on 2 of 3 cases" in message  # [2] alone is right
    assert "input:    x=[1., 2., 3.]  (shape (3,))" in message
    assert "expected: [1., 3., 6.]  (shape (3,))" in message and "got:      [6., 3., 1.]" in message
    assert "reversed along axis 0" in message
    assert "make `raise NotImplementedError()` the function's body again" in message
    assert record.load()["background"]["running_total"]["status"] == "wrong"


def test_a_crash_is_reported_with_the_input_and_chained():
    def crashing(x):
        return x.nonexistent
    with pytest.raises(ExerciseCrashed, match=r"(?s)your function raised AttributeError: .*on input: x=\[2\.\]") as caught:
        toy(crashing)
    assert isinstance(caught.value.__cause__, AttributeError)


def test_the_message_is_all_a_notebook_shows():
    with pytest.raises(ExerciseFailed) as caught:
        toy(lambda x: -np.cumsum(x))
    rendered = caught.value._render_traceback_()
    assert rendered[0].startswith("ExerciseFailed: Exercise 1.1 — running_total") and len(rendered) == 1


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


# Hints in tiers: the nudge first, the detail on a repeated failure or on request.
def test_the_detailed_hint_comes_on_the_second_wrong_attempt_or_on_request(capsys):
    check = Exercise("1.1", "running_total", reference, [Case((np.arange(3.0),)), Case((np.arange(5.0),))],
                     mistakes=[Mistake("The total, not the running total.", lambda x: np.sum(x) + 0 * x,
                                       detail="np.cumsum(x).")], hint="Add up.")
    first = failure_of(check, lambda x: np.sum(x) + 0 * x)
    assert "The total, not the running total." in first and "np.cumsum(x)." not in first
    assert "a second wrong attempt, or check.hint(), gives a more detailed hint" in first
    check.hint()
    assert "np.cumsum(x)." in capsys.readouterr().out
    second = failure_of(check, lambda x: np.sum(x) + 0 * x)
    assert "more:     np.cumsum(x)." in second


# A listed mistake is named only when it explains every wrong answer.
def test_a_mistake_that_matches_one_degenerate_case_only_is_not_named():
    check = Exercise("1.1", "one_minus_sigmoid", lambda z: 1 / (1 + math.exp(z)),
                     [Case((0.0,)), Case((1.0,)), Case((-2.0,))],
                     mistakes=[Mistake("That is the sigmoid itself.", lambda z: 1 / (1 + math.exp(-z)))],
                     hint="1 - sigmoid(z).")
    message = failure_of(check, lambda z: 0.5 + 0 * z)  # equals both at z = 0, and neither elsewhere
    assert "sigmoid itself" not in message
    assert "sigmoid itself" in failure_of(check, lambda z: 1 / (1 + math.exp(-z)))


def test_the_case_shown_is_one_where_the_listed_mistakes_differ():
    check = Exercise("1.1", "cube", lambda n: n ** 3, [Case((1,)), Case((2,)), Case((3,))],
                     mistakes=[Mistake("Squared, not cubed.", lambda n: n ** 2), Mistake("Times three.", lambda n: 3 * n)])
    message = failure_of(check, lambda n: n ** 2)
    assert "input:    2" in message  # at n = 1, squared and the answer are both 1; at n = 2: 8, 4 and 6
    assert "Squared, not cubed." in message


def test_a_listed_mistake_that_crashes_where_the_learner_crashed_explains_the_crash():
    def forward(x, W):
        return x @ W
    check = Exercise("1.1", "forward", forward, [Case((np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.0, 1.0], [1.0, 0.0]]))),
                      Case((np.ones((2, 3)), np.ones((3, 4))))],
                     arg_names=("x", "W"), mistakes=[Mistake("W is (in, out): x @ W, not W @ x.", lambda x, W: W @ x)])
    assert "W is (in, out)" in failure_of(check, lambda x, W: W @ x)


# Structural diagnosis, for mistakes nobody listed.
ARRAYS = [np.array([[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]), np.array([[0.5, -1.0, 2.0], [3.0, 1.0, -2.0]])]


@pytest.mark.parametrize("wrong, words", [
    (lambda e: 2 * e, "twice the answer"),
    (lambda e: -e, "sign flipped"),
    (lambda e: e / math.log(10), "divided by ln 10"),
    (lambda e: e + 0.5, "all off by the same +0.5"),
    (lambda e: e.T, "the transpose of the answer"),
    (lambda e: e[:, ::-1], "reversed along axis 1"),
    (lambda e: np.roll(e, 1, axis=1), "shifted by one position along axis 1"),
    (lambda e: e.sum(axis=0), "missing an axis"),
    (lambda e: e[..., None], "the right values in the wrong shape: (2, 3, 1)"),
    (lambda e: np.stack([e, e], -1), "an extra axis"),
    (lambda e: e ** 2 * np.sign(e) ** 2, None),
    (lambda e: np.where(e == e.max(), np.inf, e), "NaN or inf where the answer is finite"),
    (lambda e: e.reshape(3, 2), "the right values in the wrong shape: (3, 2)"),
])
def test_a_relation_is_named_when_it_holds_on_every_wrong_answer(wrong, words):
    said = relation([(e, wrong(e)) for e in ARRAYS])
    if words is None:
        assert said is None or "square" not in said  # not a square: negative values
    else:
        assert said and words in said, said


def test_right_values_in_float32_get_no_relation():
    """A float32 answer (a 0-d tensor, say) that is right to rounding is not "off by the same +0"."""
    pairs = [(np.float64(1 / 3), np.float32(1 / 3)), (np.float64(0.1), np.float32(0.1))]
    assert relation([(np.asarray(e), np.asarray(g, dtype=np.float64)) for e, g in pairs]) is None


def test_normalising_along_the_wrong_axis_is_named():
    logits = [np.array([[1.0, 2.0, 0.5], [0.1, 0.2, 3.0]]), np.array([[2.0, -1.0, 0.0], [1.0, 1.0, 1.0]])]
    softmax = [np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) for z in logits]
    wrong = [np.exp(z) / np.exp(z).sum(axis=0, keepdims=True) for z in logits]
    assert relation(list(zip(softmax, wrong))) == "normalised along axis 0 instead of axis 1"


def test_a_factor_is_named_after_an_input_size():
    pairs = [(np.array([1.0, 2.0]), np.array([3.0, 6.0])), (np.array([2.0, 1.0]), np.array([10.0, 5.0]))]
    said = relation(pairs, {"len(x)": [3, 5]})
    assert "multiplied by len(x)" in said
    assert relation([(2.0, 6.0), (1.0, 3.0)], {"x.shape[0]": [3, 3]}) == "3 times the answer: a factor of x.shape[0]"


def test_a_relation_inside_a_tuple_names_the_element():
    pairs = [((1.0, np.array([1.0, 2.0])), (1.0, np.array([2.0, 4.0]))), ((3.0, np.array([5.0, 1.0])), (3.0, np.array([10.0, 2.0])))]
    assert relation(pairs) == "(in element 1 of what it returns) twice the answer"


def test_no_relation_is_claimed_where_none_holds():
    assert relation([(np.array([1.0, 2.0, 3.0]), np.array([1.0, 5.0, -2.0]))]) is None


# Types are part of the answer.
@pytest.mark.parametrize("expected, got, words", [
    (np.zeros(3), torch.zeros(3), "a torch tensor where a numpy array is asked"),
    (np.zeros(3), [0.0, 0.0, 0.0], "a list where a numpy array is asked"),
    (torch.zeros(2), np.zeros(2), "a numpy array where a torch tensor is asked"),
    (1.5, torch.tensor(1.5), "a torch tensor where a Python number is asked: take its value with .item()"),
    ([1.0, 2.0], [1.0, torch.tensor(2.0)], "element 1: a torch tensor where a Python number is asked"),
    (2.0, None, "did you forget the `return` statement?"),
    ((1.0, 2.0), (1.0,), "1 values where a tuple of 2 is asked"),
    (1.0, "1.0", "a str where a number is asked"),
])
def test_the_wrong_kind_of_answer_is_named(expected, got, words):
    assert words in compare(expected, got)


def test_what_the_next_cells_can_use_is_accepted():
    assert compare((1.0, 2.0), np.array([1.0, 2.0])) is None  # np.polyfit's array unpacks like a tuple
    assert compare((1.0, 2.0), [1.0, 2.0]) is None
    assert compare(2.0, np.float32(2.0)) is None and compare(3, 3.0) is None


def test_a_missing_return_gets_its_own_hint():
    assert "did you forget the `return` statement?" in failure_of(toy, lambda x: None)


@pytest.mark.parametrize("expected, got, fragment", [
    (np.zeros((2, 3)), np.zeros((3, 2)), "expected shape (2, 3), got shape (3, 2)"),
    (np.zeros(3), np.array([0, 0.5, 0]), "largest difference at index (1,)"),
    ({"a": 1.0}, {"b": 1.0}, "keys ['a']"),
    ("yes", "no", "expected 'yes', got 'no'"),
    ((1.0, 2.0), (1.0, 2.5), "element 1: expected 2.0, got 2.5"),
])
def test_compare_says_what_differs(expected, got, fragment):
    assert fragment in compare(expected, got)


def test_compare_accepts_matches_within_tolerance_and_nan():
    assert compare(1.0, 1.0 + 1e-9) is None
    assert compare(np.array([np.nan, 1.0]), np.array([np.nan, 1.0])) is None
    assert compare([1, "a"], (1, "a")) is None


# Messages a learner reads at a glance.
def test_show_keeps_shapes_and_integers_readable():
    long = show(np.arange(10_000.0).reshape(100, 100))
    assert long.endswith("(shape (100, 100))")
    assert show(np.float64(2.5)) == "2.5" and show(4) == "4" and show(4.0) == "4.0"
    assert show(1_000_000) == "1,000,000" and show(torch.ones(2)).startswith("tensor [1., 1.]")


def test_a_harnessed_crash_is_blamed_on_the_harness_and_says_what_it_reads():
    def harness(step):
        def run(n):
            return [step(i).data for i in range(n)]  # the harness reads .data of what the step returns
        return run
    check = Exercise("1.1", "step", lambda i: type("V", (), {"data": float(i)})(), [Case((2,))], harness=harness,
                     arg_names=("steps",), shows="(each step's loss)")
    with pytest.raises(ExerciseCrashed) as caught:
        check(lambda i: None)
    message = str(caught.value)
    assert "the check could not use what your function gave back: AttributeError" in message
    assert "reads (each step's loss) from it" in message


def test_a_shape_mismatch_crash_says_the_shape_convention():
    check = Exercise("1.1", "layer", lambda x, W: x @ W, [Case((np.ones((2, 3)), np.ones((3, 4))))],
                     arg_names=("x", "W"), shapes="x is (batch, in) and W is (in, out).")
    with pytest.raises(ExerciseCrashed) as caught:
        check(lambda x, W: np.dot(W, x))
    message = str(caught.value)
    assert "your function raised ValueError" in message
    assert "a shape mismatch. x is (batch, in) and W is (in, out). The inputs here: x (2, 3), W (3, 4)." in message


def contrast(foreground: str, background: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    light, dark = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("style", [PASSED_STYLE, LENT_STYLE])
def test_the_notices_are_readable_in_light_and_dark_themes(style):
    assert contrast(style["color"], style["background"]) >= 4.5  # the badge brings its own background


def test_lists_of_items_in_another_order_or_with_items_missing_are_named():
    assert relation([(["a", "b", "c"], ["c", "a", "b"])]) == "the right items in another order"
    assert relation([(["a", "b", "c"], ["a", "c"])]) == "missing some of the items asked for"
    assert relation([(["a"], ["a", "d"])]) == "the items asked for and some more"
    assert "a number where a string is asked" in compare(["a", "b"], [0, 1])


def test_an_exercise_can_name_its_own_telling_factors():
    check = Exercise("1.1", "months", lambda years: 12.0 * years, [Case((1.0,)), Case((2.5,))],
                     factors={365 / 12: "days where months are asked?"})
    assert "days where months are asked?" in failure_of(check, lambda years: 365.0 * years)


@pytest.mark.parametrize("wrong, words", [
    (lambda e: 1 / e, "the reciprocal of the answer"),
    (lambda e: np.log(e), "the natural log of the answer"),
    (lambda e: np.exp(e), "the exponential of the answer"),
    (lambda e: 1 - e, "one minus the answer"),
])
def test_a_simple_function_of_the_answer_is_named(wrong, words):
    answers = [np.array([0.2, 0.5, 0.9]), np.array([0.3, 0.7])]
    assert words in relation([(e, wrong(e)) for e in answers])


def test_a_single_wrong_number_is_given_no_relation_it_cannot_show():
    assert relation([(2.0, 3.3)]) is None  # a factor of 1.65, or an offset of 1.3: one number shows neither
    assert relation([(2.0, 3.3), (5.0, 7.1)]) is None  # each off by its own constant: trivially true of numbers
    assert relation([(2.0, 4.0), (5.0, 10.0)]) == "twice the answer"
    assert show({"a": 0.1 + 0.2}) == "{'a': 0.3}"


def test_a_list_of_numbers_is_read_as_an_array_and_a_reordered_tuple_is_named():
    losses = [0.7, 0.65, 0.62, 0.6]
    assert "shifted by one position" in relation([((losses, 0.5), (losses[1:] + [0.59], 0.5))])
    assert "another order" in relation([((9.0, 13.0, 3.0), (13.0, 9.0, 3.0)), ((1.0, 2.0, 5.0), (2.0, 1.0, 5.0))])
    assert relation([((9.0, 13.0, 3.0), (13.0, 9.0, 4.0))]) != relation([((9.0, 13.0), (13.0, 9.0))])


def test_wrong_kinds_inside_a_sequence_and_one_row_short_are_named():
    assert "element 0: a torch tensor where a Python number is asked" in compare([1.0, 2.0], [torch.tensor(1.0), 2.0])
    assert "one short along axis 0" in relation([(np.ones((3, 2)), np.ones((2, 2)))])
    assert "+0" not in (relation([(np.arange(3.0), np.arange(3.0))]) or "")  # equal values: no "constant +0"


def test_axes_in_another_order_are_named():
    x = np.arange(24.0).reshape(1, 2, 3, 4)
    assert "the axes in another order" in relation([(x, x.transpose(2, 0, 1, 3))])


@pytest.mark.parametrize("chapter", [c.id for c in chapters.CHAPTERS])
def test_every_exercise_nudges_first_and_keeps_the_code_level_hint_for_later(chapter):
    """Hints in tiers: a first wrong answer gets the nudge; the detail comes on a repeat or check.hint()."""
    for check in importlib.import_module(f"course_lib.exercises.{chapter}").EXERCISES:
        assert check.nudge and check.detail and check.nudge != check.detail, check.title
