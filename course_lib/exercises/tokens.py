"""Chapter 07 — Sub-word tokens: exercise checks and quiz.

The references are the functions of course_lib.lm.tokens, which the chapter goes on to use.
Symbols in the small cases are byte values (97 is "a", 98 "b", ...); new tokens start at 256.
"""
import math

from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz
from course_lib.lm import tokens

CHAPTER = "tokens"
a, b, c, d = 97, 98, 99, 100


def word_counts(text):
    return dict(tokens.word_counts(text))


# 7.1 — pair counts over word counts
def counted(words, pairs_of):
    """Learner-style pair counting with one step changed: which pairs a word holds."""
    counts = {}
    for word, n in words.items():
        for pair in pairs_of(word):
            counts[pair] = counts.get(pair, 0) + n
    return counts


def once_per_word(words):
    counts = {}
    for word in words:
        for pair in zip(word, word[1:]):
            counts[pair] = counts.get(pair, 0) + 1
    return counts


def across_words(words):
    stream = [symbol for word, n in words.items() for _ in range(n) for symbol in word]
    counts = {}
    for pair in zip(stream, stream[1:]):
        counts[pair] = counts.get(pair, 0) + 1
    return counts


def pairs_without_overlaps(word):
    found, last = [], {}
    for i, pair in enumerate(zip(word, word[1:])):
        if last.get(pair) == i - 1:  # this occurrence overlaps the one just counted
            continue
        found.append(pair)
        last[pair] = i
    return found


check_pair_counts = Exercise(
    "7.1", "pair_counts", tokens.pair_counts,
    [Case(({(a, a, a): 1},)), Case(({(a, b): 3, (b,): 2},)), Case(({(a, b, a, b): 1, (b, a): 2},)),
     Case(({(a, a, a, a): 2, (b, a, a): 1},)), Case((word_counts("the cat sat on the mat"),)),
     Case((word_counts("aaa bab aaa  baa"),))],
    arg_names=("words",),
    mistakes=[
        Mistake("A word that occurs n times holds its pairs n times: add the word's count, not 1.", once_per_word,
                detail="for word, n in words.items(): for pair in zip(word, word[1:]): counts[pair] += n"),
        Mistake("Count pairs inside each word only: the last symbol of one word and the first of the next are "
                "never merged, so they are not a pair.", across_words,
                detail="Loop over the words; in each, zip(word, word[1:]) gives its adjacent pairs."),
        Mistake("Count every position: (a, a, a) holds the pair (a, a) twice, at positions 0 and 1, even though "
                "one merge can use only one of them (str.count skips overlaps; the rule does not).",
                lambda words: counted(words, pairs_without_overlaps),
                detail="zip(word, word[1:]) yields every adjacent pair, overlapping ones included."),
        Mistake("Count every occurrence in a word, not each different pair once: (a, b, a, b) holds (a, b) twice.",
                lambda words: counted(words, lambda word: set(zip(word, word[1:])))),
    ],
    hint="For each word and its count n, every adjacent pair (word[i], word[i + 1]) adds n.",
    detail="counts = {}; for word, n in words.items(): for pair in zip(word, word[1:]): "
           "counts[pair] = counts.get(pair, 0) + n",
)


# 7.2 — the pair to merge
def first_of_the_most_frequent(counts):
    return max(counts, key=counts.get)


