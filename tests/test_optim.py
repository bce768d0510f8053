"""course_lib.nets.optim and course_lib.nets.schedules: the same numbers as torch.optim, step for step."""
import copy
import math

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.nets import optim
from course_lib.nets.schedules import warmup_cosine


def model(dtype=torch.float64, seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(), torch.nn.Linear(7, 3)).to(dtype)


def batches(dtype=torch.float64, seed=1):
    generator = torch.Generator().manual_seed(seed)
    while True:
        yield torch.randn(8, 5, generator=generator, dtype=dtype), torch.randint(0, 3, (8,), generator=generator)


def cross_entropy(net, batch):
    x, y = batch
    return torch.nn.functional.cross_entropy(net(x), y)


PAIRS = {
    "sgd": (lambda p: optim.SGD(p, lr=0.1), lambda p: torch.optim.SGD(p, lr=0.1)),
    "momentum": (lambda p: optim.SGD(p, lr=0.05, momentum=0.9), lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9)),
    "momentum+L2": (lambda p: optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=1e-2),
                    lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.5, weight_decay=1e-2)),
    "adam": (lambda p: optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2)),
    "adam betas eps": (lambda p: optim.Adam(p, lr=3e-3, betas=(0.8, 0.95), eps=1e-6),
                       lambda p: torch.optim.Adam(p, lr=3e-3, betas=(0.8, 0.95), eps=1e-6)),
    "adam+L2": (lambda p: optim.Adam(p, lr=1e-2, weight_decay=0.1), lambda p: torch.optim.Adam(p, lr=1e-2, weight_decay=0.1)),
    "adamw": (lambda p: optim.AdamW(p, lr=1e-2), lambda p: torch.optim.AdamW(p, lr=1e-2)),
    "adamw strong decay": (lambda p: optim.AdamW(p, lr=1e-2, weight_decay=0.5),
                           lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.5)),
}


@pytest.mark.parametrize("name", PAIRS)
def test_each_optimizer_follows_torch_step_for_step(name):
    mine, theirs = PAIRS[name]
    gaps = optim.compare(model(), mine, theirs, batches(), cross_entropy, steps=300)
    assert max(gaps) < 1e-12  # float64: only rounding differs
    gaps = optim.compare(model(torch.float32), mine, theirs, batches(torch.float32), cross_entropy, steps=100)
    assert max(gaps) < 1e-5


def test_the_parameters_really_move_so_the_comparison_means_something():
    net = model()
    before = copy.deepcopy(net)
    optimizer = optim.Adam(net.parameters(), lr=1e-2)
    for _, batch in zip(range(20), batches()):
        optimizer.zero_grad()
        cross_entropy(net, batch).backward()
        optimizer.step()
    assert all((a - b).abs().max() > 1e-3 for a, b in zip(net.parameters(), before.parameters()))


def test_a_wrong_rule_is_seen_by_the_comparison():
    def no_correction(p, g, m, v, t, lr, b1, b2, eps):
        m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
        return p - lr * m / (v.sqrt() + eps), m, v
    gaps = optim.compare(model(), lambda p: optim.Adam(p, lr=1e-2, rule=no_correction),
                         lambda p: torch.optim.Adam(p, lr=1e-2), batches(), cross_entropy, steps=5)
    assert gaps[0] > 1e-3


def test_a_parameter_without_gradient_keeps_its_own_step_count_as_in_torch():
    # the second layer only gets gradients every other step: Adam's bias correction counts its own steps
    def masked(net, batch):
        loss = cross_entropy(net, batch)
        masked.calls += 1
        return loss if masked.calls % 4 in (1, 2) else loss.detach() * 0 + net[0].weight.sum() * 1e-3
    masked.calls = 0
    gaps = optim.compare(model(), lambda p: optim.Adam(p, lr=1e-2), lambda p: torch.optim.Adam(p, lr=1e-2),
                         batches(), masked, steps=40)
    assert max(gaps) < 1e-12


def test_zero_grad_forgets_the_gradients():
    net = model()
    optimizer = optim.SGD(net.parameters(), lr=0.1)
    cross_entropy(net, next(batches())).backward()
    optimizer.zero_grad(set_to_none=False)
    assert all(torch.count_nonzero(p.grad) == 0 for p in net.parameters())
    optimizer.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_a_schedule_as_learning_rate_equals_torch_lambda_lr():
    total, warmup, peak = 60, 10, 1e-2

    def schedule(t):
        return warmup_cosine(t, total, warmup, peak, 1e-4)

    class TorchScheduled:
        """torch's way: an optimizer, and a scheduler stepped after each optimizer step."""
        def __init__(self, params):
            self.optimizer = torch.optim.AdamW(params, lr=peak)
            # LambdaLR multiplies the base lr by f(epoch), with epoch 0 for the first step: shift by one
            # (and its last call, after the last step, asks for a step past the end: clamp)
            self.scheduler = torch.optim.lr_scheduler.LambdaLR(
                self.optimizer, lambda epoch: schedule(min(epoch + 1, total)) / peak)

        def zero_grad(self):
            self.optimizer.zero_grad()

        def step(self):
            self.optimizer.step()
            self.scheduler.step()

    gaps = optim.compare(model(), lambda p: optim.AdamW(p, lr=schedule), TorchScheduled, batches(), cross_entropy, total)
    assert max(gaps) < 1e-12


