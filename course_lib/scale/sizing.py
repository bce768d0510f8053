"""Model size by formula: the parameters, FLOPs and bytes of a Transformer, from its shape.

A model's size is its number of learned parameters, and every one of them is an entry of
a weight matrix, a bias, an embedding table or a normalisation gain. Counting them is
arithmetic on the shape; so are the FLOPs of a forward pass and the bytes of training.
The tests check each formula against PyTorch itself (tests/test_sizing.py): parameter
counts against ``sum(p.numel())`` of the torch modules, FLOPs against torch's FLOP
counter, bytes against the tensors (see ``course_lib.scale.measure``).

Shapes use GPT-2's names: ``n_layer`` blocks of width ``d_model`` (GPT-2 calls it
``n_embd``) with ``n_head`` attention heads, a vocabulary of ``vocab_size`` tokens and a
context of ``block_size`` (the longest) or ``context`` (the one in use) tokens.
"""
from __future__ import annotations

import math
import numbers

# Bytes per stored number. int4 packs two numbers into a byte.
BYTES_PER_VALUE = {"float64": 8, "float32": 4, "bfloat16": 2, "float16": 2, "int8": 1, "int4": 0.5}

# Values a GPT block stores for the backward pass, per token and per unit of width, as
# measured in course_lib.lm.gpt (fused attention, no dropout): the input and output of both
# layer norms (4), queries, keys and values (3), the attention output (1), and the MLP's
# hidden layer before and after GELU (4 + 4). Korthikanti et al. (2022) list the same
# tensors; with 2-byte values and two 1-byte dropout masks they make 34 bytes.
SAVED_PER_LAYER = 16


def count(name: str, value) -> int:
    """``value`` as an int, if it is a positive whole number (a size, a count); else a clear error."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise ValueError(f"{name} must be a positive whole number, got {value!r}")
    if value < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return int(value)


def amount(name: str, value) -> float:
    """``value`` as a float, if it is a positive finite number (parameters, tokens, FLOP/s)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not math.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return float(value)


def head_dim(d_model: int, n_head: int) -> int:
    """The width of one attention head: the heads split the model's width between them."""
    d_model, n_head = count("d_model", d_model), count("n_head", n_head)
    if d_model % n_head:
        raise ValueError(f"n_head={n_head} does not divide d_model={d_model}: each head gets "
                         f"d_model / n_head dimensions, which must be a whole number")
    return d_model // n_head


def shape(config, *names: str) -> list[int]:
    """The named sizes of a configuration object (e.g. a GPTConfig), each checked."""
    missing = [n for n in names if not hasattr(config, n)]
    if missing:
        raise TypeError(f"expected a model configuration with {', '.join(names)}; "
                        f"{type(config).__name__} has no {', '.join(missing)}")
    return [count(n, getattr(config, n)) for n in names]


# --- parameters -------------------------------------------------------------------------

def linear_params(n_in: int, n_out: int, bias: bool = True) -> int:
    """nn.Linear: a weight per (input, output) pair, and a bias per output."""
    n_in, n_out = count("n_in", n_in), count("n_out", n_out)
    return n_in * n_out + (n_out if bias else 0)


def embedding_params(num_embeddings: int, d_model: int) -> int:
    """nn.Embedding: a learned vector of d_model numbers per row (token or position)."""
    return count("num_embeddings", num_embeddings) * count("d_model", d_model)


def layer_norm_params(d_model: int, bias: bool = True) -> int:
    """nn.LayerNorm: a gain per feature, and a shift (bias) per feature. No matrix."""
    return count("d_model", d_model) * (2 if bias else 1)


def attention_params(d_model: int, n_head: int, bias: bool = True, n_kv_head: int | None = None) -> int:
    """Multi-head attention: query, key, value and output projections.

    The heads split the width, so their number does not change the count, unless keys and
    values are shared between groups of heads (grouped-query attention, n_kv_head < n_head).
    """
    size = head_dim(d_model, n_head)
    n_kv_head = n_head if n_kv_head is None else count("n_kv_head", n_kv_head)
    if n_head % n_kv_head:
        raise ValueError(f"n_kv_head={n_kv_head} must divide n_head={n_head}: each key/value head "
                         "serves an equal group of query heads")
    query_and_output = 2 * linear_params(d_model, d_model, bias)
    keys_and_values = 2 * linear_params(d_model, n_kv_head * size, bias)
    return query_and_output + keys_and_values


def mlp_params(d_model: int, d_ff: int, bias: bool = True, gated: bool = False) -> int:
    """The MLP: d_model -> d_ff -> d_model. A gated MLP (SwiGLU) has a second input matrix."""
    inputs = (2 if gated else 1) * linear_params(d_model, d_ff, bias)
    return inputs + linear_params(d_ff, d_model, bias)


def block_params(d_model: int, n_head: int, bias: bool = True) -> int:
    """A GPT-2 block: layer norm, attention, layer norm, MLP of width 4·d_model."""
    return (2 * layer_norm_params(d_model, bias) + attention_params(d_model, n_head, bias)
            + mlp_params(d_model, 4 * d_model, bias))


def gpt_params(config, non_embedding: bool = False) -> int:
    """All parameters of a GPT-2-style model (course_lib.lm.gpt.GPTConfig), each counted once.

    token embedding + position embedding + n_layer blocks + final layer norm; the output
    head reuses the token embedding (weight tying), so it adds nothing. Non-embedding
    parameters (Kaplan et al. 2020) leave out both embeddings.
    """
    vocab, context, n_layer, n_head, d = shape(config, "vocab_size", "block_size", "n_layer", "n_head", "n_embd")
    bias = getattr(config, "bias", True)
    body = n_layer * block_params(d, n_head, bias) + layer_norm_params(d, bias)
    return body if non_embedding else body + embedding_params(vocab, d) + embedding_params(context, d)


