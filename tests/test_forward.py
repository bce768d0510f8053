"""course_lib.nets.forward: the numpy forward pass agrees with torch and rejects bad input clearly."""
import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib.nets import forward


def tensor(a):
    return torch.from_numpy(np.asarray(a))


# --- linear layers and shapes ----------------------------------------------------------------

def test_linear_handles_one_example_and_a_batch_alike():
    rng = np.random.default_rng(0)
    X, W, b = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4)
    batched = forward.linear(X, W, b)
    assert batched.shape == (5, 4)
    assert np.allclose(batched, np.stack([forward.linear(x, W, b) for x in X]))
    assert np.allclose(batched, F.linear(tensor(X), tensor(W.T), tensor(b)).numpy())


def test_linear_keeps_float32_and_turns_integers_into_floats():
    W32 = np.ones((2, 3), np.float32)
    assert forward.linear(np.ones(2, np.float32), W32, np.zeros(3, np.float32)).dtype == np.float32
    assert forward.linear([1, 2], [[1, 0], [0, 1]], [0, 0]).dtype == np.float64


@pytest.mark.parametrize("x, W, b, message", [
    (np.ones((4, 3)), np.ones((2, 5)), np.ones(5), r"x has shape \(4, 3\) and W has shape \(2, 5\)"),
    (np.ones((4, 3)), np.ones((5, 3)), np.ones(5), r"\(5, 3\).*transpose them"),
    (np.ones((4, 3)), np.ones((3, 5)), np.ones(3), r"b has shape \(3,\) and W has shape \(3, 5\).*shape \(5,\)"),
    (np.ones((4, 3)), np.ones((3, 5)), np.ones((1, 5)), r"b has shape \(1, 5\)"),
    (np.ones((4, 3)), np.ones(3), np.ones(1), r"W must be a 2-D array of shape \(in, out\), got shape \(3,\)"),
    (np.ones((2, 4, 3)), np.ones((3, 5)), np.ones(5), r"x must have shape \(batch, in\) or \(in,\)"),
])
def test_a_shape_mismatch_names_both_shapes(x, W, b, message):
    with pytest.raises(ValueError, match=message):
        forward.linear(x, W, b)


def test_the_transpose_hint_appears_only_when_it_would_fix_the_shapes():
    with pytest.raises(ValueError) as caught:
        forward.linear(np.ones((4, 3)), np.ones((2, 5)), np.ones(5))
    assert "transpose" not in str(caught.value)


def test_non_numbers_are_refused():
    with pytest.raises(TypeError, match="x must hold numbers"):
        forward.linear(np.array(["a", "b"]), np.ones((2, 2)), np.ones(2))


def test_a_neuron_is_a_weighted_sum_and_an_activation():
    assert forward.neuron([0.5, -1.0, 2.0], [0.8, 0.2, -0.5], 0.1, "identity") == pytest.approx(-0.7)
    assert forward.neuron([0.5, -1.0, 2.0], [0.8, 0.2, -0.5], 0.1, "relu") == 0.0
    assert forward.neuron([1.0], [2.0], 0.0, np.tanh) == pytest.approx(math.tanh(2))
    with pytest.raises(ValueError, match=r"shapes \(2,\) and \(3,\)"):
        forward.neuron([1.0, 2.0], [1.0, 2.0, 3.0], 0.0)


# --- activations -------------------------------------------------------------------------------

TORCH_ACTIVATIONS = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid, "gelu": F.gelu,
                     "identity": lambda t: t}


@pytest.mark.parametrize("name", forward.ACTIVATIONS)
def test_activations_and_derivatives_match_torch(name):
    z = np.linspace(-6, 6, 241)[np.abs(np.linspace(-6, 6, 241)) > 1e-9]  # no kink at 0
    t = tensor(z).requires_grad_()
    out = TORCH_ACTIVATIONS[name](t)
    out.sum().backward()
    assert np.allclose(forward.ACTIVATIONS[name](z), out.detach().numpy(), rtol=1e-12, atol=1e-14)
    assert np.allclose(forward.DERIVATIVES[name](z), t.grad.numpy(), rtol=1e-12, atol=1e-14)


def test_relu_slope_at_zero_is_zero_like_torch():
    t = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    torch.relu(t).backward()
    assert forward.relu_grad(0.0) == t.grad.item() == 0.0


