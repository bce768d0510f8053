"""Pruning: setting weights to zero, and removing whole parts.

Unstructured magnitude pruning (Han et al. 2015) zeroes the weights of smallest magnitude;
the matrix keeps its shape, so dense hardware multiplies the zeros as fast as any number and
saves nothing unless the sparsity has a pattern it can use. NVIDIA's 2:4 pattern (two zeros
in every four consecutive weights) is one: the A100 and H100 tensor cores skip those zeros,
doubling their peak (Mishra et al. 2021). Structured pruning removes whole units instead,
here attention heads, and the matrices really shrink.
"""
from __future__ import annotations

import copy

import torch
from torch import nn

from course_lib.serving.quantize import matrices


def magnitude_mask(w: torch.Tensor, sparsity: float) -> torch.Tensor:
    """A boolean mask (True: keep) that prunes, in every row of w, the round(sparsity × columns)
    weights of smallest magnitude."""
    if not 0 <= sparsity <= 1:
        raise ValueError(f"sparsity must be between 0 and 1, got {sparsity!r}")
    pruned = round(sparsity * w.size(-1))
    order = w.abs().argsort(dim=-1)  # smallest magnitude first
    mask = torch.ones_like(w, dtype=torch.bool)
    return mask.scatter(-1, order[..., :pruned], False)


def two_four_mask(w: torch.Tensor) -> torch.Tensor:
    """The 2:4 mask: in every run of 4 consecutive weights of a row, keep the 2 largest in magnitude."""
    if w.size(-1) % 4:
        raise ValueError(f"2:4 sparsity needs rows of a multiple of 4 weights, got {w.size(-1)}")
    return magnitude_mask(w.reshape(*w.shape[:-1], -1, 4), 0.5).reshape(w.shape)


def layer_weights(model: nn.Module) -> dict[str, torch.Tensor]:
    """The weight matrices of the blocks' linear layers: what pruning methods prune (the
    embeddings, tables looked up one row at a time, are left whole)."""
    return {name: p for name, p in matrices(model).items() if name.startswith("blocks.")}


def pruned(model: nn.Module, mask_of) -> nn.Module:
    """A copy of the model with each of its layer weights w multiplied by mask_of(w)."""
    copied = copy.deepcopy(model)
    with torch.no_grad():
        for p in layer_weights(copied).values():
            p.mul_(mask_of(p))
    return copied.eval()


def zeros(model: nn.Module) -> float:
    """The fraction of the layer weights' entries that are zero."""
    found = list(layer_weights(model).values())
    return sum((p == 0).sum().item() for p in found) / sum(p.numel() for p in found)


def without_head(model: nn.Module, layer: int, head: int) -> nn.Module:
    """A copy of a course_lib.lm.gpt.GPT in which one attention head is removed: its slice of
    the output projection's input is zeroed, so nothing it computes reaches the residual stream
    (the same as deleting its rows of qkv and its columns of the projection)."""
    config = model.config
    if not (0 <= layer < config.n_layer and 0 <= head < config.n_head):
        raise ValueError(f"no head ({layer}, {head}): the model has {config.n_layer} layers of {config.n_head} heads")
    copied = copy.deepcopy(model)
    size = config.n_embd // config.n_head
    with torch.no_grad():
        copied.blocks[layer].attn.proj.weight[:, head * size:(head + 1) * size] = 0
    return copied.eval()
