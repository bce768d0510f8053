"""Chapter 01: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math

import numpy as np
import pytest

from course_lib.scale import trends
from tests.contract import contract_tests
from course_lib.exercises import background as checks




# Wrong implementations a learner might write, and the hint each must get.
def fit_natural_log(years, values):
    slope, intercept = np.polyfit(years, np.log(values), 1)
    return slope, intercept


def fit_without_log(years, values):
    return tuple(np.polyfit(years, values, 1))


def fit_polyfit_order(years, values):
    intercept, slope = np.polyfit(years, np.log10(values), 1)  # polyfit returns the slope first
    return slope, intercept


def doubling_no_log(slope):
    return 12 / slope


def doubling_in_years(slope):
    return math.log10(2) / slope


def doubling_natural_log(slope):
    return 12 * math.log(2) / slope


def growth_mixed_units(doubling_months, years):
    return 2 ** (years / doubling_months)


def growth_linear(doubling_months, years):
    return 2 * (12 * years / doubling_months)


def outliers_above_only(names, years, values, threshold):
    slope, intercept = np.polyfit(years, np.log10(values), 1)
    residuals = np.log10(values) - (intercept + slope * np.asarray(years))
    return [names[i] for i in np.argsort(-residuals) if residuals[i] > threshold]


def outliers_linear_residuals(names, years, values, threshold):
    slope, intercept = np.polyfit(years, np.log10(values), 1)
    residuals = np.asarray(values) - 10 ** (intercept + slope * np.asarray(years))
    return [names[i] for i in np.argsort(-np.abs(residuals)) if abs(residuals[i]) > threshold]


def outliers_in_input_order(names, years, values, threshold):
    slope, intercept = np.polyfit(years, np.log10(values), 1)
    residuals = np.log10(values) - (intercept + slope * np.asarray(years))
    return [n for n, r in zip(names, residuals) if abs(r) > threshold]


CHECKS = {
    checks.check_fit_exponential: [
        (fit_natural_log, "not the natural log"),
        (fit_without_log, "not to the values"),
        (fit_polyfit_order, "highest power first"),
    ],
    checks.check_doubling_time: [
        (doubling_no_log, "the log10(2) is missing"),
        (doubling_in_years, "in years"),
        (doubling_natural_log, "not ln(2)"),
    ],
    checks.check_growth_factor: [
        (growth_mixed_units, "Mixed units"),
        (growth_linear, "Growth compounds"),
    ],
    checks.check_outliers: [
        (outliers_above_only, "Points far below the line"),
        (outliers_linear_residuals, "in orders of magnitude"),
        (outliers_in_input_order, "farthest first"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


# The reference implementations and what they reject.
def test_fit_recovers_an_exact_exponential():
    years = np.arange(2000, 2010)
    slope, intercept = trends.fit_exponential(years, 5 * 3.0 ** (years - 2000))
    assert slope == pytest.approx(math.log10(3))
    assert trends.doubling_time_months(slope) == pytest.approx(12 * math.log(2) / math.log(3))


def test_doubling_and_growth_are_inverse():
    assert trends.growth_factor(trends.doubling_time_months(0.37), 1) == pytest.approx(10 ** 0.37)
    assert trends.growth_factor(24, 10) == pytest.approx(32)


@pytest.mark.parametrize("call, message", [
    (lambda: trends.fit_exponential([2020], [1.0]), "at least two points"),
    (lambda: trends.fit_exponential([2020, 2020], [1.0, 2.0]), "different years"),
    (lambda: trends.fit_exponential([2020, 2021], [1.0, -2.0]), "positive and finite"),
    (lambda: trends.fit_exponential([2020, 2021], [1.0]), "equal length"),
    (lambda: trends.doubling_time_months(-0.1), "only a growing trend"),
    (lambda: trends.growth_factor(0, 5), "doubling_months must be positive"),
    (lambda: trends.outliers(["a"], [2020, 2021], [1.0, 2.0]), "1 names for 2 points"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
