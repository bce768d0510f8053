"""Sub-word tokens: byte-level byte-pair encoding (BPE), from scratch.

Byte-pair encoding (Sennrich, Haddow & Birch 2016, after Gage's 1994 compression scheme)
starts from an alphabet and repeatedly merges the most frequent pair of adjacent symbols
into a new symbol. GPT-2 (Radford et al. 2019) made two choices that many tokenizers since
have copied: the alphabet is the 256 **bytes** of UTF-8, so any text at all can be encoded,
and the text is first cut into **pre-tokens** by a regular expression, so that no merge
spans two words, or a word and the punctuation after it.

    text ─► pretokenize (GPT2_PATTERN) ─► words, as UTF-8 bytes ─► merges by rank ─► ids
    ids  ─► the bytes of each token, joined ─► decoded as UTF-8 once, at the end ─► text

Training (``train``) counts pairs over the **unique** words, each weighted by how often it
occurs: the help text's 465,000 characters are about 100,000 pre-tokens but only about 6,000
different ones. After each merge only the words that contain the merged pair change, so
only their pairs are counted again; a heap finds the most frequent pair.

``BPE.mergeable_ranks()`` gives the same tokenizer in the form tiktoken takes (see
course_lib.lm.bpe_libraries); ``bits_per_character`` is the unit in which models with
different tokenizers can be compared.
"""
from __future__ import annotations

import heapq
import math
from collections import Counter, defaultdict
from typing import Iterable, Sequence

import regex

# GPT-2's pre-tokenizer (Radford et al. 2019; tiktoken's r50k_base uses the same): English
# contractions; an optional space and a run of letters; of digits; of other symbols;
# whitespace not followed by a non-space (so that the last space joins the next word);
# any other whitespace.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"""
BYTES = 256  # the base vocabulary: token i < 256 is the single byte i

Pair = tuple[int, int]


def pretokenize(text: str, pattern: str = GPT2_PATTERN) -> list[str]:
    """The pre-tokens of ``text``: the pieces the pattern cuts it into, which together are the text."""
    if not isinstance(text, str):
        raise TypeError(f"pretokenize takes a string, got {type(text).__name__}")
    return regex.findall(pattern, text)


def word_counts(text: str, pattern: str = GPT2_PATTERN) -> Counter:
    """How often each pre-token occurs in ``text``, as {tuple of its UTF-8 byte values: count}."""
    return Counter(tuple(word.encode("utf-8")) for word in pretokenize(text, pattern))


def pair_counts(words: dict[tuple[int, ...], int]) -> Counter:
    """How often each pair of adjacent symbols occurs, over words {symbols: count}.

    A pair is counted inside words only, once for every position where it stands ("aaa"
    holds (a, a) twice), and a word that occurs n times counts n times.
    """
    counts = Counter()
    for word, n in words.items():
        for pair in zip(word, word[1:]):
            counts[pair] += n
    return counts


def most_frequent_pair(counts: dict[Pair, int]) -> Pair:
    """The pair to merge next: the most frequent; on a tie, the smaller pair (first ids compared,
    then second), so that training is the same on every machine and Python."""
    if not counts:
        raise ValueError("no pairs to choose from: every word is a single token")
    return max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))


