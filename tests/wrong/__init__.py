"""Wrong implementations a learner might write, kept to measure the exercise feedback.

One module per chapter, named by its id, holds ``WRONG``: a list of ``Wrong`` entries, at least
three per exercise, none of them a mistake the check lists nor one of the wrong answers in
tests/test_exercises_<id>.py. tests/test_feedback.py runs each through its check and counts
how often the message names the mistake actually made; it is a measurement, so write an
entry for a mistake learners make, not for one the checks happen to diagnose.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Wrong:
    check: object        # the exercise check, e.g. checks.check_softmax
    answer: Callable     # the learner's wrong function (or object the check's harness takes)
    mistake: str         # what the learner did, in words
    named_by: str = ""   # a fragment of the message that names that mistake; "" if no hint can
