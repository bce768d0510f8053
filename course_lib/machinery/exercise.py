"""Exercise checks: instant, precise feedback on a function the learner writes.

An exercise is a function the learner completes, followed by one call such as
``fit_line = check_fit_line(fit_line)``. The check runs the function on every case and
compares each answer with the reference solution's:

* every case agrees      -> one green line; the learner's function is returned;
* the stub is untouched  -> a notice; the reference is returned, so the chapter runs on;
* an answer is wrong     -> ``ExerciseFailed``: the smallest case that shows the mistake
                            (input, expected, got) and a hint that names the mistake made;
* the function crashes   -> ``ExerciseCrashed``: "your function raised X on input Y", with a
                            hint where the cause is recognisable (a shape mismatch).

The hint is chosen from everything the function got wrong, never from one case alone:

1. a listed ``Mistake`` whose answers equal the learner's on every failing case;
2. else the wrong kind of answer (None from a missing ``return``, a tensor where numpy is
   asked ...) or a relation that holds on every failing case (course_lib.machinery.diagnosis);
3. else the exercise's own hint.

Hints come in two tiers: the first wrong answer gets a nudge that names the mistake; a second
wrong answer to the same exercise (or ``check.hint()``) adds the detailed, code-level hint.

When the learner writes something other than a plain function of the case's inputs
(an operation of an autograd engine, a training step, a class), a ``harness`` turns
it into one: ``harness(obj)(*case.args)`` returns something comparable, which ``shows``
describes. Reference and mistakes go through the same harness.
"""
from __future__ import annotations

import copy
import html
import re
import sys
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from course_lib.machinery import chapters, record
from course_lib.machinery.diagnosis import compare, kind_problem, relation, show

MOVE_ON = ("To move on without fixing it: make `raise NotImplementedError()` the function's body again and "
           "re-run the cell; the check then lends you the reference.")
SHAPE_ERROR = re.compile(r"shapes? .*(not aligned|cannot be multiplied|mismatch)|could not be broadcast|"
                         r"must match the size of tensor|size mismatch|Dimension out of range|mat1 and mat2",
                         re.IGNORECASE)
# The two notices, readable in JupyterLab's light and dark themes alike: each carries its own
# background (contrast 5.1:1 and 8.6:1, tests/test_exercise.py computes them).
PASSED_STYLE = {"color": "#ffffff", "background": "#1a7f37"}
LENT_STYLE = {"color": "#4d2d00", "background": "#fff8c5"}


class Feedback(Exception):
    """A message for the learner; IPython shows it without the check's internal frames."""

    def _render_traceback_(self) -> list[str]:
        return [f"{type(self).__name__}: {self}"]


class ExerciseFailed(Feedback, AssertionError):
    """The learner's function gave a wrong answer."""


class ExerciseCrashed(Feedback, RuntimeError):
    """The learner's function raised an exception other than NotImplementedError."""


