"""Chapter 11: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import pytest
import torch
import torch.nn.functional as F

from course_lib.interpret import probes
from course_lib.machinery.exercise import ExerciseFailed
from course_lib.exercises import interpretability as checks
from tests.contract import contract_tests


# 8.1 — wrong input gradients
def gradient_of_weights(model, x, target):
    logits = model(x)
    logits[torch.arange(len(x)), target].sum().backward()
    return model[0].weight.grad  # the first layer's weights, not the input


def gradient_of_weights_summed(model, x, target):
    model(x).gather(1, target[:, None]).sum().backward()
    return model[0].weight.grad.sum(dim=0)


def gradient_of_all_logits(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).sum().backward()
    return x.grad


def gradient_of_loss(model, x, target):
    x = x.clone().requires_grad_(True)
    F.cross_entropy(model(x), target, reduction="sum").backward()
    return x.grad


def gradient_of_probability(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x).softmax(dim=1)[torch.arange(len(x)), target].sum().backward()
    return x.grad


def gradient_absolute(model, x, target):
    x = x.clone().requires_grad_(True)
    model(x)[torch.arange(len(x)), target].sum().backward()
    return x.grad.abs()


# 8.2 — wrong integrated gradients
def ig_without_difference(model, x, target, baseline, steps):
    total = 0
    for k in range(1, steps + 1):
        total = total + checks.input_gradient(model, baseline + k / steps * (x - baseline), target)
    return total / steps  # forgot to multiply by (x - baseline)


def ig_times_x(model, x, target, baseline, steps):
    total = 0
    for k in range(1, steps + 1):
        total = total + checks.input_gradient(model, baseline + k / steps * (x - baseline), target)
    return x * total / steps


def ig_linspace(model, x, target, baseline, steps):
    grads = [checks.input_gradient(model, baseline + a * (x - baseline), target) for a in torch.linspace(0, 1, steps)]
    return (x - baseline) * torch.stack(grads).mean(dim=0)


def ig_off_by_one(model, x, target, baseline, steps):
    total = torch.zeros_like(x)
    for k in range(1, steps):
        total += checks.input_gradient(model, baseline + k / steps * (x - baseline), target)
    return (x - baseline) * total / steps


def ig_left_sum(model, x, target, baseline, steps):
    total = torch.zeros_like(x)
    for k in range(steps):
        total += checks.input_gradient(model, baseline + k / steps * (x - baseline), target)
    return (x - baseline) * total / steps


def ig_not_averaged(model, x, target, baseline, steps):
    total = torch.zeros_like(x)
    for k in range(1, steps + 1):
        total += checks.input_gradient(model, baseline + k / steps * (x - baseline), target)
    return (x - baseline) * total


def ig_both_ends(model, x, target, baseline, steps):
    alphas = torch.linspace(0, 1, steps + 1)
    grads = torch.stack([checks.input_gradient(model, baseline + a * (x - baseline), target) for a in alphas])
    return (x - baseline) * grads.mean(dim=0)


# 8.3 — wrong SmoothGrad
def smoothgrad_noisy_gradient(model, x, target, noise):
    return checks.input_gradient(model, x, target) + noise.mean(dim=0)


def smoothgrad_mean_input(model, x, target, noise):
    return checks.input_gradient(model, (x + noise).mean(dim=0), target)


def smoothgrad_summed(model, x, target, noise):
    return torch.stack([checks.input_gradient(model, x + e, target) for e in noise]).sum(dim=0)


def smoothgrad_absolute(model, x, target, noise):
    return torch.stack([checks.input_gradient(model, x + e, target).abs() for e in noise]).mean(dim=0)


def smoothgrad_first_sample(model, x, target, noise):
    return checks.input_gradient(model, x + noise[0], target)


# 8.4 — wrong deletion curves
def deletion(model, x, target, attributions, descending=True, start=True, cumulative=True, probability=True):
    order = torch.argsort(attributions, dim=1, descending=descending)
    rows, current, curve = torch.arange(len(x)), x.clone(), []

    def score():
        logits = model(current)
        values = logits.softmax(dim=1) if probability else logits
        return values[rows, target].detach()
    if start:
        curve.append(score())
    for k in range(x.shape[1]):
        if not cumulative:
            current = x.clone()
        current[rows, order[:, k]] = 0.0
        curve.append(score())
    return torch.stack(curve, dim=1)


def deletion_least_first(model, x, target, attributions):
    return deletion(model, x, target, attributions, descending=False)


def deletion_without_start(model, x, target, attributions):
    return deletion(model, x, target, attributions, start=False)


def deletion_one_pixel_at_a_time(model, x, target, attributions):
    return deletion(model, x, target, attributions, cumulative=False)


def deletion_of_logits(model, x, target, attributions):
    return deletion(model, x, target, attributions, probability=False)


def deletion_by_size(model, x, target, attributions):
    return deletion(model, x, target, attributions.abs())


# 8.5 — wrong probe protocols
def selectivity_on_training_rows(features, task, control, train, test):
    result = {}
    for name, labels in [("task", task), ("control", control)]:
        probe = probes.fit_linear(features[train], labels[train])
        result[name] = probes.accuracy(probe, features[train], labels[train])  # scored on its training data
    result["selectivity"] = result["task"] - result["control"]
    return result


def selectivity_fitted_on_everything(features, task, control, train, test):
    result = {}
    for name, labels in [("task", task), ("control", control)]:
        probe = probes.fit_linear(features, labels)
        result[name] = probes.accuracy(probe, features[test], labels[test])
    result["selectivity"] = result["task"] - result["control"]
    return result


def selectivity_reversed(features, task, control, train, test):
    result = checks.selectivity(features, task, control, train, test)
    result["selectivity"] = result["control"] - result["task"]
    return result


def selectivity_ratio(features, task, control, train, test):
    result = checks.selectivity(features, task, control, train, test)
    result["selectivity"] = result["task"] / result["control"]
    return result


# 8.6 — wrong logit lenses
def lens_without_norm(model, residual):
    return residual @ model.wte.weight.T


def lens_plain_norm(model, residual):
    return model.lm_head(F.layer_norm(residual, (residual.size(-1),)))


def lens_probabilities(model, residual):
    return F.softmax(model.lm_head(model.ln_f(residual)), dim=-1)


CHECKS = {
    checks.check_gradient: [
        (gradient_of_weights, "with respect to the first layer's weights"),
        (gradient_of_weights_summed, "summed over the hidden units"),
        (gradient_of_all_logits, "differentiated the sum of all the logits"),
        (gradient_of_loss, "cross-entropy loss"),
        (gradient_of_probability, "softmax probability"),
        (gradient_absolute, "Return the signed gradient"),
    ],
    checks.check_integrated_gradients: [
        (ig_without_difference, "Multiply the averaged gradient by (x - baseline)"),
        (ig_times_x, "not by x"),
        (ig_linspace, "torch.linspace(0, 1, steps) puts the points"),
        (ig_both_ends, "steps + 1 points"),
        (ig_off_by_one, "range(1, steps) gives steps - 1 points"),
        (ig_left_sum, "left Riemann sum"),
        (ig_not_averaged, "divide their sum by steps"),
    ],
    checks.check_smoothgrad: [
        (smoothgrad_noisy_gradient, "Add the noise to the input"),
        (smoothgrad_mean_input, "Average the gradients, not the inputs"),
        (smoothgrad_summed, "a mean, not a sum"),
        (smoothgrad_absolute, "Average the signed gradients"),
        (smoothgrad_first_sample, "Use every sample"),
    ],
    checks.check_deletion_curve: [
        (deletion_least_first, "most important pixels first"),
        (deletion_without_start, "Start the curve with the untouched input"),
        (deletion_one_pixel_at_a_time, "Deletions accumulate"),
        (deletion_of_logits, "not its logit"),
        (deletion_by_size, "not its absolute value"),
    ],
    checks.check_selectivity: [
        (selectivity_on_training_rows, "on the rows they were fitted on"),
        (selectivity_fitted_on_everything, "Fit the probes on the training rows only"),
        (selectivity_reversed, "not the other way round"),
        (selectivity_ratio, "not a ratio"),
    ],
    checks.check_logit_lens: [
        (lens_without_norm, "Apply the final layer norm first"),
        (lens_plain_norm, "learned gain and bias"),
        (lens_probabilities, "no softmax"),
    ],
}

test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_a_crashing_function_is_reported_with_its_input():
    from course_lib.machinery.exercise import ExerciseCrashed

    def crashes(model, x, target):
        return model(x.T)  # the wrong orientation: the shapes do not fit
    with pytest.raises(ExerciseCrashed, match="your function raised RuntimeError"):
        checks.check_gradient(crashes)


@pytest.mark.parametrize("check", checks.EXERCISES, ids=lambda c: c.name)
def test_every_listed_mistake_gets_its_own_hint(check):
    """No mistake is shadowed by another listed before it: each one, made, gets its own hint."""
    for mistake in check.mistakes:
        with pytest.raises(ExerciseFailed) as caught:
            check(mistake.answer)
        assert mistake.hint in str(caught.value), mistake.hint


def test_cases_keep_the_global_seed_and_show_short_descriptions():
    torch.manual_seed(123)
    before = torch.rand(1)
    torch.manual_seed(123)
    cases = [check.cases() for check in checks.EXERCISES]
    assert torch.equal(torch.rand(1), before)
    assert repr(cases[0][0].args[0]) == "MLP 3-4-2 (random weights)"
    assert repr(cases[-1][0].args[0]).startswith("GPT(vocab_size=5")


def test_importing_the_checks_does_not_import_torch():
    import subprocess
    import sys
    code = "import sys, course_lib.exercises.interpretability; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


# The numbers the quiz states, computed as the chapter computes them.
@pytest.fixture(scope="module")
def digits_models():
    from course_lib.interpret import attribution
    from course_lib.nets import digits
    data = digits.load_digits_split(seed=0)
    mlp, _ = digits.train_mlp(data, seed=0)
    ink = {name: attribution.ink(data, data.split(name)[0]) for name in digits.SPLITS}
    label = {name: data.split(name)[1] for name in digits.SPLITS}
    return data, mlp, attribution.ink_model(mlp, data), ink, label


@pytest.fixture(scope="module")
def shipped():
    from course_lib.lm import tinygpt
    return tinygpt.pretrained()


def quiz_text():
    return " ".join(q.prompt + " " + " ".join(o.text + " " + o.why for o in q.options) for q in checks.QUIZ.questions)


def test_the_accuracies_in_the_quiz(digits_models):
    """Question 8: both about 97%, a few digits apart, indistinguishable by McNemar's test; the tree about 40%."""
    from course_lib.nets import digits
    data, mlp, model, ink, label = digits_models
    fits = [probes.fit_linear(ink["train"], label["train"], l2=l2, standardise=False) for l2 in (1e-4, 1e-3, 1e-2)]
    linear = max(fits, key=lambda fit: probes.accuracy(fit, ink["validation"], label["validation"]))
    tree = probes.decision_tree(ink["train"], label["train"], depth=3)
    mlp_accuracy = digits.accuracy(model, ink["test"], label["test"])
    linear_accuracy = probes.accuracy(linear, ink["test"], label["test"])
    assert 0.95 < linear_accuracy < 0.99 and 0.95 < mlp_accuracy < 0.99 and len(label["test"]) == 360
    with torch.no_grad():
        mlp_right = model(ink["test"]).argmax(dim=1) == label["test"]
    mlp_only, linear_only, p_value = probes.mcnemar(mlp_right, linear.predict(ink["test"]) == label["test"])
    assert mlp_only + linear_only <= 12 and p_value > 0.05
    assert 0.35 < probes.accuracy(tree, ink["test"], label["test"]) < 0.45  # "about 40%"
    deep = [probes.decision_tree(ink["train"], label["train"], depth=d) for d in (8, 10)]
    assert all(0.8 < probes.accuracy(t, ink["test"], label["test"]) < 0.9 for t in deep)  # "about 85%"
    assert 90 < deep[1].get_n_leaves() < 130  # "around a hundred leaves"


