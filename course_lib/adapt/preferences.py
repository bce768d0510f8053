"""Preferences: learn from pairs of a better and a worse answer, by direct preference optimization.

Demonstrations (SFT) show what to say; preferences say which of two answers is better, which is
easier to ask of people and says something demonstrations cannot: what *not* to say. RLHF
(Ouyang et al. 2022) fits a reward model to such pairs and then maximises the reward with PPO,
held near the fine-tuned model by a KL penalty. DPO (Rafailov et al. 2023) shows that the policy
which that objective makes best gives every answer an *implicit reward*

    r(x, y) = β · (log π(y | x) - log π_ref(y | x))

and so trains the policy on the pairs directly, with a logistic loss on the reward margin:

    loss = -log σ(r(x, y_chosen) - r(x, y_rejected))

π_ref is the frozen model we start from; β sets how far the policy may move from it (a small β
lets the margin grow only by moving far). log π(y | x) is the **sum** over the answer's
characters of their log-probabilities: the probability of the whole answer.

The pairs here state a style: the same right answer, ended by a full stop (chosen) or not
(rejected). Only a quarter of the fine-tuning demonstrations end with a full stop
(instructions.demonstrations), so the fine-tuned model prefers the rejected answer; after DPO,
the chosen one.
"""
from __future__ import annotations

import copy
import random
from typing import NamedTuple, Sequence

import torch
import torch.nn.functional as F

from course_lib.machinery.env import seed_for
from course_lib.adapt import instructions
from course_lib.nets.train import History, train

BETA = 0.1
STEPS = 30
LEARNING_RATE = 1e-4
BATCH_SIZE = 16


class Pair(NamedTuple):
    prompt: str
    chosen: str
    rejected: str


def pairs(examples: Sequence[instructions.Example]) -> list[Pair]:
    """For each example: its answer as a sentence ends, with a full stop (chosen), and without (rejected)."""
    return [Pair(e.prompt, e.answer + ".", e.answer) for e in examples]


def sequence_logprob(logits: torch.Tensor, targets: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """log π(answer | prompt) for each row (B,): the sum of the log-probabilities of the targets
    where mask is 1, from logits (B, T, V)."""
    token_logprobs = logits.log_softmax(dim=-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)
    return (token_logprobs * mask).sum(dim=-1)


def dpo_loss(policy_chosen: torch.Tensor, policy_rejected: torch.Tensor, reference_chosen: torch.Tensor,
             reference_rejected: torch.Tensor, beta: float = BETA) -> torch.Tensor:
    """The mean DPO loss over a batch, from the answers' summed log-probabilities (B,) under the
    policy and the reference model."""
    margin = (policy_chosen - reference_chosen) - (policy_rejected - reference_rejected)
    return -F.logsigmoid(beta * margin).mean()


def logprobs(model, tokenizer, batch: Sequence[Pair]) -> tuple[torch.Tensor, torch.Tensor]:
    """log π(chosen | prompt) and log π(rejected | prompt), each (B,)."""
    chosen = sequence_logprob(*_forward(model, tokenizer, batch, [p.chosen for p in batch]))
    rejected = sequence_logprob(*_forward(model, tokenizer, batch, [p.rejected for p in batch]))
    return chosen, rejected


def _forward(model, tokenizer, batch, answers):
    x, y, mask = instructions.encode([instructions.Example(p.prompt, "") for p in batch], tokenizer, answers)
    return model(x)[0], y, mask


@torch.no_grad()
def measure(policy, reference, tokenizer, held_out: Sequence[Pair], beta: float = BETA) -> dict[str, float]:
    """On held-out pairs: the preference rate (the fraction where the policy gives the chosen answer
    the higher probability), the mean implicit reward margin, and the divergence from the reference:
    the mean of log π(y|x) - log π_ref(y|x) over the policy's own greedy answers, a rough measure of
    drift (a KL divergence would average it over answers sampled from the policy)."""
    if not held_out:
        raise ValueError("measure needs at least one pair")
    policy.eval()
    chosen, rejected = logprobs(policy, tokenizer, held_out)
    ref_chosen, ref_rejected = logprobs(reference, tokenizer, held_out)
    answers = instructions.respond(policy, tokenizer, [p.prompt for p in held_out])
    own = sequence_logprob(*_forward(policy, tokenizer, held_out, answers))
    own_ref = sequence_logprob(*_forward(reference, tokenizer, held_out, answers))
    return {"preference rate": (chosen > rejected).float().mean().item(),
            "reward margin": (beta * ((chosen - ref_chosen) - (rejected - ref_rejected))).mean().item(),
            "divergence": (own - own_ref).mean().item()}


def dpo(policy, pairs_to_learn: Sequence[Pair], tokenizer, steps: int = STEPS, beta: float = BETA,
        learning_rate: float = LEARNING_RATE, batch_size: int = BATCH_SIZE, seed: int = 0) -> History:
    """Train the policy's trainable parameters with the DPO loss, against a frozen copy of itself."""
    if not pairs_to_learn:
        raise ValueError("dpo needs at least one preference pair")
    reference = copy.deepcopy(policy).eval().requires_grad_(False)
    rng = random.Random(seed_for(seed))

    def loss_fn(model, batch):
        with torch.no_grad():
            ref_chosen, ref_rejected = logprobs(reference, tokenizer, batch)
        return dpo_loss(*logprobs(model, tokenizer, batch), ref_chosen, ref_rejected, beta)

    batches = iter(lambda: rng.choices(pairs_to_learn, k=batch_size), None)
    optimizer = torch.optim.AdamW([p for p in policy.parameters() if p.requires_grad], lr=learning_rate,
                                  weight_decay=0.0)
    return train(policy, optimizer, batches, steps, loss_fn, description="DPO")
