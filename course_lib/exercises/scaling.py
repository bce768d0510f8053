"""Chapter 08 — Scaling: exercise checks and quiz.

torch is imported only when a check that needs it runs: ``course_lib.progress()`` imports
every chapter's checks. The references are the course_lib functions the chapter uses
afterwards (course_lib.scale.scaling, efficiency, data_parallel).
"""
import math

import numpy as np

from course_lib.scale import scaling
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "scaling"


def noisy_power_law(seed, sizes, coefficient, exponent, noise=0.01, floor=0.0):
    """Losses floor + coefficient·N^(−exponent), each times e^(noise·z): what a real sweep looks like."""
    rng = np.random.default_rng(seed)
    sizes = np.asarray(sizes, dtype=float)
    return sizes, (floor + coefficient * sizes ** -exponent) * np.exp(noise * rng.standard_normal(len(sizes)))


# 8.1 — a power law, fitted in log-log space
def fit_power_law(sizes, losses):
    """The reference: course_lib.scale.scaling.fit_power_law, as (exponent, coefficient)."""
    law = scaling.fit_power_law(sizes, losses)
    return law.exponent, law.coefficient


def polyfit_pair(x, y):
    slope, intercept = np.polyfit(x, y, 1)
    return float(slope), float(intercept)


FIT_CASES = [
    Case((np.array([100.0, 10_000.0]), np.array([4.0, 1.0]))),
    Case(noisy_power_law(1, [1e3, 3e3, 1e4, 3e4], 9.0, 0.15)),
    Case(noisy_power_law(2, [1_384, 2_672, 5_248, 10_400, 20_704], 4.5, 0.07)),
    Case(noisy_power_law(3, np.geomspace(1e6, 1e9, 6), 11.2, 0.076, noise=0.005)),
    Case(noisy_power_law(4, np.geomspace(1e2, 1e6, 8), 30.0, 0.3, noise=0.05)),
]

check_fit_power_law = Exercise(
    "8.1", "fit_power_law", fit_power_law, FIT_CASES, arg_names=("sizes", "losses"),
    mistakes=[
        Mistake("Fit the logarithms, not the numbers: a power law L = A·N^(−α) is a straight line only in "
                "log-log space, ln L = ln A − α·ln N.",
                lambda n, l: (-polyfit_pair(n, l)[0], polyfit_pair(n, l)[1]),
                "np.polyfit(np.log(sizes), np.log(losses), 1) fits the line in log-log space."),
        Mistake("You fitted base-10 logarithms but undid the intercept with e^(…): the coefficient is "
                "10**intercept after np.log10, or np.exp(intercept) after np.log — one base throughout.",
                lambda n, l: (-polyfit_pair(np.log10(n), np.log10(l))[0],
                              math.exp(polyfit_pair(np.log10(n), np.log10(l))[1]))),
        Mistake("You fitted natural logarithms but undid the intercept with 10**(…): use np.exp(intercept) "
                "after np.log — one base throughout.",
                lambda n, l: (-polyfit_pair(np.log(n), np.log(l))[0], 10 ** polyfit_pair(np.log(n), np.log(l))[1])),
        Mistake("The exponent is minus the slope: the loss falls as N grows, so the slope of ln L against ln N "
                "is −α, and α itself is positive.",
                lambda n, l: (polyfit_pair(np.log(n), np.log(l))[0], math.exp(polyfit_pair(np.log(n), np.log(l))[1]))),
        Mistake("Take the logarithm of the sizes too: ln L against N itself is an exponential law, not a power law.",
                lambda n, l: (-polyfit_pair(n, np.log(l))[0], math.exp(polyfit_pair(n, np.log(l))[1]))),
        Mistake("np.polyfit returns the highest power first: slope, intercept = np.polyfit(x, y, 1).",
                lambda n, l: (-polyfit_pair(np.log(n), np.log(l))[1], math.exp(polyfit_pair(np.log(n), np.log(l))[0]))),
    ],
    hint="Fit a straight line to the logarithms of both, then turn its slope and intercept back into α and A.",
    detail="slope, intercept = np.polyfit(np.log(sizes), np.log(losses), 1); return -slope, np.exp(intercept).",
    rtol=1e-6,
)


