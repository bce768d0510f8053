"""How well the exercise feedback names the mistake a learner made, measured on tests/wrong/.

Every entry must be caught (ExerciseFailed or ExerciseCrashed); none may get the hint of a
listed mistake it did not make; and per chapter, at least 60% must get a message that names
their mistake (the entry's ``named_by`` fragment). The table is printed at the end of the run
and written to build/feedback.json.
"""
import importlib
import pkgutil
import warnings
from collections import defaultdict

import pytest

import tests.wrong as package
from course_lib.machinery import chapters
from course_lib.machinery.exercise import ExerciseCrashed, ExerciseFailed, run
from course_lib.machinery.diagnosis import compare

MODULES = {info.name: importlib.import_module(f"{package.__name__}.{info.name}")
           for info in pkgutil.iter_modules(package.__path__)}
ENTRIES = [(name, i, w) for name, module in MODULES.items() for i, w in enumerate(module.WRONG)]


def message_for(wrong) -> tuple[bool, str]:
    wrong.check.failures = 0  # every entry is a learner's first attempt
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            wrong.check(wrong.answer)
        except (ExerciseFailed, ExerciseCrashed) as caught:
            return True, str(caught)
    return False, ""


def hint_line(message: str) -> str:
    return next((line.split("hint:", 1)[1].strip() for line in message.splitlines() if "hint:" in line), "")


@pytest.mark.parametrize("chapter, index, wrong", ENTRIES, ids=lambda x: x if isinstance(x, str) else None)
def test_every_wrong_implementation_is_caught_and_never_misnamed(chapter, index, wrong, record_property):
    caught, message = message_for(wrong)
    named = bool(wrong.named_by) and wrong.named_by in message
    listed = [m.hint for m in wrong.check.mistakes]
    misnamed = caught and not named and any(hint_line(message).startswith(h) for h in listed)
    record_property("feedback", {"chapter": chapter, "entries": 1, "caught": int(caught), "named": int(named),
                                 "misnamed": int(misnamed)})  # the table at the end of the run (course_plugin)
    assert caught, f"{wrong.mistake!r} passed the check {wrong.check.title}"
    assert not misnamed, f"{wrong.mistake!r} got the hint of a mistake it did not make:\n{message}"


@pytest.mark.parametrize("chapter, index, wrong", ENTRIES, ids=lambda x: x if isinstance(x, str) else None)
def test_no_entry_is_just_a_listed_mistake(chapter, index, wrong):
    check = wrong.check
    for mistake in check.mistakes:
        same = True
        for case in check.cases():
            try:
                same = compare(run(check.harness(mistake.answer), case), run(check.harness(wrong.answer), case)) is None
            except Exception:
                same = False
            if not same:
                break
        assert not same, f"{wrong.mistake!r} is the listed mistake {mistake.hint!r}: it measures nothing"


def test_each_chapter_has_three_wrong_implementations_per_exercise():
    for chapter in chapters.CHAPTERS:
        if chapter.id not in MODULES:
            continue
        exercises = importlib.import_module(f"course_lib.exercises.{chapter.id}").EXERCISES
        counts = defaultdict(int)
        for wrong in MODULES[chapter.id].WRONG:
            counts[wrong.check.number] += 1
        short = [e.number for e in exercises if counts[e.number] < 3]
        assert not short, f"{chapter.id}: fewer than three wrong implementations for exercises {short}"


def test_at_least_60_percent_get_a_hint_that_names_their_mistake():
    for chapter in sorted(MODULES):
        entries = [w for w in MODULES[chapter].WRONG]
        named = sum(message_for(w)[1].count(w.named_by) > 0 for w in entries if w.named_by)
        assert named >= 0.6 * len(entries), f"{chapter}: {named} of {len(entries)} named"
