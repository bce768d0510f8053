"""Chapter 01: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import numpy as np

from course_lib.exercises import background as checks
from tests.wrong import Wrong


# 1.1 fit_exponential
def fit_no_return(years, values):
    slope, intercept = np.polyfit(years, np.log10(values), 1)  # noqa: F841


def fit_slope_only(years, values):
    return np.polyfit(years, np.log10(values), 1)[0]


def fit_log2(years, values):
    slope, intercept = np.polyfit(years, np.log2(values), 1)
    return slope, intercept


def fit_quadratic(years, values):
    return tuple(np.polyfit(years, np.log10(values), 2))


# 1.2 doubling_time_months
def doubling_no_return(slope):
    months = 12 * math.log10(2) / slope  # noqa: F841


def doubling_in_days(slope):
    return 365 * math.log10(2) / slope


def doubling_in_weeks(slope):
    return 52 * math.log10(2) / slope


def doubling_log_of_slope(slope):
    return 12 * math.log10(2 / slope)


# 1.3 growth_factor
def growth_no_return(doubling_months, years):
    factor = 2 ** (12 * years / doubling_months)  # noqa: F841


def growth_e_base(doubling_months, years):
    return math.exp(12 * years / doubling_months)


def growth_ratio_upside_down(doubling_months, years):
    return 2 ** (doubling_months / (12 * years))


def growth_precedence(doubling_months, years):
    return 2 ** (12 * years) / doubling_months


# 1.4 outliers
def outliers_no_return(names, years, values, threshold):
    off = np.log10(values) - np.polyval(np.polyfit(years, np.log10(values), 1), years)
    found = [names[i] for i in np.argsort(-np.abs(off)) if abs(off[i]) > threshold]  # noqa: F841


def outliers_residuals_not_names(names, years, values, threshold):
    off = np.log10(values) - np.polyval(np.polyfit(years, np.log10(values), 1), years)
    return [off[i] for i in np.argsort(-np.abs(off)) if abs(off[i]) > threshold]


def outliers_from_the_mean(names, years, values, threshold):
    off = np.log10(values) - np.log10(values).mean()
    return [names[i] for i in np.argsort(-np.abs(off)) if abs(off[i]) > threshold]


def outliers_natural_log(names, years, values, threshold):
    off = np.log(values) - np.polyval(np.polyfit(years, np.log(values), 1), years)
    return [names[i] for i in np.argsort(-np.abs(off)) if abs(off[i]) > threshold]


def outliers_signed_order(names, years, values, threshold):
    off = np.log10(values) - np.polyval(np.polyfit(years, np.log10(values), 1), years)
    return [names[i] for i in np.argsort(-off) if abs(off[i]) > threshold]


WRONG = [
    Wrong(checks.check_fit_exponential, fit_no_return, "the fit never returned", "`return`"),
    Wrong(checks.check_fit_exponential, fit_slope_only, "only the slope returned", "a number where a"),
    Wrong(checks.check_fit_exponential, fit_log2, "log2 instead of log10", "log2"),
    Wrong(checks.check_fit_exponential, fit_quadratic, "a degree-2 fit: three coefficients", "3 values"),
    Wrong(checks.check_doubling_time, doubling_no_return, "the months never returned", "`return`"),
    Wrong(checks.check_doubling_time, doubling_in_days, "365 days where 12 months belong", "in days where months"),
    Wrong(checks.check_doubling_time, doubling_in_weeks, "52 weeks where 12 months belong", "in weeks where months"),
    Wrong(checks.check_doubling_time, doubling_log_of_slope, "log10(2 / slope): the division inside the log", ""),
    Wrong(checks.check_growth_factor, growth_no_return, "the factor never returned", "`return`"),
    Wrong(checks.check_growth_factor, growth_e_base, "exp(doublings): e where 2 belongs", ""),
    Wrong(checks.check_growth_factor, growth_ratio_upside_down, "doubling_months / (12 years): ratio upside down", ""),
    Wrong(checks.check_growth_factor, growth_precedence, "2 ** (12 * years) / doubling_months: brackets missing", ""),
    Wrong(checks.check_outliers, outliers_no_return, "the list never returned", "`return`"),
    Wrong(checks.check_outliers, outliers_residuals_not_names, "the residuals returned instead of the names",
          "a number where a string"),
    Wrong(checks.check_outliers, outliers_from_the_mean, "distance from the mean, no trend fitted", ""),
    Wrong(checks.check_outliers, outliers_natural_log, "residuals in natural-log units", ""),
    Wrong(checks.check_outliers, outliers_signed_order, "sorted by the signed residual: far below comes last",
          "another order"),
]
