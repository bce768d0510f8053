"""Chapter 11 — Interpretability: exercise checks and quiz.

torch is imported only when a check runs: ``course_lib.progress()`` imports every
chapter's checks, and a chapter without torch must not pay for it. The references are
the course_lib functions the chapter uses afterwards.
"""
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "interpretability"


def small_models(shapes, activation="Tanh"):
    """Seeded MLPs in_features -> hidden -> classes with a smooth activation, so that every point of a
    path has its own gradient; shown in feedback as "MLP 4-3-2 (random weights)"."""
    import torch
    from torch import nn

    class MLP(nn.Sequential):
        def __repr__(self):
            return f"MLP {self[0].in_features}-{self[0].out_features}-{self[2].out_features} (random weights)"

    models = []
    for seed, (d, h, c) in enumerate(shapes):
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            model = MLP(nn.Linear(d, h), getattr(nn, activation)(), nn.Linear(h, c))
            for p in model.parameters():
                p.data.normal_(0.0, 1.0)
        models.append(model)
    return models


def inputs(seed, n, d, low=0.0, high=1.0):
    """n rows of d values in [low, high), seeded."""
    import torch
    generator = torch.Generator().manual_seed(100 + seed)
    return low + (high - low) * torch.rand(n, d, generator=generator)


def targets(seed, n, classes):
    import torch
    return torch.randint(0, classes, (n,), generator=torch.Generator().manual_seed(200 + seed))


# 11.1 — the gradient of the target logit with respect to the input
def gradient(model, x, target):
    """The reference: course_lib.interpret.attribution.gradient."""
    from course_lib.interpret import attribution
    return attribution.gradient(model, x, target)


SHAPES = [(3, 4, 2), (4, 5, 3), (6, 8, 3), (8, 6, 4), (16, 10, 5)]


def gradient_cases():
    rows = [1, 2, 2, 3, 4]
    return [Case((model, inputs(i, n, d), targets(i, n, c)))
            for i, (model, n, (d, h, c)) in enumerate(zip(small_models(SHAPES), rows, SHAPES))]


def grad_of(model, x, output):
    """Learner-style: the gradient with respect to x of output(logits) summed."""
    x = x.clone().requires_grad_(True)
    output(model(x)).sum().backward()
    return x.grad


def first_layer_weight_grad(model, x, target):
    model.zero_grad()
    model(x).gather(1, target[:, None]).sum().backward()
    return model[0].weight.grad


def cross_entropies(logits, target):
    import torch.nn.functional as F
    return F.cross_entropy(logits, target, reduction="none")


def pick(target):
    return lambda logits: logits.gather(1, target[:, None])


check_gradient = Exercise(
    "11.1", "gradient", gradient, gradient_cases, arg_names=("model", "x", "target"),
    mistakes=[
        Mistake("That is the gradient with respect to the first layer's weights (model[0].weight.grad), not the "
                "input: an explanation of an input needs ∂f/∂x.", first_layer_weight_grad,
                detail="Make the input a leaf that records gradients, x = x.clone().requires_grad_(True); "
                       "backpropagate the target logits; return x.grad."),
        Mistake("That is the gradient with respect to the weights, summed over the hidden units: it has the shape "
                "of an input but not its meaning. Differentiate with respect to x itself.",
                lambda m, x, t: first_layer_weight_grad(m, x, t).sum(dim=0),
                detail="x = x.clone().requires_grad_(True); backpropagate the target logits; return x.grad."),
        Mistake("You differentiated the sum of all the logits: differentiate each row's logit of its target "
                "class, model(x)[i, target[i]], only.", lambda m, x, t: grad_of(m, x, lambda z: z),
                detail="Pick each row's target logit with logits.gather(1, target[:, None]), then .sum().backward()."),
        Mistake("That is the gradient of the cross-entropy loss. Explain the model's score for the class, its "
                "logit.", lambda m, x, t: grad_of(m, x, lambda z: cross_entropies(z, t)),
                detail="Backpropagate from model(x).gather(1, target[:, None]).sum(), not from the loss."),
        Mistake("That is the gradient of the softmax probability. Explain the logit (before the softmax): it is "
                "what integrated gradients' completeness is stated for in this chapter.",
                lambda m, x, t: grad_of(m, x, lambda z: pick(t)(z.softmax(dim=1))),
                detail="Backpropagate from model(x).gather(1, target[:, None]).sum(): no softmax."),
        Mistake("Return the signed gradient: saliency, its absolute value, comes next.",
                lambda m, x, t: grad_of(m, x, pick(t)).abs()),
        Mistake("Return the gradient alone, not multiplied by the input (that is gradient × input).",
                lambda m, x, t: grad_of(m, x, pick(t)) * x),
    ],
    hint="Differentiate each row's logit of its target class with respect to the input x itself: one backward "
         "pass of their sum gives every row's gradient.",
    detail="x = x.clone().requires_grad_(True); model(x).gather(1, target[:, None]).sum().backward(); return x.grad.",
    shapes="In this chapter x is (rows, pixels), target (rows,) and the gradient has x's shape.",
    rtol=1e-5, atol=1e-6,
)


