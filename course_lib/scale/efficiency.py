"""Training more cheaply on the same hardware: mixed precision, gradient accumulation, checkpointing.

Each technique trades one resource for another, and each must leave the mathematics alone.

* **Mixed precision** (Micikevicius et al. 2018): inside ``torch.autocast``, the matrix
  products run in a 16-bit format (here bfloat16: float32's 8-bit exponent, so the same
  range, but 7 bits of mantissa instead of 23), which halves their memory traffic and uses
  the hardware's 16-bit units where it has them. What must not change: the weights, their
  gradients and the optimizer's state stay in float32 (an update smaller than bfloat16's
  spacing would be lost, ``lost_update``), and the loss and the layer norms are computed in
  float32. ``dtypes_under_autocast`` shows which is which.
* **Gradient accumulation**: a batch too large for memory is split into k micro-batches;
  each micro-batch's mean loss is divided by k before ``backward()``, which *adds* into
  ``.grad``, so the sum is exactly the whole batch's gradient, with the activations of one
  micro-batch in memory at a time (``accumulate_gradients``).
* **Activation checkpointing** (Chen et al. 2016): keep only each block's input in the
  forward pass and recompute the block's activations during the backward pass: memory for
  the stored activations falls from every layer's to one block input per layer, for about
  one more forward pass of compute (``Checkpointed``).
"""
from __future__ import annotations

import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

from course_lib.lm.gpt import GPT


def dtypes_under_autocast(model: GPT, idx: torch.Tensor, dtype: torch.dtype = torch.bfloat16) -> dict[str, torch.dtype]:
    """The dtype of each kind of number in one training step of ``model`` under CPU autocast."""
    if not isinstance(model, GPT):
        raise TypeError(f"expected a course_lib.lm.gpt.GPT, got {type(model).__name__}")
    block = model.blocks[0]
    with torch.autocast("cpu", dtype=dtype):
        x = model.embed(idx)
        normed = block.ln_1(x)
        attention = block.attn(normed)
        hidden = block.mlp.fc(block.ln_2(x))
        logits, loss = model(idx, idx)
    loss.backward()
    found = {"weights": model.lm_head.weight.dtype, "embeddings (a look-up)": x.dtype,
             "layer norm output": normed.dtype, "attention output": attention.dtype,
             "MLP hidden layer (a matrix product)": hidden.dtype, "logits (a matrix product)": logits.dtype,
             "loss (cross-entropy)": loss.dtype, "gradients": model.lm_head.weight.grad.dtype}
    model.zero_grad(set_to_none=True)
    return found


def lost_update(start: float = 1.0, update: float = 1e-4, steps: int = 100,
                dtype: torch.dtype = torch.bfloat16) -> float:
    """Add ``update`` to ``start`` ``steps`` times in ``dtype``: where the update is below half the
    spacing of the numbers near ``start``, every addition rounds back and the weight never moves."""
    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    weight = torch.tensor(start, dtype=dtype)
    for _ in range(steps):
        weight = weight + torch.tensor(update, dtype=dtype)
    return weight.item()


def flat_gradients(model: nn.Module) -> torch.Tensor:
    """All parameters' gradients in one vector (zeros where a parameter has none)."""
    return torch.cat([(p.grad if p.grad is not None else torch.zeros_like(p)).flatten() for p in model.parameters()])


def accumulate_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor, micro_batches: int) -> None:
    """Leave in ``.grad`` the gradient of the mean loss over the batch (x, y), computed in
    ``micro_batches`` equal parts: zero once, then for each part backward(loss / micro_batches)."""
    if not isinstance(micro_batches, int) or micro_batches < 1 or len(x) % micro_batches:
        raise ValueError(f"micro_batches must be a positive integer dividing the batch of {len(x)}, "
                         f"got {micro_batches!r}")
    model.zero_grad(set_to_none=True)
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        loss = model(xs, ys)[1]
        (loss / micro_batches).backward()


class Checkpointed(nn.Module):
    """A course_lib.lm.gpt.GPT whose blocks are recomputed in the backward pass instead of stored.

    It shares the GPT's parameters and computes exactly the same logits, loss and gradients;
    only what autograd keeps between the passes changes: each block's input, not its insides.
    """

    def __init__(self, model: GPT):
        super().__init__()
        if not isinstance(model, GPT):
            raise TypeError(f"expected a course_lib.lm.gpt.GPT, got {type(model).__name__}")
        self.model = model

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        x = self.model.embed(idx)
        for block in self.model.blocks:
            x = checkpoint(block, x, use_reentrant=False)
        logits = self.model.lm_head(self.model.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))


def seconds_per_step(model: nn.Module, idx: torch.Tensor, autocast: bool = False, repeats: int = 5) -> float:
    """The best wall-clock time of a forward and backward pass over ``repeats`` tries (after a warm-up),
    in float32 or under bfloat16 autocast."""
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")

    def step() -> None:
        with torch.autocast("cpu", dtype=torch.bfloat16, enabled=autocast):
            loss = model(idx, idx)[1]
        loss.backward()
        model.zero_grad(set_to_none=True)

    step()  # warm-up: the first call pays for allocations and kernel selection
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        step()
        best = min(best, time.perf_counter() - start)
    return best

