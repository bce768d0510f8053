"""Exercise checks and quiz of each chapter: one module per chapter, named by its id
(``course_lib.exercises.scaling`` holds chapter 08's).

This package sits on top of the library: each chapter's module imports what its checks
need from the wings below, and ``progress()`` lists them all.
"""
from __future__ import annotations

import importlib
import pkgutil

from course_lib.machinery import chapters, record


def catalogue() -> list[tuple[str, str, list[tuple[str, str]]]]:
    """Every chapter's exercises and quiz, in course order: [(chapter id, label, [(number, name), ...])]."""
    found = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        items = [(e.number, e.name) for e in module.EXERCISES]
        if hasattr(module, "QUIZ"):
            items.append(("", "quiz"))  # the self-check has no exercise number
        found[module.CHAPTER] = items
    return [(c.id, c.label, found[c.id]) for c in chapters.CHAPTERS if c.id in found]


def progress(chapter: str | None = None) -> None:
    """Print what you have done so far: every exercise of ``chapter`` (a chapter id such as
    "scaling"; all chapters if None), and one line for each other chapter."""
    if chapter is not None:
        chapters.by_id(chapter)  # a clear error for an unknown id
    record.show(catalogue(), chapter)
