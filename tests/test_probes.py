"""course_lib.interpret.probes: linear classifiers and trees, control tasks, character categories."""
import pytest
import torch

from course_lib.interpret import probes
from course_lib.lm import text


def separable(seed=0, n=200, d=5):
    generator = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=generator)
    return x, (x[:, 0] + 0.5 * x[:, 1] > 0).long()


def test_a_linear_probe_learns_a_linear_rule_and_is_deterministic():
    x, y = separable()
    probe = probes.fit_linear(x, y)
    assert probes.accuracy(probe, x, y) > 0.97
    again = probes.fit_linear(x, y)
    assert torch.equal(probe.weight, again.weight) and torch.equal(probe.bias, again.bias)
    assert probe.feature_weights().shape == (2, 5)


def test_standardising_changes_the_coordinates_not_the_scores_shape():
    x, y = separable()
    raw = probes.fit_linear(x * 10 + 3, y, standardise=False)
    assert torch.equal(raw.mean, torch.zeros(5)) and torch.equal(raw.std, torch.ones(5))
    scaled = probes.fit_linear(x * 10 + 3, y)
    assert torch.allclose(scaled.mean, (x * 10 + 3).mean(dim=0)) and scaled.scores(x).shape == (200, 2)


def test_a_constant_feature_does_not_break_standardisation():
    x, y = separable()
    x[:, 2] = 7.0
    probe = probes.fit_linear(x, y)
    assert torch.isfinite(probe.weight).all() and probes.accuracy(probe, x, y) > 0.97


def test_accuracy_takes_a_scikit_learn_tree_and_majority_is_the_most_frequent_share():
    x, y = separable()
    tree = probes.decision_tree(x, y, depth=3)
    assert 0.8 < probes.accuracy(tree, x, y) <= 1.0 and tree.get_depth() <= 3
    assert probes.majority(torch.tensor([0, 1, 1, 1])) == 0.75


def test_accuracies_are_exact_fractions_not_float32_roundings():
    class Fixed:
        def predict(self, features):
            return torch.tensor([0, 1, 1, 0, 0])
    assert probes.accuracy(Fixed(), torch.zeros(5, 2), torch.tensor([0, 1, 0, 1, 0])) == 0.6  # not 0.6000000238
    assert probes.majority(torch.tensor([1, 1, 1, 0, 2])) == 0.6


def test_mcnemar_counts_the_disagreements_and_tests_them_against_a_fair_coin():
    import math
    a = torch.tensor([1, 1, 1, 1, 1, 0, 0, 1, 1, 1], dtype=torch.bool)
    b = torch.tensor([1, 0, 0, 0, 1, 1, 0, 1, 1, 1], dtype=torch.bool)
    a_only, b_only, p = probes.mcnemar(a, b)
    assert (a_only, b_only) == (3, 1)
    # two-sided exact binomial test, by hand: P(X <= 1) + P(X >= 3) for X ~ Bin(4, 1/2)
    assert p == pytest.approx((math.comb(4, 0) + math.comb(4, 1) + math.comb(4, 3) + math.comb(4, 4)) / 16)
    assert probes.mcnemar(a, a) == (0, 0, 1.0)
    many = torch.ones(40, dtype=torch.bool)
    assert probes.mcnemar(many, ~many)[2] < 1e-10  # 40 disagreements, all one way
    with pytest.raises(ValueError, match="the same examples"):
        probes.mcnemar(a, b[:5])


def test_the_tree_rules_name_pixels_by_row_and_column():
    generator = torch.Generator().manual_seed(0)
    x = torch.rand(100, 64, generator=generator)
    y = (x[:, 8 * 4 + 4] > 0.5).long()
    rules = probes.tree_rules(probes.decision_tree(x, y, depth=1))
    assert "ink(4,4)" in rules


def test_the_control_task_gives_each_type_one_label_with_the_tasks_frequencies():
    generator = torch.Generator().manual_seed(0)
    tokens = torch.randint(0, 50, (40, 30), generator=generator)
    labels = (torch.rand(40, 30, generator=generator) < 0.3).long() * 2  # labels 0 and 2, 30% of the 2s
    control = probes.control_task(tokens, labels, vocab_size=50, seed=1)
    assert control.shape == tokens.shape
    for token in tokens.unique():
        assert control[tokens == token].unique().numel() == 1
    assert set(control.unique().tolist()) <= {0, 2}
    one_each = probes.control_task(torch.arange(50), (torch.arange(50) < 15).long() * 2, vocab_size=50)
    assert 0.1 < (one_each == 2).float().mean() < 0.5  # about the task's 30%
    assert torch.equal(control, probes.control_task(tokens, labels, vocab_size=50, seed=1))


def test_character_categories_of_this_and_the_previous_character():
    tokenizer = text.Tokenizer()
    ids = torch.tensor([tokenizer.encode("a B\n7(")])
    assert [probes.CATEGORIES[i] for i in probes.categories(ids, tokenizer.vocabulary)[0]] == [
        "lower-case", "space", "upper-case", "newline", "digit", "other"]
    previous = probes.categories(ids, tokenizer.vocabulary, shift=1)[0]
    assert [probes.CATEGORIES[i] for i in previous] == ["newline", "lower-case", "space", "upper-case", "newline", "digit"]


@pytest.mark.parametrize("call, message", [
    (lambda: probes.fit_linear(torch.zeros(3, 2), torch.zeros(4).long()), "features must be"),
    (lambda: probes.fit_linear(torch.zeros(3, 2), torch.zeros(3)), "labels must be non-negative integer"),
    (lambda: probes.fit_linear(torch.zeros(0, 2), torch.zeros(0).long()), "at least one training example"),
    (lambda: probes.accuracy(object(), torch.zeros(3, 2), torch.zeros(3).long()), "must have a .predict"),
    (lambda: probes.accuracy(object(), torch.zeros(0, 2), torch.zeros(0).long()), "no rows to score"),
    (lambda: probes.control_task(torch.zeros(3).long(), torch.zeros(4).long(), 5), "same shape"),
    (lambda: probes.control_task(torch.tensor([7]), torch.tensor([0]), 5), r"token ids must lie in \[0, 5\)"),
    (lambda: probes.categories(torch.zeros(1, 3).long(), "abc", shift=-1), "shift must be a non-negative"),
    (lambda: probes.decision_tree(torch.zeros(3, 2), torch.zeros(3).long(), depth=0), "depth must be a positive"),
    (lambda: probes.show_weights(None, torch.zeros(10, 63), ["a"] * 10), "need weights"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()
