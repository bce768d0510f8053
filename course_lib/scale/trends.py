"""Exponential trends: straight lines on a log scale, doubling times and outliers.

A quantity that grows by the same factor every year is a straight line when its
logarithm is plotted against time. We fit that line by least squares in log10
space: log10(value) = intercept + slope * year, so the value is multiplied by
10**slope each year and doubles every log10(2) / slope years.
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from matplotlib.transforms import Bbox

MOORE_DOUBLING_MONTHS = 24.0  # Moore (1975): transistors per chip double about every two years


def as_points(years: Sequence[float], values: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert a series of (year, value) points."""
    x, y = np.asarray(years, dtype=float), np.asarray(values, dtype=float)
    if x.ndim != 1 or x.shape != y.shape:
        raise ValueError(f"years and values must be 1-D and of equal length, got shapes {x.shape} and {y.shape}")
    if len(x) < 2 or np.ptp(x) == 0:
        raise ValueError("a trend needs at least two points from different years")
    if not (np.all(np.isfinite(y)) and np.all(y > 0)):
        raise ValueError(f"values must be positive and finite to take their logarithm, got {y}")
    return x, y


def fit_exponential(years: Sequence[float], values: Sequence[float]) -> tuple[float, float]:
    """Least-squares line through (year, log10 value): returns (slope, intercept)."""
    x, y = as_points(years, values)
    slope, intercept = np.polyfit(x, np.log10(y), 1)
    return float(slope), float(intercept)


def doubling_time_months(slope: float) -> float:
    """Months for the value to double, from a slope in log10 units per year."""
    if not slope > 0:
        raise ValueError(f"only a growing trend (slope > 0) has a doubling time, got slope {slope}")
    return 12 * math.log10(2) / slope


def growth_factor(doubling_months: float, years: float) -> float:
    """How many times bigger a quantity gets in ``years`` if it doubles every ``doubling_months``."""
    if not doubling_months > 0:
        raise ValueError(f"doubling_months must be positive, got {doubling_months}")
    return 2.0 ** (12 * years / doubling_months)


def residuals(years: Sequence[float], values: Sequence[float]) -> np.ndarray:
    """How far each point lies above (+) or below (-) the fitted line, in orders of magnitude."""
    x, y = as_points(years, values)
    slope, intercept = fit_exponential(x, y)
    return np.log10(y) - (intercept + slope * x)


def outliers(names: Sequence[str], years: Sequence[float], values: Sequence[float],
             threshold: float = 1.0) -> list[str]:
    """Names of the points more than ``threshold`` orders of magnitude off the trend, farthest first."""
    if len(names) != len(years):
        raise ValueError(f"got {len(names)} names for {len(years)} points")
    off = residuals(years, values)
    order = np.argsort(-np.abs(off), kind="stable")
    return [names[i] for i in order if abs(off[i]) > threshold]


def plot_trend(ax, years: Sequence[float], values: Sequence[float], names: Sequence[str] = (),
               label: str = "", color: str = "C0") -> tuple[float, float]:
    """Scatter the points on a log axis, name them, draw the fitted line; return (slope, intercept)."""
    x, y = as_points(years, values)
    slope, intercept = fit_exponential(x, y)
    ax.scatter(x, y, color=color, label=label, zorder=3)
    span = np.array([x.min(), x.max()])
    fit = f"doubling every {doubling_time_months(slope):.1f} months" if slope > 0 else "no growth"
    ax.plot(span, 10 ** (intercept + slope * span), "--", color=color, alpha=0.7, label=f"fit: {fit}")
    ax.set_yscale("log")
    label_points(ax, names, x, y)
    return slope, intercept


# A label's background, so that lines drawn under it (a trend, Moore's pace) do not strike through
# its text, and a thin leader line from it to its point, seen when the label had to move away.
CLEAR = dict(facecolor="white", edgecolor="none", alpha=0.75, pad=0.1)
LEADER = dict(arrowstyle="-", color="0.6", lw=0.5, shrinkA=0)
# Where a label may sit beside its point, in points: right-above first, then below, left, further out.
LABEL_OFFSETS = ((3, 3, "left"), (3, -9, "left"), (-3, 3, "right"), (-3, -9, "right"),
                 (3, 11, "left"), (-3, 11, "right"), (3, -17, "left"), (-3, -17, "right"))


def label_points(ax, names: Sequence[str], x: Sequence[float], y: Sequence[float], fontsize: float = 7,
                 marker_points: float = 6.0):
    """Name each point, at the first spot beside it where the label covers no other label and no
    other point's marker (``marker_points`` across, matplotlib's default scatter size), so that
    close points such as MT-NLG and PaLM stay readable and each label sits by its own dot."""
    if not hasattr(ax.figure.canvas, "get_renderer"):  # a bare Figure (no pyplot): give it a canvas to measure on
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        FigureCanvasAgg(ax.figure)
    ax.autoscale_view()  # measure against the axis limits the figure will be drawn with
    renderer = ax.figure.canvas.get_renderer()
    half = marker_points / 2 * ax.figure.dpi / 72
    centres = ax.transData.transform(np.column_stack([x, y]))
    markers = [Bbox.from_extents(cx - half, cy - half, cx + half, cy + half) for cx, cy in centres]
    placed, grow, pad = [], marker_points / 6, ax.figure.dpi / 72  # offsets suit a 6-point marker
    for i, (name, xi, yi) in enumerate(zip(names, x, y)):
        if not name:
            continue
        others = placed + markers[:i] + markers[i + 1:]
        spots = [(dx * grow, dy * grow, ha) for dx, dy, ha in LABEL_OFFSETS]
        for dx, dy, ha in spots:  # measured without its leader line, which may cross other things
            label = ax.annotate(name, (xi, yi), xytext=(dx, dy), textcoords="offset points", ha=ha,
                                fontsize=fontsize, bbox=CLEAR)
            box = label.get_window_extent(renderer).padded(pad)  # its text and background
            label.remove()
            if not any(box.overlaps(other) for other in others):
                break
        else:
            dx, dy, ha = spots[0]
        ax.annotate(name, (xi, yi), xytext=(dx, dy), textcoords="offset points", ha=ha, fontsize=fontsize,
                    bbox=CLEAR, arrowprops=dict(LEADER, shrinkB=marker_points / 2))
        placed.append(box)