# 8.2 — R², in log space
def r_squared(losses, predicted):
    """The reference: course_lib.scale.scaling.r_squared."""
    return scaling.r_squared(losses, predicted)


def r2_cases():
    cases = []
    for seed, (n, c, a, noise) in enumerate([(3, 4.0, 0.2, 0.05), (5, 4.5, 0.07, 0.02), (6, 11.2, 0.076, 0.01),
                                             (8, 30.0, 0.3, 0.1)]):
        sizes, losses = noisy_power_law(seed, np.geomspace(1e3, 1e6, n), c, a, noise)
        cases.append(Case((losses, c * sizes ** -a)))
    return cases


def r2_from(y, p, transform=np.log, centre=True):
    y, p = transform(np.asarray(y, dtype=float)), transform(np.asarray(p, dtype=float))
    total = np.sum((y - (y.mean() if centre else 0)) ** 2)
    return float(1 - np.sum((y - p) ** 2) / total)


check_r_squared = Exercise(
    "8.2", "r_squared", r_squared, r2_cases, arg_names=("losses", "predicted"),
    mistakes=[
        Mistake("Measure the fit where it was made, in log space: "
                "R² = 1 − Σ(ln L − ln L̂)² / Σ(ln L − mean ln L)².",
                lambda y, p: r2_from(y, p, transform=lambda v: v)),
        Mistake("The total sum of squares is taken around the mean of ln L: Σ(ln L − mean)², not Σ(ln L)².",
                lambda y, p: r2_from(y, p, centre=False)),
        Mistake("R² = 1 − SS_res/SS_tot, the residual sum over the total: you have the ratio upside down.",
                lambda y, p: 1 - 1 / (1 - r2_from(y, p))),  # 1 - SS_tot/SS_res
        Mistake("That is SS_res/SS_tot, the fraction *not* explained: R² is 1 minus it.",
                lambda y, p: 1 - r2_from(y, p)),
    ],
    hint="R² compares the residuals of ln L with the spread of ln L around its mean; read the formula above "
         "term by term.",
    detail="ly, lp = np.log(losses), np.log(predicted); return 1 - sum((ly - lp)²) / sum((ly - ly.mean())²).",
    rtol=1e-9,
)


# 8.3 — the compute-optimal split of a parametric law
def compute_optimal(flops, A, B, alpha, beta):
    """The reference: course_lib.scale.scaling.Parametric.optimal (E does not move the optimum)."""
    return scaling.Parametric("law", 0.0, A, B, alpha, beta).optimal(flops)


def split(flops, A, B, alpha, beta, per_token=6.0, swap=False, invert=False):
    """(N, D) of the closed form, with one step changed."""
    a, b = (alpha, beta) if swap else (beta, alpha)
    g = (alpha * A / (beta * B)) ** (1 / (alpha + beta))
    g = 1 / g if invert else g
    n = g * (flops / per_token) ** (a / (alpha + beta))
    return n, flops / (per_token * n)


H, R = scaling.HOFFMANN, scaling.BESIROGLU
OPTIMAL_CASES = [
    Case((6e6, 1.0, 1.0, 0.5, 0.5)), Case((1.2e21, 100.0, 100.0, 0.3, 0.3)),
    Case((5.76e23, H.A, H.B, H.alpha, H.beta)), Case((3.8e25, R.A, R.B, R.alpha, R.beta)),
    Case((1e20, 300.0, 900.0, 0.25, 0.4)),
]

