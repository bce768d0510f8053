"""Chapter 12: the checks against wrong answers, the outlook formulas, and the numbers the chapter states."""
import math

import numpy as np
import pytest

from course_lib.scale import cost, milestones, outlook, scaling, trends
from course_lib.exercises import open_problems as checks
from tests.contract import contract_tests


# Wrong implementations a learner might write, and the hint each must get.
def energy_without_utilisation(flops, peak_flops, utilisation, watts, pue):
    return flops / peak_flops * watts * pue / 3.6e9


def energy_without_pue(flops, peak_flops, utilisation, watts, pue):
    return flops / (peak_flops * utilisation) * watts / 3.6e9


def energy_in_kilowatt_hours(flops, peak_flops, utilisation, watts, pue):
    return flops / (peak_flops * utilisation) * watts * pue / 3.6e6


def break_even_with_training_flops(parameters, training_tokens):
    return 6 * parameters * training_tokens / (6 * parameters)


def break_even_upside_down(parameters, training_tokens):
    return 2 * parameters * training_tokens / (6 * parameters)


def loss_factor_subtracted(exponent):
    return 1 - exponent


def loss_factor_natural(exponent):
    return math.exp(-exponent)


def loss_factor_per_doubling(exponent):
    return 2 ** -exponent


def years_linear(current, target, doubling_months):
    return target / current * doubling_months / 12


def years_log10(current, target, doubling_months):
    return math.log10(target / current) * doubling_months / 12


def years_in_months(current, target, doubling_months):
    return math.log2(target / current) * doubling_months


CHECKS = {
    checks.check_energy: [(energy_without_utilisation, "utilisation × peak"), (energy_without_pue, "include the PUE"),
                        (energy_in_kilowatt_hours, "1 MWh = 3.6e9 J")],
    checks.check_break_even: [(break_even_with_training_flops, "forward pass only"),
                            (break_even_upside_down, "Upside down")],
    checks.check_loss_factor: [(loss_factor_subtracted, "multiplies, it does not subtract"),
                             (loss_factor_natural, "base 10"), (loss_factor_per_doubling, "for a doubling")],
    checks.check_years_until: [(years_linear, "Growth compounds"), (years_log10, "base 2"),
                             (years_in_months, "divide by 12")],
}

test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_the_course_wide_quiz_covers_every_chapter_with_fifteen_questions_or_more():
    from course_lib.machinery import chapters
    questions = checks.QUIZ.questions
    assert len(questions) >= 15
    tags = {q.prompt[1:3] for q in questions}
    assert tags == {f"{c.number:02d}" for c in chapters.CHAPTERS}  # each tag a chapter, each chapter a question


