"""Grokking, scaled down: a network that memorises modular addition, then, much later, generalises.

Power et al. (2022) trained small transformers on tables like a + b mod p from a fraction of
the pairs. Training accuracy reached 100% early; accuracy on the held-out pairs stayed at
chance for a long time, then rose to 100% — long after the training loss was near zero.
Nanda et al. (2023) reverse-engineered the network that had generalised: it represents each
number by cosines and sines of a few frequencies, cos(2πka/p), and adds them with
trigonometric identities. Its embedding of the numbers is then *sparse in the Fourier basis*.

Knowing the mechanism, they measured its progress during training, and found the jump was
not sudden underneath. Two **progress measures** split the network's hidden activations, as
functions of the pair (a, b), into their components along cos(2πk(a+b)/p) and sin(2πk(a+b)/p)
for the key frequencies k, and the rest:

* the **restricted loss** keeps only those components (and the mean): the loss of the general
  algorithm alone, on the held-out pairs;
* the **excluded loss** removes them: the loss of everything *but* that algorithm, on the
  training pairs, i.e. how well memorisation alone still does.

Here: an embedding of the p numbers and an MLP on the two embeddings side by side, trained
on half the pairs with full batches, AdamW and strong weight decay (1.0, as Nanda et al.),
whose pull towards small weights is what eventually favours the general solution.
"""
from __future__ import annotations

import copy
import itertools
import math
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
    """Embed a and b (one shared table of p vectors), put them side by side, ReLU layer, logits over p.

    The embedding starts at the scale of the other layers (standard deviation 1/√width, as Nanda
    et al.'s), not torch's default of 1, so that the size of the weights is set by training."""

    def __init__(self, p: int, width: int = 64, hidden: int = 64):
        super().__init__()
        self.embed = nn.Embedding(p, width)
        nn.init.normal_(self.embed.weight, std=width ** -0.5)
        self.hidden = nn.Linear(2 * width, hidden)
        self.out = nn.Linear(hidden, p)

    def forward(self, a: Tensor, b: Tensor) -> Tensor:
        return self.out(F.relu(self.hidden(torch.cat([self.embed(a), self.embed(b)], dim=-1))))


def new_model(p: int, seed: int = 0, hidden: int = 64) -> AdditionMLP:
    """The model at initialisation, from ``seed`` (the global random state is left alone)."""
    with torch.random.fork_rng():
        torch.manual_seed(seed_for(seed))
        return AdditionMLP(p, hidden=hidden)


def accuracy(model: AdditionMLP, table: Table, index: Tensor) -> float:
    with torch.no_grad():
        return (model(table.a[index], table.b[index]).argmax(dim=-1) == table.y[index]).sum().item() / len(index)


@dataclass
class Run:
    """A training run: the final model, its table, the History, and copies of the weights along the way."""
    model: AdditionMLP
    table: Table
    history: History
    snapshots: list[tuple[int, dict]]  # (step, state_dict), every keep_every steps from step 0


def run(p: int = 59, fraction: float = 0.5, steps: int = 2000, lr: float = 1e-2, weight_decay: float = 1.0,
        seed: int = 0, hidden: int = 64, eval_every: int = 20, keep_every: int = 20) -> Run:
    """Train on the training pairs, full batch. The History holds "train accuracy" and "test accuracy"
    every ``eval_every`` steps; a copy of the weights is kept every ``keep_every`` steps (a multiple
    of ``eval_every``), for the progress measures."""
    if not (isinstance(keep_every, int) and isinstance(eval_every, int) and eval_every >= 1
            and keep_every >= eval_every and keep_every % eval_every == 0):
        raise ValueError(f"keep_every must be a multiple of eval_every, got {keep_every!r} and {eval_every!r}")
    table = addition_table(p, fraction, seed)
    model = new_model(p, seed, hidden)
    optimizer = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay, betas=(0.9, 0.98))
    batch = (table.a[table.train], table.b[table.train], table.y[table.train])
    snapshots, step = [(0, copy.deepcopy(model.state_dict()))], 0

    def loss(m, batch):
        nonlocal step  # train() runs the loop; counting here tells evaluate() which step it is at
        step += 1
        return F.cross_entropy(m(batch[0], batch[1]), batch[2])

    def evaluate(m):
        if step % keep_every == 0:
            snapshots.append((step, copy.deepcopy(m.state_dict())))
        return {"train accuracy": accuracy(m, table, table.train), "test accuracy": accuracy(m, table, table.test)}

    history = train(model, optimizer, itertools.repeat(batch), steps, loss, evaluate, eval_every=eval_every,
                    description=f"a + b mod {p}")
    return Run(model, table, history, snapshots)


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
    filtered = copy.deepcopy(model)
    filtered.embed.weight.data = keep_frequencies(model.embed.weight, frequencies)
    return accuracy(filtered, table, torch.arange(table.p ** 2))


def sum_directions(table: Table, frequencies) -> Tensor:
    """cos(2πk(a+b)/p) and sin(2πk(a+b)/p) over the table's p² pairs, for each key frequency k:
    orthonormal columns (p², 2 · len(frequencies)). They are what the general algorithm computes."""
    frequencies = torch.as_tensor(frequencies).flatten()
    if len(frequencies) == 0 or frequencies.min() < 1 or frequencies.max() > table.p // 2:
        raise ValueError(f"frequencies must lie in 1..{table.p // 2}, got {frequencies.tolist()}")
    angle = 2 * math.pi * frequencies[None, :] * (table.a + table.b)[:, None] / table.p
    columns = torch.cat([torch.cos(angle), torch.sin(angle)], dim=1)
    return columns / columns.norm(dim=0)


