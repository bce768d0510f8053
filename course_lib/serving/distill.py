"""Distillation: a small student learns from a large teacher's probabilities, not only the text.

The text says which character came next; the teacher says how likely every character was,
a far richer target ("dark knowledge": which wrong answers are nearly right). Hinton, Vinyals
& Dean (2015) soften both distributions with a temperature T, softmax(logits / T), and
minimise KL(teacher_T || student_T). The gradients of the softened loss shrink as 1/T², so
the loss is multiplied by T² to keep its size comparable to the cross-entropy it is mixed with:

    loss = α · T² · KL(teacher_T || student_T) + (1 − α) · cross-entropy(student, text)
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from course_lib.machinery.env import seed_for
from course_lib.lm import text, tinygpt
from course_lib.lm.gpt import GPT
from course_lib.nets.train import History, train

STUDENT = {"n_layer": 1, "n_head": 2, "n_embd": 32}  # about 15% of the teacher's parameters
TEMPERATURE = 2.0
ALPHA = 0.9
LEARNING_RATE = 1e-2  # a tiny student trained briefly takes a larger step than the teacher


def distillation_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, temperature: float) -> torch.Tensor:
    """T² · KL(softmax(teacher / T) || softmax(student / T)), summed over the vocabulary (the
    last axis) and averaged over every other position."""
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f"student logits {tuple(student_logits.shape)} and teacher logits "
                         f"{tuple(teacher_logits.shape)} must have the same shape")
    log_student = F.log_softmax(student_logits / temperature, dim=-1)
    log_teacher = F.log_softmax(teacher_logits / temperature, dim=-1)
    kl = (log_teacher.exp() * (log_teacher - log_student)).sum(dim=-1)
    return temperature ** 2 * kl.mean()


def windows_with_teacher(teacher: GPT, ids, block_size: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The text ids cut into windows (x, y) and the teacher's logits on each window, computed once."""
    x, y = text.windows(ids, block_size)
    with torch.no_grad():
        return x, y, teacher.eval()(x)[0]


def train_student(x: torch.Tensor, y: torch.Tensor, teacher_logits: torch.Tensor | None, validation_ids,
                  steps: int, temperature: float = TEMPERATURE, alpha: float = ALPHA, batch_size: int = 16,
                  seed: int = 0, description: str = "student",
                  soft_loss=distillation_loss) -> tuple[GPT, History]:
    """A fresh student of size STUDENT trained for ``steps`` steps on random batches of the
    windows (x, y): on the text alone (teacher_logits None) or distilled, with the loss above
    (``soft_loss``, a function like distillation_loss, computes its softened part)."""
    if teacher_logits is not None and teacher_logits.shape[:2] != x.shape:
        raise ValueError(f"teacher logits {tuple(teacher_logits.shape)} do not match the windows {tuple(x.shape)}")
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha!r}")
    student = tinygpt.new_model(len(text.VOCABULARY), seed=seed, block_size=x.size(1), **STUDENT)
    generator = torch.Generator().manual_seed(seed_for(seed))

    def batches():
        while True:
            yield torch.randint(len(x), (batch_size,), generator=generator)

    def loss_on_batch(model, rows):
        logits, text_loss = model(x[rows], y[rows])
        if teacher_logits is None:
            return text_loss
        return alpha * soft_loss(logits, teacher_logits[rows], temperature) + (1 - alpha) * text_loss

    optimizer = torch.optim.AdamW(student.parameters(), lr=LEARNING_RATE)
    history = train(student, optimizer, batches(), steps, loss_on_batch,
                    evaluate=lambda m: {"validation loss": tinygpt.validation_loss(m, validation_ids)},
                    eval_every=steps, description=description)
    return student.eval(), history
