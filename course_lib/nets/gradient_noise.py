"""Gradient noise: how far a minibatch gradient lies from the full-batch gradient.

The loss is a mean over N examples, so its gradient g is the mean of the N
per-example gradients g_i. A minibatch of B examples, drawn without replacement,
estimates g by the mean of B of them. The estimate is unbiased, and its expected
squared error is

    E ‖g_B − g‖² = σ²/B · (N − B)/(N − 1),     σ² = (1/N) Σ ‖g_i − g‖²,

the variance of a sample mean with the finite-population correction (N − B)/(N − 1),
which makes the error exactly 0 when the batch is the whole set (B = N).
"""
from __future__ import annotations

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.machinery.env import seed_for


def per_example_gradients(model: nn.Module, loss_fn, x: Tensor, y: Tensor) -> np.ndarray:
    """One flattened gradient per example, shape (N, number of parameters), in float32.

    loss_fn(model, (x, y)) is a batch's mean loss, as ``course_lib.nets.train.train`` takes it.
    """
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    parameters = [p for p in model.parameters() if p.requires_grad]
    rows = []
    for i in range(len(x)):
        loss = loss_fn(model, (x[i:i + 1], y[i:i + 1]))
        rows.append(torch.cat([g.flatten() for g in torch.autograd.grad(loss, parameters)]))
    return torch.stack(rows).float().numpy()


def minibatch_error(per_example: np.ndarray, batch_size: int, draws: int, seed: int = 0) -> float:
    """Mean of ‖g_B − g‖² over ``draws`` minibatches of ``batch_size`` examples drawn without replacement."""
    n = len(per_example)
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer from 1 to {n} (the number of examples), got {batch_size!r}")
    if not (isinstance(draws, int) and draws >= 1):
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    rng = np.random.default_rng(seed_for(seed))
    full = per_example.mean(axis=0)
    errors = [np.sum((per_example[rng.choice(n, batch_size, replace=False)].mean(axis=0) - full) ** 2)
              for _ in range(draws)]
    return float(np.mean(errors))


def predicted_error(per_example: np.ndarray, batch_size: int) -> float:
    """σ²/B · (N − B)/(N − 1): the expected ‖g_B − g‖² of a batch of B drawn without replacement."""
    n = len(per_example)
    if not (isinstance(batch_size, int) and 1 <= batch_size <= n):
        raise ValueError(f"batch_size must be an integer from 1 to {n} (the number of examples), got {batch_size!r}")
    if n < 2:
        raise ValueError("need the gradients of at least two examples")
    variance = np.sum((per_example - per_example.mean(axis=0)) ** 2, axis=1, dtype=np.float64).mean()
    return float(variance / batch_size * (n - batch_size) / (n - 1))
