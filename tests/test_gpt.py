"""The GPT model: the released GPT-2 sizes, causality, and the checks on its configuration."""
import pytest
import torch

from course_lib.gpt import GPT, GPT2, GPTConfig


@pytest.mark.parametrize("name, total", [("gpt2", 124_439_808), ("gpt2-medium", 354_823_168),
                                         ("gpt2-large", 774_030_080), ("gpt2-xl", 1_557_611_200)])
def test_the_released_gpt2_models_have_their_published_parameter_counts(name, total):
    with torch.device("meta"):
        model = GPT(GPT2[name])
    assert model.num_parameters() == total


def test_the_model_is_causal_and_returns_a_loss():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=16)).eval()
    idx = torch.randint(0, 11, (2, 8))
    logits, loss = model(idx, idx)
    changed = idx.clone()
    changed[:, 5] = (changed[:, 5] + 1) % 11
    assert torch.allclose(logits[:, :5], model(changed)[0][:, :5])  # the future cannot leak backwards
    assert logits.shape == (2, 8, 11) and loss.item() > 0


@pytest.mark.parametrize("kwargs, message", [
    ({"n_head": 3}, "must divide n_embd"), ({"n_layer": 0}, "n_layer must be a positive integer"),
    ({"n_layer": 2.5}, "n_layer must be a positive integer"), ({"dropout": 1.0}, "dropout")])
def test_nonsense_configurations_are_rejected(kwargs, message):
    with pytest.raises(ValueError, match=message):
        GPTConfig(**({"vocab_size": 11, "block_size": 8, "n_layer": 2, "n_head": 2, "n_embd": 16} | kwargs))


def test_a_too_long_sequence_is_rejected():
    model = GPT(GPTConfig(vocab_size=11, block_size=4, n_layer=1, n_head=1, n_embd=8))
    with pytest.raises(ValueError, match="longer than block_size=4"):
        model(torch.zeros(1, 5, dtype=torch.long))
