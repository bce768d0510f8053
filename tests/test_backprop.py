"""Vectorised backprop of a numpy MLP: each rule, the whole pass against torch.autograd, and the timing helpers."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.nets import autograd, backprop, forward, toy_data


def torch_grad(function, *arrays):
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    function(*tensors).backward()
    return [t.grad.numpy() for t in tensors]


def test_linear_backward_matches_torch():
    rng = np.random.default_rng(0)
    x, W, b, upstream = rng.normal(size=(5, 3)), rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 4))
    dx, dW, db = backprop.linear_backward(upstream, x, W)
    expected = torch_grad(lambda x, W, b: ((x @ W + b) * torch.from_numpy(upstream)).sum(), x, W, b)
    for ours, theirs in zip((dx, dW, db), expected):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12)


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "gelu", "identity"])
def test_activation_backward_matches_torch(activation):
    z = np.linspace(-3, 3, 13).reshape(1, 13) + 0.01
    upstream = np.cos(np.arange(13.0)).reshape(1, 13)
    torch_act = {"relu": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
                 "gelu": torch.nn.functional.gelu, "identity": lambda t: t}[activation]
    (expected,) = torch_grad(lambda z: (torch_act(z) * torch.from_numpy(upstream)).sum(), z)
    np.testing.assert_allclose(backprop.activation_backward(upstream, z, activation), expected, rtol=1e-10, atol=1e-14)


def test_softmax_cross_entropy_backward_matches_torch_and_sums_to_zero():
    rng = np.random.default_rng(1)
    logits, targets = 5 * rng.normal(size=(6, 4)), rng.integers(0, 4, size=6)
    grad = backprop.softmax_cross_entropy_backward(logits, targets)
    (expected,) = torch_grad(lambda z: torch.nn.functional.cross_entropy(z, torch.from_numpy(targets)), logits)
    np.testing.assert_allclose(grad, expected, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(grad.sum(axis=1), 0, atol=1e-15)
    assert np.isfinite(backprop.softmax_cross_entropy_backward(np.array([[1000.0, -1000.0]]), np.array([1]))).all()


@settings(max_examples=30, deadline=None)
@given(st.lists(st.integers(1, 6), min_size=2, max_size=5), st.integers(1, 8),
       st.sampled_from(["relu", "tanh", "sigmoid", "gelu"]), st.integers(0, 2 ** 16))
def test_the_whole_backward_pass_matches_torch_autograd(sizes, batch, activation, seed):
    sizes = sizes[:-1] + [max(sizes[-1], 2)]
    rng = np.random.default_rng(seed)
    params = forward.init_params(sizes, "torch", seed=seed)
    x, targets = rng.normal(size=(batch, sizes[0])), rng.integers(0, sizes[-1], size=batch)
    loss, grads = backprop.mlp_backward(x, targets, params, activation)
    torch_loss, torch_grads = backprop.torch_gradients(x, targets, params, activation)
    assert loss == pytest.approx(torch_loss, rel=1e-12)
    for pair, torch_pair in zip(grads, torch_grads):
        for ours, theirs in zip(pair, torch_pair):
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-14)


def test_the_gradient_check_agrees_in_float64_and_not_in_float32():
    X, y = toy_data.spirals(n=90, classes=3, seed=0)
    params = forward.init_params([2, 16, 16, 3], "torch", seed=1)
    assert max(backprop.gradient_check(X, y, params, "tanh").values()) < 1e-7
    float32 = [max(backprop.gradient_check(X, y, params, "tanh", h, np.float32).values()) for h in (1e-4, 1e-3, 1e-2)]
    assert min(float32) > 1e-4


def test_a_training_step_changes_the_arrays_in_place_and_lowers_the_loss():
    X, y = toy_data.moons(n=48, noise=0.1, seed=0)
    params = forward.init_params([2, 16, 2], "torch", seed=0)
    first = params[0][0]
    losses = [backprop.train_step(params, X, y, 0.5, "tanh") for _ in range(5)]
    assert params[0][0] is first and losses == sorted(losses, reverse=True)


def test_the_three_implementations_hold_the_same_network():
    X, y = toy_data.moons(n=10, noise=0.1, seed=0)
    model = autograd.MLP(2, [5, 3, 2], activation="relu", seed=4)
    params = backprop.to_params(model)
    engine_logits = np.array([[v.data for v in model(x)] for x in X.tolist()])
    np.testing.assert_allclose(forward.mlp(X, params, "relu"), engine_logits, rtol=1e-12)
    torch_logits = backprop.torch_mlp(params, "relu")(torch.from_numpy(X)).detach().numpy()
    np.testing.assert_allclose(torch_logits, engine_logits, rtol=1e-12)
    autograd.mean_cross_entropy(model, X.tolist(), y.tolist()).backward()
    _, grads = backprop.mlp_backward(X, y, params, "relu")
    for pair, engine_pair in zip(grads, backprop.to_params(model, grads=True)):
        for ours, engine in zip(pair, engine_pair):
            np.testing.assert_allclose(ours, engine, rtol=1e-9, atol=1e-15)


def test_step_times_measures_the_three_and_the_scalar_engine_is_slower_than_numpy():
    X, y = toy_data.moons(n=48, noise=0.1, seed=0)
    times = backprop.step_times(X, y, width=16)
    assert set(times) == {"scalar engine", "numpy", "torch"} and all(t > 0 for t in times.values())
    assert times["scalar engine"] > 10 * times["numpy"]


@pytest.mark.parametrize("call, error, message", [
    (lambda: backprop.linear_backward(np.ones((2, 3)), np.ones((2, 4)), np.ones((3, 4))), ValueError,
     "shapes do not fit"),
    (lambda: backprop.linear_backward(np.ones(3), np.ones((1, 2)), np.ones((2, 3))), ValueError, "2-D arrays"),
    (lambda: backprop.activation_backward(np.ones(2), np.ones(2), "swish"), ValueError, "unknown activation"),
    (lambda: backprop.activation_backward(np.ones(2), np.ones(3), "relu"), ValueError, "same shape"),
    (lambda: backprop.softmax_cross_entropy_backward(np.ones((2, 3)), np.array([0.0, 1.0])), ValueError,
     "integer targets"),
    (lambda: backprop.softmax_cross_entropy_backward(np.ones((2, 3)), np.array([0, 3])), ValueError, "0..2"),
    (lambda: backprop.to_params([1, 2]), TypeError, "autograd.MLP"),
    (lambda: backprop.seconds_per_call(lambda: None, 0), ValueError, "positive integers"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
