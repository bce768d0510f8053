"""The forward pass of a multilayer perceptron (MLP), in numpy.

Conventions, shared by every function here (and by chapter 04's backprop):

* A batch is a 2-D array of shape (batch, features): one example per row. A single
  example may also be a 1-D array of shape (features,).
* A layer's weights W have shape (in, out) and its bias b has shape (out,), so that
  ``linear(x, W, b) = x @ W + b`` maps (batch, in) to (batch, out). Column j of W
  holds the weights of neuron j.
* torch.nn.Linear stores its weight the other way round, (out, in), and computes
  ``x @ weight.T + bias``: ``from_torch`` transposes when it copies the weights.
* An MLP's parameters are a list of (W, b) pairs, first layer first. The activation
  follows every layer except the last, whose outputs are the logits.
"""
from __future__ import annotations

import math
from typing import Callable, Sequence, Union

import numpy as np

from course_lib.machinery.env import seed_for

Params = list[tuple[np.ndarray, np.ndarray]]
Activation = Union[str, Callable[[np.ndarray], np.ndarray]]


def as_array(value, name: str) -> np.ndarray:
    """``value`` as a numpy array of floats (float32 stays float32; integers become float64)."""
    array = np.asarray(value)
    if array.dtype == bool or np.issubdtype(array.dtype, np.integer):
        return array.astype(float)
    if not np.issubdtype(array.dtype, np.floating):
        raise TypeError(f"{name} must hold numbers, got an array of {array.dtype}")
    return array


# --- neurons and layers -------------------------------------------------------------

def linear(x, W, b) -> np.ndarray:
    """A layer of neurons: ``x @ W + b``. x: (batch, in) or (in,); W: (in, out); b: (out,)."""
    x, W, b = as_array(x, "x"), as_array(W, "W"), as_array(b, "b")
    if W.ndim != 2:
        raise ValueError(f"W must be a 2-D array of shape (in, out), got shape {W.shape}")
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (batch, in) or (in,), got shape {x.shape}")
    if x.shape[-1] != W.shape[0]:
        hint = " (torch keeps weights as (out, in): transpose them)" if x.shape[-1] == W.shape[1] else ""
        raise ValueError(f"x has shape {x.shape} and W has shape {W.shape}: x's last dimension "
                         f"({x.shape[-1]}) must equal W's first ({W.shape[0]}), the number of inputs{hint}")
    if b.shape != (W.shape[1],):
        raise ValueError(f"b has shape {b.shape} and W has shape {W.shape}: b needs one entry per output, "
                         f"shape ({W.shape[1]},)")
    return x @ W + b


def neuron(x, w, b: float, activation: Activation = "relu") -> float:
    """One neuron on one example: act(w · x + b), with x and w of shape (in,)."""
    x, w = as_array(x, "x"), as_array(w, "w")
    if x.ndim != 1 or x.shape != w.shape:
        raise ValueError(f"x and w must be 1-D and of equal length, got shapes {x.shape} and {w.shape}")
    return float(activation_function(activation)(x @ w + b))


# --- activations, each with its derivative (chapter 04 needs the slopes) -----------

def relu(z):
    return np.maximum(z, 0)


def relu_grad(z):
    return np.heaviside(z, 0.0)  # 0 for z <= 0 (torch's choice at z = 0), 1 for z > 0


def sigmoid(z):
    return np.exp(-np.logaddexp(0, -z))  # 1 / (1 + e^-z), without overflow for very negative z


def sigmoid_grad(z):
    s = sigmoid(z)
    return s * (1 - s)


def tanh(z):
    return np.tanh(z)


def tanh_grad(z):
    return 1 - np.tanh(z) ** 2


def normal_cdf(z):
    """Φ(z), the probability that a standard normal variable is below z."""
    from scipy.special import erf  # vectorised (math.erf is one Python call per number); scipy ships with scikit-learn
    z = np.asarray(z)
    return (0.5 * (1 + erf(z / math.sqrt(2)))).astype(np.result_type(z, 1.0))


def gelu(z):
    return z * normal_cdf(z)  # torch.nn.GELU()'s exact form (not its "tanh" approximation)


def gelu_grad(z):
    return normal_cdf(z) + z * np.exp(-0.5 * np.square(z)) / math.sqrt(2 * math.pi)


def identity(z):
    return z


def identity_grad(z):
    return np.ones_like(z, dtype=np.result_type(z, 1.0))


