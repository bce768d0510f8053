"""What this machine can do: the measured peak of a matrix multiplication.

Model FLOPs utilisation (MFU) compares the FLOP/s a training run achieves with the
peak the hardware can deliver. Vendors publish peaks for accelerators; for a laptop
CPU we measure one: the best rate of large float32 matrix products, 2·n³ FLOP each,
with the number of threads the chapter set (``course_lib.setup``).
"""
from __future__ import annotations

import time


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
    """Model FLOPs utilisation: the fraction of the peak a workload achieves."""
    if not (achieved_flops >= 0 and peak_flops > 0):
        raise ValueError(f"need achieved >= 0 and peak > 0 FLOP/s, got {achieved_flops} and {peak_flops}")
    return achieved_flops / peak_flops
