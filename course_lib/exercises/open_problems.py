"""Chapter 12 — Open problems and review: exercise checks and the course-wide self-check."""
import math

from course_lib.scale import outlook
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "open_problems"

check_energy = Exercise(
    "12.1", "energy_mwh", outlook.energy_mwh,
    [Case((3.6e21, 1e14, 0.5, 400.0, 1.0)), Case((3.14e23, 125e12, 0.4, 300.0, 1.1)),
     Case((3.8e25, 989e12, 0.38, 700.0, 1.1)), Case((1e20, 312e12, 0.3, 400.0, 1.5))],
    arg_names=("flops", "peak_flops", "utilisation", "watts", "pue"),
    mistakes=[
        Mistake("A device delivers only utilisation × peak: divide the FLOPs by peak_flops * utilisation.",
                lambda c, p, u, w, e: c / p * w * e / 3.6e9),
        Mistake("The data centre's overhead multiplies the energy: include the PUE.",
                lambda c, p, u, w, e: c / (p * u) * w / 3.6e9),
        Mistake("You divided by the PUE. It is the data centre's total power over the devices' power, at least 1: "
                "the building draws more than the devices, so the PUE multiplies the energy.",
                lambda c, p, u, w, e: c / (p * u) * w / e / 3.6e9),
        Mistake("Units: watts × seconds are joules, and 1 MWh = 3.6e9 J (you may have used 1e6 or 3.6e6).",
                lambda c, p, u, w, e: c / (p * u) * w * e / 1e6),
        Mistake("Units: watts × seconds are joules, and 1 MWh = 3.6e9 J (you may have used 1e6 or 3.6e6).",
                lambda c, p, u, w, e: c / (p * u) * w * e / 3.6e6),
    ],
    hint="Work in three steps: device-seconds (the FLOPs over what a device really delivers), then joules "
         "(power × time, with the data centre's overhead), then megawatt-hours.",
    detail="seconds = flops / (peak × utilisation); joules = seconds × watts × PUE; MWh = joules / 3.6e9.",
)

check_break_even = Exercise(
    "12.2", "break_even_tokens", outlook.break_even_tokens,
    [Case((1e9, 20e9)), Case((175e9, 300e9)), Case((70e9, 1.4e12)), Case((405e9, 15.6e12))],
    arg_names=("parameters", "training_tokens"),
    mistakes=[
        Mistake("Inference is a forward pass only: 2N FLOPs a token, not 6N.", lambda n, d: d),
        Mistake("Upside down: you divided a served token's FLOPs by the training's. The break-even is the "
                "number of served tokens whose FLOPs add up to the training's.",
                lambda n, d: d / 3),
        Mistake("The parameters cancel: 6ND / 2N leaves tokens, not FLOPs.", lambda n, d: 3 * n * d),
    ],
    hint="Set the FLOPs of serving T tokens equal to the FLOPs of training and solve for T: the parameters "
         "cancel.",
    detail="2N·T = 6·N·D, so T = 6·N·D / (2N) = 3·D.",
)

check_loss_factor = Exercise(
    "12.3", "loss_factor_per_decade", outlook.loss_factor_per_decade,
    [Case((0.05,)), Case((0.076,)), Case((0.095,)), Case((0.34,)), Case((0.5,))],
    arg_names=("exponent",),
    mistakes=[
        Mistake("A power law multiplies, it does not subtract: L(10x) / L(x) = 10^(-exponent).",
                lambda a: 1 - a),
        Mistake("Use base 10 for a tenfold increase: 10^(-exponent), not e^(-exponent).", lambda a: math.exp(-a)),
        Mistake("That is the factor for a doubling; the question asks for a tenfold increase.", lambda a: 2 ** -a),
        Mistake("Your factor is above 1: the loss would grow with x. The sign of the exponent is the slip: "
                "L ∝ x^(-exponent) falls, so L(10x) / L(x) = 10 to the power -exponent.", lambda a: 10 ** a),
        Mistake("That is the fraction of the loss that a tenfold increase removes, 1 - factor; the question asks "
                "for the factor the loss is multiplied by.", lambda a: 1 - 10 ** -a),
    ],
    hint="Write L(10x) / L(x) for L = k · x^(-exponent): the constant k cancels.",
    detail="L(10x) / L(x) = (10x)^(-a) / x^(-a) = 10^(-a): return 10 ** -exponent.",
)

