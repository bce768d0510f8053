"""Backpropagation for a numpy MLP, by hand and vectorised: whole batches, whole matrices.

The scalar engine applies the chain rule one number at a time; here every step handles an
array at once, with the forward pass of chapter 03 (``course_lib.nets.forward``). The three
rules, for a batch of B rows (each gradient has the shape of what it is the gradient of):

    linear      z = x @ W + b        dx = dz @ W.T      (B, out) @ (out, in) -> (B, in)
                x (B, in), W (in, out)                dW = x.T @ dz      (in, B) @ (B, out) -> (in, out)
                                                      db = dz summed over the B rows     -> (out,)
    activation  h = act(z)           dz = dh * act'(z)  elementwise
    loss        L = mean cross-entropy of softmax(z)
                                     dz = (softmax(z) - onehot(targets)) / B

dW and db *sum* over the batch because every example used the same W and b: the matrix
product does the "+=" of the scalar engine for all B examples at once.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from course_lib.nets import autograd, forward, gradcheck
from course_lib.nets.forward import Params


def linear_backward(dz: np.ndarray, x: np.ndarray, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(dx, dW, db) through z = x @ W + b, given dz = dL/dz of shape (batch, out)."""
    dz, x, W = np.asarray(dz), np.asarray(x), np.asarray(W)
    if x.ndim != 2 or W.ndim != 2 or dz.ndim != 2:
        raise ValueError(f"need 2-D arrays: dz (batch, out), x (batch, in), W (in, out); "
                         f"got shapes {dz.shape}, {x.shape}, {W.shape}")
    if dz.shape != (x.shape[0], W.shape[1]) or x.shape[1] != W.shape[0]:
        raise ValueError(f"shapes do not fit z = x @ W + b: dz {dz.shape}, x {x.shape}, W {W.shape}")
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def activation_backward(dh: np.ndarray, z: np.ndarray, activation: str) -> np.ndarray:
    """dL/dz through h = act(z), elementwise: dh * act'(z), with act' from chapter 03."""
    if activation not in forward.DERIVATIVES:
        raise ValueError(f"unknown activation {activation!r}; choose one of {', '.join(forward.DERIVATIVES)}")
    if np.shape(dh) != np.shape(z):
        raise ValueError(f"dh and z must have the same shape, got {np.shape(dh)} and {np.shape(z)}")
    return dh * forward.DERIVATIVES[activation](z)


