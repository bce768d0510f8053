"""Optimizers from scratch: SGD with momentum, Adam and AdamW.

Each optimizer is made of two parts:

* an **update rule**: a pure function of one parameter tensor, its gradient and its
  state, returning the new values (``momentum_step``, ``adam_step``, ``adamw_step``).
  This is the mathematics, a few lines each;
* a small **class** that holds the parameters and each one's state, with the two
  methods every training loop calls: ``zero_grad()`` and ``step()``. So
  ``course_lib.nets.train.train`` (or any PyTorch loop) accepts it in place of torch's.

The classes compute what ``torch.optim.SGD(momentum=...)``, ``torch.optim.Adam`` and
``torch.optim.AdamW`` compute, step for step (tests/test_optim.py runs them side by
side for hundreds of steps). Pass ``rule=`` your own function with the same signature
and the class trains with it. The learning rate ``lr`` is a number, or a function of
the step number (1, 2, 3, ...) such as a schedule from ``course_lib.nets.schedules``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Callable, Iterable

if TYPE_CHECKING:  # torch itself is imported when an optimizer is built: the exercise checks import
    # this module, and course_lib.progress() imports every chapter's checks
    from torch import Tensor


def momentum_step(param: Tensor, grad: Tensor, velocity: Tensor, lr: float,
                  momentum: float) -> tuple[Tensor, Tensor]:
    """SGD with momentum (heavy ball), torch's form: v ← μ·v + g;  p ← p − lr·v."""
    velocity = momentum * velocity + grad
    return param - lr * velocity, velocity


def adam_step(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, t: int, lr: float,
              beta1: float, beta2: float, eps: float) -> tuple[Tensor, Tensor, Tensor]:
    """One Adam step (Kingma & Ba 2014, Algorithm 1) for step number t = 1, 2, ...

    m and v are running averages of the gradient and of its square. They start at
    zero, so early on they are biased towards zero by the factors 1 − β1^t and
    1 − β2^t: dividing by those factors removes the bias.
    """
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** t)
    v_hat = v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adamw_step(param: Tensor, grad: Tensor, m: Tensor, v: Tensor, t: int, lr: float, beta1: float,
               beta2: float, eps: float, weight_decay: float) -> tuple[Tensor, Tensor, Tensor]:
    """AdamW (Loshchilov & Hutter 2017): shrink the weights, then take an Adam step.

    The decay is *decoupled*: it multiplies the parameter by (1 − lr·weight_decay)
    and never enters m and v, so every weight decays at the same rate, whatever
    the size of its gradients.
    """
    return adam_step(param * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)


def positive(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"{name} must be a positive number, got {value!r}")
    return value


