"""Chapter 05 — Gradient descent and optimizers: exercise checks and quiz.

torch is imported only inside the case builders: ``course_lib.progress()`` imports
every chapter's checks, and a chapter without torch must not pay for it.
"""
import numpy as np

from course_lib.nets import optim, quadratic, schedules
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "gradient_descent"


# 5.1 — gradient descent on a bowl
def descend_on(A, start, lr, steps):
    """The reference: the path of gradient descent on f(x) = ½·xᵀAx, start included."""
    return quadratic.descend(quadratic.Bowl(A), start, lr, steps)


def descent_mistake(update, keep_start=True):
    def wrong(A, start, lr, steps):
        A, x = np.asarray(A, dtype=float), np.asarray(start, dtype=float)
        path = [x] if keep_start else []
        for _ in range(steps):
            x = update(A, x, lr)
            path.append(x)
        return np.array(path)
    return wrong


def descent_cases():
    tilted = quadratic.Bowl.from_curvatures(2.5, 0.25).A
    return [Case((np.diag([1.0, 0.5]), np.array([1.0, 1.0]), 0.5, 2)),
            Case((tilted, np.array([-1.8, 1.2]), 0.3, 5)),
            Case((np.array([[3.0, 1.0], [1.0, 2.0]]), np.array([0.5, -2.0]), 0.1, 8)),
            Case((tilted, np.array([1.0, 0.3]), 0.79, 12))]


check_gradient_descent = Exercise(
    "5.1", "gradient_descent", descend_on, descent_cases, arg_names=("A", "start", "lr", "steps"),
    mistakes=[
        Mistake("Descend: step *against* the gradient, x - lr * gradient.", descent_mistake(lambda A, x, lr: x + lr * A @ x)),
        Mistake("The gradient of ½·xᵀAx is A @ x: the ½ cancels the 2 of the square.",
                descent_mistake(lambda A, x, lr: x - lr * 2 * A @ x)),
        Mistake("Multiply the gradient by the learning rate: x - lr * (A @ x).", descent_mistake(lambda A, x, lr: x - A @ x)),
        Mistake("Include the starting point: a path of `steps` steps has steps + 1 points.",
                descent_mistake(lambda A, x, lr: x - lr * A @ x, keep_start=False)),
        Mistake("Every point of your path is the last one: `x -= ...` changes the one array your list holds "
                "several times. Write x = x - lr * (A @ x), which makes a new array.",
                lambda A, start, lr, steps: np.repeat(descend_on(A, start, lr, steps)[-1:], steps + 1, axis=0)),
    ],
    hint="Repeat the update against the gradient of the quadratic, keeping every point, the "
         "starting point included.",
    detail="Start from `start`; repeat `steps` times: x = x - lr * (A @ x); return all the points, start first, "
           "as an array of shape (steps + 1, 2).",
)


# 5.2 — the rate of gradient descent
def rate_cases():
    return [Case(([1.0], 0.5)), Case(([1.0], 1.5)), Case(([2.5, 0.25], 0.3)), Case(([2.5, 0.25], 0.79)),
            Case(([2.5, 0.25], 0.85)), Case(([4.0, 1.0, 0.1], 0.45)), Case(([4.0, 1.0, 0.1], 0.6)),
            Case(([1.0, 2.2], 0.5)),  # the fastest axis is not the steepest one
            Case(([2.5, 1.5], 1.0))]  # every axis overshoots


check_convergence_rate = Exercise(
    "5.2", "convergence_rate", quadratic.rate, rate_cases, arg_names=("curvatures", "lr"),
    mistakes=[
        Mistake("Take the absolute value |1 - lr·λ|: a negative factor flips the sign of the error every step, "
                "and below -1 it also grows it.",
                lambda c, lr: float(max(1 - lr * np.asarray(c, dtype=float)))),
        Mistake("The slowest axis sets the pace: return the largest |1 - lr·λ| over all the curvatures "
                "(with a small lr, the flattest axis's), not the smallest.",
                lambda c, lr: float(min(abs(1 - lr * np.asarray(c, dtype=float))))),
        Mistake("Every curvature counts: with a small lr the flattest axis (smallest λ) shrinks slowest, "
                "with a large lr the steepest one blows up first.",
                lambda c, lr: abs(1 - lr * max(c))),
        Mistake("Every curvature counts: the steepest axis (largest λ) is the one that diverges first.",
                lambda c, lr: abs(1 - lr * min(c))),
    ],
    hint="Along each eigen-direction of A one step multiplies the error by a factor that depends "
         "on lr and that curvature; the slowest direction sets the rate.",
    detail="Along an axis of curvature λ each step multiplies the error by (1 - lr·λ); return the largest |factor|.",
  )


