"""The training loop, with a progress bar and a history to plot.

Every chapter that trains a model uses the same five steps per batch:
zero the gradients → forward → loss → backward → optimizer step.
``train`` runs them with a progress bar and evaluates the model now and then;
the ``History`` it returns plots the curves.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable


@dataclass
class History:
    """Training loss per step, and each evaluated metric at the steps it was measured."""
    losses: list[float] = field(default_factory=list)
    metrics: dict[str, list[tuple[int, float]]] = field(default_factory=dict)
    seconds: float = 0.0

    def last(self, name: str) -> float:
        if name not in self.metrics:
            raise KeyError(f"no metric {name!r}; measured: {', '.join(self.metrics) or 'none'}")
        return self.metrics[name][-1][1]

    def plot(self, ax=None, title: str = "training"):
        """Training loss per step, with each evaluated metric on top; returns the axes."""
        import matplotlib.pyplot as plt
        if ax is None:
            ax = plt.subplots()[1]
        ax.plot(range(1, len(self.losses) + 1), self.losses, alpha=0.4, label="training loss (per batch)")
        for name, points in self.metrics.items():
            steps, values = zip(*points)
            ax.plot(steps, values, "o-", label=name)
        ax.set(xlabel="step", title=title)
        ax.legend()
        return ax


ABBREVIATIONS = {"validation": "val", "accuracy": "acc", "training": "train"}


def short(name: str) -> str:
    """A metric's name as a progress bar's postfix shows it: "validation accuracy" -> "val acc"."""
    return " ".join(ABBREVIATIONS.get(word, word) for word in name.split())


def train(model, optimizer, batches: Iterable, steps: int, loss_fn: Callable,
          evaluate: Callable[[object], dict] | None = None, eval_every: int = 100,
          description: str = "training") -> History:
    """Take ``steps`` optimizer steps on batches drawn from ``batches``.

    loss_fn(model, batch) returns the scalar loss of one batch; evaluate(model) returns
    a dict of metrics, measured every ``eval_every`` steps and after the last, with the
    model in eval mode and without gradients. ``optimizer`` needs ``zero_grad()`` and
    ``step()``: torch's optimizers, or your own with the same two methods.
    """
    import time

    import torch
    from tqdm.auto import tqdm

    if not isinstance(steps, int) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if not isinstance(eval_every, int) or eval_every < 1:
        raise ValueError(f"eval_every must be a positive integer, got {eval_every!r}")
    history, batches, start = History(), iter(batches), time.perf_counter()
    bar = tqdm(range(1, steps + 1), desc=description, leave=True)
    for step in bar:
        try:
            batch = next(batches)
        except StopIteration:
            raise ValueError(f"batches ran out after {step - 1} of {steps} steps") from None
        model.train()
        optimizer.zero_grad()
        loss = loss_fn(model, batch)
        loss.backward()
        optimizer.step()
        history.losses.append(loss.item())
        if evaluate and (step % eval_every == 0 or step == steps):
            model.eval()
            with torch.no_grad():
                for name, value in evaluate(model).items():
                    history.metrics.setdefault(name, []).append((step, float(value)))
            model.train()
            # the validation metrics if there are any (a bar has room for two or three numbers)
            shown = {n: p for n, p in history.metrics.items() if n.startswith("validation")} or history.metrics
            bar.set_postfix({short(name): f"{points[-1][1]:.3f}" for name, points in shown.items()})
    history.seconds = time.perf_counter() - start
    return history
