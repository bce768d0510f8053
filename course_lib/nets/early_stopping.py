"""Early stopping: keep the model from the evaluation where validation loss was lowest.

Training longer always lowers the training loss; past some point the validation loss
rises again, as the model fits the noise of its few examples (overfitting). Early
stopping watches the validation loss and stops once it has not improved for
``patience`` evaluations in a row, returning the weights of the best evaluation.

``EarlyStopping`` wraps an ``evaluate`` function for ``course_lib.nets.train.train``: it
passes the metrics through, keeps a copy of the best weights, and notes the step at
which patience ran out (the shared loop runs to its end, so the curve after that step
shows what stopping would have saved).
"""
from __future__ import annotations

import math
from typing import Callable

from torch import nn


class EarlyStopping:
    """An ``evaluate`` for ``train`` that remembers the best weights of the watched metric (lower is better).

    eval_every must be the ``eval_every`` given to ``train``, and the number of steps a
    multiple of it, so that evaluation k happens at step k·eval_every.
    """

    def __init__(self, evaluate: Callable[[nn.Module], dict], eval_every: int, patience: int = 5,
                 watch: str = "validation loss"):
        if not callable(evaluate):
            raise TypeError(f"evaluate must be a function of the model, got {evaluate!r}")
        for name, value in (("eval_every", eval_every), ("patience", patience)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value!r}")
        self.evaluate, self.eval_every, self.patience, self.watch = evaluate, eval_every, patience, watch
        self.step, self.best_step, self.stop_step = 0, None, None
        self.best_value, self.best_state = math.inf, None

    def __call__(self, model: nn.Module) -> dict:
        metrics = self.evaluate(model)
        if self.watch not in metrics:
            raise KeyError(f"early stopping watches {self.watch!r}, but evaluate returned only {', '.join(metrics)}")
        self.step += self.eval_every
        if self.stop_step is not None:  # stopped: what comes later is only shown, never kept
            return metrics
        if metrics[self.watch] < self.best_value:
            self.best_value, self.best_step = metrics[self.watch], self.step
            self.best_state = {name: value.detach().clone() for name, value in model.state_dict().items()}
        elif self.step - self.best_step >= self.patience * self.eval_every:
            self.stop_step = self.step
        return metrics

    def restore(self, model: nn.Module) -> None:
        """Load the best weights seen into ``model``."""
        if self.best_state is None:
            raise RuntimeError("nothing to restore: the model was never evaluated")
        model.load_state_dict(self.best_state)
