"""Speculative decoding: a cheap draft model guesses, the target model checks all guesses at once.

Leviathan, Kalman & Matias (2023) and Chen et al. (2023): the draft samples k tokens
x_1..x_k, with probabilities q; one forward pass of the target gives its probabilities p at
all k positions (and one more). Going left to right, x_i is accepted with probability
min(1, p(x_i) / q(x_i)); at the first rejection a token is drawn from the residual
norm(max(0, p − q)) and the round ends; if all k are accepted, a (k+1)-th token is drawn
from the target's last distribution. Every token then has exactly the target's distribution
(accepted: q·min(1, p/q) = min(q, p); rejected and resampled: max(0, p − q); together p),
while the target ran once for up to k + 1 tokens.
"""
from __future__ import annotations

import time

import torch

from course_lib.machinery.env import seed_for


def picked(p: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """The probability each distribution p (..., V) gives its token x (...): p[..., x]."""
    return p.gather(-1, x.unsqueeze(-1)).squeeze(-1)


def acceptance(p: torch.Tensor, q: torch.Tensor, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(the probability of accepting the drafted token x (...), the distribution (..., V) to
    resample from if it is rejected) for target probabilities p and draft probabilities q."""
    accept = torch.clamp(picked(p, x) / picked(q, x), max=1.0)
    residual = torch.clamp(p - q, min=0.0)
    total = residual.sum(dim=-1, keepdim=True)
    return accept, torch.where(total > 0, residual / total.clamp(min=1e-30), p)  # p = q: never resampled


@torch.no_grad()
def probabilities(model, idx: torch.Tensor) -> torch.Tensor:
    """The model's next-token probabilities (B, T, V) at every position of idx, reading at
    most its block_size last tokens."""
    return model(idx[:, -model.block_size:])[0].softmax(dim=-1)


def sample(probs: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """One token (B,) from each row of probs (B, V)."""
    return torch.multinomial(probs, 1, generator=generator).squeeze(-1)


@torch.no_grad()
def speculative_round(target, draft, idx: torch.Tensor, k: int, generator: torch.Generator,
                      rule=acceptance) -> tuple[torch.Tensor, torch.Tensor]:
    """One round for every row of idx (B, T): the draft proposes k tokens, the target checks
    them in one pass. Returns (tokens (B, k + 1), emitted (B,)): row b's new tokens are
    tokens[b, :emitted[b]]. ``rule`` is the acceptance rule (see ``acceptance``)."""
    if not isinstance(k, int) or k < 1:
        raise ValueError(f"k, the number of drafted tokens, must be a positive integer, got {k!r}")
    B, T = idx.shape
    drafted, q = idx, []
    for _ in range(k):
        q.append(probabilities(draft, drafted)[:, -1])
        drafted = torch.cat([drafted, sample(q[-1], generator).unsqueeze(1)], dim=1)
    q, x = torch.stack(q, dim=1), drafted[:, T:]                       # (B, k, V), (B, k)
    p = probabilities(target, drafted)[:, -k - 1:]                     # (B, k + 1, V)
    accept, residual = rule(p[:, :k], q, x)
    u = torch.rand(B, k, generator=generator)
    accepted = (u < accept).long().cumprod(dim=1).sum(dim=1)           # how many before the first rejection
    rows = torch.arange(B)
    last = torch.cat([residual, p[:, k:]], dim=1)[rows, accepted]     # resample, or the bonus token
    tokens = torch.cat([x, torch.zeros(B, 1, dtype=torch.long)], dim=1)
    tokens[rows, accepted] = sample(last, generator)
    return tokens, accepted + 1


@torch.no_grad()
def generate(target, draft, idx: torch.Tensor, new_tokens: int, k: int, seed: int = 0) -> dict:
    """Sample new_tokens after the prompt idx (1, T) by speculative rounds of k drafted tokens;
    returns the ids, the target's passes, the acceptance rate and the seconds. The acceptance
    rate is the fraction of judged drafted tokens that were accepted; a round judges its
    tokens up to the first rejection (all k if none is rejected), never those after it."""
    generator = torch.Generator().manual_seed(seed_for(seed))
    start, passes, accepted, judged, out = time.perf_counter(), 0, 0, 0, idx
    while out.size(1) - idx.size(1) < new_tokens:
        tokens, emitted = speculative_round(target, draft, out, k, generator)
        n = int(emitted[0])
        out, passes = torch.cat([out, tokens[:, :n]], dim=1), passes + 1
        accepted, judged = accepted + n - 1, judged + min(n, k)
    return {"ids": out[:, :idx.size(1) + new_tokens], "target passes": passes,
            "acceptance": accepted / judged, "seconds": time.perf_counter() - start}


@torch.no_grad()
def plain_generate(model, idx: torch.Tensor, new_tokens: int, seed: int = 0) -> dict:
    """Sample new_tokens from the model alone, one pass per token (to compare the time with)."""
    generator, start = torch.Generator().manual_seed(seed_for(seed)), time.perf_counter()
    for _ in range(new_tokens):
        idx = torch.cat([idx, sample(probabilities(model, idx)[:, -1], generator).unsqueeze(1)], dim=1)
    return {"ids": idx, "target passes": new_tokens, "seconds": time.perf_counter() - start}


def expected_tokens_per_pass(alpha: float, k: int) -> float:
    """Tokens per target pass when each drafted token is accepted with probability alpha,
    independently (Leviathan et al. 2023, eq. 1): (1 − α^(k+1)) / (1 − α)."""
    if not 0 <= alpha <= 1:
        raise ValueError(f"alpha must be a probability, got {alpha!r}")
    return k + 1.0 if alpha == 1 else (1 - alpha ** (k + 1)) / (1 - alpha)


def expected_speedup(alpha: float, k: int, cost_ratio: float) -> float:
    """Leviathan et al.'s expected wall-clock speed-up, with a draft pass costing cost_ratio
    target passes: tokens per pass / (k · cost_ratio + 1)."""
    return expected_tokens_per_pass(alpha, k) / (k * cost_ratio + 1)


def chi_square(counts: torch.Tensor, probs: torch.Tensor, min_expected: float = 5.0) -> dict:
    """Pearson's chi-square test that counts (V,) were drawn from probs (V,). Cells expected
    fewer than min_expected times are pooled into one (the test's approximation needs it).
    The p-value is the chi-square survival function, Q(dof/2, stat/2) (the regularised
    upper incomplete gamma function)."""
    counts, probs = counts.double(), probs.double() / probs.sum()
    n = counts.sum()
    expected = n * probs
    big = expected >= min_expected
    observed = torch.cat([counts[big], counts[~big].sum().reshape(1)])
    expected = torch.cat([expected[big], expected[~big].sum().reshape(1)])
    if expected[-1] < min_expected:  # too little left to pool: fold it into the last cell
        observed, expected = observed[:-1], expected[:-1]
        observed[-1] += counts[~big].sum()
        expected[-1] += n * probs[~big].sum()
    statistic = ((observed - expected) ** 2 / expected).sum().item()
    dof = len(observed) - 1
    p_value = torch.special.gammaincc(torch.tensor(dof / 2, dtype=torch.float64),
                                      torch.tensor(statistic / 2, dtype=torch.float64)).item()
    return {"statistic": statistic, "dof": dof, "p-value": p_value}