# 11.2 — integrated gradients, the right Riemann sum
def integrated_gradients(model, x, target, baseline, steps):
    """The reference: course_lib.interpret.attribution.integrated_gradients with the right Riemann sum."""
    from course_lib.interpret import attribution
    return attribution.integrated_gradients(model, x, target, baseline, steps, rule="right")


def ig_cases():
    models = small_models(SHAPES)
    settings = [(1, 3, 0.0), (2, 4, 0.3), (2, 5, 0.0), (3, 8, -0.5), (4, 16, 0.2)]  # rows, steps, baseline
    cases = []
    for i, (model, (n, steps, level), (d, h, c)) in enumerate(zip(models, settings, SHAPES)):
        x = inputs(i, n, d)
        cases.append(Case((model, x, targets(i, n, c), x.new_full(x.shape, level), steps)))
    return cases


def path_average(model, x, target, baseline, alphas, divide_by):
    """Learner-style: sum the input gradients at baseline + α·(x − baseline) over alphas, divided by divide_by."""
    from course_lib.interpret import attribution
    total = sum(attribution.gradient(model, baseline + float(a) * (x - baseline), target) for a in alphas)
    return total / divide_by


def ig_mistake(alphas, divide=lambda steps: steps, times=lambda x, baseline: x - baseline):
    def wrong(model, x, target, baseline, steps):
        return times(x, baseline) * path_average(model, x, target, baseline, alphas(steps), divide(steps))
    return wrong


def linspace(points):
    import torch
    return torch.linspace(0, 1, points).tolist()


def right_points(steps):
    return [k / steps for k in range(1, steps + 1)]


check_integrated_gradients = Exercise(
    "11.2", "integrated_gradients", integrated_gradients, ig_cases,
    arg_names=("model", "x", "target", "baseline", "steps"),
    mistakes=[
        Mistake("Multiply the averaged gradient by (x - baseline): without that factor you have an average "
                "gradient, not an attribution, and the attributions cannot add up to f(x) - f(baseline).",
                ig_mistake(right_points, times=lambda x, baseline: 1.0)),
        Mistake("Multiply by (x - baseline), not by x: the baseline here is not zero.",
                ig_mistake(right_points, times=lambda x, baseline: x)),
        Mistake("torch.linspace(0, 1, steps) puts the points 1/(steps - 1) apart and includes the baseline "
                "itself (α = 0): that is a different sum. The right Riemann sum takes α = k/steps for k = 1..steps.",
                ig_mistake(lambda steps: linspace(steps))),
        Mistake("torch.linspace(0, 1, steps + 1) gives steps + 1 points, both ends included: the right Riemann "
                "sum has exactly steps points, α = k/steps for k = 1..steps.",
                ig_mistake(lambda steps: linspace(steps + 1), divide=lambda steps: steps + 1)),
        Mistake("Off by one: range(1, steps) gives steps - 1 points. Take k = 1..steps, i.e. range(1, steps + 1).",
                ig_mistake(lambda steps: [k / steps for k in range(1, steps)])),
        Mistake("That is the left Riemann sum, α = k/steps for k = 0..steps-1, which starts at the baseline. "
                "Use the right one, k = 1..steps (Sundararajan et al. 2017, eq. 3).",
                ig_mistake(lambda steps: [k / steps for k in range(steps)])),
        Mistake("Average the gradients: divide their sum by steps (each point stands for a slice 1/steps of the path).",
                ig_mistake(right_points, divide=lambda steps: 1)),
    ],
    hint="Compare your sum with the formula above the exercise: which points α = k/steps you take (k = 1..steps), "
         "that you average the gradients there, and what you multiply the average by.",
    detail="total = sum of gradient(model, baseline + (k/steps)·(x - baseline), target) for k = 1..steps; "
           "return (x - baseline) * total / steps.",
    shapes="In this chapter x and baseline are (rows, pixels), target (rows,); the attributions have x's shape.",
    rtol=1e-4, atol=1e-5,
)


