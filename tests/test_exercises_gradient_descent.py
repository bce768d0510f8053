"""Chapter 05: every check passes the reference, reports the stub, and catches plausible wrong answers."""
import math
import sys
import subprocess

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from course_lib.exercises import gradient_descent as checks
from tests.contract import contract_tests


# Wrong implementations a learner might write, and the hint each must get.
# 5.1 gradient descent
def descent_uphill(A, start, lr, steps):
    x, path = np.array(start, dtype=float), [np.array(start, dtype=float)]
    for _ in range(steps):
        x = x + lr * A @ x
        path.append(x)
    return np.array(path)


def descent_in_place(A, start, lr, steps):
    x = np.array(start, dtype=float)
    path = [x]
    for _ in range(steps):
        x -= lr * A @ x  # changes the array the list already holds
        path.append(x)
    return np.array(path)


def descent_without_start(A, start, lr, steps):
    x, path = np.array(start, dtype=float), []
    for _ in range(steps):
        x = x - lr * A @ x
        path.append(x)
    return np.array(path)


def descent_twice_the_gradient(A, start, lr, steps):
    x, path = np.array(start, dtype=float), [np.array(start, dtype=float)]
    for _ in range(steps):
        x = x - lr * 2 * A @ x
        path.append(x)
    return np.array(path)


# 5.2 convergence rate
def rate_without_abs(curvatures, lr):
    return max(1 - lr * c for c in curvatures)


def rate_of_the_steepest(curvatures, lr):
    return abs(1 - lr * max(curvatures))


def rate_of_the_fastest(curvatures, lr):
    return min(abs(1 - lr * c) for c in curvatures)


