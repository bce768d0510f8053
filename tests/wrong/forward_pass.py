"""Chapter 03: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import numpy as np

from course_lib.exercises import forward_pass as checks
from tests.wrong import Wrong


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# 3.1 linear
def linear_no_return(x, W, b):
    y = x @ W + b  # noqa: F841


def linear_bias_subtracted(x, W, b):
    return x @ W - b


def linear_outputs_as_columns(x, W, b):
    return (x @ W + b).T


def linear_weights_first(x, W, b):
    return np.dot(W, x) + b


# 3.2 sigmoid_grad
def slope_no_return(z):
    s = 1 / (1 + np.exp(-z))
    slope = s * (1 - s)  # noqa: F841


def slope_of_tanh(z):
    return 1 - np.tanh(z) ** 2


def slope_complement(z):
    return 1 - sigmoid(z)


def slope_with_torch(z):
    import torch
    s = torch.sigmoid(torch.as_tensor(z))
    return s * (1 - s)


# 3.3 mlp_forward
def mlp_no_return(x, params, activation):
    h = x
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = activation(h)


def mlp_skips_the_last_layer(x, params, activation):
    h = x
    for W, b in params[:-1]:
        h = activation(h @ W + b)
    return h


def mlp_softmax_at_the_end(x, params, activation):
    from course_lib.nets.forward import softmax
    h = x
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        h = activation(h) if i < len(params) - 1 else softmax(h)
    return h


def mlp_every_layer_kept(x, params, activation):
    h, outputs = x, []
    for i, (W, b) in enumerate(params):
        h = h @ W + b
        if i < len(params) - 1:
            h = activation(h)
        outputs.append(h)
    return outputs


# 3.4 softmax
def softmax_no_return(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    p = e / e.sum(axis=-1, keepdims=True)  # noqa: F841


def softmax_divided_by_the_max(logits):
    e = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return e / e.max(axis=-1, keepdims=True)


def softmax_with_torch(logits):
    import torch
    return torch.softmax(torch.as_tensor(logits), dim=-1)


def softmax_shift_by_the_mean(logits):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(logits - logits.mean(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


# 3.5 cross_entropy
def loss_no_return(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    loss = -log_p[np.arange(len(targets)), targets].mean()  # noqa: F841


def loss_per_row(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(targets)), targets]


def loss_in_bits(logits, targets):
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    return -log_p[np.arange(len(targets)), targets].mean() / math.log(2)


def loss_probability_not_log(logits, targets):
    e = np.exp(logits - logits.max(axis=1, keepdims=True))
    p = e / e.sum(axis=1, keepdims=True)
    return float(-p[np.arange(len(targets)), targets].mean())


# 3.6 torch_params
def params_no_return(model):
    pairs = [(layer.weight.detach().numpy().T, layer.bias.detach().numpy())  # noqa: F841
             for layer in model if hasattr(layer, "weight")]


def params_as_tensors(model):
    return [(layer.weight.detach().T, layer.bias.detach()) for layer in model if hasattr(layer, "weight")]


def params_every_module(model):
    return [(layer.weight.detach().numpy().T, layer.bias.detach().numpy()) for layer in model]


def params_bias_first(model):
    return [(layer.bias.detach().numpy(), layer.weight.detach().numpy().T) for layer in model
            if hasattr(layer, "weight")]


WRONG = [
    Wrong(checks.check_linear, linear_no_return, "the output never returned", "`return`"),
    Wrong(checks.check_linear, linear_bias_subtracted, "the bias subtracted", ""),
    Wrong(checks.check_linear, linear_outputs_as_columns, "the outputs as columns: (x @ W + b).T", "the transpose"),
    Wrong(checks.check_linear, linear_weights_first, "np.dot(W, x): weights before inputs", "shape"),
    Wrong(checks.check_sigmoid_grad, slope_no_return, "the slope never returned", "`return`"),
    Wrong(checks.check_sigmoid_grad, slope_of_tanh, "1 - tanh(z)**2: the slope of tanh", "tanh"),
    Wrong(checks.check_sigmoid_grad, slope_complement, "1 - s(z): the complement, not the slope", "complement"),
    Wrong(checks.check_sigmoid_grad, slope_with_torch, "torch.sigmoid: a tensor where numpy is asked",
          "a torch tensor where"),
    Wrong(checks.check_mlp_forward, mlp_no_return, "the logits never returned", "`return`"),
    Wrong(checks.check_mlp_forward, mlp_skips_the_last_layer, "params[:-1]: the output layer skipped", ""),
    Wrong(checks.check_mlp_forward, mlp_softmax_at_the_end, "a softmax after the last layer", ""),
    Wrong(checks.check_mlp_forward, mlp_every_layer_kept, "a list of every layer's output, not the logits",
          "a list where"),
    Wrong(checks.check_softmax, softmax_no_return, "the probabilities never returned", "`return`"),
    Wrong(checks.check_softmax, softmax_divided_by_the_max, "divided by the row's max, not its sum", ""),
    Wrong(checks.check_softmax, softmax_with_torch, "torch.softmax: a tensor where numpy is asked",
          "a torch tensor where a numpy array"),
    Wrong(checks.check_softmax, softmax_shift_by_the_mean, "shifted by the row's mean: exp still overflows",
          "overflow"),
    Wrong(checks.check_cross_entropy, loss_no_return, "the loss never returned", "`return`"),
    Wrong(checks.check_cross_entropy, loss_per_row, "the per-row losses, never averaged", "a missing reduction"),
    Wrong(checks.check_cross_entropy, loss_in_bits, "divided by ln 2: bits, not nats", "ln 2"),
    Wrong(checks.check_cross_entropy, loss_probability_not_log, "minus the probability, not its log", ""),
    Wrong(checks.check_torch_params, params_no_return, "the pairs never returned", "`return`"),
    Wrong(checks.check_torch_params, params_as_tensors, "torch tensors where numpy arrays are asked",
          "a torch tensor where a numpy array"),
    Wrong(checks.check_torch_params, params_every_module, "every module read, the ReLUs too", "AttributeError"),
    Wrong(checks.check_torch_params, params_bias_first, "(b, W) instead of (W, b)", "another order"),
]