check_compute_optimal = Exercise(
    "8.3", "compute_optimal", compute_optimal, OPTIMAL_CASES, arg_names=("flops", "A", "B", "alpha", "beta"),
    mistakes=[
        Mistake("Training costs 6 FLOP per parameter per token (2 forward, 4 backward), so D = C/(6N): "
                "C = 2·N·D is a forward pass only.", lambda c, A, B, al, be: split(c, A, B, al, be, per_token=2.0)),
        Mistake("Your D spends the budget, but your N forgot the 6: substituting D = C/(6N) leaves C/6, not C, "
                "in the balance condition, so N_opt grows as (C/6)^a.",
                lambda c, A, B, al, be: (split(c, A, B, al, be)[0] * 6 ** (be / (al + be)),
                                         c / (6 * split(c, A, B, al, be)[0] * 6 ** (be / (al + be))))),
        Mistake("The exponents are the other way round: N_opt ∝ C^(β/(α+β)) — the faster the loss falls with "
                "data (larger β), the more of the budget goes to parameters.",
                lambda c, A, B, al, be: split(c, A, B, al, be, swap=True)),
        Mistake("G = (αA / (βB))^(1/(α+β)), from α·A/N^α = β·B/D^β at the optimum; yours is its inverse.",
                lambda c, A, B, al, be: split(c, A, B, al, be, invert=True)),
        Mistake("Spend the whole budget: D = C/(6N), so that 6·N·D = C.",
                lambda c, A, B, al, be: (split(c, A, B, al, be)[0], c / split(c, A, B, al, be)[0])),
    ],
    hint="Go through the three steps above once more: the balance αA·N^(−α) = βB·D^(−β) with D = C/(6N), "
         "then every power of N on one side.",
    detail="a = β/(α+β), b = α/(α+β), G = (αA/(βB))^(1/(α+β)); N = G·(C/6)^a and D = C/(6N) = (C/6)^b / G.",
    rtol=1e-4,
)


# 8.4 — a FLOP budget: how many tokens can we afford?
def training_tokens(parameters, devices, days, peak_flops, utilisation):
    """The tokens a budget of devices × days affords a model of `parameters`, at 6 FLOP per parameter per token."""
    return devices * days * 86_400 * peak_flops * utilisation / (6 * parameters)


TOKEN_CASES = [
    Case((1e9, 1, 1.0, 1e15, 0.5)), Case((7e9, 8, 2.5, 312e12, 0.4)), Case((70e9, 1024, 30.0, 989e12, 0.4)),
    Case((124e6, 1, 0.5, 1.4e11, 0.1)), Case((405e9, 16_384, 54.0, 989e12, 0.38)),
]

check_training_tokens = Exercise(
    "8.4", "training_tokens", training_tokens, TOKEN_CASES,
    arg_names=("parameters", "devices", "days", "peak_flops", "utilisation"),
    mistakes=[
        Mistake("Training costs 6·N FLOP per token, not 2·N: the backward pass does twice the forward pass's "
                "products. Divide by 6 * parameters.", lambda n, k, t, p, u: k * t * 86_400 * p * u / (2 * n)),
        Mistake("The devices deliver only utilisation × peak: multiply by the utilisation.",
                lambda n, k, t, p, u: k * t * 86_400 * p / (6 * n)),
        Mistake("Multiply by the utilisation (a fraction of the peak), do not divide by it.",
                lambda n, k, t, p, u: k * t * 86_400 * p / u / (6 * n)),
        Mistake("A day has 86,400 seconds (24 × 3,600): peak_flops is per second.",
                lambda n, k, t, p, u: k * t * 3_600 * p * u / (6 * n)),
        Mistake("Every device computes: multiply by the number of devices.",
                lambda n, k, t, p, u: t * 86_400 * p * u / (6 * n)),
    ],
    hint="First the FLOP the devices deliver in that time, then how many tokens they pay for at 6 FLOP per "
         "parameter per token.",
    detail="FLOP available = devices × days × 86,400 s × peak_flops × utilisation; "
           "tokens = that / (6 × parameters).",
    rtol=1e-9,
)