check_years_until = Exercise(
    "12.4", "years_until", outlook.years_until,
    [Case((1.0, 2.0, 12.0)), Case((1.0, 1024.0, 24.0)), Case((3.8e25, 1e27, 5.3)), Case((1e9, 1e13, 9.6))],
    arg_names=("current", "target", "doubling_months"),
    mistakes=[
        Mistake("Growth compounds: count doublings with log2(target / current), not the ratio itself.",
                lambda c, t, m: (t / c) * m / 12),
        Mistake("Count doublings in base 2: log2(target / current), not log10.",
                lambda c, t, m: math.log10(t / c) * m / 12),
        Mistake("The doubling time is in months: divide by 12 for years.", lambda c, t, m: math.log2(t / c) * m),
    ],
    hint="Count the doublings it takes to grow from current to target, then turn doublings into years.",
    detail="doublings = log2(target / current); each takes doubling_months / 12 years.",
)

EXERCISES = [check_energy, check_break_even, check_loss_factor, check_years_until]


def q(prompt: str, *options: tuple[str, bool, str]) -> Question:
    return Question(prompt, [Option(*o) for o in options])


QUIZ = Quiz(CHAPTER, title="Course-wide self-check", questions=[
    q("(01) From 2017 to 2024 the training compute of notable models doubled faster than their parameter counts. Why?",
      ("Hardware got faster, and a faster chip performs more FLOPs for every parameter it trains", False,
       "Faster hardware shortens a run; it does not change how many FLOPs it needs."),
      ("Each model was also trained on more tokens: compute ≈ 6 · parameters · tokens", True,
       "GPT-3 saw 300B tokens, Llama 3.1 405B 15.6T: compute grows with both factors."),
      ("Parameter counts were misreported: the real models are larger than published", False,
       "The counts are checkable; chapter 02 counted GPT-2's exactly.")),
    q("(01) A fitted slope of 0.3 log10 units per year means a doubling time of about",
      ("12 months", True, "12 · log10(2) / 0.3 ≈ 12.0 months."),
      ("3.3 months", False, "That is 1/0.3: both the log10(2) factor and the conversion to months are missing."),
      ("24 months", False, "That is Moore's law's pace, a slope of about 0.15.")),
    q("(02) About how many FLOPs does it take to train a 1B-parameter model on 20B tokens?",
      ("4 × 10^19", False, "That is 2·N·D, the forward pass only; training adds the backward pass, 4·N·D."),
      ("1.2 × 10^20", True, "6 · 1e9 · 20e9 = 1.2e20: 2 FLOPs per parameter per token forward, 4 backward."),
      ("2 × 10^10", False, "That is N·D / 1e9, not a FLOP count.")),
    q("(02) Training a 7B-parameter model with Adam in mixed precision keeps how much state, before activations?",
      ("14 GB", False, "That is the 16-bit weights alone (2 bytes each)."),
      ("112 GB", True, "16 bytes per parameter: 16-bit weights and gradients, float32 master weights and two moments."),
      ("28 GB", False, "That is float32 weights alone (4 bytes each).")),
    q("(03) Why subtract the largest logit before the softmax's exponentials?",
      ("It changes the probabilities to make training easier", False,
       "Subtracting a constant from every logit leaves the softmax unchanged."),
      ("It keeps exp from overflowing, without changing the result", True,
       "exp(z - max) ≤ 1 for every entry; the common factor cancels in the ratio."),
      ("It makes the largest probability exactly 1", False, "The largest term of the sum becomes 1, not the probability.")),
    q("(03) Three linear layers with no activation between them compute",
      ("a more expressive function than one layer", False, "The product of linear maps is one linear map."),
      ("exactly what one linear layer can", True, "W1 W2 W3 is a single matrix and the biases fold into one: depth buys nothing."),
      ("nothing useful, since gradients vanish", False, "They train fine; they are just no more expressive than one layer.")),
    q("(04) Reverse-mode autodiff (backprop) gets the gradient of a loss with respect to N parameters at a cost of",
      ("about N forward passes, one for each parameter it has to perturb", False,
       "That is numerical differentiation: one or two forward passes per parameter."),
      ("a small constant number of forward passes, whatever N is", True,
       "One backward pass costs about as much as one or two forward passes (chapter 04 measured about 2)."),
      ("N backward passes", False, "One backward pass gives every partial derivative at once.")),
    q("(04) You run forward and backward on two batches without zeroing the gradients in between. The .grad fields hold",
      ("the second batch's gradient, which overwrites the first", False, "Autograd adds into .grad; it does not overwrite."),
      ("the sum of both batches' gradients", True,
       "Gradients accumulate (a node reused in a graph needs that), which is why training loops zero them."),
      ("nothing: an error is raised", False,
       "Each backward has its own graph, so nothing complains: the silent sum is why the bug is common.")),
    q("(05) Gradient descent on a quadratic bowl with largest curvature λ_max converges only if the learning rate is",
      ("below 2 / λ_max", True, "Along the steepest direction each step multiplies the error by (1 - lr·λ_max)."),
      ("below 1 / λ_min", False, "The smallest curvature sets the speed, not the edge of divergence."),
      ("any positive value, given enough steps", False, "Above 2/λ_max the error grows every step.")),
    q("(05) Adam without bias correction, on its first step",
      ("steps about 3.16 times too far with the default betas", True,
       "m = 0.1g and v = 0.001g², so m/√v = 3.16·sign(g) instead of sign(g)."),
      ("takes a step that is too small, since m starts near zero", False,
       "m is biased towards 0, but v more so: the ratio is too large."),
      ("behaves exactly like corrected Adam", False, "The correction divides by 1 - β^t, far from 1 at t = 1.")),
    q("(06) In causal self-attention, position i may attend to",
      ("every position", False, "That lets it see the future tokens it must predict."),
      ("positions 0 to i, itself included", True, "The mask sets the scores of later positions to -inf before the softmax."),
      ("positions 0 to i - 1 only, the ones before it", False,
       "A position attends to itself too; the target is the *next* token.")),
    q("(06) A character model with a 96-symbol vocabulary that guesses uniformly has a loss of",
      ("ln 96 ≈ 4.56 nats per character", True, "-ln(1/96); the bigram model and the GPT must beat it."),
      ("1/96 nats", False, "That is the probability, not its negative log."),
      ("log2 96 ≈ 6.58 nats per character", False, "6.58 is the uniform guess in bits (log base 2); in nats it is "
       "ln 96.")),
    q("(07) A BPE model scores 4.2 nats per token on a text at 3 characters per token; a character model 1.5 nats "
      "per character on the same text. Which models the text better?",
      ("The BPE model: 4.2 / 3 = 1.4 nats per character", True,
       "Only a loss per character (or byte) of the same text compares models with different tokenizers."),
      ("The character model, since 1.5 is below 4.2", False,
       "A BPE token carries about 3 characters; its loss per token is larger for the same quality."),
      ("Neither: models with different vocabularies cannot be compared", False,
       "Per character of the same text they can; chapter 07 compares them so, at equal compute.")),
    q("(07) A byte-level BPE tokenizer trained on English ASCII text meets a Chinese sentence. What happens?",
      ("It encodes it exactly, a token per UTF-8 byte: about 3 tokens per character", True,
       "The 256 bytes are always tokens; chapter 07 measured 3 tokens per character for its Chinese sentence."),
      ("It maps every character it never saw in training to one <unk> token, as a word vocabulary does", False,
       "Byte-level BPE has no <unk>: every text is a sequence of bytes."),
      ("It raises an error, since those characters are not in its vocabulary", False,
       "The byte fallback means nothing is ever out of vocabulary.")),
    q("(10) Supervised fine-tuning on prompts and answers computes its loss",
      ("on the answer's tokens only, the prompt masked out", True,
       "The prompt is the user's text; chapter 10's mask puts every gradient on answering."),
      ("on the prompt's tokens only, since the answer is what the model must not copy", False,
       "The other way round: the answer is what the assistant should learn to write."),
      ("on every token of the sequence, as in pretraining, so nothing is lost", False,
       "That also trains the model to write the user's prompts; chapter 10 masks them.")),
    q("(10) A LoRA adapter of rank r on a linear layer in → out trains how many numbers?",
      ("r · (in + out), for A (r × in) and B (out × r)", True,
       "The frozen weight has in · out; chapter 10 counted 8,192 for rank 4 on its GPT and checked peft's count."),
      ("r · in · out, one copy of the weight for each rank", False, "That is larger than the layer itself."),
      ("in · out / r, the weight divided into r blocks", False,
       "The adapter is the product B A of two thin matrices, not a slice of the weight.")),
    q("(08) A loss that follows a power law in compute, L ∝ C^(-0.05), falls by what factor when compute grows tenfold?",
      ("to about 89% of its value", True, "10^(-0.05) ≈ 0.891: steady but diminishing returns per decade of compute."),
      ("by 5 percentage points", False, "A power law multiplies by a factor; it does not subtract."),
      ("to a tenth", False, "That needs an exponent of 1.")),
    q("(08) Under Hoffmann et al.'s (2022) fits, as the compute budget grows the compute-optimal model should",
      ("grow its parameters and its training tokens in about equal proportion", True,
       "Both scale roughly as C^0.5 (exactly 0.5 in approach 1, so its tokens-per-parameter ratio is fixed; "
       "approach 3's published constants give 0.45 and 0.55, so there the ratio drifts with the budget)."),
      ("grow mostly its parameters, while its training tokens grow much more slowly", False,
       "That was Kaplan et al.'s (2020) conclusion, N ∝ C^0.73, which Hoffmann et al. revised."),
      ("keep the parameters fixed and add tokens", False, "Both grow; neither is fixed.")),
    q("(08) Gradient accumulation over 4 micro-batches matches one big batch's gradient only if",
      ("each micro-batch loss is divided by 4 (with a mean loss)", True,
       "The big batch's mean is the average of the micro-batch means."),
      ("the learning rate is multiplied by 4", False, "That is a different update, not the same gradient."),
      ("the micro-batches are processed in parallel, on four devices at once", False,
       "Order does not matter for a sum; the scaling does.")),
    q("(11) Integrated gradients' completeness property says that the attributions",
      ("sum to f(input) - f(baseline)", True, "Up to the Riemann-sum error, which shrinks with the number of steps."),
      ("are all positive", False, "An input can push the output down: negative attribution."),
      ("match the gradient at the input", False, "That is saliency; IG integrates gradients along a path from the baseline.")),
    q("(11) An attribution map that barely changes when the model's weights are randomised",
      ("is a robust explanation, stable under any change of the weights", False,
       "It is robust to the model itself: it cannot be explaining what the model learned."),
      ("fails the model-randomisation sanity check", True,
       "Adebayo et al. (2018): such a map reflects the input (edges) rather than the model."),
      ("proves the model is overfitting", False, "The check tests the explanation method, not the model.")),
    q("(11) A linear probe reads a property from a hidden layer with 95% accuracy. What must you also measure?",
      ("Nothing: 95% shows the layer encodes the property", False,
       "A flexible probe can learn the task itself; the accuracy alone does not say where the information is."),
      ("Its accuracy on a control task with random labels, on held-out data", True,
       "Hewitt & Liang (2019): selectivity, probe minus control, is what the layer contributes."),
      ("Its accuracy on its own training data, to check how well the probe has fitted", False,
       "That measures memorisation, not what the layer encodes.")),
    q("(12) From the same 3.14 × 10^23 FLOPs, this chapter's estimates of GPT-3's training energy span a factor of "
      "about 3.6. Why so wide?",
      ("Each rests on assumptions: utilisation, power per device, the data centre's PUE", True,
       "The FLOP count is reported (Brown et al. 2020, Table D.1); every other input is an assumption unless the "
       "authors report it, which is why Patterson et al. (2021) ask them to."),
      ("GPT-3's FLOP count is itself uncertain by that factor, since it was never reported", False,
       "It was reported: 3.14e23 (Brown et al. 2020, Table D.1). The spread comes from the other inputs."),
      ("Energy cannot be estimated from FLOPs at all, only measured at the power plug", False,
       "It can, from compute and hardware, and the reported 1,287 MWh lies inside the range; the spread is why "
       "reporting it matters.")),
])
