"""A GPT: the decoder-only Transformer of GPT-2, small enough to read in one sitting.

tokens ─► token embedding + position embedding
       ─► n_layer × Block:  x = x + attention(layer_norm(x));  x = x + mlp(layer_norm(x))
       ─► final layer norm ─► linear head (its weight is the token embedding's) ─► logits

The same class builds a 0.1M-parameter model that trains on a laptop CPU (chapter 06)
and, on the "meta" device (shapes without memory), the released GPT-2 models, so that
their parameters can be counted exactly (chapter 02).

Attention is written out twice. ``attention_weights`` and ``causal_attention`` are the
from-scratch version, the one to read: scores, scaling, mask, softmax, weighted sum.
The model runs ``F.scaled_dot_product_attention``, torch's fused kernel, which computes
the same numbers faster and without storing the T×T weights (the tests check they agree).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


@dataclass(frozen=True)
class GPTConfig:
    vocab_size: int
    block_size: int  # the longest context, in tokens
    n_layer: int
    n_head: int
    n_embd: int  # the width d_model
    bias: bool = True  # biases in the linear layers and layer norms, as GPT-2
    dropout: float = 0.0

    def __post_init__(self):
        for name in ("vocab_size", "block_size", "n_layer", "n_head", "n_embd"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        if self.n_embd % self.n_head:
            raise ValueError(f"n_head ({self.n_head}) must divide n_embd ({self.n_embd}) into equal heads")
        if not 0 <= self.dropout < 1:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout!r}")


# The released GPT-2 models (Radford et al. 2019; sizes as in the released checkpoints).
GPT2 = {
    "gpt2": GPTConfig(vocab_size=50257, block_size=1024, n_layer=12, n_head=12, n_embd=768),
    "gpt2-medium": GPTConfig(vocab_size=50257, block_size=1024, n_layer=24, n_head=16, n_embd=1024),
    "gpt2-large": GPTConfig(vocab_size=50257, block_size=1024, n_layer=36, n_head=20, n_embd=1280),
    "gpt2-xl": GPTConfig(vocab_size=50257, block_size=1024, n_layer=48, n_head=25, n_embd=1600),
}


def attention_weights(q: torch.Tensor, k: torch.Tensor) -> torch.Tensor:
    """Causal attention weights (..., T, T) for queries and keys (..., T, d).

    Row i says how position i spreads its attention over positions 0..i: the scores
    q_i·k_j / √d, with every later position j > i masked to -inf, through a softmax
    over j, where d is the width of one head (d_head), not of the model. Dividing by √d keeps
    the spread of unit-variance q·k near 1 whatever d (Vaswani et al. 2017). With the small
    initial weights of ``GPT`` (std 0.02) the raw scores are tiny at first, scaled or not;
    it is the trained model's much larger q and k that would saturate the softmax unscaled
    (``raw_score_spread`` measures both).
    """
    T, d = q.shape[-2:]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    future = torch.ones(T, T, dtype=torch.bool, device=q.device).triu(diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


def causal_attention(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """Each position's output is the attention-weighted average of the values (..., T, d)."""
    return attention_weights(q, k) @ v


def split_heads(x: torch.Tensor, n_head: int) -> torch.Tensor:
    """(B, T, C) -> (B, n_head, T, C // n_head): head h gets the h-th slice of the width."""
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head).transpose(1, 2)


def merge_heads(y: torch.Tensor) -> torch.Tensor:
    """(B, n_head, T, head_size) -> (B, T, n_head * head_size): the heads side by side again."""
    B, n_head, T, head_size = y.shape
    return y.transpose(1, 2).reshape(B, T, n_head * head_size)


class CausalSelfAttention(nn.Module):
    """Multi-head attention in which each position attends only to itself and earlier ones."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.n_head, self.dropout = config.n_head, config.dropout
        self.qkv = nn.Linear(config.n_embd, 3 * config.n_embd, bias=config.bias)  # queries, keys, values at once
        self.proj = nn.Linear(config.n_embd, config.n_embd, bias=config.bias)

    def heads(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Queries, keys and values of x (B, T, C), each (B, n_head, T, head_size)."""
        q, k, v = self.qkv(x).split(x.size(-1), dim=2)
        return split_heads(q, self.n_head), split_heads(k, self.n_head), split_heads(v, self.n_head)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        q, k, v = self.heads(x)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True, dropout_p=self.dropout if self.training else 0.0)
        return self.proj(merge_heads(y))

    def weights(self, x: torch.Tensor) -> torch.Tensor:
        """The attention weights (B, n_head, T, T) this layer puts on x (B, T, C): what each head looks at."""
        q, k, _ = self.heads(x)
        return attention_weights(q, k)