def approx_params(n_layer: int, d_model: int) -> int:
    """12·n_layer·d_model²: the weight matrices of the blocks, nothing else (Kaplan et al. 2020)."""
    return 12 * count("n_layer", n_layer) * count("d_model", d_model) ** 2


def decoder_params(config) -> int:
    """A modern decoder (course_lib.scale.decoder.DecoderConfig): RMSNorm gains only, no biases,
    grouped-query attention, a gated MLP, and an output head of its own unless tied."""
    vocab, n_layer, n_head, n_kv_head, d, d_ff = shape(config, "vocab_size", "n_layer", "n_head", "n_kv_head",
                                                       "n_embd", "d_ff")
    block = 2 * d + attention_params(d, n_head, False, n_kv_head) + mlp_params(d, d_ff, False, gated=True)
    head = 0 if getattr(config, "tied", False) else vocab * d
    return embedding_params(vocab, d) + n_layer * block + d + head


# --- compute ----------------------------------------------------------------------------

def matmul_weights(config) -> int:
    """The weights that multiply activations in a GPT forward pass: 12·d² per block
    (queries, keys, values 3d², output d², MLP 8d²) and the head's vocab·d. Embedding
    look-ups, biases and norms are not matrix products."""
    vocab, n_layer, d = shape(config, "vocab_size", "n_layer", "n_embd")
    return n_layer * 12 * d * d + vocab * d


def forward_flops_per_token(config, context: int | None = None) -> int:
    """FLOPs of one token's forward pass through a GPT.

    A matrix product costs 2 FLOPs (a multiply and an add) per weight per token. Attention
    adds two products per layer that have no weights: scores Q·Kᵀ and the weighted sum of
    values, each 2·context·d_model per token, computed over the full context×context
    matrix, as torch's FLOP counter counts them.
    """
    n_layer, d = shape(config, "n_layer", "n_embd")
    context = shape(config, "block_size")[0] if context is None else count("context", context)
    return 2 * matmul_weights(config) + 4 * n_layer * context * d


def training_flops_per_token(config, context: int | None = None) -> int:
    """Forward + backward: the backward pass does two products of each forward one's size
    (gradients of the inputs and of the weights), so training costs 3 forward passes."""
    return 3 * forward_flops_per_token(config, context)


def approx_training_flops(parameters: float, tokens: float) -> float:
    """C ≈ 6·N·D: 2 FLOPs per parameter per token forward, 4 backward."""
    return 6 * amount("parameters", parameters) * amount("tokens", tokens)


# --- memory -----------------------------------------------------------------------------

def bytes_per_value(dtype: str) -> float:
    if dtype not in BYTES_PER_VALUE:
        raise ValueError(f"unknown dtype {dtype!r}; choose one of {', '.join(BYTES_PER_VALUE)}")
    return BYTES_PER_VALUE[dtype]


def weight_bytes(parameters: float, dtype: str = "bfloat16") -> float:
    """Bytes to store the weights alone, e.g. for inference."""
    return amount("parameters", parameters) * bytes_per_value(dtype)


def adam_training_bytes(parameters: float, mixed_precision: bool = True) -> dict[str, float]:
    """Bytes of the training state with Adam, per kind (activations not included).

    Mixed precision (Rajbhandari et al. 2020, ZeRO §3.1): 16-bit weights and gradients
    (2 + 2 bytes), and in 32 bits a master copy of the weights and Adam's two moments
    (4 + 4 + 4): 16 bytes per parameter. Plain float32 also makes 16: 4 + 4 + 4 + 4.
    """
    n = amount("parameters", parameters)
    if mixed_precision:
        return {"weights (16-bit)": 2 * n, "gradients (16-bit)": 2 * n, "master weights (fp32)": 4 * n,
                "Adam momentum (fp32)": 4 * n, "Adam variance (fp32)": 4 * n}
    return {"weights (fp32)": 4 * n, "gradients (fp32)": 4 * n, "Adam momentum (fp32)": 4 * n,
            "Adam variance (fp32)": 4 * n}


def activation_bytes(config, tokens: int, dtype: str = "float32") -> float:
    """Bytes a GPT stores during the forward pass for the backward one, for ``tokens``
    tokens (batch × context): SAVED_PER_LAYER·d_model values per token in every block,
    then the final norm's input and output (2·d_model) and the logits (vocab_size).
    Assumes fused attention, which never stores the context×context score matrix, and
    leaves out the few numbers per token that norms and attention keep as statistics."""
    vocab, n_layer, d = shape(config, "vocab_size", "n_layer", "n_embd")
    per_token = n_layer * SAVED_PER_LAYER * d + 2 * d + vocab
    return count("tokens", tokens) * per_token * bytes_per_value(dtype)


def kv_cache_bytes(n_layer: int, n_head: int, n_kv_head: int, d_model: int, context: int,
                   batch: int = 1, dtype: str = "bfloat16") -> float:
    """The keys and values a decoder keeps while generating, so that each new token attends
    to the earlier ones without recomputing them: 2 tensors per layer, each
    batch × n_kv_head × context × head_dim numbers."""
    size = head_dim(d_model, n_head)
    n_kv_head = count("n_kv_head", n_kv_head)
    if n_head % n_kv_head:
        raise ValueError(f"n_kv_head={n_kv_head} must divide n_head={n_head}")
    values = 2 * count("n_layer", n_layer) * n_kv_head * size * count("context", context) * count("batch", batch)
    return values * bytes_per_value(dtype)