# 11.3 — SmoothGrad
def smoothgrad(model, x, target, noise):
    """The reference: course_lib.interpret.attribution.smoothgrad."""
    from course_lib.interpret import attribution
    return attribution.smoothgrad(model, x, target, noise)


def smoothgrad_cases():
    import torch
    models = small_models(SHAPES)
    cases = []
    for i, (model, samples, (d, h, c)) in enumerate(zip(models, [2, 3, 3, 4, 6], SHAPES)):
        n = 1 + i // 2
        noise = 0.3 * torch.randn(samples, n, d, generator=torch.Generator().manual_seed(300 + i))
        cases.append(Case((model, inputs(i, n, d), targets(i, n, c), noise)))
    return cases


def input_gradient(model, x, target):
    from course_lib.interpret import attribution
    return attribution.gradient(model, x, target)


check_smoothgrad = Exercise(
    "11.3", "smoothgrad", smoothgrad, smoothgrad_cases, arg_names=("model", "x", "target", "noise"),
    mistakes=[
        Mistake("Add the noise to the input, then take the gradient: SmoothGrad averages gradient(x + noise[s]), "
                "not gradient(x) + noise[s].",
                lambda m, x, t, noise: input_gradient(m, x, t) + noise.mean(dim=0)),
        Mistake("Average the gradients, not the inputs: take one gradient per noisy copy x + noise[s], then their "
                "mean. (The mean of the noisy inputs is nearly x again.)",
                lambda m, x, t, noise: input_gradient(m, x + noise.mean(dim=0), t)),
        Mistake("Divide by the number of samples, len(noise): SmoothGrad is a mean, not a sum.",
                lambda m, x, t, noise: sum(input_gradient(m, x + e, t) for e in noise)),
        Mistake("Average the signed gradients; taking the absolute value first is a different map (the "
                "heat-maps take it, if they want, afterwards).",
                lambda m, x, t, noise: sum(input_gradient(m, x + e, t).abs() for e in noise) / len(noise)),
        Mistake("You never added the noise: average gradient(model, x + noise[s], target) over the samples s.",
                lambda m, x, t, noise: input_gradient(m, x, t)),
        Mistake("Use every sample: average over all len(noise) noisy copies, not just the first.",
                lambda m, x, t, noise: input_gradient(m, x + noise[0], t)),
    ],
    hint="SmoothGrad is the mean, over the samples s, of the gradient at the noisy input x + noise[s]: one "
         "gradient per sample, then their average.",
    detail="return torch.stack([gradient(model, x + e, target) for e in noise]).mean(dim=0)",
    shapes="In this chapter x is (rows, pixels) and noise (samples, rows, pixels); the map has x's shape.",
    rtol=1e-5, atol=1e-6,
)


# 11.4 — a deletion curve
def deletion_curve(model, x, target, attributions):
    """The reference: course_lib.interpret.faithfulness.deletion_curve, deleting to a blank page (zeros)."""
    from course_lib.interpret import faithfulness
    return faithfulness.deletion_curve(model, x, target, attributions)


def deletion_cases():
    import torch
    models = small_models(SHAPES, activation="ReLU")
    cases = []
    for i, (model, (d, h, c)) in enumerate(zip(models, SHAPES)):
        n = 1 + i // 2
        attributions = torch.randn(n, d, generator=torch.Generator().manual_seed(400 + i))
        cases.append(Case((model, inputs(i, n, d, 0.2, 1.0), targets(i, n, c), attributions)))
    return cases