# 8.5 — gradient accumulation
class Batch:
    """The model and batch of a case: a small GPT and random tokens, from a seed."""

    def __init__(self, seed: int, batch_size: int):
        import torch

        from course_lib.lm.gpt import GPT, GPTConfig
        with torch.random.fork_rng():  # the learner's random state is left as it was
            torch.manual_seed(seed)
            self.model = GPT(GPTConfig(vocab_size=12, block_size=6, n_layer=1, n_head=2, n_embd=8))
        generator = torch.Generator().manual_seed(seed)
        self.x, self.y = torch.randint(0, 12, (2, batch_size, 6), generator=generator).unbind(0)
        self.model(self.x.flip(0), self.y)[1].backward()  # stale gradients, as a previous step leaves them


def with_accumulation(accumulate):
    """Run ``accumulate(model, x, y, micro_batches)`` on a case's model; return the gradients it leaves."""
    def run(seed, batch_size, micro_batches):
        from course_lib.scale import efficiency
        case = Batch(seed, batch_size)
        accumulate(case.model, case.x, case.y, micro_batches)
        return efficiency.flat_gradients(case.model)
    return run


def accumulation_variant(divide=lambda k, n: k, zero="once"):
    """Learner-style accumulation with one step changed: what each loss is divided by, and when grads are zeroed."""
    def accumulate(model, x, y, micro_batches):
        if zero == "once":
            model.zero_grad()
        for xs, ys in zip(x.chunk(micro_batches), y.chunk(micro_batches)):
            if zero == "each":
                model.zero_grad()
            (model(xs, ys)[1] / divide(micro_batches, len(xs))).backward()
    return accumulate


def reference_accumulation(model, x, y, micro_batches):
    from course_lib.scale import efficiency
    efficiency.accumulate_gradients(model, x, y, micro_batches)


check_accumulate_gradients = Exercise(
    "8.5", "accumulate_gradients", reference_accumulation,
    [Case((0, 2, 1)), Case((1, 4, 2)), Case((2, 6, 3)), Case((3, 8, 4)), Case((4, 8, 2))],
    harness=with_accumulation, arg_names=("seed", "batch_size", "micro_batches"),
    mistakes=[
        Mistake("Divide each micro-batch's loss by the number of micro-batches: each is a mean over its own "
                "examples, backward adds the k gradients up, and the sum of k means is k times the batch's mean.",
                accumulation_variant(divide=lambda k, n: 1)),
        Mistake("Zero the gradients once, before the loop: zeroing inside it throws away every micro-batch but "
                "the last. Accumulation relies on backward() adding into .grad.",
                accumulation_variant(zero="each")),
        Mistake("Start from zero: call model.zero_grad() before the first micro-batch, or the gradients of the "
                "previous step are added in too.", accumulation_variant(zero="never")),
        Mistake("Divide by the number of micro-batches, not by the micro-batch's size: the loss is already a "
                "mean over its examples.", accumulation_variant(divide=lambda k, n: n)),
    ],
    hint="Zero once, then one backward pass per micro-batch, each of a loss scaled so that the k of them add "
         "up to the whole batch's mean.",
    detail="model.zero_grad(); for xs, ys in zip(x.chunk(k), y.chunk(k)): (model(xs, ys)[1] / k).backward().",
    shows="(the gradients your function leaves in .grad, all parameters in one flat tensor)",
    rtol=1e-4, atol=1e-6,
)


# 8.6 — the all-reduce average
def with_ranks(average):
    """Run ``average(model, all_reduce, world_size)`` in world_size gloo ranks (threads of this process),
    each after backward on its own shard of one batch; return every rank's gradients, one row per rank."""
    def run(world_size, seed):
        import torch

        from course_lib.scale import data_parallel, efficiency

        replicas = [Batch(seed, 2 * world_size) for _ in range(world_size)]  # built here: seeding is not thread-safe

        def work(rank, all_reduce):
            case = replicas[rank]
            case.model.zero_grad()
            shard = slice(2 * rank, 2 * rank + 2)
            case.model(case.x[shard], case.y[shard])[1].backward()
            average(case.model, all_reduce, world_size)
            return efficiency.flat_gradients(case.model)

        return torch.stack(data_parallel.thread_ranks(world_size, work))
    return run


