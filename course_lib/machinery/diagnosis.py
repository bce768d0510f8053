"""Diagnosis: how a learner's answer differs from the expected one, said in the learner's terms.

``compare(expected, got)`` says whether an answer is right, and if not, what differs first:
its kind (a tensor where numpy is asked, None from a missing ``return``), its shape, or its
values. ``relation(pairs)`` looks at every wrong answer of an exercise together and names the
relation that holds between each answer and the expected one, if one does: a constant factor
(and which: 2, 1/n, ln 10, the size of an input ...), a constant offset, a flipped sign, a
transpose, the right values in another order or reversed, shifted by one position, normalised
along the wrong axis, an axis reduced that should stay, NaN or inf from an overflow. The
exercise checks (``course_lib.machinery.exercise``) use it when no listed mistake fits.
"""
from __future__ import annotations

import itertools
import math
from typing import Any, Sequence

import numpy as np

CONSTANTS = {  # factors a learner's slip can introduce, and how to say them
    -1.0: "the answer with its sign flipped", 2.0: "twice the answer", 0.5: "half the answer",
    math.log(10): "ln 10 times the answer (a natural log where log10 is asked?)",
    1 / math.log(10): "the answer divided by ln 10 (log10 where the natural log is asked?)",
    math.log(2): "ln 2 times the answer (ln where log2 is asked, or the reverse?)",
    1 / math.log(2): "the answer divided by ln 2 (log2 where the natural log is asked?)",
    100.0: "100 times the answer (a percentage where a fraction is asked?)",
    0.01: "a hundredth of the answer (a fraction where a percentage is asked?)",
    12.0: "12 times the answer (months where years are asked?)", 1 / 12: "a twelfth of the answer (years where months are asked?)",
    1 / math.log10(2): "log2(10) ≈ 3.32 times the answer (log2 where log10 is asked?)",
    math.log10(2): "log10(2) ≈ 0.301 times the answer (log10 where log2 is asked?)",
}


def is_tensor(value: Any) -> bool:
    return type(value).__module__.startswith("torch") and hasattr(value, "detach")


def is_number(value: Any) -> bool:
    """A Python or numpy number (not a bool, not a tensor)."""
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, (bool, np.bool_))


def show(value: Any, limit: int = 160) -> str:
    """A short, readable rendering of a value for feedback messages: integers as integers,
    arrays with their shape (never cut off), tensors marked as such."""
    if is_tensor(value):
        return "tensor " + show(value.detach().cpu().numpy(), limit)
    if isinstance(value, np.ndarray) and value.ndim == 0:
        value = value.item()
    if isinstance(value, (np.integer, np.floating)):
        value = value.item()
    if isinstance(value, np.ndarray):
        text = " ".join(np.array2string(value, precision=4, threshold=12, edgeitems=3, separator=", ").split())
        shape = f"  (shape {value.shape})"
        return (text if len(text) <= limit else text[: limit - 1] + "…") + shape
    if isinstance(value, bool) or value is None:
        text = repr(value)
    elif isinstance(value, int):
        text = f"{value:,}" if abs(value) >= 10_000 else str(value)
    elif isinstance(value, float):
        text = f"{value:.6g}"
        text += ".0" if text.lstrip("-").isdigit() else ""
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(show(v, limit) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {show(v, limit)}" for k, v in value.items()) + "}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def kind_of(value: Any) -> str:
    if value is None:
        return "None"
    if is_tensor(value):
        return "a torch tensor"
    if isinstance(value, np.ndarray):
        return "a numpy array"
    if is_number(value):
        return "a number"
    return f"a {type(value).__name__}"


