"""The 8×8 handwritten digits: a real dataset that ships with scikit-learn, loaded offline.

1,797 images of the digits 0–9, each 8×8 pixels with values 0..16 (the counts of ink
pixels in 4×4 blocks of a 32×32 scan; Alpaydin & Kaynak 1998, the UCI "optical
recognition of handwritten digits" test set). ``load_digits_split`` cuts them once,
with a seed, into training, validation and test sets of the same class balance, and
normalises the pixels with one mean and one standard deviation measured on the
training set (one scalar pair, so a normalised digit is still an image).

Chapters 05 and 11 share this module: the split, the MLP and the training recipe of
``train_mlp`` are the ones chapter 05 trains and chapter 11 explains.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from course_lib.machinery.env import seed_for

SPLITS = ("train", "validation", "test")


@dataclass(frozen=True)
class Digits:
    """The three splits as tensors: x of shape (n, 64), float32, normalised; y of shape (n,), int64."""
    x_train: Tensor
    y_train: Tensor
    x_val: Tensor
    y_val: Tensor
    x_test: Tensor
    y_test: Tensor
    mean: float  # of the training pixels (0..16), used to normalise all three splits
    std: float

    def split(self, name: str) -> tuple[Tensor, Tensor]:
        """(x, y) of "train", "validation" or "test"."""
        if name not in SPLITS:
            raise ValueError(f"split must be one of {', '.join(SPLITS)}, got {name!r}")
        return {"train": (self.x_train, self.y_train), "validation": (self.x_val, self.y_val),
                "test": (self.x_test, self.y_test)}[name]

    def normalise(self, pixels) -> Tensor:
        """Raw pixels (0..16), shape (..., 64) or (..., 8, 8), as the model's input (..., 64)."""
        pixels = torch.as_tensor(np.asarray(pixels), dtype=torch.float32)
        if pixels.shape[-2:] == (8, 8):
            pixels = pixels.flatten(-2)
        if pixels.shape[-1] != 64:
            raise ValueError(f"a digit has 64 pixels (8x8), got shape {tuple(pixels.shape)}")
        return (pixels - self.mean) / self.std

    def images(self, x: Tensor) -> np.ndarray:
        """Model inputs (..., 64) back as 8×8 images of raw pixels (0..16), for plotting."""
        x = torch.as_tensor(x).detach()
        if x.shape[-1] != 64:
            raise ValueError(f"a digit has 64 pixels, got shape {tuple(x.shape)}")
        return (x * self.std + self.mean).reshape(*x.shape[:-1], 8, 8).numpy()