def average_variant(reduce=True, before=1, after=True, matrices_only=False):
    """Learner-style averaging with one step changed."""
    def average(model, all_reduce, world_size):
        for p in model.parameters():
            if matrices_only and p.dim() < 2:
                continue
            p.grad /= before
            if reduce:
                all_reduce(p.grad)
            if after:
                p.grad /= world_size
    return average


def reference_average(model, all_reduce, world_size):
    from course_lib.scale import data_parallel
    data_parallel.average_gradients(model, all_reduce, world_size)


check_average_gradients = Exercise(
    "8.6", "average_gradients", reference_average, [Case((2, 0)), Case((3, 1)), Case((4, 2))],
    harness=with_ranks, arg_names=("world_size", "seed"),
    mistakes=[
        Mistake("all_reduce *sums* over the ranks: divide by world_size afterwards to get the average, the "
                "gradient of the whole batch's mean loss.", average_variant(after=False)),
        Mistake("Without the all-reduce each rank keeps the gradient of its own shard, and the copies of the "
                "model drift apart: call all_reduce(p.grad) for every parameter.", average_variant(reduce=False)),
        Mistake("Divide once: dividing before the all-reduce and again after it divides by world_size².",
                lambda m, ar, ws: average_variant(before=ws)(m, ar, ws)),
        Mistake("Average every parameter's gradient, the biases, norms and embeddings too, not only the weight "
                "matrices.", average_variant(matrices_only=True)),
    ],
    hint="Every parameter's gradient: summed over the ranks in place by all_reduce, then turned into a mean.",
    detail="for p in model.parameters(): all_reduce(p.grad); p.grad /= world_size.",
    shows="(every rank's gradients after your function, one row per rank)",
    rtol=1e-5, atol=1e-7,
)


EXERCISES = [check_fit_power_law, check_r_squared, check_compute_optimal, check_training_tokens,
             check_accumulate_gradients, check_average_gradients]


