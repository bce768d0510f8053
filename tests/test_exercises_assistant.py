"""Chapter 10: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import torch
import torch.nn.functional as F

from course_lib.exercises import assistant as checks
from tests.contract import contract_tests


# 10.1 — wrong matches
def match_raw(generated, expected):
    return generated == expected


def match_contains(generated, expected):
    return expected in generated


def match_lowercased(generated, expected):
    def clean(answer):
        answer = answer.strip().lower()
        return answer[:-1].strip() if answer.endswith(".") else answer
    return clean(generated) == clean(expected)


# 10.2 — wrong losses
def loss_on_everything(logits, targets, mask):
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten())


def loss_mean_over_all_positions(logits, targets, mask):
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
    return (losses * mask.flatten()).mean()


def loss_mask_shifted(logits, targets, mask):
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none").view(targets.shape)
    shifted = torch.cat([torch.zeros_like(mask[:, :1]), mask[:, :-1]], dim=1)
    return (losses * shifted).sum() / mask.sum()


# 10.3 — wrong LoRA layers
def lora_unscaled(x, weight, bias, A, B, alpha):
    out = x @ weight.T + x @ A.T @ B.T
    return out if bias is None else out + bias


def lora_scaled_by_alpha(x, weight, bias, A, B, alpha):
    out = x @ weight.T + alpha * (x @ A.T @ B.T)
    return out if bias is None else out + bias


def lora_adapter_only(x, weight, bias, A, B, alpha):
    return alpha / A.shape[0] * (x @ A.T @ B.T)


# 10.4 — wrong merges
def merge_transposed(weight, A, B, alpha):
    return weight + alpha / A.shape[0] * (A.T @ B.T)


def merge_unscaled(weight, A, B, alpha):
    return weight + B @ A


def merge_update_only(weight, A, B, alpha):
    return alpha / A.shape[0] * B @ A


# 10.5 — wrong log-probabilities
def logprob_mean(logits, targets, mask):
    picked = logits.log_softmax(-1).gather(-1, targets[..., None])[..., 0]
    return (picked * mask).sum(-1) / mask.sum(-1)


def logprob_unmasked(logits, targets, mask):
    return logits.log_softmax(-1).gather(-1, targets[..., None])[..., 0].sum(-1)


def logprob_of_logits(logits, targets, mask):
    return (logits.gather(-1, targets[..., None])[..., 0] * mask).sum(-1)


# 10.6 — wrong DPO losses
def dpo_without_reference(pc, pr, rc, rr, beta):
    return -F.logsigmoid(beta * (pc - pr)).mean()


def dpo_sign_flipped(pc, pr, rc, rr, beta):
    return -F.logsigmoid(beta * ((pr - rr) - (pc - rc))).mean()


def dpo_without_beta(pc, pr, rc, rr, beta):
    return -F.logsigmoid((pc - rc) - (pr - rr)).mean()


CHECKS = {
    checks.check_exact_match: [
        (match_raw, "Normalise before comparing"),
        (match_contains, "equality, not containment"),
        (match_lowercased, "Keep the case"),
    ],
    checks.check_answer_loss: [
        (loss_on_everything, "Mask the prompt"),
        (loss_mean_over_all_positions, "not by every position"),
        (loss_mask_shifted, "do not shift it"),
    ],
    checks.check_lora_forward: [
        (lora_unscaled, "Scale the adapter's output by α / r"),
        (lora_scaled_by_alpha, "not α: divide by the rank"),
        (lora_adapter_only, "Keep the frozen layer"),
    ],
    checks.check_merged_weight: [
        (merge_transposed, "not its transpose"),
        (merge_unscaled, "without α / r"),
        (merge_update_only, "Add the update to the frozen weight"),
    ],
    checks.check_sequence_logprob: [
        (logprob_mean, "do not average them"),
        (logprob_unmasked, "multiply by the mask"),
        (logprob_of_logits, "not raw logits"),
    ],
    checks.check_dpo_loss: [
        (dpo_without_reference, "Subtract the reference model's"),
        (dpo_sign_flipped, "The sign of the margin"),
        (dpo_without_beta, "by β inside"),
    ],
}

test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_the_numbers_in_the_quiz():
    assert 4 * (64 + 256) == 1280 and 64 * 256 == 16384
