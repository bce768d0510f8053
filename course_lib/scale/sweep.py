"""Scaling sweeps: language models of many sizes, trained side by side in seconds.

A scaling law is measured, not derived: train models of several sizes the same way on
the same text, and plot their losses against their sizes. Chapter 06's GPT needs about a
quarter of a minute per size for a few hundred steps, too long for a sweep of many sizes
and seeds in a chapter. So the sweep uses the first neural language model, the MLP of
Bengio et al. (2003): the embeddings of the last ``CONTEXT`` characters, side by side,
feed one hidden layer of ``width`` ReLU units, which gives the logits of the next
character. Same corpus, tokenizer and loss as chapter 06 (nats per character).

Its sizes train *side by side*: ``MLPLanguageModels`` holds several independent copies of
one width as stacked tensors and runs them with batched matrix products (``torch.baddbmm``),
and ``train_side_by_side`` sums the losses of all the models it trains. Each copy's
parameters reach only its own loss, so the sum's gradient for them is that copy's own
gradient, and Adam treats every number separately: each model trains exactly as it would
alone (tests/test_sweep.py checks it), but a dozen of them cost a few calls per step.

    sizes = size_sweep([8, 16, 32, 64, 128])            # N (non-embedding) against validation loss
    tokens = data_sweep(64, [100, 200, 400, 800])       # D (training tokens) against loss
    tasks = context_sweep([8, 32, 128], contexts=[1, 2]) # the same sizes on easier tasks
    gpts = gpt_size_sweep([16, 32, 64], steps=1000)     # chapter 06's GPT: slower, for a longer run
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from course_lib.machinery.env import seed_for
from course_lib.lm import text

CONTEXT = 8  # characters the model reads
EMBEDDING = 8  # width of a character's embedding
BATCH_SIZE = 64  # examples (one predicted character each) per step
STEPS = 800
LEARNING_RATE = 3e-2  # Adam's, decayed to 0 along a cosine over each run; the best of 3e-3, 1e-2 and 3e-2 tried


class MLPLanguageModels(nn.Module):
    """``copies`` independent MLP language models of one ``width``, as one batched computation.

    Every weight has a leading axis of length ``copies``; copy i is a whole model of its own,
    initialised from its own random numbers.
    """

    def __init__(self, vocab_size: int, width: int, copies: int = 1, context: int = CONTEXT,
                 embedding: int = EMBEDDING, seed: int = 0):
        super().__init__()
        for name, value in (("vocab_size", vocab_size), ("width", width), ("copies", copies),
                            ("context", context), ("embedding", embedding)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        g = torch.Generator().manual_seed(seed_for(seed))
        fan_in = context * embedding
        self.context, self.width, self.copies = context, width, copies
        self.wte = nn.Parameter(0.1 * torch.randn(copies, vocab_size, embedding, generator=g))
        self.w1 = nn.Parameter(torch.randn(copies, fan_in, width, generator=g) / math.sqrt(fan_in))
        self.b1 = nn.Parameter(torch.zeros(copies, 1, width))
        self.w2 = nn.Parameter(torch.randn(copies, width, vocab_size, generator=g) / math.sqrt(width))
        self.b2 = nn.Parameter(torch.zeros(copies, 1, vocab_size))

    def forward(self, idx: torch.Tensor) -> torch.Tensor:
        """Logits (copies, batch, vocab) of the character after each context idx (batch, ≥ context):
        the model reads the last ``context`` characters."""
        # (copies, batch, context · embedding): the last context characters' embeddings side by side
        x = self.wte[:, idx[:, idx.shape[1] - self.context:]].flatten(2)
        hidden = torch.relu(torch.baddbmm(self.b1, x, self.w1))
        return torch.baddbmm(self.b2, hidden, self.w2)

    def losses(self, idx: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Each copy's mean cross-entropy (nats per character), shape (copies,)."""
        logits = self.forward(idx)
        nll = F.cross_entropy(logits.flatten(0, 1), targets.repeat(self.copies), reduction="none")
        return nll.view(self.copies, -1).mean(dim=1)

    def parameters_per_model(self, non_embedding: bool = True) -> int:
        """One copy's parameters; non-embedding (Kaplan et al. 2020's N) leaves out the character table."""
        total = sum(p[0].numel() for p in self.parameters())
        return total - self.wte[0].numel() if non_embedding else total


