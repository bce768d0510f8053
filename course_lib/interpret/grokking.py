"""Grokking, scaled down: a network that memorises modular addition, then, much later, generalises.

Power et al. (2022) trained small transformers on tables like a + b mod p from a fraction of
the pairs. Training accuracy reached 100% early; accuracy on the held-out pairs stayed at
chance for a long time, then rose to 100% — long after the training loss was near zero.
Nanda et al. (2023) reverse-engineered the network that had generalised: it represents each
number by cosines and sines of a few frequencies, cos(2πka/p), and adds them with
trigonometric identities. Its embedding of the numbers is then *sparse in the Fourier basis*.

Here: an embedding of the p numbers and an MLP on the two embeddings side by side, trained
on half the pairs with full batches, AdamW and strong weight decay (1.0, as Nanda et al.),
whose pull towards small weights is what eventually favours the general solution.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from course_lib.machinery.env import seed_for
from course_lib.nets.train import History, train


@dataclass(frozen=True)
class Table:
    """All pairs (a, b) of 0..p-1 with their sums mod p, split into training and held-out pairs."""
    p: int
    a: Tensor
    b: Tensor
    y: Tensor
    train: Tensor  # indices of the training pairs
    test: Tensor   # indices of the held-out pairs


def addition_table(p: int, fraction: float = 0.5, seed: int = 0) -> Table:
    """The p² pairs of a + b mod p, a random ``fraction`` of them for training."""
    if not isinstance(p, int) or p < 3:
        raise ValueError(f"p must be an integer of at least 3, got {p!r}")
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must be between 0 and 1, got {fraction!r}")
    a, b = (t.flatten() for t in torch.meshgrid(torch.arange(p), torch.arange(p), indexing="ij"))
    order = torch.randperm(p * p, generator=torch.Generator().manual_seed(seed_for(seed)))
    cut = round(fraction * p * p)
    return Table(p, a, b, (a + b) % p, order[:cut], order[cut:])


class AdditionMLP(nn.Module):
    """Embed a and b (one shared table of p vectors), put them side by side, ReLU layer, logits over p."""

    def __init__(self, p: int, width: int = 64, hidden: int = 128):
        super().__init__()
        self.embed = nn.Embedding(p, width)
        self.hidden = nn.Linear(2 * width, hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        return self.out(F.relu(self.hidden(torch.cat([self.embed(a), self.embed(b)], dim=-1))))


def new_model(p: int, seed: int = 0) -> AdditionMLP:
    """The model at initialisation, from ``seed`` (the global random state is left alone)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed_for(seed))
        return AdditionMLP(p)


def accuracy(model: AdditionMLP, table: Table, index: Tensor) -> float:
    with torch.no_grad():
        return (model(table.a[index], table.b[index]).argmax(dim=-1) == table.y[index]).float().mean().item()


def run(p: int = 59, fraction: float = 0.5, steps: int = 3000, lr: float = 3e-3, weight_decay: float = 1.0,
        seed: int = 0, eval_every: int = 20) -> tuple[AdditionMLP, Table, History]:
    """Train on the training pairs, full batch; the History holds "train accuracy" and "test accuracy"."""
    table = addition_table(p, fraction, seed)
    model = new_model(p, seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.98))
    batch = (table.a[table.train], table.b[table.train], table.y[table.train])
    history = train(model, optimizer, itertools.repeat(batch), steps,
                    lambda m, batch: F.cross_entropy(m(batch[0], batch[1]), batch[2]),
                    lambda m: {"train accuracy": accuracy(m, table, table.train),
                               "test accuracy": accuracy(m, table, table.test)},
                    eval_every=eval_every, description=f"a + b mod {p}")
    return model, table, history


def fourier_power(embedding: Tensor) -> Tensor:
    """The share of the embedding's variation at each frequency k = 1..p//2 along the numbers 0..p-1.

    Column by column, the discrete Fourier transform over the p numbers; the power |F_k|² summed
    over the columns, without the constant k = 0 (which says nothing about which number is which).
    """
    embedding = torch.as_tensor(embedding).detach()
    if embedding.ndim != 2 or len(embedding) < 3:
        raise ValueError(f"embedding must be a (p, width) matrix with p >= 3, got shape {tuple(embedding.shape)}")
    power = torch.fft.rfft(embedding, dim=0).abs().square().sum(dim=1)[1:]
    return power / power.sum()


def keep_frequencies(embedding: Tensor, frequencies: Tensor) -> Tensor:
    """The embedding with only the given frequencies (and the constant) kept: a filter in the Fourier basis."""
    embedding = torch.as_tensor(embedding).detach()
    spectrum = torch.fft.rfft(embedding, dim=0)
    keep = torch.zeros(len(spectrum), dtype=torch.bool)
    keep[0] = True
    keep[torch.as_tensor(frequencies)] = True
    return torch.fft.irfft(spectrum * keep[:, None], n=len(embedding), dim=0)


def accuracy_with_frequencies(model: AdditionMLP, table: Table, frequencies) -> float:
    """Accuracy on all p² pairs when the model's embedding keeps only ``frequencies``: a causal test of the
    claim that the model computes with them."""
    filtered = new_model(table.p)
    filtered.load_state_dict(model.state_dict())
    filtered.embed.weight.data = keep_frequencies(model.embed.weight, frequencies)
    return accuracy(filtered, table, torch.arange(table.p ** 2))


def plot(fig, history: History, before: Tensor, after: Tensor) -> None:
    """Left: training and held-out accuracy against the step. Right: the embedding's Fourier spectrum
    at initialisation and after training."""
    left, right = fig.subplots(1, 2)
    for name, points in history.metrics.items():
        steps, values = zip(*points)
        left.plot(steps, values, label=name)
    left.set(xscale="log", xlabel="step", ylabel="accuracy", title="memorise first, generalise later")
    left.legend()
    frequencies = range(1, len(before) + 1)
    right.bar(frequencies, before.tolist(), color="lightgray", label="at initialisation")
    right.bar(frequencies, after.tolist(), color="C0", alpha=0.8, label="after training")
    right.set(xlabel="frequency k", ylabel="share of the embedding's power", title="the embedding in the Fourier basis")
    right.legend()