def progress_measures(run: Run, frequencies) -> dict[str, list[tuple[int, float]]]:
    """Nanda et al.'s (2023) progress measures at every kept step, as {name: [(step, value), ...]}:

    "train loss" and "test loss"; the "restricted loss", on the held-out pairs, with the hidden
    activations (functions of the pair) replaced by their mean plus their components along the key
    frequencies' sum directions; the "excluded loss", on the training pairs, with those components
    removed; and the "sum of squared weights", which weight decay pulls down.
    """
    table, directions = run.table, sum_directions(run.table, frequencies)
    model, measures = copy.deepcopy(run.model), {}
    for step, state in run.snapshots:
        model.load_state_dict(state)
        with torch.no_grad():
            hidden = F.relu(model.hidden(torch.cat([model.embed(table.a), model.embed(table.b)], dim=-1)))
            along = directions @ (directions.T @ hidden)       # the components along the key directions
            values = {
                "train loss": (model.out(hidden), table.train),
                "test loss": (model.out(hidden), table.test),
                "restricted loss": (model.out(hidden.mean(dim=0) + along), table.test),
                "excluded loss": (model.out(hidden - along), table.train),
            }
            for name, (logits, rows) in values.items():
                measures.setdefault(name, []).append((step, F.cross_entropy(logits[rows], table.y[rows]).item()))
            squares = sum(parameter.square().sum() for parameter in model.parameters()).item()
            measures.setdefault("sum of squared weights", []).append((step, squares))
    return measures


def phases(history: History) -> dict[str, tuple[int, int]]:
    """The three phases of Nanda et al. (2023), as (first step, last step), marked by what can be seen:

    * "memorisation" until the training accuracy reaches 100%;
    * "circuit formation" until the held-out accuracy starts to rise (passes 10%; chance is 1/p):
      nothing shows on the held-out pairs, while the progress measures move;
    * "cleanup" until the held-out accuracy passes 99%: the jump that looks like grokking.
    (Nanda et al. draw the boundaries from their progress measures; these marks are ours.)
    """
    def first(name: str, above: float) -> int:
        step = next((s for s, v in history.metrics[name] if v >= above), None)
        if step is None:
            raise ValueError(f"the {name} never reached {above:.0%}: train for more steps")
        return step
    memorised, rising, generalised = first("train accuracy", 1.0), first("test accuracy", 0.1), \
        first("test accuracy", 0.99)
    return {"memorisation": (0, memorised), "circuit formation": (memorised, max(rising, memorised)),
            "cleanup": (max(rising, memorised), generalised)}


def value_at(points: list[tuple[int, float]], step: int) -> float:
    """The value of a measure at the last step it was measured at, up to ``step``."""
    return [v for s, v in points if s <= step][-1]


def plot(fig, run: Run, measures: dict, control: Run, control_measures: dict) -> None:
    """Four panels: the accuracies (with the run without weight decay), the progress measures, the sum of
    squared weights of both runs, and the embedding's Fourier spectrum at initialisation and after training.
    The three phases are shaded."""
    (accuracy_ax, loss_ax), (weights_ax, spectrum_ax) = fig.subplots(2, 2)
    spans = phases(run.history)
    for ax in (accuracy_ax, loss_ax, weights_ax):
        for (name, (start, end)), color in zip(spans.items(), ("C7", "C1", "C2")):
            ax.axvspan(start, end, color=color, alpha=0.12, lw=0, label=name if ax is accuracy_ax else None)
    for name, points in run.history.metrics.items():
        accuracy_ax.plot(*zip(*points), label=name)
    accuracy_ax.plot(*zip(*control.history.metrics["test accuracy"]), "k--", label="test accuracy, no weight decay")
    accuracy_ax.set(xlabel="step", ylabel="accuracy", title="what the accuracies show")
    accuracy_ax.legend(fontsize=7, loc="center right")
    for name in ("train loss", "test loss", "restricted loss", "excluded loss"):
        loss_ax.plot(*zip(*measures[name]), label=name)
    loss_ax.set(yscale="log", xlabel="step", ylabel="cross-entropy (nats)", title="what the progress measures show")
    loss_ax.legend(fontsize=7, loc="lower right")
    weights_ax.plot(*zip(*measures["sum of squared weights"]), label="weight decay 1.0")
    weights_ax.plot(*zip(*control_measures["sum of squared weights"]), "k--", label="no weight decay")
    weights_ax.set(xlabel="step", ylabel="sum of squared weights", title="what weight decay does")
    weights_ax.legend(fontsize=7)
    before = fourier_power(run.snapshots[0][1]["embed.weight"])
    after = fourier_power(run.model.embed.weight)
    frequencies = range(1, len(before) + 1)
    spectrum_ax.bar(frequencies, before.tolist(), color="lightgray", label="at initialisation")
    spectrum_ax.bar(frequencies, after.tolist(), color="C0", alpha=0.8, label="after training")
    spectrum_ax.set(xlabel="frequency k", ylabel="share of the embedding's power", title="the embedding in the Fourier basis")
    spectrum_ax.legend(fontsize=7)
    fig.tight_layout()
