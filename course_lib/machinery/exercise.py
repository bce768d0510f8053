"""Exercise checks: instant, precise feedback on a function the learner writes.

An exercise is a function the learner completes, followed by one call such as
``fit_line = check_fit_line(fit_line)``. The check runs the function on a list of
cases, smallest first, and compares each answer with the reference solution's:

* every case agrees      -> one green line; the learner's function is returned;
* the stub is untouched  -> a notice; the reference is returned, so the chapter runs on;
* an answer is wrong     -> ``ExerciseFailed`` names the smallest failing case (input,
                            expected, got) and a hint aimed at the likely mistake;
* the function crashes   -> ``ExerciseCrashed``: "your function raised X on input Y".

A ``Mistake`` is a known wrong answer, written as a small function: when the
learner's output matches the mistake's output, its hint is shown.

When the learner writes something other than a plain function of the case's inputs
(an operation of an autograd engine, a training step, a class), a ``harness`` turns
it into one: ``harness(obj)(*case.args)`` returns something comparable. Reference
and mistakes go through the same harness; the check still returns the learner's object.
"""
from __future__ import annotations

import copy
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

from course_lib.machinery import chapters, record

GREEN, YELLOW, RESET = "\033[32m", "\033[33m", "\033[0m"


class ExerciseFailed(AssertionError):
    """The learner's function gave a wrong answer."""


class ExerciseCrashed(RuntimeError):
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


@dataclass(frozen=True)
class Mistake:
    """A plausible wrong implementation and the hint to give when the learner makes it."""
    hint: str
    answer: Callable


def show(value: Any, limit: int = 160) -> str:
    """A short, readable rendering of a value for feedback messages."""
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    if type(value).__module__ == "numpy" and getattr(value, "ndim", None) == 0:
        value = value.item()
    if type(value).__module__ == "numpy" and hasattr(value, "shape"):
        import numpy as np
        text = " ".join(np.array2string(value, precision=4, threshold=12, edgeitems=3, separator=", ").split())
        text += f"  (shape {value.shape})"
    elif isinstance(value, float):
        text = f"{value:.6g}"
        text += ".0" if text.lstrip("-").isdigit() else ""
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(show(v, limit) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


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


def compare(expected: Any, got: Any, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """None if ``got`` matches ``expected`` to tolerance, else what differs, in words."""
    expected, got = (v.detach().cpu().numpy() if hasattr(v, "detach") else v for v in (expected, got))
    if isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list)) or len(got) != len(expected):
            return f"expected a {type(expected).__name__} of {len(expected)} values, got {show(got)}"
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol)
            if reason:
                return f"element {i}: {reason}"
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got {show(got)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol)
            if reason:
                return f"key {key!r}: {reason}"
        return None
    if isinstance(expected, (str, bool)) or expected is None:
        return None if got == expected else f"expected {expected!r}, got {got!r}"
    if isinstance(expected, (int, float)) and not hasattr(got, "shape"):
        if not isinstance(got, (int, float)) or isinstance(got, bool):
            return f"expected a number, got {type(got).__name__}"
        if math.isnan(expected) and math.isnan(got):
            return None
        ok = math.isclose(got, expected, rel_tol=rtol, abs_tol=atol)
        return None if ok else f"expected {show(float(expected))}, got {show(float(got))}"
    import numpy as np
    expected, got = np.asarray(expected), np.asarray(got)
    if got.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {got.shape}"
    if not np.issubdtype(got.dtype, np.number) and got.dtype != bool:
        return f"expected numbers, got an array of {got.dtype}"
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return None
    worst = np.unravel_index(np.argmax(np.abs(got - expected)), got.shape)
    where = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
    return f"largest difference{where}: expected {show(expected[worst])}, got {show(got[worst])}"


class Exercise:
    """A checkable exercise. Call it on the learner's function to check it.

    number, name: how the exercise is shown ("1.2", "doubling_time").
    reference:    the reference solution.
    cases:        inputs (``Case``), or a function returning them; checked smallest first.
    arg_names:    names to show the positional inputs under.
    mistakes:     known wrong implementations with the hint each deserves.
    hint:         what to say when a wrong answer matches no known mistake.
    rtol, atol:   tolerances of the comparison.
    harness:      turns the learner's object into a function of the case's inputs (see above).
    """

    def __init__(self, number: str, name: str, reference: Callable,
                 cases: Sequence[Case] | Callable[[], Sequence[Case]], *,
                 arg_names: Sequence[str] = (), mistakes: Sequence[Mistake] = (),
                 hint: str = "Compare your steps with the text above the exercise.",
                 rtol: float = 1e-6, atol: float = 1e-9, harness: Callable[[Callable], Callable] | None = None):
        self.number, self.name, self.reference = number, name, reference
        self.chapter = chapters.by_number(int(number.split(".")[0])).id
        self._cases, self.arg_names = cases, tuple(arg_names)
        self.mistakes, self.hint, self.rtol, self.atol = tuple(mistakes), hint, rtol, atol
        self.harness = harness or (lambda function: function)

    @property
    def title(self) -> str:
        return f"Exercise {self.number} — {self.name}"

    def cases(self) -> list[Case]:
        cases = self._cases() if callable(self._cases) else self._cases
        return sorted(cases, key=Case.size)

    def __call__(self, function: Callable) -> Callable:
        if not callable(function):
            raise TypeError(f"{self.title}: pass your function itself, e.g. check({self.name}); got {show(function)}")
        cases, reference, learner = self.cases(), self.harness(self.reference), self.harness(function)
        for i, case in enumerate(cases, 1):
            expected = run(reference, case)
            try:
                got = run(learner, case)
            except NotImplementedError:
                record.save(self.chapter, self.name, "not attempted")
                print(f"{YELLOW}… {self.title}: not attempted yet (your function raises NotImplementedError). "
                      f"The reference solution stands in for it, so the rest of the chapter runs.{RESET}")
                return self.reference
            except Exception as error:
                record.save(self.chapter, self.name, "crashed")
                raise ExerciseCrashed(
                    f"{self.title}: your function raised {type(error).__name__}: {error}\n"
                    f"  on input: {case.describe(self.arg_names)}") from error
            reason = compare(expected, got, self.rtol, self.atol)
            if reason:
                record.save(self.chapter, self.name, "wrong")
                raise ExerciseFailed(self.failure(i, len(cases), case, expected, got, reason)) from None
        record.save(self.chapter, self.name, "passed")
        print(f"{GREEN}✓ {self.title}: {len(cases)} cases passed{RESET}")
        return function

    def failure(self, i: int, n: int, case: Case, expected: Any, got: Any, reason: str) -> str:
        return (f"{self.title}: wrong answer on case {i} of {n} (the smallest that fails)\n"
                f"  input:    {case.describe(self.arg_names)}\n"
                f"  expected: {show(expected)}\n"
                f"  got:      {show(got)}\n"
                f"  ({reason})\n"
                f"  hint:     {self.diagnose(case, got)}")

    def diagnose(self, case: Case, got: Any) -> str:
        for mistake in self.mistakes:
            try:
                if compare(run(self.harness(mistake.answer), case), got, self.rtol, self.atol) is None:
                    return mistake.hint
            except Exception:  # a mistake that does not apply to this input
                continue
        return self.hint


def run(function: Callable, case: Case) -> Any:
    """Call ``function`` on a private copy of the case, so no call can alter another's input."""
    args, kwargs = copy.deepcopy((case.args, case.kwargs))
    return function(*args, **kwargs)
