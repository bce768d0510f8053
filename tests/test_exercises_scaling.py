"""Chapter 08: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import numpy as np
import pytest
import torch

from course_lib.exercises import scaling as checks
from tests.contract import contract_tests


# 7.1 — wrong power-law fits
def fit_in_linear_space(sizes, losses):
    slope, intercept = np.polyfit(sizes, losses, 1)
    return -slope, intercept


def fit_log10_then_exp(sizes, losses):
    slope, intercept = np.polyfit(np.log10(sizes), np.log10(losses), 1)
    return -slope, np.exp(intercept)


def fit_ln_then_power_of_ten(sizes, losses):
    slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 1)
    return -slope, 10 ** intercept


def fit_returns_the_slope(sizes, losses):
    slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 1)
    return slope, np.exp(intercept)


def fit_semilog(sizes, losses):
    slope, intercept = np.polyfit(sizes, np.log(losses), 1)
    return -slope, np.exp(intercept)


def fit_polyfit_backwards(sizes, losses):
    intercept, slope = np.polyfit(np.log(sizes), np.log(losses), 1)
    return -slope, np.exp(intercept)


# 7.2 — wrong R²
def r2_linear(losses, predicted):
    losses, predicted = np.asarray(losses), np.asarray(predicted)
    return 1 - np.sum((losses - predicted) ** 2) / np.sum((losses - losses.mean()) ** 2)


def r2_uncentred(losses, predicted):
    ll, lp = np.log(losses), np.log(predicted)
    return 1 - np.sum((ll - lp) ** 2) / np.sum(ll ** 2)


def r2_upside_down(losses, predicted):
    ll, lp = np.log(losses), np.log(predicted)
    return 1 - np.sum((ll - ll.mean()) ** 2) / np.sum((ll - lp) ** 2)


def r2_unexplained(losses, predicted):
    ll, lp = np.log(losses), np.log(predicted)
    return np.sum((ll - lp) ** 2) / np.sum((ll - ll.mean()) ** 2)


# 7.3 — wrong compute-optimal splits
def optimal_with_2nd(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 2) ** (beta / (alpha + beta))
    return n, flops / (2 * n)


def optimal_n_without_6(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * flops ** (beta / (alpha + beta))
    return n, flops / (6 * n)


def optimal_exponents_swapped(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (alpha / (alpha + beta))
    return n, flops / (6 * n)


def optimal_g_inverted(flops, A, B, alpha, beta):
    g = (beta * B / (alpha * A)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    return n, flops / (6 * n)


def optimal_d_without_6(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    return n, flops / n


# 7.4 — wrong token budgets
def tokens_with_2n(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 86_400 * peak_flops * utilisation / (2 * parameters)


def tokens_at_peak(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 86_400 * peak_flops / (6 * parameters)


def tokens_divided_by_utilisation(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 86_400 * peak_flops / utilisation / (6 * parameters)


def tokens_in_hours(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 3_600 * peak_flops * utilisation / (6 * parameters)


def tokens_one_device(parameters, devices, days, peak_flops, utilisation):
    return days * 86_400 * peak_flops * utilisation / (6 * parameters)


# 7.5 — wrong accumulations
def accumulate_without_dividing(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        model(xs, ys)[1].backward()


def accumulate_zeroing_inside(model, x, y, micro_batches):
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        model.zero_grad()
        (model(xs, ys)[1] / micro_batches).backward()


def accumulate_without_zeroing(model, x, y, micro_batches):
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        (model(xs, ys)[1] / micro_batches).backward()


def accumulate_dividing_by_size(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        (model(xs, ys)[1] / len(xs)).backward()


# 7.6 — wrong averages
def average_sum_only(model, all_reduce, world_size):
    for p in model.parameters():
        all_reduce(p.grad)


def average_without_all_reduce(model, all_reduce, world_size):
    for p in model.parameters():
        p.grad /= world_size


def average_divides_twice(model, all_reduce, world_size):
    for p in model.parameters():
        p.grad /= world_size
        all_reduce(p.grad)
        p.grad /= world_size


def average_weights_only(model, all_reduce, world_size):
    for p in model.parameters():
        if p.dim() == 2:
            all_reduce(p.grad)
            p.grad /= world_size


CHECKS = {
    checks.check_fit_power_law: [
        (fit_in_linear_space, "Fit the logarithms, not the numbers"),
        (fit_log10_then_exp, "You fitted base-10 logarithms"),
        (fit_ln_then_power_of_ten, "You fitted natural logarithms"),
        (fit_returns_the_slope, "The exponent is minus the slope"),
        (fit_semilog, "Take the logarithm of the sizes too"),
        (fit_polyfit_backwards, "highest power first"),
    ],
    checks.check_r_squared: [
        (r2_linear, "in log space"),
        (r2_uncentred, "around the mean of ln L"),
        (r2_upside_down, "upside down"),
        (r2_unexplained, "R² is 1 minus it"),
    ],
    checks.check_compute_optimal: [
        (optimal_with_2nd, "C = 2·N·D is a forward pass only"),
        (optimal_n_without_6, "your N forgot the 6"),
        (optimal_exponents_swapped, "The exponents are the other way round"),
        (optimal_g_inverted, "yours is its inverse"),
        (optimal_d_without_6, "Spend the whole budget"),
    ],
    checks.check_training_tokens: [
        (tokens_with_2n, "not 2·N"),
        (tokens_at_peak, "multiply by the utilisation"),
        (tokens_divided_by_utilisation, "do not divide by it"),
        (tokens_in_hours, "86,400 seconds"),
        (tokens_one_device, "multiply by the number of devices"),
    ],
    checks.check_accumulate_gradients: [
        (accumulate_without_dividing, "Divide each micro-batch's loss by the number of micro-batches"),
        (accumulate_zeroing_inside, "zeroing inside it throws away"),
        (accumulate_without_zeroing, "Start from zero"),
        (accumulate_dividing_by_size, "not by the micro-batch's size"),
    ],
    checks.check_average_gradients: [
        (average_sum_only, "all_reduce *sums* over the ranks"),
        (average_without_all_reduce, "Without the all-reduce"),
        (average_divides_twice, "world_size²"),
        (average_weights_only, "not only the weight matrices"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_a_crashing_function_is_reported_with_its_input():
    from course_lib.machinery.exercise import ExerciseCrashed

    def crashes(model, x, y, micro_batches):
        model(x, y)[1].backward(micro_batches)  # backward(k) is not "divide by k"
    with pytest.raises(ExerciseCrashed, match="your function raised"):
        checks.check_accumulate_gradients(crashes)


def test_a_rank_that_raises_is_reported():
    from course_lib.machinery.exercise import ExerciseCrashed

    def average_with_a_typo(model, all_reduce, world_size):
        for p in model.parameters():
            all_reduce(p.gradient)
    with pytest.raises(ExerciseCrashed, match="AttributeError"):
        checks.check_average_gradients(average_with_a_typo)


def test_the_checks_leave_the_learners_random_state_alone():
    state = torch.get_rng_state()
    checks.Batch(0, 4)
    assert torch.equal(torch.get_rng_state(), state)


def test_the_checks_and_the_laws_load_without_torch():
    """progress() imports every chapter's checks, and scaling's laws are numpy only: neither may pay for torch."""
    import subprocess
    import sys
    probe = "import sys; import course_lib.exercises.scaling, course_lib.scale.scaling; sys.exit('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", probe]).returncode == 0


# The numbers the quiz states.
def test_the_numbers_in_the_quiz():
    assert 100 ** 0.5 == 10 and round(100 ** 0.73) == 29 and round(100 ** 0.27, 1) == 3.5
    assert 6 * (10 * 7e10) * (10 * 1.4e12) == pytest.approx(100 * 6 * 7e10 * 1.4e12)
    assert torch.tensor(1.0, dtype=torch.bfloat16) + torch.tensor(1e-4, dtype=torch.bfloat16) == 1.0
    assert 2 / 6 == pytest.approx(1 / 3)  # a forward pass is 2N of training's 6N FLOP per token


# The chapter's closing numbers that are not computed in the notebook: LLaMA's tokens per parameter.
def test_llama_tokens_per_parameter():
    llama = {"7B": (6.7e9, 1.0e12), "13B": (13.0e9, 1.0e12)}  # Touvron et al. 2023, Table 2
    assert round(llama["7B"][1] / llama["7B"][0], -1) == 150 and round(llama["13B"][1] / llama["13B"][0]) == 77
    assert math.isclose(175e9 / 13e9, 13.5, rel_tol=0.01)  # GPT-3 is more than 10 times LLaMA-13B


@pytest.mark.parametrize("check", checks.EXERCISES, ids=lambda c: c.name)
def test_the_first_hint_is_a_nudge_and_the_code_comes_second(check):
    """A first wrong answer gets words, not the solution; the code waits for a second attempt or check.hint()."""
    code = ("return ", "np.", "model.", ".backward()", "p.grad", "N = G", "86,400 s ×")
    assert check.detail and not any(token in check.nudge for token in code), check.nudge
    assert any(token in check.detail for token in code)
    for mistake in check.mistakes:
        assert "np.polyfit(np.log(sizes)" not in mistake.hint, mistake.hint


def test_forgetting_the_6_in_n_is_named_not_taken_for_another_slip():
    from course_lib.machinery.exercise import ExerciseFailed
    checks.check_compute_optimal.failures = 0
    with pytest.raises(ExerciseFailed, match="your N forgot the 6"):
        checks.check_compute_optimal(optimal_n_without_6)


# Numbers the chapter states in prose.
def test_the_numbers_in_the_prose():
    from course_lib.scale import scaling
    a, b = scaling.HOFFMANN.exponents
    assert round(a, 4) == 0.4516 and round(b, 4) == 0.5484 and round(b - a, 3) == 0.097
    assert round(0.54 - 0.46, 2) == 0.08  # what Table 2's rounded exponents give
    assert round(math.log10(1.5e9 / 768), 1) == 6.3  # Kaplan's span of sizes, in orders of magnitude
    widths = [8, 16, 32, 64, 128]
    span = math.log10((161 * widths[-1] + 96) / (161 * widths[0] + 96))
    assert round(span, 1) == 1.2 and round(math.log10(2), 1) == 0.3  # the sweep's span, the held-out step
    gpt3 = 6 * 175e9 * 300e9 / (125e12 * 86_400)  # V100-days at 100% of the datasheet peak
    assert 5.5e4 < gpt3 / 0.5 < 6.5e4 and 1.4e5 < gpt3 / 0.2 < 1.5e5 and round(gpt3 / 0.213, -3) == 137_000
    assert 10_000 * 14.8 == 148_000  # Patterson et al.'s GPT-3: 10,000 V100s for 14.8 days
    assert (scaling.HOFFMANN.E, scaling.BESIROGLU.E) == (1.69, 1.82)  # two fits, two floors
