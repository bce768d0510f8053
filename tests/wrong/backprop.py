"""Chapter 04: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import numpy as np

from course_lib.exercises import backprop as checks
from course_lib.nets import autograd, forward
from course_lib.nets.autograd import Value, topological_order
from tests.wrong import Wrong


# 4.1 hand_gradients
def hand_no_return(x, y, z):
    v = x * y + z
    df_dx, df_dy, df_dz = y * y, v + y * x, y  # noqa: F841


def hand_other_order(x, y, z):
    v = x * y + z
    return v + y * x, y * y, y


def hand_dz_without_upstream(x, y, z):
    v = x * y + z
    return y * y, v + y * x, 1.0


def hand_dy_without_upstream(x, y, z):
    v = x * y + z
    return y * y, v + x, y


def hand_as_a_dict(x, y, z):
    v = x * y + z
    return {"x": y * y, "y": v + y * x, "z": y}


# 4.2 tanh
def tanh_returns_a_float(x):
    return math.tanh(x.data)


def tanh_parent_is_a_number(x):
    t = math.tanh(x.data)
    return Value(t, (x.data,), (1 - t * t,), "tanh")


def tanh_derivative_sign(x):
    t = math.tanh(x.data)
    return Value(t, (x,), (t * t - 1,), "tanh")


def tanh_of_the_square(x):
    t = math.tanh(x.data)
    return Value(t, (x,), (1 - math.tanh(x.data ** 2),), "tanh")


def tanh_without_tuples(x):
    t = math.tanh(x.data)
    return Value(t, x, 1 - t * t, "tanh")


# 4.3 backward
def backward_only_the_local(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local


def backward_root_for_node(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * root.grad


def backward_parent_value_for_local(root):
    root.grad = 1.0
    for node in reversed(topological_order(root)):
        for parent in node.parents:
            parent.grad += parent.data * node.grad


def backward_seeded_with_the_value(root):
    root.grad = root.data
    for node in reversed(topological_order(root)):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad


# 4.4 train_step
def step_returns_the_value(model, xs, ys, learning_rate):
    model.zero_grad()
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return loss


def step_no_return(model, xs, ys, learning_rate):
    model.zero_grad()
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad


def step_loss_after_the_update(model, xs, ys, learning_rate):
    model.zero_grad()
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad
    return autograd.mean_cross_entropy(model, xs, ys).data


def step_divides_by_the_rate(model, xs, ys, learning_rate):
    model.zero_grad()
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= p.grad / learning_rate
    return loss.data


# 4.5 numerical_gradient
def numerical_no_return(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)


def numerical_minus_first(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (minus - plus) / (2 * h)
    return grad


def numerical_relative_step(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        step = h * old
        x[i] = old + step
        plus = f(x)
        x[i] = old - step
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / (2 * h)
    return grad


def numerical_flat_vector(f, x, h):
    x = np.array(x, dtype=float)
    grad = np.zeros(x.size)
    for i in range(x.size):
        plus, minus = x.copy().ravel(), x.copy().ravel()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus.reshape(x.shape)) - f(minus.reshape(x.shape))) / (2 * h)
    return grad


# 4.6 linear_backward
def linear_db_keepdims(dz, x, W):
    return dz @ W.T, x.T @ dz, dz.sum(axis=0, keepdims=True)


def linear_dW_averaged(dz, x, W):
    return dz @ W.T, x.T @ dz / len(x), dz.sum(axis=0)


def linear_no_return(dz, x, W):
    dx, dW, db = dz @ W.T, x.T @ dz, dz.sum(axis=0)  # noqa: F841


def linear_dx_with_x(dz, x, W):
    return x @ W @ W.T, x.T @ dz, dz.sum(axis=0)


def linear_db_summed_over_everything(dz, x, W):
    return dz @ W.T, x.T @ dz, dz.sum()


def numerical_precedence(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        old = x[i]
        x[i] = old + h
        plus = f(x)
        x[i] = old - h
        minus = f(x)
        x[i] = old
        grad[i] = (plus - minus) / 2 * h
    return grad


def linear_db_forgotten(dz, x, W):
    return dz @ W.T, x.T @ dz


# 4.7 softmax_cross_entropy_backward
def softmax_ce_over_the_batch_axis(logits, targets):
    shifted = np.exp(logits - logits.max(axis=0, keepdims=True))
    p = shifted / shifted.sum(axis=0, keepdims=True)
    return (p - np.eye(logits.shape[1])[targets]) / len(targets)


def softmax_ce_by_classes(logits, targets):
    return (forward.softmax(logits) - np.eye(logits.shape[1])[targets]) / logits.shape[1]


def softmax_ce_no_return(logits, targets):
    grad = (forward.softmax(logits) - np.eye(logits.shape[1])[targets]) / len(targets)  # noqa: F841


def softmax_ce_whole_columns(logits, targets):
    p = forward.softmax(logits)
    p[:, targets] -= 1
    return p / len(targets)


def softmax_ce_in_torch(logits, targets):
    import torch
    z = torch.tensor(logits)
    return (z.softmax(dim=1) - torch.eye(z.shape[1], dtype=z.dtype)[targets]) / len(targets)


WRONG = [
    Wrong(checks.check_hand_gradients, hand_no_return, "the three derivatives never returned", "`return`"),
    Wrong(checks.check_hand_gradients, hand_other_order, "returned as (df/dy, df/dx, df/dz)", "another order"),
    Wrong(checks.check_hand_gradients, hand_as_a_dict, "a dict {'x': ..., 'y': ..., 'z': ...}",
          "a dict where a tuple of 3 values is asked"),
    Wrong(checks.check_hand_gradients, hand_dz_without_upstream, "df/dz = 1: the upstream df/dv = y left out", ""),
    Wrong(checks.check_hand_gradients, hand_dy_without_upstream,
          "df/dy = v + x: the path through u not multiplied by df/du", ""),
    Wrong(checks.check_tanh, tanh_returns_a_float, "math.tanh(x.data) returned as a plain float",
          "must return a new Value"),
    Wrong(checks.check_tanh, tanh_parent_is_a_number, "the parent given as the number x.data, not the Value x",
          "parents as a tuple of Values"),
    Wrong(checks.check_tanh, tanh_derivative_sign, "the local derivative written t² - 1", "sign flipped"),
    Wrong(checks.check_tanh, tanh_of_the_square, "the local derivative 1 - tanh(x²)", ""),
    Wrong(checks.check_tanh, tanh_without_tuples, "Value(t, x, 1 - t*t): parent and derivative not in tuples",
          "note the commas"),
    Wrong(checks.check_backward, backward_only_the_local, "parent.grad += local: node.grad left out", ""),
    Wrong(checks.check_backward, backward_root_for_node, "local * root.grad: the root's gradient for every node",
          ""),
    Wrong(checks.check_backward, backward_parent_value_for_local, "the parent's value used as the local derivative",
          ""),
    Wrong(checks.check_backward, backward_seeded_with_the_value, "root.grad = root.data instead of 1", ""),
    Wrong(checks.check_train_step, step_returns_the_value, "the loss returned as a Value, not loss.data",
          "return its number, loss.data"),
    Wrong(checks.check_train_step, step_no_return, "the loss never returned", "`return`"),
    Wrong(checks.check_train_step, step_loss_after_the_update, "the loss after the update returned", "shifted by one"),
    Wrong(checks.check_train_step, step_divides_by_the_rate, "p.data -= p.grad / learning_rate", ""),
    Wrong(checks.check_numerical_gradient, numerical_no_return, "the gradient never returned", "`return`"),
    Wrong(checks.check_numerical_gradient, numerical_minus_first, "(f(x-h) - f(x+h)) / 2h: the sign flipped",
          "sign"),
    Wrong(checks.check_numerical_gradient, numerical_relative_step, "a step of h·x[i] divided by 2h", ""),
    Wrong(checks.check_numerical_gradient, numerical_flat_vector, "the gradient returned flat, not in x's shape",
          "shape"),
    Wrong(checks.check_linear_backward, linear_db_keepdims, "db = dz.sum(axis=0, keepdims=True): shape (1, out)",
          "the right values in the wrong shape"),
    Wrong(checks.check_linear_backward, linear_dW_averaged, "dW = x.T @ dz / batch: averaged over the batch",
          "divided by dz.shape[0]"),
    Wrong(checks.check_linear_backward, linear_no_return, "the three gradients never returned", "`return`"),
    Wrong(checks.check_linear_backward, linear_db_summed_over_everything, "db = dz.sum(): one number",
          "a number where a numpy array is asked"),
    Wrong(checks.check_numerical_gradient, numerical_precedence, "(f⁺ - f⁻) / 2 * h: multiplied by h", "multiplied by h²"),
    Wrong(checks.check_linear_backward, linear_db_forgotten, "(dx, dW) returned, db forgotten",
          "2 values where a tuple of 3"),
    Wrong(checks.check_linear_backward, linear_dx_with_x, "dx computed from x (x @ W @ W.T), not from dz", ""),
    Wrong(checks.check_softmax_cross_entropy_backward, softmax_ce_over_the_batch_axis,
          "softmax over axis 0, the batch", "axis 0"),
    Wrong(checks.check_softmax_cross_entropy_backward, softmax_ce_by_classes,
          "divided by the number of classes, not the batch size", ""),
    Wrong(checks.check_softmax_cross_entropy_backward, softmax_ce_no_return, "the gradient never returned",
          "`return`"),
    Wrong(checks.check_softmax_cross_entropy_backward, softmax_ce_in_torch, "computed in torch: a tensor returned",
          "a torch tensor where a numpy array is asked"),
    Wrong(checks.check_softmax_cross_entropy_backward, softmax_ce_whole_columns,
          "p[:, targets] -= 1: whole columns, not one entry per row", ""),
]
