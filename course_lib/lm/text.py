"""Text for a language model: Python's own help text, characters as tokens, batches.

The corpus is CPython's help text, ``pydoc_data.topics``: the chapters of the language
reference that ``help("if")`` and its kin print, generated from the Python documentation
by Sphinx (``make pydoc-topics``) so that help works offline. It is English technical prose
with code examples, about half a million characters — enough for a character-level model
to learn words, spelling and layout, small enough to read in a second. Nothing is downloaded.

Every Python release ships a different version of it (Python 3.10 to 3.13: 459,000 to
511,000 characters), so the course ships its own copy, ``pydoc_topics.txt``: the topics of
Python 3.11.7 in alphabetical order of topic name, a blank line apart. Every Python then
reads the same text, gets the same numbers, and the same shipped checkpoint fits it. The
text is the Python Software Foundation's, used under the PSF License Agreement, which is
kept beside it (``pydoc_topics.LICENSE.txt``).

The vocabulary does not come from the text: it is a fixed alphabet, the newline and the
95 printable ASCII characters, and ``corpus()`` writes the few typographic characters of
the help pages (curly quotes, dashes, the ellipsis) in ASCII, anything else as "?".

Pipeline: ``corpus()`` -> ``split()`` -> ``Tokenizer`` (characters <-> ids) ->
``batches()`` for training, ``windows()`` for evaluation. ``dataset()`` does it all.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterator, Sequence

from course_lib.machinery.env import seed_for

if TYPE_CHECKING:  # torch is imported where it is used: the exercise checks import this module,
    import torch   # and course_lib.progress() imports every chapter's checks

HELP_TEXT = Path(__file__).with_name("pydoc_topics.txt")
VALIDATION_FRACTION = 0.1
VOCABULARY = "\n" + "".join(chr(code) for code in range(32, 127))  # newline, space, then ! to ~
TYPOGRAPHY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "–": "-", "—": "-", "…": "..."})


def help_text() -> str:
    """The corpus as Python wrote it (UTF-8, with its curly quotes and dashes)."""
    return HELP_TEXT.read_text(encoding="utf-8")


def corpus() -> str:
    """The help text in the characters of VOCABULARY: typographic marks in ASCII, anything else as "?"."""
    allowed = set(VOCABULARY)
    return "".join(char if char in allowed else "?" for char in help_text().translate(TYPOGRAPHY))


def split(text: str, validation_fraction: float = VALIDATION_FRACTION) -> tuple[str, str]:
    """(train, validation): the first part of the text to learn from, the last part to test on.

    A model is judged on text it never trained on; a contiguous tail (not random characters)
    keeps whole passages out of training, so validation measures generalisation.
    """
    if not isinstance(text, str) or len(text) < 2:
        raise ValueError(f"text must be a string of at least 2 characters, got {type(text).__name__}")
    if not 0 < validation_fraction < 1:
        raise ValueError(f"validation_fraction must be between 0 and 1, got {validation_fraction!r}")
    cut = round(len(text) * (1 - validation_fraction))
    return text[:cut], text[cut:]


class Tokenizer:
    """Characters as tokens: token id i stands for ``vocabulary[i]``.

    A character-level vocabulary is tiny (96 symbols here, against GPT-2's 50,257
    sub-word tokens) and can spell any text made of its characters.
    """

    def __init__(self, vocabulary: str = VOCABULARY):
        if not isinstance(vocabulary, str) or not vocabulary:
            raise ValueError(f"vocabulary must be a non-empty string of characters, got {vocabulary!r}")
        if len(set(vocabulary)) != len(vocabulary):
            raise ValueError("vocabulary lists a character twice; each character needs one id")
        self.vocabulary = vocabulary
        self.ids = {char: i for i, char in enumerate(vocabulary)}

    @property
    def vocab_size(self) -> int:
        return len(self.vocabulary)

    def encode(self, text: str) -> list[int]:
        unknown = sorted(set(text) - self.ids.keys()) if isinstance(text, str) else None
        if unknown is None:
            raise TypeError(f"encode takes a string, got {type(text).__name__}")
        if unknown:
            raise ValueError(f"characters not in the vocabulary: {''.join(unknown)!r}")
        return [self.ids[char] for char in text]

    def decode(self, ids: Sequence[int]) -> str:
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        bad = [i for i in ids if not isinstance(i, int) or not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"token ids must be integers in [0, {self.vocab_size}), got {bad[:5]}")
        return "".join(self.vocabulary[i] for i in ids)

    def __repr__(self) -> str:
        return f"Tokenizer({self.vocab_size} characters)"


def batches(ids, block_size: int, batch_size: int, seed: int = 0) -> Iterator[tuple["torch.Tensor", "torch.Tensor"]]:
    """Endless random batches (x, y) of ``batch_size`` windows of ``block_size`` tokens.

    y is x shifted by one position: at every position t the model sees x[:t+1] and must
    predict y[t], the next token, so one window of T tokens gives T training examples.
    """
    import torch
    ids = torch.as_tensor(ids)
    for name, value in (("block_size", block_size), ("batch_size", batch_size)):
        if not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    if ids.ndim != 1 or len(ids) <= block_size:
        raise ValueError(f"need a 1-D sequence longer than block_size={block_size}, got shape {tuple(ids.shape)}")
    generator = torch.Generator().manual_seed(seed_for(seed))
    offsets = torch.arange(block_size)
    while True:
        starts = torch.randint(len(ids) - block_size, (batch_size, 1), generator=generator)
        yield ids[starts + offsets], ids[starts + offsets + 1]


def windows(ids, block_size: int) -> tuple["torch.Tensor", "torch.Tensor"]:
    """Non-overlapping windows (x, y), each (n, block_size), in which every token after the
    first is a target exactly once (a tail shorter than a window is left out)."""
    import torch
    ids = torch.as_tensor(ids)
    if not isinstance(block_size, int) or block_size < 1:
        raise ValueError(f"block_size must be a positive integer, got {block_size!r}")
    n = (len(ids) - 1) // block_size
    if ids.ndim != 1 or n < 1:
        raise ValueError(f"need a 1-D sequence longer than block_size={block_size}, got shape {tuple(ids.shape)}")
    return ids[: n * block_size].view(n, block_size), ids[1: n * block_size + 1].view(n, block_size)


@dataclass(frozen=True)
class Dataset:
    """The corpus, tokenized: the tokenizer and the training and validation ids (1-D long tensors)."""
    tokenizer: Tokenizer
    train: "torch.Tensor"
    validation: "torch.Tensor"


def dataset(validation_fraction: float = VALIDATION_FRACTION) -> Dataset:
    """The whole pipeline: corpus, split, the character tokenizer, ids as tensors."""
    import torch
    tokenizer = Tokenizer()
    train, validation = split(corpus(), validation_fraction)
    return Dataset(tokenizer, torch.tensor(tokenizer.encode(train)), torch.tensor(tokenizer.encode(validation)))
