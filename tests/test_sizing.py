"""The sizing formulas against PyTorch: parameters, FLOPs, bytes; and what they reject."""
import math

import pytest
import torch
import torch.nn as nn
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.scale import measure, sizing
from course_lib.scale.decoder import LLAMA2, Decoder, DecoderConfig
from course_lib.lm.gpt import GPT, GPT2, GPTConfig

FAST = settings(max_examples=40, deadline=None)
sizes = st.integers(1, 4096)
heads = st.sampled_from([1, 2, 3, 4, 8, 12, 16])


def on_meta(build, *args, **kwargs):
    with torch.device("meta"):
        return measure.parameters(build(*args, **kwargs))


@FAST
@given(n_in=sizes, n_out=sizes, bias=st.booleans())
def test_linear_matches_torch(n_in, n_out, bias):
    assert sizing.linear_params(n_in, n_out, bias) == on_meta(nn.Linear, n_in, n_out, bias=bias)


@FAST
@given(rows=st.integers(1, 100_000), d=sizes)
def test_embedding_matches_torch(rows, d):
    assert sizing.embedding_params(rows, d) == on_meta(nn.Embedding, rows, d)


@FAST
@given(d=sizes, bias=st.booleans())
def test_layer_norm_matches_torch(d, bias):
    assert sizing.layer_norm_params(d, bias) == on_meta(nn.LayerNorm, d, bias=bias)


@FAST
@given(n_head=heads, per_head=st.integers(1, 128), bias=st.booleans())
def test_attention_matches_torch_multihead_attention(n_head, per_head, bias):
    d = n_head * per_head
    assert sizing.attention_params(d, n_head, bias) == on_meta(nn.MultiheadAttention, d, n_head, bias=bias)


@FAST
@given(d=st.integers(1, 1024), ratio=st.sampled_from([1, 2, 4, 8]), bias=st.booleans())
def test_mlp_matches_torch(d, ratio, bias):
    mlp = lambda: nn.Sequential(nn.Linear(d, ratio * d, bias=bias), nn.GELU(), nn.Linear(ratio * d, d, bias=bias))
    assert sizing.mlp_params(d, ratio * d, bias) == on_meta(mlp)


@settings(max_examples=25, deadline=None)
@given(vocab=st.integers(2, 60_000), context=st.integers(1, 2048), n_layer=st.integers(1, 4), n_head=heads,
       per_head=st.integers(1, 64), bias=st.booleans())
def test_gpt_matches_torch(vocab, context, n_layer, n_head, per_head, bias):
    config = GPTConfig(vocab, context, n_layer, n_head, n_head * per_head, bias=bias)
    with torch.device("meta"):
        model = GPT(config)
    assert sizing.gpt_params(config) == measure.parameters(model) == model.num_parameters()
    assert sizing.gpt_params(config, non_embedding=True) == model.num_parameters(non_embedding=True)


@settings(max_examples=25, deadline=None)
@given(vocab=st.integers(2, 40_000), n_layer=st.integers(1, 4), n_kv_head=st.sampled_from([1, 2, 4]),
       group=st.sampled_from([1, 2, 4]), half_head=st.integers(1, 32), d_ff=st.integers(1, 2048), tied=st.booleans())
def test_modern_decoder_matches_torch(vocab, n_layer, n_kv_head, group, half_head, d_ff, tied):
    n_head = n_kv_head * group
    config = DecoderConfig(vocab, n_layer, n_head, n_kv_head, n_head * 2 * half_head, d_ff, tied)
    assert sizing.decoder_params(config) == on_meta(Decoder, config)


@pytest.mark.parametrize("name, total", [("llama-2-7b", 6_738_415_616), ("llama-2-70b", 68_976_648_192)])
def test_the_released_llama_2_models_count_exactly(name, total):
    assert sizing.decoder_params(LLAMA2[name]) == on_meta(Decoder, LLAMA2[name]) == total


@pytest.mark.parametrize("name, total", [("gpt2", 124_439_808), ("gpt2-medium", 354_823_168),
                                         ("gpt2-large", 774_030_080), ("gpt2-xl", 1_557_611_200)])
