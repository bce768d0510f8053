"""Chapter 01 — From AI to large models: exercise checks and quiz."""
import math

import numpy as np

from course_lib.scale import trends
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "background"


def trend_cases(n_points, seed):
    rng = np.random.default_rng(seed)
    cases = []
    for n in n_points:
        years = np.sort(rng.choice(np.arange(2010, 2026), size=n, replace=False)).astype(float)
        slope, start = rng.uniform(0.1, 0.8), rng.uniform(5, 9)
        values = 10 ** (start + slope * (years - 2010) + rng.normal(0, 0.4, n))
        cases.append((years, values))
    return cases


def fit_cases():
    cases = [Case(([2012, 2014], [1e6, 1e8])), Case(([2015.0, 2016.0, 2020.0], [3e9, 5e9, 2e11]))]
    return cases + [Case((years, values)) for years, values in trend_cases([4, 7, 12], seed=1)]


check_fit_exponential = Exercise(
    "1.1", "fit_exponential", trends.fit_exponential, fit_cases, arg_names=("years", "values"),
    mistakes=[
        Mistake("Use log10, not the natural log: the slope is in orders of magnitude per year.",
                lambda x, y: tuple(np.polyfit(x, np.log(y), 1))),
        Mistake("Fit the line to log10(values), not to the values: exponential growth is a straight "
                "line only on a log scale.", lambda x, y: tuple(np.polyfit(x, y, 1))),
        Mistake("np.polyfit returns the highest power first, [slope, intercept]: return (slope, intercept).",
                lambda x, y: tuple(np.polyfit(x, np.log10(y), 1))[::-1]),
        Mistake("Years go on the x axis and log10(values) on the y axis: np.polyfit(years, np.log10(values), 1).",
                lambda x, y: tuple(np.polyfit(np.log10(y), x, 1))),
    ],
    hint="A straight line fitted to log10 of the values against the year: the slope is orders of "
         "magnitude per year (the text above the exercise shows the fit on one example).",
    detail="Fit log10(value) = intercept + slope * year by least squares, e.g. with np.polyfit(..., 1).",
)

check_doubling_time = Exercise(
    "1.2", "doubling_time_months", trends.doubling_time_months,
    [Case((s,)) for s in (1.0, 0.5, math.log10(2), 0.12, 0.35, 2.0)], arg_names=("slope",),
    mistakes=[
        Mistake("A slope s multiplies the value by 10**s a year, so doubling takes log10(2)/s years: "
                "the log10(2) is missing.", lambda s: 12 / s),
        Mistake("That is the doubling time in years: the exercise asks for months.", lambda s: math.log10(2) / s),
        Mistake("The slope is in log10 units, so use log10(2) ≈ 0.301, not ln(2) ≈ 0.693.",
                lambda s: 12 * math.log(2) / s),
        Mistake("Upside down: a steeper slope must give a shorter doubling time.", lambda s: 12 * s / math.log10(2)),
    ],
    hint="A doubling time is how long the fitted line takes to rise by log10(2) — and the answer "
         "is asked in months, not years.",
    detail="Solve 10**(slope * t) = 2 for t (in years), then convert to months.",
    factors={365 / 12: "in days where months are asked (365 days, 12 months a year)?",
             52 / 12: "in weeks where months are asked (52 weeks, 12 months a year)?"},
)

check_growth_factor = Exercise(
    "1.3", "growth_factor", trends.growth_factor,
    [Case((24.0, 2.0)), Case((24.0, 10.0)), Case((6.0, 1.0)), Case((3.4, 5.0)), Case((20.0, 0.5))],
    arg_names=("doubling_months", "years"),
    mistakes=[
        Mistake("Mixed units: the doubling time is in months and the horizon in years; "
                "there are 12 * years / doubling_months doublings.", lambda t, y: 2.0 ** (y / t)),
        Mistake("That is the number of doublings; the growth factor is 2 to that power.", lambda t, y: 12 * y / t),
        Mistake("Growth compounds: every doubling multiplies by 2, so the factor is 2 ** doublings, "
                "not 2 * doublings.", lambda t, y: 2 * 12 * y / t),
    ],
    hint="Count how many doubling times fit into the horizon; each doubling multiplies the "
         "quantity by two.",
    detail="After n doublings a quantity is 2**n times bigger; count the doublings in the horizon.",
)


def outlier_cases():
    cases = []
    for seed, (n, planted) in enumerate([(5, {2: 2.5}), (8, {1: 1.4, 5: -2.2}), (12, {0: 1.3, 7: -3.0, 9: 2.0})]):
        rng = np.random.default_rng(seed + 10)
        years = np.arange(2012.0, 2012.0 + n)
        logs = 6 + 0.5 * (years - 2012) + rng.normal(0, 0.1, n)
        for index, offset in planted.items():
            logs[index] += offset
        cases.append(Case(([f"model {i}" for i in range(n)], years, 10 ** logs, 1.0)))
    return cases


def residual_mistake(transform):
    def wrong(names, years, values, threshold):
        slope, intercept = np.polyfit(years, np.log10(values), 1)
        off = transform(np.asarray(values), 10 ** (intercept + slope * np.asarray(years)))
        return [names[i] for i in np.argsort(-np.abs(off), kind="stable") if abs(off[i]) > threshold]
    return wrong