@pytest.mark.parametrize("name", forward.ACTIVATIONS)
def test_activations_keep_float32(name):
    z = np.linspace(-3, 3, 7, dtype=np.float32)
    assert forward.ACTIVATIONS[name](z).dtype == np.float32
    assert forward.DERIVATIVES[name](z).dtype == np.float32


def test_the_sigmoid_does_not_overflow_and_keeps_its_tails_accurate():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = forward.sigmoid(np.array([-1000.0, -40.0, 0.0, 40.0, 1000.0]))
    assert values[0] == 0.0 and values[-1] == 1.0 and values[2] == 0.5
    assert values[1] == pytest.approx(torch.sigmoid(torch.tensor(-40.0, dtype=torch.float64)).item(), rel=1e-12)


def test_unknown_activations_are_named():
    with pytest.raises(ValueError, match="unknown activation 'swish'; choose one of relu, tanh"):
        forward.activation_function("swish")
    assert forward.activation_function(np.tanh) is np.tanh


# --- the MLP -------------------------------------------------------------------------------------

def test_the_mlp_applies_the_activation_between_layers_only():
    rng = np.random.default_rng(1)
    (W1, b1), (W2, b2) = params = forward.init_params([3, 5, 2], "torch", seed=1)
    x = rng.normal(size=(4, 3))
    assert np.allclose(forward.mlp(x, params, "tanh"), np.tanh(x @ W1 + b1) @ W2 + b2)
    trace = forward.mlp_trace(x, params, "tanh")
    assert [z.shape for z, h in trace] == [(4, 5), (4, 2)]
    assert np.allclose(trace[0][1], np.tanh(trace[0][0])) and trace[1][1] is trace[1][0]


def test_the_mlp_names_the_layer_whose_shapes_disagree():
    params = forward.init_params([3, 5, 2], seed=0)
    params[1] = (params[1][0].T, params[1][1])
    with pytest.raises(ValueError, match=r"layer 2 of 2: x has shape \(4, 5\) and W has shape \(2, 5\)"):
        forward.mlp(np.ones((4, 3)), params)


@pytest.mark.parametrize("params, message", [
    ([], "non-empty list of"), (np.ones((2, 2)), "got ndarray"), ([(np.ones((2, 2)),)], "layer 1 of params"),
])
def test_params_must_be_a_list_of_pairs(params, message):
    with pytest.raises(TypeError, match=message):
        forward.mlp(np.ones((1, 2)), params)


def test_shapes_traces_every_array():
    text = forward.shapes(np.ones((64, 2)), forward.init_params([2, 16, 3], seed=0), "relu")
    lines = text.splitlines()
    assert lines[0].startswith("input x") and lines[0].endswith("(64, 2)")
    assert "(64, 2) @ W1 (2, 16) + b1 (16,)" in lines[1] and lines[1].endswith("-> (64, 16)")
    assert "relu" in lines[2] and "(64, 16) @ W2 (16, 3) + b2 (3,)" in lines[3]
    assert lines[-1].startswith("logits") and lines[-1].endswith("(64, 3)")
    assert len({line.index("(64") for line in lines if "->" in line or line.startswith(("input", "logits"))}) >= 1
    assert "tanh" in forward.shapes(np.ones(2), forward.init_params([2, 4, 1], seed=0), np.tanh)


# --- softmax, log-sum-exp, cross-entropy --------------------------------------------------------

def test_softmax_family_matches_torch_even_for_huge_logits():
    rng = np.random.default_rng(2)
    z = rng.normal(0, 500, size=(7, 11))
    assert np.allclose(forward.softmax(z), F.softmax(tensor(z), dim=-1).numpy(), rtol=1e-12, atol=1e-300)
    assert np.allclose(forward.log_softmax(z), F.log_softmax(tensor(z), dim=-1).numpy(), rtol=1e-12)
    assert np.allclose(forward.logsumexp(z), torch.logsumexp(tensor(z), dim=-1).numpy(), rtol=1e-12)
    assert np.allclose(forward.softmax(z, axis=0), F.softmax(tensor(z), dim=0).numpy(), rtol=1e-12, atol=1e-300)
    assert forward.logsumexp(z, keepdims=True).shape == (7, 1)


