"""Chapter 03: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import numpy as np
import pytest
import torch

from course_lib.nets import forward
from course_lib.machinery.exercise import ExerciseFailed
from tests.contract import contract_tests
from course_lib.exercises import forward_pass as checks




# Wrong implementations a learner might write, and the hint each must get.
def linear_transposed(x, W, b):
    return x @ W.T + b


def linear_weights_first(x, W, b):
    return np.dot(W, x.T).T + b  # "W times x", as in the maths books


def linear_bias_on_wrong_axis(x, W, b):
    return x @ W + b.reshape(-1, 1)


def linear_without_bias(x, W, b):
    return x @ W


def sigmoid_grad_of_z(z):
    return z * (1 - z)


def sigmoid_grad_tanh_formula(z):
    s = 1 / (1 + np.exp(-z))
    return 1 - s ** 2


def sigmoid_grad_returns_sigmoid(z):
    return 1 / (1 + np.exp(-z))


def mlp_activation_on_logits(x, params, activation):
    h = x
    for W, b in params:
        h = activation(h @ W + b)
    return h


def mlp_no_activation(x, params, activation):
    h = x
    for W, b in params:
        h = h @ W + b
    return h


def mlp_activation_first(x, params, activation):
    h = x
    for W, b in params:
        h = activation(h) @ W + b
    return h


def mlp_transposed(x, params, activation):
    h = x
    for i, (W, b) in enumerate(params):
        h = h @ W.T + b
        if i < len(params) - 1:
            h = activation(h)
    return h


def softmax_axis_0(logits):
    e = np.exp(logits - np.max(logits, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)


def softmax_sum_down_the_batch(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=0)


def softmax_no_max(logits):
    e = np.exp(logits)
    return e / e.sum(axis=-1, keepdims=True)


def softmax_global_max(logits):
    e = np.exp(logits - logits.max())
    return e / e.sum(axis=-1, keepdims=True)


def softmax_no_keepdims(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1)


def softmax_whole_batch_sum(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.sum()


def log_softmax(logits):
    m = logits.max(axis=1, keepdims=True)
    return logits - m - np.log(np.exp(logits - m).sum(axis=1, keepdims=True))


def cross_entropy_sum(logits, targets):
    return -log_softmax(logits)[np.arange(len(targets)), targets].sum()


def cross_entropy_log_of_softmax(logits, targets):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return -np.mean(np.log(p[np.arange(len(targets)), targets]))


def cross_entropy_unstable_logsumexp(logits, targets):
    return np.mean(np.log(np.sum(np.exp(logits), axis=1)) - logits[np.arange(len(targets)), targets])


def cross_entropy_positive_log(logits, targets):
    return log_softmax(logits)[np.arange(len(targets)), targets].mean()


def cross_entropy_column_indexing(logits, targets):
    return -log_softmax(logits)[:, targets].mean()


def cross_entropy_one_hot_mean(logits, targets):
    one_hot = np.eye(logits.shape[1])[targets]
    return -np.mean(one_hot * log_softmax(logits))


def torch_params_untransposed(model):
    return [(m.weight.detach().numpy(), m.bias.detach().numpy()) for m in model if isinstance(m, torch.nn.Linear)]


def torch_params_weights_only(model):
    return [m.weight.detach().numpy().T for m in model if isinstance(m, torch.nn.Linear)]


def torch_params_first_layer(model):
    return [(model[0].weight.detach().numpy().T, model[0].bias.detach().numpy())]


CHECKS = {
    checks.check_linear: [
        (linear_transposed, "x @ W.T is how torch uses"),
        (linear_weights_first, "one column per neuron"),
        (linear_bias_on_wrong_axis, "b[:, None] adds it down the columns"),
        (linear_without_bias, "Add the bias"),
    ],
    checks.check_sigmoid_grad: [
        (sigmoid_grad_of_z, "Apply the sigmoid first"),
        (sigmoid_grad_tanh_formula, "derivative of tanh"),
        (sigmoid_grad_returns_sigmoid, "the sigmoid itself"),
    ],
    checks.check_mlp_forward: [
        (mlp_activation_on_logits, "except the last"),
        (mlp_no_activation, "collapses into one linear layer"),
        (mlp_activation_first, "comes after the linear step"),
        (mlp_transposed, "x @ W.T is how torch uses"),
    ],
    checks.check_softmax: [
        (softmax_axis_0, "not down the batch (axis=0)"),
        (softmax_sum_down_the_batch, "not down the batch (axis=0)"),
        (softmax_no_max, "subtract each row's max before exp"),
        (softmax_global_max, "not the max of the whole batch"),
        (softmax_no_keepdims, "keepdims=True"),
        (softmax_whole_batch_sum, "not by the sum of the whole batch"),
    ],
    checks.check_cross_entropy: [
        (cross_entropy_sum, "Average over the batch, do not add up"),
        (cross_entropy_log_of_softmax, "log(softmax(z)) fails"),
        (cross_entropy_unstable_logsumexp, "exp of a large logit overflows"),
        (cross_entropy_positive_log, "minus the log-probability"),
        (cross_entropy_column_indexing, "Pick one entry per row"),
        (cross_entropy_one_hot_mean, "divides by the number of classes"),
    ],
    checks.check_torch_params: [
        (torch_params_untransposed, "transpose it, W = weight.T"),
        (torch_params_weights_only, "the biases are parameters too"),
        (torch_params_first_layer, "Every Linear layer has its pair"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_the_smallest_failing_case_of_a_missing_max_is_the_overflowing_row():
    with pytest.warns(RuntimeWarning), pytest.raises(ExerciseFailed) as caught:
        checks.check_softmax(softmax_no_max)
    assert "logits=[1000., 1001., 1002.]" in str(caught.value)


# The numbers the chapter and its quiz state.
def test_overflow_limits_of_exp():
    assert math.log(np.finfo(np.float64).max) == pytest.approx(709.78, abs=0.005)
    assert math.log(np.finfo(np.float32).max) == pytest.approx(88.72, abs=0.005)
    assert math.log(np.finfo(np.float16).max) == pytest.approx(11.09, abs=0.005)
    assert np.finfo(np.float32).eps == pytest.approx(1.2e-7, rel=0.01)


def test_quiz_numbers():
    assert math.log(10) == pytest.approx(2.303, abs=5e-4)  # a uniform 10-class guess
    assert math.sqrt(256 / 2) == pytest.approx(11.3, abs=0.05)  # ReLU, N(0, 1), width 256
    assert 1 / (2 / 256) == 128  # N(0, 1)'s variance against He's
    assert 0.25 ** 10 == pytest.approx(9.5e-7, rel=0.01)  # ten sigmoid slopes at most


def test_the_quiz_has_one_right_answer_per_question_and_explains_every_option():
    assert len(checks.QUIZ.questions) == 7  # "Seven questions", says the notebook
    for question in checks.QUIZ.questions:
        assert sum(o.correct for o in question.options) == 1 and all(o.why for o in question.options)


def test_tanh_with_unit_weights_saturates_with_preactivations_near_16():
    rng = np.random.default_rng(0)
    params = forward.init_params([256] * 12, 1.0, seed=0)
    z, h = forward.mlp_trace(rng.normal(size=(256, 256)), params, "tanh")[9]
    assert 15 < z.std() < 17 and np.mean(np.abs(h) > 0.99) > 0.8
