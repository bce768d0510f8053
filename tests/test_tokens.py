"""course_lib.lm.tokens: byte-level BPE from scratch — its parts, its training, exact round trips."""
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lm import text, tokens

CHINESE = "我们用一台笔记本电脑训练一个小语言模型。"


@pytest.fixture(scope="module")
def corpus():
    return text.corpus()


@pytest.fixture(scope="module")
def bpe(corpus):
    """The chapter's tokenizer: 1,024 tokens learned from the training part of the corpus."""
    return tokens.train(text.split(corpus)[0], 1024, progress=False)


def naive_train(sample, vocab_size, choose=tokens.most_frequent_pair):
    """Training as the chapter first writes it: recount every pair over the words after each merge."""
    words, merges = dict(tokens.word_counts(sample)), {}
    for new_id in range(256, vocab_size):
        pair = choose(tokens.pair_counts(words))
        merges[pair] = new_id
        words = {tuple(tokens.merge(word, pair, new_id)): n for word, n in words.items()}
    return merges


def test_pretokens_are_the_text_cut_into_words_with_their_leading_space():
    assert tokens.pretokenize("The cat's 2 hats:  done!\n") == \
        ["The", " cat", "'s", " 2", " hats", ":", " ", " done", "!", "\n"]
    assert tokens.pretokenize("x = f(10)") == ["x", " =", " f", "(", "10", ")"]


@given(st.text())
@settings(max_examples=200, deadline=None)
def test_pretokens_join_back_to_the_text(sample):
    assert "".join(tokens.pretokenize(sample)) == sample


def test_the_corpus_has_the_pre_tokens_the_module_says(corpus):
    pieces = tokens.pretokenize(corpus)
    assert 95_000 < len(pieces) < 105_000 and 5_500 < len(set(pieces)) < 6_500 and 460_000 < len(corpus) < 470_000


def test_pairs_are_counted_inside_words_at_every_position_with_the_word_counts():
    words = {(97, 97, 97): 2, (97, 98): 1, (98,): 5}
    assert tokens.pair_counts(words) == {(97, 97): 4, (97, 98): 1}
    assert tokens.word_counts("ab ab a") == {(97, 98): 1, (32, 97, 98): 1, (32, 97): 1}


def test_merge_reads_left_to_right_without_overlaps():
    assert tokens.merge([97, 97, 97], (97, 97), 256) == [256, 97]
    assert tokens.merge([1, 2, 3, 1, 2], (1, 2), 9) == [9, 3, 9]
    assert tokens.merge([], (1, 2), 9) == []


def test_the_most_frequent_pair_breaks_ties_towards_the_smaller_pair():
    assert tokens.most_frequent_pair({(5, 1): 3, (2, 9): 3, (2, 4): 3, (0, 0): 1}) == (2, 4)
    with pytest.raises(ValueError, match="no pairs"):
        tokens.most_frequent_pair({})


def test_encoding_merges_the_pair_learned_first_wherever_it_stands():
    merges = {(98, 99): 256, (97, 98): 257}
    assert tokens.encode_word([97, 98, 99], merges) == [97, 256]  # bc first, although ab is on the left
    assert tokens.encode_word([97, 98], merges) == [257]
    assert tokens.encode_word([], merges) == []


def test_fast_training_equals_recounting_every_pair_after_every_merge(corpus):
    sample = corpus[:20_000]
    assert tokens.train(sample, 400, progress=False).merges == naive_train(sample, 400)


def test_training_with_another_byte_order_breaks_ties_by_that_order(corpus):
    sample = corpus[:20_000]
    order = list(range(255, -1, -1))  # bytes ranked from 255 down

    def choose(counts):
        place = {b: k for k, b in enumerate(order)}
        rank = lambda i: place.get(i, i)  # noqa: E731 (merged tokens keep their ids)
        return max(counts, key=lambda p: (counts[p], -rank(p[0]), -rank(p[1])))
    fast = tokens.train(sample, 330, progress=False, byte_order=order).merges
    assert fast == naive_train(sample, 330, choose) != naive_train(sample, 330)


def test_a_shorter_training_is_a_prefix_of_a_longer_one(corpus, bpe):
    shorter = tokens.train(text.split(corpus)[0], 512, progress=False)
    assert shorter.merges == bpe.truncated(512).merges and shorter.counts == bpe.counts[:256]


def test_training_stops_when_every_word_is_one_token():
    small = tokens.train("ab ab", 1000, progress=False)
    assert small.vocab_size == 258 and small.encode("ab ab") == [256, 257]


def test_merge_counts_fall_and_tokens_are_their_parts_joined(bpe):
    assert bpe.counts == sorted(bpe.counts, reverse=True)
    for (left, right), new_id in bpe.merges.items():
        assert bpe.vocab[new_id] == bpe.vocab[left] + bpe.vocab[right]
    assert len(set(bpe.vocab)) == bpe.vocab_size  # no two tokens stand for the same bytes


def test_training_is_the_same_whatever_the_hash_seed(corpus):
    code = ("from course_lib.lm import text, tokens; "
            "print(hash(tuple(tokens.train(text.corpus()[:30_000], 400, progress=False).merges.items())))")
    runs = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": seed, "PATH": ""}).stdout for seed in ("1", "2")}
    assert len(runs) == 1