ACTIVATIONS = {"relu": relu, "tanh": tanh, "sigmoid": sigmoid, "gelu": gelu, "identity": identity}
DERIVATIVES = {"relu": relu_grad, "tanh": tanh_grad, "sigmoid": sigmoid_grad, "gelu": gelu_grad,
               "identity": identity_grad}
TORCH_NAMES = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "gelu": "GELU", "identity": "Identity"}


def activation_function(activation: Activation) -> Callable:
    """The function for a name in ACTIVATIONS; a function passes through unchanged."""
    if callable(activation):
        return activation
    if activation not in ACTIVATIONS:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(ACTIVATIONS)} "
                         "or pass a function")
    return ACTIVATIONS[activation]


# --- the MLP ----------------------------------------------------------------------------

def check_params(params: Params) -> None:
    if not isinstance(params, (list, tuple)) or not params:
        raise TypeError(f"params must be a non-empty list of (W, b) pairs, got {type(params).__name__}")
    for i, pair in enumerate(params, 1):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise TypeError(f"layer {i} of params must be a (W, b) pair, got {type(pair).__name__}")


def mlp_trace(x, params: Params, activation: Activation = "relu") -> list[tuple[np.ndarray, np.ndarray]]:
    """Every layer's (z, h), first layer first: z = h_prev @ W + b and h = act(z).

    The last layer has no activation: its h is its z, the logits. Backprop (chapter 04)
    walks this list backwards.
    """
    act = activation_function(activation)
    check_params(params)
    h, trace = as_array(x, "x"), []
    for i, (W, b) in enumerate(params, 1):
        try:
            z = linear(h, W, b)
        except ValueError as error:
            raise ValueError(f"layer {i} of {len(params)}: {error}") from None
        h = z if i == len(params) else act(z)
        trace.append((z, h))
    return trace


def mlp(x, params: Params, activation: Activation = "relu") -> np.ndarray:
    """The logits of an MLP: (batch, in) -> (batch, out), or (in,) -> (out,)."""
    return mlp_trace(x, params, activation)[-1][1]


def shapes(x, params: Params, activation: Activation = "relu") -> str:
    """A table of the shape of every array in the forward pass, to print and read."""
    trace = mlp_trace(x, params, activation)
    name = activation if isinstance(activation, str) else getattr(activation, "__name__", "activation")
    rows, before = [("input x", "", np.shape(x))], np.shape(x)
    for i, ((W, b), (z, h)) in enumerate(zip(params, trace), 1):
        rows.append((f"layer {i}", f"{before} @ W{i} {np.shape(W)} + b{i} {np.shape(b)}", z.shape))
        if i < len(params):
            rows.append(("", name, h.shape))
        before = h.shape
    rows.append(("logits", "", before))
    width = max(len(step) for _, step, _ in rows)
    return "\n".join(f"{label:<8} {step:<{width}}  {'->' if step else '  '} {shape}" for label, step, shape in rows)


# --- from logits to probabilities and a loss ----------------------------------------