class MLP(nn.Module):
    """Width 4·n_embd and back, with the exact GELU (x·Φ(x)); GPT-2 used its tanh approximation,
    F.gelu(..., approximate="tanh"), which differs from it by less than 1e-3."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.fc = nn.Linear(config.n_embd, 4 * config.n_embd, bias=config.bias)
        self.proj = nn.Linear(4 * config.n_embd, config.n_embd, bias=config.bias)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.proj(F.gelu(self.fc(x))))


class Block(nn.Module):
    """One Transformer block: attention then MLP, each around a residual connection (pre-norm)."""

    def __init__(self, config: GPTConfig):
        super().__init__()
        self.ln_1 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.mlp = MLP(config)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x + self.attn(self.ln_1(x))
        return x + self.mlp(self.ln_2(x))


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.wte = nn.Embedding(config.vocab_size, config.n_embd)  # token embedding
        self.wpe = nn.Embedding(config.block_size, config.n_embd)  # position embedding
        self.drop = nn.Dropout(config.dropout)
        self.blocks = nn.ModuleList(Block(config) for _ in range(config.n_layer))
        self.ln_f = nn.LayerNorm(config.n_embd, bias=config.bias)
        self.lm_head = nn.Linear(config.n_embd, config.vocab_size, bias=False)
        self.lm_head.weight = self.wte.weight  # weight tying: one matrix reads and writes tokens
        self.apply(self._init_weights)
        for name, p in self.named_parameters():  # GPT-2: scale the residual projections by depth
            if name.endswith("proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module: nn.Module) -> None:
        if isinstance(module, (nn.Linear, nn.Embedding)):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
        if isinstance(module, nn.Linear) and module.bias is not None:
            nn.init.zeros_(module.bias)

    @property
    def block_size(self) -> int:
        """The longest context the model reads; generation keeps the last block_size tokens."""
        return self.config.block_size

    def embed(self, idx: torch.Tensor) -> torch.Tensor:
        """The residual stream's start (B, T, n_embd): token embedding + position embedding."""
        T = idx.size(1)
        if T > self.config.block_size:
            raise ValueError(f"sequence of {T} tokens is longer than block_size={self.config.block_size}")
        return self.drop(self.wte(idx) + self.wpe(torch.arange(T, device=idx.device)))

    def forward(self, idx: torch.Tensor, targets: torch.Tensor | None = None):
        """Logits (B, T, vocab) for token ids idx (B, T); and the cross-entropy loss if targets are given."""
        x = self.embed(idx)
        for block in self.blocks:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        if targets is None:
            return logits, None
        return logits, F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1))

    def attention_maps(self, idx: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's attention weights for idx (B, T): a list of n_layer tensors (B, n_head, T, T)."""
        maps, x = [], self.embed(idx)
        for block in self.blocks:
            maps.append(block.attn.weights(block.ln_1(x)))
            x = block(x)
        return maps

    @torch.no_grad()
    def raw_score_spread(self, idx: torch.Tensor, layer: int = 0) -> float:
        """The std of one layer's raw attention scores q·k on idx (B, T), before the division by
        √d_head, over the pairs the causal mask keeps (key j <= query i) and all heads."""
        if not 0 <= layer < len(self.blocks):
            raise ValueError(f"layer must be between 0 and {len(self.blocks) - 1}, got {layer!r}")
        x = self.embed(idx)
        for block in self.blocks[:layer]:
            x = block(x)
        block = self.blocks[layer]
        q, k, _ = block.attn.heads(block.ln_1(x))
        T = idx.size(1)
        kept = torch.ones(T, T, dtype=torch.bool, device=idx.device).tril()
        return (q @ k.transpose(-2, -1))[..., kept].std().item()

    def num_parameters(self, non_embedding: bool = False) -> int:
        """Parameters counted once (the tied head is the token embedding). Non-embedding: without
        the token and position embeddings, the count Kaplan et al. (2020) use for scaling laws."""
        total = sum(p.numel() for p in self.parameters())
        return total - self.wte.weight.numel() - self.wpe.weight.numel() if non_embedding else total
