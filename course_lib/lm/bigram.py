"""The bigram model: the baseline a language model has to beat.

It predicts the next character from the current one alone, with the probabilities
counted in the training text: P(b | a) = (count(a, b) + k) / (count(a) + k·V). The
smoothing k > 0 (add-one when k = 1, Laplace's rule) keeps a pair never seen in
training from getting probability 0 — and the validation loss from being infinite.
Counting gives the maximum-likelihood probabilities directly; a table of logits trained by
gradient descent on the same text would approach them (unsmoothed) step by step.
"""
from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F


def counts(ids, vocab_size: int) -> torch.Tensor:
    """(V, V) float tensor: counts[a, b] = how often token b follows token a in ids."""
    ids = torch.as_tensor(ids)
    if not isinstance(vocab_size, int) or vocab_size < 1:
        raise ValueError(f"vocab_size must be a positive integer, got {vocab_size!r}")
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"need a 1-D sequence of at least 2 token ids, got shape {tuple(ids.shape)}")
    if ids.min() < 0 or ids.max() >= vocab_size:
        raise ValueError(f"token ids must lie in [0, {vocab_size}), got {int(ids.min())}..{int(ids.max())}")
    table = torch.zeros(vocab_size, vocab_size)
    table.index_put_((ids[:-1], ids[1:]), torch.ones(len(ids) - 1), accumulate=True)
    return table


def probabilities(table: torch.Tensor, smoothing: float = 1.0) -> torch.Tensor:
    """P(next | current) from counts: each row, smoothed, sums to 1."""
    if table.ndim != 2 or table.shape[0] != table.shape[1]:
        raise ValueError(f"counts must be a square (V, V) table, got shape {tuple(table.shape)}")
    if not smoothing > 0:
        raise ValueError(f"smoothing must be positive (0 gives unseen pairs probability 0), got {smoothing!r}")
    smoothed = table + smoothing
    return smoothed / smoothed.sum(dim=1, keepdim=True)


def loss(table: torch.Tensor, ids, smoothing: float = 1.0) -> float:
    """Mean negative log-likelihood, in nats, of each token of ids given the one before it."""
    ids = torch.as_tensor(ids)
    if ids.ndim != 1 or len(ids) < 2:
        raise ValueError(f"need a 1-D sequence of at least 2 token ids, got shape {tuple(ids.shape)}")
    return -probabilities(table, smoothing)[ids[:-1], ids[1:]].log().mean().item()


class Bigram(nn.Module):
    """The counted bigram as a language model with GPT's interface: model(idx, targets) ->
    (logits, loss). Its context is one token, so ``block_size`` is 1."""

    block_size = 1

    def __init__(self, table: torch.Tensor, smoothing: float = 1.0):
        super().__init__()
        self.register_buffer("log_probs", probabilities(table, smoothing).log())

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        logits = self.log_probs[idx]  # log-probabilities are logits whose softmax is the row itself
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))
