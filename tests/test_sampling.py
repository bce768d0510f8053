"""Sampling: temperature, top-k, greedy generation, and the generation widget."""
import pytest
import torch

from course_lib.lm import bigram, sampling, text

LOGITS = torch.tensor([2.0, 1.0, 0.0, -1.0])


def test_temperature_one_is_the_softmax_and_lower_temperatures_sharpen():
    assert torch.allclose(sampling.next_token_probs(LOGITS), LOGITS.softmax(0))
    cold, hot = sampling.next_token_probs(LOGITS, 0.5), sampling.next_token_probs(LOGITS, 2.0)
    assert cold[0] > LOGITS.softmax(0)[0] > hot[0]
    assert sampling.next_token_probs(LOGITS, 0).tolist() == [1.0, 0.0, 0.0, 0.0]  # temperature 0: greedy


def test_top_k_keeps_the_k_most_likely_and_renormalises():
    probs = sampling.next_token_probs(LOGITS, 1.0, top_k=2)
    assert probs[2:].tolist() == [0.0, 0.0] and probs.sum().item() == pytest.approx(1.0)
    assert torch.allclose(probs[:2], LOGITS[:2].softmax(0))
    assert torch.allclose(sampling.next_token_probs(LOGITS, 1.0, top_k=10), LOGITS.softmax(0))


def counting_model():
    """A bigram on 0 1 2 3 0 1 2 3 ...: it has learned to count modulo 4."""
    return bigram.Bigram(bigram.counts(torch.arange(400) % 4, 4), smoothing=0.01)


def test_greedy_generation_follows_the_most_likely_path_and_ignores_the_seed():
    idx = sampling.generate(counting_model(), torch.tensor([[0]]), 7, temperature=0)
    assert idx.tolist() == [[0, 1, 2, 3, 0, 1, 2, 3]]
    assert torch.equal(sampling.generate(counting_model(), torch.tensor([[0]]), 7, temperature=0, seed=5), idx)


def test_a_seed_makes_a_sample_reproducible():
    model = bigram.Bigram(bigram.counts(torch.randint(0, 6, (300,), generator=torch.Generator().manual_seed(0)), 6))
    first = sampling.generate(model, torch.tensor([[0]]), 30, seed=3)
    assert torch.equal(first, sampling.generate(model, torch.tensor([[0]]), 30, seed=3))
    assert not torch.equal(first, sampling.generate(model, torch.tensor([[0]]), 30, seed=4))


def test_complete_returns_the_prompt_and_its_continuation():
    tokenizer = text.Tokenizer("abcd")
    assert sampling.complete(counting_model(), tokenizer, "ab", length=5, temperature=0) == "abcdabc"


def test_the_explorer_redraws_when_a_control_moves(capsys):
    tokenizer = text.Tokenizer("abcd")
    explorer = sampling.explorer(counting_model(), tokenizer, prompt="a", length=6)
    prompt, temperature = explorer.widget.children[0], explorer.widget.children[1]
    capsys.readouterr()
    temperature.value = 0.0
    assert "abcdabc" in capsys.readouterr().out.splitlines()
    prompt.value = "ax"
    assert "not in the vocabulary: 'x'" in capsys.readouterr().out
    prompt.value = ""
    assert "type a prompt" in capsys.readouterr().out



def test_the_explorer_shows_whole_labels_and_greys_out_what_greedy_ignores():
    explorer = sampling.explorer(counting_model(), text.Tokenizer("abcd"), prompt="a", length=6)
    _, temperature, top_k, seed = explorer.widget.children[:4]
    assert all(c.style.description_width == "initial" for c in (temperature, top_k, seed))
    temperature.value = 0.0
    assert top_k.disabled and seed.disabled
    temperature.value = 0.8
    assert not top_k.disabled and not seed.disabled


@pytest.mark.parametrize("call, error, message", [
    (lambda: sampling.next_token_probs(LOGITS, -1.0), ValueError, "temperature must be a number >= 0"),
    (lambda: sampling.next_token_probs(LOGITS, 1.0, top_k=0), ValueError, "top_k must be None or a positive"),
    (lambda: sampling.next_token_probs([1.0, 2.0]), TypeError, "logits must be a tensor"),
    (lambda: sampling.generate(counting_model(), torch.tensor([0]), 3), ValueError, r"\(batch, time\)"),
    (lambda: sampling.generate(counting_model(), torch.tensor([[0]]), -1), ValueError, "max_new_tokens"),
    (lambda: sampling.complete(counting_model(), text.Tokenizer("abcd"), ""), ValueError, "non-empty"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
