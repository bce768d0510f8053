"""Scaling laws: fit them to your own runs, and use the published ones.

A power law  L = A·N^(−α)  is a straight line in log-log space,

    ln L = ln A − α·ln N,

so a least-squares line through the points (ln N, ln L) gives the exponent α (minus the
slope) and the coefficient A (e to the intercept). Fitting the logarithms weighs every
point by its *relative* error, which is what a law spanning orders of magnitude needs; a
straight-line fit to L itself is ruled by the largest losses and is not a power law at all.

A law with an irreducible term,  L = E + A·N^(−α),  says that the loss approaches a floor
E that no size removes. E is a fitted extrapolation, not a measured constant of the text:
for models that all saw the same data it is what that data can teach, and it moves with
the data, the tokenizer and the fit (the two refits of Chinchilla's law below give 1.69
and 1.82). For a given E, ln(L − E) is again a straight line in
ln N; ``fit_with_floor`` searches for the E whose line fits best.

The published laws, each with its source's constants:

* Kaplan et al. (2020): L(N) = (N_c/N)^α_N, L(D) = (D_c/D)^α_D, L(C) = (C_c/C)^α_C, with N
  the *non-embedding* parameters, D tokens, C compute in PF-days; and the compute-optimal
  model N_opt = 1.3·10⁹·C^0.73 (``Kaplan``).
* Hoffmann et al. (2022, "Chinchilla"): L(N, D) = E + A/N^α + B/D^β with N the *total*
  parameters (``Parametric``, ``HOFFMANN``), refitted by Besiroglu et al. (2024)
  (``BESIROGLU``); and their approach 1, N_opt ∝ C^0.50 (``APPROACH_1``).

Each gives the compute-optimal split of a budget C ≈ 6·N·D between parameters and tokens
(``optimal``): the tokens-per-parameter ratio D/N follows from it, computed, never assumed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np

from course_lib.machinery.env import seed_for

PF_DAY = 1e15 * 86_400  # FLOP in a petaflop/s-day, Kaplan et al.'s unit of compute
GOLDEN = (math.sqrt(5) - 1) / 2


# --- fitting -------------------------------------------------------------------------------

def as_points(x: Sequence[float], y: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    """Check and convert (size, loss) points: 1-D, equal length, positive and finite, ≥ 2 sizes."""
    x, y = np.asarray(x, dtype=float).ravel(), np.asarray(y, dtype=float).ravel()
    if x.shape != y.shape:
        raise ValueError(f"sizes and losses must have the same number of points, got {x.size} and {y.size}")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y)) and np.all(x > 0) and np.all(y > 0)):
        raise ValueError("sizes and losses must be positive and finite: a power law is fitted to their logarithms")
    if len(np.unique(x)) < 2:
        raise ValueError("a power law needs points at two sizes or more")
    return x, y


@dataclass(frozen=True)
class PowerLaw:
    """L(x) = floor + coefficient·x^(−exponent), and how well it fits (R² of ln L).
    ``variable`` names x when the law is printed: N for sizes, D for tokens."""
    exponent: float
    coefficient: float
    floor: float = 0.0
    r2: float = float("nan")
    variable: str = "N"

    def __call__(self, x):
        return self.floor + self.coefficient * np.asarray(x, dtype=float) ** -self.exponent

    def __str__(self) -> str:
        floor = f"{self.floor:.3f} + " if self.floor else ""
        return f"L = {floor}{self.coefficient:.4g}·{self.variable}^(-{self.exponent:.4f})   (R² = {self.r2:.4f})"


def r_squared(y: Sequence[float], predicted: Sequence[float]) -> float:
    """The fraction of the variance of ln y that the predictions explain, 1 − SS_res/SS_tot, in log space."""
    log_y, log_p = np.log(np.asarray(y, dtype=float)), np.log(np.asarray(predicted, dtype=float))
    total = np.sum((log_y - log_y.mean()) ** 2)
    if total == 0:
        raise ValueError("R² is undefined when every loss is the same")
    return float(1 - np.sum((log_y - log_p) ** 2) / total)


def fit_power_law(x: Sequence[float], y: Sequence[float], variable: str = "N") -> PowerLaw:
    """Least-squares line through (ln x, ln y): y = coefficient·x^(−exponent)."""
    x, y = as_points(x, y)
    slope, intercept = np.polyfit(np.log(x), np.log(y), 1)
    law = PowerLaw(float(-slope), float(np.exp(intercept)))
    return PowerLaw(law.exponent, law.coefficient, 0.0, r_squared(y, law(x)), variable)


def golden_minimum(f: Callable[[float], float], low: float, high: float, tolerance: float = 1e-10) -> float:
    """The x in [low, high] that minimises a function with one valley (golden-section search)."""
    a, b = low, high
    c, d = b - GOLDEN * (b - a), a + GOLDEN * (b - a)
    fc, fd = f(c), f(d)
    while b - a > tolerance * (1 + abs(a) + abs(b)):
        if fc < fd:
            b, d, fd = d, c, fc
            c = b - GOLDEN * (b - a)
            fc = f(c)
        else:
            a, c, fc = c, d, fd
            d = a + GOLDEN * (b - a)
            fd = f(d)
    return (a + b) / 2


def lines_through(log_x: np.ndarray, log_rest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(slopes, intercepts) of the least-squares lines through (log_x, each row of log_rest):
    np.polyfit's line, for many rows at once."""
    dx = log_x - log_x.mean()
    slopes = (log_rest - log_rest.mean(axis=-1, keepdims=True)) @ dx / (dx @ dx)
    return slopes, log_rest.mean(axis=-1) - slopes * log_x.mean()


