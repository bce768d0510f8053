"""Chapter 02: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import pytest

from course_lib.machinery.exercise import ExerciseFailed
from tests.contract import contract_tests
from course_lib.exercises import concepts as checks




# Wrong implementations a learner might write, and the hint each must get.
def linear_no_bias(n_in, n_out, bias):
    return n_in * n_out


def linear_bias_per_input(n_in, n_out, bias):
    return n_in * n_out + (n_in if bias else 0)


def linear_ignores_flag(n_in, n_out, bias):
    return n_in * n_out + n_out


def linear_counts_neurons(n_in, n_out, bias):
    return n_in + n_out


def layer_norm_matrix(d_model, bias):
    return d_model * d_model


def layer_norm_gain_only(d_model, bias):
    return d_model


def layer_norm_ignores_flag(d_model, bias):
    return 2 * d_model


def attention_per_head(d_model, n_head, bias):
    return n_head * (4 * d_model * d_model + (4 * d_model if bias else 0))


def attention_three_projections(d_model, n_head, bias):
    return 3 * (d_model * d_model + (d_model if bias else 0))


def attention_head_sized(d_model, n_head, bias):
    head = d_model // n_head
    return 4 * (d_model * head + (d_model if bias else 0))


def mlp_one_layer(d_model, d_ff, bias):
    return d_model * d_ff + (d_ff if bias else 0)


def mlp_biases_both_hidden(d_model, d_ff, bias):
    return 2 * d_model * d_ff + (2 * d_ff if bias else 0)


def mlp_no_biases(d_model, d_ff, bias):
    return 2 * d_model * d_ff


def gpt_untied(vocab_size, block_size, n_layer, n_head, n_embd):
    block = 12 * n_embd**2 + 13 * n_embd
    return 2 * vocab_size * n_embd + block_size * n_embd + n_layer * block + 2 * n_embd


def gpt_no_positions(vocab_size, block_size, n_layer, n_head, n_embd):
    return vocab_size * n_embd + n_layer * (12 * n_embd**2 + 13 * n_embd) + 2 * n_embd


def gpt_no_norms(vocab_size, block_size, n_layer, n_head, n_embd):
    return (vocab_size + block_size) * n_embd + n_layer * (12 * n_embd**2 + 9 * n_embd)


def gpt_no_final_norm(vocab_size, block_size, n_layer, n_head, n_embd):
    return (vocab_size + block_size) * n_embd + n_layer * (12 * n_embd**2 + 13 * n_embd)


def gpt_approximation(vocab_size, block_size, n_layer, n_head, n_embd):
    return 12 * n_layer * n_embd**2


def flops_without_attention(n_layer, d_model, vocab_size, context):
    return 2 * (12 * n_layer * d_model**2 + vocab_size * d_model)


def flops_causal_half(n_layer, d_model, vocab_size, context):
    return 2 * (12 * n_layer * d_model**2 + vocab_size * d_model) + 2 * n_layer * context * d_model


def flops_without_head(n_layer, d_model, vocab_size, context):
    return 24 * n_layer * d_model**2 + 4 * n_layer * context * d_model


def flops_multiply_adds(n_layer, d_model, vocab_size, context):
    return 12 * n_layer * d_model**2 + vocab_size * d_model + 2 * n_layer * context * d_model


def flops_training(n_layer, d_model, vocab_size, context):
    return 3 * (24 * n_layer * d_model**2 + 2 * vocab_size * d_model + 4 * n_layer * context * d_model)


def kv_all_heads(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_layer * d_model * context * batch * bytes_per_value


def kv_keys_only(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return n_layer * n_kv_head * (d_model // n_head) * context * batch * bytes_per_value


def kv_one_layer(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_kv_head * (d_model // n_head) * context * batch * bytes_per_value


def kv_full_width_heads(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_layer * n_kv_head * d_model * context * batch * bytes_per_value


def days_forward_only(parameters, tokens, peak_flops, utilisation, devices):
    return 2 * parameters * tokens / (peak_flops * utilisation * devices) / 86_400


def days_at_peak(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens / (peak_flops * devices) / 86_400


def days_in_hours(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens / (peak_flops * utilisation * devices) / 3600


def days_one_device(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens / (peak_flops * utilisation) / 86_400


def decoder_without_gqa(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    block = 4 * d_model**2 + 3 * d_model * d_ff + 2 * d_model
    return vocab_size * d_model * (1 if tied else 2) + n_layer * block + d_model


def decoder_two_matrix_mlp(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model**2 + 2 * d_model * kv + 2 * d_model * d_ff + 2 * d_model
    return vocab_size * d_model * (1 if tied else 2) + n_layer * block + d_model


def decoder_layer_norms(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model**2 + 2 * d_model * kv + 3 * d_model * d_ff + 4 * d_model
    return vocab_size * d_model * (1 if tied else 2) + n_layer * block + 2 * d_model


def decoder_tied_backwards(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model**2 + 2 * d_model * kv + 3 * d_model * d_ff + 2 * d_model
    return vocab_size * d_model * (2 if tied else 1) + n_layer * block + d_model


CHECKS = {
    checks.check_linear: [
        (linear_no_bias, "Count the biases too"),
        (linear_bias_per_input, "not per input"),
        (linear_ignores_flag, "With bias=False there are no biases"),
        (linear_counts_neurons, "That counts neurons, not parameters"),
    ],
    checks.check_layer_norm: [
        (layer_norm_matrix, "LayerNorm has no matrix"),
        (layer_norm_gain_only, "a shift per feature too"),
        (layer_norm_ignores_flag, "With bias=False LayerNorm keeps only its gains"),
    ],
    checks.check_attention: [
        (attention_per_head, "does not multiply the weights"),
        (attention_three_projections, "Four projections, not three"),
        (attention_head_sized, "its weight is d_model × d_model"),
    ],
    checks.check_mlp: [
        (mlp_one_layer, "Two linear layers"),
        (mlp_biases_both_hidden, "Each layer's biases match its outputs"),
        (mlp_no_biases, "Count the biases when bias=True"),
    ],
    checks.check_gpt: [
        (gpt_untied, "tied to the token embedding"),
        (gpt_no_positions, "Add the position embedding"),
        (gpt_no_norms, "two layer norms"),
        (gpt_no_final_norm, "the final layer norm"),
        (gpt_approximation, "12·n_layer·n_embd² is the approximation"),
    ],
    checks.check_forward_flops: [
        (flops_without_attention, "two products without weights"),
        (flops_causal_half, "full context × context score matrix"),
        (flops_without_head, "The output head is a matrix product too"),
        (flops_multiply_adds, "A multiply-add is 2 FLOPs"),
        (flops_training, "That is training"),
    ],
    checks.check_kv_cache: [
        (kv_all_heads, "only n_kv_head heads keep keys and values"),
        (kv_keys_only, "two tensors per layer"),
        (kv_one_layer, "multiply by n_layer"),
        (kv_full_width_heads, "A head is d_model / n_head wide"),
    ],
    checks.check_training_days: [
        (days_forward_only, "not 2·N·D"),
        (days_at_peak, "utilisation × peak"),
        (days_in_hours, "That is in hours"),
        (days_one_device, "divide by their number"),
    ],
    checks.check_decoder: [
        (decoder_without_gqa, "smaller than the query's"),
        (decoder_two_matrix_mlp, "three matrices"),
        (decoder_layer_norms, "RMSNorm has a gain per feature and no shift"),
        (decoder_tied_backwards, "Untied (tied=False)"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_a_crash_names_the_input():
    from course_lib.machinery.exercise import ExerciseCrashed
    with pytest.raises(ExerciseCrashed, match="(?s)your function raised ZeroDivisionError.*on input: n_in=1"):
        checks.check_linear(lambda n_in, n_out, bias: 1 / 0)


def test_the_references_are_measured_by_torch():
    """The checks compare with PyTorch: the references build modules, run them and count."""
    assert checks.torch_linear(784, 100, True) == 78_500
    assert checks.torch_gpt(50257, 1024, 12, 12, 768) == 124_439_808
    assert checks.counted_forward_flops(2, 64, 65, 64) == 237_696
    assert checks.cache_bytes(80, 64, 8, 8192, 4096, 1, 2) == 1_342_177_280  # Llama 2 70B, on the meta device
    assert checks.torch_decoder(32000, 80, 64, 8, 8192, 28672, False) == 68_976_648_192


def test_importing_the_checks_does_not_import_torch():
    """course_lib.progress() imports every chapter's checks: chapter 02 must not make it pay for torch."""
    import subprocess
    import sys
    code = "import sys, course_lib.exercises.concepts; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_a_count_off_by_some_terms_is_named_by_them():
    rows = [({"n_out if bias": o * b, "n_out": o, "1": 1}, -o * b) for o, b in ((3, 1), (5, 1), (7, 1))]
    assert checks.term_difference(rows) == "-1·(n_out if bias)"
    rows = [({"a": a, "b": b}, 2 * a - 3 * b) for a, b in ((2, 7), (5, 1), (9, 4))]
    assert checks.term_difference(rows) == "+2·(a) -3·(b)"
    assert checks.term_difference([({"a": 2, "b": 3}, 7), ({"a": 5, "b": 1}, 11)]) is None  # 2 cases, 2 terms
    assert checks.term_difference([({"a": a}, a * a) for a in (2, 3, 5)]) is None  # no small sum of terms


def test_a_count_check_names_a_missing_term():
    with pytest.raises(ExerciseFailed) as failed:
        checks.check_linear.failures = 0
        checks.check_linear(lambda n_in, n_out, bias: n_in * n_out + 2 * n_out * bias)
    assert "off by +1·(n_out if bias)" in str(failed.value)