check_most_frequent_pair = Exercise(
    "7.2", "most_frequent_pair", tokens.most_frequent_pair,
    [Case(({(a, b): 2, (b, c): 5, (c, d): 1},)), Case(({(c, d): 3, (a, b): 3, (b, c): 1},)),
     Case(({(b, c): 4, (a, d): 4, (a, c): 4, (d, d): 1},)), Case(({(d, a): 7, (c, a): 7, (256, a): 7, (a, b): 2},)),
     Case(({(b, a): 1},))],
    arg_names=("counts",),
    mistakes=[
        Mistake("On a tie, take the smaller pair (compare first ids, then second ones): max(counts, key=counts.get) "
                "returns whichever tied pair the dict holds first, which depends on the order the pairs were counted.",
                first_of_the_most_frequent,
                detail="max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))"),
        Mistake("On a tie, take the *smaller* pair: max over (count, pair) prefers the larger one. Negate the ids "
                "in the key, (counts[pair], -pair[0], -pair[1]).", lambda counts: max(counts, key=lambda p: (counts[p], p))),
        Mistake("Merge the most frequent pair (max), not the rarest.",
                lambda counts: min(counts, key=lambda p: (counts[p], p))),
    ],
    hint="The pair with the largest count; among equal counts, the smallest pair as a tuple.",
    detail="max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))",
)


# 7.3 — one merge
def overlapping_merge(ids, pair, new_id):
    """Every position that starts the pair emits new_id, the next one too: overlaps merged twice."""
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out.append(new_id)
            i += 1 if i + 2 < len(ids) and (ids[i + 1], ids[i + 2]) == tuple(pair) else 2
        else:
            out.append(ids[i])
            i += 1
    return out


def not_skipping(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == tuple(pair):
            out.append(new_id)
        else:
            out.append(ids[i])
        i += 1
    return out


def right_to_left(ids, pair, new_id):
    return tokens.merge(list(ids)[::-1], tuple(pair)[::-1], new_id)[::-1]


def first_only(ids, pair, new_id):
    ids = list(ids)
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == tuple(pair):
            return ids[:i] + [new_id] + ids[i + 2:]
    return ids


check_merge = Exercise(
    "7.3", "merge", tokens.merge,
    [Case(([a, b], (a, b), 256)), Case(([c], (a, b), 256)), Case(([a, a, a], (a, a), 256)),
     Case(([a, b, c, a, b], (a, b), 256)), Case(([a, a, a, a, b], (a, a), 300)),
     Case(([b, a, b, a, b, a], (a, b), 257)), Case(([1, 12, 1, 1, 12, 1], (1, 1), 256)),
     Case(([256, 97, 256, 256, 97], (256, 97), 258))],
    arg_names=("ids", "pair", "new_id"),
    mistakes=[
        Mistake("After a merge, skip both symbols of the pair (i += 2): the second one is part of the new token.",
                not_skipping, detail="if ids[i] == pair[0] and ids[i + 1] == pair[1]: out.append(new_id); i += 2"),
        Mistake("Merges do not overlap: in (a, a, a) the pair (a, a) merges once, at the left, giving "
                "(new, a); the middle a cannot belong to two tokens.", overlapping_merge),
        Mistake("Read left to right: (a, a, a) merges to (new, a), not (a, new).", right_to_left),
        Mistake("Replace every occurrence of the pair, not only the first.", first_only),
    ],
    hint="Scan the ids from left to right and replace each occurrence of the pair by the new id; "
         "an occurrence consumes both of its ids.",
    detail="Walk along ids with an index i: where ids[i], ids[i + 1] is the pair, emit new_id and step 2; "
           "else emit ids[i] and step 1.",
)


# 7.4 — encoding by merge rank
M = {(b, c): 256, (a, b): 257, (256, d): 258, (a, 256): 259, (257, 257): 260, (d, a): 261}


def corpus_merges():
    return dict(tokens.train("the statement is the statement, and the state is stated", 270, progress=False).merges)


def leftmost_first(ids, merges):
    ids = list(ids)
    while True:
        for i, pair in enumerate(zip(ids, ids[1:])):
            if pair in merges:
                ids = ids[:i] + [merges[pair]] + ids[i + 2:]
                break
        else:
            return ids


def latest_first(ids, merges):
    ids = list(ids)
    while True:
        present = [pair for pair in zip(ids, ids[1:]) if pair in merges]
        if not present:
            return ids
        pair = max(present, key=merges.get)
        ids = tokens.merge(ids, pair, merges[pair])


def longest_first(ids, merges):
    vocab = {bytes([i]): i for i in range(256)}
    pieces = {i: bytes([i]) for i in range(256)}
    for (x, y), new_id in merges.items():
        pieces[new_id] = pieces[x] + pieces[y]
        vocab[pieces[new_id]] = new_id
    data, out, i = bytes(ids), [], 0
    while i < len(data):
        j = next(j for j in range(len(data), i, -1) if data[i:j] in vocab)
        out.append(vocab[data[i:j]])
        i = j
    return out


def one_merge(ids, merges):
    ids = list(ids)
    if len(ids) < 2:
        return ids
    pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))
    return tokens.merge(ids, pair, merges[pair]) if pair in merges else ids


