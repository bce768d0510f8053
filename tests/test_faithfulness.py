"""course_lib.interpret.faithfulness: cascading randomisation, rank correlation, deletion and insertion curves."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr
from torch import nn

from course_lib.nets import digits
from course_lib.interpret import faithfulness
from course_lib.exercises import interpretability as checks


def test_the_cascade_replaces_layers_from_the_output_down_and_leaves_the_model_alone():
    trained, fresh = digits.make_mlp(hidden=8, seed=0), digits.make_mlp(hidden=8, seed=1)
    before = [p.clone() for p in trained.parameters()]
    cascade = faithfulness.cascading_randomisation(trained, fresh)
    assert [name for name, _ in cascade] == ["trained", "layer 2 random", "layers 1-2 random"]
    assert cascade[0][1] is trained and all(torch.equal(a, b) for a, b in zip(before, trained.parameters()))
    _, top = cascade[1]
    assert torch.equal(top[2].weight, fresh[2].weight) and torch.equal(top[0].weight, trained[0].weight)
    _, everything = cascade[2]
    assert torch.equal(everything[0].weight, fresh[0].weight) and torch.equal(everything[2].bias, fresh[2].bias)


def test_the_cascade_refuses_models_it_cannot_randomise():
    with pytest.raises(ValueError, match="no layers with parameters"):
        faithfulness.cascading_randomisation(nn.Sequential(nn.ReLU()), nn.Sequential(nn.ReLU()))
    with pytest.raises(ValueError, match="same architecture"):
        faithfulness.cascading_randomisation(digits.make_mlp(8), nn.Sequential(nn.Linear(64, 10)))


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), ties=st.booleans())
def test_rank_correlation_is_spearmans(seed, ties):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=(3, 12)), rng.normal(size=(3, 12))
    if ties:
        a, b = np.round(a), np.round(b)
    ours = faithfulness.rank_correlation(a, b)
    for row in range(3):
        expected = spearmanr(a[row], b[row]).statistic
        assert (np.isnan(ours[row]) and np.isnan(expected)) or abs(ours[row] - expected) < 1e-12


def test_rank_correlation_of_a_map_with_itself_its_reverse_and_a_constant():
    a = torch.arange(10.0)[None]
    assert faithfulness.rank_correlation(a, a)[0] == pytest.approx(1)
    assert faithfulness.rank_correlation(a, -a)[0] == pytest.approx(-1)
    assert np.isnan(faithfulness.rank_correlation(a, torch.ones(1, 10))[0])
    with pytest.raises(ValueError, match="same shape"):
        faithfulness.rank_correlation(a, torch.ones(1, 9))


def test_deletion_starts_at_the_input_ends_at_the_baseline_and_insertion_runs_backwards():
    torch.manual_seed(0)
    model = digits.make_mlp(hidden=16).eval()
    x, target = torch.rand(4, 64), torch.tensor([1, 2, 3, 4])
    attributions = torch.randn(4, 64)
    deletion = faithfulness.deletion_curve(model, x, target, attributions)
    insertion = faithfulness.deletion_curve(model, x, target, attributions, insertion=True)
    at = lambda inputs: faithfulness.target_probability(model, inputs, target)  # noqa: E731
    assert deletion.shape == insertion.shape == (4, 65)
    assert torch.allclose(deletion[:, 0], at(x)) and torch.allclose(deletion[:, -1], at(torch.zeros_like(x)))
    assert torch.allclose(insertion[:, 0], at(torch.zeros_like(x))) and torch.allclose(insertion[:, -1], at(x))
    assert torch.allclose(deletion, checks.deletion_curve(model, x, target, attributions))  # the exercise's reference


def test_the_first_deleted_pixel_is_the_one_ranked_highest():
    model = nn.Linear(3, 2)
    with torch.no_grad():
        model.weight.copy_(torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
        model.bias.zero_()
    x, target = torch.ones(1, 3), torch.tensor([0])
    first = faithfulness.deletion_curve(model, x, target, torch.tensor([[3.0, 2.0, 1.0]]))
    last = faithfulness.deletion_curve(model, x, target, torch.tensor([[1.0, 2.0, 3.0]]))
    half = torch.tensor(0.5)
    assert torch.isclose(first[0, 1], half) and last[0, 1] > 0.7 and torch.isclose(last[0, 3], half)


def test_area_uses_the_trapezoid_rule_on_a_unit_axis():
    assert faithfulness.area(torch.linspace(1, 0, 11)[None]) == pytest.approx(0.5)
    assert faithfulness.area(torch.ones(3, 5)) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least 2 points"):
        faithfulness.area(torch.ones(3, 1))


def test_random_attributions_are_seeded_and_the_curve_checks_its_shapes():
    x = torch.zeros(2, 5)
    assert torch.equal(faithfulness.random_attributions(x, 1), faithfulness.random_attributions(x, 1))
    assert not torch.equal(faithfulness.random_attributions(x, 1), faithfulness.random_attributions(x, 2))
    with pytest.raises(ValueError, match="must both have shape"):
        faithfulness.deletion_curve(nn.Linear(5, 2), x, torch.tensor([0, 1]), torch.zeros(2, 4))
