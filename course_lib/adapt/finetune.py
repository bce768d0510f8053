"""Supervised fine-tuning (SFT): train on demonstrations, the loss on the answers only.

A demonstration is a prompt and the answer an assistant should give. The model reads both, but
only the answer's characters are targets: the prompt is the user's text, which the assistant
should not learn to write, and the mask that drops it puts every gradient on answering
(the common practice; Shi et al. 2024 compare it with keeping the prompt's loss as well).

    loss = Σ_t mask_t · CE(logits_t, y_t) / Σ_t mask_t     (the mean over the answer characters)

``finetune`` trains whatever parameters of the model require gradients, so the same loop does
full fine-tuning and LoRA (course_lib.adapt.lora), and reports, as it goes, the held-out score.
"""
from __future__ import annotations

import random
from typing import Iterator, Sequence

import torch
import torch.nn.functional as F

from course_lib.machinery.env import seed_for
from course_lib.adapt import instructions
from course_lib.nets.train import History, train

BATCH_SIZE = 32
STEPS = 300
LEARNING_RATE = 1e-3


def answer_loss(logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy over the positions where mask is 1: logits (B, T, V), targets and mask (B, T)."""
    if logits.ndim != 3 or targets.shape != logits.shape[:2] or mask.shape != targets.shape:
        raise ValueError(f"need logits (B, T, V) with targets and mask (B, T); got {tuple(logits.shape)}, "
                         f"{tuple(targets.shape)} and {tuple(mask.shape)}")
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
    return (losses * mask.flatten()).sum() / mask.sum()


def batches(examples: Sequence, tokenizer, batch_size: int = BATCH_SIZE, seed: int = 0) -> Iterator[tuple]:
    """Endless batches (x, y, mask) of examples drawn at random (course_lib.adapt.instructions.encode)."""
    if not isinstance(batch_size, int) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if not examples:
        raise ValueError("need at least one example to fine-tune on")
    rng = random.Random(seed_for(seed))
    while True:
        yield instructions.encode(rng.choices(examples, k=batch_size), tokenizer)


def masked_loss(model, batch) -> torch.Tensor:
    x, y, mask = batch
    return answer_loss(model(x)[0], y, mask)


def trainable_parameters(model) -> int:
    """How many parameters training changes (those that require gradients)."""
    return sum(p.numel() for p in model.parameters() if p.requires_grad)


def finetune(model, examples, tokenizer, steps: int = STEPS, learning_rate: float = LEARNING_RATE,
             held_out=(), loss_fn=masked_loss, seed: int = 0, description: str = "fine-tuning") -> History:
    """Train the parameters that require gradients with AdamW (no weight decay) on the examples;
    the History's metric "held-out score" is measured halfway and at the end on ``held_out``."""
    parameters = [p for p in model.parameters() if p.requires_grad]
    if not parameters:
        raise ValueError("no parameter of the model requires gradients: there is nothing to train")
    optimizer = torch.optim.AdamW(parameters, lr=learning_rate, weight_decay=0.0)
    evaluate = (lambda m: {"held-out score": instructions.score(m, tokenizer, held_out)}) if held_out else None
    return train(model, optimizer, batches(examples, tokenizer, seed=seed), steps, loss_fn, evaluate=evaluate,
                 eval_every=max(1, steps // 2), description=description)
