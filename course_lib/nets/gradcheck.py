"""Numerical gradient checking: is a gradient from backprop right?

Nudge one input at a time and watch the function move. The *central difference*

    df/dx_i ≈ (f(x + h e_i) - f(x - h e_i)) / 2h

has two errors: truncation, which shrinks like h² (the one-sided (f(x + h) - f(x)) / h only
like h), and rounding, which grows like ε/h, because f is computed with relative precision
ε. Their sum is smallest where the two balance, at h ≈ ε^(1/3) (for f and its derivatives
of order 1): about 5e-6 in float64 (ε ≈ 1.1e-16), where a correct gradient of chapter 04's
small tanh network agrees to about 1e-9; the default h = 1e-6 gives about 1e-8, still far
below any real bug. In float32 (ε ≈ 6e-8; best h ≈ 4e-3) no h brings a correct gradient of a
small network below about 1e-4, the "wrong" band. Gradient checks therefore run in float64.

It costs two evaluations of f per input: fine for checking a small network, hopeless for
training a large one (that is what backprop is for).
"""
from __future__ import annotations

from typing import Callable

import numpy as np

AGREES, SUSPICIOUS = 1e-7, 1e-4   # relative error: below AGREES fine, above SUSPICIOUS a bug


def numerical_gradient(f: Callable[[np.ndarray], float], x: np.ndarray, h: float = 1e-6) -> np.ndarray:
    """The central-difference gradient of the scalar function ``f`` at ``x`` (any shape), in float64.

    ``x`` is copied to float64 first; f is called with arrays of x's shape.
    """
    if not callable(f):
        raise TypeError(f"f must be a function of an array, got {type(f).__name__}")
    if not (isinstance(h, (int, float)) and h > 0):
        raise ValueError(f"the step h must be a positive number, got {h!r}")
    x = np.array(x, dtype=np.float64)
    if x.size == 0:
        raise ValueError("x is empty: there is nothing to differentiate")
    grad = np.zeros_like(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old                          # put it back before nudging the next input
        if np.ndim(plus) != 0:
            raise ValueError(f"f must return one number (a loss), got an array of shape {np.shape(plus)}")
        grad[i] = (plus - minus) / (2 * h)
    return grad


def relative_error(a: np.ndarray, b: np.ndarray) -> float:
    """‖a - b‖ / (‖a‖ + ‖b‖): 0 when equal, 1 when opposite, scale-free (0 if both are 0)."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise ValueError(f"the gradients differ in shape: {a.shape} and {b.shape}")
    scale = np.linalg.norm(a) + np.linalg.norm(b)
    return 0.0 if scale == 0 else float(np.linalg.norm(a - b) / scale)


def verdict(error: float) -> str:
    """What a relative error between an analytic and a numerical gradient (float64) says.

    The bands hold for a check run in float64: in float32 a correct gradient lands in "WRONG".
    """
    if error < AGREES:
        return "agrees"
    if error < SUSPICIOUS:
        return "suspicious: a kink (ReLU at 0), a step h far from its best, or a small bug"
    return "WRONG"


def check_gradients(loss: Callable[[dict], float], params: dict[str, np.ndarray],
                    grads: dict[str, np.ndarray], h: float = 1e-6,
                    numerical: Callable = numerical_gradient) -> dict[str, float]:
    """The relative error of each analytic gradient in ``grads`` against central differences.

    loss(params) returns a number; each parameter array is nudged in turn, the others held fixed.
    numerical(f, x, h) computes the central differences (yours, if you wrote one).
    """
    missing = set(params) ^ set(grads)
    if missing:
        raise ValueError(f"params and grads must have the same names; unmatched: {sorted(missing)}")
    errors = {}
    for name in params:
        numeric = numerical(lambda p: loss({**params, name: p}), params[name], h)
        errors[name] = relative_error(grads[name], numeric)
    return errors


def report(errors: dict[str, float]) -> str:
    """A table of relative errors and their verdicts, one parameter per line."""
    return "\n".join(f"{name:>8}  relative error {error:9.2e}  {verdict(error)}" for name, error in errors.items())