check_encode_word = Exercise(
    "7.4", "encode_word", tokens.encode_word,
    lambda: [Case(([a], M)), Case(([c, c], M)), Case(([b, c, d], M)), Case(([a, b, c, d, a, b], M)),
             Case(([b, c, d, a, b, c], M)), Case((list(" statement".encode()), corpus_merges()))],
    arg_names=("ids", "merges"),
    mistakes=[
        Mistake("Merge by rank, not by position: of the pairs present, merge the one learned first (the smallest "
                "new id), wherever it stands — not the leftmost pair that is a merge.", leftmost_first,
                detail="pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))"),
        Mistake("The pair learned *first* (smallest new id) merges first, as in training: use min, not max.",
                latest_first),
        Mistake("BPE does not take the longest token that fits: it replays the merges in the order they were "
                "learned, and that can split a word differently.", longest_first),
        Mistake("Keep merging: after one merge, look at the new pairs again, until no adjacent pair is a merge.",
                one_merge, detail="while len(ids) > 1: pick the lowest-rank pair; stop if it is not in merges; merge it."),
    ],
    hint="Repeat: among the adjacent pairs, take the one with the smallest merges[pair]; stop when none is in "
         "merges; else merge it with your merge().",
    detail="while len(ids) > 1: pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf)); "
           "if pair not in merges: break; ids = merge(ids, pair, merges[pair])",
)


# 7.5 — decoding
class vocab_with:
    """A vocabulary for the decode cases, vocab[i] the bytes of token i: the 256 bytes and the few
    merged tokens given, shown briefly in feedback."""

    def __init__(self, *merged: bytes):
        self.tokens = [bytes([i]) for i in range(256)] + list(merged)

    def __getitem__(self, i):
        return self.tokens[i]

    def __len__(self) -> int:
        return len(self.tokens)

    def __repr__(self) -> str:
        return "vocab(bytes 0-255" + "".join(f", {256 + k}: {t!r}" for k, t in enumerate(self.tokens[256:])) + ")"


def piece_by_piece(ids, vocab, errors="replace"):
    return "".join(vocab[i].decode("utf-8", errors=errors) for i in ids)


check_decode = Exercise(
    "7.5", "decode", tokens.decode,
    [Case(([104, 105], vocab_with())), Case(([256, 33], vocab_with(b"ok"))),
     Case(([99, 97, 102, 195, 169], vocab_with())),                       # "café": é is two bytes
     Case(([256, 257], vocab_with(b"caf\xc3", b"\xa9!"))),                # é split between two tokens
     Case(([256, 257, 258], vocab_with(b"\xe4\xb8", b"\xad\xe6", b"\x96\x87"))),  # 中文, three bytes each
     Case(([256, 128], vocab_with(b"ok"))),                                # a lone continuation byte
     Case(([257, 256, 258, 255], vocab_with(b" \xf0\x9f", b"hi", b"\x98\x80")))],  # an emoji split, a byte 255
    arg_names=("ids", "vocab"),
    mistakes=[
        Mistake("A model can emit any ids, and their bytes need not be valid UTF-8: decode with "
                'errors="replace", which writes U+FFFD (�) for bytes that are not a character.',
                lambda ids, vocab: b"".join(vocab[i] for i in ids).decode("utf-8")),
        Mistake("Join the bytes of all tokens first, then decode once: a character of 2-4 bytes can be split "
                "between tokens, and decoding token by token breaks it.",
                lambda ids, vocab: piece_by_piece(ids, vocab, "strict")),
        Mistake("Join the bytes of all tokens first, then decode once: decoding token by token turns a character "
                "split between tokens into replacement characters (�).", piece_by_piece),
        Mistake("The bytes are UTF-8: latin-1 reads each byte as a character (mojibake such as 'cafÃ©').",
                lambda ids, vocab: b"".join(vocab[i] for i in ids).decode("latin-1")),
        Mistake('errors="ignore" silently drops bytes that are not valid UTF-8: use errors="replace", which '
                "shows them as �.", lambda ids, vocab: b"".join(vocab[i] for i in ids).decode("utf-8", "ignore")),
    ],
    hint="Tokens are byte strings: join all their bytes first, then decode once as UTF-8, so that "
         "a character split across tokens comes back whole.",
    detail='Join the bytes of all the tokens (b"".join(...)), then decode them once, as UTF-8, with errors="replace".',
)