def learner_deletion(model, x, target, attributions, order=lambda a: a.argsort(dim=1, descending=True),
                     cumulative=True, score=lambda logits, t: logits.softmax(dim=1).gather(1, t[:, None])[:, 0],
                     start=True):
    """Learner-style deletion with one step changed: the order, the deletion, the score, the first point."""
    import torch
    rank, rows = order(attributions), torch.arange(len(x))
    current, curve = x.clone(), []
    with torch.no_grad():
        if start:
            curve.append(score(model(current), target))
        for k in range(x.shape[1]):
            if not cumulative:
                current = x.clone()
            current[rows, rank[:, k]] = 0.0
            curve.append(score(model(current), target))
    return torch.stack(curve, dim=1)


check_deletion_curve = Exercise(
    "11.4", "deletion_curve", deletion_curve, deletion_cases, arg_names=("model", "x", "target", "attributions"),
    mistakes=[
        Mistake("Delete the most important pixels first: sort the attributions in descending order "
                "(argsort(dim=1, descending=True)).",
                lambda m, x, t, a: learner_deletion(m, x, t, a, order=lambda a: a.argsort(dim=1))),
        Mistake("Start the curve with the untouched input: column 0 is x itself, so the curve has pixels + 1 points.",
                lambda m, x, t, a: learner_deletion(m, x, t, a, start=False)),
        Mistake("Deletions accumulate: after k steps the k highest-ranked pixels are all blank, not only the k-th.",
                lambda m, x, t, a: learner_deletion(m, x, t, a, cumulative=False)),
        Mistake("Record the probability of the target class (softmax, then the target's column), not its logit.",
                lambda m, x, t, a: learner_deletion(m, x, t, a, score=lambda z, t: z.gather(1, t[:, None])[:, 0])),
        Mistake("Follow the probability of the *target* class, even when another class overtakes it.",
                lambda m, x, t, a: learner_deletion(m, x, t, a, score=lambda z, t: z.softmax(dim=1).max(dim=1).values)),
        Mistake("Rank by the attribution itself, not its absolute value: a pixel with a negative attribution "
                "speaks *against* the class and is deleted last.",
                lambda m, x, t, a: learner_deletion(m, x, t, a,
                                                    order=lambda a: a.abs().argsort(dim=1, descending=True))),
    ],
    hint="Follow the text step by step: rank each row's pixels by attribution, highest first; blank one more of "
         "them per step in a copy of x; record the target's probability before the first deletion and after each.",
    detail="order = attributions.argsort(dim=1, descending=True); from a copy of x, set one more pixel of the order "
           "to 0 per step; record softmax(model(current))[row, target] before the first step and after each; "
           "torch.stack(curve, dim=1).",
    shapes="In this chapter x and attributions are (rows, pixels), target (rows,); the curve is (rows, pixels + 1).",
    rtol=1e-5, atol=1e-6,
)


# 11.5 — a probe and its control task
def selectivity(features, task, control, train, test):
    """The reference: probes on the training rows, accuracies on the test rows, and their difference."""
    from course_lib.interpret import probes
    accuracy = {}
    for name, labels in (("task", task), ("control", control)):
        probe = probes.fit_linear(features[train], labels[train])
        accuracy[name] = probes.accuracy(probe, features[test], labels[test])
    accuracy["selectivity"] = accuracy["task"] - accuracy["control"]
    return accuracy


def probe_cases():
    """Features of token positions: each token type has a vector, plus noise, plus a direction that carries the
    task label (which depends on context, not on the type alone); control labels are random per type."""
    import torch
    cases = []
    for seed, (n, d, types, noise) in enumerate([(30, 3, 4, 0.8), (40, 4, 5, 1.0), (60, 6, 6, 1.0), (80, 8, 8, 1.2)]):
        generator = torch.Generator().manual_seed(500 + seed)
        token = torch.randint(0, types, (n,), generator=generator)
        task = torch.randint(0, 2, (n,), generator=generator)
        vectors = 2.0 * torch.randn(types, d, generator=generator)
        features = vectors[token] + noise * torch.randn(n, d, generator=generator)
        features[:, 0] += 1.5 * task
        control = torch.randint(0, 2, (types,), generator=generator)[token]
        cut = 2 * n // 3
        cases.append(Case((features, task, control, torch.arange(cut), torch.arange(cut, n))))
    return cases


