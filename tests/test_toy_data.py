"""course_lib.nets.toy_data: seeded 2-D datasets, the trained networks, and the decision-boundary explorer."""
import math

import numpy as np
import pytest

from course_lib.nets import forward, toy_data


@pytest.mark.parametrize("name, n, classes", [("moons", 200, 2), ("circles", 200, 2), ("spirals", 300, 3)])
def test_datasets_are_seeded_balanced_and_two_dimensional(name, n, classes):
    X, y = toy_data.make(name)
    assert X.shape == (n, 2) and y.shape == (n,) and np.issubdtype(y.dtype, np.integer)
    assert np.bincount(y).tolist() == [n // classes] * classes
    again, _ = toy_data.make(name)
    fresh, _ = toy_data.make(name, seed=1)
    assert np.array_equal(X, again) and not np.allclose(X, fresh)


def test_the_datasets_have_their_shapes():
    X, y = toy_data.circles(noise=0.0)
    radius = np.hypot(X[:, 0], X[:, 1])
    assert np.allclose(radius[y == 0], 1) and np.allclose(radius[y == 1], 0.5)
    X, y = toy_data.moons(noise=0.0)
    assert np.allclose(np.hypot(X[y == 0, 0], X[y == 0, 1]), 1) and (X[y == 0, 1] >= 0).all()
    assert np.allclose(np.hypot(X[y == 1, 0] - 1, X[y == 1, 1] - 0.5), 1) and (X[y == 1, 1] <= 0.5).all()
    X, y = toy_data.spirals(noise=0.0, classes=4)
    assert set(y) == {0, 1, 2, 3} and np.hypot(X[:, 0], X[:, 1]).max() <= 1


@pytest.mark.parametrize("call, message", [
    (lambda: toy_data.make("swirls"), "unknown dataset 'swirls'; choose one of moons, circles, spirals"),
    (lambda: toy_data.moons(n=1), "at least 2"),
    (lambda: toy_data.spirals(n=2, classes=3), "at least 3"),
    (lambda: toy_data.circles(noise=-0.1), "non-negative"),
    (lambda: toy_data.fit("moons", 0, 2, "relu"), "width must be a positive"),
    (lambda: toy_data.fit("moons", 4, 2, "swish"), "unknown activation 'swish'"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_a_fit_is_deterministic_cached_and_keeps_every_snapshot():
    trained = toy_data.fit("moons", 8, 1, "tanh")
    assert toy_data.fit("moons", 8, 1, "tanh") is trained
    toy_data.fit.cache_clear()
    again = toy_data.fit("moons", 8, 1, "tanh")
    assert np.array_equal(again.losses, trained.losses) and len(trained.losses) == toy_data.STEPS[-1]
    assert sorted(trained.params) == list(toy_data.STEPS)
    assert [W.shape for W, _ in trained.params[0]] == [(2, 8), (8, 2)]


def test_the_numpy_loss_of_a_snapshot_is_the_loss_torch_reported():
    X, y = toy_data.make("spirals")
    trained = toy_data.fit("spirals", 16, 2, "relu")
    loss, accuracy = toy_data.evaluate(X, y, trained.params[100], "relu")
    assert loss == pytest.approx(trained.losses[100], rel=1e-4)  # losses[s] is measured after s updates
    assert 0 <= accuracy <= 1


def dataset_loss(name, width, depth, activation, step, seed=0):
    trained = toy_data.fit(name, width, depth, activation)
    return toy_data.evaluate(*toy_data.make(name, seed), trained.params[step], activation)[0]


# What section 9 of the chapter tells the learner to try.
@pytest.mark.parametrize("name", toy_data.DATASETS)
def test_random_weights_score_about_ln_k(name):
    classes = len(set(toy_data.make(name)[1]))
    assert dataset_loss(name, 16, 2, "relu", 0) == pytest.approx(math.log(classes), abs=0.1)


def test_a_linear_network_cannot_beat_a_guess_on_circles_while_relu_separates_them():
    assert dataset_loss("circles", 16, 2, "identity", 500) > 0.68
    assert dataset_loss("circles", 32, 4, "identity", 500) > 0.68
    assert dataset_loss("circles", 16, 2, "relu", 500) < 0.05


def test_the_identity_activation_draws_a_straight_boundary():
    params = toy_data.fit("moons", 16, 3, "identity").params[500]
    W, b = params[0]
    for W_next, b_next in params[1:]:
        W, b = W @ W_next, b @ W_next + b_next
    assert W.shape == (2, 2)  # the whole network is one linear layer: its boundary is a line


def test_a_single_relu_unit_often_dies_and_then_the_loss_stays_at_ln_k():
    """Over 30 seeds of the initial weights 16-20 units die (loss ln K); the survivors reach
    0.26-0.98 under the matrix's seed shifts, a width-16 network 0.003-0.14."""
    for name in toy_data.DATASETS:
        X, y = toy_data.make(name)
        wide, dead = dataset_loss(name, 16, 2, "relu", 500), 0
        for seed in range(12):
            params = toy_data.fit(name, 1, 2, "relu", seed=seed).params[500]
            hidden = [h for _, h in forward.mlp_trace(X, params, "relu")[:-1]]
            loss = toy_data.evaluate(X, y, params, "relu")[0]
            if any((h == 0).all() for h in hidden):
                dead += 1
                assert loss == pytest.approx(math.log(len(set(y))), abs=0.01)
            else:
                assert loss > 1.5 * wide
        assert dead >= 4, f"{name}: only {dead} of 12 single units died"


def test_a_big_network_on_moons_memorises_its_noise():
    train = [dataset_loss("moons", 32, 4, "relu", s) for s in toy_data.STEPS]
    held_out = [dataset_loss("moons", 32, 4, "relu", s, seed=1) for s in toy_data.STEPS]
    assert all(a > b for a, b in zip(train, train[1:]))  # the training loss keeps falling
    best = int(np.argmin(held_out))
    assert 0 < best < len(held_out) - 1 and held_out[-1] > 2 * held_out[best]  # the held-out loss turns back up


def test_the_explorer_redraws_when_a_control_moves(capsys):
    explorer = toy_data.boundary_explorer()
    controls = {c.description or name: c for name, c in zip(explorer.values, explorer.widget.children)}
    assert list(explorer.values) == ["dataset", "activation", "width", "depth", "steps"]
    capsys.readouterr()
    explorer.widget.children[0].value = "circles"
    assert "circles, 2 x 16 relu, step 500" in capsys.readouterr().out
    explorer.widget.children[1].value = "identity"
    assert "training loss 0.69" in capsys.readouterr().out
    controls["depth"].value = 0
    assert "circles, no hidden layer, step 500" in capsys.readouterr().out
    controls["steps"].value = 0
    assert "step 0:" in capsys.readouterr().out


def test_the_static_view_shows_the_default_state():
    bundle = toy_data.boundary_explorer().static_view()
    assert bundle["text/plain"].startswith("moons, 2 x 16 relu, step 500: training loss")
    assert "image/png" in bundle
