"""Notable models from 2012 to 2024: year, size and training compute, each from its source.

Every number is the one the cited source states (paper, table or section named).
``compute`` is training compute in FLOP (floating-point operations) where a source
reports it; ``compute_by`` says who reported it. Where a paper gives the tokens but
no compute, the chapter estimates it with C ≈ 6·N·D (chapter 02 derives the 6).
``None`` means "not published", which is itself a fact worth plotting around.
``independent`` marks the compute figures not themselves computed as 6·N·D: only those test the rule.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Model:
    name: str
    year: int  # year of the paper or report
    organisation: str
    architecture: str
    parameters: float | None  # as stated by the source
    tokens: float | None = None  # training tokens, language models only
    compute: float | None = None  # training FLOP, as reported
    compute_by: str = ""  # who reported the compute, and how
    active_parameters: float | None = None  # mixture-of-experts models: parameters used per token
    source: str = ""
    independent: bool = False  # compute counted by its source, not itself set to 6 x parameters x tokens


D1 = "Brown et al. 2020, Table D.1 (OpenAI's estimate: 6 x parameters x tokens)"

MODELS: tuple[Model, ...] = (
    Model("AlexNet", 2012, "University of Toronto", "CNN", 60e6,
          source="Krizhevsky, Sutskever & Hinton 2012, ImageNet Classification with Deep Convolutional "
                 "Neural Networks, NeurIPS 25, abstract"),
    Model("Seq2seq LSTM", 2014, "Google", "LSTM", 384e6,
          source="Sutskever, Vinyals & Le 2014, Sequence to Sequence Learning with Neural Networks, "
                 "arXiv:1409.3215, §3.4"),
    Model("VGG-16", 2014, "University of Oxford", "CNN", 138e6,
          source="Simonyan & Zisserman 2014, Very Deep Convolutional Networks for Large-Scale Image "
                 "Recognition, arXiv:1409.1556, Table 2 (configuration D)"),
    Model("Transformer (big)", 2017, "Google", "Transformer", 213e6, compute=2.3e19,
          compute_by="Vaswani et al. 2017, Table 2 (GPU-days × assumed GPU throughput)",
          source="Vaswani et al. 2017, Attention Is All You Need, arXiv:1706.03762, Tables 2 and 3"),
    Model("BERT-Large", 2018, "Google", "Transformer", 340e6, compute=5.33e20, compute_by=D1,
          source="Devlin et al. 2018, BERT, arXiv:1810.04805, §3"),
    Model("GPT-2", 2019, "OpenAI", "Transformer", 1542e6,
          source="Radford et al. 2019, Language Models are Unsupervised Multitask Learners, Table 2 "
                 "(the released checkpoint counts 1,557,611,200: chapter 02)"),
    Model("RoBERTa-Large", 2019, "Facebook AI", "Transformer", 355e6, tokens=2000e9,
          compute=4.26e21, compute_by=D1,
          source="Liu et al. 2019, RoBERTa, arXiv:1907.11692; parameters and tokens as in Brown et al. 2020, Table D.1"),
    Model("Megatron-LM", 2019, "NVIDIA", "Transformer", 8.3e9,
          source="Shoeybi et al. 2019, Megatron-LM, arXiv:1909.08053, abstract"),
    Model("T5-11B", 2019, "Google", "Transformer", 11e9, tokens=1000e9, compute=3.30e22,
          compute_by=D1 + ", counting half the parameters per token (encoder or decoder)",
          source="Raffel et al. 2019, Exploring the Limits of Transfer Learning with a Unified "
                 "Text-to-Text Transformer, arXiv:1910.10683, §3.7"),
    Model("GPT-3", 2020, "OpenAI", "Transformer", 175e9, tokens=300e9, compute=3.14e23,
          compute_by="Brown et al. 2020, Table D.1 (6 x parameters x tokens)",
          source="Brown et al. 2020, Language Models are Few-Shot Learners, arXiv:2005.14165, Tables 2.1 and D.1"),
    Model("Switch-C", 2021, "Google", "Transformer (mixture of experts)", 1571e9,
          source="Fedus, Zoph & Shazeer 2021, Switch Transformers, arXiv:2101.03961, Table 9"),
    Model("Gopher", 2021, "DeepMind", "Transformer", 280e9, tokens=300e9, compute=5.76e23, independent=True,
          compute_by="Hoffmann et al. 2022, Figure 2 caption and Table 3 (the Gopher budget; Rae et al. 2021, "
                     "appendix F, report 6.31e23, counting rematerialisation, padding and repeated work)",
          source="Rae et al. 2021, Scaling Language Models: Methods, Analysis & Insights from Training "
                 "Gopher, arXiv:2112.11446; tokens from Hoffmann et al. 2022, Table 1"),
    Model("MT-NLG", 2022, "Microsoft and NVIDIA", "Transformer", 530e9, tokens=270e9,
          source="Smith et al. 2022, Using DeepSpeed and Megatron to Train Megatron-Turing NLG 530B, "
                 "arXiv:2201.11990; tokens from Hoffmann et al. 2022, Table 1"),
    Model("Chinchilla", 2022, "DeepMind", "Transformer", 70e9, tokens=1.4e12, compute=5.76e23, independent=True,
          compute_by="Hoffmann et al. 2022, abstract and Figure 2 (the same budget as Gopher)",
          source="Hoffmann et al. 2022, Training Compute-Optimal Large Language Models, arXiv:2203.15556, Table 1"),
    Model("PaLM", 2022, "Google", "Transformer", 540e9, tokens=780e9, compute=2.56e24, independent=True,
          compute_by="Chowdhery et al. 2022, Table 22 (including attention)",
          source="Chowdhery et al. 2022, PaLM: Scaling Language Modeling with Pathways, arXiv:2204.02311, §1"),
    Model("BLOOM", 2022, "BigScience", "Transformer", 176e9, tokens=366e9,
          source="BigScience Workshop 2022, BLOOM: A 176B-Parameter Open-Access Multilingual Language "
                 "Model, arXiv:2211.05100"),
    Model("LLaMA-65B", 2023, "Meta", "Transformer", 65.2e9, tokens=1.4e12,
          source="Touvron et al. 2023, LLaMA: Open and Efficient Foundation Language Models, "
                 "arXiv:2302.13971, Table 2 and Figure 1"),
    Model("GPT-4", 2023, "OpenAI", "Transformer", None,
          source="OpenAI 2023, GPT-4 Technical Report, arXiv:2303.08774, §2: no details on model size "
                 "or training compute"),
    Model("Llama 2 70B", 2023, "Meta", "Transformer", 70e9, tokens=2.0e12,
          source="Touvron et al. 2023, Llama 2: Open Foundation and Fine-Tuned Chat Models, "
                 "arXiv:2307.09288, §2.1 and Table 1"),
    Model("Llama 3.1 405B", 2024, "Meta", "Transformer", 405e9, tokens=15.6e12, compute=3.8e25,
          compute_by="Llama Team 2024, §1 (a budget; how it was counted is not stated)",
          source="Llama Team, AI @ Meta 2024, The Llama 3 Herd of Models, arXiv:2407.21783, §1"),
    Model("DeepSeek-V3", 2024, "DeepSeek-AI", "Transformer (mixture of experts)", 671e9, tokens=14.8e12,
          active_parameters=37e9,
          source="DeepSeek-AI 2024, DeepSeek-V3 Technical Report, arXiv:2412.19437, abstract"),
)

# ILSVRC image classification, the winning top-5 error without outside training data.
ILSVRC_WINNERS: tuple[tuple[int, str, float], ...] = (
    (2010, "NEC (SIFT features + SVM)", 28.2),
    (2011, "XRCE (Fisher vectors + SVM)", 25.8),
    (2012, "SuperVision (AlexNet)", 16.4),
    (2013, "Clarifai (CNN)", 11.7),
    (2014, "GoogLeNet (CNN)", 6.7),
    (2015, "ResNet (CNN)", 3.57),
)
ILSVRC_SOURCE = ("Russakovsky et al. 2015, ImageNet Large Scale Visual Recognition Challenge, IJCV 115 "
                 "(2010-2014); He et al. 2015, Deep Residual Learning for Image Recognition, arXiv:1512.03385 (2015)")
HUMAN_TOP5_ERROR = 5.1  # the better of two trained annotators, Russakovsky et al. 2015

# Gopher's compute as its own paper reports it (Rae et al. 2021, appendix F: 6.31e8 PFLOP), which counts the
# forward passes recomputed for rematerialisation (+33%), padding and repeated work; the table keeps Hoffmann
# et al.'s 5.76e23 for the same budget, the figure comparable with 6·N·D.
GOPHER_RAE_COMPUTE = 6.31e23


def published(field: str) -> list[Model]:
    """The models whose ``field`` ("parameters", "tokens" or "compute") is published."""
    if field not in ("parameters", "tokens", "compute"):
        raise ValueError(f"field must be 'parameters', 'tokens' or 'compute', got {field!r}")
    return [m for m in MODELS if getattr(m, field) is not None]


def estimated_compute(model: Model) -> float | None:
    """Training FLOP ≈ 6 · (parameters used per token) · tokens, where both are published."""
    used = model.active_parameters or model.parameters
    return 6 * used * model.tokens if used and model.tokens else None


def series(quantity: str) -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray]:
    """(names, years, values, estimated) for "parameters" or "compute" (reported, else 6·N·D)."""
    if quantity == "parameters":
        rows = [(m.name, m.year, m.parameters, False) for m in published("parameters")]
    elif quantity == "compute":
        rows = [(m.name, m.year, m.compute or estimated_compute(m), m.compute is None) for m in MODELS
                if m.compute or estimated_compute(m)]
    else:
        raise ValueError(f"quantity must be 'parameters' or 'compute', got {quantity!r}")
    names, years, values, estimated = zip(*rows)
    return list(names), np.array(years, float), np.array(values, float), np.array(estimated)


def short(count: float | None) -> str:
    """A count in words-of-size: 60M, 1.54B, 1.57T ("—" when not published)."""
    if count is None:
        return "—"
    for scale, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M")):
        if count >= scale:
            return f"{count / scale:.3g}{suffix}"
    return f"{count:.3g}"


def table() -> str:
    """The dataset as a plain-text table (each row's source is ``MODELS[i].source``)."""
    lines = [f"{'model':<18}{'year':>5} {'parameters':>11} {'tokens':>7} {'compute (FLOP)':>15}  architecture"]
    for m in MODELS:
        estimate = estimated_compute(m)
        compute = f"{m.compute:.3g}" if m.compute else (f"~{estimate:.3g}*" if estimate else "—")
        lines.append(f"{m.name:<18}{m.year:>5} {short(m.parameters):>11} {short(m.tokens):>7} {compute:>15}  "
                     f"{m.architecture}")
    lines.append("— not published;  * not reported: estimated here as 6 x parameters used per token x tokens")
    return "\n".join(lines)


def fit_window_explorer():
    """Sliders for the years a trend is fitted over: how much does the doubling time depend on them?"""
    import ipywidgets as widgets

    from course_lib.scale import trends
    from course_lib.machinery import viz

    def draw(quantity: str, start: int, end: int):
        names, years, values, _ = series(quantity)
        inside = (years >= start) & (years <= end)
        fig = viz.figure(figsize=(7, 4))
        ax = fig.subplots()
        ax.scatter(years[~inside], values[~inside], color="lightgray", label="outside the window")
        if inside.sum() >= 2 and np.ptp(years[inside]) > 0:
            picked = [n for n, keep in zip(names, inside) if keep]
            slope, intercept = trends.plot_trend(ax, years[inside], values[inside], picked, label="fitted")
            moore = 10 ** (intercept + slope * start) * 2 ** (12 * (np.array([start, end]) - start)
                                                             / trends.MOORE_DOUBLING_MONTHS)
            ax.plot([start, end], moore, ":", color="gray", label="Moore's law pace (doubling every 24 months)")
            pace = (f"doubling every {trends.doubling_time_months(slope):.1f} months" if slope > 0
                    else "no growth in this window")
            print(f"{quantity}, {start}-{end}: {inside.sum()} models, x{10 ** slope:.2f} per year, {pace}")
        else:
            print(f"{quantity}, {start}-{end}: fewer than two years with models; widen the window")
        ax.set(yscale="log", xlabel="year", ylabel=quantity, title=f"{quantity}: fit over {start}-{end}")
        ax.legend(fontsize=8, loc="upper left")
        return fig

    return viz.Explorer(draw, quantity=widgets.Dropdown(options=["parameters", "compute"], value="parameters",
                                                        description="quantity", style={"description_width": "initial"}),
                    start=widgets.IntSlider(value=2012, min=2012, max=2023, description="from"),
                    end=widgets.IntSlider(value=2024, min=2013, max=2024, description="to"))


def model(name: str) -> Model:
    """The row of the model called ``name``."""
    for m in MODELS:
        if m.name == name:
            return m
    raise KeyError(f"no model named {name!r}; the names are: {', '.join(m.name for m in MODELS)}")
