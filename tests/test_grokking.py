"""course_lib.interpret.grokking: the table, the Fourier analysis, and a short run that memorises, then generalises."""
import math

import pytest
import torch

from course_lib.interpret import grokking


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


def test_the_model_is_seeded_and_leaves_the_global_random_state_alone():
    torch.manual_seed(3)
    expected = torch.rand(1)
    torch.manual_seed(3)
    a, b = grokking.new_model(11, seed=2), grokking.new_model(11, seed=2)
    assert torch.equal(torch.rand(1), expected) and torch.equal(a.embed.weight, b.embed.weight)
    assert a(torch.tensor([1, 2]), torch.tensor([3, 4])).shape == (2, 11)


def test_a_short_run_memorises_first_generalises_later_and_uses_few_frequencies():
    model, table, history = grokking.run(p=59, steps=3000, eval_every=50)
    memorised = next(s for s, v in history.metrics["train accuracy"] if v == 1.0)
    generalised = next(s for s, v in history.metrics["test accuracy"] if v > 0.9)
    assert memorised <= 200 and generalised >= 1000 and history.last("test accuracy") > 0.99
    power = grokking.fourier_power(model.embed.weight)
    key = power.argsort(descending=True)[:8] + 1
    assert power[key - 1].sum() > 0.7
    assert grokking.accuracy_with_frequencies(model, table, key) > 0.95
    others = [k for k in range(1, len(power) + 1) if k not in key]
    assert grokking.accuracy_with_frequencies(model, table, others) < 0.25  # chance (1.7%) after the full 6,000 steps


@pytest.mark.parametrize("call, message", [
    (lambda: grokking.addition_table(2), "p must be an integer of at least 3"),
    (lambda: grokking.addition_table(7, fraction=1.0), "fraction must be between 0 and 1"),
    (lambda: grokking.fourier_power(torch.zeros(5)), "embedding must be a"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
