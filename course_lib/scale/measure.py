"""Measuring a real model: its parameters, FLOPs, stored activations, training state and speed.

The formulas of ``course_lib.scale.sizing`` predict these numbers from a model's shape; the
functions here read them off PyTorch, so that every formula can be checked against
reality. All of them work on the "meta" device too (shapes without memory), except the
ones that need real storage: ``saved_activation_bytes`` and ``seconds_per_step``.
"""
from __future__ import annotations

import torch
import torch.nn as nn
from torch.nn.attention import SDPBackend, sdpa_kernel
from torch.utils.flop_counter import FlopCounterMode


def parameters(module: nn.Module) -> int:
    """sum(p.numel()) over the module's parameters; a tied (shared) tensor counts once."""
    if not isinstance(module, nn.Module):
        raise TypeError(f"expected a torch.nn.Module, got {type(module).__name__}")
    return sum(p.numel() for p in module.parameters())


def flops(model: nn.Module, idx: torch.Tensor, backward: bool = False) -> int:
    """FLOPs of one forward pass of ``model`` on token ids ``idx`` (and of the backward
    pass, if asked), counted by torch's FLOP counter, which adds 2·m·n·k for every matrix
    product it sees. The backward pass starts from a stand-in loss on the logits: any loss
    leads to the same matrix products. Attention runs in its plain ("math") form for the
    count: the fused CPU kernel is invisible to the counter."""
    if not isinstance(idx, torch.Tensor) or idx.dim() != 2:
        raise ValueError(f"idx must be a (batch, tokens) tensor of token ids, got {getattr(idx, 'shape', idx)!r}")
    with sdpa_kernel(SDPBackend.MATH), FlopCounterMode(display=False) as counter:
        logits = model(idx)[0]
        if backward:
            logits.float().pow(2).mean().backward()
    return counter.get_total_flops()


def saved_activation_bytes(model: nn.Module, idx: torch.Tensor) -> int:
    """Bytes of the tensors autograd keeps from a forward pass for the backward one, each
    storage counted once. ``model(idx, idx)`` must compute a loss, as course_lib.lm.gpt.GPT
    does with targets. The parameters are not activations: left out."""
    if idx.device.type == "meta":
        raise ValueError("saved_activation_bytes needs real tensors: meta tensors have no storage to tell apart")
    weights = {p.untyped_storage().data_ptr() for p in model.parameters()}
    saved: dict[int, int] = {}

    def keep(tensor: torch.Tensor) -> torch.Tensor:
        storage = tensor.untyped_storage()
        if storage.data_ptr() not in weights:
            saved[storage.data_ptr()] = storage.nbytes()
        return tensor

    with torch.autograd.graph.saved_tensors_hooks(keep, lambda tensor: tensor):
        model(idx, idx)
    return sum(saved.values())


def training_state_bytes(model: nn.Module, optimizer: torch.optim.Optimizer) -> dict[str, int]:
    """Bytes of the weights, their gradients and the optimizer's state (e.g. Adam's two moments)."""
    if not isinstance(optimizer, torch.optim.Optimizer):
        raise TypeError(f"expected a torch.optim optimizer, got {type(optimizer).__name__}")
    params = list(model.parameters())
    state = [t for p in params for t in optimizer.state.get(p, {}).values()
             if isinstance(t, torch.Tensor) and t.dim() > 0]  # Adam's step counters are scalars: left out
    return {"weights": sum(p.nbytes for p in params),
            "gradients": sum(p.grad.nbytes for p in params if p.grad is not None),
            "optimizer state": sum(t.nbytes for t in state)}


def seconds_per_step(model: nn.Module, optimizer: torch.optim.Optimizer, batch: tuple, steps: int = 10,
                     warmup: int = 2) -> float:
    """Wall-clock seconds of one training step (zero_grad, forward, backward, step) on
    ``batch`` = (inputs, targets), averaged over ``steps`` after ``warmup`` untimed steps."""
    from course_lib.nets.train import train

    def loss(model, batch):
        return model(*batch)[1]

    def same_batch():
        while True:
            yield batch

    if not isinstance(warmup, int) or warmup < 0:
        raise ValueError(f"warmup must be a non-negative integer, got {warmup!r}")
    if warmup:
        train(model, optimizer, same_batch(), warmup, loss, description="warm-up")
    return train(model, optimizer, same_batch(), steps, loss, description="timed steps").seconds / steps