# 5.3 — momentum
def tensor_cases(shapes, seed):
    """Random float64 (param, grad, first state, second state) per shape; the second state is >= 0."""
    import torch
    generator = torch.Generator().manual_seed(seed)
    out = []
    for shape in shapes:
        p, g, m, v = (torch.randn(shape, generator=generator, dtype=torch.float64) for _ in range(4))
        out.append((p, g, m, v.square()))
    return out


def momentum_cases():
    import torch
    first, *rest = tensor_cases([(1,), (3,), (2, 3), (4, 5)], seed=5)
    cases = [Case((first[0], first[1], torch.zeros_like(first[0]), 0.1, 0.9))]  # the first step: velocity 0
    for (p, g, velocity, _), (lr, momentum) in zip(rest, [(0.1, 0.9), (0.5, 0.5), (0.01, 0.99)]):
        cases.append(Case((p, g, velocity, lr, momentum)))
    return cases


check_momentum_step = Exercise(
    "5.3", "momentum_step", optim.momentum_step, momentum_cases,
    arg_names=("param", "grad", "velocity", "lr", "momentum"),
    mistakes=[
        Mistake("torch's momentum adds the whole gradient: velocity = momentum * velocity + grad, without a "
                "(1 - momentum) factor (that would be SGD's `dampening`).",
                lambda p, g, v, lr, mu: (p - lr * (mu * v + (1 - mu) * g), mu * v + (1 - mu) * g)),
        Mistake("Step with the new velocity, not with the raw gradient: param - lr * velocity.",
                lambda p, g, v, lr, mu: (p - lr * g, mu * v + g)),
        Mistake("Update the velocity first, then step with the *new* velocity.",
                lambda p, g, v, lr, mu: (p - lr * v, mu * v + g)),
        Mistake("That is the other common form, v = μ·v - lr·g; p = p + v (Sutskever et al. 2013): the same path "
                "for a fixed lr, but here the velocity must be torch's, v = μ·v + g, without the lr.",
                lambda p, g, v, lr, mu: (p + (mu * v - lr * g), mu * v - lr * g)),
        Mistake("Descend: subtract lr * velocity from the parameter.",
                lambda p, g, v, lr, mu: (p + lr * (mu * v + g), mu * v + g)),
    ],
    hint="Momentum keeps a running velocity: update it with the new gradient first, then move the "
         "parameter by the velocity.",
    detail="velocity = momentum * velocity + grad; param = param - lr * velocity; return (param, velocity).",
)


# 5.4 — Adam
def adam_cases():
    import torch
    shapes = [(1,), (3,), (3,), (2, 3), (2, 3), (4, 5)]
    hyper = [(1, 1e-3, 0.9, 0.999, 1e-8), (1, 0.1, 0.9, 0.999, 1e-8), (2, 0.01, 0.8, 0.99, 1e-3),
             (10, 1e-3, 0.9, 0.999, 1e-8), (1000, 0.05, 0.9, 0.95, 1e-8), (7, 3e-4, 0.5, 0.9, 0.1)]
    cases = []
    for i, ((p, g, m, v), (t, lr, b1, b2, eps)) in enumerate(zip(tensor_cases(shapes, seed=11), hyper)):
        if t == 1:  # Adam's first step starts from m = v = 0
            m, v = torch.zeros_like(p), torch.zeros_like(p)
        elif i == 2:
            v = v * 1e-4  # small second moments make eps matter
        cases.append(Case((p, g, m, v, t, lr, b1, b2, eps)))
    return cases


def adam_without_correction(p, g, m, v, t, lr, b1, b2, eps):
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
    return p - lr * m / (v.sqrt() + eps), m, v


def adam_returning_corrected(p, g, m, v, t, lr, b1, b2, eps):
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
    m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
    return p - lr * m_hat / (v_hat.sqrt() + eps), m_hat, v_hat


def adam_eps_inside(p, g, m, v, t, lr, b1, b2, eps):
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
    return p - lr * (m / (1 - b1 ** t)) / (v / (1 - b2 ** t) + eps).sqrt(), m, v