# 5.3 momentum
def momentum_dampened(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + (1 - momentum) * grad
    return param - lr * velocity, velocity


def momentum_old_velocity(param, grad, velocity, lr, momentum):
    param = param - lr * velocity
    velocity = momentum * velocity + grad
    return param, velocity


def momentum_sutskever(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity - lr * grad
    return param + velocity, velocity


# 5.4 Adam
def adam_no_bias_correction(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * m / (v.sqrt() + eps), m, v


def adam_betas_swapped(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta2 * m + (1 - beta2) * grad
    v = beta1 * v + (1 - beta1) * grad ** 2
    m_hat, v_hat = m / (1 - beta2 ** t), v / (1 - beta1 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adam_stores_corrected(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = (beta1 * m + (1 - beta1) * grad) / (1 - beta1 ** t)
    v = (beta2 * v + (1 - beta2) * grad ** 2) / (1 - beta2 ** t)
    return param - lr * m / (v.sqrt() + eps), m, v


def adam_eps_in_sqrt(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * (m / (1 - beta1 ** t)) / torch.sqrt(v / (1 - beta2 ** t) + eps), m, v


def adam_zero_based_t(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


# 5.5 AdamW
def adamw_as_l2(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    grad = grad + weight_decay * param
    return checks.optim.adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_decay_without_lr(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    param = param - weight_decay * param
    return checks.optim.adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_decay_after(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    param, m, v = checks.optim.adam_step(param, grad, m, v, t, lr, beta1, beta2, eps)
    return param - lr * weight_decay * param, m, v


# 5.6 schedule
def schedule_zero_based(step, total_steps, warmup_steps, peak_lr, min_lr):
    step = step - 1  # "the first step is step 0"
    if step < warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))


def schedule_to_zero(step, total_steps, warmup_steps, peak_lr, min_lr):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return 0.5 * peak_lr * (1 + math.cos(math.pi * progress))


def schedule_whole_run_cosine(step, total_steps, warmup_steps, peak_lr, min_lr):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * step / total_steps))


# 5.7 the training loop
def fit_as_given(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.step()
        probabilities = model(x).softmax(dim=1)
        loss = F.cross_entropy(probabilities, y)
        loss.backward()
        losses.append(loss.item())
    return losses


def fit_without_zero_grad(model, optimizer, batches):
    losses = []
    for x, y in batches:
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def fit_step_first(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        optimizer.step()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        losses.append(loss.item())
    return losses


def fit_softmax_first(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(torch.softmax(model(x), dim=1), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


CHECKS = {
    checks.check_gradient_descent: [
        (descent_uphill, "against* the gradient"),
        (descent_in_place, "`x -= ...` changes the one array"),
        (descent_without_start, "Include the starting point"),
        (descent_twice_the_gradient, "the ½ cancels the 2"),
    ],
    checks.check_convergence_rate: [
        (rate_without_abs, "Take the absolute value"),
        (rate_of_the_steepest, "the flattest axis (smallest λ) shrinks slowest"),
        (rate_of_the_fastest, "not the smallest"),
    ],
    checks.check_momentum_step: [
        (momentum_dampened, "without a (1 - momentum) factor"),
        (momentum_old_velocity, "step with the *new* velocity"),
        (momentum_sutskever, "Sutskever et al. 2013"),
    ],
    checks.check_adam_step: [
        (adam_no_bias_correction, "Bias correction is missing"),
        (adam_betas_swapped, "beta1 and beta2 are swapped"),
        (adam_stores_corrected, "Return the running averages m and v themselves"),
        (adam_eps_in_sqrt, "eps goes outside the square root"),
        (adam_zero_based_t, "1 on the first step"),
    ],
    checks.check_adamw_step: [
        (adamw_as_l2, "That is L2 regularisation"),
        (adamw_decay_without_lr, "Scale the decay by the learning rate"),
        (adamw_decay_after, "Decay the parameter before the Adam step"),
    ],
    checks.check_warmup_cosine: [
        (schedule_zero_based, "Off by one step: steps count from 1"),
        (schedule_to_zero, "must end at min_lr"),
        (schedule_whole_run_cosine, "The cosine starts after the warm-up"),
    ],
    checks.check_fit: [
        (fit_as_given, "it still has all three bugs"),
        (fit_without_zero_grad, "Gradients are never zeroed"),
        (fit_step_first, "The parameters never move: optimizer.step() finds no gradients"),
        (fit_softmax_first, "F.cross_entropy takes logits"),
    ],
}


test_reference_and_stub, test_wrong_is_caught, test_mistakes_named, test_all_covered = contract_tests(CHECKS, checks)


def test_the_loop_cases_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    checks.loop_cases()
    assert torch.equal(torch.rand(3), expected)


def test_importing_the_checks_does_not_import_torch():
    # course_lib.progress() imports every chapter's checks; chapters without torch must not pay for it
    code = "import sys, course_lib.exercises.gradient_descent; print('torch' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip() == "False"


def test_the_numbers_the_quiz_and_text_state():
    from course_lib.nets import quadratic
    # question 1: curvatures 4 and 0.5
    assert quadratic.rate([4, 0.5], 0.1) == pytest.approx(0.95) and quadratic.rate([4, 0.5], 0.45) == pytest.approx(0.8)
    assert quadratic.rate([4, 0.5], 0.55) == pytest.approx(1.2)
    # question 2: κ = 100
    assert (100 - 1) / (100 + 1) == pytest.approx(0.98, abs=1e-3) and (10 - 1) / (10 + 1) == pytest.approx(0.82, abs=1e-2)
    assert math.ceil(math.log(1e-6) / math.log(99 / 101)) == 691
    # question 4: Adam's first step without bias correction
    assert 0.1 / math.sqrt(0.001) == pytest.approx(3.16, abs=0.01) and math.sqrt(0.001) == pytest.approx(0.032, abs=1e-3)
    # exercise 5.7: cross-entropy of probabilities used as logits cannot go below ln(e + 9) - 1
    best = F.cross_entropy(torch.tensor([[1.0] + [0.0] * 9]), torch.tensor([0])).item()
    assert best == pytest.approx(math.log(math.e + 9) - 1) == pytest.approx(1.46, abs=0.01)
