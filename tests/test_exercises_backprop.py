"""Chapter 04: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import numpy as np
import pytest

from course_lib.nets import autograd, forward
from course_lib.nets.autograd import Value, topological_order
from course_lib.machinery.exercise import ExerciseCrashed
from course_lib.exercises import backprop as checks
from tests.contract import contract_tests


# Wrong implementations a learner might write, and the hint each must get.
def hand_outer_path_only(x, y, z):
    return y * y, x * y + z, y


def hand_without_upstream(x, y, z):
    u = x * y
    v = u + z
    return y, v + x, 1.0          # local derivatives only, never multiplied by df/dv = y


def tanh_with_input(x):
    return Value(math.tanh(x.data), (x,), (1 - x.data * x.data,), "tanh")


def tanh_without_parent(x):
    return Value(math.tanh(x.data))


def tanh_missing_square(x):
    t = math.tanh(x.data)
    return Value(t, (x,), (1 - t,), "tanh")


def backward_overwriting(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad = local * node.grad


def backward_in_forward_order(root):
    root.grad = 1.0
    for node in topological_order(root):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


def backward_without_local_derivative(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent in node.parents:
            parent.grad += node.grad


def push_down(node):
    """Passes the node's gradient to its parents at once, and recurses: no topological order."""
    for parent, local in zip(node.parents, node.local_grads):
        parent.grad += local * node.grad
        push_down(parent)


def backward_recursive(root):
    root.grad = 1.0
    push_down(root)


def train_step_never_zeroing(model, xs, ys, learning_rate):
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss.data


def train_step_uphill(model, xs, ys, learning_rate):
    model.zero_grad()
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data += learning_rate * p.grad
    return loss.data


def train_step_zeroing_too_late(model, xs, ys, learning_rate):
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    model.zero_grad()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss.data


def one_sided(f, x, h=1e-6):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    fx = f(x)
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        grad[i] = (f(x) - fx) / h
        x[i] = old
    return grad


def never_restoring(f, x, h=1e-6):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        x[i] += h
        plus = f(x)
        x[i] -= 2 * h
        grad[i] = (plus - f(x)) / (2 * h)
    return grad


def dividing_by_h(f, x, h=1e-6):
    x = np.array(x, dtype=float)
    nudges = h * np.eye(x.size).reshape(x.size, *x.shape)      # one nudge per element
    return np.array([(f(x + e) - f(x - e)) / h for e in nudges]).reshape(x.shape)


def over_rows(f, x, h=1e-6):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in range(len(x)):
        old = x[i].copy()
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def linear_transposed_dW(dz, x, W):
    return dz @ W.T, dz.T @ x, dz.sum(axis=0)


def linear_untransposed_dx(dz, x, W):
    return dz @ W, x.T @ dz, dz.sum(axis=0)


def linear_mean_db(dz, x, W):
    return dz @ W.T, x.T @ dz, dz.mean(axis=0)


def softmax_ce_summed(logits, targets):
    grad = forward.softmax(logits)
    grad[np.arange(len(targets)), targets] -= 1
    return grad


def softmax_ce_no_onehot(logits, targets):
    return forward.softmax(logits) / len(targets)


def softmax_ce_unstable(logits, targets):
    e = np.exp(logits)
    grad = e / e.sum(axis=1, keepdims=True)
    grad[np.arange(len(targets)), targets] -= 1
    return grad / len(targets)


CHECKS = {
    checks.check_hand_gradients: [
        (hand_outer_path_only, "y is used twice"),
        (hand_without_upstream, "multiplies the local derivative by the gradient arriving from above"),
    ],
    checks.check_tanh: [
        (tanh_with_input, "You used the input"),
        (tanh_without_parent, "must list x as its parent"),
        (tanh_missing_square, "1 - t² (t squared)"),
    ],
    checks.check_backward: [
        (backward_overwriting, "accumulate with parent.grad +="),
        (backward_in_forward_order, "Wrong order"),
        (backward_without_local_derivative, "multiplies by the local derivative"),
        (backward_recursive, "Walking every path"),
    ],
    checks.check_train_step: [
        (train_step_never_zeroing, "Forgot to zero the gradients"),
        (train_step_uphill, "The loss went up"),
        (train_step_zeroing_too_late, "The parameters did not move"),
    ],
    checks.check_numerical_gradient: [
        (one_sided, "one-sided difference"),
        (never_restoring, "Put each input back"),
        (dividing_by_h, "divides by 2h"),
        (over_rows, "loop over every element"),
    ],
    checks.check_linear_backward: [
        (linear_transposed_dW, "dW must have W's shape"),
        (linear_untransposed_dx, "dx must have x's shape"),
        (linear_mean_db, "not the mean"),
    ],
    checks.check_softmax_cross_entropy_backward: [
        (softmax_ce_summed, "divided by the batch size"),
        (softmax_ce_no_onehot, "Subtract 1 at each row's target"),
        (softmax_ce_unstable, "stable for large logits"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_a_learners_own_passing_function_is_returned(capsys):
    def my_tanh(x):
        t = math.tanh(x.data)
        return Value(t, (x,), (1 - t ** 2,))
    assert checks.check_tanh(my_tanh) is my_tanh


def test_a_crashing_operation_names_the_graph():
    with pytest.raises(ExerciseCrashed, match="must return a new Value, got float(.|\n)*graph='tanh"):
        checks.check_tanh(lambda x: math.tanh(x.data))


def test_a_check_needs_a_function():
    with pytest.raises(TypeError, match="pass your function itself"):
        checks.check_backward(3)


def test_the_worked_example_of_section_2():
    out, leaves = checks.build("(a * b + c) * (a * b + c)", {"a": 3.0, "b": -2.0, "c": 4.0})
    out.backward()
    assert out.data == 4.0 and {n: v.grad for n, v in leaves.items()} == {"a": 8.0, "b": -12.0, "c": -4.0}


def test_the_quiz_has_an_explanation_for_every_option():
    assert len(checks.QUIZ.questions) >= 5
    assert all(option.why for question in checks.QUIZ.questions for option in question.options)