def softmax_cross_entropy_backward(logits: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """dL/dlogits of the mean cross-entropy: (softmax(logits) - onehot(targets)) / batch."""
    logits, targets = np.asarray(logits), np.asarray(targets)
    if logits.ndim != 2 or targets.shape != logits.shape[:1] or not np.issubdtype(targets.dtype, np.integer):
        raise ValueError(f"need logits of shape (batch, classes) and integer targets of shape (batch,), "
                         f"got {logits.shape} and {targets.shape} ({targets.dtype})")
    if targets.min() < 0 or targets.max() >= logits.shape[1]:
        raise ValueError(f"targets must be class indices in 0..{logits.shape[1] - 1}, "
                         f"got {targets.min()}..{targets.max()}")
    grad = forward.softmax(logits)
    grad[np.arange(len(targets)), targets] -= 1
    return grad / len(targets)


def mlp_backward(x: np.ndarray, targets: np.ndarray, params: Params,
                 activation: str = "relu") -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
    """The mean cross-entropy loss and every layer's (dW, db): one pass forward, one back."""
    trace = forward.mlp_trace(x, params, activation)  # each layer's (z, h), for the way back
    logits = trace[-1][1]
    dz = softmax_cross_entropy_backward(logits, targets)
    grads = []
    for i in reversed(range(len(params))):
        inputs = trace[i - 1][1] if i else np.asarray(x)
        dh, dW, db = linear_backward(dz, inputs, params[i][0])
        grads.append((dW, db))
        if i:
            dz = activation_backward(dh, trace[i - 1][0], activation)
    return forward.cross_entropy(logits, targets), grads[::-1]


def train_step(params: Params, x: np.ndarray, targets: np.ndarray, learning_rate: float,
               activation: str = "relu") -> float:
    """One step of gradient descent, changing the arrays of ``params`` in place. Returns the loss."""
    loss, grads = mlp_backward(x, targets, params, activation)
    for (W, b), (dW, db) in zip(params, grads):
        W -= learning_rate * dW
        b -= learning_rate * db
    return loss


def gradient_check(x: np.ndarray, targets: np.ndarray, params: Params, activation: str = "relu",
                   h: float = 1e-6, dtype=np.float64) -> dict[str, float]:
    """The relative error of mlp_backward's gradient of each array (W1, b1, W2, ...) against
    central differences of the loss computed in ``dtype`` (float64, or float32 to see why not)."""
    names = [f"{kind}{i}" for i in range(1, len(params) + 1) for kind in "Wb"]
    _, grads = mlp_backward(x, targets, params, activation)

    def loss(arrays: dict) -> float:
        pairs = [(arrays[f"W{i}"].astype(dtype), arrays[f"b{i}"].astype(dtype)) for i in range(1, len(params) + 1)]
        return forward.cross_entropy(forward.mlp(np.asarray(x, dtype=dtype), pairs, activation), targets)

    return gradcheck.check_gradients(loss, dict(zip(names, (a for pair in params for a in pair))),
                                     dict(zip(names, (g for pair in grads for g in pair))), h)


# The same network in the three implementations the chapter compares.
def to_params(model: autograd.MLP, grads: bool = False) -> Params:
    """The scalar engine's MLP as numpy arrays, W of shape (in, out): its weights, or with
    ``grads=True`` their gradients, in the same layout."""
    if not isinstance(model, autograd.MLP):
        raise TypeError(f"expected an autograd.MLP, got {type(model).__name__}")
    field = "grad" if grads else "data"
    return [(np.array([[getattr(w, field) for w in neuron.w] for neuron in layer.neurons]).T,
             np.array([getattr(neuron.b, field) for neuron in layer.neurons])) for layer in model.layers]


def torch_mlp(params: Params, activation: str = "relu", dtype=None):
    """A torch.nn.Sequential computing what ``forward.mlp(x, params, activation)`` computes.

    torch.nn.Linear keeps its weight as (out, in): it gets W.T. dtype defaults to float64.
    """
    import torch
    forward.check_params(params)
    sizes = [params[0][0].shape[0]] + [W.shape[1] for W, _ in params]
    model = forward.torch_sequential(sizes, activation).to(dtype or torch.float64)
    with torch.no_grad():
        for layer, (W, b) in zip(model[::2], params):
            layer.weight.copy_(torch.from_numpy(np.ascontiguousarray(np.asarray(W).T)))
            layer.bias.copy_(torch.from_numpy(np.asarray(b)))
    return model


def torch_gradients(x: np.ndarray, targets: np.ndarray, params: Params,
                    activation: str = "relu") -> tuple[float, list[tuple[np.ndarray, np.ndarray]]]:
    """What mlp_backward returns, computed by torch.autograd in float64 (dW transposed back to (in, out))."""
    import torch
    model = torch_mlp(params, activation, torch.float64)
    loss = torch.nn.functional.cross_entropy(model(torch.as_tensor(np.asarray(x, dtype=np.float64))),
                                             torch.as_tensor(targets))
    loss.backward()
    return loss.item(), [(layer.weight.grad.numpy().T, layer.bias.grad.numpy()) for layer in model[::2]]


def seconds_per_call(function: Callable[[], object], calls: int = 1, repeats: int = 5) -> float:
    """The best time of ``repeats`` runs of ``calls`` calls, per call: the least disturbed by other work.

    One call runs first, untimed: a first call may pay for set-up (memory, caches, lazy imports).
    """
    if not (isinstance(calls, int) and calls > 0 and isinstance(repeats, int) and repeats > 0):
        raise ValueError(f"calls and repeats must be positive integers, got {calls!r} and {repeats!r}")
    function()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            function()
        best = min(best, (time.perf_counter() - start) / calls)
    return best


def step_times(x: np.ndarray, targets: np.ndarray, width: int, learning_rate: float = 0.1,
               activation: str = "tanh", seed: int = 0) -> dict[str, float]:
    """Seconds for one training step of the same MLP (2 inputs, one hidden layer of ``width``)
    with the scalar engine, vectorised numpy, and torch (float64 throughout)."""
    import torch
    classes = int(np.max(targets)) + 1
    model = autograd.MLP(np.shape(x)[1], [width, classes], activation, seed=seed)
    params = to_params(model)
    net = torch_mlp(params, activation)
    xs, ys = np.asarray(x).tolist(), np.asarray(targets).tolist()
    inputs, labels = torch.as_tensor(np.asarray(x, dtype=np.float64)), torch.as_tensor(targets)

    def torch_step():
        net.zero_grad()
        loss = torch.nn.functional.cross_entropy(net(inputs), labels)
        loss.backward()
        with torch.no_grad():
            for p in net.parameters():
                p -= learning_rate * p.grad

    return {"scalar engine": seconds_per_call(lambda: autograd.train_step(model, xs, ys, learning_rate), 1, 3),
            "numpy": seconds_per_call(lambda: train_step(params, x, targets, learning_rate, activation), 20),
            "torch": seconds_per_call(torch_step, 20)}
