"""Learning-rate schedules: a linear warm-up, then a cosine decay.

Steps are numbered t = 1, 2, ..., total_steps: t is the update being taken, the same
t as Adam's bias correction. Warm-up climbs linearly from peak_lr/warmup_steps at t = 1
to peak_lr at t = warmup_steps, so that the first updates, taken while Adam's second
moment v is still a poor estimate, stay small (Goyal et al. 2017 warm up for large
batches). The decay then follows half a cosine from peak_lr down to min_lr, reached at
the last step (Loshchilov & Hutter 2016, SGDR, without the restarts).

An optimizer of ``course_lib.nets.optim`` takes a schedule as its learning rate:
``Adam(params, lr=lambda t: warmup_cosine(t, 1000, 100, 3e-3))``.
"""
from __future__ import annotations

import math


def warmup_cosine(step: int, total_steps: int, warmup_steps: int, peak_lr: float, min_lr: float = 0.0) -> float:
    """The learning rate of update number ``step`` (1-based)."""
    for name, value in (("step", step), ("total_steps", total_steps), ("warmup_steps", warmup_steps)):
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if not 0 <= warmup_steps <= total_steps:
        raise ValueError(f"need 0 <= warmup_steps <= total_steps, got warmup_steps={warmup_steps}, "
                         f"total_steps={total_steps}")
    if not 1 <= step <= total_steps:
        raise ValueError(f"step must be between 1 and total_steps={total_steps} (steps count from 1), got {step}")
    if not 0 <= min_lr <= peak_lr:
        raise ValueError(f"need 0 <= min_lr <= peak_lr, got min_lr={min_lr}, peak_lr={peak_lr}")
    if step <= warmup_steps:
        return peak_lr * (step / warmup_steps)
    progress = (step - warmup_steps) / (total_steps - warmup_steps)  # in (0, 1]
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))
