"""course_lib.scale.scaling: the fits recover known laws, the published constants and what follows from them."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.scale import scaling
from course_lib.lm.gpt import GPT2
from course_lib.scale.sizing import gpt_params

SIZES = np.geomspace(1e3, 1e6, 7)


# --- fits ------------------------------------------------------------------------------------

@given(st.floats(0.01, 2.0), st.floats(0.1, 100.0))
def test_a_power_law_fit_recovers_its_exponent_and_coefficient(exponent, coefficient):
    law = scaling.fit_power_law(SIZES, coefficient * SIZES ** -exponent)
    assert law.exponent == pytest.approx(exponent, rel=1e-9)
    assert law.coefficient == pytest.approx(coefficient, rel=1e-9)
    assert law.r2 == pytest.approx(1.0) and law.floor == 0


@settings(max_examples=30, deadline=None)
@given(st.floats(0.5, 3.0), st.floats(0.1, 1.0), st.floats(1.0, 50.0))
def test_a_fit_with_a_floor_recovers_all_three_numbers(floor, exponent, coefficient):
    losses = floor + coefficient * SIZES ** -exponent
    law = scaling.fit_with_floor(SIZES, losses)
    assert law.floor == pytest.approx(floor, rel=1e-4)
    assert law.exponent == pytest.approx(exponent, rel=1e-3)
    assert law(SIZES) == pytest.approx(losses, rel=1e-6) and law.r2 > 0.999999


def test_a_power_law_is_linear_in_log_log_space_only():
    losses = 5 * SIZES ** -0.3
    slope, _ = np.polyfit(SIZES, losses, 1)  # what a fit without logarithms "finds"
    assert abs(-slope - 0.3) > 0.29 and scaling.fit_power_law(SIZES, losses).exponent == pytest.approx(0.3)


def test_r_squared_is_computed_in_log_space():
    losses = np.array([4.0, 2.0, 1.0])
    assert scaling.r_squared(losses, losses) == 1.0
    assert scaling.r_squared(losses, np.full(3, 2.0)) == pytest.approx(0.0)  # the geometric mean explains nothing
    with pytest.raises(ValueError, match="undefined"):
        scaling.r_squared([2.0, 2.0], [1.0, 3.0])


def test_the_bootstrap_spreads_around_the_fitted_exponent():
    rng = np.random.default_rng(0)
    losses = 3 * SIZES ** -0.1 * np.exp(0.01 * rng.standard_normal(len(SIZES)))
    samples = scaling.bootstrap(SIZES, losses, samples=300)
    fitted = scaling.fit_power_law(SIZES, losses).exponent
    low, high = np.percentile(samples, [5, 95])
    assert len(samples) == 300 and low < fitted < high and high - low < 0.02
    assert np.array_equal(samples, scaling.bootstrap(SIZES, losses, samples=300))  # seeded
    floors = scaling.bootstrap(SIZES, 1 + losses, fit=scaling.fit_with_floor, samples=20)
    assert len(floors) == 20


def test_golden_section_finds_a_minimum():
    assert scaling.golden_minimum(lambda x: (x - 2.5) ** 2, 0.0, 10.0) == pytest.approx(2.5, abs=1e-8)


@pytest.mark.parametrize("sizes, losses, message", [
    ([1, 2, 3], [1, 2], "same number of points"),
    ([1, 2, 3], [1, -2, 3], "positive and finite"),
    ([0, 2, 3], [1, 2, 3], "positive and finite"),
    ([2, 2, 2], [1, 2, 3], "two sizes"),
])
def test_bad_points_are_refused(sizes, losses, message):
    with pytest.raises(ValueError, match=message):
        scaling.fit_power_law(sizes, losses)


def test_a_floor_needs_three_sizes_and_a_bootstrap_enough_samples():
    with pytest.raises(ValueError, match="three sizes"):
        scaling.fit_with_floor([1, 2], [3, 2])
    with pytest.raises(ValueError, match="at least 10"):
        scaling.bootstrap(SIZES, SIZES ** -0.1, samples=3)


# --- the published laws ----------------------------------------------------------------------

def test_kaplans_constants_and_gpt2():
    k = scaling.KAPLAN
    assert (k.N_c, k.alpha_N, k.D_c, k.alpha_D, k.C_c, k.alpha_C) == (8.8e13, 0.076, 5.4e13, 0.095, 3.1e8, 0.050)
    assert k.loss_n(gpt_params(GPT2["gpt2"], non_embedding=True)) == pytest.approx(2.865, abs=0.002)
    assert k.loss_n(k.N_c) == 1.0 and k.loss_d(k.D_c) == 1.0 and k.loss_c(k.C_c * scaling.PF_DAY) == 1.0
    # L(N, D) falls back to L(N) with unlimited data and to L(D) with an unlimited model
    assert k.loss(1e9, 1e30) == pytest.approx(k.loss_n(1e9), rel=1e-6)
    assert k.loss(1e30, 1e10) == pytest.approx(k.loss_d(1e10), rel=1e-6)
    assert k.exponents == (0.73, 0.27)


def test_kaplans_optimum_spends_the_budget_and_grows_as_c_to_the_073():
    n1, d1 = scaling.KAPLAN.optimal(1e21)
    n2, d2 = scaling.KAPLAN.optimal(1e22)
    assert 6 * n1 * d1 == pytest.approx(1e21) and n2 / n1 == pytest.approx(10 ** 0.73)
    assert scaling.KAPLAN.optimal(scaling.PF_DAY)[0] == pytest.approx(1.3e9)


@settings(max_examples=40, deadline=None)
@given(st.floats(1e18, 1e27), st.sampled_from([scaling.HOFFMANN, scaling.BESIROGLU]))
def test_the_closed_form_optimum_is_the_bottom_of_the_isoflop_curve(flops, law):
    n, d = law.optimal(flops)
    assert 6 * n * d == pytest.approx(flops)
    grid = n * np.geomspace(0.5, 2.0, 201)
    assert grid[np.argmin(law.isoflop(flops, grid))] == pytest.approx(n, rel=0.01)


def test_hoffmanns_parametric_fit():
    h = scaling.HOFFMANN
    assert (h.E, h.A, h.B, h.alpha, h.beta) == (1.69, 406.4, 410.7, 0.34, 0.28)
    a, b = h.exponents
    assert round(a, 2) == 0.45 and a + b == pytest.approx(1.0)  # Table 2 rounds approach 3 to 0.46 / 0.54
    assert h.loss(70e9, 1.4e12) < h.loss(280e9, 300e9)  # Chinchilla below Gopher, at about the same compute
    assert math.isinf(h.tokens_for(h.E + 0.01, 1e6))  # a model too small never gets there
    n = 1e10
    assert h.loss(n, h.tokens_for(2.1, n)) == pytest.approx(2.1)


def test_tokens_per_parameter_follow_from_each_fit():
    ratio = {fit.name: [scaling.tokens_per_parameter(fit, c) for c in (1e21, 5.76e23, 3.8e25)]
             for fit in scaling.FITS}
    assert all(r == pytest.approx(20.2, abs=0.1) for r in ratio[scaling.APPROACH_1.name])
    assert ratio[scaling.KAPLAN.name][1] < 1 and ratio[scaling.KAPLAN.name][2] < ratio[scaling.KAPLAN.name][1]
    assert 80 < ratio[scaling.HOFFMANN.name][1] < 100
    assert 15 < ratio[scaling.BESIROGLU.name][1] < 22


def test_table_3_is_consistent_with_6nd_and_about_20_tokens_per_parameter():
    for n, flops, d in scaling.TABLE_3:
        assert 6 * n * d == pytest.approx(flops, rel=0.05)
        assert 19.5 < d / n < 23
    n, _ = scaling.APPROACH_1.optimal(1.23e22)
    assert n == pytest.approx(10e9, rel=0.01)  # the approach-1 line through one row passes through the next


def test_the_approaches_table():
    assert scaling.APPROACHES["1. minimum over training curves"][0][0] == 0.50
    assert scaling.APPROACHES["2. IsoFLOP profiles"][1] == (0.51, (0.483, 0.529))
    assert scaling.APPROACHES["Kaplan et al. (2020)"] == ((0.73, None), (0.27, None))


def test_bad_inputs_to_the_laws():
    with pytest.raises(ValueError, match="flops must be positive"):
        scaling.HOFFMANN.optimal(-1.0)
    with pytest.raises(ValueError, match="parameters must be positive"):
        scaling.KAPLAN.loss_n(0)
    with pytest.raises(ValueError, match="tokens must be positive"):
        scaling.HOFFMANN.loss(1e9, float("nan"))


# --- training and serving --------------------------------------------------------------------

def test_lifetime_flops_counts_6_for_training_and_2_for_serving():
    assert scaling.lifetime_flops(10.0, 100.0, 0.0) == 6_000
    assert scaling.lifetime_flops(10.0, 100.0, 300.0) == 2 * 6_000  # serving 3D costs as much as training
    with pytest.raises(ValueError, match="served_tokens"):
        scaling.lifetime_flops(10.0, 100.0, -1.0)


def test_serving_moves_the_optimum_to_smaller_models_trained_longer():
    law = scaling.BESIROGLU
    n_opt, d_opt = law.optimal(5.76e23)
    target = law.loss(n_opt, d_opt)
    plans = [scaling.lifetime_optimal(law, target, served) for served in (0, 1e12, 1e13, 1e14)]
    assert plans[0][0] == pytest.approx(n_opt, rel=1e-4) and plans[0][1] == pytest.approx(d_opt, rel=1e-4)
    assert all(a[0] > b[0] and a[1] < b[1] for a, b in zip(plans, plans[1:]))
    for (n, d), served in zip(plans, (0, 1e12, 1e13, 1e14)):
        assert law.loss(n, d) == pytest.approx(target, rel=1e-9)
        assert scaling.lifetime_flops(n, d, served) <= scaling.lifetime_flops(n_opt, d_opt, served) * (1 + 1e-9)


def test_lifetime_optimum_refuses_a_loss_below_the_floor():
    with pytest.raises(ValueError, match="floor"):
        scaling.lifetime_optimal(scaling.HOFFMANN, 1.5, 0)
    with pytest.raises(TypeError, match="Parametric"):
        scaling.lifetime_optimal(scaling.KAPLAN, 2.0, 0)


# --- pictures --------------------------------------------------------------------------------

def test_the_allocation_widget_redraws_with_the_budget(capsys):
    explorer = scaling.allocation_explorer(flops=1e21)
    fig = explorer.figure(**explorer.values)
    assert len(fig.axes) == 2
    first = capsys.readouterr().out
    assert "C = 1e+21 FLOP" in first and "D/N" in first
    explorer.widget.children[0].value = 1e24
    explorer.widget.children[1].value = "Hoffmann et al. 2022"
    explorer.figure(**explorer.values)
    out = capsys.readouterr().out
    assert "C = 1e+24 FLOP" in out and out != first
    assert "image/png" in explorer.static_view()


def test_draw_fits_plots_points_and_laws():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots()
    losses = np.stack([2 * SIZES ** -0.05, 2.01 * SIZES ** -0.05], axis=1)
    scaling.draw_fits(ax, SIZES, losses, {"power law": scaling.fit_power_law(SIZES, losses[:, 0])}, extend_to=1e7)
    assert ax.get_xscale() == "log" and ax.get_xlim()[1] > 1e7 and len(ax.lines) == 1


def test_log_log_labels_of_n_never_collide():
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.3, 3.6))
    ax.scatter([1384, 2672, 5248, 10400, 20704], [2.2, 2.1, 2.0, 1.95, 1.9])  # chapter 08's sweep
    scaling.log_log(ax)
    fig.canvas.draw()
    labels = [t for t in ax.get_xticklabels(minor=True) + ax.get_xticklabels() if t.get_text()
              and ax.get_xlim()[0] <= t.get_position()[0] <= ax.get_xlim()[1]]
    boxes = sorted((t.get_window_extent() for t in labels), key=lambda box: box.x0)
    assert len(boxes) >= 3 and all(a.x1 < b.x0 for a, b in zip(boxes, boxes[1:]))
    minor = " ".join(t.get_text() for t in ax.get_xticklabels(minor=True))
    assert r"2\times10^{3}" in minor and r"5\times10^{3}" in minor and r"3\times" not in minor
    plt.close(fig)


def test_the_allocation_widget_uses_the_budget_it_is_given_and_shows_its_labels_whole():
    explorer = scaling.allocation_explorer(flops=5.76e23)
    slider, dropdown = explorer.widget.children[:2]
    assert slider.value == pytest.approx(5.76e23, rel=1e-12)  # not snapped to 10^23.8 = 6.31e23
    assert slider.min <= 18.05 and slider.max >= 26.9
    slider.value = 10 ** (slider.min + 59 * slider.step)  # a step of the slider's own grid
    assert slider.value == pytest.approx(5.76e23 * 10 ** 0.1, rel=1e-9)
    assert slider.style.description_width == dropdown.style.description_width == "initial"
    assert dropdown.value == "Besiroglu et al. 2024" and set(dropdown.options) == {"Besiroglu et al. 2024",
                                                                                 "Hoffmann et al. 2022"}


def test_a_law_prints_its_own_variable():
    assert "·N^(-0.3000)" in str(scaling.fit_power_law(SIZES, 5 * SIZES ** -0.3))
    assert "·D^(-0.3000)" in str(scaling.fit_power_law(SIZES, 5 * SIZES ** -0.3, variable="D"))
    assert "·D^(" in str(scaling.fit_with_floor(SIZES, 1 + 5 * SIZES ** -0.3, variable="D"))


def test_the_floor_fit_is_np_polyfit_at_its_floor():
    losses = 1.7 + 6 * SIZES ** -0.4 * np.exp(0.01 * np.random.default_rng(0).standard_normal(len(SIZES)))
    law = scaling.fit_with_floor(SIZES, losses)
    slope, intercept = np.polyfit(np.log(SIZES), np.log(losses - law.floor), 1)
    assert law.exponent == pytest.approx(-slope) and law.coefficient == pytest.approx(np.exp(intercept))


def test_exact_match_is_all_or_nothing_and_its_log_is_the_log_likelihood():
    loss = np.array([0.5, 0.1, 0.01])
    assert scaling.exact_match(loss, 1) == pytest.approx(np.exp(-loss))
    assert np.log(scaling.exact_match(loss, 20)) == pytest.approx(-20 * loss)
    assert scaling.exact_match(0.0, 5) == 1.0 and isinstance(scaling.exact_match(0.2, 3), float)
    with pytest.raises(ValueError, match="answer_tokens"):
        scaling.exact_match(loss, 0)
    with pytest.raises(ValueError, match="loss_per_token"):
        scaling.exact_match(-1.0, 2)
