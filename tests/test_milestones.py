"""The sourced dataset of chapter 01, and the numbers the chapter and its quiz state about it."""
import math

import numpy as np
import pytest

from course_lib.scale import milestones, trends
from course_lib.exercises import background as checks


def test_the_dataset_spans_2012_to_today_with_a_source_per_row():
    assert len(milestones.MODELS) >= 15
    assert min(m.year for m in milestones.MODELS) == 2012 and max(m.year for m in milestones.MODELS) >= 2024
    assert [m.year for m in milestones.MODELS] == sorted(m.year for m in milestones.MODELS)
    for m in milestones.MODELS:
        assert m.source and any(str(y) in m.source for y in range(m.year - 1, m.year + 2)), m.name
        assert m.compute is None or m.compute_by, f"{m.name}: compute without who reported it"
    assert len({m.name for m in milestones.MODELS}) == len(milestones.MODELS)


def test_reported_compute_agrees_with_six_n_d_where_both_are_known():
    # Brown et al. 2020 count half of T5's parameters per token (encoder or decoder).
    for m in milestones.MODELS:
        if m.compute and m.tokens:
            expected = 0.5 if m.name == "T5-11B" else 1.0
            assert m.compute / milestones.estimated_compute(m) == pytest.approx(expected, rel=0.15), m.name


def test_estimates_use_the_parameters_active_per_token():
    deepseek = milestones.model("DeepSeek-V3")
    assert milestones.estimated_compute(deepseek) == 6 * 37e9 * 14.8e12
    assert milestones.estimated_compute(milestones.model("AlexNet")) is None


def test_series_and_lookups_reject_unknown_names():
    with pytest.raises(ValueError, match="'parameters' or 'compute'"):
        milestones.series("layers")
    with pytest.raises(ValueError, match="field must be"):
        milestones.published("neurons")
    with pytest.raises(KeyError, match="no model named 'GPT-5'"):
        milestones.model("GPT-5")


def test_the_trend_figures_the_chapter_states():
    names, years, params, _ = milestones.series("parameters")
    months = trends.doubling_time_months(trends.fit_exponential(years, params)[0])
    assert 9 < months < 10.5  # "doubled roughly every 9 to 10 months"
    assert 4_000 < trends.growth_factor(months, 10) < 7_000  # "grew by about five thousand"
    assert trends.outliers(names, years, params, 1.0) == ["Switch-C", "RoBERTa-Large", "BERT-Large"]
    _, c_years, compute, _ = milestones.series("compute")
    assert 4.5 < trends.doubling_time_months(trends.fit_exponential(c_years, compute)[0]) < 6  # "about five"
    assert math.log10(max(params) / min(params)) > 4  # "more than four orders of magnitude"


def test_the_numbers_in_the_quiz():
    assert 12 * math.log10(2) / 0.5 == pytest.approx(7.2, abs=0.05)
    chinchilla, gopher = milestones.model("Chinchilla"), milestones.model("Gopher")
    assert chinchilla.tokens / gopher.tokens == pytest.approx(4.7, abs=0.05)
    assert chinchilla.parameters / gopher.parameters == 0.25
    assert milestones.model("Switch-C").parameters / milestones.model("GPT-3").parameters == pytest.approx(9, abs=0.1)
    assert 175e9 * 2 / 1e9 == 350  # GB in 16-bit floats
    assert 1000 * 1000 + 1000 == 1_001_000
    assert 26.2 - 15.3 == pytest.approx(10.9)
    questions = checks.QUIZ.questions
    assert len(questions) >= 5 and all(len(o.why) > 20 for q in questions for o in q.options)


def test_only_independent_compute_figures_test_six_n_d():
    """Ch01 section 9: Brown et al.'s Table D.1 set its figures to 6·N·D; three rows are counted."""
    ratios = {m.name: m.compute / milestones.estimated_compute(m) for m in milestones.MODELS
              if m.compute and m.tokens and m.independent}
    assert sorted(ratios) == ["Chinchilla", "Gopher", "PaLM"]
    assert [round(ratios[n], 2) for n in ("Gopher", "Chinchilla", "PaLM")] == [1.14, 0.98, 1.01]
    gopher = milestones.model("Gopher")
    assert "Rae et al. 2021, appendix F" in gopher.compute_by and "6.31e23" in gopher.compute_by
    assert round(milestones.GOPHER_RAE_COMPUTE / milestones.estimated_compute(gopher), 2) == 1.25


def test_the_flat_2020_2024_fit_and_what_it_rests_on():
    """Ch01 section 7: flat with all models and dense only; about +0.04 a year without Switch-C."""
    names, years, params, _ = milestones.series("parameters")
    window = (years >= 2020) & (years <= 2024)
    dense = np.array(["mixture" not in milestones.model(n).architecture for n in names])
    without_switch = np.array([n != "Switch-C" for n in names])
    slope = {label: trends.fit_exponential(years[window & keep], params[window & keep])[0]
             for label, keep in (("all", np.ones(len(names), bool)), ("without", without_switch), ("dense", dense))}
    assert slope["all"] < 0.05 and slope["dense"] < 0.05 and 0.03 < slope["without"] < 0.06
    assert 6 < trends.doubling_time_months(slope["without"]) / 12 < 9  # "every seven years or so"
    assert round(175 / 13) == 13  # LLaMA-13B against GPT-3: "about 13 times fewer parameters"


@pytest.mark.parametrize("quantity", ["parameters", "compute"])
def test_each_label_sits_by_its_own_point_covering_no_other_point_or_label(quantity):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.text import Annotation, Text
    from matplotlib.transforms import Bbox

    names, years, values, _ = milestones.series(quantity)
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    trends.plot_trend(ax, years, values, names)
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    labels = {a.get_text(): Text.get_window_extent(a, renderer)  # the text, without its leader line
              for a in ax.texts if isinstance(a, Annotation)}
    assert sorted(labels) == sorted(names)
    half = 3 * fig.dpi / 72  # the default marker is 6 points across
    centres = dict(zip(names, ax.transData.transform(np.column_stack([years, values]))))
    for name, box in labels.items():
        for other, (cx, cy) in centres.items():
            if other != name:
                assert not box.overlaps(Bbox.from_extents(cx - half, cy - half, cx + half, cy + half)), \
                    f"the label {name!r} covers the point of {other!r}"
        for other, other_box in labels.items():
            assert other == name or not box.overlaps(other_box), f"the labels {name!r} and {other!r} overlap"
    plt.close(fig)
