"""Attributions: how much each input pixel counts for one output of a classifier.

The output explained is f(x), the logit of a target class. Four methods, each a map
with one number per pixel:

* gradient ∂f/∂x, and its size, the **saliency** map (Simonyan, Vedaldi & Zisserman 2013):
  how much f moves when one pixel moves a little;
* **gradient × input** (Shrikumar et al. 2016): the gradient weighted by the pixel's
  value, a first-order guess at what the pixel contributes against an input of zeros;
* **integrated gradients** (Sundararajan, Taly & Yan 2017): the gradient averaged along
  the straight path from a baseline x' to x, times (x − x'). Its attributions add up to
  f(x) − f(x') (*completeness*), up to the error of the numerical integral;
* **SmoothGrad** (Smilkov et al. 2017): the gradient averaged over noisy copies of x.

Chapter 11 explains the digits classifier of chapter 05 as a function of **ink**: pixel
values from 0 (blank paper) to 1 (full ink), so that an input of zeros — the baseline of
gradient × input and of integrated gradients here — is a blank page (``ink_model``).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn

from course_lib.machinery.env import seed_for

RULES = ("left", "right", "middle", "gausslegendre")


class FromInk(nn.Module):
    """Ink (0..1 per pixel) to the classifier's input: raw pixels 16·ink, normalised as in training."""

    def __init__(self, mean: float, std: float):
        super().__init__()
        self.mean, self.std = mean, std

    def forward(self, ink: Tensor) -> Tensor:
        return (16 * ink - self.mean) / self.std


def ink_model(model: nn.Module, data) -> nn.Sequential:
    """The digits classifier as a function of ink: ink (n, 64) in [0, 1] -> logits (n, 10)."""
    if not isinstance(model, nn.Module):
        raise TypeError(f"model must be a torch module, got {type(model).__name__}")
    return nn.Sequential(FromInk(data.mean, data.std), model).eval()


def ink(data, x: Tensor) -> Tensor:
    """The classifier's inputs x (n, 64) (normalised) as ink (n, 64) in [0, 1].

    The raw pixels are whole numbers 0..16; rounding undoes the normalisation's rounding error,
    so that a blank pixel is exactly 0.
    """
    return torch.as_tensor(np.round(data.images(x)) / 16, dtype=torch.float32).flatten(-2)


def check_inputs(model, x, target) -> None:
    if not callable(model):
        raise TypeError(f"model must be callable (a torch module), got {type(model).__name__}")
    if not isinstance(x, Tensor) or x.ndim != 2:
        raise ValueError(f"x must be a tensor (n, features), got {getattr(x, 'shape', type(x).__name__)}")
    if not isinstance(target, Tensor) or target.shape != x.shape[:1] or target.dtype != torch.int64:
        raise ValueError(f"target must be an int64 tensor of {len(x)} class indices (one per row of x), "
                         f"got {getattr(target, 'shape', type(target).__name__)}")


def target_logit(model, x: Tensor, target: Tensor) -> Tensor:
    """f(x): each row's logit of its target class, shape (n,)."""
    return model(x).gather(1, target[:, None]).squeeze(1)


def gradient(model, x: Tensor, target: Tensor) -> Tensor:
    """∂f/∂x for each row of x (n, features): the gradient of the target logit with respect to the input.

    One backward pass serves the whole batch: row i's logit depends on row i only, so the
    gradient of their sum with respect to x holds each row's own gradient.
    """
    check_inputs(model, x, target)
    x = x.detach().requires_grad_(True)
    return torch.autograd.grad(target_logit(model, x, target).sum(), x)[0]


def saliency(model, x: Tensor, target: Tensor) -> Tensor:
    """|∂f/∂x|: the size of the gradient (Simonyan et al. 2013)."""
    return gradient(model, x, target).abs()


def gradient_x_input(model, x: Tensor, target: Tensor) -> Tensor:
    """∂f/∂x · x (Shrikumar et al. 2016)."""
    return gradient(model, x, target) * x