def probe_mistake(fit_rows, score_rows, combine=lambda task, control: task - control):
    def wrong(features, task, control, train, test):
        from course_lib.interpret import probes
        rows = {"train": train, "test": test, "all": slice(None)}
        accuracy = {}
        for name, labels in (("task", task), ("control", control)):
            probe = probes.fit_linear(features[rows[fit_rows]], labels[rows[fit_rows]])
            accuracy[name] = probes.accuracy(probe, features[rows[score_rows]], labels[rows[score_rows]])
        accuracy["selectivity"] = combine(accuracy["task"], accuracy["control"])
        return accuracy
    return wrong


KEYS = ("task", "control", "selectivity")


def accuracies(function):
    """The check's view of a selectivity function: the dict's three values, in order, so that each can be
    compared (and a wrong one named); anything but a dict with those keys is refused, since the chapter's
    next cells read them by name."""
    def values(*args):
        answer = function(*args)
        if answer is None:
            return None  # the check says "did you forget the `return`?"
        if not isinstance(answer, dict):
            raise TypeError(f"a {type(answer).__name__} where a dict is asked: return "
                            "{'task': ..., 'control': ..., 'selectivity': ...}")
        missing = [key for key in KEYS if key not in answer]
        if missing:
            raise ValueError(f"expected a dict with keys {list(KEYS)}; yours has {list(answer)}, "
                           f"without {missing}")
        return tuple(answer[key] for key in KEYS)
    return values


check_selectivity = Exercise(
    "11.5", "selectivity", selectivity, probe_cases, arg_names=("features", "task", "control", "train", "test"),
    mistakes=[
        Mistake("You measured the probes on the rows they were fitted on: that rewards memorising, the very thing "
                "the control task is there to expose. Fit on features[train], score on features[test].",
                probe_mistake("train", "train")),
        Mistake("Fit the probes on the training rows only: fitting on all rows lets them see the test rows.",
                probe_mistake("all", "test")),
        Mistake("Selectivity is task accuracy minus control accuracy (Hewitt & Liang 2019), not the other way round.",
                probe_mistake("train", "test", lambda task, control: control - task)),
        Mistake("Selectivity is a difference of accuracies, task - control, not a ratio.",
                probe_mistake("train", "test", lambda task, control: task / control)),
    ],
    hint="Fit one probe per labelling on the training rows only and score each on the test rows only; the "
         "selectivity is the difference of the two held-out accuracies.",
    detail="For each of task and control: probe = probes.fit_linear(features[train], labels[train]); accuracy = "
           "probes.accuracy(probe, features[test], labels[test]). Return {'task': ..., 'control': ..., "
           "'selectivity': task - control}.",
    harness=accuracies, shows="(the dict's 'task', 'control' and 'selectivity')",
    rtol=1e-6, atol=1e-9,
)


# 11.6 — the logit lens
def logit_lens(model, residual):
    """The reference: course_lib.interpret.lens.logit_lens."""
    from course_lib.interpret import lens
    return lens.logit_lens(model, residual)


def lens_cases():
    import torch

    from course_lib.lm import gpt

    class Shown(gpt.GPT):
        def __repr__(self):
            c = self.config
            return f"GPT(vocab_size={c.vocab_size}, n_embd={c.n_embd}, random weights)"

    cases = []
    for seed, (vocab, width, T) in enumerate([(5, 4, 2), (7, 8, 3), (11, 16, 5)]):
        with torch.random.fork_rng():
            torch.manual_seed(600 + seed)
            model = Shown(gpt.GPTConfig(vocab_size=vocab, block_size=8, n_layer=1, n_head=2, n_embd=width))
            for p in model.ln_f.parameters():  # a learned gain and shift, so that they matter
                p.data.normal_(0.5, 0.5)
            residual = 3.0 * torch.randn(2, T, width) + 1.0
        cases.append(Case((model.eval(), residual)))
    return cases


def plain_layer_norm(model, residual):
    import torch.nn.functional as F
    return model.lm_head(F.layer_norm(residual, residual.shape[-1:]))


