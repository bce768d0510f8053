"""Two-dimensional toy datasets, and an explorer of the decision boundary an MLP draws on them.

``moons``, ``circles`` and ``spirals`` are generated here from a seed: nothing is
downloaded. ``boundary_explorer()`` trains a small torch MLP on one of them (how
training works is chapters 04 and 05), copies its weights with ``forward.from_torch``
and uses ``forward.mlp`` — the numpy forward pass of chapter 03 — to colour every
point of the plane by the class the network picks there.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from course_lib.machinery.env import seed_for
from course_lib.nets import forward

STEPS = (0, 10, 30, 100, 200, 500)  # training steps at which the explorer keeps the weights
LEARNING_RATE = 0.003  # full-batch Adam at 0.02 spiked (the loss rose by half on some CPUs); 0.003 falls smoothly


def check_size(n: int, noise: float, parts: int) -> None:
    if not isinstance(n, int) or n < parts:
        raise ValueError(f"n must be an integer of at least {parts} (points), got {n!r}")
    if not noise >= 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}")


def moons(n: int = 200, noise: float = 0.2, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles: X of shape (n, 2) and labels y in {0, 1}."""
    check_size(n, noise, 2)
    rng = np.random.default_rng(seed_for(seed))
    y = np.arange(n) % 2
    t = rng.uniform(0, math.pi, n)
    X = np.where(y[:, None] == 0, np.c_[np.cos(t), np.sin(t)], np.c_[1 - np.cos(t), 0.5 - np.sin(t)])
    return X + rng.normal(0, noise, X.shape), y