def logsumexp(logits, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """log(sum(exp(logits))) along ``axis``, computed as m + log(sum(exp(logits - m))), m the max.

    Every exp(logits - m) is at most 1, so nothing overflows, and the largest is
    exactly 1, so the sum is at least 1 and its log is finite.
    """
    z = as_array(logits, "logits")
    m = z.max(axis=axis, keepdims=True)
    out = m + np.log(np.exp(z - m).sum(axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(logits, axis: int = -1) -> np.ndarray:
    """exp(z) / sum(exp(z)) along ``axis`` (each row of a batch), stabilised by subtracting the max."""
    z = as_array(logits, "logits")
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def log_softmax(logits, axis: int = -1) -> np.ndarray:
    """log(softmax(z)) = z - logsumexp(z), finite even where softmax underflows to 0."""
    z = as_array(logits, "logits")
    return z - logsumexp(z, axis=axis, keepdims=True)


def cross_entropy(logits, targets) -> float:
    """Mean over the batch of -log p(target), from logits (batch, classes) and targets (batch,).

    Equal to torch.nn.functional.cross_entropy(logits, targets) (reduction="mean").
    """
    z, targets = as_array(logits, "logits"), np.asarray(targets)
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (batch, classes), got shape {z.shape}")
    if targets.shape != (z.shape[0],):
        raise ValueError(f"targets has shape {targets.shape} and logits has shape {z.shape}: "
                         f"give one class index per row of logits, shape ({z.shape[0]},)")
    if not np.issubdtype(targets.dtype, np.integer):
        raise TypeError(f"targets must be integer class indices, got an array of {targets.dtype}")
    if targets.size and (targets.min() < 0 or targets.max() >= z.shape[1]):
        raise ValueError(f"targets must lie in 0..{z.shape[1] - 1} (logits has {z.shape[1]} classes), "
                         f"got {targets.min()}..{targets.max()}")
    return float(-log_softmax(z)[np.arange(len(targets)), targets].mean())


# --- initialisation ---------------------------------------------------------------------

def init_params(sizes: Sequence[int], scheme: str | float = "he", seed: int = 0) -> Params:
    """Random parameters for an MLP whose layer widths are ``sizes`` (inputs first, outputs last).

    scheme  "he"      W ~ N(0, 2/in)                     He et al. 2015, for ReLU
            "glorot"  W ~ U(-a, a), a = √(6/(in+out))    Glorot & Bengio 2010, for tanh
            "torch"   W and b ~ U(-1/√in, 1/√in)         torch.nn.Linear's default
            a number  W ~ N(0, scheme²)                  a fixed scale, e.g. 0.01 or 1
    Biases start at zero, except for "torch".
    """
    if len(sizes) < 2 or not all(isinstance(n, (int, np.integer)) and n > 0 for n in sizes):
        raise ValueError(f"sizes must list at least two positive integer widths, got {sizes!r}")
    if not (scheme in ("he", "glorot", "torch") or (isinstance(scheme, (int, float)) and scheme > 0)):
        raise ValueError(f"scheme must be 'he', 'glorot', 'torch' or a positive standard deviation, got {scheme!r}")
    rng, params = np.random.default_rng(seed_for(seed)), []
    for n_in, n_out in zip(sizes, sizes[1:]):
        b = np.zeros(n_out)
        if scheme == "he":
            W = rng.normal(0, math.sqrt(2 / n_in), (n_in, n_out))
        elif scheme == "glorot":
            a = math.sqrt(6 / (n_in + n_out))
            W = rng.uniform(-a, a, (n_in, n_out))
        elif scheme == "torch":
            a = 1 / math.sqrt(n_in)
            W, b = rng.uniform(-a, a, (n_in, n_out)), rng.uniform(-a, a, n_out)
        else:
            W = rng.normal(0, scheme, (n_in, n_out))
        params.append((W, b))
    return params


# --- torch: the same network, the other way round -------------------------------------

def torch_sequential(sizes: Sequence[int], activation: str = "relu"):
    """The torch.nn.Sequential MLP with layer widths ``sizes``: Linear, act, Linear, ..., Linear."""
    import torch
    if len(sizes) < 2:
        raise ValueError(f"sizes must list at least two widths, got {sizes!r}")
    if activation not in TORCH_NAMES:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(TORCH_NAMES)}")
    layers = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        layers += [torch.nn.Linear(n_in, n_out), getattr(torch.nn, TORCH_NAMES[activation])()]
    return torch.nn.Sequential(*layers[:-1])


def from_torch(model) -> tuple[Params, str]:
    """(params, activation name) of a torch.nn.Sequential MLP: Linear, act, Linear, ..., Linear.

    torch's weight has shape (out, in); we keep its transpose W = weight.T, shape
    (in, out), so that ``linear(x, W, b)`` computes what the torch layer computes.
    The arrays are copies in torch's dtype (float32 unless the model was converted).
    """
    import torch
    if not isinstance(model, torch.nn.Sequential):
        raise TypeError(f"expected a torch.nn.Sequential, got {type(model).__name__}")
    layers = list(model)
    kinds = [type(layer).__name__ for layer in layers]
    if len(layers) % 2 == 0 or not all(isinstance(layer, torch.nn.Linear) for layer in layers[::2]):
        raise ValueError(f"expected Linear, activation, Linear, ..., Linear; got {kinds}")
    found = set(kinds[1::2])
    if len(found) > 1 or not found <= set(TORCH_NAMES.values()):
        raise ValueError(f"the activations must all be one of {', '.join(TORCH_NAMES.values())}; got {kinds[1::2]}")
    if any(getattr(layer, "approximate", "none") != "none" for layer in layers[1::2]):
        raise ValueError("GELU(approximate='tanh') is not the exact GELU computed here; use torch.nn.GELU()")
    activation = next((n for n, t in TORCH_NAMES.items() if t in found), "identity")
    params = []
    for layer in layers[::2]:
        W = layer.weight.detach().numpy().T.copy()
        b = layer.bias.detach().numpy().copy() if layer.bias is not None else np.zeros(W.shape[1], W.dtype)
        params.append((W, b))
    return params, activation
