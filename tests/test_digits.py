"""course_lib.nets.digits, gradient_noise and early_stopping: the data, the model, the noise, the best checkpoint."""
import numpy as np
import pytest
import torch

from course_lib.nets import digits, gradient_noise
from course_lib.nets.early_stopping import EarlyStopping


@pytest.fixture(scope="module")
def data():
    return digits.load_digits_split(seed=0)


def test_the_split_is_fixed_balanced_and_disjoint(data):
    sizes = [len(data.split(name)[0]) for name in digits.SPLITS]
    assert sizes == [1077, 360, 360]
    for name in digits.SPLITS:
        x, y = data.split(name)
        assert x.dtype == torch.float32 and y.dtype == torch.int64 and x.shape[1] == 64
        assert np.bincount(y.numpy(), minlength=10).min() >= 0.09 * len(y)  # stratified: every class ~10%
    rows = {tuple(row) for row in data.x_train.numpy().round(4)}
    overlap = sum(tuple(row) in rows for row in data.x_test.numpy().round(4))
    assert overlap <= 2  # the dataset holds a few duplicate images, no more
    again = digits.load_digits_split(seed=0)
    assert torch.equal(again.x_test, data.x_test) and torch.equal(again.y_val, data.y_val)
    assert not torch.equal(digits.load_digits_split(seed=1).y_test, data.y_test)


def test_normalisation_uses_the_training_pixels_and_inverts(data):
    assert data.x_train.mean().item() == pytest.approx(0, abs=1e-5)
    assert data.x_train.std().item() == pytest.approx(1, abs=1e-3)
    images = data.images(data.x_val[:3])
    assert images.shape == (3, 8, 8) and images.min() >= -1e-4 and images.max() <= 16 + 1e-4
    assert torch.allclose(data.normalise(images), data.x_val[:3], atol=1e-5)


def test_the_mlp_is_seeded_and_leaves_the_global_random_state_alone():
    torch.manual_seed(5)
    expected = torch.rand(2)
    torch.manual_seed(5)
    a, b = digits.make_mlp(seed=3), digits.make_mlp(seed=3)
    assert torch.equal(torch.rand(2), expected)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert sum(p.numel() for p in a.parameters()) == 9610


def test_batches_visit_every_example_once_per_epoch(data):
    x, y = data.x_val, data.y_val
    stream = digits.batches(x, y, batch_size=36, seed=0)
    epoch = [next(stream) for _ in range(10)]
    seen = torch.cat([bx for bx, _ in epoch])
    assert len(seen) == 360 and len({tuple(r) for r in seen.numpy().round(4)}) == len({tuple(r) for r in x.numpy().round(4)})
    assert not torch.equal(next(stream)[0], epoch[0][0])  # the next epoch is reshuffled


def test_the_recipe_reaches_95_percent_test_accuracy(data):
    model, history = digits.train_mlp(data, seed=0)
    assert digits.accuracy(model, *data.split("test")) >= 0.95
    assert len(history.losses) == digits.STEPS and history.last("validation accuracy") >= 0.95


@pytest.mark.parametrize("call, error, message", [
    (lambda d: digits.load_digits_split(seed=-1), ValueError, "seed must be"),
    (lambda d: digits.load_digits_split(validation=0.6, test=0.5), ValueError, "sum below 1"),
    (lambda d: digits.make_mlp(hidden=0), ValueError, "hidden must be a positive integer"),
    (lambda d: next(digits.batches(d.x_val, d.y_val, batch_size=1000)), ValueError, "from 1 to 360"),
    (lambda d: next(digits.batches(d.x_val, d.y_train, batch_size=10)), ValueError, "same length"),
    (lambda d: d.split("dev"), ValueError, "train, validation, test"),
    (lambda d: d.normalise(np.zeros((2, 7, 7))), ValueError, "64 pixels"),
    (lambda d: d.images(torch.zeros(2, 10)), ValueError, "64 pixels"),
    (lambda d: digits.evaluator(), ValueError, "at least one split"),
    (lambda d: digits.evaluator(train=d.x_train), ValueError, "pair \\(x, y\\)"),
    (lambda d: digits.train_mlp(d, steps=5), ValueError, "at least 10"),
    (lambda d: digits.show(np.zeros((2, 8, 8)), ["one"]), ValueError, "n titles"),
])
def test_bad_input_gets_a_clear_message(data, call, error, message):
    with pytest.raises(error, match=message):
        call(data)


