"""Chapter 02: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
from course_lib.exercises import concepts as checks
from tests.wrong import Wrong


# 2.1 linear_params
def linear_no_return(n_in, n_out, bias):
    count = n_in * n_out + (n_out if bias else 0)  # noqa: F841


def linear_bias_always(n_in, n_out, bias):
    return n_in * n_out + n_out + (n_out if bias else 0)


def linear_weights_and_biases(n_in, n_out, bias):
    return n_in * n_out, (n_out if bias else 0)


def linear_one_bias(n_in, n_out, bias):
    return n_in * n_out + (1 if bias else 0)


# 2.2 layer_norm_params
def norm_no_return(d_model, bias):
    count = d_model * (2 if bias else 1)  # noqa: F841


def norm_shift_only(d_model, bias):
    return d_model if bias else 0


def norm_plus_two(d_model, bias):
    return d_model + (2 if bias else 1)


# 2.3 attention_params
def attention_no_return(d_model, n_head, bias):
    count = 4 * (d_model * d_model + (d_model if bias else 0))  # noqa: F841


def attention_one_bias_vector(d_model, n_head, bias):
    return 4 * d_model * d_model + (d_model if bias else 0)


def attention_per_head_biases(d_model, n_head, bias):
    return 4 * d_model * d_model + (4 * n_head if bias else 0)


def attention_bias_ignored_flag(d_model, n_head, bias):
    return 4 * d_model * d_model + 4 * d_model


# 2.4 mlp_params
def mlp_no_return(d_model, d_ff, bias):
    count = 2 * d_model * d_ff + ((d_ff + d_model) if bias else 0)  # noqa: F841


def mlp_square_layers(d_model, d_ff, bias):
    return 2 * d_ff * d_ff + ((d_ff + d_model) if bias else 0)


def mlp_biases_twice_d_model(d_model, d_ff, bias):
    return 2 * d_model * d_ff + (2 * d_model if bias else 0)


# 2.5 gpt_params
def gpt_no_return(vocab_size, block_size, n_layer, n_head, n_embd):
    d = n_embd
    total = (vocab_size + block_size) * d + n_layer * (12 * d * d + 13 * d) + 2 * d  # noqa: F841


def gpt_mlp_width_d(vocab_size, block_size, n_layer, n_head, n_embd):
    d = n_embd
    block = 4 * d * d + 4 * d + 2 * d * d + 2 * d + 4 * d  # MLP of width d instead of 4d
    return (vocab_size + block_size) * d + n_layer * block + 2 * d


def gpt_one_block(vocab_size, block_size, n_layer, n_head, n_embd):
    d = n_embd
    return (vocab_size + block_size) * d + (12 * d * d + 13 * d) + 2 * d


def gpt_heads_multiply(vocab_size, block_size, n_layer, n_head, n_embd):
    d = n_embd
    block = n_head * (4 * d * d + 4 * d) + 8 * d * d + 5 * d + 4 * d
    return (vocab_size + block_size) * d + n_layer * block + 2 * d


# 2.6 forward_flops
def flops_no_return(n_layer, d_model, vocab_size, context):
    total = 2 * (12 * n_layer * d_model**2 + vocab_size * d_model) + 4 * n_layer * context * d_model  # noqa: F841


def flops_attention_squared(n_layer, d_model, vocab_size, context):
    return 2 * (12 * n_layer * d_model**2 + vocab_size * d_model) + 4 * n_layer * context**2 * d_model


def flops_mlp_width_d(n_layer, d_model, vocab_size, context):
    return 2 * (6 * n_layer * d_model**2 + vocab_size * d_model) + 4 * n_layer * context * d_model


def flops_attention_once(n_layer, d_model, vocab_size, context):
    return 2 * (12 * n_layer * d_model**2 + vocab_size * d_model) + 4 * context * d_model


# 2.7 kv_cache_bytes
def cache_no_return(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    size = 2 * n_layer * batch * n_kv_head * context * (d_model // n_head) * bytes_per_value  # noqa: F841


def cache_in_numbers(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_layer * batch * n_kv_head * context * (d_model // n_head)


def cache_in_gigabytes(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_layer * batch * n_kv_head * context * (d_model // n_head) * bytes_per_value / 1e9


def cache_kv_ratio_upside_down(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    return 2 * n_layer * batch * n_head * context * (d_model // n_kv_head) * bytes_per_value


# 2.8 training_days
def days_no_return(parameters, tokens, peak_flops, utilisation, devices):
    days = 6 * parameters * tokens / (peak_flops * utilisation * devices) / 86_400  # noqa: F841


def days_device_days(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens / (peak_flops * utilisation) / 86_400 * devices


def days_in_years(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens / (peak_flops * utilisation * devices) / 86_400 / 365


def days_utilisation_multiplied(parameters, tokens, peak_flops, utilisation, devices):
    return 6 * parameters * tokens * utilisation / (peak_flops * devices) / 86_400


# 2.9 decoder_params
def decoder_no_return(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model + 2 * d_model * d_model + 2 * d_model * kv + 3 * d_model * d_ff
    total = vocab_size * d_model + n_layer * block + d_model + (0 if tied else vocab_size * d_model)  # noqa: F841


def decoder_no_final_norm(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model + 2 * d_model * d_model + 2 * d_model * kv + 3 * d_model * d_ff
    return vocab_size * d_model + n_layer * block + (0 if tied else vocab_size * d_model)


def decoder_head_always(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = 2 * d_model + 2 * d_model * d_model + 2 * d_model * kv + 3 * d_model * d_ff
    return 2 * vocab_size * d_model + n_layer * block + d_model


def decoder_one_norm_per_block(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    kv = n_kv_head * (d_model // n_head)
    block = d_model + 2 * d_model * d_model + 2 * d_model * kv + 3 * d_model * d_ff
    return vocab_size * d_model + n_layer * block + d_model + (0 if tied else vocab_size * d_model)


WRONG = [
    Wrong(checks.check_linear, linear_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_linear, linear_bias_always, "biases counted twice with bias=True, once without",
          "off by +1·(n_out)"),
    Wrong(checks.check_linear, linear_weights_and_biases, "(weights, biases) returned, not their sum",
          "a tuple where a number"),
    Wrong(checks.check_linear, linear_one_bias, "one bias for the whole layer",
          "-1·(n_out if bias) +1·(1 if bias)"),
    Wrong(checks.check_layer_norm, norm_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_layer_norm, norm_shift_only, "only the shifts counted", "off by -1·(d_model)"),
    Wrong(checks.check_layer_norm, norm_plus_two, "one gain vector and a single shift", ""),
    Wrong(checks.check_attention, attention_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_attention, attention_one_bias_vector, "one bias vector for four projections",
          "off by -3·(d_model if bias)"),
    Wrong(checks.check_attention, attention_per_head_biases, "a bias per head and projection",
          "-4·(d_model if bias) +4·(n_head if bias)"),
    Wrong(checks.check_attention, attention_bias_ignored_flag, "bias=False ignored", "off by +4·(d_model)"),
    Wrong(checks.check_mlp, mlp_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_mlp, mlp_square_layers, "d_ff × d_ff matrices", "-2·(d_model·d_ff) +2·(d_ff²)"),
    Wrong(checks.check_mlp, mlp_biases_twice_d_model, "2·d_model biases",
          "-1·(d_ff if bias) +1·(d_model if bias)"),
    Wrong(checks.check_gpt, gpt_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_gpt, gpt_mlp_width_d, "an MLP of width n_embd, not 4·n_embd",
          "-6·(n_layer·n_embd²) -3·(n_layer·n_embd)"),
    Wrong(checks.check_gpt, gpt_one_block, "one block counted, not n_layer", ""),
    Wrong(checks.check_gpt, gpt_heads_multiply, "attention counted once per head", ""),
    Wrong(checks.check_forward_flops, flops_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_forward_flops, flops_attention_squared, "context² per token for attention",
          "-4·(n_layer·context·d_model) +4·(n_layer·context²·d_model)"),
    Wrong(checks.check_forward_flops, flops_mlp_width_d, "6·d² per block: the MLP at width d",
          "off by -12·(n_layer·d_model²)"),
    Wrong(checks.check_forward_flops, flops_attention_once, "attention counted for one layer",
          "-4·(n_layer·context·d_model) +4·(context·d_model)"),
    Wrong(checks.check_kv_cache, cache_no_return, "the bytes never returned", "`return`"),
    Wrong(checks.check_kv_cache, cache_in_numbers, "numbers, not bytes: bytes_per_value left out", ""),
    Wrong(checks.check_kv_cache, cache_in_gigabytes, "divided by 1e9: gigabytes, not bytes", "divided by 1e+09"),
    Wrong(checks.check_kv_cache, cache_kv_ratio_upside_down, "n_head heads of d_model / n_kv_head", ""),
    Wrong(checks.check_training_days, days_no_return, "the days never returned", "`return`"),
    Wrong(checks.check_training_days, days_device_days, "device-days: multiplied by devices", ""),
    Wrong(checks.check_training_days, days_in_years, "divided by 365 too: years", "divided by 365"),
    Wrong(checks.check_training_days, days_utilisation_multiplied, "utilisation multiplied, not divided", ""),
    Wrong(checks.check_decoder, decoder_no_return, "the count never returned", "`return`"),
    Wrong(checks.check_decoder, decoder_no_final_norm, "no final RMSNorm", "off by -1·(d_model)"),
    Wrong(checks.check_decoder, decoder_head_always, "the head counted even when tied",
          "tied it is the embedding and adds nothing"),
    Wrong(checks.check_decoder, decoder_one_norm_per_block, "one RMSNorm per block, not two",
          "off by -1·(n_layer·d_model)"),
]
