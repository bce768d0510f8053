"""The shared training loop and the hardware measurement."""
import itertools

import pytest
import torch

from course_lib.scale import hardware
from course_lib.nets.train import History, short, train


def regression_batches(seed=0):
    generator = torch.Generator().manual_seed(seed)
    w = torch.tensor([[2.0], [-3.0]])
    while True:
        x = torch.randn(32, 2, generator=generator)
        yield x, x @ w + 0.5


def mse(model, batch):
    x, y = batch
    return torch.nn.functional.mse_loss(model(x), y)


def test_train_fits_a_linear_model_and_records_losses_and_metrics():
    torch.manual_seed(0)
    model = torch.nn.Linear(2, 1)
    x, y = next(regression_batches(1))
    history = train(model, torch.optim.SGD(model.parameters(), lr=0.1), regression_batches(), steps=200,
                    loss_fn=mse, evaluate=lambda m: {"validation loss": mse(m, (x, y))}, eval_every=50)
    assert len(history.losses) == 200 and history.losses[-1] < 1e-4 < history.losses[0]
    assert [s for s, _ in history.metrics["validation loss"]] == [50, 100, 150, 200]
    assert history.last("validation loss") < 1e-4 and history.seconds > 0
    assert torch.allclose(model.weight, torch.tensor([[2.0, -3.0]]), atol=1e-2)
    assert model.training  # left ready to train again


def test_gradients_are_zeroed_every_step():
    model = torch.nn.Linear(2, 1)
    calls = []

    class Recording(torch.optim.SGD):
        def step(self, closure=None):
            calls.append(model.weight.grad.clone())
            return super().step(closure)

    batch = next(regression_batches())
    train(model, Recording(model.parameters(), lr=0.0), itertools.repeat(batch), steps=3, loss_fn=mse)
    assert torch.allclose(calls[0], calls[2])  # not accumulated over steps


@pytest.mark.parametrize("kwargs, message", [({"steps": 0}, "steps must be"), ({"steps": 5, "eval_every": 0}, "eval_every"),
                                             ({"steps": 5, "batches": iter([])}, "ran out after 0 of 5")])
def test_train_rejects_bad_arguments(kwargs, message):
    model = torch.nn.Linear(2, 1)
    arguments = dict(batches=regression_batches(), loss_fn=mse) | kwargs
    with pytest.raises(ValueError, match=message):
        train(model, torch.optim.SGD(model.parameters(), lr=0.1), **arguments)


def test_history_names_its_metrics_and_plots():
    history = History(losses=[3.0, 2.0], metrics={"accuracy": [(2, 0.5)]})
    with pytest.raises(KeyError, match="measured: accuracy"):
        history.last("loss")
    assert len(history.plot().lines) == 2


def test_matmul_peak_is_a_plausible_rate():
    flops = hardware.matmul_flops(size=128, repeats=3)
    assert 1e8 < flops < 1e13
    assert hardware.utilisation(flops / 4, flops) == pytest.approx(0.25)
    with pytest.raises(ValueError, match="size must be"):
        hardware.matmul_flops(size=8)
    with pytest.raises(ValueError, match="peak > 0"):
        hardware.utilisation(1.0, 0.0)


def test_the_progress_bar_names_metrics_briefly():
    assert short("validation accuracy") == "val acc" and short("train loss") == "train loss"
    assert short("training loss") == "train loss" and short("perplexity") == "perplexity"
