"""Looking inside the tiny GPT: its residual stream, a logit lens over it, and its attention.

A GPT adds each block's output to a running vector per position, the **residual stream**:
embeddings, + block 0, + block 1, ... The final layer norm and the (tied) head read the
last state as next-token logits. The **logit lens** (nostalgebraist 2020) reads the
*intermediate* states the same way, as if the model stopped early: what would it
predict after 0, 1, ... blocks?

**Attention maps** say where each position reads from, not what it reads nor whether the
result matters: an attention weight is not an explanation by itself (Jain & Wallace 2019;
Wiegreffe & Pinter 2019). ``attention_vs_occlusion`` measures how well they rank the
earlier tokens by how much deleting each one changes the prediction.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from course_lib.lm.gpt import GPT


def check_ids(model, idx) -> None:
    if not isinstance(model, GPT):
        raise TypeError(f"model must be a course_lib.lm.gpt.GPT, got {type(model).__name__}")
    if not isinstance(idx, Tensor) or idx.ndim != 2 or idx.dtype != torch.int64:
        raise ValueError(f"idx must be an int64 tensor of token ids (batch, time), got "
                         f"{getattr(idx, 'shape', type(idx).__name__)}")


@torch.no_grad()
def residual_stream(model: GPT, idx: Tensor) -> list[Tensor]:
    """The residual stream (B, T, C) after the embeddings and after each block: n_layer + 1 tensors.

    Recorded by forward hooks, so the model runs its own forward pass unchanged: a hook on a
    module receives its output as it is computed.
    """
    check_ids(model, idx)
    states = []

    def record(module, inputs, output):
        states.append(output)
    handles = [model.drop.register_forward_hook(record)]  # embed() ends with this dropout (off in eval)
    handles += [block.register_forward_hook(record) for block in model.blocks]
    try:
        model(idx)
    finally:
        for handle in handles:
            handle.remove()
    return states


def logit_lens(model: GPT, residual: Tensor) -> Tensor:
    """Read a residual-stream state (..., C) as next-token logits (..., V): final norm, then the head."""
    return model.lm_head(model.ln_f(residual))


@torch.no_grad()
def lens_report(model: GPT, x: Tensor, y: Tensor) -> list[dict[str, float]]:
    """Per residual state: the logit lens's cross-entropy on the targets y, the fraction of positions
    where its top token is the next token, and where it is the current token x."""
    check_ids(model, x)
    report = []
    for state in residual_stream(model, x):
        logits = logit_lens(model, state)
        top = logits.argmax(dim=-1)
        report.append({"loss": F.cross_entropy(logits.flatten(0, 1), y.flatten()).item(),
                       "top is next": (top == y).float().mean().item(),
                       "top is current": (top == x).float().mean().item()})
    return report


@torch.no_grad()
def occlusion(model: GPT, idx: Tensor) -> Tensor:
    """How much deleting each earlier token changes the prediction at the last position.

    For one sequence idx (1, T): the total variation distance between the next-token
    distributions with and without token j, for j = 0..T-2 (Jain & Wallace 2019's leave-one-out).
    """
    check_ids(model, idx)
    T = idx.size(1)
    if idx.size(0) != 1 or T < 2:
        raise ValueError(f"occlusion takes one sequence of at least 2 tokens, shape (1, T); got {tuple(idx.shape)}")
    full = model(idx)[0][0, -1].softmax(dim=-1)
    keep = ~torch.eye(T - 1, T, dtype=torch.bool)  # row j drops token j
    shorter = idx[0].expand(T - 1, T)[keep].view(T - 1, T - 1)
    without = model(shorter)[0][:, -1].softmax(dim=-1)
    return 0.5 * (without - full).abs().sum(dim=-1)


@torch.no_grad()
def attention_vs_occlusion(model: GPT, sequences: Tensor) -> tuple[Tensor, float]:
    """Kendall's τ between each head's attention from the last position to tokens 0..T-2 and their
    occlusion importance, averaged over the sequences (n, T): a tensor (n_layer, n_head). And, for
    reference, the τ of a ranking by nearness alone (the later a token, the more important)."""
    import numpy as np
    from scipy.stats import kendalltau
    check_ids(model, sequences)
    taus, nearness = [], []
    for idx in sequences:
        importance = occlusion(model, idx[None]).numpy()
        maps = model.attention_maps(idx[None])
        taus.append([[kendalltau(heads[0, h, -1, :-1].numpy(), importance).statistic
                      for h in range(heads.size(1))] for heads in maps])
        nearness.append(kendalltau(np.arange(len(importance)), importance).statistic)
    return torch.tensor(taus).nanmean(dim=0), float(np.nanmean(nearness))


def show_attention(fig, maps: list[Tensor], labels: list[str], query: int = -1) -> None:
    """Every head's attention from one query position (default: the last) to the positions up to it,
    as bars over the characters: one row per layer, one panel per head."""
    n_layer, n_head = len(maps), maps[0].size(1)
    axes = fig.subplots(n_layer, n_head, sharey=True, squeeze=False)
    T = maps[0].size(-1)
    query = query % T
    for layer, heads in enumerate(maps):
        for head in range(n_head):
            ax = axes[layer, head]
            ax.bar(range(query + 1), heads[0, head, query, :query + 1].tolist(), color="C0")
            ax.set_xticks(range(query + 1), labels[:query + 1], fontsize=10)
            ax.set(ylim=(0, 1), title=f"head {layer}.{head}", ylabel="attention weight" if head == 0 else "")
            ax.grid(False)