@dataclass(frozen=True)
class Case:
    """One input to an exercise: positional and keyword arguments."""
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def describe(self, names: Sequence[str] = ()) -> str:
        parts = [f"{n}={show(a)}" if n else show(a)
                 for n, a in zip(list(names) + [""] * len(self.args), self.args)]
        parts += [f"{k}={show(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)

    def size(self) -> int:
        return sum(size_of(a) for a in (*self.args, *self.kwargs.values()))

    def sizes(self, names: Sequence[str]) -> dict[str, int]:
        """Named sizes of the inputs ({"len(x)": 3, "x.shape[1]": 4}), for naming a wrong factor."""
        found = {}
        for name, value in zip(names, self.args):
            shape = getattr(value, "shape", None)
            if shape is not None and not callable(shape):
                found.update({f"{name}.shape[{k}]": int(n) for k, n in enumerate(shape)})
            elif isinstance(value, (list, tuple)):
                found[f"len({name})"] = len(value)
        return found


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong implementation: ``hint`` names it and says where to look; ``detail``
    (shown on a repeated failure) says what to write."""
    hint: str
    answer: Callable
    detail: str = ""


def size_of(value: Any) -> int:
    if hasattr(value, "size") and not callable(value.size):  # numpy array
        return int(value.size)
    if hasattr(value, "numel"):  # torch tensor
        return int(value.numel())
    if isinstance(value, (list, tuple)):
        return sum(size_of(v) for v in value) + 1
    if isinstance(value, dict):
        return sum(size_of(v) for v in value.values()) + 1
    return 1


@dataclass
class Outcome:
    case: Case
    expected: Any
    got: Any = None
    reason: str | None = None
    error: Exception | None = None


class Exercise:
    """A checkable exercise. Call it on the learner's function to check it.

    number, name: how the exercise is shown ("1.2", "doubling_time").
    reference:    the reference solution.
    cases:        inputs (``Case``), or a function returning them.
    arg_names:    names to show the positional inputs under.
    mistakes:     known wrong implementations with the hints each deserves.
    hint, detail: what to say when a wrong answer matches no known mistake (nudge, then detail).
    rtol, atol:   tolerances of the comparison.
    harness:      turns the learner's object into a function of the case's inputs (see above).
    shows:        what the harnessed answer holds, e.g. "(the loss at each step, the final loss)".
    shapes:       the chapter's shape convention, said when a shape mismatch crashes the function.
    factors:      this exercise's telling constants, {factor: words}, e.g. {365 / 12: "days where
                  months are asked?"}, beside the general ones of course_lib.machinery.diagnosis.
    """

    def __init__(self, number: str, name: str, reference: Callable,
                 cases: Sequence[Case] | Callable[[], Sequence[Case]], *,
                 arg_names: Sequence[str] = (), mistakes: Sequence[Mistake] = (),
                 hint: str = "Compare your steps with the text above the exercise.", detail: str = "",
                 rtol: float = 1e-6, atol: float = 1e-9, harness: Callable[[Callable], Callable] | None = None,
                 shows: str = "", shapes: str = "", factors: dict[float, str] | None = None):
        self.number, self.name, self.reference = number, name, reference
        self.chapter = chapters.by_number(int(number.split(".")[0])).id
        self._cases, self.arg_names = cases, tuple(arg_names)
        self.mistakes, self.nudge, self.detail, self.rtol, self.atol = tuple(mistakes), hint, detail, rtol, atol
        self.harness = harness or (lambda function: function)
        self.shows, self.shapes, self.factors = shows, shapes, dict(factors or {})
        self.failures, self.last_detail = 0, detail

    @property
    def title(self) -> str:
        return f"Exercise {self.number} — {self.name}"

    def cases(self) -> list[Case]:
        cases = self._cases() if callable(self._cases) else self._cases
        return sorted(cases, key=Case.size)

    def hint_text(self) -> str:
        """The detailed hint for the last wrong answer (or the exercise's own)."""
        return self.last_detail or self.detail or self.nudge

    def __call__(self, function: Callable) -> Callable:
        if not callable(function):
            raise TypeError(f"{self.title}: pass your function itself, e.g. check({self.name}); got {show(function)}")
        reference, learner = self.harness(self.reference), self.harness(function)
        outcomes = []
        for case in self.cases():
            outcome = Outcome(case, run(reference, case))
            try:
                outcome.got = run(learner, case)
            except NotImplementedError:
                record.save(self.chapter, self.name, "not attempted")
                announce(f"… {self.title}: not attempted yet (your function raises NotImplementedError). "
                         "The reference solution stands in for it, so the rest of the chapter runs.", LENT_STYLE)
                return self.reference
            except Exception as error:
                outcome.error = error
            else:
                outcome.reason = compare(outcome.expected, outcome.got, self.rtol, self.atol)
            outcomes.append(outcome)
        wrong = [o for o in outcomes if o.reason]
        crashed = [o for o in outcomes if o.error]
        listed = self.listed_mistake(wrong + crashed)
        if crashed and not (listed and wrong):  # a crash says the most, unless a listed mistake explains it
            record.save(self.chapter, self.name, "crashed")
            raise ExerciseCrashed(self.crash(crashed[0], function, len(wrong), listed)) from crashed[0].error
        if wrong:
            record.save(self.chapter, self.name, "wrong")
            raise ExerciseFailed(self.failure(wrong, len(outcomes), listed)) from None
        record.save(self.chapter, self.name, "passed")
        announce(f"✓ {self.title}: {len(outcomes)} cases passed", PASSED_STYLE)
        return function

    def hint(self) -> None:
        """Print the detailed hint for your last wrong answer."""
        print(f"{self.title}: {self.hint_text()}")

    def listed_mistake(self, failing: list[Outcome]) -> Mistake | None:
        """The listed mistake that does what the learner's function did on every failing case:
        the same wrong answers, and the same kind of crash where it crashed."""
        for mistake in self.mistakes:
            if failing and all(self.reproduces(mistake, o) for o in failing):
                return mistake
        return None

    def diagnose(self, wrong: list[Outcome], listed: Mistake | None) -> tuple[str, str]:
        """(nudge, detail) for the learner's wrong answers, taken over all of them."""
        if listed:
            return listed.hint, listed.detail
        kinds = [kind_problem(o.expected, o.got) for o in wrong]
        if len(set(kinds) - {None}) == 1 or (kinds and all(kinds)):  # the wrong kind of answer, on every case
            return next(k for k in kinds if k), self.detail
        sizes = {}
        for o in wrong:
            for name, value in o.case.sizes(self.arg_names).items():
                sizes.setdefault(name, []).append(value)
        words = relation([(o.expected, o.got) for o in wrong], sizes, self.factors)
        if words:
            return f"Your answers are {words}. {self.nudge}", self.detail
        return self.nudge, self.detail

    def reproduces(self, mistake: Mistake, outcome: Outcome) -> bool:
        try:
            answer = run(self.harness(mistake.answer), outcome.case)
        except Exception as error:  # a mistake that crashes where the learner's crashed, in the same way
            return outcome.error is not None and type(error) is type(outcome.error)
        return outcome.error is None and compare(answer, outcome.got, self.rtol, self.atol) is None

    def informative(self, wrong: list[Outcome]) -> Outcome:
        """The smallest failing case on which the listed mistakes differ from the reference and
        from each other (so the case itself shows which mistake was made); else the smallest."""
        for outcome in wrong:
            answers = [outcome.expected]
            for mistake in self.mistakes:
                try:
                    answers.append(run(self.harness(mistake.answer), outcome.case))
                except Exception:
                    break
            else:
                if all(compare(a, b, self.rtol, self.atol) for i, a in enumerate(answers) for b in answers[i + 1:]):
                    return outcome
        return wrong[0]

    def failure(self, wrong: list[Outcome], total: int, listed: Mistake | None) -> str:
        self.failures += 1
        nudge, detail = self.diagnose(wrong, listed)
        self.last_detail = detail
        shown = self.informative(wrong)
        lines = [f"{self.title}: wrong answer on {len(wrong)} of {total} cases; this one shows it:",
                 f"  input:    {shown.case.describe(self.arg_names)}",
                 f"  expected: {show(shown.expected)}" + (f"   {self.shows}" if self.shows else ""),
                 f"  got:      {show(shown.got)}",
                 f"  ({shown.reason})",
                 f"  hint:     {nudge}"]
        if detail and self.failures > 1:
            lines.append(f"  more:     {detail}")
        elif detail:
            lines.append(f"  (a second wrong attempt, or {self.check_name()}.hint(), gives a more detailed hint)")
        lines.append(f"  {MOVE_ON}")
        return "\n".join(lines)

    def crash(self, outcome: Outcome, function: Callable, wrong: int, listed: Mistake | None) -> str:
        error = outcome.error
        inside = raised_inside(error, function)
        where = "your function raised" if inside else "the check could not use what your function gave back:"
        lines = [f"{self.title}: {where} {type(error).__name__}: {error}",
                 f"  on input: {outcome.case.describe(self.arg_names)}"]
        if not inside and self.shows:
            lines.append(f"  (the check runs your code and reads {self.shows} from it)")
        if listed:
            lines.append(f"  hint:     {listed.hint}")
        elif SHAPE_ERROR.search(str(error)):
            shapes = ", ".join(f"{n} {tuple(a.shape)}" for n, a in zip(self.arg_names, outcome.case.args)
                               if hasattr(a, "shape") and not callable(a.shape))
            lines.append(f"  hint:     a shape mismatch. {self.shapes + ' ' if self.shapes else ''}"
                         f"The inputs here: {shapes or 'see above'}.")
        if wrong:
            lines.append(f"  (on {wrong} other case(s) it gave a wrong answer)")
        lines.append(f"  {MOVE_ON}")
        return "\n".join(lines)

    def check_name(self) -> str:
        """The name the notebook knows this check by (check_<name> if it cannot be found)."""
        frame = sys._getframe(1)
        while frame:
            for scope in (frame.f_locals, frame.f_globals):
                for key, value in scope.items():
                    if value is self and key != "self" and not key.startswith("_"):
                        return key
            frame = frame.f_back
        return f"check_{self.name}"


def raised_inside(error: Exception, learner: Any) -> bool:
    """Whether ``error`` was raised while the learner's code ran (perhaps in a library it called),
    rather than in the check's harness while it used what the learner's code gave back."""
    codes = code_objects(learner)
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code in codes:
            return True
        tb = tb.tb_next
    return not codes  # nothing to go by: blame the learner's code, as before harnesses


def code_objects(learner: Any) -> set:
    """The code of a learner's function, method or class, with the functions defined inside it."""
    functions = [learner] if not isinstance(learner, type) else list(vars(learner).values())
    found, todo = set(), [getattr(getattr(f, "__func__", f), "__code__", None) for f in functions]
    while todo:
        code = todo.pop()
        if code is not None and hasattr(code, "co_consts") and code not in found:
            found.add(code)
            todo += [c for c in code.co_consts if hasattr(c, "co_code")]
    return found


def run(function: Callable, case: Case) -> Any:
    """Call ``function`` on a private copy of the case, so no call can alter another's input."""
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    return function(*args, **kwargs)


def announce(text: str, style: dict[str, str]) -> None:
    """One line for the learner: a coloured badge in a notebook, plain text elsewhere."""
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:
        get_ipython = None
    if get_ipython is None or get_ipython() is None or not hasattr(get_ipython(), "kernel"):
        print(text)
        return
    css = (f"color:{style['color']};background:{style['background']};padding:3px 8px;border-radius:4px;"
           "display:inline-block;white-space:normal;overflow-wrap:normal;word-break:normal;font-family:sans-serif")
    display({"text/plain": text, "text/html": f"<div style=\"{css}\">{html.escape(text)}</div>"}, raw=True)
