"""course_lib.lm.bpe_libraries: our BPE against tiktoken and Hugging Face tokenizers, offline."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lm import bpe_libraries as libs
from course_lib.lm import text, tokens


@pytest.fixture(scope="module")
def training_text():
    return text.split(text.corpus())[0]


@pytest.fixture(scope="module")
def bpe(training_text):
    return tokens.train(training_text, 1024, progress=False)


@pytest.fixture(scope="module")
def encoding(bpe):
    return libs.tiktoken_encoding(bpe)


def hf_byte_order():
    stand_ins = libs.byte_stand_ins()
    return sorted(range(256), key=lambda b: stand_ins[b])


def test_the_stand_ins_are_gpt2s_and_those_of_hugging_faces_byte_level_alphabet():
    from tokenizers import pre_tokenizers
    stand_ins = libs.byte_stand_ins()
    assert len(set(stand_ins.values())) == 256 and stand_ins[ord("a")] == "a" and stand_ins[ord(" ")] == "Ġ"
    assert set(stand_ins.values()) == set(pre_tokenizers.ByteLevel.alphabet())


def test_our_pattern_cuts_the_corpus_as_tiktokens_gpt2_pattern_does():
    import regex
    from tiktoken_ext.openai_public import r50k_pat_str
    for whole in (text.corpus(), text.help_text()):
        assert regex.findall(r50k_pat_str, whole) == tokens.pretokenize(whole)


def test_tiktoken_gives_our_ids_on_the_corpus_in_both_versions(bpe, encoding):
    for whole in (text.corpus(), text.help_text(), "我们用一台笔记本电脑训练一个小语言模型。"):
        ids = bpe.encode(whole)
        assert encoding.encode_ordinary(whole) == ids and encoding.decode(ids) == whole


@given(st.text())
@settings(max_examples=300, deadline=None)
def test_tiktoken_gives_our_ids_on_any_text(bpe, encoding, sample):
    assert encoding.encode_ordinary(sample) == bpe.encode(sample)


def test_hugging_face_learns_our_merges_once_ties_are_broken_in_its_byte_order(training_text):
    hf = libs.hf_train(training_text, 1024)
    ours = tokens.train(training_text, 1024, progress=False, byte_order=hf_byte_order())
    assert libs.hf_merges(hf) == libs.merge_bytes(ours)
    vocab = libs.hf_vocab(hf)
    assert all(vocab[k] == bytes([b]) for k, b in enumerate(hf_byte_order()))  # its ids of the 256 bytes
    encoded = hf.encode(text.corpus())
    assert [vocab[i] for i in encoded.ids] == [ours.vocab[i] for i in ours.encode(text.corpus())]
    assert hf.decode(encoded.ids) == text.corpus()


def test_with_our_byte_order_the_merges_differ_only_within_ties(training_text, bpe):
    hf_merges, ours = libs.hf_merges(libs.hf_train(training_text, 1024)), libs.merge_bytes(bpe)
    assert hf_merges != ours and len(set(hf_merges) & set(ours)) >= 0.99 * len(ours)
    first = next(k for k, (a, b) in enumerate(zip(ours, hf_merges)) if a != b)
    later = ours.index(hf_merges[first])  # the pair Hugging Face took there, we took later ...
    assert bpe.counts[later] == bpe.counts[first]  # ... at the same count: a tie


def test_hugging_face_training_is_the_same_every_time(training_text):
    assert libs.hf_merges(libs.hf_train(training_text[:50_000], 400)) == \
        libs.hf_merges(libs.hf_train(training_text[:50_000], 400))


def test_timed_returns_the_result_and_the_fastest_time():
    result, seconds = libs.timed(sorted, [3, 1, 2], repeats=2)
    assert result == [1, 2, 3] and 0 <= seconds < 1


@pytest.mark.parametrize("call, error, message", [
    (lambda: libs.tiktoken_encoding("gpt2"), TypeError, "course_lib.lm.tokens.BPE"),
    (lambda: libs.hf_train("", 300), ValueError, "non-empty string"),
    (lambda: libs.hf_train("abc", 10), ValueError, "at least 256"),
    (lambda: libs.timed(sorted, [1], repeats=0), ValueError, "positive integer"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
