"""Chapter 07: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math
from collections import Counter

import pytest

from course_lib.exercises import tokens as checks
from course_lib.machinery.exercise import ExerciseCrashed
from tests.contract import contract_tests


# 7.1 — wrong pair counts
def pairs_per_word_once(words):
    counts = Counter()
    for word in words:
        counts.update(zip(word, word[1:]))
    return counts


def pairs_of_the_whole_stream(words):
    stream = []
    for word, n in words.items():
        stream += list(word) * n
    return Counter(zip(stream, stream[1:]))


def pairs_like_str_count(words):
    counts = Counter()
    for word, n in words.items():
        i = 0
        while i < len(word) - 1:
            pair = (word[i], word[i + 1])
            counts[pair] += n
            i += 2 if i + 2 < len(word) and word[i + 2] == word[i + 1] == word[i] else 1
    return counts


def pairs_as_a_set(words):
    counts = Counter()
    for word, n in words.items():
        for pair in set(zip(word, word[1:])):
            counts[pair] += n
    return counts


# 7.2 — wrong choices of the pair
def pair_first_in_dict(counts):
    return max(counts, key=counts.get)


def pair_larger_on_tie(counts):
    return max(counts, key=lambda pair: (counts[pair], pair))


def pair_rarest(counts):
    return min(counts, key=counts.get)


# 7.3 — wrong merges
def merge_without_skipping(ids, pair, new_id):
    out, i = [], 0
    while i < len(ids):
        if i < len(ids) - 1 and ids[i] == pair[0] and ids[i + 1] == pair[1]:
            out.append(new_id)
        else:
            out.append(ids[i])
        i += 1
    return out


def merge_from_the_right(ids, pair, new_id):
    out, i = [], len(ids) - 1
    while i >= 0:
        if i > 0 and ids[i - 1] == pair[0] and ids[i] == pair[1]:
            out.insert(0, new_id)
            i -= 2
        else:
            out.insert(0, ids[i])
            i -= 1
    return out


def merge_first_only(ids, pair, new_id):
    ids = list(ids)
    for i in range(len(ids) - 1):
        if (ids[i], ids[i + 1]) == pair:
            ids[i:i + 2] = [new_id]
            break
    return ids


# 7.4 — wrong encodings
def encode_leftmost_merge_first(ids, merges):
    ids = list(ids)
    changed = True
    while changed:
        changed = False
        for i in range(len(ids) - 1):
            if (ids[i], ids[i + 1]) in merges:
                ids[i:i + 2] = [merges[(ids[i], ids[i + 1])]]
                changed = True
                break
    return ids


def encode_latest_merge_first(ids, merges):
    ids = list(ids)
    while len(ids) > 1:
        pair = max(zip(ids, ids[1:]), key=lambda p: merges.get(p, -1))
        if pair not in merges:
            break
        ids = checks.tokens.merge(ids, pair, merges[pair])
    return ids


def encode_longest_token_first(ids, merges):
    pieces = {i: bytes([i]) for i in range(256)}
    for (x, y), new_id in merges.items():
        pieces[new_id] = pieces[x] + pieces[y]
    ids_of = {piece: i for i, piece in pieces.items()}
    data, out = bytes(ids), []
    while data:
        longest = max((p for p in ids_of if data.startswith(p)), key=len)
        out.append(ids_of[longest])
        data = data[len(longest):]
    return out


def encode_one_merge(ids, merges):
    ids = list(ids)
    ranked = [p for p in zip(ids, ids[1:]) if p in merges]
    if ranked:
        pair = min(ranked, key=merges.get)
        ids = checks.tokens.merge(ids, pair, merges[pair])
    return ids


# 7.5 — wrong decoders
def decode_strict(ids, vocab):
    return b"".join(vocab[i] for i in ids).decode()


def decode_token_by_token(ids, vocab):
    return "".join(vocab[i].decode("utf-8", errors="replace") for i in ids)


def decode_token_by_token_strict(ids, vocab):
    return "".join(vocab[i].decode("utf-8") for i in ids)


def decode_latin1(ids, vocab):
    return b"".join(vocab[i] for i in ids).decode("latin-1")


def decode_ignoring_errors(ids, vocab):
    return b"".join(vocab[i] for i in ids).decode("utf-8", errors="ignore")


# 7.6 — wrong conversions
def bits_per_token(loss, n_tokens, text):
    return loss / math.log(2)


def bits_ratio_inverted(loss, n_tokens, text):
    return loss * len(text) / n_tokens / math.log(2)


def bits_per_byte(loss, n_tokens, text):
    return loss * n_tokens / len(text.encode()) / math.log(2)


def nats_per_character(loss, n_tokens, text):
    return loss * n_tokens / len(text)


CHECKS = {
    checks.check_pair_counts: [
        (pairs_per_word_once, "add the word's count, not 1"),
        (pairs_of_the_whole_stream, "Count pairs inside each word only"),
        (pairs_like_str_count, "Count every position"),
        (pairs_as_a_set, "not each different pair once"),
    ],
    checks.check_most_frequent_pair: [
        (pair_first_in_dict, "On a tie, take the smaller pair"),
        (pair_larger_on_tie, "prefers the larger one"),
        (pair_rarest, "not the rarest"),
    ],
    checks.check_merge: [
        (merge_without_skipping, "skip both symbols"),
        (merge_from_the_right, "Read left to right"),
        (merge_first_only, "not only the first"),
    ],
    checks.check_encode_word: [
        (encode_leftmost_merge_first, "Merge by rank, not by position"),
        (encode_latest_merge_first, "use min, not max"),
        (encode_longest_token_first, "not take the longest token"),
        (encode_one_merge, "Keep merging"),
    ],
    checks.check_decode: [
        (decode_token_by_token, "turns a character split between tokens into replacement characters"),
        (decode_latin1, "latin-1"),
        (decode_ignoring_errors, 'errors="ignore"'),
    ],
    checks.check_bits_per_character: [
        (bits_per_token, "Convert per token to per character"),
        (bits_ratio_inverted, "upside down"),
        (bits_per_byte, "Characters, not bytes"),
        (nats_per_character, "divide by ln 2"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


@pytest.mark.parametrize("wrong, hint", [
    (decode_strict, 'errors="replace"'),
    (decode_token_by_token_strict, "decoding token by token breaks it"),
])
def test_a_decoder_that_raises_on_bad_bytes_is_told_what_to_do(wrong, hint):
    with pytest.raises(ExerciseCrashed, match="UnicodeDecodeError") as caught:
        checks.check_decode(wrong)
    assert hint in str(caught.value)


def test_the_decode_cases_split_characters_between_tokens_and_hold_invalid_bytes():
    joined = [b"".join(case.args[1][i] for i in case.args[0]) for case in checks.check_decode.cases()]
    split = [case for case in checks.check_decode.cases()
             if any(not _valid(case.args[1][i]) for i in case.args[0]) and _valid(b"".join(
                 case.args[1][i] for i in case.args[0]))]
    assert split and any(not _valid(data) for data in joined)
    assert any(ord(char) > 0xFFFF for data in joined for char in data.decode("utf-8", "replace"))  # a 4-byte emoji


def _valid(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def test_the_feedback_shows_a_vocabulary_briefly():
    assert repr(checks.vocab_with(b"ok")) == "vocab(bytes 0-255, 256: b'ok')"
    assert len(checks.vocab_with(b"ok")) == 257


def test_the_numbers_in_the_quiz():
    assert round(4.2 / 3, 1) == 1.4 < 1.5
    assert "\u00e9".encode() == b"\xc3\xa9"
    assert b"\xc3".decode("utf-8", errors="replace") == "\ufffd" and b"\xc3".decode("latin-1") == "Ã"
    merges = {(97, 98): 256, (98, 99): 257}
    assert checks.tokens.encode_word(list(b"abc"), merges) == [256, 99]
    assert checks.tokens.most_frequent_pair({(98, 99): 40, (97, 98): 40}) == (97, 98)
