"""Testing explanations: does an attribution map depend on the model, and does it point at what the model uses?

Two tests, each a number you can compute rather than a picture you judge by eye:

* the **model-randomisation sanity check** (Adebayo et al. 2018): re-initialise the
  trained weights, layer by layer from the output down ("cascading"), and compare each
  method's maps before and after by their rank correlation. A map that hardly changes
  when the weights it claims to explain are replaced by noise explains the input, not
  the model;
* **deletion and insertion curves** (the pixel flipping of Bach et al. 2015, extended to
  regions by Samek et al. 2017; the names are Petsiuk, Das & Saenko's, 2018): remove the pixels the map ranks highest first, and watch the probability of the
  target class fall (deletion); or start from a blank page and put them back
  (insertion). A faithful ranking makes deletion fall fast and insertion rise fast; a
  random ranking is the floor to beat.
"""
from __future__ import annotations

import copy

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.machinery.env import seed_for


def cascading_randomisation(model: nn.Sequential, fresh: nn.Sequential) -> list[tuple[str, nn.Sequential]]:
    """The trained model, then copies with ever more of its layers replaced by ``fresh``'s,
    from the output layer down: [("trained", model), ("layer 2 random", ...), ("layers 1-2 random", ...)]
    for a model of two layers with weights (numbered from the input).

    ``fresh`` is the same architecture, newly initialised: each layer then has random weights
    of the scale training started from.
    """
    layers = [i for i, layer in enumerate(model) if any(True for _ in layer.parameters())]
    if not layers:
        raise ValueError("the model has no layers with parameters to randomise")
    if [type(layer) for layer in model] != [type(layer) for layer in fresh]:
        raise ValueError("fresh must have the same architecture (the same sequence of layers) as model")
    steps, randomised = [("trained", model)], copy.deepcopy(model)
    n = len(layers)
    for count, index in enumerate(reversed(layers), 1):
        randomised = copy.deepcopy(randomised)
        randomised[index].load_state_dict(fresh[index].state_dict())
        name = f"layer {n} random" if count == 1 else f"layers {n - count + 1}-{n} random"
        steps.append((name, randomised.eval()))
    return steps


def rank_correlation(a, b) -> np.ndarray:
    """Spearman's rank correlation between each row of a and the same row of b (ties get their mean rank)."""
    from scipy.stats import rankdata
    a, b = (np.asarray(v.detach() if isinstance(v, Tensor) else v, dtype=float) for v in (a, b))
    if a.shape != b.shape or a.ndim != 2:
        raise ValueError(f"a and b must be 2-D arrays of the same shape (maps, pixels), got {a.shape} and {b.shape}")
    ra, rb = rankdata(a, axis=1), rankdata(b, axis=1)
    ra, rb = ra - ra.mean(axis=1, keepdims=True), rb - rb.mean(axis=1, keepdims=True)
    spread = np.sqrt((ra ** 2).sum(axis=1) * (rb ** 2).sum(axis=1))
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(spread > 0, (ra * rb).sum(axis=1) / spread, np.nan)  # a constant map has no ranking


def target_probability(model, x: Tensor, target: Tensor) -> Tensor:
    """The softmax probability of each row's target class, shape (n,)."""
    with torch.no_grad():
        return model(x).softmax(dim=1).gather(1, target[:, None]).squeeze(1)


def deletion_curve(model, x: Tensor, target: Tensor, attributions: Tensor, baseline: Tensor | None = None,
                   insertion: bool = False) -> Tensor:
    """The target's probability as pixels are removed (or inserted), highest attribution first: (n, pixels + 1).

    Deletion starts from x and sets one pixel more to the baseline (a blank page: zeros) at each
    step; insertion starts from the baseline and restores one pixel more of x. Column k is the
    probability after k pixels, so column 0 is x itself (deletion) or the baseline (insertion).
    """
    if x.ndim != 2 or attributions.shape != x.shape:
        raise ValueError(f"x and attributions must both have shape (n, pixels), got {tuple(x.shape)} "
                         f"and {tuple(attributions.shape)}")
    baseline = torch.zeros_like(x) if baseline is None else torch.as_tensor(baseline, dtype=x.dtype).expand_as(x)
    order = attributions.argsort(dim=1, descending=True, stable=True)
    rows = torch.arange(len(x))
    start, end = (baseline, x) if insertion else (x, baseline)
    current = start.clone()
    curve = [target_probability(model, current, target)]
    for k in range(x.shape[1]):
        current[rows, order[:, k]] = end[rows, order[:, k]]
        curve.append(target_probability(model, current, target))
    return torch.stack(curve, dim=1)


def area(curves: Tensor) -> float:
    """The mean area under curves (n, k + 1) over an x-axis from 0 to 1 (the trapezoid rule)."""
    curves = torch.as_tensor(curves)
    if curves.ndim != 2 or curves.shape[1] < 2:
        raise ValueError(f"curves must have shape (n, points) with at least 2 points, got {tuple(curves.shape)}")
    return ((curves[:, 1:] + curves[:, :-1]) / 2).mean(dim=1).mean().item()


def random_attributions(x: Tensor, seed: int = 0) -> Tensor:
    """A map of random numbers: the ranking of a method that knows nothing."""
    return torch.rand(x.shape, generator=torch.Generator().manual_seed(seed_for(seed)))