def test_the_randomisation_numbers_in_the_quiz(digits_models):
    import numpy as np

    from course_lib.interpret import attribution, faithfulness
    from course_lib.nets import digits
    data, mlp, model, ink, label = digits_models
    x = ink["test"]
    predicted = model(x).argmax(dim=1)
    fully_random = faithfulness.cascading_randomisation(mlp, digits.make_mlp(seed=1))[-1][1]
    random_model = attribution.ink_model(fully_random, data)
    before = attribution.gradient_x_input(model, x, predicted)
    after = attribution.gradient_x_input(random_model, x, predicted)
    assert 0.8 < np.nanmean(faithfulness.rank_correlation(before.abs(), after.abs())) < 0.97  # "about 0.9"
    assert abs(np.nanmean(faithfulness.rank_correlation(before, after))) < 0.1
    assert digits.accuracy(random_model, x, label["test"]) < 0.25  # "about as many as guessing would (10%)"


def test_the_language_model_numbers_in_the_quiz(shipped):
    import math

    from course_lib.interpret import lens, patching
    from course_lib.lm import text
    model, tokenizer, _ = shipped
    x, y = text.windows(torch.tensor(tokenizer.encode(text.split(text.corpus())[1])), 64)
    report = lens.lens_report(model, x[:300], y[:300])
    assert round(report[0]["loss"]) == 13 and round(math.log(tokenizer.vocab_size), 1) == 4.6
    assert round(report[1]["loss"], 1) == 2.4
    prompt = "a = f(x, y"
    with torch.no_grad():
        maps = model.attention_maps(torch.tensor([tokenizer.encode(prompt)]))
    assert round(maps[1][0, 0, -1, prompt.index("(")].item(), 1) == 0.6
    clean, corrupt = patching.bracket_pairs(text.split(text.corpus())[1], tokenizer)
    by_head = patching.patch_heads(model, clean, corrupt, patching.logit_difference(tokenizer, ")", "]")).mean(dim=0)
    assert round(by_head[1, 0].item(), 1) == 0.9 and by_head[1, 3] < 0.1
    closing = y[:300] == tokenizer.encode(")")[0]
    rows = {r["head"]: r["selected"] for r in patching.ablation_table(model, x[:300], y[:300], closing)}
    assert 0.7 * rows["1.0"] < rows["1.3"] < rows["1.0"]  # "nearly as much"
    sequences, _ = next(text.batches(torch.tensor(tokenizer.encode(text.corpus())), 32, batch_size=120, seed=1))
    tau, _ = lens.attention_vs_occlusion(model, sequences)
    assert 0.08 < tau.min() and tau.max() < 0.36  # "between about 0.1 and 0.3"


@pytest.mark.parametrize("check", checks.EXERCISES, ids=lambda c: c.name)
def test_the_first_hint_is_a_nudge_and_the_code_comes_second(check):
    """A first wrong answer gets words, not the solution; the code waits for a second attempt or check.hint()."""
    code = ("return ", "torch.", "probes.", "model.", ".backward()", "x.grad")
    assert check.detail and not any(token in check.nudge for token in code), check.nudge
    assert any(token in check.detail for token in code)


def test_a_gradient_returned_as_numpy_is_refused_where_the_next_exercises_need_a_tensor():
    from course_lib.interpret import attribution
    with pytest.raises(ExerciseFailed, match="a numpy array where a torch tensor is asked"):
        checks.check_gradient(lambda model, x, target: attribution.gradient(model, x, target).numpy())


def test_a_selectivity_that_is_not_a_dict_of_the_three_values_is_refused_in_words():
    from course_lib.machinery.exercise import ExerciseCrashed

    def as_tuple(features, task, control, train, test):
        result = checks.selectivity(features, task, control, train, test)
        return result["task"], result["control"], result["selectivity"]
    with pytest.raises(ExerciseCrashed, match="a tuple where a dict is asked"):
        checks.check_selectivity(as_tuple)
