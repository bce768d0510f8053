"""The GPT model: the released GPT-2 sizes, causality, and the checks on its configuration."""
import pytest
import torch

import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.lm import gpt
from course_lib.lm.gpt import GPT, GPT2, GPTConfig


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


@settings(deadline=None, max_examples=25)
@given(st.integers(1, 3), st.integers(1, 4), st.integers(1, 12), st.integers(1, 16), st.integers(0, 10**6))
def test_attention_from_scratch_matches_the_fused_kernel(batch, heads, T, d, seed):
    q, k, v = torch.randn(3, batch, heads, T, d, generator=torch.Generator().manual_seed(seed)).unbind(0)
    ours = gpt.causal_attention(q, k, v)
    assert torch.allclose(ours, F.scaled_dot_product_attention(q, k, v, is_causal=True), atol=1e-5)


def test_attention_weights_are_causal_distributions():
    q, k = torch.randn(2, 7, 5).unbind(0)
    weights = gpt.attention_weights(q, k)
    assert torch.allclose(weights.sum(dim=-1), torch.ones(7))
    assert (weights.triu(diagonal=1) == 0).all() and weights[0, 0] == 1.0


def test_splitting_and_merging_heads_are_inverse():
    x = torch.arange(2 * 3 * 8, dtype=torch.float32).view(2, 3, 8)
    heads = gpt.split_heads(x, 4)
    assert heads.shape == (2, 4, 3, 2) and torch.equal(heads[0, 1, 0], x[0, 0, 2:4])
    assert torch.equal(gpt.merge_heads(heads), x)


def test_the_layer_computes_the_attention_its_weights_describe():
    torch.manual_seed(0)
    config = GPTConfig(vocab_size=11, block_size=8, n_layer=1, n_head=2, n_embd=16)
    layer = gpt.CausalSelfAttention(config).eval()
    x = torch.randn(3, 8, 16)
    _, _, v = layer.heads(x)
    by_hand = layer.proj(gpt.merge_heads(layer.weights(x) @ v))
    assert torch.allclose(by_hand, layer(x), atol=1e-6)


def test_attention_maps_has_one_map_per_layer_and_head():
    model = GPT(GPTConfig(vocab_size=11, block_size=8, n_layer=3, n_head=2, n_embd=16))
    maps = model.attention_maps(torch.randint(0, 11, (2, 6)))
    assert len(maps) == 3 and all(m.shape == (2, 2, 6, 6) for m in maps)
    assert model.block_size == 8


def test_raw_scores_are_small_at_initialisation_and_the_spread_rejects_a_missing_layer():
    torch.manual_seed(0)
    model = GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=2, n_head=2, n_embd=32))
    idx = torch.randint(0, 20, (2, 16))
    spread = model.raw_score_spread(idx, layer=1)
    assert 0 < model.raw_score_spread(idx) < 0.5 and 0 < spread < 0.5
    with pytest.raises(ValueError, match="layer must be between 0 and 1"):
        model.raw_score_spread(idx, layer=2)


def test_the_exact_gelu_is_within_1e_3_of_gpt2s_tanh_approximation():
    x = torch.linspace(-8, 8, 20001, dtype=torch.float64)
    assert (F.gelu(x) - F.gelu(x, approximate="tanh")).abs().max() < 1e-3
