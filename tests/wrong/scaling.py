"""Chapter 08: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import numpy as np
import torch

from course_lib.exercises import scaling as checks
from tests.wrong import Wrong


# 8.1 fit_power_law
def fit_no_return(sizes, losses):
    slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 1)
    exponent, coefficient = -slope, np.exp(intercept)  # noqa: F841


def fit_log_coefficient(sizes, losses):
    slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 1)
    return -slope, intercept


def fit_quadratic(sizes, losses):
    slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 2)
    return -slope, np.exp(intercept)


def fit_two_end_points(sizes, losses):
    slope = (np.log(losses[-1]) - np.log(losses[0])) / (np.log(sizes[-1]) - np.log(sizes[0]))
    return -slope, losses[0] * sizes[0] ** -slope


# 8.2 r_squared
def r2_no_return(losses, predicted):
    log_l, log_p = np.log(losses), np.log(predicted)
    r2 = 1 - np.sum((log_l - log_p) ** 2) / np.sum((log_l - log_l.mean()) ** 2)  # noqa: F841


def r2_as_percent(losses, predicted):
    log_l, log_p = np.log(losses), np.log(predicted)
    return 100 * (1 - np.sum((log_l - log_p) ** 2) / np.sum((log_l - log_l.mean()) ** 2))


def r2_square_root(losses, predicted):
    log_l, log_p = np.log(losses), np.log(predicted)
    return np.sqrt(1 - np.sum((log_l - log_p) ** 2) / np.sum((log_l - log_l.mean()) ** 2))


def r2_correlation_squared(losses, predicted):
    return np.corrcoef(np.log(losses), np.log(predicted))[0, 1] ** 2


# 8.3 compute_optimal
def optimal_no_return(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    d = flops / (6 * n)  # noqa: F841


def optimal_n_only(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    return g * (flops / 6) ** (beta / (alpha + beta))


def optimal_with_the_ratio(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** (beta / (alpha + beta))
    return n, flops / (6 * n), flops / (6 * n * n)


def optimal_half_and_half(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    n = g * (flops / 6) ** 0.5
    return n, flops / (6 * n)


def optimal_d_times_g(flops, A, B, alpha, beta):
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    return g * (flops / 6) ** (beta / (alpha + beta)), g * (flops / 6) ** (alpha / (alpha + beta))


# 8.4 training_tokens
def tokens_utilisation_in_percent(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 86_400 * peak_flops * (100 * utilisation) / (6 * parameters)


def tokens_no_return(parameters, devices, days, peak_flops, utilisation):
    flops = devices * days * 86_400 * peak_flops * utilisation
    tokens = flops / (6 * parameters)  # noqa: F841


def tokens_in_hours(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 24 * peak_flops * utilisation / (6 * parameters)


def tokens_forgot_the_parameters(parameters, devices, days, peak_flops, utilisation):
    return devices * days * 86_400 * peak_flops * utilisation / 6


# 8.5 accumulate_gradients
def accumulate_zeroed_at_the_end(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        (model(xs, ys)[1] / micro_batches).backward()
    model.zero_grad()  # "tidy up"


def accumulate_without_the_loss_index(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        (model(xs, ys) / micro_batches).backward()


def accumulate_divided_twice(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        (model(xs, ys)[1] / micro_batches ** 2).backward()


def accumulate_chunks_of_the_sequence(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches, dim=1), y.chunk(micro_batches, dim=1)):
        (model(xs, ys)[1] / micro_batches).backward()


def accumulate_under_no_grad(model, x, y, micro_batches):
    model.zero_grad()
    for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
        with torch.no_grad():
            loss = model(xs, ys)[1]
        (loss / micro_batches).backward()


# 8.6 average_gradients
def average_using_the_return_value(model, all_reduce, world_size):
    for p in model.parameters():
        p.grad = all_reduce(p.grad) / world_size


def average_the_weights(model, all_reduce, world_size):
    for p in model.parameters():
        all_reduce(p)
        p /= world_size


def average_over_the_others(model, all_reduce, world_size):
    for p in model.parameters():
        all_reduce(p.grad)
        p.grad /= world_size - 1


def average_returns_in_the_loop(model, all_reduce, world_size):
    for p in model.parameters():
        all_reduce(p.grad)
        p.grad /= world_size
        return


WRONG = [
    Wrong(checks.check_fit_power_law, fit_no_return, "the fit never returned", "`return`"),
    Wrong(checks.check_fit_power_law, fit_log_coefficient, "the intercept returned as A, never exponentiated",
          "the natural log of the answer"),
    Wrong(checks.check_fit_power_law, fit_quadratic, "np.polyfit(..., 2): a parabola, three coefficients",
          "too many values to unpack"),
    Wrong(checks.check_fit_power_law, fit_two_end_points, "the line through the first and last points only", ""),
    Wrong(checks.check_r_squared, r2_no_return, "R² never returned", "`return`"),
    Wrong(checks.check_r_squared, r2_as_percent, "R² as a percentage", "100 times the answer"),
    Wrong(checks.check_r_squared, r2_square_root, "the correlation r instead of r²", "square root of the answer"),
    Wrong(checks.check_r_squared, r2_correlation_squared, "the squared correlation of ln L and ln L̂", ""),
    Wrong(checks.check_compute_optimal, optimal_no_return, "(N, D) never returned", "`return`"),
    Wrong(checks.check_compute_optimal, optimal_n_only, "only N returned", "a number where a tuple of 2 values"),
    Wrong(checks.check_compute_optimal, optimal_with_the_ratio, "(N, D, D/N²) returned: three values",
          "3 values where a tuple of 2"),
    Wrong(checks.check_compute_optimal, optimal_half_and_half, "the exponents taken as 0.5 whatever α and β", ""),
    Wrong(checks.check_compute_optimal, optimal_d_times_g, "D = G·(C/6)^b: G not inverted for D", ""),
    Wrong(checks.check_training_tokens, tokens_utilisation_in_percent, "the utilisation as a percentage",
          "100 times the answer"),
    Wrong(checks.check_training_tokens, tokens_no_return, "the tokens never returned", "`return`"),
    Wrong(checks.check_training_tokens, tokens_in_hours, "days turned into hours, not seconds",
          "divided by 3600"),
    Wrong(checks.check_training_tokens, tokens_forgot_the_parameters, "divided by 6, not by 6 × parameters", ""),
    Wrong(checks.check_accumulate_gradients, accumulate_zeroed_at_the_end, "model.zero_grad() after the loop too",
          "zero everywhere"),
    Wrong(checks.check_accumulate_gradients, accumulate_without_the_loss_index,
          "model(xs, ys) is (logits, loss): the tuple divided", "'tuple' and 'int'"),
    Wrong(checks.check_accumulate_gradients, accumulate_divided_twice, "each loss divided by k²", ""),
    Wrong(checks.check_accumulate_gradients, accumulate_chunks_of_the_sequence,
          "x.chunk(k, dim=1): the sequences cut into pieces, not the batch", ""),
    Wrong(checks.check_accumulate_gradients, accumulate_under_no_grad, "the forward pass under torch.no_grad()",
          "does not require grad"),
    Wrong(checks.check_average_gradients, average_using_the_return_value,
          "p.grad = all_reduce(p.grad) / W: all_reduce works in place and returns None", "'NoneType' and 'int'"),
    Wrong(checks.check_average_gradients, average_the_weights, "the weights all-reduced instead of the gradients",
          "in-place operation"),
    Wrong(checks.check_average_gradients, average_over_the_others, "divided by world_size − 1", ""),
    Wrong(checks.check_average_gradients, average_returns_in_the_loop, "return inside the loop: one parameter done",
          ""),
]
