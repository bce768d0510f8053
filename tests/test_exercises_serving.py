"""Chapter 09: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import pytest
import torch

from course_lib.exercises import serving as checks
from tests.contract import contract_tests


# 9.1 — wrong cached attention
def attention_over_the_old_keys(q, k, v, cached_k, cached_v):
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    T = keys.size(2)
    scores = q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))
    scores[..., T - 1] = float("-inf") if T > 1 else scores[..., T - 1]   # the newest key masked
    return scores.softmax(dim=-1) @ values, keys, values


def attention_with_queries_cached(q, k, v, cached_k, cached_v):
    keys = torch.cat([cached_k, q], dim=2)
    values = torch.cat([cached_v, v], dim=2)
    return (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(-1) @ values, keys, values


def attention_without_scale(q, k, v, cached_k, cached_v):
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    return (q @ keys.transpose(-2, -1)).softmax(-1) @ values, keys, values


# 9.2 — wrong quantizers
def quantize_by_mean(w, bits):
    top = 2 ** (bits - 1) - 1
    scale = w.abs().mean(dim=1, keepdim=True) / top
    return torch.clamp(torch.round(w / scale), -top, top).to(torch.int8), scale


def quantize_by_columns(w, bits):
    top = 2 ** (bits - 1) - 1
    scale = w.abs().max(dim=0, keepdim=True).values / top
    return torch.clamp(torch.round(w / scale), -top, top).to(torch.int8), scale


def quantize_affine(w, bits):
    scale = (w.amax(dim=1, keepdim=True) - w.amin(dim=1, keepdim=True)) / (2 ** bits - 1)
    zero = -torch.round(w.amin(dim=1, keepdim=True) / scale) - 2 ** (bits - 1)
    return torch.clamp(torch.round(w / scale) + zero, -2 ** (bits - 1), 2 ** (bits - 1) - 1).to(torch.int8), scale


def quantize_as_floats(w, bits):
    top = 2 ** (bits - 1) - 1
    scale = w.abs().amax(dim=1, keepdim=True) / top
    return torch.clamp(torch.round(w / scale), -top, top), scale


# 9.3 — wrong distillation losses
def kl(log_p, log_q):
    return (log_p.exp() * (log_p - log_q)).sum(-1).mean()


def distill_without_t_squared(s, t, T):
    return kl(torch.log_softmax(t / T, -1), torch.log_softmax(s / T, -1))


def distill_student_softened_only(s, t, T):
    return T ** 2 * kl(torch.log_softmax(t, -1), torch.log_softmax(s / T, -1))


def distill_reverse_kl(s, t, T):
    return T ** 2 * kl(torch.log_softmax(s / T, -1), torch.log_softmax(t / T, -1))


# 9.4 — wrong masks
def mask_keeps_the_smallest(w, sparsity):
    pruned = round(sparsity * w.size(-1))
    order = w.abs().argsort(dim=-1, descending=True)
    return torch.ones_like(w, dtype=torch.bool).scatter(-1, order[..., :pruned], False)


def mask_one_threshold(w, sparsity):
    k = round(sparsity * w.numel())
    if k == 0:
        return torch.ones_like(w, dtype=torch.bool)
    threshold = w.abs().flatten().kthvalue(k).values
    return w.abs() > threshold


def mask_by_signed_value(w, sparsity):
    pruned = round(sparsity * w.size(-1))
    order = w.argsort(dim=-1)
    return torch.ones_like(w, dtype=torch.bool).scatter(-1, order[..., :pruned], False)


# 9.5 — wrong acceptance rules
def accept_when_target_agrees(p, q, x):
    px, qx = p.gather(-1, x[..., None])[..., 0], q.gather(-1, x[..., None])[..., 0]
    residual = (p - q).clamp(min=0)
    return (px >= qx).float(), residual / residual.sum(-1, keepdim=True)


def resample_from_p(p, q, x):
    px, qx = p.gather(-1, x[..., None])[..., 0], q.gather(-1, x[..., None])[..., 0]
    return torch.minimum(torch.ones_like(px), px / qx), p


def residual_not_normalised(p, q, x):
    px, qx = p.gather(-1, x[..., None])[..., 0], q.gather(-1, x[..., None])[..., 0]
    return torch.minimum(torch.ones_like(px), px / qx), (p - q).clamp(min=0)


CHECKS = {
    checks.check_cached_attention: [
        (attention_over_the_old_keys, "append its key and value to the cache *before* attending"),
        (attention_with_queries_cached, "Cache the keys, not the queries"),
        (attention_without_scale, "1/√d"),
    ],
    checks.check_quantize_per_channel: [
        (quantize_by_mean, "a scale from the mean"),
        (quantize_by_columns, "not over the columns"),
        (quantize_affine, "no zero point"),
        (quantize_as_floats, "Store the codes as integers"),
    ],
    checks.check_distillation_loss: [
        (distill_without_t_squared, "Multiply by T²"),
        (distill_student_softened_only, "divide the teacher's logits by T"),
        (distill_reverse_kl, "KL the other way round"),
    ],
    checks.check_magnitude_mask: [
        (mask_keeps_the_smallest, "Prune the *smallest* magnitudes"),
        (mask_one_threshold, "Per row, not per tensor"),
        (mask_by_signed_value, "Magnitude means |w|"),
    ],
    checks.check_acceptance: [
        (accept_when_target_agrees, "not always when p(x) ≥ q(x)"),
        (resample_from_p, "resample from the residual"),
        (residual_not_normalised, "Normalise the residual"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_the_numbers_in_the_quiz():
    from course_lib.scale import sizing
    from course_lib.scale.milestones import model
    deepseek = model("DeepSeek-V3")
    assert round(deepseek.parameters / deepseek.active_parameters) == 18
    mha, gqa = (sizing.kv_cache_bytes(80, 64, kv, 8192, 4096) for kv in (64, 8))
    assert mha == 8 * gqa


@pytest.mark.parametrize("check", checks.EXERCISES, ids=lambda c: c.name)
def test_every_case_is_small_enough_to_read(check):
    assert all(case.size() < 2000 for case in check.cases())