def path_points(steps: int, rule: str = "right") -> tuple[Tensor, Tensor]:
    """Points α in [0, 1] along the path and their weights (summing to 1) for a rule of integration.

    "right" is the sum of Sundararajan et al. (2017, eq. 3): α = k/m for k = 1..m, each of
    weight 1/m; "left" takes k = 0..m−1, "middle" the midpoints (k − ½)/m. "gausslegendre"
    is Gauss–Legendre quadrature on m nodes, the default rule of Captum's IntegratedGradients.
    """
    if not isinstance(steps, int) or isinstance(steps, bool) or steps < 1:
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    if rule not in RULES:
        raise ValueError(f"rule must be one of {', '.join(RULES)}, got {rule!r}")
    if rule == "gausslegendre":
        nodes, weights = np.polynomial.legendre.leggauss(steps)  # on [-1, 1]
        return torch.tensor((nodes + 1) / 2, dtype=torch.float32), torch.tensor(weights / 2, dtype=torch.float32)
    k = torch.arange(steps, dtype=torch.float64)
    alphas = {"left": k / steps, "right": (k + 1) / steps, "middle": (k + 0.5) / steps}[rule]
    return alphas.float(), torch.full((steps,), 1 / steps)


def as_baseline(x: Tensor, baseline) -> Tensor:
    """The baseline x' as a tensor of x's shape: zeros — here a blank page — when None."""
    return torch.zeros_like(x) if baseline is None else torch.as_tensor(baseline, dtype=x.dtype).expand_as(x)


def integrated_gradients(model, x: Tensor, target: Tensor, baseline: Tensor | None = None,
                         steps: int = 64, rule: str = "right") -> Tensor:
    """(x − x') · ∫₀¹ ∂f/∂x (x' + α(x − x')) dα, the integral by ``rule`` on ``steps`` points.

    All the points of the path go through the model in one batch.
    """
    check_inputs(model, x, target)
    baseline = as_baseline(x, baseline)
    alphas, weights = path_points(steps, rule)
    path = baseline + alphas[:, None, None] * (x - baseline)  # (steps, n, features)
    grads = gradient(model, path.reshape(-1, x.shape[1]), target.repeat(steps)).reshape(path.shape)
    return (x - baseline) * (weights[:, None, None] * grads).sum(dim=0)


def output_change(model, x: Tensor, target: Tensor, baseline: Tensor | None = None) -> Tensor:
    """f(x) − f(x') per row: what complete attributions add up to."""
    check_inputs(model, x, target)
    with torch.no_grad():
        return target_logit(model, x, target) - target_logit(model, as_baseline(x, baseline), target)


def completeness_gap(model, x: Tensor, target: Tensor, attributions: Tensor,
                     baseline: Tensor | None = None) -> Tensor:
    """Σᵢ attributionᵢ − (f(x) − f(x')) per row: zero for attributions that are complete."""
    return attributions.sum(dim=1) - output_change(model, x, target, baseline)


def relative_completeness_error(model, x: Tensor, target: Tensor, attributions: Tensor,
                                baseline: Tensor | None = None) -> float:
    """The mean over rows of |completeness gap| / |f(x) − f(x')|."""
    change = output_change(model, x, target, baseline)
    return ((attributions.sum(dim=1) - change).abs() / change.abs()).mean().item()


def noise(x: Tensor, samples: int = 50, sigma: float = 0.15, seed: int = 0) -> Tensor:
    """Gaussian noise (samples, *x.shape) of standard deviation sigma, seeded, for SmoothGrad.

    Smilkov et al. (2017) set sigma as a fraction of the input's range (they found 10–20%
    to work well); the range of ink is 1, so sigma = 0.15 is 15%.
    """
    if not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive integer, got {samples!r}")
    if not sigma >= 0:
        raise ValueError(f"sigma must be a number >= 0, got {sigma!r}")
    generator = torch.Generator().manual_seed(seed_for(seed))
    return sigma * torch.randn((samples, *x.shape), generator=generator, dtype=x.dtype)


def noise_like_captum(x: Tensor, samples: int, sigma: float) -> Tensor:
    """The noise Captum's NoiseTunnel adds, drawn as it draws it, in this module's layout (samples, *x.shape).

    Captum (0.9.0, captum/attr/_core/noise_tunnel.py) takes one ``torch.normal`` draw of shape
    (rows × samples, ...) from torch's global generator, each row's samples next to one another.
    Seed torch the same way before both, and ``smoothgrad`` on this noise is Captum's SmoothGrad.
    """
    if not isinstance(samples, int) or samples < 1:
        raise ValueError(f"samples must be a positive integer, got {samples!r}")
    draws = torch.normal(0.0, torch.full((len(x) * samples, *x.shape[1:]), float(sigma)))
    return draws.reshape(len(x), samples, *x.shape[1:]).transpose(0, 1).to(x.dtype)


