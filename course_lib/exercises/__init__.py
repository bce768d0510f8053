"""Exercise checks and quiz of each chapter: one module per chapter (ch01, ch02, ...).

This package sits on top of the library: each chapter's module imports what its checks
need from the wings below, and ``progress()`` lists them all.
"""
from __future__ import annotations

import importlib
import pkgutil

from course_lib.machinery import record


def chapters() -> dict[str, list[tuple[str, str]]]:
    """Every chapter's exercises and quiz, as {chapter title: [(key, name), ...]}."""
    found = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{info.name}")
        items = [(e.number, e.name) for e in getattr(module, "EXERCISES", [])]
        if hasattr(module, "QUIZ"):
            items.append((module.QUIZ.key, "quiz"))
        found[getattr(module, "TITLE", info.name)] = items
    return found


def progress() -> None:
    """Print what you have done so far, chapter by chapter."""
    record.show(chapters())