def merge(ids: Sequence[int], pair: Pair, new_id: int) -> list[int]:
    """``ids`` with every occurrence of ``pair`` replaced by ``new_id``, read left to right
    ((a, a) in a, a, a merges the first two: new_id, a)."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def encode_word(ids: Sequence[int], merges: dict[Pair, int]) -> list[int]:
    """Token ids of one pre-token's bytes: merge the pair learned earliest (lowest new id)
    among the adjacent pairs present, and again, until no adjacent pair is a merge."""
    ids = list(ids)
    while len(ids) > 1:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))
        if pair not in merges:
            break
        ids = merge(ids, pair, merges[pair])
    return ids


def decode(ids: Sequence[int], vocab: Sequence[bytes]) -> str:
    """The text of token ids, ``vocab[i]`` being the bytes of token i: all the bytes joined, then
    decoded as UTF-8 once. Bytes that are not valid UTF-8 (a model can generate any ids) become
    U+FFFD, the replacement character "�"."""
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")


class BPE:
    """A byte-level BPE tokenizer: its merges {pair: new id}, learned in the order 256, 257, ...

    ``vocab[i]`` holds the bytes of token i; ``counts[k]`` (when trained here) how often the
    k-th merged pair occurred when it was chosen.
    """

    def __init__(self, merges: dict[Pair, int], pattern: str = GPT2_PATTERN, counts: Sequence[int] = ()):
        self.vocab = [bytes([i]) for i in range(BYTES)]
        for rank, (pair, new_id) in enumerate(merges.items()):
            if new_id != BYTES + rank:
                raise ValueError(f"merge {rank} must make token {BYTES + rank}, got {new_id}: "
                                 "merges are numbered in the order they were learned")
            if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(i, int) and 0 <= i < new_id
                                                                        for i in pair)):
                raise ValueError(f"merge {rank}: {pair!r} must be a pair of earlier token ids")
            self.vocab.append(self.vocab[pair[0]] + self.vocab[pair[1]])
        self.merges, self.pattern, self.counts = dict(merges), pattern, list(counts)
        self.compiled = regex.compile(pattern)
        self.cache: dict[str, list[int]] = {}  # a word's ids, once computed

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> list[int]:
        """Token ids of ``text``: pre-tokenize, then encode each word's UTF-8 bytes by merge rank."""
        if not isinstance(text, str):
            raise TypeError(f"encode takes a string, got {type(text).__name__}")
        ids = []
        for word in self.compiled.findall(text):
            if word not in self.cache:
                try:
                    data = word.encode("utf-8")
                except UnicodeEncodeError as error:
                    raise ValueError(f"the text holds {error.object[error.start]!r}, a lone surrogate: half of a "
                                     "UTF-16 pair, not a character, so it has no UTF-8 bytes to encode") from None
                self.cache[word] = encode_word(data, self.merges)
            ids.extend(self.cache[word])
        return ids

    def token_bytes(self, ids: Iterable[int]) -> bytes:
        """The bytes the token ids stand for, joined."""
        ids = ids.tolist() if hasattr(ids, "tolist") else list(ids)
        bad = [i for i in ids if not isinstance(i, int) or not 0 <= i < self.vocab_size]
        if bad:
            raise ValueError(f"token ids must be integers in [0, {self.vocab_size}), got {bad[:5]}")
        return b"".join(self.vocab[i] for i in ids)

    def decode(self, ids: Iterable[int]) -> str:
        """The text of the token ids (see ``decode``)."""
        return self.token_bytes(ids).decode("utf-8", errors="replace")

    def pieces(self, text: str) -> list[str]:
        """Each token of ``text`` as readable text (a part of a multi-byte character shows as U+FFFD)."""
        return [self.vocab[i].decode("utf-8", errors="replace") for i in self.encode(text)]

    def truncated(self, vocab_size: int) -> "BPE":
        """The tokenizer of the first ``vocab_size - 256`` merges: what training to that size gives."""
        if not isinstance(vocab_size, int) or not BYTES <= vocab_size <= self.vocab_size:
            raise ValueError(f"vocab_size must be an integer from {BYTES} to {self.vocab_size}, got {vocab_size!r}")
        merges = dict(list(self.merges.items())[: vocab_size - BYTES])
        return BPE(merges, self.pattern, self.counts[: vocab_size - BYTES])

    def mergeable_ranks(self) -> dict[bytes, int]:
        """{token bytes: id}, the form in which tiktoken takes a BPE tokenizer."""
        return {token: i for i, token in enumerate(self.vocab)}

    def __repr__(self) -> str:
        return f"BPE({self.vocab_size} tokens: 256 bytes + {len(self.merges)} merges)"