def test_the_gpt2_family_counts_exactly(name, total):
    assert sizing.gpt_params(GPT2[name]) == total


def test_the_approximation_is_the_blocks_weight_matrices():
    config = GPT2["gpt2"]
    d = config.n_embd
    matrices = config.n_layer * (sizing.attention_params(d, config.n_head, False) + sizing.mlp_params(d, 4 * d, False))
    assert sizing.approx_params(config.n_layer, d) == matrices == 84_934_656


@settings(max_examples=15, deadline=None)
@given(n_layer=st.integers(1, 3), n_head=st.sampled_from([1, 2, 4]), per_head=st.integers(1, 16),
       vocab=st.integers(2, 300), context=st.integers(1, 64), batch=st.integers(1, 3))
def test_flops_match_torchs_counter_forward_and_backward(n_layer, n_head, per_head, vocab, context, batch):
    config = GPTConfig(vocab, context, n_layer, n_head, n_head * per_head)
    with torch.device("meta"):
        model = GPT(config)
        idx = torch.zeros(batch, context, dtype=torch.long)
    tokens = batch * context
    assert measure.flops(model, idx) == tokens * sizing.forward_flops_per_token(config)
    assert measure.flops(model, idx, backward=True) == tokens * sizing.training_flops_per_token(config)


def test_flops_use_the_context_in_use():
    config = GPT2["gpt2"]
    with torch.device("meta"):
        model = GPT(config)
        idx = torch.zeros(1, 256, dtype=torch.long)
    assert measure.flops(model, idx) == 256 * sizing.forward_flops_per_token(config, context=256)


def test_bytes_per_value_are_torchs_element_sizes():
    for name, size in sizing.BYTES_PER_VALUE.items():
        if name != "int4":
            assert torch.empty(0, dtype=getattr(torch, name)).element_size() == size
    assert sizing.weight_bytes(1e9, "int4") == 0.5e9


@pytest.mark.parametrize("mixed", [True, False])
def test_adam_needs_16_bytes_per_parameter(mixed):
    assert sum(sizing.adam_training_bytes(1000, mixed).values()) == 16_000


def test_adam_state_of_a_real_model_is_16_bytes_per_parameter_in_float32():
    model = GPT(GPTConfig(65, 16, 2, 2, 32))
    optimizer = torch.optim.Adam(model.parameters())
    idx = torch.randint(0, 65, (2, 16))
    model(idx, idx)[1].backward()
    optimizer.step()
    state = measure.training_state_bytes(model, optimizer)
    expected = sizing.adam_training_bytes(model.num_parameters(), mixed_precision=False)
    assert sum(state.values()) == sum(expected.values())


@pytest.mark.parametrize("n_layer, d, context, batch", [(1, 32, 16, 2), (2, 64, 32, 4), (3, 48, 64, 1)])
def test_activation_formula_is_within_three_percent_of_what_autograd_saves(n_layer, d, context, batch):
    config = GPTConfig(65, context, n_layer, 4, d)
    model = GPT(config)
    idx = torch.randint(0, 65, (batch, context))
    measured = measure.saved_activation_bytes(model, idx)
    assert measured == pytest.approx(sizing.activation_bytes(config, batch * context), rel=0.03)


@settings(max_examples=20, deadline=None)
@given(n_layer=st.integers(1, 3), n_kv_head=st.sampled_from([1, 2, 4]), group=st.sampled_from([1, 2, 4]),
       half_head=st.integers(1, 8), context=st.integers(1, 32), batch=st.integers(1, 3),
       dtype=st.sampled_from(["float32", "bfloat16"]))
def test_kv_cache_formula_matches_the_decoders_cache(n_layer, n_kv_head, group, half_head, context, batch, dtype):
    n_head = n_kv_head * group
    config = DecoderConfig(16, n_layer, n_head, n_kv_head, n_head * 2 * half_head, 8)
    model = Decoder(config).to(getattr(torch, dtype))
    with torch.no_grad():
        _, cache = model(torch.zeros(batch, context, dtype=torch.long))
    measured = sum(k.nbytes + v.nbytes for k, v in cache)
    assert measured == sizing.kv_cache_bytes(n_layer, n_head, n_kv_head, config.n_embd, context, batch, dtype)


