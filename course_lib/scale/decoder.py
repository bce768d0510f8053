"""A modern decoder: what changed in the Transformer between GPT-2 (2019) and Llama 2 (2023).

tokens ─► token embedding                        (no position embedding: positions are rotations)
       ─► n_layer × Block:  x = x + attention(rms_norm(x));  x = x + gated_mlp(rms_norm(x))
       ─► RMS norm ─► linear head (a matrix of its own: untied)   ─► logits

Five changes alter the parameter count (Touvron et al. 2023): RMSNorm has a gain and no
shift; linear layers have no biases; grouped-query attention (Ainslie et al. 2023) shares
each key/value head between n_head / n_kv_head query heads; the MLP is gated (SwiGLU,
Shazeer 2020) with three matrices; and the output head is not tied to the embedding.
Rotary position embeddings (Su et al. 2021) have no parameters at all.

On the "meta" device the released Llama 2 models are built without memory, to be counted.
``forward`` also returns the keys and values of every layer: the KV cache of generation.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib.scale import sizing


@dataclass(frozen=True)
class DecoderConfig:
    vocab_size: int
    n_layer: int
    n_head: int
    n_kv_head: int  # key/value heads; n_head of them is ordinary multi-head attention
    n_embd: int  # the width d_model
    d_ff: int  # the MLP's hidden width
    tied: bool = False  # share the output head with the token embedding

    def __post_init__(self):
        for name in ("vocab_size", "n_layer", "n_head", "n_kv_head", "n_embd", "d_ff"):
            sizing.count(name, getattr(self, name))
        if sizing.head_dim(self.n_embd, self.n_head) % 2:
            raise ValueError(f"the head width n_embd / n_head = {self.n_embd // self.n_head} must be even "
                             "for rotary position embeddings")
        if self.n_head % self.n_kv_head:
            raise ValueError(f"n_kv_head={self.n_kv_head} must divide n_head={self.n_head}")


# Touvron et al. 2023 (Llama 2), Table 1 and the released configurations.
LLAMA2 = {
    "llama-2-7b": DecoderConfig(vocab_size=32000, n_layer=32, n_head=32, n_kv_head=32, n_embd=4096, d_ff=11008),
    "llama-2-70b": DecoderConfig(vocab_size=32000, n_layer=80, n_head=64, n_kv_head=8, n_embd=8192, d_ff=28672),
}


def rotate(x: torch.Tensor, start: int) -> torch.Tensor:
    """Rotary position embedding: turn each pair of features by an angle that grows with the
    position, so that q·k depends on how far apart two tokens are. x is (B, heads, T, head_dim)."""
    T, size = x.shape[-2], x.shape[-1]
    frequencies = 10000.0 ** (-torch.arange(0, size, 2, device=x.device, dtype=torch.float32) / size)
    angles = torch.outer(torch.arange(start, start + T, device=x.device, dtype=torch.float32), frequencies)
    cos, sin = angles.cos().to(x.dtype), angles.sin().to(x.dtype)
    even, odd = x[..., 0::2], x[..., 1::2]
    return torch.stack((even * cos - odd * sin, even * sin + odd * cos), dim=-1).flatten(-2)


class Attention(nn.Module):
    def __init__(self, config: DecoderConfig):
        super().__init__()
        self.n_head, self.n_kv_head = config.n_head, config.n_kv_head
        self.head_dim = config.n_embd // config.n_head
        self.q = nn.Linear(config.n_embd, config.n_embd, bias=False)
        self.k = nn.Linear(config.n_embd, config.n_kv_head * self.head_dim, bias=False)
        self.v = nn.Linear(config.n_embd, config.n_kv_head * self.head_dim, bias=False)
        self.out = nn.Linear(config.n_embd, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor, cache: tuple | None = None):
        B, T, C = x.shape
        start = 0 if cache is None else cache[0].shape[2]
        q = rotate(self.q(x).view(B, T, self.n_head, self.head_dim).transpose(1, 2), start)
        k = rotate(self.k(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2), start)
        v = self.v(x).view(B, T, self.n_kv_head, self.head_dim).transpose(1, 2)
        if cache is not None:  # the keys and values of the earlier tokens, kept from before
            k, v = torch.cat((cache[0], k), dim=2), torch.cat((cache[1], v), dim=2)
        group = self.n_head // self.n_kv_head  # query heads per key/value head
        S = k.shape[2]  # new token i sits at position S - T + i and sees positions up to it
        causal = torch.ones(T, S, dtype=torch.bool, device=x.device).tril(S - T)
        y = F.scaled_dot_product_attention(q, k.repeat_interleave(group, 1), v.repeat_interleave(group, 1),
                                           attn_mask=causal)
        return self.out(y.transpose(1, 2).reshape(B, T, C)), (k, v)


class GatedMLP(nn.Module):
    """SwiGLU: silu(x·W_gate) ⊙ (x·W_up), then ·W_down."""

    def __init__(self, config: DecoderConfig):
        super().__init__()
        self.gate = nn.Linear(config.n_embd, config.d_ff, bias=False)
        self.up = nn.Linear(config.n_embd, config.d_ff, bias=False)
        self.down = nn.Linear(config.d_ff, config.n_embd, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.down(F.silu(self.gate(x)) * self.up(x))


class Block(nn.Module):
    def __init__(self, config: DecoderConfig):
        super().__init__()
        self.norm_1, self.attn = nn.RMSNorm(config.n_embd), Attention(config)
        self.norm_2, self.mlp = nn.RMSNorm(config.n_embd), GatedMLP(config)

    def forward(self, x: torch.Tensor, cache: tuple | None = None):
        attended, cache = self.attn(self.norm_1(x), cache)
        x = x + attended
        return x + self.mlp(self.norm_2(x)), cache


class Decoder(nn.Module):
    def __init__(self, config: DecoderConfig):
        super().__init__()
        self.config = config
        self.embed = nn.Embedding(config.vocab_size, config.n_embd)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.norm = nn.RMSNorm(config.n_embd)
        self.head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        if config.tied:
            self.head.weight = self.embed.weight

    def forward(self, idx: torch.Tensor, cache: list | None = None):
        """Logits (B, T, vocab) for token ids idx (B, T), and the KV cache: a (keys, values)
        pair per layer. Pass the cache back with the next token to continue the sequence."""
        x = self.embed(idx)
        cache = cache or [None] * len(self.blocks)
        new_cache = []
        for block, layer_cache in zip(self.blocks, cache):
            x, layer_cache = block(x, layer_cache)
            new_cache.append(layer_cache)
        return self.head(self.norm(x)), new_cache
