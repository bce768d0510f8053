"""What this machine can do: the measured peak of a matrix multiplication.

Model FLOPs utilisation (MFU) compares the FLOP/s a training run achieves with the
peak the hardware can deliver. Vendors publish datasheet peaks for accelerators; for a
laptop CPU the course *measures* one instead: the best rate of 512 × 512 float32 matrix
products, 2·n³ FLOP each, with the threads the chapter set (``course_lib.setup``). A
utilisation against that measured rate is a much lower bar than an MFU against a
datasheet peak, and the two must not be compared.
"""
from __future__ import annotations

import time

# PaLM 540B's utilisation of its TPUs (Chowdhery et al. 2022, Table 3): MFU counts the model's own FLOPs only;
# the hardware FLOPs utilisation (HFU) also counts the forward passes recomputed for activation checkpointing.
PALM_MFU, PALM_HFU = 0.462, 0.578


def matmul_flops(size: int = 512, repeats: int = 20) -> float:
    """The best FLOP/s over ``repeats`` products of two size×size float32 matrices."""
    import torch
    if not isinstance(size, int) or size < 16:
        raise ValueError(f"size must be an integer of at least 16, got {size!r}")
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    generator = torch.Generator().manual_seed(0)
    a, b = (torch.randn(size, size, generator=generator) for _ in range(2))
    a @ b  # warm-up: first calls pay for memory allocation and library set-up
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        a @ b
        best = min(best, time.perf_counter() - start)
    return 2 * size ** 3 / best


def utilisation(achieved_flops: float, peak_flops: float) -> float:
    """Utilisation: the fraction of ``peak_flops`` a workload achieves (an MFU when the peak is a
    datasheet peak and the FLOPs are the model's own; here often a measured peak)."""
    if not (achieved_flops >= 0 and peak_flops > 0):
        raise ValueError(f"need achieved >= 0 and peak > 0 FLOP/s, got {achieved_flops} and {peak_flops}")
    return achieved_flops / peak_flops