# 7.6 — a loss per token in bits per character
check_bits_per_character = Exercise(
    "7.6", "bits_per_character", tokens.bits_per_character,
    [Case((2.0, 10, "x" * 30)), Case((1.5, 4, "hello world")), Case((4.2, 300, "print('hi')  " * 70)),
     Case((3.0, 12, "我们学习分词")), Case((2.5, 3, "café")), Case((0.7, 1000, "The \"if\" statement is used for conditional execution. " * 50))],
    arg_names=("nats_per_token", "n_tokens", "text"),
    mistakes=[
        Mistake("Convert per token to per character: multiply by the tokens per character, n_tokens / len(text). "
                "A token carries several characters, so bits per token are not bits per character.",
                lambda loss, n, text: loss / math.log(2)),
        Mistake("The ratio is upside down: the total is loss × n_tokens nats, shared by len(text) characters.",
                lambda loss, n, text: loss * len(text) / n / math.log(2)),
        Mistake("Characters, not bytes: len(text), not len(text.encode()). Outside ASCII a character is 2-4 bytes "
                "of UTF-8.", lambda loss, n, text: loss * n / len(text.encode("utf-8")) / math.log(2)),
        Mistake("The loss is in nats: divide by ln 2 for bits (1 bit = ln 2 nats).",
                lambda loss, n, text: loss * n / len(text)),
    ],
    hint="Convert the total information of the text, in nats, into bits, and share it over "
         "characters, not tokens.",
    detail="Total information = nats_per_token × n_tokens nats; per character, divided by len(text); in bits, "
           "divided by ln 2.",
    factors={math.log(2) ** 2: "(ln 2)² times the answer: multiplied by ln 2 where dividing by it is asked?"},
)

EXERCISES = [check_pair_counts, check_most_frequent_pair, check_merge, check_encode_word, check_decode,
             check_bits_per_character]

