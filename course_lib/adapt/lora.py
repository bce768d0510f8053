"""LoRA: fine-tune a frozen weight through a trainable low-rank product (Hu et al. 2022).

A linear layer computes y = x Wᵀ + b with W of shape (out, in). LoRA keeps W frozen and learns
a correction of rank r ≪ min(out, in), the product of B (out, r) and A (r, in):

    y = x Wᵀ + b + (α / r) · x Aᵀ Bᵀ          trainable: r · (in + out) numbers instead of out · in

A starts random and B at zero, so the product is zero and training starts from the pretrained
model exactly. α / r scales the update so that, for a fixed α, changing r needs no new learning
rate. After training, the product can be merged into the weight, W' = W + (α / r) B A: the
model is again a plain model, as fast as before, with nothing extra to store or compute.
"""
from __future__ import annotations

import copy
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

TARGETS = ("attn.qkv", "attn.proj", "mlp.fc", "mlp.proj")  # every linear layer inside the blocks


def lora_forward(x: torch.Tensor, weight: torch.Tensor, bias: torch.Tensor | None, A: torch.Tensor,
                 B: torch.Tensor, alpha: float) -> torch.Tensor:
    """x Wᵀ + b + (α / r) x Aᵀ Bᵀ for x (..., in), W (out, in), b (out,) or None, A (r, in), B (out, r)."""
    return F.linear(x, weight, bias) + (alpha / A.shape[0]) * (x @ A.T) @ B.T  # F.linear: x Wᵀ + b, as nn.Linear


def merged_weight(weight: torch.Tensor, A: torch.Tensor, B: torch.Tensor, alpha: float) -> torch.Tensor:
    """The weight W + (α / r) B A of the one linear layer that computes what the adapted one does."""
    return weight + (alpha / A.shape[0]) * B @ A


class LoRALinear(nn.Module):
    """A frozen nn.Linear and its trainable adapter A, B of rank ``rank``."""

    def __init__(self, base: nn.Linear, rank: int, alpha: float, seed: int = 0):
        super().__init__()
        if not isinstance(rank, int) or rank < 1:
            raise ValueError(f"rank must be a positive integer, got {rank!r}")
        if not isinstance(alpha, (int, float)) or alpha <= 0:
            raise ValueError(f"alpha must be a positive number, got {alpha!r}")
        self.base, self.rank, self.alpha = base, rank, alpha
        base.requires_grad_(False)
        generator = torch.Generator().manual_seed(seed)
        bound = 1 / math.sqrt(base.in_features)  # A as nn.Linear initialises a weight (and as peft does)
        self.A = nn.Parameter(torch.empty(rank, base.in_features).uniform_(-bound, bound, generator=generator))
        self.B = nn.Parameter(torch.zeros(base.out_features, rank))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return lora_forward(x, self.base.weight, self.base.bias, self.A, self.B, self.alpha)


def adapted(model: nn.Module, rank: int = 4, alpha: float = 8.0, targets=TARGETS, seed: int = 0) -> nn.Module:
    """A copy of the model with every target linear layer of its blocks wrapped in a LoRALinear,
    and every other parameter frozen: only the adapters train."""
    from course_lib.machinery.env import seed_for

    model = copy.deepcopy(model).requires_grad_(False)
    wrapped = 0
    for k, block in enumerate(model.blocks):
        for j, target in enumerate(targets):
            parent_name, name = target.rsplit(".", 1)
            parent = block.get_submodule(parent_name)
            layer = getattr(parent, name)
            if not isinstance(layer, nn.Linear):
                raise ValueError(f"{target} of block {k} is a {type(layer).__name__}, not an nn.Linear")
            setattr(parent, name, LoRALinear(layer, rank, alpha, seed=seed_for(seed) * 1000 + 10 * k + j))
            wrapped += 1
    if not wrapped:
        raise ValueError("no layer was wrapped: give the targets as names like 'attn.qkv'")
    return model


def merged(model: nn.Module) -> nn.Module:
    """A copy of an adapted model with every adapter merged into its weight: plain nn.Linear layers again."""
    model = copy.deepcopy(model)
    for parent in list(model.modules()):
        for name, child in list(parent.named_children()):
            if isinstance(child, LoRALinear):
                layer = child.base
                layer.weight.data = merged_weight(layer.weight.data, child.A.data, child.B.data, child.alpha)
                setattr(parent, name, layer)
    return model.requires_grad_(True)


def adapter_parameters(model: nn.Module, rank: int, targets=TARGETS) -> int:
    """r · (in + out) for every target layer: what LoRA of this rank trains, by formula."""
    total = 0
    for block in model.blocks:
        for target in targets:
            layer = block.get_submodule(target)
            layer = layer.base if isinstance(layer, LoRALinear) else layer
            total += rank * (layer.in_features + layer.out_features)
    return total