def test_a_logit_of_minus_infinity_is_a_probability_of_zero():
    z = np.array([[0.0, -np.inf, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert forward.softmax(z).tolist() == [[0.5, 0.0, 0.5]]
        assert forward.logsumexp(z).tolist() == [math.log(2)]


@pytest.mark.parametrize("dtype, rtol", [(np.float32, 1e-6), (np.float64, 1e-12)])
def test_cross_entropy_matches_torch(dtype, rtol):
    rng = np.random.default_rng(3)
    z, t = rng.normal(0, 30, size=(50, 9)).astype(dtype), rng.integers(0, 9, 50)
    assert forward.cross_entropy(z, t) == pytest.approx(F.cross_entropy(tensor(z), tensor(t)).item(), rel=rtol)


def test_cross_entropy_of_a_uniform_guess_is_ln_k():
    for k in (2, 3, 10, 50_257):
        assert forward.cross_entropy(np.zeros((3, k)), np.array([0, 1, k - 1])) == pytest.approx(math.log(k))


@pytest.mark.parametrize("logits, targets, error, message", [
    (np.zeros(3), np.array([0]), ValueError, r"logits must have shape \(batch, classes\), got shape \(3,\)"),
    (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, r"targets has shape \(3,\) and logits has shape \(2, 3\)"),
    (np.zeros((2, 3)), np.array([0.0, 1.0]), TypeError, "integer class indices"),
    (np.zeros((2, 3)), np.array([0, 3]), ValueError, r"targets must lie in 0\.\.2 .*got 0\.\.3"),
])
def test_cross_entropy_rejects_bad_targets(logits, targets, error, message):
    with pytest.raises(error, match=message):
        forward.cross_entropy(logits, targets)


finite_rows = arrays(np.float64, st.tuples(st.integers(1, 5), st.integers(1, 6)),
                     elements=st.floats(-1e4, 1e4, allow_nan=False))


@settings(max_examples=60, deadline=None)
@given(finite_rows, st.floats(-1e3, 1e3))
def test_softmax_is_a_distribution_and_ignores_a_shift(z, shift):
    p = forward.softmax(z)
    assert np.all(p >= 0) and np.all(p <= 1) and np.allclose(p.sum(axis=-1), 1)
    assert np.allclose(forward.softmax(z + shift), p, atol=1e-12)
    lse = forward.logsumexp(z)
    assert np.all(lse >= z.max(axis=-1)) and np.all(lse <= z.max(axis=-1) + np.log(z.shape[-1]) + 1e-9)


@settings(max_examples=60, deadline=None)
@given(finite_rows, st.data())
def test_cross_entropy_is_finite_and_never_negative(z, data):
    targets = np.array(data.draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=len(z), max_size=len(z))))
    loss = forward.cross_entropy(z, targets)
    assert np.isfinite(loss) and loss >= 0
    if z.shape[1] == 1:
        assert loss == 0  # one class: certain, and right


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(0, 1000))
def test_a_stack_of_linear_layers_is_one_linear_layer(sizes, seed):
    params = forward.init_params(sizes, "torch", seed=seed)
    W, b = params[0]
    for W_next, b_next in params[1:]:
        W, b = W @ W_next, b @ W_next + b_next
    x = np.random.default_rng(seed).normal(size=(3, sizes[0]))
    assert np.allclose(forward.mlp(x, params, "identity"), forward.linear(x, W, b))


# --- initialisation ----------------------------------------------------------------------------

@pytest.mark.parametrize("scheme, variance", [
    ("he", lambda n_in, n_out: 2 / n_in), ("glorot", lambda n_in, n_out: 2 / (n_in + n_out)),
    ("torch", lambda n_in, n_out: 1 / (3 * n_in)), (0.01, lambda n_in, n_out: 1e-4), (1.0, lambda n_in, n_out: 1.0),
])
def test_each_scheme_has_its_documented_variance(scheme, variance):
    (W, b), = forward.init_params([400, 300], scheme, seed=0)
    assert W.shape == (400, 300) and abs(W.mean()) < 0.01 * math.sqrt(variance(400, 300))
    assert W.var() == pytest.approx(variance(400, 300), rel=0.02)
    assert (b == 0).all() != (scheme == "torch")


def test_glorot_is_uniform_within_its_bound_and_torchs_default_is_what_torch_does():
    (W, _), = forward.init_params([100, 50], "glorot", seed=0)
    assert np.abs(W).max() <= math.sqrt(6 / 150)
    torch.manual_seed(0)
    layer = torch.nn.Linear(400, 300)
    assert layer.weight.abs().max().item() <= 1 / math.sqrt(400) and layer.bias.abs().max().item() <= 1 / math.sqrt(400)
    assert layer.weight.var().item() == pytest.approx(1 / (3 * 400), rel=0.02)
    assert (2 / 400) / (1 / (3 * 400)) == pytest.approx(6)  # "six times below He's"


