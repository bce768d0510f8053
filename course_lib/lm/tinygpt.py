"""The chapter's tiny GPT: its size, its training recipe, and the trained checkpoint.

Chapter 06 trains this model on CPython's help text in well under a minute; chapter 08
varies its size, chapter 11 looks inside the trained checkpoint. The recipe:

* model: 2 blocks of width 64 with 4 heads of 16, a context of 64 characters (≈0.11M parameters);
* data: batches of 32 random windows of the training text (course_lib.lm.text);
* optimizer: AdamW (Loshchilov & Hutter 2019) with torch's default weight decay (0.01), at
  a constant learning rate of 3e-3, the best of the few values we tried for a run this short;
* evaluation: the mean loss over the whole validation text, in non-overlapping windows.

For chapters that build on it:

    data = text.dataset()                                  # tokenizer, training and validation ids
    model = new_model(data.tokenizer.vocab_size, n_embd=128)   # the same recipe, another size
    history = fit(model, data.train, data.validation, steps=500)
    validation_loss(model, data.validation)                # nats per character
    model, tokenizer, metadata = pretrained()              # the shipped checkpoint

The trained checkpoint ``course_lib/lm/tinygpt.pt`` is this recipe run for SHIPPED_STEPS
steps. To make it again (about ten minutes on one core: 525 s when it was made, as its
metadata records; floating-point differences between CPUs can change the last digits):

    python -m course_lib.lm.tinygpt                        # writes course_lib/lm/tinygpt.pt
    python -m course_lib.lm.tinygpt --steps 100 --out /tmp/tiny.pt
"""
from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

import torch

from course_lib.machinery.env import seed_for
from course_lib.lm import checkpoint, text
from course_lib.lm.gpt import GPT, GPTConfig
from course_lib.nets.train import History, train

SIZE = {"block_size": 64, "n_layer": 2, "n_head": 4, "n_embd": 64}
BATCH_SIZE = 32
LEARNING_RATE = 3e-3
SEED = 0
SHIPPED_STEPS = 5000
CHECKPOINT = Path(__file__).with_name("tinygpt.pt")


def new_model(vocab_size: int, seed: int = SEED, **size) -> GPT:
    """A freshly initialised GPT of the chapter's size; keyword arguments change the size,
    e.g. ``new_model(vocab, n_layer=4)``. The seed fixes the initial weights."""
    unknown = set(size) - set(SIZE)
    if unknown:
        raise ValueError(f"unknown size settings {sorted(unknown)}; the size is set by {sorted(SIZE)}")
    torch.manual_seed(seed_for(seed))
    return GPT(GPTConfig(vocab_size=vocab_size, **(SIZE | size)))


def loss_on_batch(model: GPT, batch: tuple) -> torch.Tensor:
    x, y = batch
    return model(x, y)[1]


@torch.no_grad()
def validation_loss(model, ids, batch_size: int = 128) -> float:
    """Mean cross-entropy in nats per token over ids, read in non-overlapping windows of the
    model's block size. (Within a window the first tokens have a short context, as in training.)"""
    was_training = model.training
    model.eval()
    x, y = text.windows(ids, model.block_size)
    total = sum(model(x[i:i + batch_size], y[i:i + batch_size])[1].item() * len(x[i:i + batch_size])
                for i in range(0, len(x), batch_size))
    model.train(was_training)
    return total / len(x)


def fit(model: GPT, train_ids, validation_ids, steps: int, batch_size: int = BATCH_SIZE,
        learning_rate: float = LEARNING_RATE, seed: int = SEED, eval_every: int = 100) -> History:
    """Train with the chapter's recipe (course_lib.nets.train.train: progress bar, evaluation);
    the History holds the training losses and the metric "validation loss"."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)
    batches = text.batches(train_ids, model.block_size, batch_size, seed)
    return train(model, optimizer, batches, steps, loss_on_batch,
                 evaluate=lambda m: {"validation loss": validation_loss(m, validation_ids)},
                 eval_every=eval_every, description="tiny GPT")


def pretrained() -> checkpoint.Checkpoint:
    """The shipped checkpoint: (model, tokenizer, metadata), the model in eval mode."""
    if not CHECKPOINT.exists():
        raise FileNotFoundError(f"{CHECKPOINT} is missing: make it with `python -m course_lib.lm.tinygpt`")
    return checkpoint.load(CHECKPOINT)


def main(argv: list[str] | None = None) -> Path:
    parser = argparse.ArgumentParser(prog="python -m course_lib.lm.tinygpt", description=__doc__.split("\n")[0])
    parser.add_argument("--steps", type=int, default=SHIPPED_STEPS)
    parser.add_argument("--out", type=Path, default=CHECKPOINT)
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # the course's setting; results then match the notebook's
    data = text.dataset()
    model = new_model(data.tokenizer.vocab_size)
    start = time.perf_counter()
    history = fit(model, data.train, data.validation, args.steps, eval_every=max(1, args.steps // 10))
    path = checkpoint.save(args.out, model, data.tokenizer, steps=args.steps, batch_size=BATCH_SIZE,
                           learning_rate=LEARNING_RATE, seed=SEED, validation_loss=history.last("validation loss"),
                           seconds=round(time.perf_counter() - start, 1), python=platform.python_version())
    print(f"{path}: validation loss {history.last('validation loss'):.4f} nats per character after {args.steps} steps")
    return path


if __name__ == "__main__":
    main()
