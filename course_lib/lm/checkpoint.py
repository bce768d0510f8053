"""Checkpoints: a trained model saved to a file, and loaded back safely.

A checkpoint holds what it takes to rebuild the model and use it: the configuration,
the weights (the ``state_dict``), the tokenizer's vocabulary, and a few facts about how
it was trained. ``torch.save`` writes them with Python's pickle. Unpickling a file can
run arbitrary code, so ``load`` uses ``torch.load(..., weights_only=True)``: it accepts
tensors, numbers, strings, lists and dicts, and refuses anything else. (It is the
default since PyTorch 2.6; we say it explicitly.) That is why the configuration is
stored as a plain dict, not as the GPTConfig object.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import NamedTuple

import torch

from course_lib.lm.gpt import GPT, GPTConfig
from course_lib.lm.text import Tokenizer

PLAIN = (str, int, float, bool, type(None))


class Checkpoint(NamedTuple):
    model: GPT
    tokenizer: Tokenizer
    metadata: dict


def save(path, model: GPT, tokenizer: Tokenizer, **metadata) -> Path:
    """Write model, vocabulary and metadata (plain values: numbers, strings) to ``path``."""
    if not isinstance(model, GPT) or not isinstance(tokenizer, Tokenizer):
        raise TypeError(f"save(path, model, tokenizer): expected a GPT and a Tokenizer, got "
                        f"{type(model).__name__} and {type(tokenizer).__name__}")
    if model.config.vocab_size != tokenizer.vocab_size:
        raise ValueError(f"the model reads {model.config.vocab_size} token ids but the tokenizer has "
                         f"{tokenizer.vocab_size}: they do not belong together")
    bad = {k: type(v).__name__ for k, v in metadata.items() if not isinstance(v, PLAIN)}
    if bad:
        raise TypeError(f"metadata must be plain numbers or strings (weights_only loading refuses "
                        f"other objects); got {bad}")
    path = Path(path)
    torch.save({"config": dataclasses.asdict(model.config), "vocabulary": tokenizer.vocabulary,
                "state_dict": model.state_dict(), "metadata": metadata}, path)
    return path


def load(path) -> Checkpoint:
    """Rebuild the model (in eval mode), its tokenizer and the metadata from a checkpoint file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no checkpoint at {path}")
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = GPT(GPTConfig(**saved["config"]))
    model.load_state_dict(saved["state_dict"])
    return Checkpoint(model.eval(), Tokenizer(saved["vocabulary"]), saved["metadata"])
