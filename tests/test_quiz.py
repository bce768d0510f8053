"""Quizzes: validation, placement of the right answers, Markdown, the text fallback, answering
in code, and the widget's feedback."""
import importlib
from collections import Counter

import pytest

from course_lib.machinery import chapters, record
from course_lib.machinery.quiz import Option, Question, Quiz, inline_html, placed


def make_quiz():
    return Quiz("background", title="Test quiz", questions=[
        Question("2 + 2?", [Option("4", True, "Two and two make four."), Option("5", False, "One too many.")]),
        Question("Capital of France?", [Option("Lyon", False, "A large city, not the capital."),
                                        Option("Paris", True, "Paris is the capital.")]),
    ])


def letter_of(quiz, question, correct=True):
    options = quiz.questions[question - 1].options
    return "abcdefgh"[next(i for i, o in enumerate(options) if o.correct == correct)]


def test_answer_explains_the_chosen_option_and_records_answered_and_right(capsys):
    quiz = make_quiz()
    assert quiz.answer(1, letter_of(quiz, 1, correct=False)) is False
    assert "One too many." in capsys.readouterr().out
    assert record.load()["background"]["quiz"]["status"] == "1 of 2 answered, 0 right"
    assert quiz.answer(1, letter_of(quiz, 1).upper()) and quiz.answer(2, letter_of(quiz, 2))
    assert record.load()["background"]["quiz"]["status"] == "passed"


@pytest.mark.parametrize("question, letter, message", [
    (3, "a", "question must be 1 to 2"), (1, "c", "one of a, b"), (1, 2, "one of a, b"), ("1", "a", "question must")])
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


def test_the_right_answers_are_spread_over_the_letters_the_same_way_every_time():
    questions = [Question(f"q{i}", [Option(f"right {i}", True, "r"), Option("x", False, "x"), Option("y", False, "y")])
                 for i in range(9)]
    first = placed(questions, "background")
    assert Counter(q.correct for q in first) == {0: 3, 1: 3, 2: 3}
    assert [q.correct for q in placed(questions, "background")] == [q.correct for q in first]
    assert [q.options[q.correct].text for q in first] == [f"right {i}" for i in range(9)]


@pytest.mark.parametrize("chapter", [c.id for c in chapters.CHAPTERS])
def test_no_chapter_quiz_gives_its_answers_away_by_position(chapter):
    quiz = importlib.import_module(f"course_lib.exercises.{chapter}").QUIZ
    positions = Counter(q.correct for q in quiz.questions)
    assert max(positions.values()) <= -(-len(quiz.questions) // 2), positions  # at most half on one letter
    assert len(positions) >= 2


@pytest.mark.parametrize("chapter", [c.id for c in chapters.CHAPTERS])
def test_no_chapter_quiz_gives_its_answers_away_by_length(chapter):
    """The right option is the longest (a tie counts) in at most half of a chapter's questions."""
    quiz = importlib.import_module(f"course_lib.exercises.{chapter}").QUIZ
    longest = [q.prompt[:50] for q in quiz.questions
               if max(len(o.text) for o in q.options if o.correct) >= max(len(o.text) for o in q.options if not o.correct)]
    assert len(longest) <= len(quiz.questions) / 2, longest


def test_inline_markdown_is_rendered_and_maths_left_for_mathjax():
    assert inline_html("the *reverse* of `x.grad`, **not** $a < b$") == \
        "the <i>reverse</i> of <code>x.grad</code>, <b>not</b> $a &lt; b$"
    assert inline_html("2 * 3 * 4 and a*b") == "2 * 3 * 4 and a*b"


def test_the_display_has_a_widget_and_a_plain_text_fallback_naming_QUIZ():
    bundle = make_quiz()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "1. 2 + 2?" in bundle["text/plain"] and ") Paris" in bundle["text/plain"]
    assert "QUIZ.answer(1, 'b')" in bundle["text/plain"]


def test_pressing_an_option_in_the_widget_shows_its_explanation():
    quiz = make_quiz()
    box = quiz.widget()
    rows = [w for w in box.children if getattr(w, "children", None) and hasattr(w.children[0], "on_click")]
    second = rows[2:4]  # question 2's two options
    right = next(row for row in second if "Paris" in row.children[1].value)
    wrong = next(row for row in second if "Lyon" in row.children[1].value)
    feedback = box.children[box.children.index(second[-1]) + 1]
    right.children[0].click()
    assert "Right" in feedback.value and "Paris is the capital." in feedback.value
    assert right.children[0].button_style == "success"
    wrong.children[0].click()
    assert "Not quite" in feedback.value and "not the capital" in feedback.value
    assert wrong.children[0].button_style == "danger" and right.children[0].button_style == ""
    assert quiz.answers == {2: False}
