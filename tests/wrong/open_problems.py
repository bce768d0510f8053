"""Chapter 12: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

from course_lib.exercises import open_problems as checks
from tests.wrong import Wrong


# 12.1 energy_mwh
def energy_in_kilowatts(flops, peak_flops, utilisation, watts, pue):
    return flops / (peak_flops * utilisation) * (watts / 1000) * pue / 3.6e9


def energy_in_watt_hours(flops, peak_flops, utilisation, watts, pue):
    return flops / (peak_flops * utilisation) * watts * pue / 3600


def energy_in_joules(flops, peak_flops, utilisation, watts, pue):
    return flops / (peak_flops * utilisation) * watts * pue


def energy_times_utilisation(flops, peak_flops, utilisation, watts, pue):
    return flops * utilisation / peak_flops * watts * pue / 3.6e9


# 12.2 break_even_tokens
def break_even_ratio_only(parameters, training_tokens):
    return 6 * parameters / (2 * parameters)


def break_even_backward_at_inference(parameters, training_tokens):
    return 6 * parameters * training_tokens / (4 * parameters)


def break_even_training_flops(parameters, training_tokens):
    return 6 * parameters * training_tokens


# 12.3 loss_factor_per_decade
def loss_factor_in_percent(exponent):
    return 100 * 10 ** -exponent


def loss_factor_log10(exponent):
    return -exponent


def loss_factor_reciprocal_exponent(exponent):
    return 10 ** (-1 / exponent)


# 12.4 years_until
def years_natural_log(current, target, doubling_months):
    return math.log(target / current) * doubling_months / 12


def years_ratio_reversed(current, target, doubling_months):
    return math.log2(current / target) * doubling_months / 12


def years_divided_twice(current, target, doubling_months):
    return math.log2(target / current) * doubling_months / 12 / 12


def years_as_the_calendar_year(current, target, doubling_months):
    return 2024 + math.log2(target / current) * doubling_months / 12


WRONG = [
    Wrong(checks.check_energy, energy_in_kilowatts, "watts turned into kilowatts before the J -> MWh step",
          "divided by 1000"),
    Wrong(checks.check_energy, energy_in_watt_hours, "divided by 3600: watt-hours, not MWh", "1e+06 times"),
    Wrong(checks.check_energy, energy_in_joules, "joules, never converted", "3.6e+09 times"),
    Wrong(checks.check_energy, energy_times_utilisation, "multiplied by the utilisation instead of dividing", ""),
    Wrong(checks.check_break_even, break_even_ratio_only, "6N / 2N: the ratio, without the tokens", ""),
    Wrong(checks.check_break_even, break_even_backward_at_inference, "4N a served token (a backward pass too)",
          "half the answer"),
    Wrong(checks.check_break_even, break_even_training_flops, "the training FLOPs 6ND", ""),
    Wrong(checks.check_loss_factor, loss_factor_in_percent, "a percentage", "100 times the answer"),
    Wrong(checks.check_loss_factor, loss_factor_log10, "log10 of the factor: -exponent", ""),
    Wrong(checks.check_loss_factor, loss_factor_reciprocal_exponent, "10 ** (-1 / exponent)", ""),
    Wrong(checks.check_years_until, years_natural_log, "the natural log", "ln 2 times the answer"),
    Wrong(checks.check_years_until, years_ratio_reversed, "log2(current / target)", "sign flipped"),
    Wrong(checks.check_years_until, years_divided_twice, "divided by 12 twice", "a twelfth of the answer"),
    Wrong(checks.check_years_until, years_as_the_calendar_year, "the calendar year, 2024 + years", "+2024"),
]
