"""The open problems in numbers: energy, inference against training, returns to scale, trends.

Chapter 12 argues each open question from evidence met earlier in the course; these
are the few formulas it adds. Every input is a parameter, so that an estimate shows
which assumption it rests on.
"""
from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from course_lib.scale import cost
from course_lib.scale.sizing import amount

# Maximum board power of each accelerator, from its maker's datasheet (watts).
POWER_WATTS = {
    "NVIDIA V100": 300,  # V100 SXM2 datasheet
    "NVIDIA A100": 400,  # A100 SXM4 datasheet
    "NVIDIA H100": 700,  # H100 SXM5 datasheet
}
GPT3_REPORTED_MWH = 1287  # Patterson et al. 2021, arXiv:2104.10350: GPT-3's training energy

# Model FLOPs utilisation of published large runs: the share of the chips' datasheet peak that went into the
# model's own FLOPs (Chowdhery et al. 2022, PaLM, arXiv:2204.02311, Table 3).
PUBLISHED_MFU = {"GPT-3": 0.213, "Gopher": 0.325, "Megatron-Turing NLG": 0.302, "PaLM": 0.462}


def gpt3_as_reported() -> cost.Run:
    """GPT-3's run with the hardware Patterson et al. (2021, Table 4) report: 10,000 V100 GPUs for 14.8 days."""
    return replace(cost.run("GPT-3"), device_hours=10_000 * 14.8 * 24,
                   source=cost.run("GPT-3").source + "; Patterson et al. 2021, arXiv:2104.10350, Table 4 "
                                                     "(10,000 V100 GPUs, 14.8 days)")


def energy_mwh(flops: float, peak_flops: float, utilisation: float, watts: float, pue: float = 1.1) -> float:
    """Energy of a training run in megawatt-hours.

    Device-seconds = flops / (peak × utilisation); each draws ``watts``; the data
    centre's power usage effectiveness (PUE ≥ 1) adds cooling and power delivery.
    """
    flops, peak_flops, utilisation, watts, pue = (amount(name, value) for name, value in (
        ("flops", flops), ("peak_flops", peak_flops), ("utilisation", utilisation), ("watts", watts), ("pue", pue)))
    if utilisation > 1 or pue < 1:
        raise ValueError(f"need utilisation <= 1 and pue >= 1, got {utilisation} and {pue}")
    device_seconds = flops / (peak_flops * utilisation)
    joules = device_seconds * watts * pue
    return joules / 3.6e9  # 1 MWh = 3.6e9 J


def break_even_tokens(parameters: float, training_tokens: float) -> float:
    """Tokens a model must serve before inference (2N FLOPs a token) has cost as much as training (6ND)."""
    parameters, training_tokens = amount("parameters", parameters), amount("training_tokens", training_tokens)
    return 6 * parameters * training_tokens / (2 * parameters)


def loss_factor_per_decade(exponent: float) -> float:
    """For a power law L ∝ x^(-exponent): the factor by which L falls when x grows tenfold."""
    return 10 ** -amount("exponent", exponent)


def years_until(current: float, target: float, doubling_months: float) -> float:
    """Years for a quantity doubling every ``doubling_months`` to grow from ``current`` to ``target``."""
    current, target = amount("current", current), amount("target", target)
    return math.log2(target / current) * amount("doubling_months", doubling_months) / 12


def projection_explorer():
    """Extrapolate chapter 01's compute trend: what would a frontier run of a later year cost?"""
    import ipywidgets as widgets

    from course_lib.scale import milestones, trends
    from course_lib.machinery import viz

    h100 = cost.ACCELERATORS["NVIDIA H100"]
    names, years, compute, _ = milestones.series("compute")

    def about(x: float) -> str:
        """x to three significant figures, in words from a million up: 298, 44,100, 14.3 million."""
        for scale, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million")):
            if x >= scale:
                return f"{x / scale:.3g} {word}"
        return f"{float(f'{x:.3g}'):,.10g}"

    def draw(start: int, target: int):
        inside = years >= start
        slope, intercept = trends.fit_exponential(years[inside], compute[inside])
        flops = 10 ** (intercept + slope * target)
        device_years = flops / (h100.peak_flops * 0.4) / (365 * cost.SECONDS_PER_DAY)
        gwh = energy_mwh(flops, h100.peak_flops, 0.4, POWER_WATTS["NVIDIA H100"]) / 1000
        fig = viz.figure(figsize=(7, 4))
        ax = fig.subplots()
        if not inside.all():
            ax.scatter(years[~inside], compute[~inside], color="lightgray", label="not fitted")
        ax.scatter(years[inside], compute[inside], color="C0", label=f"fitted ({start}-2024)")
        span = np.array([start, target])
        ax.plot(span, 10 ** (intercept + slope * span), "--", color="C0",
                label=f"doubling every {trends.doubling_time_months(slope):.1f} months")
        ax.scatter([target], [flops], marker="*", s=200, color="C3", zorder=4, label=f"projected {target}")
        ax.set(yscale="log", xlabel="year", ylabel="training compute (FLOP)",
               title=f"a frontier run in {target}: {flops:.1e} FLOP")
        ax.legend(fontsize=8, loc="upper left")
        print(f"fit from {start}: doubling every {trends.doubling_time_months(slope):.1f} months "
              f"-> {target}: {flops:.1e} FLOP\n"
              f"  = {about(device_years)} H100-years at 40% utilisation = {about(gwh)} GWh (700 W, PUE 1.1)")
        return fig

    return viz.Explorer(draw, start=widgets.IntSlider(value=2017, min=2017, max=2021, description="fit from"),
                        target=widgets.IntSlider(value=2030, min=2025, max=2035, description="project to"))
