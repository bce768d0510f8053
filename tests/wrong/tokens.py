"""Chapter 07: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math
from collections import Counter

from course_lib.exercises import tokens as checks
from tests.wrong import Wrong


# 7.1 pair_counts
def pairs_no_return(words):
    counts = Counter()
    for word, n in words.items():
        for pair in zip(word, word[1:]):
            counts[pair] += n


def pairs_most_common(words):
    counts = Counter()
    for word, n in words.items():
        for pair in zip(word, word[1:]):
            counts[pair] += n
    return counts.most_common()


def pairs_reversed(words):
    counts = Counter()
    for word, n in words.items():
        for pair in zip(word[1:], word):
            counts[pair] += n
    return counts


def pairs_last_one_missed(words):
    counts = Counter()
    for word, n in words.items():
        for i in range(len(word) - 2):
            counts[(word[i], word[i + 1])] += n
    return counts


def pairs_plain_dict(words):
    counts = {}
    for word, n in words.items():
        for pair in zip(word, word[1:]):
            counts[pair] += n
    return counts


# 7.2 most_frequent_pair
def pair_returns_count(counts):
    return max(counts.values())


def pair_with_its_count(counts):
    return max(counts.items(), key=lambda item: (item[1], -item[0][0], -item[0][1]))


def pair_no_return(counts):
    best = max(counts, key=lambda pair: (counts[pair], -pair[0], -pair[1]))  # noqa: F841


def pair_largest_ids(counts):
    return max(counts)


# 7.3 merge
def merge_no_return(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1


def merge_generator(ids, pair, new_id):
    i = 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
            yield new_id
            i += 2
        else:
            yield ids[i]
            i += 1


def merge_by_string_replace(ids, pair, new_id):
    text = " ".join(map(str, ids)).replace(f"{pair[0]} {pair[1]}", str(new_id))
    return [int(part) for part in text.split()]


def merge_drops_the_last(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids) - 1:
        if (ids[i], ids[i + 1]) == pair:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


def merge_reads_past_the_end(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


# 7.4 encode_word
def encode_merges_in_sorted_order(ids, merges):
    ids = list(ids)
    for pair in sorted(merges):
        ids = checks.tokens.merge(ids, pair, merges[pair])
    return ids


def encode_without_a_stop(ids, merges):
    ids = list(ids)
    while len(ids) > 1:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))
        ids = checks.tokens.merge(ids, pair, merges[pair])
    return ids


def encode_no_return(ids, merges):
    ids = list(ids)
    while len(ids) > 1:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, math.inf))
        if pair not in merges:
            break
        ids = checks.tokens.merge(ids, pair, merges[pair])


def encode_one_pass(ids, merges):
    out, i = [], 0
    while i < len(ids):
        if i + 1 < len(ids) and (ids[i], ids[i + 1]) in merges:
            out.append(merges[(ids[i], ids[i + 1])])
            i += 2
        else:
            out.append(ids[i])
            i += 1
    return out


# 7.5 decode
def decode_returns_bytes(ids, vocab):
    return b"".join(vocab[i] for i in ids)


def decode_pieces(ids, vocab):
    return [vocab[i].decode("utf-8", errors="replace") for i in ids]


def decode_str_of_bytes(ids, vocab):
    return str(b"".join(vocab[i] for i in ids))


def decode_ids_as_code_points(ids, vocab):
    return "".join(chr(i) for i in ids)


def decode_no_return(ids, vocab):
    text = b"".join(vocab[i] for i in ids).decode("utf-8", errors="replace")  # noqa: F841


# 7.6 bits_per_character
def bits_log10(loss, n_tokens, text):
    return loss * n_tokens / len(text) / math.log(10)


def bits_times_ln2(loss, n_tokens, text):
    return loss * n_tokens / len(text) * math.log(2)


def bits_no_return(loss, n_tokens, text):
    bits = loss * n_tokens / len(text) / math.log(2)  # noqa: F841


def bits_per_word(loss, n_tokens, text):
    return loss * n_tokens / len(text.split()) / math.log(2)


WRONG = [
    Wrong(checks.check_pair_counts, pairs_no_return, "the counts never returned", "`return`"),
    Wrong(checks.check_pair_counts, pairs_most_common, "counts.most_common(): a list of (pair, count)",
          "a list where a dict is asked"),
    Wrong(checks.check_pair_counts, pairs_reversed, "zip(word[1:], word): each pair written backwards", ""),
    Wrong(checks.check_pair_counts, pairs_last_one_missed, "range(len(word) - 2): the last pair of each word missed",
          ""),
    Wrong(checks.check_pair_counts, pairs_plain_dict, "a plain dict, incremented before the key exists", "KeyError"),
    Wrong(checks.check_most_frequent_pair, pair_returns_count, "the largest count instead of its pair",
          "a number where a tuple of 2 values is asked"),
    Wrong(checks.check_most_frequent_pair, pair_with_its_count, "the (pair, count) item instead of the pair",
          "a tuple where a number is asked"),
    Wrong(checks.check_most_frequent_pair, pair_no_return, "the pair never returned", "`return`"),
    Wrong(checks.check_most_frequent_pair, pair_largest_ids, "max(counts): the largest pair, counts ignored", ""),
    Wrong(checks.check_merge, merge_no_return, "the merged list never returned", "`return`"),
    Wrong(checks.check_merge, merge_generator, "a generator (yield) instead of a list", "a generator where a list"),
    Wrong(checks.check_merge, merge_by_string_replace, "the ids joined into a string and str.replace'd", ""),
    Wrong(checks.check_merge, merge_drops_the_last, "while i < len(ids) - 1: the last id dropped", ""),
    Wrong(checks.check_merge, merge_reads_past_the_end, "ids[i + 1] read without checking i + 1 < len(ids)",
          "IndexError"),
    Wrong(checks.check_encode_word, encode_merges_in_sorted_order, "sorted(merges): by the pairs' ids, not by rank",
          ""),
    Wrong(checks.check_encode_word, encode_without_a_stop, "no stop when the best pair is not a merge", "KeyError"),
    Wrong(checks.check_encode_word, encode_no_return, "the ids never returned", "`return`"),
    Wrong(checks.check_encode_word, encode_one_pass, "one left-to-right pass, merging any pair that is a merge", ""),
    Wrong(checks.check_decode, decode_returns_bytes, "the joined bytes, never decoded", "a bytes where a string"),
    Wrong(checks.check_decode, decode_pieces, "a list of each token's text, never joined", "a list where a string"),
    Wrong(checks.check_decode, decode_str_of_bytes, "str(bytes): the text \"b'...'\"", ""),
    Wrong(checks.check_decode, decode_ids_as_code_points, "chr(id): ids taken for Unicode code points", ""),
    Wrong(checks.check_decode, decode_no_return, "the text never returned", "`return`"),
    Wrong(checks.check_bits_per_character, bits_log10, "divided by ln 10: decimal digits, not bits", "log10"),
    Wrong(checks.check_bits_per_character, bits_times_ln2, "multiplied by ln 2 instead of dividing",
          "multiplied by ln 2 where dividing"),
    Wrong(checks.check_bits_per_character, bits_no_return, "the result never returned", "`return`"),
    Wrong(checks.check_bits_per_character, bits_per_word, "divided by the number of words, not characters", ""),
]