def fit_with_floor(x: Sequence[float], y: Sequence[float], variable: str = "N") -> PowerLaw:
    """y = floor + coefficient·x^(−exponent): the floor (between 0 and the smallest y) whose
    power-law fit of y − floor leaves the smallest squared error in ln y."""
    x, y = as_points(x, y)
    if len(np.unique(x)) < 3:
        raise ValueError("a law with a floor has three numbers to fit: it needs points at three sizes or more")
    log_x, log_y = np.log(x), np.log(y)

    def errors(floors: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For each floor: the squared error in ln y of its best line, and the line."""
        slopes, intercepts = lines_through(log_x, np.log(y - floors[:, None]))
        fitted = floors[:, None] + np.exp(intercepts[:, None] + slopes[:, None] * log_x)
        return np.sum((log_y - np.log(fitted)) ** 2, axis=1), slopes, intercepts

    top = y.min() * (1 - 1e-9)
    grid = np.linspace(0.0, top, 401)  # a coarse look first, so the search starts in the right valley
    best = int(np.argmin(errors(grid)[0]))
    floor = golden_minimum(lambda e: float(errors(np.array([e]))[0][0]), grid[max(best - 1, 0)],
                           grid[min(best + 1, len(grid) - 1)])
    _, slopes, intercepts = errors(np.array([floor]))
    fitted = PowerLaw(float(-slopes[0]), float(np.exp(intercepts[0])), floor, variable=variable)
    return PowerLaw(fitted.exponent, fitted.coefficient, fitted.floor, r_squared(y, fitted(x)), variable)


def bootstrap(x: Sequence[float], y: Sequence[float], fit: Callable = fit_power_law, samples: int = 1000,
              seed: int = 0) -> np.ndarray:
    """The fitted exponent on ``samples`` resamplings of the points, drawn with replacement.

    Their spread says how much the exponent depends on which runs happened to be made:
    the 5th and 95th percentiles make a 90% interval.
    """
    x, y = as_points(x, y)
    if not isinstance(samples, int) or samples < 10:
        raise ValueError(f"samples must be an integer of at least 10, got {samples!r}")
    rng, exponents = np.random.default_rng(seed_for(seed)), []
    needed = 3 if fit is fit_with_floor else 2
    while len(exponents) < samples:
        pick = rng.integers(len(x), size=len(x))
        if len(np.unique(x[pick])) >= needed:
            exponents.append(fit(x[pick], y[pick]).exponent)
    return np.array(exponents)


# --- the published laws --------------------------------------------------------------------

def positive(name: str, value) -> np.ndarray:
    array = np.asarray(value, dtype=float)
    if not (np.all(np.isfinite(array)) and np.all(array > 0)):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return array


def plain(value: np.ndarray):
    """A 0-d result as a Python float, an array as itself."""
    return float(value) if np.ndim(value) == 0 else value


@dataclass(frozen=True)
class Kaplan:
    """Kaplan et al. (2020), arXiv:2001.08361: eqs. (1.1)–(1.3) and (1.5), Table 6.

    N counts non-embedding parameters, D tokens, C the non-embedding training compute
    (in PF-days in the paper; in FLOP here). Losses are in nats per token on WebText2.
    """
    N_c: float = 8.8e13
    alpha_N: float = 0.076
    D_c: float = 5.4e13
    alpha_D: float = 0.095
    C_c: float = 3.1e8  # PF-days, for the compute-efficient frontier C_min
    alpha_C: float = 0.050
    N_e: float = 1.3e9  # N_opt = N_e·C^p_N (C in PF-days), Table 6
    p_N: float = 0.73
    name: str = "Kaplan et al. 2020"

    def loss_n(self, parameters):
        """L(N): models trained to convergence on plenty of data."""
        return plain((self.N_c / positive("parameters", parameters)) ** self.alpha_N)

    def loss_d(self, tokens):
        """L(D): large models trained on D tokens, stopped early."""
        return plain((self.D_c / positive("tokens", tokens)) ** self.alpha_D)

    def loss_c(self, flops):
        """L(C_min): the best loss reachable with C FLOP of compute-efficient training."""
        return plain((self.C_c * PF_DAY / positive("flops", flops)) ** self.alpha_C)

    def loss(self, parameters, tokens):
        """L(N, D) = [(N_c/N)^(α_N/α_D) + D_c/D]^α_D, eq. (1.5)."""
        n, d = positive("parameters", parameters), positive("tokens", tokens)
        return plain(((self.N_c / n) ** (self.alpha_N / self.alpha_D) + self.D_c / d) ** self.alpha_D)

    def optimal(self, flops) -> tuple:
        """Compute-optimal (N, D) for C FLOP: N = 1.3·10⁹·(C/PF-day)^0.73, and D = C/(6N) spends the rest."""
        c = positive("flops", flops)
        n = self.N_e * (c / PF_DAY) ** self.p_N
        return plain(n), plain(c / (6 * n))

    @property
    def exponents(self) -> tuple[float, float]:
        """(a, b) with N_opt ∝ C^a and D_opt ∝ C^b."""
        return self.p_N, round(1 - self.p_N, 10)


@dataclass(frozen=True)
class Parametric:
    """L(N, D) = E + A/N^α + B/D^β (Hoffmann et al. 2022, eq. 2), N total parameters, D tokens.

    E is the fitted loss of an unlimited model on unlimited data: an extrapolation that depends
    on the data, the tokenizer and the fit (1.69 here, 1.82 in Besiroglu et al.'s refit), not
    the entropy of text itself; A/N^α what a finite model misses; B/D^β what finite data
    misses. Minimising L on C = 6ND gives N_opt = G·(C/6)^a, D_opt = (C/6)^b / G, with
    a = β/(α+β), b = α/(α+β) and G = (αA/(βB))^(1/(α+β))  (eq. 4).
    """
    name: str
    E: float
    A: float
    B: float
    alpha: float
    beta: float
    source: str = ""

    def loss(self, parameters, tokens):
        n, d = positive("parameters", parameters), positive("tokens", tokens)
        return plain(self.E + self.A / n ** self.alpha + self.B / d ** self.beta)

    @property
    def exponents(self) -> tuple[float, float]:
        """(a, b) with N_opt ∝ C^a and D_opt ∝ C^b."""
        total = self.alpha + self.beta
        return self.beta / total, self.alpha / total

    def optimal(self, flops) -> tuple:
        """Compute-optimal (N, D) for a budget of C = 6·N·D FLOP."""
        c = positive("flops", flops)
        g = (self.alpha * self.A / (self.beta * self.B)) ** (1 / (self.alpha + self.beta))
        a, b = self.exponents
        return plain(g * (c / 6) ** a), plain((c / 6) ** b / g)

    def isoflop(self, flops: float, parameters):
        """The loss along a budget's iso-FLOP curve: every N, trained on D = C/(6N) tokens."""
        n = positive("parameters", parameters)
        return self.loss(n, positive("flops", flops) / (6 * n))

    def tokens_for(self, loss: float, parameters):
        """The tokens a model of N parameters needs to reach ``loss`` (infinite where it cannot)."""
        n = positive("parameters", parameters)
        gap = loss - self.E - self.A / n ** self.alpha
        with np.errstate(divide="ignore", over="ignore"):  # a gap near 0 needs infinite data
            return plain(np.where(gap > 0, (self.B / np.maximum(gap, 1e-300)) ** (1 / self.beta), np.inf))


@dataclass(frozen=True)
class Frontier:
    """A compute-optimal frontier N_opt = N₀·(C/C₀)^a through a point (C₀, N₀) the paper reports;
    D = C/(6N) spends the rest of the budget."""
    name: str
    a: float
    flops: float
    parameters: float
    source: str = ""

    def optimal(self, flops) -> tuple:
        c = positive("flops", flops)
        n = self.parameters * (c / self.flops) ** self.a
        return plain(n), plain(c / (6 * n))

    @property
    def exponents(self) -> tuple[float, float]:
        return self.a, round(1 - self.a, 10)


KAPLAN = Kaplan()
HOFFMANN = Parametric("Hoffmann et al. 2022 (approach 3)", E=1.69, A=406.4, B=410.7, alpha=0.34, beta=0.28,
                      source="Hoffmann et al. 2022, arXiv:2203.15556, §3.3 and appendix D.2")
BESIROGLU = Parametric("Besiroglu et al. 2024 (refit)", E=1.82, A=482.01, B=2085.43, alpha=0.3478, beta=0.3658,
                       source="Besiroglu et al. 2024, arXiv:2404.10102: approach 3 refitted to the data of "
                              "Hoffmann et al.'s Figure 4")
APPROACH_1 = Frontier("Hoffmann et al. 2022 (approach 1)", a=0.50, flops=1.21e20, parameters=1e9,
                      source="Hoffmann et al. 2022, Table 2 (a = 0.50) through Table 3's row "
                             "1 billion parameters, 1.21e20 FLOP")
FITS = (KAPLAN, APPROACH_1, HOFFMANN, BESIROGLU)

# Hoffmann et al. 2022, Table 2: a and b (N_opt ∝ C^a, D_opt ∝ C^b), with their 10th–90th percentile intervals.
APPROACHES = {
    "1. minimum over training curves": ((0.50, (0.488, 0.502)), (0.50, (0.501, 0.512))),
    "2. IsoFLOP profiles": ((0.49, (0.462, 0.534)), (0.51, (0.483, 0.529))),
    "3. parametric modelling of the loss": ((0.46, (0.454, 0.455)), (0.54, (0.542, 0.543))),
    "Kaplan et al. (2020)": ((0.73, None), (0.27, None)),
}

# Hoffmann et al. 2022, Table 3 (approach 1): parameters, FLOP, tokens of compute-optimal models.
TABLE_3 = ((400e6, 1.92e19, 8.0e9), (1e9, 1.21e20, 20.2e9), (10e9, 1.23e22, 205.1e9), (67e9, 5.76e23, 1.5e12),
           (175e9, 3.85e24, 3.7e12), (280e9, 9.90e24, 5.9e12), (520e9, 3.43e25, 11.0e12),
           (1e12, 1.27e26, 21.2e12), (10e12, 1.30e28, 216.2e12))


def tokens_per_parameter(fit, flops) -> float:
    """D_opt / N_opt of a fit at a budget: what "tokens per parameter" a fit implies, there."""
    n, d = fit.optimal(flops)
    return plain(np.asarray(d) / np.asarray(n))


# --- metrics ---------------------------------------------------------------------------------

def exact_match(loss_per_token, answer_tokens: int):
    """The chance of getting a whole answer of ``answer_tokens`` tokens right when each token is
    right with probability e^(−loss), independently: e^(−k·loss). Its log, −k·loss, is the
    answer's log-likelihood: smooth where the all-or-nothing score is sharp (Schaeffer et al. 2023)."""
    if isinstance(answer_tokens, bool) or not isinstance(answer_tokens, int) or answer_tokens < 1:
        raise ValueError(f"answer_tokens must be a positive whole number, got {answer_tokens!r}")
    loss = np.asarray(loss_per_token, dtype=float)
    if not (np.all(np.isfinite(loss)) and np.all(loss >= 0)):
        raise ValueError(f"loss_per_token must be zero or positive and finite, got {loss_per_token!r}")
    return plain(np.exp(-answer_tokens * loss))


# --- training and serving --------------------------------------------------------------------

def lifetime_flops(parameters, training_tokens, served_tokens):
    """Training (6 FLOP per parameter per token) plus serving (2 per parameter per token generated or read)."""
    n = positive("parameters", parameters)
    d = positive("training_tokens", training_tokens)
    served = np.asarray(served_tokens, dtype=float)
    if not (np.all(np.isfinite(served)) and np.all(served >= 0)):
        raise ValueError(f"served_tokens must be zero or positive, got {served_tokens!r}")
    return plain(6 * n * d + 2 * n * served)


def lifetime_optimal(law: Parametric, loss: float, served_tokens: float) -> tuple[float, float]:
    """The (N, D) that reach ``loss`` under ``law`` with the least training + serving compute.

    Every N above the smallest that can reach the loss at all has its own D (``tokens_for``);
    a larger N needs fewer tokens but costs more per token served. Without serving, the
    answer is the compute-optimal model for the loss; the more tokens served, the smaller
    the model and the longer its training (Sardana et al. 2024).
    """
    if not isinstance(law, Parametric):
        raise TypeError(f"law must be a Parametric law such as scaling.HOFFMANN, got {type(law).__name__}")
    if not loss > law.E:
        raise ValueError(f"no model reaches a loss of {loss!r}: the law's floor E is {law.E}")
    smallest = (law.A / (loss - law.E)) ** (1 / law.alpha)  # the N that needs infinite data

    def cost(log_n: float) -> float:
        n = math.exp(log_n)
        return math.log(lifetime_flops(n, law.tokens_for(loss, n), served_tokens))

    log_n = golden_minimum(cost, math.log(smallest) + 1e-9, math.log(smallest) + math.log(1e6))
    n = math.exp(log_n)
    return n, float(law.tokens_for(loss, n))


# --- pictures ---------------------------------------------------------------------------------

STYLES = {KAPLAN.name: ("C3", "--"), APPROACH_1.name: ("C0", "-"), HOFFMANN.name: ("C1", "-."),
          BESIROGLU.name: ("C2", ":")}
# Published dense models, with where to write each name (offset in points) so that close ones stay readable.
PUBLISHED = {"GPT-3": (-6, -10), "Gopher": (-6, 4), "Chinchilla": (-6, -12), "PaLM": (6, 2), "Llama 2 70B": (6, -4),
             "Llama 3.1 405B": (6, -4)}


def log_log(ax) -> None:
    """Log scales on both axes, with the losses written as plain numbers (2.1, not 2.1×10⁰), and
    between the powers of ten of x only 2×10ⁿ and 5×10ⁿ labelled, so that no labels collide."""
    from matplotlib.ticker import FormatStrFormatter, FuncFormatter
    ax.set(xscale="log", yscale="log")
    ax.yaxis.set_major_formatter(FormatStrFormatter("%.2f"))
    ax.yaxis.set_minor_formatter(FormatStrFormatter("%.2f"))
    ax.xaxis.set_minor_formatter(FuncFormatter(two_and_five))


def two_and_five(x: float, position=None) -> str:
    """The label of a minor tick on a log axis: 2×10ⁿ and 5×10ⁿ written out, the others blank."""
    power = math.floor(math.log10(x) + 1e-9)
    mantissa = round(x / 10 ** power)
    return rf"$\mathdefault{{{mantissa}\times10^{{{power}}}}}$" if mantissa in (2, 5) else ""


def draw_fits(ax, x, y, laws: dict[str, PowerLaw], extend_to: float | None = None) -> None:
    """Measured points (one column per seed) on log-log axes, and each fitted law over them (and to ``extend_to``)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    points = np.broadcast_to(x[:, None], y.shape) if y.ndim == 2 else x
    ax.scatter(points, y, color="black", s=14, zorder=3, label="measured (each seed)" if y.ndim == 2 else "measured")
    grid = np.geomspace(x.min() / 1.3, max(x.max(), extend_to or 0) * 1.3, 200)
    for (name, law), style in zip(laws.items(), ("--", "-", ":")):
        ax.plot(grid, law(grid), style, label=f"{name}: {law}")
    log_log(ax)
    ax.legend(fontsize=7)


def allocation_explorer(flops: float = 5.76e23):
    """A compute budget in; the compute-optimal N and D under each published fit out.

    Left: iso-FLOP curves of a parametric law (the dropdown's: Besiroglu et al.'s refit
    first), the loss of every model size N trained on D = C/(6N) tokens, for the chosen
    budget (bold) and budgets 10 and 100 times apart; each fit's N_opt is a vertical line.
    Right: N_opt against C for every fit, with the published models at their own budgets.
    The slider's steps of 10^0.1 start from ``flops`` itself, so the budget asked for is
    the budget used.
    """
    import ipywidgets as widgets

    from course_lib.machinery import viz

    positive("flops", flops)
    laws = {law.name.split(" (")[0]: law for law in (BESIROGLU, HOFFMANN)}
    start = math.log10(flops)
    low, high = start - round(start - 18, 1), start + round(27 - start, 1)  # about 1e18 to 1e27, through flops

    def draw(flops, law):
        law = laws[law]
        print(f"C = {flops:.3g} FLOP; loss: each fit's (N, D) under {law.name}")
        for fit in FITS:
            n, d = fit.optimal(flops)
            print(f"  {fit.name:<36} N = {n:9.3g}  D = {d:9.3g}  D/N = {d / n:7.3g}  "
                  f"loss {law.isoflop(flops, n):.3f}")
        fig = viz.figure(figsize=(11, 4.8))
        left, right = fig.subplots(1, 2)
        draw_isoflops(left, law, flops)
        draw_frontiers(right, flops)
        fig.tight_layout()
        return fig

    wide = {"style": {"description_width": "initial"}}
    return viz.Explorer(
        draw,
        flops=widgets.FloatLogSlider(value=flops, base=10, min=low, max=high, step=0.1, description="compute C",
                                     readout_format=".3g", **wide),
        law=widgets.Dropdown(options=list(laws), value=BESIROGLU.name.split(" (")[0], description="iso-FLOP law",
                             layout=widgets.Layout(width="22em"), **wide),
    )


def draw_isoflops(ax, law: Parametric, flops: float) -> None:
    """Loss against N along the iso-FLOP curves of C/100 ... 100·C, and each fit's N_opt at C."""
    from matplotlib.ticker import FuncFormatter, NullFormatter

    centre = law.optimal(flops)[0]
    n = np.geomspace(centre / 3e3, centre * 3e3, 300)
    for factor, label in ((0.01, "C/100"), (0.1, "C/10"), (1.0, "C"), (10.0, "10C"), (100.0, "100C")):
        losses = law.isoflop(flops * factor, n)
        ax.plot(n, losses, color="black" if factor == 1 else "0.7", lw=2 if factor == 1 else 1)
        best = int(np.argmin(losses))
        ax.annotate(label, (n[best], losses[best]), fontsize=7, color="0.3", xytext=(6, -10),
                    textcoords="offset points", ha="left", zorder=4,  # beside the laws' lines, over them
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    for fit in FITS:
        color, style = STYLES[fit.name]
        n_opt = fit.optimal(flops)[0]
        ax.axvline(n_opt, color=color, ls=style, lw=1.2, label=f"{fit.name}: N = {n_opt:.2g}")
    low = law.isoflop(flops * 100, law.optimal(flops * 100)[0])
    ax.set(xscale="log", xlim=(n[0], n[-1]), ylim=(low - 0.05, law.isoflop(flops, centre) + 0.6),
           xlabel="parameters N (trained on D = C/6N tokens)", ylabel=f"loss under {law.name.split(' (')[0]}",
           title=f"iso-FLOP curves: C = {flops:.3g} FLOP in bold")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    ax.xaxis.set_major_formatter(FuncFormatter(lambda value, _: f"1e{np.log10(value):.0f}"))  # fast to draw
    ax.xaxis.set_minor_formatter(NullFormatter())


def draw_frontiers(ax, flops: float) -> None:
    """N_opt against C for every fit, the chosen C marked, and published models at their budgets."""
    from course_lib.scale import milestones
    from course_lib.scale.cost import plain_powers

    c = np.geomspace(1e18, 1e27, 100)
    for fit in FITS:
        color, style = STYLES[fit.name]
        ax.plot(c, fit.optimal(c)[0], color=color, ls=style, label=fit.name)
        ax.scatter(flops, fit.optimal(flops)[0], facecolors="none", edgecolors=color, marker="*", s=90,
                   zorder=3)  # hollow, so that a published model under a star stays visible
    for name, offset in PUBLISHED.items():
        model = milestones.model(name)
        budget = 6 * model.parameters * model.tokens
        ax.scatter(budget, model.parameters, color="0.3", s=12, zorder=5)
        ax.annotate(name, (budget, model.parameters), fontsize=7, color="0.2", xytext=offset, zorder=4,
                    textcoords="offset points", ha="left" if offset[0] > 0 else "right",
                    bbox={"boxstyle": "round,pad=0.1", "fc": "white", "ec": "none", "alpha": 0.8})
    ax.axvline(flops, color="0.6", lw=1)
    ax.set(xscale="log", yscale="log", xlabel="training compute C = 6ND (FLOP)", ylabel="compute-optimal parameters",
           title="N_opt against C, and published models")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=2, frameon=False)
    plain_powers(ax)
