"""Numerical gradient checking: central differences, relative error, verdicts."""
import numpy as np
import pytest

from course_lib.nets import gradcheck


def test_central_differences_match_the_exact_gradient_in_float64():
    x = np.array([[0.3, -1.2, 0.7], [2.0, 0.1, -0.4]])
    numeric = gradcheck.numerical_gradient(lambda v: float(np.sum(np.sin(v) * v ** 2)), x)
    exact = np.cos(x) * x ** 2 + 2 * x * np.sin(x)
    assert gradcheck.relative_error(numeric, exact) < 1e-9


def test_the_error_shrinks_like_h_squared():
    f, x = (lambda v: float(np.exp(v).sum())), np.array([1.0])
    errors = [abs(gradcheck.numerical_gradient(f, x, h)[0] - np.e) for h in (1e-2, 1e-3)]
    assert errors[0] / errors[1] == pytest.approx(100, rel=0.01)


def test_the_input_is_left_unchanged_and_float32_is_checked_in_float64():
    x = np.array([1.0, 2.0], dtype=np.float32)
    seen = []
    grad = gradcheck.numerical_gradient(lambda v: seen.append(v.dtype) or float(v @ v), x)
    assert grad.dtype == np.float64 and set(seen) == {np.dtype(np.float64)}
    assert x.tolist() == [1.0, 2.0]
    assert grad == pytest.approx([2.0, 4.0])


def test_relative_error_is_scale_free():
    a = np.array([1.0, 2.0, 3.0])
    assert gradcheck.relative_error(a, a) == 0.0
    assert gradcheck.relative_error(a, -a) == 1.0
    assert gradcheck.relative_error(1e-8 * a, 1e-8 * a * 1.01) == pytest.approx(gradcheck.relative_error(a, 1.01 * a))
    assert gradcheck.relative_error(np.zeros(3), np.zeros(3)) == 0.0


@pytest.mark.parametrize("error, word", [(1e-11, "agrees"), (3e-6, "suspicious"), (0.02, "WRONG")])
def test_verdicts_follow_the_thresholds(error, word):
    assert gradcheck.verdict(error).startswith(word)


def test_check_gradients_finds_the_wrong_one():
    X, y = np.array([[1.0, 2.0], [-1.0, 0.5], [0.3, -0.7]]), np.array([1.0, 0.0, 2.0])

    def loss(p):
        return float(np.mean((X @ p["w"] + p["b"] - y) ** 2))

    params = {"w": np.array([0.5, -0.3]), "b": np.array([0.1])}
    residual = X @ params["w"] + params["b"] - y
    right = {"w": 2 * X.T @ residual / 3, "b": np.array([2 * residual.mean()])}
    errors = gradcheck.check_gradients(loss, params, {**right, "b": right["b"] / 2})
    assert errors["w"] < 1e-8 and errors["b"] > 0.1
    assert "b  relative error" in gradcheck.report(errors) and "WRONG" in gradcheck.report(errors)


@pytest.mark.parametrize("call, error, message", [
    (lambda: gradcheck.numerical_gradient(3.0, np.ones(2)), TypeError, "must be a function"),
    (lambda: gradcheck.numerical_gradient(np.sum, np.ones(2), h=0), ValueError, "positive number"),
    (lambda: gradcheck.numerical_gradient(np.sum, np.ones(0)), ValueError, "empty"),
    (lambda: gradcheck.numerical_gradient(lambda v: v * 2, np.ones(2)), ValueError, "one number"),
    (lambda: gradcheck.relative_error(np.ones(2), np.ones(3)), ValueError, "differ in shape"),
    (lambda: gradcheck.check_gradients(np.sum, {"w": np.ones(2)}, {"v": np.ones(2)}), ValueError, "same names"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