def examples(ids: torch.Tensor, context: int, starts: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Contexts (n, context) beginning at each start, and the character after each (n,)."""
    return ids[starts[:, None] + torch.arange(context)], ids[starts + context]


def window(groups: list[MLPLanguageModels]) -> int:
    """The characters of context each example carries: CONTEXT, or more if a group reads more.
    Every model reads the last ``context`` of them, so models of every context see the same targets."""
    return max([CONTEXT] + [g.context for g in groups])


def validation_set(data: text.Dataset, context: int = CONTEXT) -> tuple[torch.Tensor, torch.Tensor]:
    """Every next-character prediction of the validation text after its first ``context`` characters."""
    return examples(data.validation, context, torch.arange(len(data.validation) - context))


@torch.no_grad()
def validation_losses(models: MLPLanguageModels, validation: tuple[torch.Tensor, torch.Tensor]) -> np.ndarray:
    """Each copy's loss on the validation set, in nats per character."""
    x, y = validation
    return models.losses(x, y).numpy()


def train_side_by_side(groups: list[MLPLanguageModels], steps: list[int], data: text.Dataset,
                       batch_size: int = BATCH_SIZE, learning_rate: float = LEARNING_RATE, seed: int = 0) -> float:
    """Train every group for its own number of steps, all on one stream of batches.

    Group i takes steps[i] Adam steps, with a learning rate that decays from
    ``learning_rate`` to zero along a cosine over its own run. At every step all groups
    still training see the same batch, so a group trained for S steps has seen exactly
    the first S·batch_size examples of the stream: the models' own seeds change only
    their initial weights, ``seed`` the stream itself. Returns the seconds it took.
    """
    from tqdm.auto import tqdm

    if not groups or len(groups) != len(steps):
        raise ValueError(f"need one number of steps per group, got {len(groups)} groups and {len(steps)} step counts")
    if any(isinstance(s, bool) or not isinstance(s, int) or s < 1 for s in steps):
        raise ValueError(f"steps must be positive integers, got {steps}")
    context = window(groups)
    optimizer = torch.optim.Adam([{"params": g.parameters()} for g in groups], lr=learning_rate, fused=True)
    generator = torch.Generator().manual_seed(seed_for(seed))
    start = time.perf_counter()
    for step in tqdm(range(max(steps)), desc="sweep", postfix={"models": sum(g.copies for g in groups)}):
        starts = torch.randint(len(data.train) - context, (batch_size,), generator=generator)
        x, y = examples(data.train, context, starts)
        training = [i for i, total in enumerate(steps) if step < total]
        for i, param_group in enumerate(optimizer.param_groups):
            cosine = 0.5 * (1 + math.cos(math.pi * step / steps[i]))
            param_group["lr"] = learning_rate * cosine if i in training else 0.0
        optimizer.zero_grad(set_to_none=True)  # a group that has finished gets no gradient, and Adam skips it
        sum(groups[i].losses(x, y).sum() for i in training).backward()
        optimizer.step()
    return time.perf_counter() - start


@dataclass
class Sweep:
    """Results of a sweep: per model size (rows) and seed (columns), the validation loss."""
    parameters: np.ndarray  # N of each row: non-embedding parameters
    tokens: np.ndarray  # D of each row: training tokens (characters predicted)
    losses: np.ndarray  # (rows, seeds), nats per character
    seconds: float  # of training, for the whole sweep
    labels: list[str] = field(default_factory=list)
    embedding_parameters: np.ndarray | None = None  # each row's character table, left out of N

    @property
    def loss(self) -> np.ndarray:
        """Each row's loss averaged over the seeds in log space (the geometric mean), as the fits see it."""
        return np.exp(np.log(self.losses).mean(axis=1))

    @property
    def flops(self) -> np.ndarray:
        """Training compute of each row, C = 6·N·D."""
        return 6 * self.parameters * self.tokens

    def table(self) -> str:
        seeds = self.losses.shape[1]
        lines = [f"{'':>10}{'N':>10}{'D':>12}{'C = 6ND':>10}" + "".join(f"{f'seed {s}':>9}" for s in range(seeds))]
        for label, n, d, c, row in zip(self.labels, self.parameters, self.tokens, self.flops, self.losses):
            lines.append(f"{label:>10}{n:>10,.0f}{d:>12,.0f}{c:>10.2g}" + "".join(f"{v:>9.3f}" for v in row))
        return "\n".join(lines) + f"\n(losses in nats per character; {self.seconds:.1f} s of training)"


def run(groups: list[MLPLanguageModels], steps: list[int], data: text.Dataset, labels: list[str]) -> Sweep:
    """Train the groups side by side and measure each copy's validation loss."""
    seconds = train_side_by_side(groups, steps, data)
    validation = validation_set(data, window(groups))
    return Sweep(np.array([g.parameters_per_model() for g in groups], dtype=float),
                 np.array(steps, dtype=float) * BATCH_SIZE,
                 np.array([validation_losses(g, validation) for g in groups]), seconds, labels,
                 np.array([g.parameters_per_model(False) - g.parameters_per_model() for g in groups], dtype=float))


def size_sweep(widths: list[int], seeds: int = 2, steps: int = STEPS, data: text.Dataset | None = None,
               context: int = CONTEXT) -> Sweep:
    """Models of each width (``seeds`` copies each), all trained on the same examples: L against N."""
    data = data or text.dataset()
    groups = [MLPLanguageModels(data.tokenizer.vocab_size, w, seeds, context, seed=1000 * i)
              for i, w in enumerate(widths)]
    return run(groups, [steps] * len(groups), data, [f"width {w}" for w in widths])


def context_sweep(widths: list[int], contexts: list[int], seeds: int = 2, steps: int = STEPS,
                  data: text.Dataset | None = None) -> dict[int, Sweep]:
    """The size sweep on other tasks: predicting the next character from the last ``context`` ones,
    for each context, all in one run on the same examples. Returns a Sweep per context."""
    data = data or text.dataset()
    specs = [(c, w) for c in contexts for w in widths]
    groups = [MLPLanguageModels(data.tokenizer.vocab_size, w, seeds, c, seed=1000 * i)
              for i, (c, w) in enumerate(specs)]
    both = run(groups, [steps] * len(groups), data, [f"width {w}" for _, w in specs])
    rows = {c: [i for i, (context, _) in enumerate(specs) if context == c] for c in contexts}
    return {c: Sweep(both.parameters[r], both.tokens[r], both.losses[r], both.seconds, [both.labels[i] for i in r],
                     both.embedding_parameters[r]) for c, r in rows.items()}


def data_sweep(width: int, steps: list[int], seeds: int = 2, data: text.Dataset | None = None) -> Sweep:
    """One width trained for each number of steps, each with its own full schedule: L against D."""
    data = data or text.dataset()
    groups = [MLPLanguageModels(data.tokenizer.vocab_size, width, seeds, seed=1000 * i) for i in range(len(steps))]
    return run(groups, list(steps), data, [f"{s} steps" for s in steps])


def gpt_size_sweep(widths: list[int], steps: int, data: text.Dataset | None = None) -> Sweep:
    """Chapter 06's GPT (course_lib.lm.tinygpt's recipe) at each width, one seed: a slower, longer sweep."""
    from course_lib.lm import tinygpt

    data = data or text.dataset()
    losses, parameters, embeddings, start = [], [], [], time.perf_counter()
    for width in widths:
        model = tinygpt.new_model(data.tokenizer.vocab_size, n_embd=width, n_head=max(1, width // 16))
        history = tinygpt.fit(model, data.train, data.validation, steps, eval_every=steps)
        losses.append([history.last("validation loss")])
        parameters.append(model.num_parameters(non_embedding=True))
        embeddings.append(model.num_parameters() - parameters[-1])
    tokens = steps * tinygpt.BATCH_SIZE * tinygpt.SIZE["block_size"]
    return Sweep(np.array(parameters, dtype=float), np.full(len(widths), float(tokens)), np.array(losses),
                 time.perf_counter() - start, [f"width {w}" for w in widths], np.array(embeddings, dtype=float))