def train(text: str, vocab_size: int, pattern: str = GPT2_PATTERN, progress: bool = True,
          byte_order: Sequence[int] | None = None) -> BPE:
    """Learn ``vocab_size - 256`` merges from ``text``: each time, the most frequent pair of
    adjacent tokens within words becomes a new token. A tie goes to the pair of smaller ids,
    the bytes ranked by value or, if given, by their place in ``byte_order`` (a permutation
    of 0..255). Stops early if no pair is left (every word a single token)."""
    if not isinstance(text, str) or not text:
        raise ValueError(f"train needs a non-empty string of text, got {type(text).__name__}")
    if not isinstance(vocab_size, int) or vocab_size < BYTES:
        raise ValueError(f"vocab_size must be an integer of at least {BYTES} (the bytes), got {vocab_size!r}")
    from tqdm.auto import tqdm

    rank = list(range(BYTES)) if byte_order is None else list(byte_order)
    if sorted(rank) != list(range(BYTES)):
        raise ValueError("byte_order must list each of the 256 byte values once")
    place = {b: k for k, b in enumerate(rank)}

    def tie(pair: Pair) -> tuple[int, int]:  # merged tokens keep their ids, which come after the bytes
        return place.get(pair[0], pair[0]), place.get(pair[1], pair[1])

    counted = word_counts(text, pattern)
    words, weights = [list(word) for word in counted], list(counted.values())
    pairs, where = Counter(), defaultdict(set)  # pair -> count; pair -> the words that hold it
    for w, word in enumerate(words):
        for pair in zip(word, word[1:]):
            pairs[pair] += weights[w]
            where[pair].add(w)
    heap = [(-n, tie(pair), pair) for pair, n in pairs.items()]  # most frequent first, then the smaller pair
    heapq.heapify(heap)
    merges, counts = {}, []
    bar = tqdm(range(BYTES, vocab_size), desc="learning merges", disable=not progress)
    for new_id in bar:
        while heap and pairs.get(heap[0][2]) != -heap[0][0]:
            heapq.heappop(heap)  # an entry from before the pair's count changed
        if not heap:
            break
        n, _, pair = heapq.heappop(heap)
        merges[pair] = new_id
        counts.append(-n)
        changed = set()
        for w in where.pop(pair):
            old, new = words[w], merge(words[w], pair, new_id)
            for p in zip(old, old[1:]):
                pairs[p] -= weights[w]
                changed.add(p)
            for p in zip(new, new[1:]):
                pairs[p] += weights[w]
                where[p].add(w)
                changed.add(p)
            words[w] = new
        for p in changed:
            if pairs[p] > 0:
                heapq.heappush(heap, (-pairs[p], tie(p), p))
            else:
                del pairs[p]
        bar.set_postfix(count=-n, refresh=False)
    bar.close()
    return BPE(merges, pattern, counts)


def bits_per_character(nats_per_token: float, n_tokens: int, text: str) -> float:
    """A loss in nats per token of a tokenization of ``text`` into ``n_tokens`` tokens, in bits
    per character of the text: the same text's total information, whatever the tokens."""
    if not isinstance(text, str) or not text:
        raise ValueError("text must be the non-empty string the tokens encode")
    if not isinstance(n_tokens, int) or n_tokens < 1:
        raise ValueError(f"n_tokens must be a positive integer, got {n_tokens!r}")
    return nats_per_token * n_tokens / len(text) / math.log(2)


def label(token: bytes) -> str:
    """A token as printable text: a space as ␣, a newline as ↵, a tab as →, and any byte that is not
    printable ASCII as its value in hex, ‹e4›, so that the bytes of a character split between
    tokens show where they went."""
    shown = {ord(" "): "␣", ord("\n"): "↵", ord("\t"): "→"}
    return "".join(shown.get(byte) or (chr(byte) if 32 < byte < 127 else f"‹{byte:02x}›") for byte in token)