QUIZ = Quiz(CHAPTER, [
    Question("Kaplan et al. (2020) write L(N) = (N_c/N)^0.076. What do they count in N?", [
        Option("The non-embedding parameters only", True,
               "All weights except the token and position tables. With the embeddings left out, models of different depths fell on one line. Chinchilla counts all "
               "parameters, one of the reasons the two papers' allocations differ (Pearce & Song 2024)."),
        Option("All parameters, embeddings included", False, "That is Hoffmann et al.'s convention, not Kaplan's."),
        Option("The number of layers times the width", False, "Model size is a parameter count (chapter 02), "
                                                           "not a product of shape numbers."),
        Option("The training tokens", False, "Tokens are D, the other axis of the laws."),
    ]),
    Question("Your losses, plotted against model size on log-log axes, bend: the largest models gain less than "
             "the straight line promises. The most likely reason?", [
        Option("The loss nears a floor E that no size removes", True,
               "So L = E + A·N^(−α) fits and a pure power law does not. Here every model saw the same 51,200 "
               "characters: the fitted floor is what that data can teach, an extrapolation, not the entropy of "
               "text. Fitting E predicted the held-out size better."),
        Option("The fit should have been done without logarithms", False,
               "A straight-line fit to the raw losses is not a power law at all; the bend is in the data."),
        Option("Larger models always get worse", False, "They got better, only by less than the line says."),
        Option("R² is computed wrongly", False, "R² only summarises the misfit; the bend is real."),
    ]),
    Question("Your compute budget grows 100×. Under Chinchilla's allocation (a = b = 0.5), how should the model "
             "and the data grow?", [
        Option("10× more parameters and 10× more tokens", True,
               "N ∝ C^0.5 and D ∝ C^0.5: 100^0.5 = 10 each, and 6·(10N)·(10D) = 100·6ND."),
        Option("100× more parameters, the same tokens", False,
               "That puts the whole budget into size; even Kaplan's allocation (N ∝ C^0.73) grows D a little."),
        Option("29× more parameters and 3.5× more tokens", False,
               "That is Kaplan's split: 100^0.73 ≈ 29 and 100^0.27 ≈ 3.5."),
        Option("The same parameters, 100× more tokens", False, "Then the model size would be far from optimal."),
    ]),
    Question("Why did Meta train LLaMA-13B on 1 trillion tokens, far past the compute-optimal point for its size?", [
        Option("It is served many times, and a smaller model costs less per token served", True,
               "A smaller model trained longer reaches the same loss with more training compute but less "
               "inference compute per token (2N FLOP). Compute-optimal minimises training compute only. Counting the tokens it will serve moves the "
               "optimum to smaller N and larger D (Sardana et al. 2024); LLaMA-13B beat GPT-3 on most benchmarks."),
        Option("Because Kaplan's law recommends training far past the compute-optimal point", False, "Kaplan's allocation puts even more into parameters."),
        Option("Because more tokens always lower the loss for free", False,
               "Each token costs 6N FLOP to train on; the gain is bought."),
        Option("Because small models cannot be trained on less data", False, "They can; they would just be worse."),
    ]),
    Question("Under bfloat16 autocast on the CPU, which numbers must stay in float32?", [
        Option("Weights, gradients, optimizer state", True,
               "And the loss. bfloat16 keeps 8 bits of precision (7 stored plus 1 implicit): "
               "an update of 1e-4 to a weight of 1 rounds away to nothing. "
               "The matrix products may run in 16 bits; the values that accumulate small changes may not."),
        Option("The matrix products", False, "Those are exactly what autocast runs in bfloat16."),
        Option("Nothing: bfloat16 has the same range as float32", False,
               "Same range (8 exponent bits), but 7 mantissa bits instead of 23: precision is the issue."),
        Option("Only the input tokens", False, "Token ids are integers; they are never cast."),
    ]),
    Question("You accumulate gradients over 4 micro-batches and forget to divide each loss by 4. The result is:", [
        Option("4 times the gradient of the whole batch", True,
               "Each micro-batch's loss is a mean; backward adds four such gradients. With plain SGD that is a "
               "learning rate 4× too large; Adam's normalisation hides most of it, which makes it a quiet bug."),
        Option("The gradient of the last micro-batch only", False, "That is the mistake of zeroing inside the loop."),
        Option("Exactly the whole batch's gradient", False, "Only with the division by 4."),
        Option("A quarter of the gradient", False, "That would be dividing twice."),
    ]),
    Question("In data-parallel training on 8 processes, what does each process hold after the all-reduce and "
             "the division by 8?", [
        Option("The same gradient: that of the mean loss over all 8 shards, i.e. the whole batch", True,
               "So every copy takes the same step and the copies stay identical: the run behaves like one process "
               "with an 8 times larger batch."),
        Option("The gradient of its own shard", False, "That is before the all-reduce."),
        Option("The sum of the 8 gradients", False, "That is after the all-reduce but before the division."),
        Option("One eighth of the model's gradients, the rest being on the other processes", False,
               "That describes sharding the gradients (ZeRO), not plain data parallelism: here each process "
               "holds the whole model."),
    ]),
    Question("Activation checkpointing on a GPT of L blocks keeps only each block's input. What does it cost?", [
        Option("About one more forward pass of compute, to recompute each block during the backward pass", True,
               "Memory for activations drops from all of each block's tensors to one input per block; the arithmetic "
               "grows by up to a third (a forward pass is about a third of a training step), the time by that "
               "and the overheads paid again."),
        Option("Nothing: the gradients come out differently but just as good", False,
               "The gradients are exactly the same; the cost is time."),
        Option("The gradients become approximate", False, "Recomputation gives the same numbers exactly."),
        Option("More memory", False, "It saves memory; that is its purpose."),
    ]),
])
