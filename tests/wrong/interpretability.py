"""Chapter 11: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import torch
import torch.nn.functional as F

from course_lib.exercises import interpretability as checks
from course_lib.interpret import attribution, probes
from tests.wrong import Wrong


def input_gradient(model, x, target):
    return attribution.gradient(model, x, target)


# 11.1 gradient
def gradient_as_numpy(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).gather(1, target[:, None]).sum().backward()
    return x.grad.numpy()


def gradient_of_the_mean(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).gather(1, target[:, None]).mean().backward()
    return x.grad


def gradient_without_return(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).gather(1, target[:, None]).sum().backward()
    x.grad  # noqa: B018 — the value is computed, never returned


def gradient_of_the_predicted_class(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).max(dim=1).values.sum().backward()
    return x.grad


def gradient_of_the_log_probability(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).log_softmax(dim=1).gather(1, target[:, None]).sum().backward()
    return x.grad


# 11.2 integrated_gradients
def ig_sign_flipped(model, x, target, baseline, steps):
    total = sum(input_gradient(model, baseline + k / steps * (x - baseline), target) for k in range(1, steps + 1))
    return (baseline - x) * total / steps


def ig_not_averaged_over_the_stack(model, x, target, baseline, steps):
    grads = torch.stack([input_gradient(model, baseline + k / steps * (x - baseline), target)
                         for k in range(1, steps + 1)])
    return (x - baseline) * grads / steps


def ig_path_from_zero(model, x, target, baseline, steps):
    total = sum(input_gradient(model, k / steps * x, target) for k in range(1, steps + 1))
    return (x - baseline) * total / steps


def ig_midpoints(model, x, target, baseline, steps):
    total = sum(input_gradient(model, baseline + (k - 0.5) / steps * (x - baseline), target)
                for k in range(1, steps + 1))
    return (x - baseline) * total / steps


# 11.3 smoothgrad
def smoothgrad_stacked(model, x, target, noise):
    return torch.stack([input_gradient(model, x + e, target) for e in noise])


def smoothgrad_wrong_axis(model, x, target, noise):
    return torch.stack([input_gradient(model, x + e, target) for e in noise]).mean(dim=1)


def smoothgrad_noise_scaled_again(model, x, target, noise):
    return torch.stack([input_gradient(model, x + 0.15 * e, target) for e in noise]).mean(dim=0)


def smoothgrad_median(model, x, target, noise):
    return torch.stack([input_gradient(model, x + e, target) for e in noise]).median(dim=0).values


# 11.4 deletion_curve
def deletion_steps(model, x, target, attributions):
    order = attributions.argsort(dim=1, descending=True)
    rows, current = torch.arange(len(x)), x.clone()
    with torch.no_grad():
        curve = [model(current).softmax(dim=1)[rows, target]]
        for k in range(x.shape[1]):
            current[rows, order[:, k]] = 0.0
            curve.append(model(current).softmax(dim=1)[rows, target])
    return curve


def deletion_transposed(model, x, target, attributions):
    return torch.stack(deletion_steps(model, x, target, attributions))


def deletion_as_a_list(model, x, target, attributions):
    return deletion_steps(model, x, target, attributions)


def deletion_to_the_mean(model, x, target, attributions):
    order = attributions.argsort(dim=1, descending=True)
    rows, current = torch.arange(len(x)), x.clone()
    with torch.no_grad():
        curve = [model(current).softmax(dim=1)[rows, target]]
        for k in range(x.shape[1]):
            current[rows, order[:, k]] = x.mean()
            curve.append(model(current).softmax(dim=1)[rows, target])
    return torch.stack(curve, dim=1)


def deletion_log_probability(model, x, target, attributions):
    return torch.stack(deletion_steps(model, x, target, attributions), dim=1).log()


# 11.5 selectivity
def accuracies(features, task, control, train, test, **fit):
    result = {}
    for name, labels in (("task", task), ("control", control)):
        probe = probes.fit_linear(features[train], labels[train], **fit)
        result[name] = probes.accuracy(probe, features[test], labels[test])
    return result


def selectivity_as_a_tuple(features, task, control, train, test):
    a = accuracies(features, task, control, train, test)
    return a["task"], a["control"], a["task"] - a["control"]


def selectivity_other_keys(features, task, control, train, test):
    a = accuracies(features, task, control, train, test)
    return {"task accuracy": a["task"], "control accuracy": a["control"], "selectivity": a["task"] - a["control"]}


def selectivity_in_percent(features, task, control, train, test):
    a = accuracies(features, task, control, train, test)
    a = {name: 100 * value for name, value in a.items()}
    return {**a, "selectivity": a["task"] - a["control"]}


def selectivity_against_the_majority(features, task, control, train, test):
    a = accuracies(features, task, control, train, test)
    return {**a, "selectivity": a["task"] - probes.majority(task[test])}


# 11.6 logit_lens
def lens_top_tokens(model, residual):
    return model.lm_head(model.ln_f(residual)).argmax(dim=-1)


def lens_last_position(model, residual):
    return model.lm_head(model.ln_f(residual[:, -1]))


def lens_normalised_twice(model, residual):
    return model.lm_head(model.ln_f(model.ln_f(residual)))


def lens_as_numpy(model, residual):
    return model.lm_head(model.ln_f(residual)).detach().numpy()


WRONG = [
    Wrong(checks.check_gradient, gradient_as_numpy, "x.grad returned as numpy", "where a torch tensor is asked"),
    Wrong(checks.check_gradient, gradient_of_the_mean, "backward from the mean of the logits, not their sum",
          "divided by x.shape[0]"),
    Wrong(checks.check_gradient, gradient_without_return, "forgot the return", "forget the `return`"),
    Wrong(checks.check_gradient, gradient_of_the_predicted_class, "explains the highest logit, not the target's", ""),
    Wrong(checks.check_gradient, gradient_of_the_log_probability, "the log-probability of the target", ""),
    Wrong(checks.check_integrated_gradients, ig_sign_flipped, "(baseline - x) instead of (x - baseline)", "sign flipped"),
    Wrong(checks.check_integrated_gradients, ig_not_averaged_over_the_stack, "the stack of steps never summed",
          "an extra axis"),
    Wrong(checks.check_integrated_gradients, ig_path_from_zero, "the path starts at 0, not at the baseline", ""),
    Wrong(checks.check_integrated_gradients, ig_midpoints, "the midpoint rule", ""),
    Wrong(checks.check_smoothgrad, smoothgrad_stacked, "the gradients stacked, never averaged", "an extra axis"),
    Wrong(checks.check_smoothgrad, smoothgrad_wrong_axis, "the mean over the rows instead of the samples",
          "over the wrong axis"),
    Wrong(checks.check_smoothgrad, smoothgrad_noise_scaled_again, "the noise multiplied by sigma a second time", ""),
    Wrong(checks.check_smoothgrad, smoothgrad_median, "the median of the gradients", ""),
    Wrong(checks.check_deletion_curve, deletion_transposed, "the curve stacked along dim 0: (pixels + 1, n)",
          "the transpose"),
    Wrong(checks.check_deletion_curve, deletion_as_a_list, "a list of tensors, never stacked", "where a torch tensor"),
    Wrong(checks.check_deletion_curve, deletion_to_the_mean, "deleted pixels set to the mean ink, not 0", ""),
    Wrong(checks.check_deletion_curve, deletion_log_probability, "the log-probability of the target", ""),
    Wrong(checks.check_selectivity, selectivity_as_a_tuple, "a tuple instead of a dict", "where a dict is asked"),
    Wrong(checks.check_selectivity, selectivity_other_keys, "keys 'task accuracy', 'control accuracy'",
          "expected a dict with keys"),
    Wrong(checks.check_selectivity, selectivity_in_percent, "accuracies in percent", "a percentage where a fraction"),
    Wrong(checks.check_selectivity, selectivity_against_the_majority, "task minus the majority baseline", ""),
    Wrong(checks.check_logit_lens, lens_top_tokens, "the top token ids instead of the logits", "missing an axis"),
    Wrong(checks.check_logit_lens, lens_last_position, "only the last position", "missing an axis"),
    Wrong(checks.check_logit_lens, lens_normalised_twice, "the final norm applied twice", ""),
    Wrong(checks.check_logit_lens, lens_as_numpy, "the logits as numpy", "where a torch tensor is asked"),
]