check_logit_lens = Exercise(
    "11.6", "logit_lens", logit_lens, lens_cases, arg_names=("model", "residual"),
    mistakes=[
        Mistake("Apply the final layer norm first, model.ln_f, as the model does before its head: the head was "
                "trained on normalised vectors.", lambda m, r: m.lm_head(r)),
        Mistake("Use the model's own final norm, model.ln_f, with its learned gain and bias: a plain layer norm "
                "leaves them out.", plain_layer_norm),
        Mistake("Return the logits: no softmax (the chapter applies it where it needs probabilities).",
                lambda m, r: m.lm_head(m.ln_f(r)).softmax(dim=-1)),
        Mistake("Return the logits, not log-probabilities.",
                lambda m, r: m.lm_head(m.ln_f(r)).log_softmax(dim=-1)),
    ],
    hint="Read the state exactly as the model reads its last one: its own final layer norm, then its head.",
    detail="return model.lm_head(model.ln_f(residual))",
    shapes="In this chapter a residual state is (batch, time, n_embd) and the logits (batch, time, vocab_size).",
    rtol=1e-5, atol=1e-5,
)

EXERCISES = [check_gradient, check_integrated_gradients, check_smoothgrad, check_deletion_curve,
             check_selectivity, check_logit_lens]

QUIZ = Quiz(CHAPTER, [
    Question("Integrated gradients of a digit, 64 steps: the attributions add up to 5.02, while f(x) − f(blank) = 5.00. "
             "What does the gap of 0.02 tell you?", [
        Option("The error of the numerical integral: more steps bring the sum closer", True,
               "Completeness holds for the exact integral; a sum over 64 points misses it by a little, and for "
               "this ReLU network the error shrinks about as 1/steps."),
        Option("The model is not differentiable, so integrated gradients do not apply", False,
               "ReLU networks are differentiable almost everywhere, which is all the integral needs."),
        Option("The baseline was wrong: completeness holds only when the baseline is a blank page", False,
               "Completeness holds for any baseline: Σ attributions = "
               "f(x) − f(baseline), with whichever baseline you integrated from."),
        Option("Pixels with no ink got attributions they should not have", False,
               "With a blank baseline a pixel without ink has x − x' = 0, so its attribution is exactly 0."),
    ]),
    Question("You re-initialise every weight of the classifier. The |gradient × input| maps still have a rank "
             "correlation of about 0.9 with those of the trained model. What follows?", [
        Option("Their look comes from the input (zero where there is no ink), not from the model", True,
               "This is what Adebayo et al.'s model-randomisation test is for. The signs of the maps do change "
               "(their signed correlation falls to about 0), but a picture of |map| hardly does."),
        Option("The trained model had not learned anything, so both of its maps show the same nothing", False,
               "It reads about 97% of the test digits; the "
               "randomised one about as many as guessing would (10%)."),
        Option("Gradient × input is the most faithful method, since its maps are the most stable", False,
               "Passing for the wrong reason is not faithfulness: the maps would look the same for any model."),
        Option("Rank correlation is the wrong measure: only identical maps may count as the same", False,
               "The test asks whether the maps *change* when the model does; 0.9 means they hardly do."),
    ]),
    Question("On the deletion test, the input itself, used as a map (\"the pixels with the most ink matter most\"), "
             "beats a random ranking by far. What does that show?", [
        Option("Deleting ink ruins any digit, so a method must beat model-free rankings, not only random ones", True,
               "A deletion curve rewards rankings that follow the ink whether or not they follow the model: the "
               "comparison tells you how much of a method's score the input alone explains."),
        Option("The input itself is a faithful explanation of this model: the inked pixels are the ones it uses", False,
               "It is the same for every model, trained or random: it explains nothing about this one."),
        Option("Deletion curves are useless, since a ranking that ignores the model scores well", False,
               "They do measure something real, the effect of removing "
               "pixels; they need the right references to be read."),
        Option("The model only looks at ink: blank pixels never change its answer", False,
               "Section 8 shows that blank pixels matter too: ink in the "
               "middle of a 0 changes the answer."),
    ]),
    Question("A linear probe reads each character's category (space, letter, digit, …) from the embedding layer with "
             "100% accuracy; the same probe reaches 99.9% on the control task. What do you conclude?", [
        Option("Only that the layer tells the characters apart: even random labels of them are readable", True,
               "The selectivity, about 0, says the 100% is no evidence of more. Hewitt & Liang (2019) found the same for ELMo: its first layer gave slightly better part-of-speech "
               "accuracy, the second a much higher selectivity."),
        Option("The embedding layer has learned what a character category is, as its 100% accuracy shows", False,
               "Random categories are read just as well: the accuracy reflects identity, not a concept."),
        Option("The probe is too weak to tell the tasks apart: a deeper probe would separate them", False,
               "It reads both tasks almost perfectly; a more flexible probe would read random labels even better."),
        Option("The probe must have been scored on its training data, where any probe reaches 100%", False,
               "The accuracies here are on held-out positions; on training data they would be higher still."),
    ]),
    Question("Head 1.0 puts about 60% of its attention from the last position on an open bracket. Which claim does "
             "that weight alone support?", [
        Option("That the head reads mostly from there: not what it reads, nor whether it is used", True,
               "Only an intervention answers the second question: copying head 1.0's output from a \"(\" prompt "
               "into a \"[\" prompt brings back about 90% of the logit difference between \")\" and \"]\"."),
        Option("That the bracket causes the prediction \")\", since this head attends to it most", False,
               "A weight is a correlate; Jain & Wallace (2019) found attention and leave-one-out importance only "
               "weakly correlated, and so do we (Kendall τ between about 0.1 and 0.3)."),
        Option("That no other head matters for closing brackets, as the others attend to it far less", False,
               "Mean-ablating head 1.3, which pays the bracket much less attention, hurts the loss on \")\" "
               "almost as much."),
        Option("Nothing at all: attention weights are random numbers, unrelated to the input", False,
               "They are computed from the input and they do show where information is read from."),
    ]),
    Question("Mean-ablating head 1.3 raises the loss on \")\" nearly as much as ablating head 1.0, yet copying "
             "head 1.3's output from the \"(\" run into the \"[\" run brings back almost nothing. How can both be true?", [
        Option("The two experiments ask different questions: the ablation whether the model needs the head at all, "
               "the patching whether the head carries the *difference* between the two prompts. Head 1.3 may "
               "signal that a bracket is open without saying which one", True,
               "Choose the intervention for the claim you test: patching between prompts that differ in one "
               "property isolates that property."),
        Option("One of the two measurements must be wrong", False,
               "Both are reproducible; they measure different things."),
        Option("Mean ablation is always stronger than patching", False,
               "Patching head 1.0 recovers 90% of the effect; the strength depends on what the head carries."),
        Option("Head 1.3 only matters in layer 0", False, "Head 1.3 is a head of layer 1 (the second block)."),
    ]),
    Question("The logit lens at the embedding layer predicts the *current* character at every position, with a loss "
             "of about 13 nats per character — worse than a uniform guess (4.6). Why?", [
        Option("The head is the token embedding transposed (weight tying), so reading an embedding through it gives "
               "the highest score to the token itself, with great confidence", True,
               "The blocks must move the stream from \"this character\" to \"the next one\": after one block the "
               "lens's loss is about 2.4, after two the model's own."),
        Option("The embeddings are untrained", False, "They are trained; it is the tied read-out that favours the "
               "token itself."),
        Option("The logit lens has a bug", False, "It applies exactly the model's final norm and head."),
        Option("Characters usually repeat", False, "Fewer than a quarter do, and the lens predicts the current "
               "character everywhere."),
    ]),
    Question("On the 8×8 digits, the linear classifier on pixels and the MLP each read about 97% of the 360 test "
             "digits, a few digits apart; a decision tree of depth 3 reads about 40%. What is the fair summary?", [
        Option("A model you can read whole is about as accurate here; a tree small enough to read is not", True,
               "The two accuracies are paired (the same digits): they disagree on only a handful, and McNemar's "
               "test cannot tell them apart. Try the interpretable model first (Rudin 2019)."),
        Option("The MLP is better: its accuracy on the test digits is higher, and that is what a test set is for",
               False,
               "A difference of a few digits on which the two disagree is what chance alone produces: McNemar's "
               "test finds no evidence of a difference."),
        Option("Decision trees are useless for digits, whatever their depth", False,
               "Deeper trees reach about 85%, but then have around a hundred leaves and are no longer easy to read."),
        Option("The linear model's weights are an explanation of the MLP, since the two agree", False,
               "They explain the linear model; the MLP computes something else that happens to give the same answer "
               "on nearly every test digit."),
    ]),
])