@pytest.mark.parametrize("call, message", [
    (lambda: outlook.energy_mwh(1e20, 1e14, 1.5, 300), "utilisation <= 1"),
    (lambda: outlook.energy_mwh(1e20, 1e14, 0.4, 300, pue=0.9), "pue >= 1"),
    (lambda: outlook.energy_mwh(-1, 1e14, 0.4, 300), "flops must be a positive number"),
    (lambda: outlook.break_even_tokens(0, 1e9), "parameters must be a positive number"),
    (lambda: outlook.loss_factor_per_decade(True), "exponent must be a positive number"),
    (lambda: outlook.years_until(1, "2", 12), "target must be a positive number"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_energy_table_brackets_the_reported_figure():
    gpt3, v100 = cost.run("GPT-3"), cost.ACCELERATORS["NVIDIA V100"]
    estimates = [outlook.energy_mwh(gpt3.reported_flops, v100.peak_flops, u, outlook.POWER_WATTS["NVIDIA V100"], p)
                 for u in (0.2, 0.5) for p in (1.1, 1.6)]
    assert min(estimates) < outlook.GPT3_REPORTED_MWH / 2 and outlook.GPT3_REPORTED_MWH < max(estimates)
    assert round(min(estimates)) == 461 and round(max(estimates)) == 1675


def test_the_growth_and_limit_figures_the_chapter_states():
    _, years, compute, _ = milestones.series("compute")
    per_year = trends.growth_factor(trends.doubling_time_months(trends.fit_exponential(years, compute)[0]), 1)
    assert round(per_year, 1) == 4.8 and round(per_year / 2 ** 0.5, 1) == 3.4
    llama = cost.run("Llama 3.1 405B")
    assert outlook.break_even_tokens(llama.parameters, llama.tokens) == pytest.approx(46.8e12)
    run = cost.training_cost(llama.parameters, llama.tokens, 989e12, 0.4, 16_384, 80e9)
    assert run.devices_to_hold_state == 81
    rows = [(m.year, m.tokens) for m in milestones.MODELS if m.tokens and m.year >= 2020]
    months = trends.doubling_time_months(trends.fit_exponential(*zip(*rows))[0])
    assert 2026 <= 2024 + outlook.years_until(15.6e12, 300e12, months) <= 2032  # Villalobos et al.'s window


def test_the_scaling_figures_the_chapter_states():
    h = scaling.HOFFMANN
    reducible = [h.loss(*h.optimal(c)) - h.E for c in (1e22, 1e23)]
    assert round(reducible[1] / reducible[0], 2) == 0.70  # "about 30% of what is left" per decade
    refit = [scaling.BESIROGLU.loss(*scaling.BESIROGLU.optimal(c)) - scaling.BESIROGLU.E for c in (1e22, 1e23)]
    assert 0.3 < 1 - refit[1] / refit[0] < 0.36  # "about a third per decade"
    assert scaling.HOFFMANN.exponents == pytest.approx((0.45, 0.55), abs=0.005)  # the quiz's 0.45 and 0.55
    assert round(outlook.loss_factor_per_decade(scaling.KAPLAN.alpha_C), 3) == 0.891  # "11% of the whole loss"


def test_the_projection_explorer_answers_for_the_chosen_window(capsys):
    explorer = outlook.projection_explorer()
    start, target = explorer.widget.children[:2]
    capsys.readouterr()
    start.value = 2020
    fitted_from_2020 = capsys.readouterr().out
    assert "fit from 2020: doubling every 10.4 months -> 2030" in fitted_from_2020
    target.value = 2031
    assert "-> 2031" in capsys.readouterr().out
    assert np.isclose(outlook.energy_mwh(3.6e9 * 1e3, 1e3, 1.0, 1.0, 1.0), 1.0)


def test_the_projection_explorer_rounds_its_cost_and_shows_only_the_points_it_has(capsys):
    explorer = outlook.projection_explorer()
    def legend(start):
        return [t.get_text() for t in explorer.figure(start=start, target=2030).axes[0].get_legend().texts]
    capsys.readouterr()
    assert "not fitted" not in " ".join(legend(2017))  # the fit starts at the first point: nothing left out
    assert "= 14.3 million H100-years at 40% utilisation = 96,700 GWh (700 W, PUE 1.1)" in capsys.readouterr().out
    assert "not fitted" in legend(2020)
    assert "= 44,100 H100-years at 40% utilisation = 298 GWh" in capsys.readouterr().out


def test_the_linear_classifier_is_as_accurate_as_the_mlp_by_a_paired_test():
    """The FAQ's "about as many test digits right as the MLP" (chapter 11's section 2)."""
    import torch

    from course_lib.interpret import attribution, probes
    from course_lib.nets import digits
    data = digits.load_digits_split(seed=0)
    mlp, _ = digits.train_mlp(data, seed=0)
    ink = {name: attribution.ink(data, data.split(name)[0]) for name in ("train", "validation", "test")}
    label = {name: data.split(name)[1] for name in ("train", "validation", "test")}
    fits = [probes.fit_linear(ink["train"], label["train"], l2=l2, standardise=False) for l2 in (1e-4, 1e-3, 1e-2)]
    linear = max(fits, key=lambda fit: probes.accuracy(fit, ink["validation"], label["validation"]))
    with torch.no_grad():
        mlp_right = attribution.ink_model(mlp, data)(ink["test"]).argmax(dim=1) == label["test"]
    mlp_only, linear_only, p_value = probes.mcnemar(mlp_right, linear.predict(ink["test"]) == label["test"])
    assert len(label["test"]) == 360 and mlp_only + linear_only <= 12 and p_value > 0.05


def test_the_utilisation_figures_the_chapter_states():
    """Section 1: GPT-3's reported hardware implies about 20% of the datasheet peak, inside the 20-50% of
    published large runs, and in the energy table's 20% row."""
    implied = cost.implied_utilisation(outlook.gpt3_as_reported())
    assert 0.19 < implied < 0.20 and abs(implied - outlook.PUBLISHED_MFU["GPT-3"]) < 0.03
    assert 0.2 < min(outlook.PUBLISHED_MFU.values()) and max(outlook.PUBLISHED_MFU.values()) < 0.5
    gpt3, v100 = cost.run("GPT-3"), cost.ACCELERATORS["NVIDIA V100"]
    rows = [outlook.energy_mwh(gpt3.reported_flops, v100.peak_flops, 0.2, outlook.POWER_WATTS["NVIDIA V100"], p)
            for p in (1.1, 1.3)]
    assert rows[0] < outlook.GPT3_REPORTED_MWH < rows[1]  # "in the rows for about 20% utilisation"


def test_the_parameter_trend_levels_only_with_switch_c_and_the_data_per_parameter_grew():
    names, years, params, _ = milestones.series("parameters")
    recent = years >= 2020
    without = recent & (np.array(names) != "Switch-C")
    assert trends.fit_exponential(years[recent], params[recent])[0] < 0.01
    assert trends.fit_exponential(years[without], params[without])[0] > 0.03
    ratio = {name: milestones.model(name).tokens / milestones.model(name).parameters
             for name in ("GPT-3", "Chinchilla", "LLaMA-65B", "Llama 3.1 405B")}
    assert ratio["GPT-3"] < 2 and 18 < ratio["Chinchilla"] < 22 and 18 < ratio["LLaMA-65B"] < 22
    assert 35 < ratio["Llama 3.1 405B"] < 42  # "under 2 ... about 20 ... near 40"
    assert max(m.parameters for m in milestones.MODELS if m.year >= 2022 and m.parameters) == 671e9


def test_the_two_fitted_floors_the_chapter_compares():
    assert (scaling.HOFFMANN.E, scaling.BESIROGLU.E) == (1.69, 1.82)


@pytest.mark.parametrize("check", checks.EXERCISES, ids=lambda c: c.name)
def test_the_first_hint_names_no_formula_and_the_formula_comes_second(check):
    assert check.detail and check.detail not in check.nudge
    assert "3.6e9" not in check.nudge and "log2(" not in check.nudge and "10 ** -" not in check.nudge
