"""The same byte-level BPE in the libraries people use: tiktoken and Hugging Face tokenizers.

**tiktoken** (OpenAI) encodes text with a given tokenizer. Besides GPT-2's and GPT-4's (which
it downloads), it takes any tokenizer as "mergeable ranks", {token bytes: id}, offline. Its
rule is BPE's: merge the adjacent pair whose joined bytes have the lowest rank, again and
again. Given our vocabulary and GPT-2's pattern, it must give our ids exactly.

**Hugging Face tokenizers** also *trains* BPE. With GPT-2's settings — a ByteLevel
pre-tokenizer with GPT-2's pattern and no added prefix space, all 256 bytes in the initial
alphabet, no minimum frequency, no special tokens — it counts the same pairs in the same
words. Two things differ. It numbers the 256 bytes in the order of the printable characters
GPT-2 writes them as (``byte_stand_ins``: "Ġ" for the space, so the space is not id 32), and
it breaks a tie between equally frequent pairs by those ids, where ``tokens.train`` uses the
byte values. So its merges come in another order within a tie, and at the vocabulary size's
cut-off a tie can let in a different token.
"""
from __future__ import annotations

import json
import time
from typing import Callable

from course_lib.lm.tokens import BPE, BYTES


def byte_stand_ins() -> dict[int, str]:
    """GPT-2's printable stand-in for each byte (``bytes_to_unicode`` in its encoder.py): the
    printable Latin-1 bytes stand for themselves, the other 68 for the characters from U+0100 on."""
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    others = [b for b in range(BYTES) if b not in printable]
    return {**{b: chr(b) for b in printable}, **{b: chr(BYTES + k) for k, b in enumerate(others)}}


def tiktoken_encoding(bpe: BPE, name: str = "course-bpe"):
    """``bpe`` as a tiktoken.Encoding (built offline from its mergeable ranks and pattern)."""
    import tiktoken
    if not isinstance(bpe, BPE):
        raise TypeError(f"expected a course_lib.lm.tokens.BPE, got {type(bpe).__name__}")
    return tiktoken.Encoding(name, pat_str=bpe.pattern, mergeable_ranks=bpe.mergeable_ranks(), special_tokens={})


def hf_train(text: str, vocab_size: int):
    """A Hugging Face tokenizers BPE trained on ``text`` with GPT-2's settings (see above)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    if not isinstance(text, str) or not text:
        raise ValueError("hf_train needs a non-empty string of text")
    if not isinstance(vocab_size, int) or vocab_size < BYTES:
        raise ValueError(f"vocab_size must be an integer of at least {BYTES}, got {vocab_size!r}")
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    tokenizer.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=vocab_size, min_frequency=0, special_tokens=[], show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tokenizer.train_from_iterator([text], trainer=trainer)
    return tokenizer


def hf_vocab(tokenizer) -> dict[int, bytes]:
    """{id: the bytes of the token} of a byte-level Hugging Face tokenizer."""
    byte_of = {char: b for b, char in byte_stand_ins().items()}
    return {i: bytes(byte_of[char] for char in token) for token, i in tokenizer.get_vocab().items()}


def hf_merges(tokenizer) -> list[tuple[bytes, bytes]]:
    """The merges of a byte-level Hugging Face BPE in the order learned, each as (bytes, bytes)."""
    byte_of = {char: b for b, char in byte_stand_ins().items()}
    merges = json.loads(tokenizer.to_str())["model"]["merges"]
    pairs = [m.split(" ") if isinstance(m, str) else m for m in merges]  # older versions wrote "a b"
    return [tuple(bytes(byte_of[char] for char in part) for part in pair) for pair in pairs]


def merge_bytes(bpe: BPE) -> list[tuple[bytes, bytes]]:
    """Our merges in the same form, (bytes, bytes) in the order learned."""
    return [(bpe.vocab[a], bpe.vocab[b]) for a, b in bpe.merges]


def timed(function: Callable, *args, repeats: int = 3):
    """(the result of ``function(*args)``, the fastest of ``repeats`` runs in seconds)."""
    if not isinstance(repeats, int) or repeats < 1:
        raise ValueError(f"repeats must be a positive integer, got {repeats!r}")
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        result = function(*args)
        best = min(best, time.perf_counter() - start)
    return result, best
