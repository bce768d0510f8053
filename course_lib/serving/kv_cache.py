"""A KV cache: generate token after token without recomputing the past.

A decoder's output at position t depends on the keys and values of positions 0..t, and
those of earlier positions never change once computed (attention is causal). Generating
with a full forward pass per token recomputes all of them every time: the work of step t
grows with t and the total with T². A cache keeps each layer's keys and values; a step
then runs the network on the one new token, whose query attends to the cached keys
(Pope et al. 2022 analyse what this costs at scale: the cache's bytes, read at every step).

``forward(model, idx, cache)`` runs the blocks of a course_lib.lm.gpt.GPT on new tokens
only, reusing the model's own layers, so its logits must equal ``model(idx)``'s.
"""
from __future__ import annotations

import math
import time

import torch
import torch.nn.functional as F

from course_lib.lm.gpt import GPT, merge_heads


class Cache:
    """Per layer, the keys and values (B, n_head, T, head_size) of the tokens seen so far."""

    def __init__(self, n_layer: int):
        self.keys: list[torch.Tensor | None] = [None] * n_layer
        self.values: list[torch.Tensor | None] = [None] * n_layer

    def __len__(self) -> int:
        """The number of positions cached."""
        return 0 if self.keys[0] is None else self.keys[0].size(2)

    def append(self, layer: int, k: torch.Tensor, v: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Add the new positions' keys and values of one layer; return all of that layer's."""
        if self.keys[layer] is not None:
            k, v = torch.cat([self.keys[layer], k], dim=2), torch.cat([self.values[layer], v], dim=2)
        self.keys[layer], self.values[layer] = k, v
        return k, v

    def nbytes(self) -> int:
        """The bytes the cache holds: every cached tensor's numbers × their size."""
        return sum(t.numel() * t.element_size() for t in self.keys + self.values if t is not None)


def cached_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                     cached_k: torch.Tensor, cached_v: torch.Tensor):
    """One decoding step of attention: the new token's query q (B, H, 1, d) attends to every
    key so far, the cached ones and its own. Returns (output (B, H, 1, d), keys, values) with
    the new key and value appended to the cache (along the positions, dim 2)."""
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    weights = (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(dim=-1)
    return weights @ values, keys, values


def forward(model: GPT, idx: torch.Tensor, cache: Cache) -> torch.Tensor:
    """Logits (B, T, vocab) of the new tokens idx (B, T), which follow the len(cache) tokens
    already cached; their keys and values are added to the cache."""
    if not isinstance(model, GPT):
        raise TypeError(f"forward needs a course_lib.lm.gpt.GPT, got {type(model).__name__}")
    if not isinstance(idx, torch.Tensor) or idx.ndim != 2 or idx.size(1) < 1:
        raise ValueError("idx must be a (batch, time) tensor of token ids with at least one token")
    start, T = len(cache), idx.size(1)
    if start + T > model.block_size:
        raise ValueError(f"{start} cached + {T} new tokens exceed the model's block_size={model.block_size}; "
                         "a learned position embedding has no positions beyond it")
    x = model.wte(idx) + model.wpe(torch.arange(start, start + T))
    # new position start + i sees every cached position and the new ones up to itself
    visible = torch.ones(T, start + T, dtype=torch.bool).tril(diagonal=start)
    for layer, block in enumerate(model.blocks):
        attn = block.attn
        q, k, v = attn.heads(block.ln_1(x))
        k, v = cache.append(layer, k, v)
        y = F.scaled_dot_product_attention(q, k, v, attn_mask=visible)
        x = x + attn.proj(merge_heads(y))
        x = x + block.mlp(block.ln_2(x))
    return model.lm_head(model.ln_f(x))


@torch.no_grad()
def generate(model: GPT, idx: torch.Tensor, max_new_tokens: int, cached: bool = True) -> tuple[torch.Tensor, list[float]]:
    """Greedy generation of max_new_tokens after the prompt idx (B, T), with or without a
    cache; returns the ids and the seconds each new token took (to plot against position)."""
    if not isinstance(max_new_tokens, int) or max_new_tokens < 1:
        raise ValueError(f"max_new_tokens must be a positive integer, got {max_new_tokens!r}")
    if idx.size(1) + max_new_tokens > model.block_size:
        raise ValueError(f"prompt ({idx.size(1)}) + max_new_tokens ({max_new_tokens}) exceed block_size "
                         f"{model.block_size}")
    model.eval()
    cache, seconds, new = Cache(model.config.n_layer), [], idx
    for _ in range(max_new_tokens):
        start = time.perf_counter()
        logits = forward(model, new, cache) if cached else model(idx)[0]
        token = logits[:, -1].argmax(dim=-1, keepdim=True)
        seconds.append(time.perf_counter() - start)
        idx, new = torch.cat([idx, token], dim=1), token
    return idx, seconds
