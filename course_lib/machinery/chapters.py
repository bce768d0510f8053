"""The chapters of the course, in order: each one's number, stable id and title.

A chapter's number is its place in the course and may change when chapters are added;
its **id** never changes. The id names the notebook (``NN_id.ipynb``, also stored in its
metadata as ``course.chapter``), the chapter's checks (``course_lib.exercises.<id>``) and
its entries in the learner's progress record, so a learner's work follows a renumbering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Chapter:
    number: int
    id: str
    title: str

    @property
    def notebook(self) -> str:
        """The chapter's file name in solutions/, notebooks/ and the learner's work/."""
        return f"{self.number:02d}_{self.id}.ipynb"

    @property
    def label(self) -> str:
        return f"{self.number:02d} {self.title}"


CHAPTERS = (
    Chapter(1, "background", "From AI to large models"),
    Chapter(2, "concepts", "Parameters, model size, compute and memory"),
    Chapter(3, "forward_pass", "The forward pass"),
    Chapter(4, "backprop", "Backpropagation"),
    Chapter(5, "gradient_descent", "Gradient descent and optimizers"),
    Chapter(6, "tiny_language_model", "A tiny language model"),
    Chapter(7, "tokens", "Sub-word tokens"),
    Chapter(8, "scaling", "Scaling"),
    Chapter(9, "serving", "Smaller and faster"),
    Chapter(10, "assistant", "From a language model to an assistant"),
    Chapter(11, "interpretability", "Interpretability"),
    Chapter(12, "open_problems", "Open problems and review"),
)
NOTEBOOK_NAME = re.compile(r"^(\d\d)_([a-z][a-z0-9_]*)\.ipynb$")


def by_id(chapter_id: str) -> Chapter:
    for chapter in CHAPTERS:
        if chapter.id == chapter_id:
            return chapter
    raise KeyError(f"no chapter has the id {chapter_id!r}; the ids are {', '.join(c.id for c in CHAPTERS)}")


def by_number(number: int) -> Chapter:
    for chapter in CHAPTERS:
        if chapter.number == number:
            return chapter
    raise KeyError(f"no chapter {number:02d}; the chapters are {', '.join(f'{c.number:02d}' for c in CHAPTERS)}")


def id_of(file_name: str) -> str | None:
    """The chapter id in a notebook's file name (``08_scaling.ipynb`` -> ``scaling``), else None."""
    match = NOTEBOOK_NAME.match(file_name)
    return match.group(2) if match else None
