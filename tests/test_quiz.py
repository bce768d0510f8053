"""Quizzes: validation, the text fallback, answering in code, and the widget's feedback."""
import pytest

from course_lib.machinery import record
from course_lib.machinery.quiz import Option, Question, Quiz


def make_quiz():
    return Quiz("background", title="Test quiz", questions=[
        Question("2 + 2?", [Option("4", True, "Two and two make four."), Option("5", False, "One too many.")]),
        Question("Capital of France?", [Option("Lyon", False, "A large city, not the capital."),
                                        Option("Paris", True, "Paris is the capital.")]),
    ])


def test_answer_explains_the_chosen_option_and_records_the_score(capsys):
    quiz = make_quiz()
    assert quiz.answer(1, "b") is False
    assert "One too many." in capsys.readouterr().out
    assert record.load()["background"]["quiz"]["status"] == "1 of 2 answered, 0 right"
    assert quiz.answer(1, "A") and quiz.answer(2, "b")
    assert record.load()["background"]["quiz"]["status"] == "passed"


@pytest.mark.parametrize("question, letter, message", [
    (3, "a", "question must be 1 to 2"), (1, "c", "one of a, b"), (1, 2, "one of a, b")])
def test_answer_rejects_bad_input(question, letter, message):
    with pytest.raises(ValueError, match=message):
        make_quiz().answer(question, letter)


@pytest.mark.parametrize("options, message", [
    ([Option("a", True, "why")], "2 to 8 options"),
    ([Option("a", True, "why"), Option("b", True, "why")], "exactly one correct"),
    ([Option("a", True, "why"), Option("b", False, " ")], "every option needs an explanation"),
])
def test_questions_must_be_well_formed(options, message):
    with pytest.raises(ValueError, match=message):
        Question("?", options)


def test_the_display_has_a_widget_and_a_plain_text_fallback():
    bundle = make_quiz()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "1. 2 + 2?" in bundle["text/plain"] and "b) Paris" in bundle["text/plain"]
    assert "QUIZ.answer(1, 'b')" in bundle["text/plain"]


def test_picking_an_option_in_the_widget_shows_its_explanation():
    quiz = make_quiz()
    box = quiz.widget()
    radios = [w for w in box.children if hasattr(w, "options")]
    feedback = box.children[box.children.index(radios[1]) + 1]
    radios[1].value = 1
    assert "Right" in feedback.value and "Paris is the capital." in feedback.value
    radios[1].value = 0
    assert "Not quite" in feedback.value and "not the capital" in feedback.value
    assert quiz.answers == {2: False}
