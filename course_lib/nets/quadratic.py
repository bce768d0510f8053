"""Gradient descent on a quadratic bowl: the one loss where every step can be predicted.

Near a minimum, every smooth loss looks like a bowl f(x) = ½·xᵀAx, whose matrix A
(the Hessian, symmetric and positive definite) has eigenvalues λ, the curvatures along
its axes. Gradient descent, x ← x − lr·Ax, multiplies the component of x along each
axis by (1 − lr·λ) per step. So:

* it converges when |1 − lr·λ| < 1 for every λ, that is when lr < 2/λ_max;
* past that edge the steepest axis overshoots by more each step, and x explodes;
* the flattest axis shrinks by only 1 − lr·λ_min per step: with lr below 2/λ_max, the
  condition number κ = λ_max/λ_min sets how slow that is.

Momentum (v ← μ·v + g;  x ← x − lr·v) turns each axis into a 2×2 linear recurrence;
its rate is the largest eigenvalue, in absolute value, of that recurrence (``rate``).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

LIMIT = 1e6  # a path is stopped once it is this far from the minimum: it has diverged


@dataclass(frozen=True)
class Bowl:
    """f(x) = ½·xᵀAx on the plane: minimum 0 at the origin."""
    A: np.ndarray

    def __post_init__(self):
        A = np.asarray(self.A, dtype=float)
        if A.shape != (2, 2) or not np.allclose(A, A.T):
            raise ValueError(f"A must be a symmetric 2x2 matrix, got {A.tolist()}")
        if np.linalg.eigvalsh(A)[0] <= 0:
            raise ValueError(f"A must be positive definite (all eigenvalues > 0) to be a bowl, got {A.tolist()}")
        object.__setattr__(self, "A", A)

    @classmethod
    def from_curvatures(cls, largest: float, smallest: float, angle_degrees: float = 30.0) -> "Bowl":
        """A bowl with eigenvalues ``largest`` and ``smallest``, its steep axis at ``angle_degrees``."""
        if not largest >= smallest > 0:
            raise ValueError(f"need largest >= smallest > 0, got largest={largest}, smallest={smallest}")
        a = math.radians(angle_degrees)
        rotation = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        return cls(rotation @ np.diag([largest, smallest]) @ rotation.T)

    def value(self, x: np.ndarray) -> np.ndarray:
        """f at one point (shape (2,)) or at many (shape (..., 2))."""
        x = np.asarray(x, dtype=float)
        return 0.5 * np.einsum("...i,ij,...j->...", x, self.A, x)

    def gradient(self, x: np.ndarray) -> np.ndarray:
        return np.asarray(x, dtype=float) @ self.A  # A is symmetric: ∇f = Ax

    @property
    def curvatures(self) -> np.ndarray:
        """The eigenvalues of A, smallest first."""
        return np.linalg.eigvalsh(self.A)

    @property
    def condition_number(self) -> float:
        return float(self.curvatures[-1] / self.curvatures[0])

    @property
    def edge(self) -> float:
        """The largest learning rate at which gradient descent does not diverge: 2/λ_max."""
        return float(2 / self.curvatures[-1])


def descend(bowl: Bowl, start, lr: float, steps: int, momentum: float = 0.0) -> np.ndarray:
    """The points visited by gradient descent (with momentum), start included: shape (steps + 1, 2).

    A path that diverges is cut short once it is LIMIT away from the minimum.
    """
    if not isinstance(steps, int) or steps < 0:
        raise ValueError(f"steps must be a non-negative integer, got {steps!r}")
    if not lr > 0 or not 0 <= momentum < 1:
        raise ValueError(f"need lr > 0 and 0 <= momentum < 1, got lr={lr}, momentum={momentum}")
    x = np.asarray(start, dtype=float)
    if x.shape != (2,):
        raise ValueError(f"start must be a point of the plane, shape (2,), got shape {x.shape}")
    velocity, path = np.zeros(2), [x]
    for _ in range(steps):
        velocity = momentum * velocity + bowl.gradient(x)
        x = x - lr * velocity
        path.append(x)
        if np.linalg.norm(x) > LIMIT:
            break
    return np.array(path)


def rate(curvatures, lr: float, momentum: float = 0.0) -> float:
    """Worst factor by which the distance to the minimum shrinks per step (in the long run).

    Without momentum it is max |1 − lr·λ|. With momentum, each axis follows
    (x_{t+1}, x_t) = M (x_t, x_{t−1}) with M = [[1 + μ − lr·λ, −μ], [1, 0]], and the
    factor is the largest |eigenvalue| of M. Below 1: converges; above 1: diverges.
    """
    curvatures = np.atleast_1d(np.asarray(curvatures, dtype=float))
    if curvatures.ndim != 1 or not len(curvatures) or not np.all(curvatures > 0):
        raise ValueError(f"curvatures must be a list of positive numbers, got {curvatures.tolist()}")
    if not lr > 0 or not 0 <= momentum < 1:
        raise ValueError(f"need lr > 0 and 0 <= momentum < 1, got lr={lr}, momentum={momentum}")
    factors = []
    for curvature in curvatures:
        M = np.array([[1 + momentum - lr * curvature, -momentum], [1.0, 0.0]])
        factors.append(np.abs(np.linalg.eigvals(M)).max())
    return float(max(factors))


def plot_paths(ax, bowl: Bowl, paths: dict[str, np.ndarray], span: float = 2.2) -> None:
    """Contours of the bowl with each labelled path drawn on top."""
    grid = np.linspace(-span, span, 121)
    X, Y = np.meshgrid(grid, grid)
    Z = bowl.value(np.stack([X, Y], axis=-1))
    ax.contour(X, Y, Z, levels=np.geomspace(Z.max() / 400, Z.max(), 12), colors="lightgray", linewidths=0.8)
    for label, path in paths.items():
        ax.plot(path[:, 0], path[:, 1], "o-", markersize=2.5, linewidth=1, label=label)
    ax.plot(0, 0, "k*", markersize=9)
    ax.set(xlim=(-span, span), ylim=(-span, span), aspect="equal", xlabel="$x_1$", ylabel="$x_2$")
    ax.legend(fontsize=8, loc="lower right")


START = np.array([-1.8, 1.2])
LARGEST = 2.5  # λ_max of the explorer's bowls: their edge is 2/2.5 = 0.8


def learning_rate_explorer(steps: int = 40):
    """Sliders for the learning rate, the condition number and momentum: where does descent blow up?"""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    def draw(lr: float, condition: float, momentum: float):
        bowl = Bowl.from_curvatures(LARGEST, LARGEST / condition)
        path = descend(bowl, START, lr, steps, momentum)
        factor = rate(bowl.curvatures, lr, momentum)
        fig = viz.figure(figsize=(10, 4))
        left, right = fig.subplots(1, 2)
        plot_paths(left, bowl, {f"lr = {lr:.2f}": path})
        left.set_title(f"curvatures {LARGEST} and {LARGEST / condition:.3g} (κ = {condition:.0f})")
        distance = np.linalg.norm(path, axis=1)
        right.semilogy(distance, "o-", markersize=3, label="distance to the minimum")
        right.semilogy(distance[0] * factor ** np.arange(len(distance)), ":", color="gray",
                       label=f"predicted: ×{factor:.3f} per step")
        right.set(xlabel="step", xlim=(0, steps), ylim=(1e-8, 1e4), title="error per step (log scale)")
        right.legend(fontsize=8)
        verdict = ("neither converges nor diverges" if math.isclose(factor, 1, abs_tol=1e-9)
                   else "converges" if factor < 1 else "diverges")
        print(f"lr {lr:.2f}, κ {condition:.0f}, momentum {momentum:.2f}: error ×{factor:.3f} per step, "
              f"so descent {verdict}")
        return fig

    slider = dict(continuous_update=False, readout_format=".2f", style={"description_width": "initial"})
    return viz.Explorer(
        draw,
        lr=widgets.FloatSlider(value=0.3, min=0.02, max=1.6, step=0.01, description="lr", **slider),
        condition=widgets.FloatSlider(value=10, min=1, max=50, step=1, description="κ", continuous_update=False),
        momentum=widgets.FloatSlider(value=0.0, min=0.0, max=0.95, step=0.05, description="momentum", **slider))
