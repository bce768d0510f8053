"""Chapter 05: wrong implementations for measuring the feedback (see tests/wrong/__init__.py)."""
import math

import numpy as np
import torch
import torch.nn.functional as F

from course_lib.exercises import gradient_descent as checks
from tests.wrong import Wrong


# 5.1 gradient_descent
def descent_as_a_list(A, start, lr, steps):
    x, path = np.asarray(start, dtype=float), [np.asarray(start, dtype=float)]
    for _ in range(steps):
        x = x - lr * (A @ x)
        path.append(x)
    return path


def descent_no_return(A, start, lr, steps):
    x, path = np.asarray(start, dtype=float), [np.asarray(start, dtype=float)]
    for _ in range(steps):
        x = x - lr * (A @ x)
        path.append(x)


def descent_elementwise(A, start, lr, steps):
    x, path = np.asarray(start, dtype=float), [np.asarray(start, dtype=float)]
    for _ in range(steps):
        x = x - lr * (A * x).sum(axis=0)
        path.append(x)
    return np.array(path)


def descent_one_step_short(A, start, lr, steps):
    x, path = np.asarray(start, dtype=float), [np.asarray(start, dtype=float)]
    for _ in range(steps - 1):
        x = x - lr * (A @ x)
        path.append(x)
    return np.array(path)


def descent_points_as_columns(A, start, lr, steps):
    x, path = np.asarray(start, dtype=float), [np.asarray(start, dtype=float)]
    for _ in range(steps):
        x = x - lr * (A @ x)
        path.append(x)
    return np.column_stack(path)


# 5.2 convergence_rate
def rate_every_factor(curvatures, lr):
    return np.abs(1 - lr * np.asarray(curvatures, dtype=float))


def rate_no_return(curvatures, lr):
    rate = max(abs(1 - lr * c) for c in curvatures)  # noqa: F841


def rate_divides(curvatures, lr):
    return max(abs(1 - lr / c) for c in curvatures)


def rate_trailing_comma(curvatures, lr):
    return max(abs(1 - lr * c) for c in curvatures),