def test_the_round_trip_is_exact_on_the_whole_corpus_in_both_versions(corpus, bpe):
    for whole in (corpus, text.help_text(), CHINESE):
        assert bpe.decode(bpe.encode(whole)) == whole
    assert len(bpe.encode(CHINESE)) == len(CHINESE.encode())  # never seen: one token per byte


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_the_round_trip_is_exact_on_any_text(bpe, sample):
    assert bpe.decode(bpe.encode(sample)) == sample


@given(st.text(alphabet=st.characters(min_codepoint=0x80, exclude_categories=["Cs"])))
@settings(max_examples=100, deadline=None)
def test_the_round_trip_is_exact_on_text_without_any_ascii(bpe, sample):
    ids = bpe.encode(sample)
    assert bpe.decode(ids) == sample and len(ids) >= len(sample)


@given(st.binary())
@settings(max_examples=300, deadline=None)
def test_merging_loses_no_byte_of_any_byte_string(bpe, data):
    assert bpe.token_bytes(tokens.encode_word(data, bpe.merges)) == data


@given(st.binary())
@settings(max_examples=200, deadline=None)
def test_random_bytes_decode_with_replacement_characters_that_then_round_trip(bpe, data):
    decoded = data.decode("utf-8", errors="replace")
    assert tokens.decode(list(data), bpe.vocab) == decoded
    assert bpe.decode(bpe.encode(decoded)) == decoded


def test_a_character_split_between_tokens_is_decoded_whole_and_a_lone_byte_is_replaced(bpe):
    ids = bpe.encode("é")
    assert len(ids) == 2 and bpe.decode(ids) == "é" and bpe.decode(ids[:1]) == "\ufffd"


def test_pieces_show_each_token(bpe):
    assert "".join(bpe.pieces("The statement")) == "The statement"
    assert bpe.pieces("é") == ["\ufffd", "\ufffd"]


def test_mergeable_ranks_give_every_token_its_id(bpe):
    ranks = bpe.mergeable_ranks()
    assert len(ranks) == bpe.vocab_size and all(ranks[bpe.vocab[i]] == i for i in range(bpe.vocab_size))


def test_bits_per_character():
    assert tokens.bits_per_character(math.log(2), 10, "x" * 10) == pytest.approx(1.0)
    assert tokens.bits_per_character(3.0, 10, "x" * 30) == pytest.approx(1 / math.log(2))


@pytest.mark.parametrize("call, error, message", [
    (lambda bpe: bpe.encode(b"bytes"), TypeError, "encode takes a string"),
    (lambda bpe: bpe.encode("ok \ud800"), ValueError, "'\\\\ud800', a lone surrogate"),
    (lambda bpe: bpe.decode([0, 5000]), ValueError, r"token ids must be integers in \[0, 1024\)"),
    (lambda bpe: bpe.decode([1.5]), ValueError, "token ids must be integers"),
    (lambda bpe: bpe.truncated(100), ValueError, "from 256 to 1024"),
    (lambda bpe: bpe.truncated(2000), ValueError, "from 256 to 1024"),
    (lambda bpe: tokens.train("", 300), ValueError, "non-empty string"),
    (lambda bpe: tokens.train("abc", 100), ValueError, "at least 256"),
    (lambda bpe: tokens.train("abc", 300, byte_order=[1, 2]), ValueError, "each of the 256 byte values once"),
    (lambda bpe: tokens.pretokenize(None), TypeError, "pretokenize takes a string"),
    (lambda bpe: tokens.BPE({(97, 98): 300}), ValueError, "must make token 256"),
    (lambda bpe: tokens.BPE({(97, 256): 256}), ValueError, "a pair of earlier token ids"),
    (lambda bpe: tokens.bits_per_character(1.0, 0, "abc"), ValueError, "positive integer"),
    (lambda bpe: tokens.bits_per_character(1.0, 3, ""), ValueError, "non-empty string"),
])
def test_bad_input_gets_a_clear_message(bpe, call, error, message):
    with pytest.raises(error, match=message):
        call(bpe)


def test_labels_show_spaces_newlines_and_bytes_outside_ascii():
    assert tokens.label(b" if\n") == "␣if↵"
    assert tokens.label("é".encode()) == "‹c3›‹a9›"


def test_the_widget_shows_the_tokens_and_follows_the_vocabulary_slider(bpe):
    explorer = tokens.explorer(bpe, "The statement 12345")
    assert "image/png" in explorer.static_view()
    text_box, slider = explorer.widget.children[:2]
    slider.value = 256
    assert summary(explorer).startswith("19 characters, 19 bytes -> 19 tokens")
    slider.value = 1024
    assert int(summary(explorer).split("-> ")[1].split()[0]) < 10
    assert "␣statement" in explorer.static_view()["text/plain"].splitlines()[1]
    text_box.value = ""
    assert summary(explorer) == "type a text"


def test_the_widget_starts_at_the_chapters_vocabulary_size(corpus, bpe):
    larger = tokens.train(text.split(corpus)[0], 1536, progress=False)
    assert tokens.explorer(larger, "x").values["vocab_size"] == 1024
    assert tokens.explorer(larger, "x", start=512).values["vocab_size"] == 512
    assert tokens.explorer(bpe.truncated(512), "x").values["vocab_size"] == 512


def summary(explorer) -> str:
    return explorer.static_view()["text/plain"].splitlines()[0]