def load_digits_split(seed: int = 0, validation: float = 0.2, test: float = 0.2) -> Digits:
    """The digits, split (stratified, seeded) into train / validation / test and normalised."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    if not (isinstance(seed, int) and seed >= 0):
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    if not (0 < validation < 1 and 0 < test < 1 and validation + test < 1):
        raise ValueError(f"validation and test must be fractions in (0, 1) with a sum below 1, "
                         f"got validation={validation}, test={test}")
    pixels, labels = load_digits(return_X_y=True)
    rest_x, x_test, rest_y, y_test = train_test_split(pixels, labels, test_size=test, stratify=labels,
                                                      random_state=seed)
    x_train, x_val, y_train, y_val = train_test_split(rest_x, rest_y, test_size=validation / (1 - test),
                                                      stratify=rest_y, random_state=seed)
    mean, std = float(x_train.mean()), float(x_train.std())

    def tensors(x, y):
        return torch.tensor((x - mean) / std, dtype=torch.float32), torch.tensor(y, dtype=torch.int64)

    return Digits(*tensors(x_train, y_train), *tensors(x_val, y_val), *tensors(x_test, y_test), mean, std)


def make_mlp(hidden: int = 128, seed: int = 0) -> nn.Sequential:
    """A 64 → hidden → 10 MLP with ReLU, initialised from ``seed`` (torch's default init)."""
    if not (isinstance(hidden, int) and hidden >= 1):
        raise ValueError(f"hidden must be a positive integer, got {hidden!r}")
    with torch.random.fork_rng():  # a seeded model that leaves the global random state alone
        torch.manual_seed(seed_for(seed))
        return nn.Sequential(nn.Linear(64, hidden), nn.ReLU(), nn.Linear(hidden, 10))


def batches(x: Tensor, y: Tensor, batch_size: int, seed: int = 0) -> Iterator[tuple[Tensor, Tensor]]:
    """Minibatches forever: each epoch visits every example once, in a new random order."""
    if not (isinstance(batch_size, int) and 1 <= batch_size <= len(x)):
        raise ValueError(f"batch_size must be an integer from 1 to {len(x)} (the number of examples), "
                         f"got {batch_size!r}")
    if len(x) != len(y):
        raise ValueError(f"x and y must have the same length, got {len(x)} and {len(y)}")
    generator = torch.Generator().manual_seed(seed_for(seed))
    while True:
        order = torch.randperm(len(x), generator=generator)
        for start in range(0, len(x) - batch_size + 1, batch_size):  # drop the ragged last batch
            index = order[start:start + batch_size]
            yield x[index], y[index]


def loss(model: nn.Module, batch: tuple[Tensor, Tensor]) -> Tensor:
    """Mean cross-entropy of a batch: the ``loss_fn`` that ``course_lib.nets.train.train`` takes."""
    x, y = batch
    return F.cross_entropy(model(x), y)


def accuracy(model: nn.Module, x: Tensor, y: Tensor) -> float:
    """The fraction of examples whose highest logit is the right class."""
    with torch.no_grad():
        return (model(x).argmax(dim=1) == y).float().mean().item()


def evaluator(**splits: tuple[Tensor, Tensor]):
    """The ``evaluate`` function for ``train``: loss and accuracy on each named split.

    ``evaluator(train=(x, y), validation=data.split("validation"))`` measures
    "train loss", "train accuracy", "validation loss" and "validation accuracy".
    """
    if not splits:
        raise ValueError("name at least one split to evaluate, e.g. evaluator(validation=data.split('validation'))")
    for name, split in splits.items():
        if not (isinstance(split, tuple) and len(split) == 2 and len(split[0]) == len(split[1])):
            raise ValueError(f"split {name!r} must be a pair (x, y) of equal length")

    def evaluate(model: nn.Module) -> dict[str, float]:
        metrics = {}
        for name, (x, y) in splits.items():
            metrics[f"{name} loss"] = loss(model, (x, y)).item()
            metrics[f"{name} accuracy"] = accuracy(model, x, y)
        return metrics
    return evaluate


# Chapter 05's recipe for the classifier (about 97% test accuracy in about a second).
HIDDEN, BATCH_SIZE, STEPS, PEAK_LR, WEIGHT_DECAY = 128, 32, 1000, 3e-3, 0.01


def train_mlp(data: Digits, seed: int = 0, rule=None, schedule=None, steps: int = STEPS):
    """Chapter 05's digits classifier: (model, history).

    A 64-128-10 MLP trained by AdamW (weight decay 0.01) on batches of 32, with a linear
    warm-up over the first tenth of the steps to a peak learning rate of 3e-3, then a
    cosine decay to zero. ``rule`` and ``schedule`` replace ``optim.adamw_step`` and
    ``schedules.warmup_cosine`` by functions of the same signature (yours).
    """
    from course_lib.nets.optim import AdamW, adamw_step
    from course_lib.nets.schedules import warmup_cosine
    from course_lib.nets.train import train

    if not (isinstance(steps, int) and steps >= 10):
        raise ValueError(f"steps must be an integer of at least 10, got {steps!r}")
    schedule = schedule or warmup_cosine
    model = make_mlp(HIDDEN, seed)
    optimizer = AdamW(model.parameters(), lr=lambda t: schedule(t, steps, steps // 10, PEAK_LR),
                      weight_decay=WEIGHT_DECAY, rule=rule or adamw_step)
    history = train(model, optimizer, batches(data.x_train, data.y_train, BATCH_SIZE, seed), steps, loss,
                    evaluator(train=data.split("train"), validation=data.split("validation")),
                    eval_every=steps // 10, description="digits MLP")
    return model, history


def show(images, titles, columns: int = 10) -> None:
    """Draw 8×8 digit images in a row (or rows), each with its title."""
    import matplotlib.pyplot as plt
    images = np.asarray(images)
    if images.ndim != 3 or images.shape[1:] != (8, 8) or len(images) != len(titles):
        raise ValueError(f"need n images of 8x8 pixels and n titles, got images of shape {images.shape} "
                         f"and {len(titles)} titles")
    rows = -(-len(images) // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(1.1 * columns, 1.3 * rows), squeeze=False)
    for ax in axes.flat:
        ax.set_axis_off()
    for ax, image, title in zip(axes.flat, images, titles):
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=16)
        ax.set_title(title, fontsize=8)
    plt.show()