def smoothgrad(model, x: Tensor, target: Tensor, noise: Tensor) -> Tensor:
    """The gradient averaged over the noisy inputs x + noise[s], s = 1..samples."""
    check_inputs(model, x, target)
    if noise.shape[1:] != x.shape:
        raise ValueError(f"noise must have shape (samples, *x.shape) = (samples, {tuple(x.shape)}), "
                         f"got {tuple(noise.shape)}")
    samples = len(noise)
    grads = gradient(model, (x + noise).reshape(-1, x.shape[1]), target.repeat(samples))
    return grads.reshape(noise.shape).mean(dim=0)


def methods(steps: int = 64, samples: int = 50, sigma: float = 0.15) -> dict[str, Callable]:
    """The chapter's four methods as functions (model, x, target) -> attributions (n, 64)."""
    return {
        "saliency": saliency,
        "gradient × input": gradient_x_input,
        "integrated gradients": lambda model, x, target: integrated_gradients(model, x, target, steps=steps),
        "SmoothGrad": lambda model, x, target: smoothgrad(model, x, target, noise(x, samples, sigma)),
    }


def draw(ax, image, attribution=None, title: str = "") -> None:
    """An 8×8 digit in gray, or an attribution map over it: red for +, blue for −, on one symmetric scale."""
    ax.set_axis_off()
    ax.set_title(title, fontsize=8)
    if attribution is None:
        ax.imshow(np.asarray(image).reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        return
    attribution = np.asarray(attribution, dtype=float).reshape(8, 8)
    limit = np.abs(attribution).max() or 1.0
    ax.imshow(attribution, cmap="RdBu_r", vmin=-limit, vmax=limit)
    ax.contour(np.asarray(image).reshape(8, 8), levels=[0.5], colors="k", linewidths=0.6)


def gallery(fig, images: Tensor, maps: dict[str, Tensor], labels: list[str]) -> None:
    """One row per image: the digit, then one map per method (columns named by ``maps``' keys)."""
    axes = fig.subplots(len(images), 1 + len(maps), squeeze=False)
    for row, (image, label) in enumerate(zip(images, labels)):
        draw(axes[row, 0], image, title=label)
        for column, (name, values) in enumerate(maps.items(), 1):
            draw(axes[row, column], image, values[row], name if row == 0 else "")


def explorer(model, x: Tensor, target: Tensor, labels: list[str]):
    """A widget: pick a digit, a method and the number of steps of integrated gradients (or the noise
    of SmoothGrad); see the map, and how far the attributions are from adding up to f(x) − f(blank).
    The steps slider is active only for integrated gradients, the noise slider only for SmoothGrad."""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    names = list(methods())
    wide = {"description_width": "initial"}

    def show(index: int, method: str, steps: int, sigma: float):
        xi, ti = x[index:index + 1], target[index:index + 1]
        attribution = methods(steps=steps, sigma=sigma)[method](model, xi, ti)
        change = output_change(model, xi, ti).item()
        gap = attribution.sum().item() - change
        fig = viz.figure(figsize=(6.4, 3.2))
        left, right = fig.subplots(1, 2)
        draw(left, xi[0], title=labels[index])
        draw(right, xi[0], attribution[0], f"{method} (red +, blue −)")
        print(f"{method}: the attributions sum to {attribution.sum().item():+.3f}; f(x) − f(blank) = {change:+.3f}; "
              f"gap {gap:+.3f} ({abs(gap) / abs(change):.1%})")
        return fig

    method = widgets.Dropdown(options=names, value="integrated gradients", description="method", style=wide)
    steps = widgets.SelectionSlider(options=[1, 2, 4, 8, 16, 32, 64, 128, 256], value=64, description="IG steps",
                                    continuous_update=False, style=wide)
    sigma = widgets.FloatSlider(value=0.15, min=0.0, max=0.5, step=0.05, description="SmoothGrad noise σ",
                                continuous_update=False, style=wide)

    def enable(change=None):
        steps.disabled = method.value != "integrated gradients"
        sigma.disabled = method.value != "SmoothGrad"

    method.observe(enable, names="value")
    enable()
    return viz.Explorer(
        show,
        index=widgets.IntSlider(value=0, min=0, max=len(x) - 1, description="digit", continuous_update=False,
                                style=wide),
        method=method, steps=steps, sigma=sigma)
