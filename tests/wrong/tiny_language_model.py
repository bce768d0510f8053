"""Chapter 06: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import torch
import torch.nn.functional as F

from course_lib.exercises import tiny_language_model as checks
from tests.wrong import Wrong


# 6.1 encode
def encode_as_a_tensor(text, vocabulary):
    return torch.tensor([vocabulary.index(c) for c in text])


def encode_lazily(text, vocabulary):
    return map(vocabulary.index, text)


def encode_by_rank(text, vocabulary):
    ranks = {c: i for i, c in enumerate(sorted(vocabulary))}
    return [ranks[c] for c in text]


def encode_no_return(text, vocabulary):
    ids = [vocabulary.index(c) for c in text]  # noqa: F841


# 6.2 bigram_loss
def smoothed_probs(counts):
    counts = counts + 1
    return counts / counts.sum(dim=1, keepdim=True)


def bigram_as_a_tensor(counts, ids):
    return -smoothed_probs(counts)[ids[:-1], ids[1:]].log().mean()


def bigram_perplexity(counts, ids):
    return smoothed_probs(counts)[ids[:-1], ids[1:]].log().mean().neg().exp().item()


def bigram_log10(counts, ids):
    return -smoothed_probs(counts)[ids[:-1], ids[1:]].log10().mean().item()


def bigram_per_id(counts, ids):
    return -smoothed_probs(counts)[ids[:-1], ids[1:]].log().sum().item() / len(ids)


# 6.3 attention_weights
def attention_no_return(q, k):
    T, d = q.shape[-2:]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    weights = scores.masked_fill(future, float("-inf")).softmax(dim=-1)  # noqa: F841


def attention_with_k_T(q, k):
    T, d = q.shape[-2:]
    scores = q @ k.T / math.sqrt(d)
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


def attention_masked_with_zero(q, k):
    T, d = q.shape[-2:]
    scores = q @ k.transpose(-2, -1) / math.sqrt(d)
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return scores.masked_fill(future, 0.0).softmax(dim=-1)


def attention_scaled_by_time(q, k):
    T, d = q.shape[-2:]
    scores = q @ k.transpose(-2, -1) / math.sqrt(T)
    future = torch.ones(T, T, dtype=torch.bool).triu(diagonal=1)
    return scores.masked_fill(future, float("-inf")).softmax(dim=-1)


# 6.4 split_heads
def split_as_numpy(x, n_head):
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head).transpose(1, 2).numpy()


def split_no_return(x, n_head):
    B, T, C = x.shape
    heads = x.view(B, T, n_head, C // n_head).transpose(1, 2)  # noqa: F841


def split_into_a_list(x, n_head):
    size = x.size(-1) // n_head
    return [x[..., h * size:(h + 1) * size] for h in range(n_head)]


def split_swapping_batch_and_time(x, n_head):
    B, T, C = x.shape
    return x.view(B, T, n_head, C // n_head).transpose(0, 1)


# 6.5 block_forward
def block_no_return(x, block):
    x = x + block.attn(block.ln_1(x))
    x = x + block.mlp(block.ln_2(x))  # noqa: F841


def block_one_norm_for_both(x, block):
    x = x + block.attn(block.ln_1(x))
    return x + block.mlp(block.ln_1(x))


def block_mlp_forgotten(x, block):
    return x + block.attn(block.ln_1(x))


def block_attention_unnormalised(x, block):
    x = x + block.attn(x)
    return x + block.mlp(block.ln_2(x))


# 6.6 next_token_probs
def masked(logits, top_k):
    if top_k is None:
        return logits
    kth = logits.topk(top_k).values[-1]
    return logits.masked_fill(logits < kth, float("-inf"))


def probs_as_numpy(logits, temperature, top_k):
    return masked(logits / temperature, top_k).softmax(dim=-1).numpy()


def probs_no_return(logits, temperature, top_k):
    probs = masked(logits / temperature, top_k).softmax(dim=-1)  # noqa: F841


def probs_as_log_probs(logits, temperature, top_k):
    return F.log_softmax(masked(logits / temperature, top_k), dim=-1)


def probs_as_a_list(logits, temperature, top_k):
    return masked(logits / temperature, top_k).softmax(dim=-1).tolist()


def probs_temperature_after_softmax(logits, temperature, top_k):
    return masked(logits, top_k).softmax(dim=-1) / temperature


WRONG = [
    Wrong(checks.check_encode, encode_as_a_tensor, "torch.tensor(ids): a tensor, not a list",
          "a torch tensor where a list"),
    Wrong(checks.check_encode, encode_lazily, "map(vocabulary.index, text): a lazy map, not a list", "where a list"),
    Wrong(checks.check_encode, encode_by_rank, "each character's rank in sorted(vocabulary)", ""),
    Wrong(checks.check_encode, encode_no_return, "the ids never returned", "`return`"),
    Wrong(checks.check_bigram_loss, bigram_as_a_tensor, "the loss as a 0-d tensor, no .item()",
          "a torch tensor where a Python number is asked"),
    Wrong(checks.check_bigram_loss, bigram_perplexity, "exp of the loss: the perplexity", "exponential"),
    Wrong(checks.check_bigram_loss, bigram_log10, "log10: decimal digits, not nats", "ln 10"),
    Wrong(checks.check_bigram_loss, bigram_per_id, "the summed loss divided by the number of ids, not pairs", ""),
    Wrong(checks.check_attention_weights, attention_no_return, "the weights never returned", "`return`"),
    Wrong(checks.check_attention_weights, attention_with_k_T, "k.T: every axis reversed, not the last two",
          "a shape mismatch"),
    Wrong(checks.check_attention_weights, attention_masked_with_zero, "future scores set to 0, not -inf", ""),
    Wrong(checks.check_attention_weights, attention_scaled_by_time, "divided by √T, not √d", ""),
    Wrong(checks.check_split_heads, split_as_numpy, "converted with .numpy()", "a numpy array where a torch tensor"),
    Wrong(checks.check_split_heads, split_no_return, "the heads never returned", "`return`"),
    Wrong(checks.check_split_heads, split_into_a_list, "a list of n_head slices", "a list where a torch tensor"),
    Wrong(checks.check_split_heads, split_swapping_batch_and_time, "transpose(0, 1): batch and time swapped",
          "the axes in another order"),
    Wrong(checks.check_block, block_no_return, "the new stream never returned", "`return`"),
    Wrong(checks.check_block, block_one_norm_for_both, "ln_1 before the MLP too", ""),
    Wrong(checks.check_block, block_mlp_forgotten, "only the attention sublayer", ""),
    Wrong(checks.check_block, block_attention_unnormalised, "attention on x itself, not on ln_1(x)", ""),
    Wrong(checks.check_next_token_probs, probs_as_numpy, "converted with .numpy()",
          "a numpy array where a torch tensor"),
    Wrong(checks.check_next_token_probs, probs_no_return, "the probabilities never returned", "`return`"),
    Wrong(checks.check_next_token_probs, probs_as_log_probs, "log_softmax: log-probabilities", ""),
    Wrong(checks.check_next_token_probs, probs_as_a_list, ".tolist(): a list of numbers",
          "a list where a torch tensor"),
    Wrong(checks.check_next_token_probs, probs_temperature_after_softmax, "softmax first, then divided by T", ""),
]