QUIZ = Quiz(CHAPTER, [
    Question("Why does a byte-level BPE tokenizer never meet an unknown word?", [
        Option("Every text is a sequence of UTF-8 bytes, and all 256 bytes are tokens: at worst a word is "
               "spelled one byte per token", True,
               "Merges only shorten the spelling; the bytes underneath are always there (Radford et al. 2019)."),
        Option("Its vocabulary is trained on so much text that every word of every language made it into the "
               "vocabulary", False,
               "No training text covers all words: names, typos and new words appear every day. The byte "
               "fallback, not the size of the corpus, is what makes every text encodable."),
        Option("It maps any word it does not know to a special <unk> token, whose meaning the model learns in "
               "training", False,
               "That is what word-level vocabularies do (and BERT's WordPiece for unknown characters); byte-level "
               "BPE needs no <unk>, so nothing is lost."),
    ]),
    Question("During training the pairs (a, b) and (b, c) both occur 40 times, more than any other. What does this "
             "chapter's `train` merge?", [
        Option("(a, b), the smaller pair: a fixed rule for ties makes training the same everywhere", True,
               "Hugging Face tokenizers breaks ties by its own numbering of the bytes, which is all that separated "
               "its merges from ours in section 7."),
        Option("Both at once: the three symbols a, b and c become one new token, which saves a merge", False,
               "Each merge joins exactly one pair into one new token; (b, c) may well be merged next."),
        Option("Whichever of the two pairs the dictionary of counts happens to hold first", False,
               "That order depends on the order in which pairs were counted, an accident of the implementation; "
               "a tokenizer should not depend on it."),
    ]),
    Question("A BPE tokenizer has the merges ab → X (learned first) and bc → Y (learned second). How is `abc` "
             "encoded?", [
        Option("X c: the pair learned first, ab, merges first, and (X, c) is not a merge", True,
               "Encoding replays the merges in the order they were learned; the lowest-rank pair present goes first."),
        Option("a Y: the merge at the end of a word is applied before the one at its start", False,
               "Position does not decide; the rank of the merge does."),
        Option("either one, depending on which of the two tokens X and Y holds more bytes", False,
               "BPE does not look at token lengths when encoding, only at the order of the merges."),
    ]),
    Question("The token ids of \"é\" are [X, Y], where X is the byte 0xC3 and Y the byte 0xA9. What does decoding "
             "X alone give?", [
        Option("\"�\": 0xC3 starts a two-byte character and alone is not valid UTF-8", True,
               "Decode the bytes of all tokens joined, once; a streaming decoder holds incomplete bytes back until "
               "the character is complete."),
        Option("\"Ã\", the first half of the character, which the second token then completes", False,
               "That is 0xC3 read as latin-1; UTF-8 has no half characters."),
        Option("\"e\", the letter without its accent, which the second token then adds", False,
               "UTF-8 does not split a letter from its accent this way; é here is one code point, U+00E9, in two "
               "bytes."),
    ]),
    Question("A character model reaches 1.5 bits per character; a BPE model 4.2 bits per token on the same text, at "
             "3 characters per token. Which is better?", [
        Option("The BPE model: 4.2 / 3 = 1.4 bits per character", True,
               "Losses per token cannot be compared across tokenizers; per character of the same text they can."),
        Option("The character model, since its 1.5 bits are far below the BPE model's 4.2", False,
               "A BPE token carries 3 characters, so its loss per token is naturally larger."),
        Option("Neither: models with vocabularies of different sizes cannot be compared at all", False,
               "The vocabulary size does not matter once both losses are per character of the same text: they "
               "then measure the same thing, the information of that text."),
    ]),
    Question("Going from 96 characters to 1,024 BPE tokens, what does the chapter's GPT (width 64) pay?", [
        Option("a larger embedding and tied output layer: 1,024 × 64 weights instead of 96 × 64", True,
               "The body is unchanged; the vocabulary costs V·d parameters and 2·V·d FLOPs per token forward, "
               "which a shorter sequence repays."),
        Option("nothing at all: the size of the vocabulary changes the tokenizer, never the model", False,
               "The model has one embedding row and one output logit per token of the vocabulary."),
        Option("a shorter reach: 64 BPE tokens of context hold fewer characters than 64 characters", False,
               "The other way round: 64 BPE tokens reach about three times as many characters."),
    ]),
    Question("Why do tokens like \"SolidGoldMagikarp\" make a large model behave strangely?", [
        Option("They were (almost) never in the model's training data, so their embeddings never learned a "
               "meaning of their own (under-trained)", True,
               "Rumbelow & Watkins (2023); section 10 finds such rows in our GPT, pushed together into one "
               "direction where the model cannot tell them apart."),
        Option("They are longer than the model's context, so the model only ever sees part of them", False,
               "A token is one position of the context, however many characters it stands for."),
        Option("Each time the text is encoded, they are split into their bytes in a different way", False,
               "Encoding is deterministic: the same text always gives the same ids."),
    ]),
])