def draw_tokens(ax, pieces: Sequence[bytes], width: int = 64, rows: int = 4) -> None:
    """The tokens side by side in alternating colours, one column per character (a byte outside
    ASCII takes its hex label's width), a new line after each newline and at ``width`` columns."""
    colours = ["#cfe2f3", "#fce5cd", "#d9ead3", "#ead1dc", "#fff2cc"]
    row, column = 0, 0
    for k, piece in enumerate(pieces):
        for byte in piece:
            char = label(bytes([byte]))
            if column + len(char) > width:
                row, column = row + 1, 0
            ax.add_patch(_box(column, row, len(char), colours[k % len(colours)]))
            ax.text(column + len(char) / 2, -row - 0.5, char, ha="center", va="center", family="monospace",
                    fontsize=8)
            column += len(char)
            if byte == ord("\n"):
                row, column = row + 1, 0
    ax.set(xlim=(0, width), ylim=(-max(row + 1, rows) - 0.1, 0.1))
    ax.set_axis_off()


def _box(column: int, row: int, length: int, colour: str):
    from matplotlib.patches import Rectangle
    return Rectangle((column, -row - 0.95), length, 0.9, facecolor=colour, edgecolor="none")


def explorer(bpe: BPE, text: str, n_embd: int = 64, step: int = 64, start: int = 1024):
    """A widget: type a text, choose the vocabulary size (the first merges of ``bpe``), and see the
    text's tokens, how many there are, and what the vocabulary costs a model of width ``n_embd``
    (its embedding, also the tied output layer, has vocab_size × n_embd weights). The slider
    starts at ``start`` tokens (the chapter's 1,024), or at ``bpe``'s size if that is smaller."""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    sizes = list(range(BYTES, bpe.vocab_size + 1, step))
    sizes += [bpe.vocab_size] if sizes[-1] != bpe.vocab_size else []
    tokenizers = {}

    def at(size: int) -> BPE:
        if size not in tokenizers:
            tokenizers[size] = bpe.truncated(size)
        return tokenizers[size]

    def draw(text: str, vocab_size: int):
        fig = viz.figure(figsize=(8, 4.6))
        top, bottom = fig.subplots(2, 1, height_ratios=[2, 2])
        if not text:
            print("type a text")
            return fig
        tokenizer = at(vocab_size)
        ids = tokenizer.encode(text)
        draw_tokens(top, [tokenizer.vocab[i] for i in ids])
        top.set_title(f"{len(ids)} tokens at a vocabulary of {vocab_size}")
        counts = [len(at(size).encode(text)) for size in sizes]
        bottom.plot(sizes, counts, "o-", ms=3, label="tokens of this text")
        bottom.axvline(vocab_size, color="gray", ls=":")
        bottom.set(xlabel="vocabulary size", ylabel="tokens", ylim=(0, None))
        cost = bottom.twinx()
        cost.plot(sizes, [size * n_embd / 1e3 for size in sizes], color="C3", label=f"embedding weights, width {n_embd}")
        cost.set(ylabel="thousand weights", ylim=(0, None))
        cost.grid(False)
        lines = bottom.get_lines()[:1] + cost.get_lines()
        bottom.legend(lines, [line.get_label() for line in lines], loc="center right", fontsize=8)
        print(f"{len(text)} characters, {len(text.encode('utf-8'))} bytes -> {len(ids)} tokens "
              f"({len(text) / len(ids):.2f} characters per token); embedding {vocab_size} × {n_embd} = "
              f"{vocab_size * n_embd:,} weights")
        print("|".join(label(tokenizer.vocab[i]) for i in ids))
        return fig

    return viz.Explorer(
        draw, text=widgets.Textarea(value=text, description="text", rows=4, continuous_update=False,
                                    layout=widgets.Layout(width="95%")),
        vocab_size=widgets.IntSlider(value=min(start, bpe.vocab_size), min=BYTES, max=bpe.vocab_size, step=step,
                                     description="vocabulary size", style={"description_width": "initial"}))