# 5.3 momentum_step
def momentum_as_numpy(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    return (param - lr * velocity).numpy(), velocity.numpy()


def momentum_no_return(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + grad
    param = param - lr * velocity  # noqa: F841


def momentum_lr_in_the_velocity(param, grad, velocity, lr, momentum):
    velocity = momentum * velocity + lr * grad
    return param - velocity, velocity


def momentum_old_velocity_decays(param, grad, velocity, lr, momentum):
    new_velocity = momentum * velocity + grad
    return param - lr * momentum * velocity, new_velocity


# 5.4 adam_step
def adam_counts_from_zero(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** (t - 1)), v / (1 - beta2 ** (t - 1))
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adam_no_return(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    param = param - lr * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps)  # noqa: F841


def adam_no_one_minus_beta(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + grad
    v = beta2 * v + grad ** 2
    m_hat, v_hat = m / (1 - beta1 ** t), v / (1 - beta2 ** t)
    return param - lr * m_hat / (v_hat.sqrt() + eps), m, v


def adam_only_the_parameter(param, grad, m, v, t, lr, beta1, beta2, eps):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    return param - lr * (m / (1 - beta1 ** t)) / ((v / (1 - beta2 ** t)).sqrt() + eps)


# 5.5 adamw_step
def adamw_subtracts_the_decay(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return checks.optim.adam_step(param - lr * weight_decay, grad, m, v, t, lr, beta1, beta2, eps)


def adamw_no_return(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    result = checks.optim.adam_step(param * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)  # noqa


def adamw_only_the_parameter(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    return checks.optim.adam_step(param * (1 - lr * weight_decay), grad, m, v, t, lr, beta1, beta2, eps)[0]


def adamw_decay_on_the_gradient_too(param, grad, m, v, t, lr, beta1, beta2, eps, weight_decay):
    decayed = param * (1 - lr * weight_decay)
    return checks.optim.adam_step(decayed, grad + weight_decay * param, m, v, t, lr, beta1, beta2, eps)


# 5.6 warmup_cosine
def schedule_no_return(step, total_steps, warmup_steps, peak_lr, min_lr=0.0):
    if step <= warmup_steps:
        lr = peak_lr * step / warmup_steps  # noqa: F841
    else:
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        lr = min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))  # noqa: F841


def schedule_linear_decay(step, total_steps, warmup_steps, peak_lr, min_lr=0.0):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return peak_lr - (peak_lr - min_lr) * progress


def schedule_degrees(step, total_steps, warmup_steps, peak_lr, min_lr=0.0):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / (total_steps - warmup_steps)
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(180 * progress))


def schedule_progress_over_total(step, total_steps, warmup_steps, peak_lr, min_lr=0.0):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = (step - warmup_steps) / total_steps
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + math.cos(math.pi * progress))


def schedule_in_torch(step, total_steps, warmup_steps, peak_lr, min_lr=0.0):
    if step <= warmup_steps:
        return peak_lr * step / warmup_steps
    progress = torch.tensor((step - warmup_steps) / (total_steps - warmup_steps))
    return min_lr + 0.5 * (peak_lr - min_lr) * (1 + torch.cos(math.pi * progress))


# 5.7 fit
def fit_keeps_tensors(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss)
    return losses


def fit_no_return(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())


def fit_last_loss_only(model, optimizer, batches):
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
    return loss.item()


def fit_nll_of_logits(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.nll_loss(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def fit_losses_as_a_tensor(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return torch.tensor(losses)


def fit_item_without_call(model, optimizer, batches):
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item)
    return losses


WRONG = [
    Wrong(checks.check_gradient_descent, descent_as_a_list, "the list of points, not an array",
          "a list where a numpy array is asked"),
    Wrong(checks.check_gradient_descent, descent_no_return, "the path never returned", "`return`"),
    Wrong(checks.check_gradient_descent, descent_elementwise, "A * x summed: an elementwise product, not A @ x", ""),
    Wrong(checks.check_gradient_descent, descent_one_step_short, "range(steps - 1): one step short", "one short along axis 0"),
    Wrong(checks.check_gradient_descent, descent_points_as_columns, "np.column_stack(path): points as columns",
          "the transpose of the answer"),
    Wrong(checks.check_convergence_rate, rate_trailing_comma, "a trailing comma: a tuple of one number",
          "a tuple where a number is asked"),
    Wrong(checks.check_convergence_rate, rate_every_factor, "every axis's factor returned, no max",
          "where a single number is asked"),
    Wrong(checks.check_convergence_rate, rate_no_return, "the rate never returned", "`return`"),
    Wrong(checks.check_convergence_rate, rate_divides, "1 - lr / λ: divided by the curvature", ""),
    Wrong(checks.check_momentum_step, momentum_as_numpy, "converted to numpy with .numpy()",
          "a numpy array where a torch tensor is asked"),
    Wrong(checks.check_momentum_step, momentum_no_return, "the new values never returned", "`return`"),
    Wrong(checks.check_momentum_step, momentum_lr_in_the_velocity, "v = μ·v + lr·g; p = p - v: lr in the velocity",
          ""),
    Wrong(checks.check_momentum_step, momentum_old_velocity_decays, "the step taken with μ times the old velocity",
          ""),
    Wrong(checks.check_adam_step, adam_counts_from_zero, "1 - beta**(t - 1): steps counted from 0",
          ""),
    Wrong(checks.check_adam_step, adam_no_return, "the new values never returned", "`return`"),
    Wrong(checks.check_adam_step, adam_no_one_minus_beta, "m = b1·m + g: the (1 - beta) weights left out", ""),
    Wrong(checks.check_adam_step, adam_only_the_parameter, "only the new parameter returned, not (param, m, v)",
          "where a tuple of 3 values is asked"),
    Wrong(checks.check_adamw_step, adamw_subtracts_the_decay, "param - lr·wd: the decay subtracted, not a factor",
          ""),
    Wrong(checks.check_adamw_step, adamw_no_return, "the step never returned", "`return`"),
    Wrong(checks.check_adamw_step, adamw_only_the_parameter, "only the new parameter returned, not (param, m, v)",
          "where a tuple of 3 values is asked"),
    Wrong(checks.check_adamw_step, adamw_decay_on_the_gradient_too, "decoupled decay and the L2 term both", ""),
    Wrong(checks.check_warmup_cosine, schedule_no_return, "the learning rate never returned", "`return`"),
    Wrong(checks.check_warmup_cosine, schedule_linear_decay, "a linear decay instead of the cosine", ""),
    Wrong(checks.check_warmup_cosine, schedule_degrees, "cos(180 · progress): degrees, not radians", ""),
    Wrong(checks.check_warmup_cosine, schedule_progress_over_total, "progress = (step - warmup) / total_steps", ""),
    Wrong(checks.check_warmup_cosine, schedule_in_torch, "torch.cos: a tensor returned",
          "a torch tensor where a Python number is asked"),
    Wrong(checks.check_fit, fit_keeps_tensors, "losses.append(loss): tensors, not floats",
          "take its value with .item()"),
    Wrong(checks.check_fit, fit_item_without_call, "losses.append(loss.item): the method, not called",
          "where a number is asked"),
    Wrong(checks.check_fit, fit_no_return, "the losses never returned", "`return`"),
    Wrong(checks.check_fit, fit_last_loss_only, "only the last batch's loss returned",
          "a number where a list"),
    Wrong(checks.check_fit, fit_nll_of_logits, "F.nll_loss on the logits: no log-softmax", ""),
    Wrong(checks.check_fit, fit_losses_as_a_tensor, "the losses returned as one tensor",
          "a torch tensor where a list"),
]
