"""Self-check quizzes: multiple choice, with an explanation for every option.

In JupyterLab a quiz is a widget: press an option's letter and its explanation appears at
once. Where widgets cannot be shown (a terminal, nbconvert, a plain viewer) the same quiz
prints as text, and ``QUIZ.answer(question, letter)`` checks an answer.

Questions are written with the correct option anywhere; the quiz places each question's
correct option itself, spread over the letters (a fixed seed per chapter, so the order is
the same in every run and in the slides), so that its position tells nothing. Prompts,
options and explanations may use inline Markdown (`code`, *emphasis*, **bold**) and $maths$.
"""
from __future__ import annotations

import random
import re
import zlib
from dataclasses import dataclass, replace
from html import escape
from typing import Sequence

from course_lib.machinery import chapters, record

LETTERS = "abcdefgh"
RIGHT, WRONG = "<b style='color:#1a7f37'>✓ Right.</b>", "<b style='color:#cf222e'>✗ Not quite.</b>"


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

    @property
    def correct(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.correct)


def placed(questions: Sequence[Question], seed: str) -> tuple[Question, ...]:
    """The questions with their options shuffled, each correct option at the letter used least
    so far among those the question has (ties drawn at random): spread, yet unpredictable."""
    rng, used, out = random.Random(zlib.crc32(seed.encode())), [0] * len(LETTERS), []
    for question in questions:
        wrong = [o for o in question.options if not o.correct]
        rng.shuffle(wrong)
        fewest = min(used[: len(question.options)])
        at = rng.choice([i for i in range(len(question.options)) if used[i] == fewest])
        used[at] += 1
        out.append(replace(question, options=tuple(wrong[:at] + [question.options[question.correct]] + wrong[at:])))
    return tuple(out)


def inline_html(text: str) -> str:
    """Inline Markdown as HTML: `code`, **bold**, *emphasis*; $maths$ is left for MathJax."""
    parts = re.split(r"(`[^`]+`|\$[^$]+\$)", text)
    out = []
    for part in parts:
        if part.startswith("`") and part.endswith("`") and len(part) > 1:
            out.append(f"<code>{escape(part[1:-1])}</code>")
        elif part.startswith("$") and part.endswith("$") and len(part) > 1:
            out.append(escape(part))
        else:
            part = escape(part)
            part = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", part)
            out.append(re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<i>\1</i>", part))
    return "".join(out)


class Quiz:
    """A chapter's questions shown as a widget, with a plain-text fallback."""

    def __init__(self, chapter: str, questions: Sequence[Question], title: str | None = None):
        if not questions:
            raise ValueError("a quiz needs at least one question")
        number = chapters.by_id(chapter).number
        self.chapter, self.questions = chapter, placed(questions, chapter)
        self.title = title or f"Self-check: chapter {number:02d}"
        self.answers: dict[int, bool] = {}

    def answer(self, question: int, letter: str) -> bool:
        """Check your answer to question ``question`` (1-based), e.g. ``QUIZ.answer(2, 'c')``."""
        if not isinstance(question, int) or not 1 <= question <= len(self.questions):
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
        """The quiz as ipywidgets: per question, a button per option; pressing one explains it."""
        import ipywidgets as widgets
        blocks = [widgets.HTML(f"<h4>{escape(self.title)}</h4>")]
        for n, q in enumerate(self.questions, 1):
            feedback = widgets.HTMLMath()
            buttons = [widgets.Button(description=letter, layout=widgets.Layout(width="2.6em", flex="none"),
                                      tooltip=f"answer {letter}") for letter in LETTERS[: len(q.options)]]

            def choose(button, n=n, q=q, buttons=buttons, feedback=feedback):
                option = q.options[buttons.index(button)]
                for other in buttons:
                    other.button_style = ""
                button.button_style = "success" if option.correct else "danger"
                feedback.value = f"{RIGHT if option.correct else WRONG} {inline_html(option.why)}"
                self.score(n, option.correct)

            rows = []
            for button, option in zip(buttons, q.options):
                button.on_click(choose)
                rows.append(widgets.HBox([button, widgets.HTMLMath(inline_html(option.text),
                                                                    layout=widgets.Layout(flex="1"))],
                                         layout=widgets.Layout(align_items="center")))
            blocks += [widgets.HTMLMath(f"<div style='margin-top:0.9em'><b>{n}. {inline_html(q.prompt)}</b></div>"),
                       *rows, feedback]
        return widgets.VBox(blocks, layout=widgets.Layout(max_width="60em"))

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = {"text/plain": self.text()}
        try:
            bundle.update({k: v for k, v in self.widget()._repr_mimebundle_().items() if k != "text/plain"})
        except ImportError:
            pass
        return bundle
