"""The corpus, the split, the character tokenizer and the batches."""
import hashlib
import sys

import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from course_lib.lm import text


def test_the_corpus_is_the_shipped_help_text_of_python_3_11_7_on_every_python():
    shipped = text.HELP_TEXT.read_bytes()
    assert hashlib.sha256(shipped).hexdigest() == "2a95af4ac93f5b719944030ce3769070ddf827d847cba42192afa8da989e5dc4"
    assert len(text.help_text()) == 465_048 and len(text.corpus()) == 465_090  # "..." for each ellipsis
    corpus = text.corpus()
    assert 'The "if" statement' in corpus and "def " in corpus
    assert set(corpus) <= set(text.VOCABULARY)
    assert "PYTHON SOFTWARE FOUNDATION LICENSE VERSION 2" in text.HELP_TEXT.with_name("pydoc_topics.LICENSE.txt").read_text()


# Chapter 06 says why: each release's own help text has another length (measured on 3.10.13,
# 3.11.7, 3.12.1 and 3.13.0; other patch releases differ by a little).
OWN_HELP_TEXT = {(3, 10): 458_995, (3, 11): 465_048, (3, 12): 492_233, (3, 13): 510_664}


@pytest.mark.skipif(sys.version_info[:2] not in OWN_HELP_TEXT, reason="measured for Python 3.10-3.13")
def test_each_python_ships_its_own_help_text_of_another_length():
    from pydoc_data.topics import topics
    own = "\n".join(topics[name] for name in sorted(topics))
    assert len(own) == pytest.approx(OWN_HELP_TEXT[sys.version_info[:2]], rel=0.02)
    assert min(OWN_HELP_TEXT.values()) == pytest.approx(459_000, abs=500)  # the chapter's "about 459,000"
    assert max(OWN_HELP_TEXT.values()) == pytest.approx(511_000, abs=500)  # and "511,000"


def test_the_vocabulary_is_the_newline_and_printable_ascii():
    assert len(text.VOCABULARY) == 96 == len(set(text.VOCABULARY))
    assert text.VOCABULARY[0] == "\n" and text.VOCABULARY[1] == " " and text.VOCABULARY[-1] == "~"


def test_typography_becomes_ascii():
    assert "“quoted” – it’s…".translate(text.TYPOGRAPHY) == "\"quoted\" - it's..."


def test_the_split_keeps_the_last_tenth_for_validation():
    train, validation = text.split("abcdefghij" * 10)
    assert train + validation == "abcdefghij" * 10 and len(validation) == 10


@given(st.text(alphabet=st.sampled_from(text.VOCABULARY), max_size=200))
def test_decode_inverts_encode(sample):
    tokenizer = text.Tokenizer()
    ids = tokenizer.encode(sample)
    assert tokenizer.decode(ids) == sample
    assert all(0 <= i < 96 for i in ids)


def test_ids_are_positions_in_the_vocabulary():
    tokenizer = text.Tokenizer("abc")
    assert tokenizer.encode("cab") == [2, 0, 1]
    assert tokenizer.decode(torch.tensor([1, 1, 0])) == "bba"
    assert tokenizer.vocab_size == 3 and repr(tokenizer) == "Tokenizer(3 characters)"


def test_batches_are_windows_and_their_next_characters():
    ids = torch.arange(100)
    x, y = next(text.batches(ids, block_size=8, batch_size=4, seed=1))
    assert x.shape == y.shape == (4, 8)
    assert torch.equal(y, x + 1)  # every target is the token after its input
    assert torch.equal(x[:, 1:], x[:, :-1] + 1)  # contiguous windows
    again = next(text.batches(ids, block_size=8, batch_size=4, seed=1))
    assert torch.equal(again[0], x)  # a seed fixes the batches


def test_windows_cover_every_target_once():
    x, y = text.windows(torch.arange(21), block_size=5)
    assert x.shape == (4, 5) and torch.equal(y.flatten(), torch.arange(1, 21))


def test_the_dataset_is_the_corpus_tokenized():
    data = text.dataset()
    train, validation = text.split(text.corpus())
    assert data.tokenizer.decode(data.train[:50]) == train[:50]
    assert len(data.train) == len(train) and len(data.validation) == len(validation)


@pytest.mark.parametrize("call, error, message", [
    (lambda: text.Tokenizer("abca"), ValueError, "twice"),
    (lambda: text.Tokenizer(""), ValueError, "non-empty string"),
    (lambda: text.Tokenizer("ab").encode("abc"), ValueError, "not in the vocabulary: 'c'"),
    (lambda: text.Tokenizer("ab").encode(["a"]), TypeError, "takes a string"),
    (lambda: text.Tokenizer("ab").decode([0, 2]), ValueError, r"integers in \[0, 2\)"),
    (lambda: text.split("abc", 1.5), ValueError, "between 0 and 1"),
    (lambda: text.split("", 0.1), ValueError, "at least 2 characters"),
    (lambda: next(text.batches(torch.arange(5), 8, 2)), ValueError, "longer than block_size=8"),
    (lambda: next(text.batches(torch.arange(50), 8, 0)), ValueError, "batch_size must be a positive integer"),
    (lambda: text.windows(torch.arange(5), 8), ValueError, "longer than block_size=8"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