# gradient noise
def test_per_example_gradients_average_to_the_batch_gradient(data):
    torch.manual_seed(0)
    model = torch.nn.Linear(64, 10)
    x, y = data.x_val[:20], data.y_val[:20]
    per_example = gradient_noise.per_example_gradients(model, digits.loss, x, y)
    model.zero_grad()
    digits.loss(model, (x, y)).backward()
    full = torch.cat([model.weight.grad.flatten(), model.bias.grad.flatten()]).numpy()
    assert per_example.shape == (20, 650)
    assert np.allclose(per_example.mean(axis=0), full, atol=1e-6)


def test_the_measured_minibatch_error_matches_the_formula():
    rng = np.random.default_rng(0)
    per_example = rng.normal(size=(200, 5)) + np.array([1.0, 0, 0, 0, 0])
    for b in (1, 10, 100, 200):
        predicted = gradient_noise.predicted_error(per_example, b)
        measured = gradient_noise.minibatch_error(per_example, b, draws=3000, seed=b)
        assert measured == pytest.approx(predicted, rel=0.1, abs=1e-12)
    assert gradient_noise.predicted_error(per_example, 200) == 0  # the whole set has no error
    assert gradient_noise.predicted_error(per_example, 1) == pytest.approx(np.sum(per_example.var(axis=0)))


@pytest.mark.parametrize("call, message", [
    (lambda g: gradient_noise.minibatch_error(g, 0, draws=5), "batch_size must be an integer from 1 to 10"),
    (lambda g: gradient_noise.minibatch_error(g, 3, draws=0), "draws must be"),
    (lambda g: gradient_noise.predicted_error(g, 11), "from 1 to 10"),
    (lambda g: gradient_noise.predicted_error(g[:1], 1), "at least two examples"),
    (lambda g: gradient_noise.per_example_gradients(torch.nn.Linear(2, 2), digits.loss, torch.zeros(3, 2),
                                                    torch.zeros(2, dtype=torch.int64)), "same length"),
])
def test_noise_functions_reject_bad_input(call, message):
    with pytest.raises(ValueError, match=message):
        call(np.ones((10, 3)))


# early stopping
def scripted(values):
    """An evaluate function that reports the given validation losses in turn and marks the model."""
    calls = iter(values)

    def evaluate(model):
        value = next(calls)
        with torch.no_grad():
            model.weight.fill_(value)
        return {"validation loss": value}
    return evaluate


def test_early_stopping_keeps_the_best_weights_and_notes_when_patience_ran_out():
    model = torch.nn.Linear(1, 1)
    stopper = EarlyStopping(scripted([3.0, 2.0, 1.0, 1.5, 1.2, 0.9, 1.0, 1.1, 1.3, 1.4]), eval_every=10, patience=3)
    for _ in range(10):
        stopper(model)
    assert stopper.best_step == 60 and stopper.best_value == 0.9
    assert stopper.stop_step == 90  # three evaluations after the best without improvement
    stopper.restore(model)
    assert model.weight.item() == pytest.approx(0.9)


def test_after_patience_runs_out_a_later_minimum_is_not_kept():
    """Stopping means the later weights never existed: restore() gives what stopping kept."""
    model = torch.nn.Linear(1, 1)
    stopper = EarlyStopping(scripted([3.0, 2.0, 2.5, 2.6, 2.7, 1.0, 0.5]), eval_every=10, patience=3)
    for _ in range(7):
        stopper(model)
    assert stopper.stop_step == 50 and stopper.best_step == 20 and stopper.best_value == 2.0
    stopper.restore(model)
    assert model.weight.item() == pytest.approx(2.0)


def test_early_stopping_needs_the_watched_metric_and_an_evaluation():
    stopper = EarlyStopping(lambda m: {"loss": 1.0}, eval_every=5)
    with pytest.raises(RuntimeError, match="never evaluated"):
        stopper.restore(torch.nn.Linear(1, 1))
    with pytest.raises(KeyError, match="watches 'validation loss'"):
        stopper(torch.nn.Linear(1, 1))
    with pytest.raises(ValueError, match="patience must be a positive integer"):
        EarlyStopping(lambda m: {}, eval_every=5, patience=0)
    with pytest.raises(TypeError, match="function of the model"):
        EarlyStopping(None, eval_every=5)