def unsorted_outliers(names, years, values, threshold):
    off = trends.residuals(years, values)
    return [name for name, r in zip(names, off) if abs(r) > threshold]


def above_only(names, years, values, threshold):
    off = trends.residuals(years, values)
    return [names[i] for i in np.argsort(-off, kind="stable") if off[i] > threshold]


check_outliers = Exercise(
    "1.4", "outliers", trends.outliers, outlier_cases, arg_names=("names", "years", "values", "threshold"),
    mistakes=[
        Mistake("Points far below the line are outliers too: compare the absolute residual with the threshold.",
                above_only),
        Mistake("Measure the distance from the line in orders of magnitude: "
                "residual = log10(value) - (intercept + slope * year).",
                residual_mistake(lambda v, fit: v - fit)),
        Mistake("List the outliers farthest first (sort by the absolute residual, largest first).",
                unsorted_outliers),
    ],
    hint="An outlier is judged by its distance from the fitted trend in log10 units, not in raw "
         "values; the exercise asks for the farthest first.",
    detail="Fit the trend, take each point's residual in log10 units, keep |residual| > threshold, farthest first.",
)

EXERCISES = [check_fit_exponential, check_doubling_time, check_growth_factor, check_outliers]

QUIZ = Quiz(CHAPTER, [
    Question("A popular introduction defines a model's size as the total of its layers and neurons. "
             "What does a paper mean when it calls a model '175B'?", [
        Option("175 billion layers, stacked one after another", False, "Even the deepest language models have around a hundred layers."),
        Option("175 billion neurons, counted across all its layers", False, "Neurons (units) number in the millions; the weights between "
               "them are what grows into the billions."),
        Option("175 billion learned parameters", True,
               "Model size is the parameter count: weights, biases, embeddings, norm gains. A layer of 1000 inputs and 1000 outputs has 1000 neurons "
               "but 1,001,000 parameters."),
        Option("175 billion bytes on disk", False, "Bytes depend on the number format: 175B parameters take "
               "350 GB in 16-bit floats (chapter 02)."),
    ]),
    Question("Why is 2012 called a turning point?", [
        Option("The first neural network that could recognise images was built that year", False,
               "Rosenblatt's perceptron dates from 1958; backpropagation was popularised in 1986."),
        Option("AlexNet, a deep CNN trained on two GPUs, won ImageNet by a wide margin", True,
               "15.3% top-5 error against 26.2% for the runner-up: a gap of about 11 points on the field's benchmark convinced the field; the ingredients were "
               "big labelled data, GPUs and tricks such as ReLU and dropout."),
        Option("The Transformer was invented", False, "The Transformer is from 2017 (Vaswani et al.)."),
        Option("Moore's law ended", False, "Transistor counts kept doubling for years after 2012."),
    ]),
    Question("On a log-scale axis, a quantity plotted against time lies on a straight line. What does that say?", [
        Option("It grows by the same amount every year", False, "That is a straight line on a linear axis."),
        Option("It grows by the same factor every year", True,
               "Equal steps on a log axis are equal ratios: a straight line means exponential growth."),
        Option("Its growth is slowing down", False, "Slowing growth bends the line downwards."),
    ]),
    Question("A fitted slope is 0.5 (log10 units per year). What is the doubling time?", [
        Option("2 years, since 1 / 0.5 = 2", False, "That would be a slope of log10(2)/2 ≈ 0.15."),
        Option("About 7.2 months", True, "12 · log10(2) / 0.5 = 12 · 0.301 / 0.5 ≈ 7.2 months."),
        Option("6 months: half a year per doubling", False, "Close, but it uses 0.25 instead of log10(2) ≈ 0.301."),
        Option("24 months, the pace of Moore's law", False, "That is Moore's law's doubling time, not this slope's."),
    ]),
    Question("Chinchilla (70B parameters) used the same training compute as Gopher (280B). How?", [
        Option("It saw about 4.7 times as many training tokens", True,
               "1.4 trillion against 300 billion. Compute ≈ 6 · parameters · tokens: a quarter of the parameters with ~4.7× the tokens "
               "is about the same budget."),
        Option("It ran on newer, faster hardware that needs fewer operations", False, "Compute counts operations (FLOP), not time: faster chips "
               "finish sooner but do the same number of operations."),
        Option("It is a sparse model that skips most of its parameters", False,
               "Chinchilla is a dense Transformer: every parameter is used for every token."),
    ]),
    Question("Switch-C has 1.6 trillion parameters, about 9 times GPT-3's. Does each token pass through all of them?", [
        Option("Yes, that is what a parameter count means", False,
               "Only in a dense model. Switch-C is a mixture of experts."),
        Option("No: a router sends each token to one expert, so a token uses a small fraction of the parameters",
               True, "So parameters and compute per token come apart: compare DeepSeek-V3, 671B parameters "
               "of which 37B are used per token."),
    ]),
    Question("How many parameters does GPT-4 have?", [
        Option("1.8 trillion", False, "That is a third-party estimate; OpenAI has not published it."),
        Option("It is not published: the technical report withholds model size and training compute", True,
               "OpenAI 2023, §2. Plots of 'model size over time' stop at what labs disclose."),
        Option("175 billion", False, "That is GPT-3 (2020)."),
    ]),
])
