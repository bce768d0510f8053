"""Sampling: turning a language model's next-token scores into text.

The model gives logits for the next token; we turn them into probabilities, pick a
token, append it and repeat (autoregressive generation). How we pick decides the text:

* greedy (temperature 0): always the most likely token. Deterministic, and prone to loops;
* temperature T: softmax(logits / T). T < 1 sharpens the distribution towards greedy,
  T > 1 flattens it towards uniform; T = 1 samples the model's own distribution;
* top-k: keep the k most likely tokens only and renormalise, cutting the long tail of
  unlikely tokens that makes samples derail (Fan, Lewis & Dauphin 2018).
"""
from __future__ import annotations

import torch

from course_lib.machinery.env import seed_for
from course_lib.lm.text import Tokenizer


def next_token_probs(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None) -> torch.Tensor:
    """Probabilities (..., V) of the next token from logits (..., V).

    temperature 0 puts all the probability on the most likely token (greedy). top_k keeps
    the k largest logits (and any tied with the k-th) before the softmax; None keeps all.
    """
    if not isinstance(logits, torch.Tensor) or logits.ndim < 1:
        raise TypeError(f"logits must be a tensor (..., vocab), got {type(logits).__name__}")
    if not (isinstance(temperature, (int, float)) and temperature >= 0):
        raise ValueError(f"temperature must be a number >= 0, got {temperature!r}")
    if top_k is not None and (not isinstance(top_k, int) or top_k < 1):
        raise ValueError(f"top_k must be None or a positive integer, got {top_k!r}")
    if temperature == 0:
        return torch.nn.functional.one_hot(logits.argmax(dim=-1), logits.size(-1)).to(logits.dtype)
    logits = logits / temperature
    if top_k is not None and top_k < logits.size(-1):
        kth = logits.topk(top_k, dim=-1).values[..., -1:]
        logits = logits.masked_fill(logits < kth, float("-inf"))
    return logits.softmax(dim=-1)


@torch.no_grad()
def generate(model, idx: torch.Tensor, max_new_tokens: int, temperature: float = 1.0,
             top_k: int | None = None, seed: int = 0) -> torch.Tensor:
    """Extend the token ids idx (B, T) by max_new_tokens tokens, one at a time.

    ``model(idx)`` must return (logits, _) as course_lib.lm.gpt.GPT does; it reads at most
    ``model.block_size`` tokens, so older ones drop out of its context. The seed makes a
    sample reproducible.
    """
    if not isinstance(max_new_tokens, int) or max_new_tokens < 0:
        raise ValueError(f"max_new_tokens must be a non-negative integer, got {max_new_tokens!r}")
    if not isinstance(idx, torch.Tensor) or idx.ndim != 2 or idx.size(1) < 1:
        raise ValueError("idx must be a (batch, time) tensor of token ids with at least one token")
    generator = torch.Generator().manual_seed(seed_for(seed))
    was_training = model.training
    model.eval()
    for _ in range(max_new_tokens):
        logits, _ = model(idx[:, -model.block_size:])
        probs = next_token_probs(logits[:, -1], temperature, top_k)
        if temperature == 0:
            token = probs.argmax(dim=-1, keepdim=True)
        else:
            token = torch.multinomial(probs, 1, generator=generator)
        idx = torch.cat([idx, token], dim=1)
    model.train(was_training)
    return idx


def complete(model, tokenizer: Tokenizer, prompt: str, length: int = 200, temperature: float = 1.0,
             top_k: int | None = None, seed: int = 0) -> str:
    """The prompt followed by ``length`` generated characters."""
    if not isinstance(prompt, str) or not prompt:
        raise ValueError("the prompt must be a non-empty string: the model needs a token to start from")
    idx = torch.tensor([tokenizer.encode(prompt)])
    return tokenizer.decode(generate(model, idx, length, temperature, top_k, seed)[0])


def shown(char: str) -> str:
    """A character as a readable label, one column wide: space, newline and tab made visible."""
    return {" ": "␣", "\n": "↵", "\t": "⇥"}.get(char, char)


def explorer(model, tokenizer: Tokenizer, prompt: str = "The ", length: int = 200, bars: int = 15):
    """A widget: type a prompt, set temperature and top-k, see the next-character
    distribution they produce (against the model's own, T = 1) and a sample."""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    def draw(prompt: str, temperature: float, top_k: int, seed: int):
        fig = viz.figure(figsize=(7.5, 3.2))
        ax = fig.subplots()
        unknown = sorted(set(prompt) - set(tokenizer.vocabulary))
        if not prompt or unknown:
            print("type a prompt" if not prompt else f"not in the vocabulary: {''.join(unknown)!r}")
            return fig
        model.eval()
        with torch.no_grad():
            logits = model(torch.tensor([tokenizer.encode(prompt[-model.block_size:])]))[0][0, -1]
        k = top_k or None
        model_probs, probs = next_token_probs(logits), next_token_probs(logits, temperature, k)
        top = model_probs.argsort(descending=True)[:bars].tolist()
        x = range(len(top))
        ax.bar([i - 0.2 for i in x], model_probs[top].tolist(), width=0.4, color="lightgray",
               label="the model (T = 1, all tokens)")
        ax.bar([i + 0.2 for i in x], probs[top].tolist(), width=0.4, color="C0",
               label=f"T = {temperature:g}, top-k = {k or 'all'}")
        ax.set_xticks(x, [shown(tokenizer.vocabulary[i]) for i in top])
        ax.set(ylim=(0, 1), ylabel="probability", title=f"next character after {prompt[-30:]!r}")
        ax.legend(fontsize=8)
        print(complete(model, tokenizer, prompt, length, temperature, k, seed))
        return fig

    wide = {"style": {"description_width": "initial"}}    # labels shown whole, not cut to "temperat…"
    temperature = widgets.FloatSlider(value=0.8, min=0.0, max=2.0, step=0.1, description="temperature", **wide)
    top_k = widgets.IntSlider(value=0, min=0, max=tokenizer.vocab_size, description="top-k (0: all)", **wide)
    seed = widgets.IntSlider(value=0, min=0, max=20, description="seed", **wide)

    def greedy_or_not(change) -> None:   # at temperature 0 (greedy) neither top-k nor the seed matters
        top_k.disabled = seed.disabled = change["new"] == 0
    temperature.observe(greedy_or_not, names="value")
    return viz.Explorer(draw, prompt=widgets.Text(value=prompt, description="prompt", continuous_update=False, **wide),
                        temperature=temperature, top_k=top_k, seed=seed)