def kind_problem(expected: Any, got: Any) -> str | None:
    """Why ``got`` is the wrong kind of thing where ``expected`` is asked, else None."""
    if got is None and expected is not None:
        return "your function returned None: did you forget the `return` statement?"
    if isinstance(expected, np.ndarray) and not isinstance(expected, np.generic):
        if is_tensor(got):
            return ("a torch tensor where a numpy array is asked: compute with numpy, or convert with "
                    ".detach().numpy()")
        if isinstance(got, (list, tuple)):
            return f"a {type(got).__name__} where a numpy array is asked: wrap it in np.array(...)"
        if not isinstance(got, np.ndarray) and not (expected.ndim == 0 and is_number(got)):
            return f"{kind_of(got)} where a numpy array is asked"
    elif is_tensor(expected):
        if isinstance(got, np.ndarray) or is_number(got):
            return f"{kind_of(got)} where a torch tensor is asked: compute with torch (torch.tensor(...) converts)"
        if not is_tensor(got):
            return f"{kind_of(got)} where a torch tensor is asked"
    elif is_number(expected):
        if is_tensor(got):
            return "a torch tensor where a Python number is asked: take its value with .item()"
        if isinstance(got, np.ndarray) and got.size != 1:
            return f"an array of shape {got.shape} where a single number is asked: a missing reduction (a mean or a sum?)"
        if not (is_number(got) or isinstance(got, np.ndarray)):
            return f"{kind_of(got)} where a number is asked"
    elif isinstance(expected, (tuple, list)):
        if not isinstance(got, (tuple, list, np.ndarray)) or is_tensor(got):
            return f"{kind_of(got)} where a {type(expected).__name__} of {len(expected)} values is asked"
        if len(got) != len(expected):
            return f"{len(got)} values where a {type(expected).__name__} of {len(expected)} is asked"
        for i, (e, g) in enumerate(zip(expected, got)):  # the right length: is each element of the right kind?
            inner = kind_problem(e, g)
            if inner:
                return f"element {i}: {inner}"
    elif isinstance(expected, dict) and not isinstance(got, dict):
        return f"{kind_of(got)} where a dict is asked"
    elif isinstance(expected, str) and not isinstance(got, str):
        return f"{kind_of(got)} where a string is asked"
    return None


def compare(expected: Any, got: Any, rtol: float = 1e-6, atol: float = 1e-9) -> str | None:
    """None if ``got`` matches ``expected`` to tolerance, else what differs, in words.

    Types are part of the answer: a tensor is not a numpy array, a 0-d tensor is not a number.
    Sequences of the right length stand in for a tuple (they unpack the same way)."""
    problem = kind_problem(expected, got)
    if problem:
        return problem
    if isinstance(expected, (tuple, list)):
        for i, (e, g) in enumerate(zip(expected, got)):
            reason = compare(e, g, rtol, atol)
            if reason:
                return f"element {i}: {reason}"
        return None
    if isinstance(expected, dict):
        if set(got) != set(expected):
            return f"expected a dict with keys {sorted(expected)}, got keys {sorted(got)}"
        for key in expected:
            reason = compare(expected[key], got[key], rtol, atol)
            if reason:
                return f"key {key!r}: {reason}"
        return None
    if isinstance(expected, (str, bool, np.bool_)) or expected is None:
        return None if got == expected else f"expected {expected!r}, got {got!r}"
    if is_tensor(expected):
        expected, got = expected.detach().cpu().numpy(), got.detach().cpu().numpy()
    if is_number(expected):
        value = float(np.asarray(got).reshape(()))
        if math.isnan(expected) and math.isnan(value):
            return None
        ok = math.isclose(value, float(expected), rel_tol=rtol, abs_tol=atol)
        return None if ok else f"expected {show(expected)}, got {show(got)}"
    expected, got = np.asarray(expected), np.asarray(got)
    if got.shape != expected.shape:
        return f"expected shape {expected.shape}, got shape {got.shape}"
    if not np.issubdtype(got.dtype, np.number) and got.dtype != bool:
        return f"expected numbers, got an array of {got.dtype}"
    if np.allclose(got, expected, rtol=rtol, atol=atol, equal_nan=True):
        return None
    worst = np.unravel_index(np.nanargmax(np.where(np.isnan(got), np.inf, np.abs(got - expected))), got.shape)
    where = f" at index {tuple(int(i) for i in worst)}" if got.ndim else ""
    return f"largest difference{where}: expected {show(expected[worst])}, got {show(got[worst])}"


