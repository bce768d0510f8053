"""Causal tests inside the tiny GPT: change one activation and watch the prediction.

Probes and attention maps show what is *there*; an intervention shows what is *used*.

* **Activation patching** (Vig et al. 2020; Meng et al. 2022; Heimersheim & Nanda 2024):
  run a *clean* prompt and a *corrupted* one that differs in one token, then rerun the
  corrupted prompt with one activation copied from the clean run. If the prediction comes
  back, that activation carries the difference.
* **Mean ablation**: replace one head's output by its average over many texts, so that
  it carries no information about the text at hand, and measure what the loss loses.

Interventions are forward hooks (``intervene``): the model runs its own forward pass, and
a hook swaps in a value where we ask.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor

from course_lib.lm.gpt import GPT
from course_lib.interpret.lens import residual_stream
from course_lib.lm.text import Tokenizer

Edit = Callable[[Tensor], Tensor]


@contextmanager
def intervene(model: GPT, residual: dict[int, Edit] | None = None, heads: dict[int, Edit] | None = None):
    """Within the block, edit activations as the model computes them.

    residual[s] edits the residual stream state s (B, T, C): 0 after the embeddings, l + 1 after
    block l. heads[l] edits layer l's attention heads' outputs, seen as (B, T, n_head, head_size),
    before the output projection mixes them.
    """
    residual, heads = residual or {}, heads or {}
    n_layer = len(model.blocks)
    if any(not 0 <= s <= n_layer for s in residual) or any(not 0 <= l < n_layer for l in heads):
        raise ValueError(f"residual states are 0..{n_layer} and layers 0..{n_layer - 1}; "
                         f"got {sorted(residual)} and {sorted(heads)}")
    handles = []
    for s, edit in residual.items():
        module = model.drop if s == 0 else model.blocks[s - 1]
        handles.append(module.register_forward_hook(lambda m, inputs, output, edit=edit: edit(output)))
    for layer, edit in heads.items():
        attn = model.blocks[layer].attn

        def pre_hook(module, inputs, edit=edit, n_head=attn.n_head):
            y = inputs[0]
            B, T, C = y.shape
            return (edit(y.reshape(B, T, n_head, C // n_head)).reshape(B, T, C),)
        handles.append(attn.proj.register_forward_pre_hook(pre_hook))
    try:
        yield model
    finally:
        for handle in handles:
            handle.remove()


@torch.no_grad()
def head_outputs(model: GPT, idx: Tensor) -> list[Tensor]:
    """Every layer's head outputs (B, T, n_head, head_size) on idx (B, T), recorded without change."""
    outputs = []

    def record(y):
        outputs.append(y.clone())
        return y
    with intervene(model, heads={layer: record for layer in range(len(model.blocks))}):
        model(idx)
    return outputs


def logit_difference(tokenizer: Tokenizer, right: str, wrong: str) -> Callable[[Tensor], Tensor]:
    """A metric: logit of ``right`` minus logit of ``wrong`` at the last position, per sequence."""
    i, j = tokenizer.encode(right + wrong)
    return lambda logits: logits[:, -1, i] - logits[:, -1, j]


def recovered(model: GPT, clean: Tensor, corrupt: Tensor, metric, **edits) -> Tensor:
    """(metric(patched run) − metric(corrupted)) / (metric(clean) − metric(corrupted)) per sequence:
    0 when an edit of the corrupted run changes nothing, 1 when it brings the clean answer back."""
    with torch.no_grad():
        low, high = metric(model(corrupt)[0]), metric(model(clean)[0])
        with intervene(model, **edits):
            patched = metric(model(corrupt)[0])
    return (patched - low) / (high - low)


def copy_position(source: Tensor, position: int) -> Edit:
    """An edit that replaces position ``position`` of an activation by ``source``'s."""
    def edit(activation):
        activation = activation.clone()
        activation[:, position] = source[:, position]
        return activation
    return edit


def copy_head(source: Tensor, head: int, position: int) -> Edit:
    """An edit that replaces one head's output at ``position`` by ``source``'s (B, T, n_head, head_size)."""
    def edit(y):
        y = y.clone()
        y[:, position, head] = source[:, position, head]
        return y
    return edit