def non_negative(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < float("inf"):
        raise ValueError(f"{name} must be a non-negative number, got {value!r}")
    return value


def in_unit_interval(name: str, value: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 1:
        raise ValueError(f"{name} must be a number in [0, 1), got {value!r}")
    return value


class Optimizer:
    """The parameters, the state of each, and the two methods a training loop calls."""

    def __init__(self, params: Iterable[Tensor], lr: float | Callable[[int], float], rule: Callable):
        from torch import Tensor
        if isinstance(params, Tensor):
            raise TypeError("params must be an iterable of tensors, e.g. model.parameters(), not a single tensor")
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got no parameters: pass model.parameters()")
        for p in self.params:
            if not isinstance(p, Tensor):
                raise TypeError(f"params must be tensors, got a {type(p).__name__}")
            if not p.requires_grad:
                raise ValueError(f"a parameter of shape {tuple(p.shape)} does not require a gradient")
        if not callable(lr):
            positive("lr", lr)
        if not callable(rule):
            raise TypeError(f"rule must be a function, got {rule!r}")
        self.lr, self.rule = lr, rule
        self.steps = 0  # optimizer steps taken: the step number a schedule sees
        self.state: list[dict] = [{} for _ in self.params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of the last step (backward() adds to .grad, it does not overwrite).

        As in torch, the gradients are removed (None) unless set_to_none=False, which fills them with zeros.
        """
        for p in self.params:
            if set_to_none:
                p.grad = None
            elif p.grad is not None:
                p.grad.zero_()

    def step(self) -> None:
        """Update every parameter that has a gradient."""
        import torch
        self.steps += 1
        lr = self.lr(self.steps) if callable(self.lr) else self.lr
        with torch.no_grad():  # the update itself is not part of the model's computation
            for p, state in zip(self.params, self.state):
                if p.grad is not None:
                    p.copy_(self.update(p, p.grad, state, lr))

    def update(self, param: Tensor, grad: Tensor, state: dict, lr: float) -> Tensor:
        raise NotImplementedError

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={v}" for k, v in self.settings().items())
        return f"{type(self).__name__}({settings})"

    def settings(self) -> dict:
        return {"lr": self.lr}


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as torch.optim.SGD(lr, momentum, weight_decay).

    weight_decay adds weight_decay·p to the gradient (an L2 penalty), as torch's SGD does.
    With momentum=0 this is plain SGD: the velocity is then just the gradient.
    """

    def __init__(self, params: Iterable[Tensor], lr: float | Callable[[int], float], momentum: float = 0.0,
                 weight_decay: float = 0.0, rule: Callable = momentum_step):
        super().__init__(params, lr, rule)
        self.momentum = in_unit_interval("momentum", momentum)
        self.weight_decay = non_negative("weight_decay", weight_decay)

    def update(self, param, grad, state, lr):
        if self.weight_decay:
            grad = grad + self.weight_decay * param
        if "velocity" not in state:
            state["velocity"] = param.new_zeros(param.shape)
        param, state["velocity"] = self.rule(param, grad, state["velocity"], lr, self.momentum)
        return param

    def settings(self):
        return {"lr": self.lr, "momentum": self.momentum, "weight_decay": self.weight_decay}


class Adam(Optimizer):
    """Adam, as torch.optim.Adam: weight_decay adds weight_decay·p to the gradient (L2)."""
    decoupled = False

    def __init__(self, params: Iterable[Tensor], lr: float | Callable[[int], float] = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0.0,
                 rule: Callable | None = None):
        super().__init__(params, lr, rule or (adamw_step if self.decoupled else adam_step))
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2):
            raise ValueError(f"betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (in_unit_interval("beta1", betas[0]), in_unit_interval("beta2", betas[1]))
        self.eps = positive("eps", eps)
        self.weight_decay = non_negative("weight_decay", weight_decay)

    def update(self, param, grad, state, lr):
        if not state:
            state.update(step=0, m=param.new_zeros(param.shape), v=param.new_zeros(param.shape))
        state["step"] += 1  # per parameter, as torch counts it
        hyper = (state["step"], lr, *self.betas, self.eps)
        if self.decoupled:
            param, state["m"], state["v"] = self.rule(param, grad, state["m"], state["v"], *hyper, self.weight_decay)
        else:
            if self.weight_decay:
                grad = grad + self.weight_decay * param
            param, state["m"], state["v"] = self.rule(param, grad, state["m"], state["v"], *hyper)
        return param

    def settings(self):
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps, "weight_decay": self.weight_decay}


class AdamW(Adam):
    """AdamW, as torch.optim.AdamW: decoupled weight decay (default 0.01, torch's default)."""
    decoupled = True

    def __init__(self, params: Iterable[Tensor], lr: float | Callable[[int], float] = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8, weight_decay: float = 1e-2,
                 rule: Callable | None = None):
        super().__init__(params, lr, betas, eps, weight_decay, rule)


def compare(model, mine: Callable, theirs: Callable, batches: Iterable, loss_fn: Callable, steps: int) -> list[float]:
    """Train two copies of ``model`` side by side on the same batches, one per optimizer.

    mine(params) and theirs(params) build the two optimizers. Returns, after each step,
    the largest absolute difference between the two copies' parameters.
    """
    import copy
    from itertools import islice

    if not (isinstance(steps, int) and steps >= 1):
        raise ValueError(f"steps must be a positive integer, got {steps!r}")
    copies = [copy.deepcopy(model), copy.deepcopy(model)]
    optimizers = [mine(copies[0].parameters()), theirs(copies[1].parameters())]
    gaps = []
    for batch in islice(batches, steps):
        for net, optimizer in zip(copies, optimizers):
            optimizer.zero_grad()
            loss_fn(net, batch).backward()
            optimizer.step()
        gaps.append(max((a - b).abs().max().item() for a, b in zip(*(net.parameters() for net in copies))))
    if len(gaps) < steps:
        raise ValueError(f"batches ran out after {len(gaps)} of {steps} steps")
    return gaps