def test_init_is_seeded():
    a, b = forward.init_params([3, 4, 2], seed=5), forward.init_params([3, 4, 2], seed=5)
    assert all(np.array_equal(W1, W2) for (W1, _), (W2, _) in zip(a, b))


@pytest.mark.parametrize("sizes, scheme, message", [
    ([3], "he", "at least two positive integer widths"), ([3, 0], "he", "at least two"),
    ([3, 2.5], "he", "at least two"), ([3, 2], "xavier", "scheme must be"), ([3, 2], -1.0, "scheme must be"),
])
def test_init_rejects_bad_sizes_and_schemes(sizes, scheme, message):
    with pytest.raises(ValueError, match=message):
        forward.init_params(sizes, scheme)


# --- torch ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("activation", forward.TORCH_NAMES)
def test_from_torch_gives_the_same_outputs_as_torch(activation):
    torch.manual_seed(0)
    model = forward.torch_sequential([3, 8, 8, 4], activation)
    params, found = forward.from_torch(model)
    assert found == activation and [W.shape for W, _ in params] == [(3, 8), (8, 8), (8, 4)]
    x = np.random.default_rng(0).normal(size=(16, 3)).astype(np.float32)
    with torch.no_grad():
        expected = model(tensor(x)).numpy()
    assert np.allclose(forward.mlp(x, params, found), expected, rtol=1e-5, atol=1e-6)
    params64, _ = forward.from_torch(model.double())
    with torch.no_grad():
        expected64 = model(tensor(x.astype(np.float64))).numpy()
    assert np.abs(forward.mlp(x.astype(np.float64), params64, found) - expected64).max() < 1e-12


def test_from_torch_copies_so_later_training_does_not_change_the_arrays():
    model = forward.torch_sequential([2, 3], "relu")
    (W, b), = forward.from_torch(model)[0]
    before = W.copy()
    with torch.no_grad():
        model[0].weight.add_(1.0)
    assert np.array_equal(W, before) and W.flags["C_CONTIGUOUS"]


def test_a_single_linear_layer_and_a_layer_without_bias_are_read():
    model = torch.nn.Sequential(torch.nn.Linear(3, 2, bias=False))
    (W, b), = forward.from_torch(model)[0]
    assert forward.from_torch(model)[1] == "identity" and W.shape == (3, 2) and (b == 0).all()


@pytest.mark.parametrize("model, error, message", [
    (torch.nn.Linear(2, 2), TypeError, "expected a torch.nn.Sequential, got Linear"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU()), ValueError, "Linear, activation, Linear"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)), ValueError,
     r"must all be one of ReLU, .*got \['Linear'\]"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ReLU(), torch.nn.Linear(2, 2), torch.nn.Tanh(),
                         torch.nn.Linear(2, 2)), ValueError, "must all be one of"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.ELU(), torch.nn.Linear(2, 2)), ValueError, "'ELU'"),
    (torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.GELU(approximate="tanh"), torch.nn.Linear(2, 2)),
     ValueError, "approximate='tanh'"),
])
def test_from_torch_rejects_what_it_cannot_copy(model, error, message):
    with pytest.raises(error, match=message):
        forward.from_torch(model)


def test_torch_sequential_rejects_bad_arguments():
    with pytest.raises(ValueError, match="at least two widths"):
        forward.torch_sequential([3])
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        forward.torch_sequential([3, 2], "swish")


def test_gelu_is_vectorised_and_matches_torch():
    """The numpy GELU uses a vectorised erf: torch's exact GELU to float64 rounding, far faster
    than one Python call per number (np.vectorize(math.erf), the old way: measured 7x slower)."""
    import time

    z = np.random.default_rng(0).normal(0, 3, 50_000)
    exact = torch.nn.functional.gelu(torch.from_numpy(z)).numpy()
    assert np.abs(forward.gelu(z) - exact).max() < 1e-14

    def best_seconds(function):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            function(z)
            times.append(time.perf_counter() - start)
        return min(times)
    per_number = np.vectorize(math.erf, otypes=[float])
    assert best_seconds(forward.gelu) < 0.5 * best_seconds(per_number)