def mean_ablate(mean: Tensor, head: int) -> Edit:
    """An edit that replaces one head's output, at every position, by its mean ``mean`` (head_size,)."""
    def edit(y):
        y = y.clone()
        y[:, :, head] = mean
        return y
    return edit


def check_pair(clean, corrupt) -> None:
    for idx in (clean, corrupt):
        if not isinstance(idx, Tensor) or idx.ndim != 2 or idx.dtype != torch.int64:
            raise ValueError("clean and corrupt must be int64 token-id tensors (batch, time)")
    if clean.shape != corrupt.shape:
        raise ValueError(f"clean and corrupt must have the same shape, got {tuple(clean.shape)} and "
                         f"{tuple(corrupt.shape)}")


def patch_residual(model: GPT, clean: Tensor, corrupt: Tensor, metric) -> Tensor:
    """Recovery per sequence when one residual state at one position is copied from the clean run:
    a tensor (n, n_layer + 1, T), entry [i, s, p] for state s at position p of pair i."""
    check_pair(clean, corrupt)
    states = residual_stream(model, clean)
    return torch.stack([torch.stack([recovered(model, clean, corrupt, metric, residual={s: copy_position(state, p)})
                                     for p in range(clean.size(1))], dim=1)
                        for s, state in enumerate(states)], dim=1)


def patch_heads(model: GPT, clean: Tensor, corrupt: Tensor, metric, position: int = -1) -> Tensor:
    """Recovery per sequence when one head's output at ``position`` is copied from the clean run:
    a tensor (n, n_layer, n_head)."""
    check_pair(clean, corrupt)
    outputs = head_outputs(model, clean)
    return torch.stack([torch.stack([recovered(model, clean, corrupt, metric,
                                               heads={layer: copy_head(out, head, position)})
                                     for head in range(out.size(2))], dim=1)
                        for layer, out in enumerate(outputs)], dim=1)


@torch.no_grad()
def token_losses(model: GPT, x: Tensor, y: Tensor, **edits) -> Tensor:
    """The cross-entropy of every target token (B, T), with the given edits in place."""
    with intervene(model, **edits):
        logits = model(x)[0]
    return F.cross_entropy(logits.flatten(0, 1), y.flatten(), reduction="none").view_as(y)


def ablation_table(model: GPT, x: Tensor, y: Tensor, where: Tensor) -> list[dict]:
    """For every head: the loss increase when it is mean-ablated, on all tokens and on the tokens
    selected by the boolean mask ``where`` (B, T)."""
    base = token_losses(model, x, y)
    rows = []
    for layer, out in enumerate(head_outputs(model, x)):
        means = out.mean(dim=(0, 1))  # (n_head, head_size): each head's average output
        for head in range(out.size(2)):
            loss = token_losses(model, x, y, heads={layer: mean_ablate(means[head], head)})
            rows.append({"head": f"{layer}.{head}", "all tokens": (loss - base).mean().item(),
                         "selected": (loss - base)[where].mean().item()})
    return rows


def bracket_pairs(text: str, tokenizer: Tokenizer, context: int = 24, reach: int = 16) -> tuple[Tensor, Tensor]:
    """Clean and corrupted prompts from ``text``: each clean prompt is the ``context`` characters
    before a ")" whose "(" lies 3 to ``reach`` characters back, with no bracket in between;
    its corrupted twin has that "(" replaced by "[". Returns two (n, context) id tensors."""
    if not 3 <= reach <= context:
        raise ValueError(f"need 3 <= reach <= context, got reach={reach}, context={context}")
    clean, corrupt = [], []
    for end in range(context, len(text)):
        if text[end] != ")":
            continue
        prompt = text[end - context:end]
        opening = prompt.rfind("(")
        if not context - reach <= opening <= context - 3 or any(b in prompt[opening + 1:] for b in "()[]{}"):
            continue
        clean.append(tokenizer.encode(prompt))
        corrupt.append(tokenizer.encode(prompt[:opening] + "[" + prompt[opening + 1:]))
    if not clean:
        raise ValueError("no bracket pairs found in the text")
    return torch.tensor(clean), torch.tensor(corrupt)
