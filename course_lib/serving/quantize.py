"""Quantization: a model's weights stored in fewer bits.

Symmetric round-to-nearest with b bits stores each weight w as an integer
q = clamp(round(w / s), -qmax, qmax), qmax = 2^(b-1) - 1, and one scale s for a set of
weights, s = max|w| / qmax over the set; the model computes with w ≈ q · s. Which set
shares a scale is the whole difference between the schemes:

* per tensor: one scale for a whole matrix. A single large weight (an outlier) stretches s
  and every other weight of the matrix is rounded coarsely;
* per output channel: one scale per row of a weight matrix (nn.Linear's weight is
  (out, in)), so an outlier costs only its own row;
* groups: one scale per run of ``group`` consecutive weights of a row, as 4-bit schemes do
  (Dettmers & Zettlemoyer 2023; GPTQ, Frantar et al. 2023, then also corrects the rounding).

``quantized(model, scheme)`` returns a copy of a GPT whose matrices hold the dequantized
weights q · s: it computes in float32 what the quantized model computes, so its loss is the
quantized model's loss. ``model_bytes`` counts what the quantized model would store.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class Scheme:
    """bits per weight, and which weights share a scale: "tensor", "channel" or "group"."""
    bits: int
    granularity: str = "channel"
    group: int = 32
    scale_bytes: int = 2  # each scale stored as a float16

    def __post_init__(self):
        if not isinstance(self.bits, int) or not 2 <= self.bits <= 8:
            raise ValueError(f"bits must be a whole number from 2 to 8, got {self.bits!r}")
        if self.granularity not in ("tensor", "channel", "group"):
            raise ValueError(f"granularity must be 'tensor', 'channel' or 'group', got {self.granularity!r}")
        if not isinstance(self.group, int) or self.group < 1:
            raise ValueError(f"group must be a positive whole number, got {self.group!r}")

    @property
    def name(self) -> str:
        where = {"tensor": "per tensor", "channel": "per channel", "group": f"groups of {self.group}"}
        return f"int{self.bits} {where[self.granularity]}"


def qmax(bits: int) -> int:
    """The largest integer of a symmetric b-bit code: 127 for int8, 7 for int4."""
    return 2 ** (bits - 1) - 1


def quantize_per_channel(w: torch.Tensor, bits: int = 8) -> tuple[torch.Tensor, torch.Tensor]:
    """Symmetric b-bit quantization of a matrix w (out, in), one scale per row (output channel).
    Returns (q, scale): q int8 (out, in) in [-qmax, qmax], scale (out, 1); w ≈ q * scale."""
    top = qmax(bits)
    scale = w.abs().amax(dim=1, keepdim=True) / top
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))  # an all-zero row: any scale will do
    return torch.clamp(torch.round(w / scale), -top, top).to(torch.int8), scale


def fake_quantize(w: torch.Tensor, scheme: Scheme) -> torch.Tensor:
    """w as the quantized model sees it: quantized with the scheme, then dequantized (q · s)."""
    if not isinstance(w, torch.Tensor) or w.ndim != 2:
        raise ValueError(f"expected a weight matrix (out, in), got {getattr(w, 'shape', type(w).__name__)}")
    rows, cols = w.shape
    if scheme.granularity == "tensor":
        q, scale = quantize_per_channel(w.reshape(1, -1), scheme.bits)
    elif scheme.granularity == "channel":
        q, scale = quantize_per_channel(w, scheme.bits)
    else:
        if cols % scheme.group:
            raise ValueError(f"group={scheme.group} does not divide the {cols} columns of the matrix")
        q, scale = quantize_per_channel(w.reshape(-1, scheme.group), scheme.bits)
    return (q.float() * scale).reshape(rows, cols)


def scales(w: torch.Tensor, scheme: Scheme) -> int:
    """How many scales the scheme stores for the matrix w."""
    return {"tensor": 1, "channel": w.size(0), "group": w.numel() // scheme.group}[scheme.granularity]


def matrices(model: nn.Module) -> dict[str, torch.Tensor]:
    """The weight matrices a quantizer stores in low precision: every 2-D parameter (the
    linear layers and the embeddings; the tied head is the token embedding, counted once).
    Biases and layer-norm gains, a small part of the model, stay in float32."""
    return {name: p for name, p in model.named_parameters() if p.ndim == 2}


def quantized(model: nn.Module, scheme: Scheme) -> nn.Module:
    """A copy of the model whose weight matrices are quantized and dequantized by the scheme."""
    if not isinstance(scheme, Scheme):
        raise TypeError(f"scheme must be a quantize.Scheme, e.g. Scheme(8, 'channel'), got {scheme!r}")
    copied = copy.deepcopy(model)
    with torch.no_grad():
        for p in matrices(copied).values():
            p.copy_(fake_quantize(p, scheme))
    return copied.eval()


def model_bytes(model: nn.Module, scheme: Scheme | None = None) -> float:
    """The bytes of the model's parameters: float32 throughout (scheme None), or with its
    matrices in scheme.bits per weight plus their scales."""
    total = 0.0
    low = matrices(model) if scheme is not None else {}
    for name, p in model.named_parameters():
        if name in low:
            total += p.numel() * scheme.bits / 8 + scales(p, scheme) * scheme.scale_bytes
        else:
            total += p.numel() * 4
    return total


def outlier_ratio(w: torch.Tensor) -> dict[str, float]:
    """How far the largest weight sits above a typical one, over the whole matrix and in
    the median row: max|w| / std. The larger, the coarser the rounding of all the others."""
    rows = w.abs().amax(dim=1) / w.std(dim=1)
    return {"tensor": (w.abs().max() / w.std()).item(), "median row": rows.median().item()}


def library_int8(model: nn.Module) -> nn.Module:
    """torch's own int8 path on the CPU: ``torch.ao.quantization.quantize_dynamic`` replaces every
    nn.Linear by one with int8 weights (per tensor) that also quantizes its input activations
    on the fly, and multiplies in int8 (the fbgemm or x86 kernels)."""
    import warnings

    with warnings.catch_warnings():  # torch 2.10+ warns that torch.ao.quantization is deprecated
        warnings.simplefilter("ignore")
        return torch.ao.quantization.quantize_dynamic(copy.deepcopy(model).eval(), {nn.Linear}, dtype=torch.qint8)


def explorer(model: nn.Module, validation_ids, baseline: float | None = None,
             measured: dict[str, tuple[float, float]] | None = None):
    """A widget: choose bits per weight and how weights share a scale; see the model's bytes
    and its validation loss (nats per character), against float32's. ``measured`` holds
    schemes already measured, name -> (bytes, loss), drawn from the start."""
    import ipywidgets as widgets

    from course_lib.lm import tinygpt
    from course_lib.machinery import viz

    full = tinygpt.validation_loss(model, validation_ids) if baseline is None else baseline
    seen: dict[str, tuple[float, float]] = dict(measured or {})

    def draw(bits: int, granularity: str):
        scheme = Scheme(bits, granularity)
        if scheme.name not in seen:
            seen[scheme.name] = (model_bytes(model, scheme), tinygpt.validation_loss(quantized(model, scheme),
                                                                                    validation_ids))
        size, loss = seen[scheme.name]
        print(f"{scheme.name}: {size / 1e3:.1f} kB ({size / model_bytes(model):.0%} of float32), "
              f"validation loss {loss:.3f} nats/char ({loss - full:+.3f})")
        fig = viz.figure(figsize=(6.5, 3.4))
        ax = fig.subplots()
        ax.axhline(full, color="gray", ls="--", label=f"float32: {model_bytes(model) / 1e3:.0f} kB")
        # labels alternately above and below, in order of bytes, so that neighbours do not overlap
        for rank, (name, (b, l)) in enumerate(sorted(seen.items(), key=lambda item: item[1][0])):
            ax.plot(b / 1e3, l, "o", color="C3" if name == scheme.name else "C0")
            above = rank % 2 == 0  # below the point, the label goes to its left, clear of the next point
            ax.annotate(name, (b / 1e3, l), fontsize=7, xytext=(4, 4) if above else (-4, -11),
                        ha="left" if above else "right", textcoords="offset points")
        ax.set(xlabel="model bytes (kB)", ylabel="validation loss (nats/char)",
               title="fewer bits: smaller model, higher loss")
        ax.margins(x=0.15, y=0.2)
        ax.legend(fontsize=8)
        return fig

    return viz.Explorer(
        draw, bits=widgets.IntSlider(value=4, min=2, max=8, description="bits"),
        granularity=widgets.Dropdown(options=["tensor", "channel", "group"], value="group",
                                     description="scale per"))
