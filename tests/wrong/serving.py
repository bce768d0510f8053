"""Chapter 09: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import torch

from course_lib.exercises import serving as checks
from tests.wrong import Wrong


def both(cached, new):
    return torch.cat([cached, new], dim=2)


# 9.1 cached_attention
def attention_no_return(q, k, v, cached_k, cached_v):
    keys, values = both(cached_k, k), both(cached_v, v)
    out = (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(-1) @ values  # noqa: F841


def attention_output_only(q, k, v, cached_k, cached_v):
    keys, values = both(cached_k, k), both(cached_v, v)
    return (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(-1) @ values


def attention_as_numpy(q, k, v, cached_k, cached_v):
    keys, values = both(cached_k, k), both(cached_v, v)
    out = (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(-1) @ values
    return out.numpy(), keys.numpy(), values.numpy()


def attention_new_key_first(q, k, v, cached_k, cached_v):
    keys, values = torch.cat([k, cached_k], dim=2), torch.cat([v, cached_v], dim=2)
    return (q @ keys.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(-1) @ values, keys, values


# 9.2 quantize_per_channel
def codes(w, bits, scale):
    top = 2 ** (bits - 1) - 1
    return torch.clamp(torch.round(w / scale), -top, top).to(torch.int8)


def quantize_no_return(w, bits):
    scale = w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1)
    q = codes(w, bits, scale)  # noqa: F841


def quantize_scale_without_keepdim(w, bits):
    scale = w.abs().amax(dim=1) / (2 ** (bits - 1) - 1)
    return codes(w, bits, scale), scale


def quantize_as_numpy(w, bits):
    scale = w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1)
    return codes(w, bits, scale).numpy(), scale.numpy()


def quantize_returns_dequantized(w, bits):
    scale = w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1)
    return codes(w, bits, scale).float() * scale, scale


def quantize_bits_as_range(w, bits):
    scale = w.abs().amax(dim=1, keepdim=True) / bits
    return codes(w, bits, scale), scale


# 9.3 distillation_loss
def kl_loss(s, t, T, dim=-1):
    log_s, log_t = torch.log_softmax(s / T, dim), torch.log_softmax(t / T, dim)
    return (log_t.exp() * (log_t - log_s)).sum(dim)


def distill_as_float(s, t, T):
    return T ** 2 * kl_loss(s, t, T).mean().item()


def distill_no_return(s, t, T):
    loss = T ** 2 * kl_loss(s, t, T).mean()  # noqa: F841


def distill_as_numpy(s, t, T):
    return (T ** 2 * kl_loss(s, t, T).mean()).numpy()


def distill_softmax_over_rows(s, t, T):
    return T ** 2 * kl_loss(s, t, T, dim=0).mean()


def distill_summed_over_positions(s, t, T):
    return T ** 2 * kl_loss(s, t, T).sum()


# 9.4 magnitude_mask
def keep(w, sparsity):
    pruned = round(sparsity * w.size(-1))
    return torch.ones_like(w, dtype=torch.bool).scatter(-1, w.abs().argsort(dim=-1)[..., :pruned], False)


def mask_as_floats(w, sparsity):
    return keep(w, sparsity).float()


def mask_no_return(w, sparsity):
    mask = keep(w, sparsity)  # noqa: F841


def mask_as_numpy(w, sparsity):
    return keep(w, sparsity).numpy()


def mask_pruned_indices(w, sparsity):
    return w.abs().argsort(dim=-1)[..., :round(sparsity * w.size(-1))]


def mask_applied(w, sparsity):
    return w * keep(w, sparsity)


# 9.5 acceptance
def picked(p, x):
    return p.gather(-1, x.unsqueeze(-1)).squeeze(-1)


def accept_no_return(p, q, x):
    accept = torch.clamp(picked(p, x) / picked(q, x), max=1.0)  # noqa: F841


def accept_as_numpy(p, q, x):
    residual = (p - q).clamp(min=0)
    return torch.clamp(picked(p, x) / picked(q, x), max=1.0).numpy(), (residual / residual.sum(-1, keepdim=True)).numpy()


def residual_normalised_over_rows(p, q, x):
    residual = (p - q).clamp(min=0)
    return torch.clamp(picked(p, x) / picked(q, x), max=1.0), residual / residual.sum(0, keepdim=True)


WRONG = [
    Wrong(checks.check_cached_attention, attention_no_return, "the results never returned", "`return`"),
    Wrong(checks.check_cached_attention, attention_output_only, "the output only, not the updated cache",
          "where a tuple of 3 values is asked"),
    Wrong(checks.check_cached_attention, attention_as_numpy, "numpy arrays instead of tensors",
          "where a torch tensor is asked"),
    Wrong(checks.check_cached_attention, attention_new_key_first, "the new key put before the cached ones", ""),
    Wrong(checks.check_quantize_per_channel, quantize_no_return, "nothing returned", "`return`"),
    Wrong(checks.check_quantize_per_channel, quantize_scale_without_keepdim, "the scale of shape (out,), no keepdim",
          "a shape mismatch"),
    Wrong(checks.check_quantize_per_channel, quantize_as_numpy, "numpy arrays instead of tensors",
          "where a torch tensor is asked"),
    Wrong(checks.check_quantize_per_channel, quantize_returns_dequantized, "q · scale returned in place of q", ""),
    Wrong(checks.check_quantize_per_channel, quantize_bits_as_range, "max|w| / bits as the scale", ""),
    Wrong(checks.check_distillation_loss, distill_as_float, ".item(): a float, not a tensor",
          "where a torch tensor is asked"),
    Wrong(checks.check_distillation_loss, distill_no_return, "the loss never returned", "`return`"),
    Wrong(checks.check_distillation_loss, distill_as_numpy, "a numpy value, not a tensor", "where a torch tensor is asked"),
    Wrong(checks.check_distillation_loss, distill_softmax_over_rows, "softmax over the first axis", ""),
    Wrong(checks.check_distillation_loss, distill_summed_over_positions, "summed over positions, not averaged", ""),
    Wrong(checks.check_magnitude_mask, mask_as_floats, "a float mask of 0s and 1s", "torch.bool"),
    Wrong(checks.check_magnitude_mask, mask_no_return, "the mask never returned", "`return`"),
    Wrong(checks.check_magnitude_mask, mask_as_numpy, "a numpy mask", "where a torch tensor is asked"),
    Wrong(checks.check_magnitude_mask, mask_pruned_indices, "the indices of the pruned weights, not a mask", ""),
    Wrong(checks.check_magnitude_mask, mask_applied, "the pruned weights w * mask, not the mask", ""),
    Wrong(checks.check_acceptance, accept_no_return, "nothing returned", "`return`"),
    Wrong(checks.check_acceptance, accept_as_numpy, "numpy arrays instead of tensors", "where a torch tensor is asked"),
    Wrong(checks.check_acceptance, residual_normalised_over_rows, "the residual normalised over the first axis", ""),
]
