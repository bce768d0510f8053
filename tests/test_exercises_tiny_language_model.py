"""Chapter 06: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import pytest
import torch

from course_lib.exercises import tiny_language_model as checks
from tests.contract import contract_tests


# 6.1 — wrong encoders
def encode_code_points(text, vocabulary):
    return [ord(char) for char in text]


def encode_from_one(text, vocabulary):
    return [vocabulary.index(char) + 1 for char in text]


def encode_own_vocabulary(text, vocabulary):
    chars = sorted(set(text))
    return [chars.index(char) for char in text]


# 6.2 — wrong bigram losses
def bigram_unsmoothed(counts, ids):
    probs = counts / counts.sum(dim=1, keepdim=True)
    return -probs[ids[:-1], ids[1:]].log().mean().item()


def bigram_in_bits(counts, ids):
    probs = (counts + 1) / (counts + 1).sum(dim=1, keepdim=True)
    return -torch.log2(probs[ids[:-1], ids[1:]]).mean().item()


def bigram_columns(counts, ids):
    probs = (counts + 1) / (counts + 1).sum(dim=0, keepdim=True)
    return -probs[ids[:-1], ids[1:]].log().mean().item()


def bigram_reversed_lookup(counts, ids):
    probs = (counts + 1) / (counts + 1).sum(dim=1, keepdim=True)
    return -probs[ids[1:], ids[:-1]].log().mean().item()


def bigram_summed(counts, ids):
    probs = (counts + 1) / (counts + 1).sum(dim=1, keepdim=True)
    return -probs[ids[:-1], ids[1:]].log().sum().item()


def bigram_half_smoothed(counts, ids):
    probs = (counts + 1) / counts.sum(dim=1, keepdim=True)
    return -probs[ids[:-1], ids[1:]].log().mean().item()


# 6.3 — wrong attention weights
def scores(q, k):
    return q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])


def attention_sees_the_future(q, k):
    T = q.shape[-2]
    mask = torch.tril(torch.ones(T, T), diagonal=1) == 0  # keeps one position too many
    return scores(q, k).masked_fill(mask, float("-inf")).softmax(dim=-1)


def attention_without_mask(q, k):
    return scores(q, k).softmax(dim=-1)


def attention_mask_transposed(q, k):
    T = q.shape[-2]
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool), diagonal=-1)
    return scores(q, k).masked_fill(mask, float("-inf")).softmax(dim=-1)


def attention_unscaled(q, k):
    T = q.shape[-2]
    mask = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return (q @ k.transpose(-2, -1)).masked_fill(mask, float("-inf")).softmax(dim=-1)


def attention_scaled_by_d(q, k):
    T, d = q.shape[-2:]
    mask = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return (q @ k.transpose(-2, -1) / d).masked_fill(mask, float("-inf")).softmax(dim=-1)


def attention_softmax_over_queries(q, k):
    T = q.shape[-2]
    mask = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return torch.softmax(scores(q, k).masked_fill(mask, float("-inf")), dim=-2)


def attention_masks_itself(q, k):
    T = q.shape[-2]
    mask = torch.ones(T, T, dtype=torch.bool).triu()
    return scores(q, k).masked_fill(mask, float("-inf")).softmax(dim=-1)


def attention_masked_after_softmax(q, k):
    T = q.shape[-2]
    return scores(q, k).softmax(dim=-1) * torch.tril(torch.ones(T, T))


# 6.4 — heads in the wrong order
def heads_plain_reshape(x, n_head):
    B, T, C = x.shape
    return x.reshape(B, n_head, T, C // n_head)


def heads_interleaved(x, n_head):
    B, T, C = x.shape
    return x.view(B, T, C // n_head, n_head).permute(0, 3, 1, 2)


def heads_not_transposed(x, n_head):
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head)


# 6.5 — wrong blocks
def block_residual_after_norm(x, block):
    x = block.ln_1(x)
    x = x + block.attn(x)
    x = block.ln_2(x)
    x = x + block.mlp(x)
    return x


def block_post_norm(x, block):
    x = block.ln_1(x + block.attn(x))
    x = block.ln_2(x + block.mlp(x))
    return x


def block_without_residuals(x, block):
    x = block.attn(block.ln_1(x))
    return block.mlp(block.ln_2(x))


def block_parallel(x, block):
    return x + block.attn(block.ln_1(x)) + block.mlp(block.ln_2(x))


# 6.6 — wrong temperature and top-k
def probs_times_temperature(logits, temperature, top_k):
    logits = logits * temperature
    if top_k is not None:
        logits[logits < torch.topk(logits, top_k).values[-1]] = float("-inf")
    return torch.softmax(logits, dim=-1)


def probs_temperature_after_softmax(logits, temperature, top_k):
    return torch.softmax(logits, dim=-1) ** (1 / temperature)


def probs_smallest_k(logits, temperature, top_k):
    logits = logits / temperature
    if top_k is not None:
        logits[logits > torch.topk(logits, top_k, largest=False).values[-1]] = float("-inf")
    return torch.softmax(logits, dim=-1)


def probs_not_renormalised(logits, temperature, top_k):
    probs = torch.softmax(logits / temperature, dim=-1)
    if top_k is not None:
        probs[probs < torch.topk(probs, top_k).values[-1]] = 0.0
    return probs


def probs_ignoring_top_k(logits, temperature, top_k):
    return torch.softmax(logits / temperature, dim=-1)


CHECKS = {
    checks.check_encode: [
        (encode_code_points, "not ord(c)"),
        (encode_from_one, "Ids start at 0"),
        (encode_own_vocabulary, "not one built from this text"),
    ],
    checks.check_bigram_loss: [
        (bigram_unsmoothed, "add 1 to every count"),
        (bigram_in_bits, "natural log"),
        (bigram_columns, "Normalise each row"),
        (bigram_reversed_lookup, "the row is the current token"),
        (bigram_summed, "Average over the pairs"),
        (bigram_half_smoothed, "the row's total plus V"),
    ],
    checks.check_attention_weights: [
        (attention_sees_the_future, "see position i + 1"),
        (attention_without_mask, "Without the causal mask"),
        (attention_mask_transposed, "wrong way round"),
        (attention_unscaled, "1/√d"),
        (attention_scaled_by_d, "not by d"),
        (attention_softmax_over_queries, "Softmax over the keys, the last axis"),
        (attention_masks_itself, "may attend to itself"),
        (attention_masked_after_softmax, "Mask before the softmax"),
    ],
    checks.check_split_heads: [
        (heads_plain_reshape, "mixes time steps into heads"),
        (heads_interleaved, "contiguous slice"),
        (heads_not_transposed, "move the head axis before the time axis"),
    ],
    checks.check_block: [
        (block_residual_after_norm, "The residual goes around the whole sublayer"),
        (block_post_norm, "post-norm"),
        (block_without_residuals, "Keep the residual connections"),
        (block_parallel, "The MLP reads the result of the attention step"),
    ],
    checks.check_next_token_probs: [
        (probs_times_temperature, "Divide the logits by the temperature"),
        (probs_temperature_after_softmax, "before the softmax"),
        (probs_smallest_k, "*largest*"),
        (probs_not_renormalised, "Renormalise"),
        (probs_ignoring_top_k, "keep only the top_k largest"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_a_crashing_function_is_reported_with_its_input():
    from course_lib.machinery.exercise import ExerciseCrashed

    def crashes(q, k):
        return q @ k  # (T, d) @ (T, d): the shapes do not fit without the transpose
    with pytest.raises(ExerciseCrashed, match="your function raised RuntimeError"):
        checks.check_attention_weights(crashes)


def test_block_cases_show_a_short_description_and_keep_the_global_seed():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    cases = checks.block_cases()
    assert torch.equal(torch.rand(1), before)
    assert repr(cases[0].args[1]) == "Block(n_embd=4, n_head=1, random weights)"


def test_importing_the_checks_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, course_lib.exercises.tiny_language_model; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# The numbers the quiz states.
def test_the_numbers_in_the_quiz():
    assert round(math.log(100), 2) == 4.61 and round(math.log2(100), 2) == 6.64
    assert round(1.5 / math.log(2), 2) == 2.16 and round(1.5 * math.log(2), 2) == 1.04
    q, k = torch.randn(2, 20_000, 64, generator=torch.Generator().manual_seed(0)).unbind(0)
    assert (q * k).sum(dim=-1).std().item() == pytest.approx(math.sqrt(64), rel=0.05)  # spread √d
    from course_lib.lm.gpt import CausalSelfAttention, GPTConfig
    sizes = [sum(p.numel() for p in CausalSelfAttention(GPTConfig(8, 4, 1, heads, 64)).parameters())
             for heads in (1, 4)]
    assert sizes[0] == sizes[1]  # 4 heads of 16 or 1 head of 64: the same parameters