def adam_without_sqrt(p, g, m, v, t, lr, b1, b2, eps):
    m, v = b1 * m + (1 - b1) * g, b2 * v + (1 - b2) * g ** 2
    return p - lr * (m / (1 - b1 ** t)) / (v / (1 - b2 ** t) + eps), m, v


check_adam_step = Exercise(
    "5.4", "adam_step", optim.adam_step, adam_cases,
    arg_names=("param", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps"),
    mistakes=[
        Mistake("Bias correction is missing: divide m by (1 - beta1**t) and v by (1 - beta2**t) before the step.",
                adam_without_correction),
        Mistake("beta1 and beta2 are swapped: m (the gradient's average) uses beta1 = 0.9, "
                "v (the squared gradient's average) uses beta2 = 0.999.",
                lambda p, g, m, v, t, lr, b1, b2, eps: optim.adam_step(p, g, m, v, t, lr, b2, b1, eps)),
        Mistake("Return the running averages m and v themselves: the bias-corrected m_hat and v_hat serve this "
                "step only, and storing them would correct them again next step.", adam_returning_corrected),
        Mistake("eps goes outside the square root: sqrt(v_hat) + eps.", adam_eps_inside),
        Mistake("Divide by the square root of v_hat: Adam scales by the gradient's typical size, not its square.",
                adam_without_sqrt),
        Mistake("Bias correction uses the number of this step, t (1 on the first step): 1 - beta**t.",
                lambda p, g, m, v, t, lr, b1, b2, eps: optim.adam_step(p, g, m, v, t + 1, lr, b1, b2, eps)),
    ],
    hint="Adam keeps running averages of the gradient and of its square, corrects both for their "
         "start at zero, and steps by their ratio (the formulas above, in order).",
    detail="m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g**2; m_hat = m/(1-b1**t); v_hat = v/(1-b2**t); "
           "param - lr*m_hat/(sqrt(v_hat)+eps); return (param, m, v).",
)


# 5.5 — AdamW
def adamw_cases():
    cases = []
    decays = [(0.1, 0.5), (1e-3, 0.01), (0.05, 0.1), (0.01, 1.0), (0.1, 0.5), (3e-4, 0.1)]
    for case, (lr, weight_decay) in zip(adam_cases(), decays):
        p, g, m, v, t, _, b1, b2, eps = case.args
        cases.append(Case((p, g, m, v, t, lr, b1, b2, eps, weight_decay)))
    return cases


def adamw_after(p, g, m, v, t, lr, b1, b2, eps, wd):
    p, m, v = optim.adam_step(p, g, m, v, t, lr, b1, b2, eps)
    return p * (1 - lr * wd), m, v


check_adamw_step = Exercise(
    "5.5", "adamw_step", optim.adamw_step, adamw_cases,
    arg_names=("param", "grad", "m", "v", "t", "lr", "beta1", "beta2", "eps", "weight_decay"),
    mistakes=[
        Mistake("That is L2 regularisation (torch.optim.Adam's weight_decay): you added weight_decay * param to the "
                "gradient, so the decay went through m and v. Decoupled decay shrinks the parameter itself, "
                "param * (1 - lr * weight_decay), and takes the Adam step with the plain gradient.",
                lambda p, g, m, v, t, lr, b1, b2, eps, wd: optim.adam_step(p, g + wd * p, m, v, t, lr, b1, b2, eps)),
        Mistake("Scale the decay by the learning rate: param * (1 - lr * weight_decay), as torch.optim.AdamW does.",
                lambda p, g, m, v, t, lr, b1, b2, eps, wd: optim.adam_step(p * (1 - wd), g, m, v, t, lr, b1, b2, eps)),
        Mistake("Decay the parameter before the Adam step (torch shrinks the old value), not the updated one.",
                adamw_after),
        Mistake("You left out the weight decay: shrink the parameter by (1 - lr * weight_decay).",
                lambda p, g, m, v, t, lr, b1, b2, eps, wd: optim.adam_step(p, g, m, v, t, lr, b1, b2, eps)),
    ],
    hint="AdamW decays the weights directly, separately from the Adam step, rather than adding the"
         " decay to the gradient.",
    detail="Shrink first, then take an ordinary Adam step: adam_step(param * (1 - lr * weight_decay), grad, m, v, ...).",
)


# 5.6 — warm-up and cosine decay
SCHEDULE_CASES = [Case((1, 100, 10, 1e-3, 1e-5)), Case((5, 100, 10, 1e-3, 1e-5)), Case((10, 100, 10, 1e-3, 1e-5)),
                  Case((11, 100, 10, 1e-3, 1e-5)), Case((55, 100, 10, 1e-3, 1e-5)), Case((100, 100, 10, 1e-3, 1e-5)),
                  Case((1, 50, 0, 0.1, 0.0)), Case((25, 50, 0, 0.1, 0.0)), Case((8, 20, 4, 2.0, 0.5))]


def shifted(offset, strict=False):
    def wrong(step, total_steps, warmup_steps, peak_lr, min_lr):
        step += offset
        if step < warmup_steps or (step == warmup_steps and not strict):
            return peak_lr * step / warmup_steps
        progress = (step - warmup_steps) / (total_steps - warmup_steps)
        return min_lr + 0.5 * (peak_lr - min_lr) * (1 + np.cos(np.pi * progress))
    return wrong


def schedule_mistake(cosine):
    def wrong(step, total_steps, warmup_steps, peak_lr, min_lr):
        if step <= warmup_steps:
            return peak_lr * step / warmup_steps
        return cosine(step, total_steps, warmup_steps, peak_lr, min_lr)
    return wrong


check_warmup_cosine = Exercise(
    "5.6", "warmup_cosine", schedules.warmup_cosine, SCHEDULE_CASES,
    arg_names=("step", "total_steps", "warmup_steps", "peak_lr", "min_lr"),
    mistakes=[
        Mistake("Off by one step: steps count from 1, so the first update (step=1) gets peak_lr/warmup_steps, "
                "not 0, and the last (step=total_steps) gets exactly min_lr.", shifted(-1)),
        Mistake("Off by one step: steps count from 1, so the first update (step=1) gets peak_lr/warmup_steps, "
                "not 0, and the last (step=total_steps) gets exactly min_lr.", shifted(-1, strict=True)),
        Mistake("Off by one step: steps count from 1 and step is the update being taken; don't add 1.", shifted(+1)),
        Mistake("Half a cosine goes from 1 to 0 as 0.5 * (1 + cos(pi * progress)): the 0.5 is missing.",
                schedule_mistake(lambda s, T, W, peak, low: low + (peak - low) * (1 + np.cos(np.pi * (s - W) / (T - W))))),
        Mistake("The decay must end at min_lr: lr = min_lr + 0.5 * (peak_lr - min_lr) * (1 + cos(pi * progress)).",
                schedule_mistake(lambda s, T, W, peak, low: 0.5 * peak * (1 + np.cos(np.pi * (s - W) / (T - W))))),
        Mistake("The cosine starts after the warm-up: progress = (step - warmup_steps) / (total_steps - warmup_steps).",
                schedule_mistake(lambda s, T, W, peak, low: low + 0.5 * (peak - low) * (1 + np.cos(np.pi * s / T)))),
    ],
    hint="Two phases: a linear rise to the peak during warm-up, then half a cosine from the peak "
         "down to the minimum over the remaining steps.",
    detail="step <= warmup_steps: peak_lr * step / warmup_steps. After: progress = (step - warmup_steps) / "
           "(total_steps - warmup_steps), lr = min_lr + 0.5 * (peak_lr - min_lr) * (1 + cos(pi * progress)).",
)


# 5.7 — find the bugs in a training loop
def fit(model, optimizer, batches):
    """The reference loop: per batch, zero_grad → forward → loss → backward → step; the losses as floats."""
    import torch.nn.functional as F
    losses = []
    for x, y in batches:
        optimizer.zero_grad()
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def loop_cases():
    import torch
    cases = []
    for seed, (n_batches, make) in enumerate([(3, lambda p: optim.SGD(p, lr=0.5)),
                                              (5, lambda p: optim.SGD(p, lr=0.2, momentum=0.9)),
                                              (6, lambda p: optim.Adam(p, lr=0.05))]):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            model = torch.nn.Linear(4, 3)
            batches = [(torch.randn(6, 4), torch.randint(0, 3, (6,))) for _ in range(n_batches)]
        cases.append(Case((model, make(model.parameters()), batches)))
    return cases


def loop_mistake(order, softmax=False):
    """A loop that runs the steps named in ``order`` per batch (loss = forward + loss)."""
    def wrong(model, optimizer, batches):
        import torch.nn.functional as F
        losses = []
        for x, y in batches:
            for action in order:
                if action == "zero_grad":
                    optimizer.zero_grad()
                elif action == "loss":
                    outputs = model(x).softmax(dim=1) if softmax else model(x)
                    loss = F.cross_entropy(outputs, y)
                elif action == "backward":
                    loss.backward()
                elif action == "step":
                    optimizer.step()
            losses.append(loss.item())
        return losses
    return wrong


check_fit = Exercise(
    "5.7", "fit", fit, loop_cases, arg_names=("model", "optimizer", "batches"), rtol=1e-5, atol=1e-7,
    mistakes=[
        Mistake("These are the numbers of the loop as given: it still has all three bugs.",
                loop_mistake(["step", "loss", "backward"], softmax=True)),
        Mistake("Gradients are never zeroed: backward() *adds* to .grad, so every step uses the sum of all "
                "gradients so far. Call optimizer.zero_grad() before backward().",
                loop_mistake(["loss", "backward", "step"])),
        # Both orders leave step() without gradients (zero_grad() sets them to None), so the two give the
        # same numbers on every input: one hint names both.
        Mistake("The parameters never move: optimizer.step() finds no gradients, because it runs before "
                "loss.backward() or because zero_grad() wipes them in between. Order: zero_grad → forward → "
                "loss → backward → step.", loop_mistake(["zero_grad", "step", "loss", "backward"])),
        Mistake("F.cross_entropy takes logits: it applies log-softmax itself. A softmax before it squashes the "
                "outputs into [0, 1] and the gradients with them.",
                loop_mistake(["zero_grad", "loss", "backward", "step"], softmax=True)),
    ],
    hint="The standard torch loop: for every batch, clear the gradients, compute the loss, "
         "backward, step — and record the loss as a Python number.",
    detail="Per batch: optimizer.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); optimizer.step(); "
           "losses.append(loss.item()).",
)

EXERCISES = [check_gradient_descent, check_convergence_rate, check_momentum_step, check_adam_step,
             check_adamw_step, check_warmup_cosine, check_fit]

QUIZ = Quiz(CHAPTER, [
    Question("Gradient descent on a bowl whose curvatures (Hessian eigenvalues) are 4 and 0.5. "
             "Which learning rate makes it diverge?", [
        Option("0.1", False, "|1 - 0.1·4| = 0.6 and |1 - 0.1·0.5| = 0.95: both below 1, so it converges, slowly."),
        Option("0.45", False, "|1 - 0.45·4| = 0.8: the steep axis overshoots to the other side each step, "
               "but by less every time, so it still converges."),
        Option("0.55", True, "|1 - 0.55·4| = 1.2 > 1: the steep axis overshoots by 20% more every step. "
               "The edge is 2/λ_max = 2/4 = 0.5."),
        Option("None: a convex bowl always converges", False,
               "Convexity does not save a step that is too long: past 2/λ_max every step lands higher up "
               "the opposite wall."),
    ]),
    Question("A bowl has condition number κ = λ_max/λ_min = 100. Why is gradient descent slow on it?", [
        Option("Even the best learning rate shrinks the error only by (κ-1)/(κ+1) ≈ 0.98 per step", True,
               "The learning rate must stay below 2/λ_max, and at that size the flat axis hardly moves. About 690 steps for a millionfold reduction; momentum brings the factor to about "
               "(√κ-1)/(√κ+1) ≈ 0.82."),
        Option("Its gradient is noisy", False, "This is full-batch descent on a formula: there is no noise at all."),
        Option("Its minimum is far away", False, "The distance enters only through a logarithm: the factor "
               "per step is what matters."),
        Option("The learning rate is too small: take one above 2/λ_max to cross the flat axis faster", False,
               "Above 2/λ_max the steep axis diverges, whatever the flat axis does."),
    ]),
    Question("You quadruple the batch size. What happens to the typical error of the minibatch gradient "
             "(the root-mean-square distance to the full-batch gradient)?", [
        Option("It is divided by 4", False, "That is the *squared* error: E‖g_B - g‖² ∝ 1/B."),
        Option("It is halved", True, "The squared error falls as 1/B, so its square root falls as 1/√B: "
               "four times the compute per step for half the noise."),
        Option("It does not change", False, "The measurement in section 4 shows it falling along the 1/B line."),
        Option("It becomes zero", False, "Only a batch of the whole training set (B = N) has no error."),
    ]),
    Question("Adam with β1 = 0.9 and β2 = 0.999, but without bias correction. How does its first step compare "
             "with the bias-corrected one?", [
        Option("About 10 times smaller, because m₁ = 0.1·g", False,
               "That looks at m alone. v₁ = 0.001·g² is biased too, and the step divides by its square root."),
        Option("About 3.2 times larger", True, "m₁/√v₁ = 0.1·g / (√0.001·|g|) ≈ 3.16·sign(g), against "
               "1·sign(g) with the correction: the uncorrected first steps are *larger*, not smaller."),
        Option("The same", False, "The two biases do not cancel: 0.1 against √0.001 ≈ 0.032."),
        Option("Zero, since m and v start at zero", False, "m and v are updated with the first gradient before "
               "the step is taken."),
    ]),
    Question("What is the difference between torch.optim.Adam(weight_decay=0.01) and torch.optim.AdamW(weight_decay=0.01)?", [
        Option("None: both add 0.01·θ to the gradient before the moments m and v are updated, as L2 "
               "regularisation does", False, "Only Adam does; AdamW shrinks the weights directly."),
        Option("Adam's decay goes through m and v (and is divided by √v̂); AdamW's shrinks θ by (1 - lr·0.01)",
               True, "With Adam, weights with large gradients are hardly decayed. Loshchilov & Hutter (2019): "
               "with adaptive methods, L2 regularisation and weight decay are no longer the same thing, and "
               "the decoupled form regularises as intended."),
        Option("AdamW does not use the second moment v", False, "AdamW's step on the loss is exactly Adam's."),
        Option("AdamW decays only the biases", False, "It decays every parameter it is given (you can pass "
               "parameter groups to exempt some)."),
    ]),
    Question("The training loss keeps falling; the validation loss has risen for 500 steps; validation accuracy "
             "is flat. What is happening, and which model do you keep?", [
        Option("Underfitting: train longer", False, "The training loss is already tiny: the model fits its "
               "training set too well, not too little."),
        Option("Overfitting: keep the weights with the lowest validation loss (early stopping)", True,
               "The model grows ever more confident, on its mistakes too; besides early stopping, regularise, "
               "e.g. with weight decay. Section 8: the validation loss rose by half while the accuracy stayed put."),
        Option("Overfitting: keep the checkpoint with the best *test* accuracy, the most honest measure", False, "Choosing by the test set makes it part "
               "of training: its score no longer estimates accuracy on new data. Choose by validation, report test."),
        Option("The learning rate is too small", False, "A larger one reaches the same overfitted state sooner."),
    ]),
    Question("In a TensorFlow-1 training loop, `tf.gradients(loss, [W])` and `W.assign(...)` are called inside "
             "the `for` loop. What goes wrong?", [
        Option("Nothing: TensorFlow caches them", False, "TF1 graphs are append-only: each call adds new operations."),
        Option("The graph grows by new operations every iteration: steps slow down, memory grows", True, "Build the graph once, before the loop; inside the loop "
               "only run it. (Calling graph.finalize() before the loop makes TF1 raise an error instead.)"),
        Option("The gradients come out wrong, because tf.gradients sees the graph before the assign runs", False, "They are right; they are just rebuilt, expensively, every step."),
        Option("It fails at once with an error", False, "It runs, and that is what makes the defect easy to miss."),
    ]),
    Question("Why warm the learning rate up over the first steps?", [
        Option("Early on Adam's second moment v averages only a few gradients, and the freshly initialised model "
               "can be in a sharp region: small first steps keep an unreliable step size from blowing up "
               "training", True, "Liu et al. (2019) trace warm-up's benefit for Adam to the variance of its "
               "early step sizes; Goyal et al. (2017) needed it for large-batch SGD."),
        Option("To make training longer", False, "Warm-up is a few percent of the steps; it exists to keep "
               "training stable."),
        Option("The cosine formula needs it", False, "A cosine decay works without warm-up (warmup_steps=0)."),
        Option("So that the final model is smaller", False, "The schedule changes the path, not the parameter count."),
    ]),
])
