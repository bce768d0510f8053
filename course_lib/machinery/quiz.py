"""Self-check quizzes: multiple choice, with an explanation for every option.

In JupyterLab a quiz is a widget: pick an option and its explanation appears at
once. Where widgets cannot be shown (a terminal, nbconvert, a plain viewer) the
same quiz prints as text, and ``quiz.answer(question, letter)`` checks an answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Sequence

from course_lib.machinery import chapters, record

LETTERS = "abcdefgh"
# Radio-button labels are one fixed-height line by default: a long option would run over the next one.
WRAP_LONG_OPTIONS = (".widget-radio-box label {display: flex; flex-direction: row-reverse; justify-content: flex-end; "
                     "align-items: flex-start; white-space: normal; height: auto; line-height: 1.35; "
                     "margin-bottom: 4px} .widget-radio-box input {float: none; flex: none; margin: 2px 8px 0 1px}")


@dataclass(frozen=True)
class Option:
    text: str
    correct: bool
    why: str


@dataclass(frozen=True)
class Question:
    prompt: str
    options: Sequence[Option]

    def __post_init__(self):
        if not 2 <= len(self.options) <= len(LETTERS):
            raise ValueError(f"question {self.prompt!r} needs 2 to {len(LETTERS)} options, has {len(self.options)}")
        if sum(o.correct for o in self.options) != 1:
            raise ValueError(f"question {self.prompt!r} needs exactly one correct option")
        if any(not o.why.strip() for o in self.options):
            raise ValueError(f"question {self.prompt!r}: every option needs an explanation")


class Quiz:
    """A list of questions shown as a widget, with a plain-text fallback."""

    def __init__(self, chapter: str, questions: Sequence[Question], title: str | None = None):
        if not questions:
            raise ValueError("a quiz needs at least one question")
        self.chapter, self.questions = chapters.by_id(chapter).id, tuple(questions)
        self.title = title or f"Self-check: chapter {chapters.by_id(chapter).number:02d}"
        self.answers: dict[int, bool] = {}

    def answer(self, question: int, letter: str) -> bool:
        """Check your answer to question ``question`` (1-based), e.g. ``quiz.answer(2, 'c')``."""
        if not 1 <= question <= len(self.questions):
            raise ValueError(f"question must be 1 to {len(self.questions)}, got {question!r}")
        options = self.questions[question - 1].options
        letters = LETTERS[: len(options)]
        if not isinstance(letter, str) or letter.lower() not in letters:
            raise ValueError(f"answer with one of {', '.join(letters)}; got {letter!r}")
        option = options[letters.index(letter.lower())]
        print(("✓ Right. " if option.correct else "✗ Not quite. ") + option.why)
        self.score(question, option.correct)
        return option.correct

    def score(self, question: int, correct: bool) -> None:
        self.answers[question] = correct
        right, total = sum(self.answers.values()), len(self.questions)
        status = "passed" if right == total else f"{len(self.answers)} of {total} answered, {right} right"
        record.save(self.chapter, "quiz", status)

    def text(self) -> str:
        lines = [self.title, ""]
        for n, q in enumerate(self.questions, 1):
            lines.append(f"{n}. {q.prompt}")
            lines += [f"   {letter}) {o.text}" for letter, o in zip(LETTERS, q.options)]
            lines.append("")
        lines.append("Answer in code, e.g. QUIZ.answer(1, 'b'), to see the explanation.")
        return "\n".join(lines)

    def widget(self):
        """The quiz as ipywidgets: one block per question, explanations on selection."""
        import ipywidgets as widgets
        blocks = [widgets.HTML(f"<style>{WRAP_LONG_OPTIONS}</style><h4>{escape(self.title)}</h4>")]
        for n, q in enumerate(self.questions, 1):
            choice = widgets.RadioButtons(options=[(o.text, i) for i, o in enumerate(q.options)], value=None,
                                          layout=widgets.Layout(width="auto"))
            feedback = widgets.HTML()

            def explain(change, n=n, q=q, feedback=feedback):
                if change["new"] is None:
                    return
                option = q.options[change["new"]]
                mark = "<b style='color:#1a7f37'>✓ Right.</b>" if option.correct else "<b style='color:#cf222e'>✗ Not quite.</b>"
                feedback.value = f"{mark} {escape(option.why)}"
                self.score(n, option.correct)

            choice.observe(explain, names="value")
            blocks += [widgets.HTML(f"<b>{n}. {escape(q.prompt)}</b>"), choice, feedback]
        return widgets.VBox(blocks)

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.text()}
        try:
            bundle.update({k: v for k, v in self.widget()._repr_mimebundle_().items() if k != "text/plain"})
        except ImportError:
            pass
        return bundle