def numeric(value: Any) -> np.ndarray | None:
    """A float array of a number, array or tensor; None for anything else."""
    if is_tensor(value):
        value = value.detach().cpu().numpy()
    if is_number(value) or isinstance(value, np.ndarray) or (
            isinstance(value, list) and value and all(map(is_number, value))):
        array = np.asarray(value, dtype=float)
        return array if np.issubdtype(array.dtype, np.number) else None
    return None


def close(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and np.allclose(a, b, rtol=1e-6, atol=1e-9, equal_nan=True)


def constant_factor(pairs: list[tuple[np.ndarray, np.ndarray]]) -> float | None:
    ratios = []
    for e, g in pairs:
        if e.shape != g.shape:
            return None
        mask = np.abs(e) > 1e-12
        if not mask.any() or not np.allclose(g[~mask], 0, atol=1e-9):
            return None
        ratios.append(g[mask] / e[mask])
    ratios = np.concatenate([r.ravel() for r in ratios])
    if ratios.size < 2:  # one number is some multiple of any other: that names nothing
        return None
    return float(ratios[0]) if np.allclose(ratios, ratios[0], rtol=1e-6) and not np.isclose(ratios[0], 1) else None


def name_factor(factor: float, sizes: dict[str, list[int]], count: int, factors: dict[float, str]) -> str:
    for constant, words in {**CONSTANTS, **factors}.items():
        if math.isclose(factor, constant, rel_tol=1e-6):
            return words
    for name, values in sizes.items():  # a size that is the same on every case
        if len(values) == count and len(set(values)) == 1 and values[0] > 1:
            if math.isclose(factor, values[0], rel_tol=1e-9):
                return f"{values[0]} times the answer: a factor of {name}"
            if math.isclose(factor, 1 / values[0], rel_tol=1e-9):
                return f"the answer divided by {values[0]}: an extra division by {name}"
    if factor != 0 and (math.isclose(factor, round(factor)) or math.isclose(1 / factor, round(1 / factor))):
        return f"{factor:g} times the answer" if abs(factor) >= 1 else f"the answer divided by {1 / factor:g}"
    return f"{factor:.4g} times the answer"


def size_factor(pairs: list[tuple[np.ndarray, np.ndarray]], sizes: dict[str, list[int]]) -> str | None:
    """A factor that is, on every case, the same named size of the input (or its inverse)."""
    for name, values in sizes.items():
        if len(values) != len(pairs) or len(set(values)) == 1 or min(values) < 2:
            continue
        for power, words in ((1, f"multiplied by {name}"), (-1, f"divided by {name}")):
            if all(close(g, e * float(v) ** power) for (e, g), v in zip(pairs, values)):
                return f"{words}: a factor of {name} too many (or too few)"
    return None


def relation(pairs: Sequence[tuple[Any, Any]], sizes: dict[str, list[int]] | None = None,
             factors: dict[float, str] | None = None) -> str | None:
    """The relation that holds between every wrong answer and its expected one, in words, or None.

    ``pairs`` are (expected, got) over the failing cases; ``sizes`` names sizes of each case's
    inputs ({"len(x)": [3, 5, 8], "x.shape[0]": ...}) so a factor can be named after one;
    ``factors`` adds an exercise's own constants and their words ({365 / 12: "days where ..."})."""
    sizes, factors = sizes or {}, factors or {}
    if pairs and all(isinstance(e, list) and isinstance(g, list) and e and not any(map(is_number, e))
                     for e, g in pairs):
        try:
            if all(sorted(map(repr, e)) == sorted(map(repr, g)) for e, g in pairs):
                return "the right items in another order"
            if all(set(map(repr, g)) < set(map(repr, e)) for e, g in pairs):
                return "missing some of the items asked for"
            if all(set(map(repr, g)) > set(map(repr, e)) for e, g in pairs):
                return "the items asked for and some more"
        except TypeError:
            return None
    numbers_in_a_list = all(isinstance(e, list) and all(map(is_number, e)) for e, _ in pairs)  # an array's values
    if all(isinstance(e, (tuple, list)) and isinstance(g, (tuple, list, np.ndarray)) and len(e) == len(g)
           for e, g in pairs) and pairs and not numbers_in_a_list:
        if all(len(e) > 1 and all(map(is_number, e)) and all(map(is_number, g))
               and np.allclose(sorted(e), sorted(g), rtol=1e-6, atol=1e-12) for e, g in pairs):
            return "the right values in another order (check the order the exercise asks for)"
        for i in range(len(pairs[0][0])):
            try:
                inner = [(e[i], g[i]) for e, g in pairs if compare(e[i], g[i]) is not None]
            except (IndexError, TypeError):
                return None
            words = relation(inner, sizes, factors) if inner else None
            if words:
                return f"(in element {i} of what it returns) {words}"
        return None
    arrays = [(numeric(e), numeric(g)) for e, g in pairs]
    if not arrays or any(e is None or g is None for e, g in arrays):
        return None
    if all(np.isfinite(e).all() and not np.isfinite(g).all() for e, g in arrays if e.shape == g.shape) \
            and any(not np.isfinite(g).all() for _, g in arrays):
        return "NaN or inf where the answer is finite: an overflow (exp of a large number?) or a division by zero"
    if all(e.ndim == 2 and g.shape == e.T.shape != e.shape and close(g, e.T) for e, g in arrays):
        return "the transpose of the answer: rows and columns are swapped (check the shape convention)"
    if all(e.shape != g.shape for e, g in arrays):
        return shape_relation(arrays)
    if not all(e.shape == g.shape for e, g in arrays):
        return None
    if all(close(e, g) for e, g in arrays):  # the values are right (to float32 rounding): no relation to name
        return None
    if all(np.all(g == 0) and np.any(e != 0) for e, g in arrays):
        return "zero everywhere: nothing was computed or accumulated (an update in place that never ran?)"
    factor = constant_factor(arrays)
    if factor is not None:
        return name_factor(factor, sizes, len(arrays), factors)
    words = size_factor(arrays, sizes)
    if words:
        return words
    offsets = [g - e for e, g in arrays]
    if sum(d.size for d in offsets) >= 2 and all(np.allclose(d, d.ravel()[0], atol=1e-9) for d in offsets) \
            and not all(np.allclose(d, 0, atol=1e-12) for d in offsets):
        first = offsets[0].ravel()[0]
        if abs(first) > 1e-12 and all(np.isclose(d.ravel()[0], first) for d in offsets):  # 0: the values agree
            return f"all off by the same {first:+.4g}: a constant added or left out"
        if all(d.size > 1 for d in offsets):  # a single number is off by a constant of its own trivially
            return "each off by a constant of its own: a term added or left out"
    return order_relation(arrays) or function_relation(arrays)


def shape_relation(arrays: list[tuple[np.ndarray, np.ndarray]]) -> str | None:
    e, g = arrays[0]
    if all(g.size == e.size and close(g.reshape(e.shape), e) for e, g in arrays):
        return f"the right values in the wrong shape: {g.shape} where {e.shape} is asked"
    if all(g.ndim == e.ndim - 1 for e, g in arrays):
        return (f"missing an axis: shape {g.shape} where {e.shape} is asked (a sum or mean over an axis "
                "that should stay?)")
    if all(g.ndim == e.ndim + 1 for e, g in arrays):
        return f"of shape {g.shape} where {e.shape} is asked: an extra axis (keepdims, or a missing reduction?)"
    if 2 < e.ndim <= 5 and all(g.ndim == e.ndim and sorted(g.shape) == sorted(e.shape) for e, g in arrays):
        for order in itertools.permutations(range(e.ndim)):
            if all(close(np.transpose(g, order), e) for e, g in arrays):
                return (f"the right values with the axes in another order: shape {g.shape} where {e.shape} "
                        "is asked (a transpose or permute of the wrong axes?)")
    for axis in range(e.ndim):
        for extra, words in ((-1, "one short"), (1, "one too many")):
            if all(g.ndim == e.ndim and g.shape[axis] == e.shape[axis] + extra
                   and g.shape[:axis] + g.shape[axis + 1:] == e.shape[:axis] + e.shape[axis + 1:] for e, g in arrays):
                return (f"of shape {g.shape} where {e.shape} is asked: {words} along axis {axis} "
                        "(an off-by-one in a loop or a slice?)")
    if all(g.ndim == e.ndim and g.shape != e.shape for e, g in arrays):
        return f"of shape {g.shape} where {e.shape} is asked: a reduction over the wrong axis, or a wrong matrix product?"
    return None


def order_relation(arrays: list[tuple[np.ndarray, np.ndarray]]) -> str | None:
    e0 = arrays[0][0]
    for right in range(e0.ndim):
        for wrong in range(e0.ndim):
            if wrong != right and all(normalised_along(e, right) and normalised_along(g, wrong) for e, g in arrays):
                return f"normalised along axis {wrong} instead of axis {right}"
    for axis in range(e0.ndim):
        if all(e.ndim > axis and close(np.flip(g, axis), e) for e, g in arrays):
            return f"the right values, reversed along axis {axis}"
        for shift in (1, -1):
            if all(e.ndim > axis and e.shape[axis] > 2 and shifted_match(e, g, axis, shift) for e, g in arrays):
                return f"the right values shifted by one position along axis {axis} (an off-by-one index)"
        if all(e.ndim > axis and close(np.sort(g, axis), np.sort(e, axis)) for e, g in arrays):
            return f"the right values in another order along axis {axis}"
    if all(close(np.sort(g, axis=None), np.sort(e, axis=None)) for e, g in arrays):
        return "the right values in another order"
    if all(np.all(e >= 0) and close(g, e ** 2) for e, g in arrays):
        return "the square of the answer"
    if all(np.all(e >= 0) and close(g ** 2, e) for e, g in arrays):
        return "the square root of the answer"
    return None


def function_relation(arrays: list[tuple[np.ndarray, np.ndarray]]) -> str | None:
    """A wrong answer that is a simple function of the right one, on at least two numbers."""
    if sum(e.size for e, _ in arrays) < 2:
        return None
    with np.errstate(all="ignore"):
        if all(np.all(e != 0) and close(g, 1 / e) for e, g in arrays):
            return "the reciprocal of the answer (a ratio upside down?)"
        if all(np.all(e > 0) and close(g, np.log(e)) for e, g in arrays):
            return "the natural log of the answer (a log-probability where a probability is asked?)"
        if all(close(g, np.exp(e)) for e, g in arrays):
            return "the exponential of the answer (a probability where a log-probability is asked?)"
        if all(np.all(e > 0) and close(g, np.log10(e)) for e, g in arrays):
            return "the log10 of the answer"
        if all(close(g, 1 - e) for e, g in arrays):
            return "one minus the answer (the complement)"
    return None


def shifted_match(e: np.ndarray, g: np.ndarray, axis: int, shift: int) -> bool:
    rolled = np.roll(g, shift, axis)
    keep = [slice(None)] * e.ndim
    keep[axis] = slice(1, None) if shift > 0 else slice(None, -1)
    return close(rolled[tuple(keep)], e[tuple(keep)]) and not close(g, e)


def normalised_along(a: np.ndarray, axis: int) -> bool:
    return bool(a.ndim > axis and a.ndim >= 2 and np.all(a >= 0) and np.allclose(a.sum(axis=axis), 1, atol=1e-6))