def circles(n: int = 200, noise: float = 0.08, factor: float = 0.5, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """A ring (label 0) around a smaller ring of radius ``factor`` (label 1)."""
    check_size(n, noise, 2)
    rng = np.random.default_rng(seed_for(seed))
    y = np.arange(n) % 2
    t = rng.uniform(0, 2 * math.pi, n)
    radius = np.where(y == 0, 1.0, factor)
    X = radius[:, None] * np.c_[np.cos(t), np.sin(t)]
    return X + rng.normal(0, noise, X.shape), y


def spirals(n: int = 300, classes: int = 3, noise: float = 0.3, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """``classes`` spiral arms winding out from the centre, one label per arm."""
    check_size(n, noise, classes)
    rng = np.random.default_rng(seed_for(seed))
    y = np.arange(n) % classes
    r = rng.uniform(0.05, 1, n)
    angle = 2 * math.pi * y / classes + 4 * r + rng.normal(0, noise, n)
    return np.c_[r * np.cos(angle), r * np.sin(angle)], y


DATASETS = {"moons": moons, "circles": circles, "spirals": spirals}


def make(name: str, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The dataset called ``name``, with its default size and noise: seed 0 to train on, 1 to test."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return DATASETS[name](seed=seed)


@dataclass(frozen=True)
class Fit:
    """A network trained on a dataset: its weights at each of STEPS, and the loss at every step."""
    params: dict  # step -> forward.Params
    losses: np.ndarray


@lru_cache(maxsize=64)
def fit(dataset: str, width: int, depth: int, activation: str, seed: int = 0) -> Fit:
    """Train an MLP with ``depth`` hidden layers of ``width`` units for STEPS[-1] full-batch Adam steps."""
    import torch

    if not (isinstance(width, int) and width > 0 and isinstance(depth, int) and depth >= 0):
        raise ValueError(f"width must be a positive and depth a non-negative integer, got {width!r}, {depth!r}")
    X, y = make(dataset)
    sizes = [2] + [width] * depth + [int(y.max()) + 1]
    with torch.random.fork_rng():  # a seed of its own, leaving the notebook's random state alone
        torch.manual_seed(seed_for(seed))
        model = forward.torch_sequential(sizes, activation)
    inputs, targets = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    optimizer = torch.optim.Adam(model.parameters(), lr=LEARNING_RATE)
    params, losses = {0: forward.from_torch(model)[0]}, []
    for step in range(1, STEPS[-1] + 1):
        optimizer.zero_grad()
        loss = torch.nn.functional.cross_entropy(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if step in STEPS:
            params[step] = forward.from_torch(model)[0]
    return Fit(params, np.array(losses))


def evaluate(X: np.ndarray, y: np.ndarray, params: forward.Params, activation: str) -> tuple[float, float]:
    """(cross-entropy loss, accuracy) of the numpy forward pass on (X, y)."""
    logits = forward.mlp(X, params, activation)
    return forward.cross_entropy(logits, y), float((logits.argmax(axis=1) == y).mean())


def draw_boundary(ax, X: np.ndarray, y: np.ndarray, params: forward.Params, activation: str,
                  points: int = 120) -> None:
    """Colour the plane by the class the network picks, and scatter the data on top."""
    from matplotlib.colors import ListedColormap

    low, high = X.min(axis=0) - 0.4, X.max(axis=0) + 0.4
    xx, yy = np.meshgrid(np.linspace(low[0], high[0], points), np.linspace(low[1], high[1], points))
    logits = forward.mlp(np.c_[xx.ravel(), yy.ravel()], params, activation)
    classes = logits.shape[1]
    colours = ListedColormap([f"C{k}" for k in range(classes)])
    for k in range(classes):  # class k wins where its logit beats every other: lead_k > 0
        lead = (logits[:, k] - np.delete(logits, k, axis=1).max(axis=1)).reshape(xx.shape)
        if lead.max() > 0:
            ax.contourf(xx, yy, lead, levels=[0, lead.max()], colors=[f"C{k}"], alpha=0.25)
        if lead.min() < 0 < lead.max():
            ax.contour(xx, yy, lead, levels=[0], colors="k", linewidths=0.8)
    ax.scatter(X[:, 0], X[:, 1], c=y, cmap=colours, s=12, edgecolors="white", linewidths=0.4, vmin=0,
               vmax=classes - 1)
    ax.set(xticks=[], yticks=[], aspect="equal")


def boundary_explorer():
    """Dataset, activation, width, depth and training steps in; decision boundary and loss out."""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    def draw(dataset: str, activation: str, width: int, depth: int, steps: int):
        X, y = make(dataset)
        trained = fit(dataset, width, depth, activation)
        held_out = [evaluate(*make(dataset, seed=1), trained.params[s], activation)[0] for s in STEPS]
        loss, accuracy = evaluate(X, y, trained.params[steps], activation)
        fig = viz.figure(figsize=(10, 4))
        board, curve = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        draw_boundary(board, X, y, trained.params[steps], activation)
        layers = f"{depth} x {width} {activation}" if depth else "no hidden layer"
        board.set_title(f"{dataset}, {layers}: the classes it picks at step {steps}", fontsize=9)
        curve.plot(np.arange(1, len(trained.losses) + 1), trained.losses, label="training points")
        curve.plot(np.maximum(STEPS, 1), held_out, "s--", color="C2", ms=4,
                   label="held-out points (a fresh sample)")
        curve.axhline(math.log(int(y.max()) + 1), color="gray", ls=":", label="ln K: a uniform guess")
        curve.plot(max(steps, 1), loss, "o", color="C3", label=f"now: {loss:.3f}")
        curve.set(xscale="log", ylim=(0, None), xlabel="training step", ylabel="cross-entropy loss",
                  title="the loss")
        curve.legend(fontsize=8, loc="lower left")  # early steps have high losses: the corner stays free
        print(f"{dataset}, {layers}, step {steps}: training loss {loss:.3f} (accuracy {accuracy:.0%}), "
              f"held-out loss {held_out[STEPS.index(steps)]:.3f}")
        return fig

    return viz.Explorer(
        draw,
        dataset=widgets.Dropdown(options=list(DATASETS), value="moons", description="dataset",
                                 style={"description_width": "initial"}),
        activation=widgets.Dropdown(options=list(forward.ACTIVATIONS), value="relu", description="activation",
                                    style={"description_width": "initial"}),
        width=widgets.SelectionSlider(options=[1, 2, 4, 8, 16, 32], value=16, description="width"),
        depth=widgets.IntSlider(value=2, min=0, max=4, description="depth"),
        steps=widgets.SelectionSlider(options=list(STEPS), value=STEPS[-1], description="steps"))
