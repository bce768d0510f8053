"""Chapter 10: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import torch
import torch.nn.functional as F

from course_lib.exercises import assistant as checks
from tests.wrong import Wrong


def token_logprobs(logits, targets):
    return logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1)


# 10.1 exact_match
def match_no_return(generated, expected):
    same = generated.strip().removesuffix(".") == expected.strip().removesuffix(".")  # noqa: F841


def match_every_full_stop(generated, expected):
    return generated.strip().rstrip(".").strip() == expected.strip().rstrip(".").strip()


def match_spaces_only(generated, expected):
    return generated.strip() == expected.strip()


def match_returns_the_answer(generated, expected):
    return generated.strip().removesuffix(".")


# 10.2 answer_loss
def loss_no_return(logits, targets, mask):
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
    loss = (losses * mask.flatten()).sum() / mask.sum()  # noqa: F841


def loss_as_float(logits, targets, mask):
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none")
    return ((losses * mask.flatten()).sum() / mask.sum()).item()


def loss_mean_of_row_means(logits, targets, mask):
    losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none").view(targets.shape)
    return ((losses * mask).sum(1) / mask.sum(1)).mean()


def loss_log_probability(logits, targets, mask):
    picked = token_logprobs(logits, targets)
    return (picked * mask).sum() / mask.sum()


# 10.3 lora_forward
def lora_bias_twice(x, weight, bias, A, B, alpha):
    out = x @ weight.T + alpha / A.shape[0] * (x @ A.T @ B.T)
    return out if bias is None else out + 2 * bias


def lora_rank_from_b(x, weight, bias, A, B, alpha):
    out = x @ weight.T + alpha / B.shape[0] * (x @ A.T @ B.T)
    return out if bias is None else out + bias


def lora_as_numpy(x, weight, bias, A, B, alpha):
    out = x @ weight.T + alpha / A.shape[0] * (x @ A.T @ B.T)
    return (out if bias is None else out + bias).numpy()


def lora_weight_untransposed(x, weight, bias, A, B, alpha):
    out = x @ weight + alpha / A.shape[0] * (x @ A.T @ B.T)
    return out if bias is None else out + bias


# 10.4 merged_weight
def merge_no_return(weight, A, B, alpha):
    weight = weight + alpha / A.shape[0] * B @ A  # noqa: F841


def merge_subtracted(weight, A, B, alpha):
    return weight - alpha / A.shape[0] * B @ A


def merge_rank_from_b(weight, A, B, alpha):
    return weight + alpha / B.shape[0] * B @ A


def merge_elementwise_scale_of_all(weight, A, B, alpha):
    return alpha / A.shape[0] * (weight + B @ A)


# 10.5 sequence_logprob
def logprob_no_return(logits, targets, mask):
    total = (token_logprobs(logits, targets) * mask).sum(-1)  # noqa: F841


def logprob_negative(logits, targets, mask):
    return -(token_logprobs(logits, targets) * mask).sum(-1)


def logprob_of_probabilities(logits, targets, mask):
    return (logits.softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1) * mask).sum(-1)


def logprob_batch_mean(logits, targets, mask):
    return (token_logprobs(logits, targets) * mask).sum(-1).mean()


# 10.6 dpo_loss
def dpo_no_return(pc, pr, rc, rr, beta):
    loss = -F.logsigmoid(beta * ((pc - rc) - (pr - rr))).mean()  # noqa: F841


def dpo_without_minus(pc, pr, rc, rr, beta):
    return F.logsigmoid(beta * ((pc - rc) - (pr - rr))).mean()


def dpo_beta_divides(pc, pr, rc, rr, beta):
    return -F.logsigmoid(((pc - rc) - (pr - rr)) / beta).mean()


def dpo_as_float(pc, pr, rc, rr, beta):
    return -F.logsigmoid(beta * ((pc - rc) - (pr - rr))).mean().item()


WRONG = [
    Wrong(checks.check_exact_match, match_no_return, "the comparison never returned", "`return`"),
    Wrong(checks.check_exact_match, match_every_full_stop, "rstrip('.'): every final full stop removed",
          "Remove one final full stop"),
    Wrong(checks.check_exact_match, match_spaces_only, "white space stripped, the full stop kept",
          "Normalise before comparing"),
    Wrong(checks.check_exact_match, match_returns_the_answer, "the normalised answer returned, not a bool", ""),
    Wrong(checks.check_answer_loss, loss_no_return, "the loss never returned", "`return`"),
    Wrong(checks.check_answer_loss, loss_as_float, ".item(): a float instead of a tensor", "a number where a torch tensor"),
    Wrong(checks.check_answer_loss, loss_mean_of_row_means, "each row's mean, then the mean of the rows", ""),
    Wrong(checks.check_answer_loss, loss_log_probability, "the mean log-probability: the loss without its minus",
          "sign"),
    Wrong(checks.check_lora_forward, lora_bias_twice, "the bias added twice", ""),
    Wrong(checks.check_lora_forward, lora_rank_from_b, "r taken from B.shape[0] (the output size)", ""),
    Wrong(checks.check_lora_forward, lora_as_numpy, ".numpy(): an array instead of a tensor", "numpy"),
    Wrong(checks.check_lora_forward, lora_weight_untransposed, "x @ weight, not x @ weight.T", "shape"),
    Wrong(checks.check_merged_weight, merge_no_return, "the merged weight never returned", "`return`"),
    Wrong(checks.check_merged_weight, merge_subtracted, "the update subtracted", ""),
    Wrong(checks.check_merged_weight, merge_rank_from_b, "r taken from B.shape[0] (the output size)", ""),
    Wrong(checks.check_merged_weight, merge_elementwise_scale_of_all, "α / r scales the frozen weight too", ""),
    Wrong(checks.check_sequence_logprob, logprob_no_return, "the sums never returned", "`return`"),
    Wrong(checks.check_sequence_logprob, logprob_negative, "the negative log-probability (a loss)", "sign"),
    Wrong(checks.check_sequence_logprob, logprob_of_probabilities, "probabilities summed, not log-probabilities", ""),
    Wrong(checks.check_sequence_logprob, logprob_batch_mean, "the mean over the batch: one number, not one a row",
          "shape"),
    Wrong(checks.check_dpo_loss, dpo_no_return, "the loss never returned", "`return`"),
    Wrong(checks.check_dpo_loss, dpo_without_minus, "log σ without the minus sign", "sign"),
    Wrong(checks.check_dpo_loss, dpo_beta_divides, "the margin divided by β", ""),
    Wrong(checks.check_dpo_loss, dpo_as_float, ".item(): a float instead of a tensor", "a number where a torch tensor"),
]