def test_the_approximate_training_flops_of_gpt3():
    assert sizing.approx_training_flops(175e9, 300e9) == pytest.approx(3.15e23)


@pytest.mark.parametrize("call, message", [
    (lambda: sizing.linear_params(0, 3), "n_in must be positive"),
    (lambda: sizing.linear_params(-2, 3), "n_in must be positive"),
    (lambda: sizing.linear_params(2.5, 3), "n_in must be a positive whole number, got 2.5"),
    (lambda: sizing.linear_params(True, 3), "n_in must be a positive whole number"),
    (lambda: sizing.attention_params(10, 3), "n_head=3 does not divide d_model=10"),
    (lambda: sizing.attention_params(8, 4, n_kv_head=3), "n_kv_head=3 must divide n_head=4"),
    (lambda: sizing.approx_params(2.5, 768), "n_layer must be a positive whole number, got 2.5"),
    (lambda: sizing.approx_training_flops(-1, 5), "parameters must be a positive number"),
    (lambda: sizing.approx_training_flops(1e9, math.inf), "tokens must be a positive number"),
    (lambda: sizing.weight_bytes(1e9, "float8"), "unknown dtype 'float8'"),
    (lambda: sizing.kv_cache_bytes(2, 8, 3, 64, 10), "n_kv_head=3 must divide n_head=8"),
    (lambda: sizing.activation_bytes(GPT2["gpt2"], 0), "tokens must be positive"),
    (lambda: DecoderConfig(10, 1, 2, 1, 6, 4), "must be even"),
])
def test_nonsense_is_rejected_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call()


def test_a_configuration_must_have_the_sizes():
    with pytest.raises(TypeError, match="expected a model configuration with vocab_size, .*; object has no"):
        sizing.gpt_params(object())


def test_measuring_needs_a_module_and_token_ids():
    with pytest.raises(TypeError, match="expected a torch.nn.Module"):
        measure.parameters([1, 2])
    with pytest.raises(ValueError, match=r"\(batch, tokens\) tensor"):
        measure.flops(GPT(GPTConfig(5, 4, 1, 1, 4)), torch.zeros(4, dtype=torch.long))


def test_the_decoder_generates_with_its_cache_as_without():
    torch.manual_seed(0)
    model = Decoder(DecoderConfig(50, 2, 4, 2, 32, 64)).eval()
    idx = torch.randint(0, 50, (2, 9))
    with torch.no_grad():
        full, _ = model(idx)
        _, cache = model(idx[:, :5])
        middle, cache = model(idx[:, 5:8], cache)
        last, cache = model(idx[:, 8:], cache)
    assert torch.allclose(full[:, 5:8], middle, atol=1e-5) and torch.allclose(full[:, 8:], last, atol=1e-5)
    assert cache[0][0].shape == (2, 2, 9, 8)  # batch, key/value heads, tokens so far, head width


def test_a_training_step_is_timed_and_bad_settings_are_rejected():
    model = GPT(GPTConfig(11, 8, 1, 1, 8))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    batch = (torch.zeros(2, 8, dtype=torch.long), torch.ones(2, 8, dtype=torch.long))
    assert measure.seconds_per_step(model, optimizer, batch, steps=2, warmup=1) > 0
    with pytest.raises(ValueError, match="warmup must be a non-negative integer"):
        measure.seconds_per_step(model, optimizer, batch, warmup=-1)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        measure.seconds_per_step(model, optimizer, batch, steps=0)
    with pytest.raises(TypeError, match="expected a torch.optim optimizer, got dict"):
        measure.training_state_bytes(model, {})
    with pytest.raises(ValueError, match="needs real tensors"):
        with torch.device("meta"):
            measure.saved_activation_bytes(model, torch.zeros(1, 8, dtype=torch.long))
