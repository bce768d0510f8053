"""course_lib.interpret.grokking: the table, the Fourier analysis, the progress measures, and a short run that
memorises, then generalises — and does not without weight decay."""
import math

import pytest
import torch

from course_lib.interpret import grokking
from course_lib.nets.train import History


def test_the_addition_table_is_complete_and_split_without_overlap():
    table = grokking.addition_table(7, fraction=0.4, seed=1)
    assert len(table.y) == 49 and torch.equal(table.y, (table.a + table.b) % 7)
    assert len(table.train) == round(0.4 * 49) and len(table.train) + len(table.test) == 49
    assert not set(table.train.tolist()) & set(table.test.tolist())


def test_a_pure_cosine_has_all_its_power_at_its_frequency_and_filtering_keeps_it():
    p, k = 13, 4
    numbers = torch.arange(p, dtype=torch.float64)
    embedding = torch.stack([torch.cos(2 * math.pi * k * numbers / p), torch.sin(2 * math.pi * k * numbers / p)], dim=1)
    power = grokking.fourier_power(embedding)
    assert len(power) == p // 2 and power[k - 1] == pytest.approx(1.0) and power.sum() == pytest.approx(1.0)
    assert torch.allclose(grokking.keep_frequencies(embedding, [k]), embedding, atol=1e-12)
    assert torch.allclose(grokking.keep_frequencies(embedding, [k + 1]), torch.zeros_like(embedding), atol=1e-12)


def test_keeping_every_frequency_changes_nothing():
    embedding = torch.randn(11, 5, dtype=torch.float64)
    assert torch.allclose(grokking.keep_frequencies(embedding, list(range(1, 6))), embedding)


def test_the_model_is_seeded_starts_small_and_leaves_the_global_random_state_alone():
    torch.manual_seed(3)
    expected = torch.rand(1)
    torch.manual_seed(3)
    a, b = grokking.new_model(11, seed=2), grokking.new_model(11, seed=2)
    assert torch.equal(torch.rand(1), expected) and torch.equal(a.embed.weight, b.embed.weight)
    assert a(torch.tensor([1, 2]), torch.tensor([3, 4])).shape == (2, 11)
    assert 0.08 < a.embed.weight.std() < 0.17  # 1/sqrt(64) = 0.125, not torch's default 1


def test_the_sum_directions_are_orthonormal_functions_of_a_plus_b():
    table = grokking.addition_table(11)
    directions = grokking.sum_directions(table, [1, 3, 5])
    assert directions.shape == (121, 6)
    assert torch.allclose(directions.T @ directions, torch.eye(6), atol=1e-5)
    same_sum = (table.a + table.b) == 7
    assert torch.allclose(directions[same_sum], directions[same_sum][0].expand(int(same_sum.sum()), 6))


def test_the_phases_are_read_off_the_accuracies():
    history = History(metrics={"train accuracy": [(20, 0.6), (40, 1.0), (60, 1.0), (80, 1.0), (100, 1.0)],
                               "test accuracy": [(20, 0.0), (40, 0.02), (60, 0.3), (80, 0.995), (100, 1.0)]})
    assert grokking.phases(history) == {"memorisation": (0, 40), "circuit formation": (40, 60), "cleanup": (60, 80)}
    assert grokking.value_at(history.metrics["test accuracy"], 70) == 0.3
    with pytest.raises(ValueError, match="never reached 99%"):
        grokking.phases(History(metrics={"train accuracy": [(10, 1.0)], "test accuracy": [(10, 0.5)]}))


@pytest.fixture(scope="module")
def grokked():
    run = grokking.run(p=59)
    power = grokking.fourier_power(run.model.embed.weight)
    key = power.argsort(descending=True)[:8] + 1
    return run, power, key, grokking.progress_measures(run, key)


def test_at_initialisation_every_progress_measure_is_a_uniform_guess(grokked):
    run, _, _, measures = grokked
    assert run.snapshots[0][0] == 0 and len(run.snapshots) == 2000 // 20 + 1
    for name in ("train loss", "test loss", "restricted loss", "excluded loss"):
        assert abs(measures[name][0][1] - math.log(59)) < 0.1, name


def test_a_run_memorises_first_forms_the_circuit_unseen_then_generalises(grokked):
    """What section 13 of chapter 11 says: the three phases, the progress the accuracy does not show,
    and the Fourier mechanism, with its causal test."""
    run, power, key, measures = grokked
    spans = grokking.phases(run.history)
    (_, memorised), (_, rising), (_, generalised) = spans.values()
    at = lambda name, step: grokking.value_at(measures[name], step)  # noqa: E731
    assert memorised <= 200 and rising - memorised >= 100 and generalised > 3 * memorised
    assert run.history.last("test accuracy") > 0.99 and at("test loss", memorised) > math.log(59)
    assert at("sum of squared weights", memorised) > 10 * measures["sum of squared weights"][0][1]
    assert at("excluded loss", 2000) > 0.6 * math.log(59)
    assert at("restricted loss", rising) < 0.4 * at("restricted loss", memorised)
    assert at("excluded loss", generalised) > 2 * at("excluded loss", memorised)
    assert power[key - 1].sum() > 0.7
    assert grokking.accuracy_with_frequencies(run.model, run.table, key) > 0.99
    others = [k for k in range(1, len(power) + 1) if k not in key]
    assert grokking.accuracy_with_frequencies(run.model, run.table, others) < 0.15  # near chance, 1/59 = 1.7%


def test_without_weight_decay_the_weights_grow_and_the_held_out_pairs_stay_at_chance(grokked):
    run, _, key, measures = grokked
    control = grokking.run(p=59, steps=1000, weight_decay=0.0, keep_every=100)
    squares = grokking.progress_measures(control, key)["sum of squared weights"]
    assert control.history.last("train accuracy") == 1.0 and control.history.last("test accuracy") < 0.05
    assert squares[-1][1] > 2 * grokking.value_at(measures["sum of squared weights"], 1000)


@pytest.mark.parametrize("call, message", [
    (lambda: grokking.addition_table(2), "p must be an integer of at least 3"),
    (lambda: grokking.addition_table(7, fraction=1.0), "fraction must be between 0 and 1"),
    (lambda: grokking.fourier_power(torch.zeros(5)), "embedding must be a"),
    (lambda: grokking.run(p=7, steps=10, eval_every=20, keep_every=30), "keep_every must be a multiple of eval_every"),
    (lambda: grokking.sum_directions(grokking.addition_table(7), [4]), r"frequencies must lie in 1..3"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