def test_your_own_rule_is_used():
    calls = []

    def recording(param, grad, velocity, lr, momentum):
        calls.append(lr)
        return optim.momentum_step(param, grad, velocity, lr, momentum)

    net = model()
    optimizer = optim.SGD(net.parameters(), lr=lambda t: 0.1 / t, rule=recording)
    for _, batch in zip(range(2), batches()):
        optimizer.zero_grad()
        cross_entropy(net, batch).backward()
        optimizer.step()
    assert calls == [0.1] * 4 + [0.05] * 4  # 4 parameter tensors, step 1 then step 2
    assert "SGD(lr=" in repr(optimizer)


@pytest.mark.parametrize("make, error, message", [
    (lambda p: optim.SGD(p, lr=-0.1), ValueError, "lr must be a positive number"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=1.0), ValueError, r"momentum must be a number in \[0, 1\)"),
    (lambda p: optim.SGD(p, lr=0.1, weight_decay=-1), ValueError, "weight_decay must be a non-negative"),
    (lambda p: optim.Adam(p, betas=0.9), ValueError, "betas must be a pair"),
    (lambda p: optim.Adam(p, betas=(0.9, 1.5)), ValueError, "beta2 must be a number"),
    (lambda p: optim.Adam(p, eps=0), ValueError, "eps must be a positive number"),
    (lambda p: optim.AdamW(p, rule="adam"), TypeError, "rule must be a function"),
    (lambda p: optim.Adam([]), ValueError, "got no parameters"),
    (lambda p: optim.Adam(torch.zeros(3, requires_grad=True)), TypeError, "not a single tensor"),
    (lambda p: optim.Adam([[1.0, 2.0]]), TypeError, "params must be tensors, got a list"),
    (lambda p: optim.Adam([torch.zeros(3)]), ValueError, "does not require a gradient"),
])
def test_bad_arguments_get_a_clear_message(make, error, message):
    with pytest.raises(error, match=message):
        make(model().parameters())


def test_compare_needs_enough_batches():
    with pytest.raises(ValueError, match="ran out after 2 of 3"):
        optim.compare(model(), lambda p: optim.SGD(p, lr=0.1), lambda p: optim.SGD(p, lr=0.1),
                      [next(batches())] * 2, cross_entropy, steps=3)
    with pytest.raises(ValueError, match="steps must be a positive integer"):
        optim.compare(model(), optim.SGD, optim.SGD, batches(), cross_entropy, steps=0)


# The schedule
def test_warmup_then_cosine_hits_its_landmarks():
    lr = [warmup_cosine(t, 100, 10, 1e-3, 1e-5) for t in range(1, 101)]
    assert lr[0] == pytest.approx(1e-4) and lr[9] == pytest.approx(1e-3)  # step 1 and the last warm-up step
    assert lr[-1] == pytest.approx(1e-5)  # the last step reaches min_lr
    assert lr[54] == pytest.approx((1e-3 + 1e-5) / 2)  # halfway through the decay: the mid-point
    assert all(a < b for a, b in zip(lr[:10], lr[1:10])) and all(a > b for a, b in zip(lr[10:], lr[11:]))


@settings(max_examples=200, deadline=None)
@given(total=st.integers(1, 500), data=st.data())
def test_the_schedule_stays_between_min_and_peak(total, data):
    warmup = data.draw(st.integers(0, total))
    step = data.draw(st.integers(1, total))
    lr = warmup_cosine(step, total, warmup, 0.1, 0.001)
    low = 0.1 / warmup if step <= warmup else 0.001  # warm-up starts at peak/warmup; the decay ends at min_lr
    assert low * (1 - 1e-12) <= lr <= 0.1 * (1 + 1e-12)


@pytest.mark.parametrize("args, error, message", [
    ((0, 10, 2, 0.1), ValueError, r"steps count from 1"),
    ((11, 10, 2, 0.1), ValueError, "between 1 and total_steps=10"),
    ((1, 10, 11, 0.1), ValueError, "warmup_steps <= total_steps"),
    ((1, 10, 2, 0.1, 0.2), ValueError, "min_lr <= peak_lr"),
    ((1.5, 10, 2, 0.1), TypeError, "step must be an integer"),
])
def test_the_schedule_rejects_bad_arguments(args, error, message):
    with pytest.raises(error, match=message):
        warmup_cosine(*args)


def test_no_warmup_starts_the_cosine_at_once():
    assert warmup_cosine(1, 4, 0, 1.0) == pytest.approx(0.5 * (1 + math.cos(math.pi / 4)))
