"""Chapter 10 — From a language model to an assistant: exercise checks and quiz.

torch is imported only when a check runs (``course_lib.progress()`` imports every chapter's
checks). The references are the functions of course_lib.adapt that the chapter goes on to use.
"""
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz
from course_lib.adapt import instructions

CHAPTER = "assistant"


def tensors(seed, *shape, scale=1.0):
    import torch
    return scale * torch.randn(*shape, generator=torch.Generator().manual_seed(seed))


def masks(seed, B, T):
    """A prompt-then-answer mask per row: 0 on a prompt of random length, then 1 on an answer, then 0 padding."""
    import torch
    generator = torch.Generator().manual_seed(500 + seed)
    mask = torch.zeros(B, T)
    for row in range(B):
        start = int(torch.randint(1, T - 1, (1,), generator=generator))
        end = int(torch.randint(start + 1, T + 1, (1,), generator=generator))
        mask[row, start:end] = 1.0
    return mask


def targets(seed, B, T, V):
    import torch
    return torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(300 + seed))


def token_losses(logits, targets):
    import torch.nn.functional as F
    return F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction="none").view(targets.shape)


# 10.1 — exact match, normalised
check_exact_match = Exercise(
    "10.1", "exact_match", instructions.exact_match,
    [Case(("l", "l")), Case((" l\n", "l")), Case(("l.", "l")), Case(("6", "6.")), Case(("L", "l")),
     Case(("lambda", "l")), Case(("6..", "6")), Case(("", "a")), Case(("x  .", "x")), Case(("it is e", "e")),
     Case(("e!", "e")), Case(("a", "a "))],
    arg_names=("generated", "expected"),
    mistakes=[
        Mistake("Normalise both sides: the expected answer can carry a full stop or a space too.",
                lambda g, e: instructions.normalise(g) == e),
        Mistake("Normalise before comparing: the model's answer may carry spaces or a final full stop, which do "
                "not change what it said.", lambda g, e: g == e, detail="return normalise(generated) == "
                "normalise(expected), with normalise stripping white space and then one final '.'"),
        Mistake("Remove one final full stop, not every punctuation mark: '6..' and 'e!' are not the answers '6' and 'e'.",
                lambda g, e: g.strip().rstrip(".!?").strip() == e.strip().rstrip(".!?").strip()),
        Mistake("Keep the case: 'L' is not the lower-case 'l' the rule gives. A case-blind metric rewards an answer "
                "the task counts as wrong.", lambda g, e: instructions.normalise(g.lower()) == instructions.normalise(e.lower())),
        Mistake("A match is equality, not containment: 'lambda' contains the letter 'l', yet it is not the answer "
                "'l' — a metric that accepts it rewards rambling.", lambda g, e: e in g),
    ],
    hint="Strip surrounding white space, then remove one final full stop (and the spaces before it), on both "
         "strings; then compare with ==.",
    detail="def normalise(s): s = s.strip(); return s[:-1].rstrip() if s.endswith('.') else s",
)


# 10.2 — the loss on the answer only
def answer_loss(logits, targets, mask):
    from course_lib.adapt import finetune
    return finetune.answer_loss(logits, targets, mask)


def loss_cases():
    shapes = [(1, 4, 5), (2, 5, 7), (3, 6, 4), (4, 8, 11)]
    return [Case((tensors(k, B, T, V, scale=2.0), targets(k, B, T, V), masks(k, B, T)))
            for k, (B, T, V) in enumerate(shapes)]


def _shifted(logits, targets, mask):
    import torch
    later = torch.cat([torch.zeros_like(mask[:, :1]), mask[:, :-1]], dim=1)  # each 1 moved one position on
    return (token_losses(logits, targets) * later).sum() / mask.sum()


check_answer_loss = Exercise(
    "10.2", "answer_loss", answer_loss, loss_cases,
    arg_names=("logits", "targets", "mask"),
    mistakes=[
        Mistake("Mask the prompt: the mean over every position trains the model to write the user's prompt too.",
                lambda lo, t, m: token_losses(lo, t).mean(),
                detail="losses = F.cross_entropy(logits.flatten(0, 1), targets.flatten(), reduction='none'); "
                       "return (losses * mask.flatten()).sum() / mask.sum()"),
        Mistake("Divide by the number of answer positions, mask.sum(), not by every position: a batch with short "
                "answers would get a small loss for no reason.",
                lambda lo, t, m: (token_losses(lo, t) * m).sum() / m.numel()),
        Mistake("A mean, not a sum: divide the masked sum by mask.sum().", lambda lo, t, m: (token_losses(lo, t) * m).sum()),
        Mistake("The mask is already aligned with the targets: do not shift it by one position.", _shifted),
        Mistake("The mask is 1 on the answer: you kept the prompt's positions and dropped the answer's.",
                lambda lo, t, m: (token_losses(lo, t) * (1 - m)).sum() / (1 - m).sum()),
    ],
    hint="Only the answer's positions count: a per-position loss, the mask applied, averaged over "
         "the answer tokens, not over every position.",
    detail="Per-position cross-entropy (reduction='none'), times the mask, summed, divided by the mask's sum.",
    rtol=1e-5, atol=1e-6,
    shapes="logits are (batch, time, vocabulary); targets and mask (batch, time).",
)


# 10.3 — a LoRA linear layer
def lora_forward(x, weight, bias, A, B, alpha):
    from course_lib.adapt import lora
    return lora.lora_forward(x, weight, bias, A, B, alpha)


def lora_cases():
    shapes = [(2, 3, 4, 1, 2.0), (3, 4, 4, 2, 4.0), (2, 6, 5, 2, 1.0), (4, 8, 6, 4, 16.0)]  # rows, in, out, r, α
    cases = []
    for k, (n, d_in, d_out, r, alpha) in enumerate(shapes):
        bias = tensors(40 + k, d_out) if k != 1 else None
        cases.append(Case((tensors(k, n, d_in), tensors(10 + k, d_out, d_in), bias, tensors(20 + k, r, d_in),
                           tensors(30 + k, d_out, r), alpha)))
    return cases


def _base(x, W, b):
    return x @ W.T + (b if b is not None else 0)


check_lora_forward = Exercise(
    "10.3", "lora_forward", lora_forward, lora_cases,
    arg_names=("x", "weight", "bias", "A", "B", "alpha"),
    mistakes=[
        Mistake("Scale the adapter's output by α / r (r = A.shape[0], the rank).",
                lambda x, W, b, A, B, a: _base(x, W, b) + (x @ A.T) @ B.T,
                detail="return x @ weight.T + bias + (alpha / A.shape[0]) * (x @ A.T) @ B.T"),
        Mistake("The scale is α / r, not α: divide by the rank r = A.shape[0].",
                lambda x, W, b, A, B, a: _base(x, W, b) + a * (x @ A.T) @ B.T),
        Mistake("The scale is α / r, not r / α.",
                lambda x, W, b, A, B, a: _base(x, W, b) + (A.shape[0] / a) * (x @ A.T) @ B.T),
        Mistake("Keep the frozen layer: LoRA adds the low-rank update to x Wᵀ + b, it does not replace it.",
                lambda x, W, b, A, B, a: (a / A.shape[0]) * (x @ A.T) @ B.T),
        Mistake("The frozen layer keeps its bias (when it has one).",
                lambda x, W, b, A, B, a: x @ W.T + (a / A.shape[0]) * (x @ A.T) @ B.T),
    ],
    hint="The frozen layer's output plus the low-rank path, scaled by α / r; the shapes of A and B"
         " tell you the order of the products.",
    detail="x Wᵀ + b is the frozen layer; add (α / r) · x Aᵀ Bᵀ, with A (r, in) and B (out, r).",
      rtol=1e-5, atol=1e-5,
    shapes="x is (rows, in), weight (out, in), A (r, in), B (out, r).",
)


# 10.4 — merging the adapter
def merged_weight(weight, A, B, alpha):
    from course_lib.adapt import lora
    return lora.merged_weight(weight, A, B, alpha)


def merge_cases():
    shapes = [(3, 3, 1, 2.0), (4, 4, 2, 8.0), (5, 5, 2, 1.0), (6, 4, 3, 6.0)]  # out, in, r, α
    return [Case((tensors(50 + k, d_out, d_in), tensors(60 + k, r, d_in), tensors(70 + k, d_out, r), alpha))
            for k, (d_out, d_in, r, alpha) in enumerate(shapes)]


check_merged_weight = Exercise(
    "10.4", "merged_weight", merged_weight, merge_cases,
    arg_names=("weight", "A", "B", "alpha"),
    mistakes=[
        Mistake("Merge the scaled product: W + (α / r) B A; without α / r the merged model is not the adapted one.",
                lambda W, A, B, a: W + B @ A, detail="return weight + (alpha / A.shape[0]) * B @ A"),
        Mistake("The product is B A (out × in, the weight's shape), not its transpose Aᵀ Bᵀ.",
                lambda W, A, B, a: W + (a / A.shape[0]) * A.T @ B.T),
        Mistake("Add the update to the frozen weight: the merged weight is W + (α / r) B A, not the update alone.",
                lambda W, A, B, a: (a / A.shape[0]) * B @ A),
        Mistake("The scale is α / r, not α.", lambda W, A, B, a: W + a * B @ A),
    ],
    hint="The low-rank product, scaled as in the forward pass, has the weight's shape: add it to "
         "the frozen weight.",
    detail="The adapted layer computes x (W + (α / r) B A)ᵀ + b: merge that weight.",
      rtol=1e-5, atol=1e-5,
    shapes="weight is (out, in), A (r, in), B (out, r).",
)


# 10.5 — the log-probability of an answer
def sequence_logprob(logits, targets, mask):
    from course_lib.adapt import preferences
    return preferences.sequence_logprob(logits, targets, mask)


def _token_logprobs(logits, targets):
    return -token_losses(logits, targets)


check_sequence_logprob = Exercise(
    "10.5", "sequence_logprob", sequence_logprob, loss_cases,
    arg_names=("logits", "targets", "mask"),
    mistakes=[
        Mistake("The probability of the whole answer is the product of its characters' probabilities: sum the "
                "log-probabilities, do not average them (a mean favours long answers' easy characters).",
                lambda lo, t, m: (_token_logprobs(lo, t) * m).sum(-1) / m.sum(-1),
                detail="logits.log_softmax(-1).gather(-1, targets.unsqueeze(-1)).squeeze(-1), times mask, .sum(-1)"),
        Mistake("Only the answer's characters count: multiply by the mask before summing.",
                lambda lo, t, m: _token_logprobs(lo, t).sum(-1)),
        Mistake("Log-probabilities, not raw logits: take log_softmax over the vocabulary first.",
                lambda lo, t, m: (lo.gather(-1, t.unsqueeze(-1)).squeeze(-1) * m).sum(-1)),
        Mistake("One number per row, the answer of that row: sum over time (dim=-1), not over the whole batch.",
                lambda lo, t, m: (_token_logprobs(lo, t) * m).sum()),
        Mistake("log_softmax over the vocabulary (the last dimension), not over time.",
                lambda lo, t, m: (lo.log_softmax(1).gather(-1, t.unsqueeze(-1)).squeeze(-1) * m).sum(-1)),
    ],
    hint="The log-probability of a whole answer is a sum of per-token log-probabilities over the "
         "answer's positions only.",
    detail="log_softmax over the vocabulary, pick each target's log-probability (gather), keep the answer's "
           "(times mask), sum over time: one number per row.",
    rtol=1e-5, atol=1e-5,
    shapes="logits are (batch, time, vocabulary); targets and mask (batch, time); the answer is (batch,).",
)


# 10.6 — the DPO loss
def dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta):
    from course_lib.adapt import preferences
    return preferences.dpo_loss(policy_chosen, policy_rejected, reference_chosen, reference_rejected, beta)


def dpo_cases():
    shapes = [(1, 0.1), (3, 0.5), (4, 0.1), (6, 1.0), (8, 2.0)]
    return [Case(tuple(tensors(80 + 4 * k + j, n, scale=3.0) - 10 for j in range(4)) + (beta,))
            for k, (n, beta) in enumerate(shapes)]


def _sigmoid_loss(margin):
    import torch.nn.functional as F
    return -F.logsigmoid(margin).mean()


check_dpo_loss = Exercise(
    "10.6", "dpo_loss", dpo_loss, dpo_cases,
    arg_names=("policy_chosen", "policy_rejected", "reference_chosen", "reference_rejected", "beta"),
    mistakes=[
        Mistake("Subtract the reference model's log-probabilities: the implicit reward is β (log π - log π_ref); "
                "without π_ref nothing holds the policy near the model it started from.",
                lambda pc, pr, rc, rr, b: _sigmoid_loss(b * (pc - pr)),
                detail="margin = (policy_chosen - reference_chosen) - (policy_rejected - reference_rejected); "
                       "return -F.logsigmoid(beta * margin).mean()"),
        Mistake("The sign of the margin: chosen minus rejected. With rejected minus chosen the loss teaches the "
                "rejected answers.", lambda pc, pr, rc, rr, b: _sigmoid_loss(b * ((pr - rr) - (pc - rc)))),
        Mistake("Multiply the margin by β inside the sigmoid.",
                lambda pc, pr, rc, rr, b: _sigmoid_loss((pc - rc) - (pr - rr))),
        Mistake("The loss is -log σ(β · margin): the log of the sigmoid, with a minus sign, not 1 - σ.",
                lambda pc, pr, rc, rr, b: (1 - (b * ((pc - rc) - (pr - rr))).sigmoid()).mean()),
        Mistake("The mean over the batch, not the sum.",
                lambda pc, pr, rc, rr, b: -(b * ((pc - rc) - (pr - rr))).sigmoid().log().sum()),
    ],
    hint="DPO compares the policy with the frozen reference on both answers; the loss pushes the "
         "chosen answer's log-ratio above the rejected one's, scaled by β.",
    detail="margin = (log π(chosen) - log π_ref(chosen)) - (log π(rejected) - log π_ref(rejected)); "
           "loss = mean of -log σ(β · margin).",
      rtol=1e-5, atol=1e-6,
)

EXERCISES = [check_exact_match, check_answer_loss, check_lora_forward, check_merged_weight, check_sequence_logprob,
             check_dpo_loss]

QUIZ = Quiz(CHAPTER, [
    Question("Why is the fine-tuning loss computed on the answer's characters only?", [
        Option("The prompt is the user's text: the assistant should learn to answer it, not to write it", True,
               "Masking puts every gradient on the answers; the prompt still shapes them, as context."),
        Option("The prompt's characters cannot be predicted at all from what comes before them, so their loss would be infinite", False,
               "They can be predicted (the base model does, at about its usual loss); they are just not the skill "
               "being taught."),
        Option("The model does not read the prompt during fine-tuning, only during generation", False,
               "It reads it: the answer's characters are predicted from the prompt before them."),
    ]),
    Question("A LoRA adapter starts with B = 0. What does that buy?", [
        Option("The adapted model computes exactly what the pretrained one does at step 0", True,
               "B A = 0, so training starts from the base model; A random lets B's gradient be non-zero."),
        Option("Fewer trainable parameters, since a matrix of zeros needs no storage and no gradient until it is first updated", False,
               "B is trained and stored like A; its zeros are only where it starts."),
        Option("Nothing much: with A = 0 as well, the adapter would also train normally", False,
               "With both at zero every gradient of A and B is zero: the adapter never moves."),
    ]),
    Question("The chapter's GPT has 64-wide layers. How many numbers does a rank-4 adapter train on one 64 → 256 "
             "layer?", [
        Option("4 · (64 + 256) = 1,280", True, "A is 4 × 64 and B is 256 × 4; the frozen weight has 16,384."),
        Option("4 · 64 · 256 = 65,536, four numbers for every weight of the layer", False, "That is four times the weight itself: LoRA adds r · (in + out)."),
        Option("64 · 256 / 4 = 4,096", False, "The rank does not divide the weight; it sets the adapter's width."),
    ]),
    Question("After training, an adapter is merged: W' = W + (α / r) B A. What changes at inference?", [
        Option("Nothing in cost: the model has plain layers of the same shapes, and gives the same outputs", True,
               "Section 3 checks it. Kept unmerged, an adapter can instead be swapped per task on one base model."),
        Option("The model becomes smaller, since the low-rank product replaces the full weight matrix of every adapted layer", False,
               "W' is a full matrix of W's shape; the saving of LoRA is in training and storage of adapters."),
        Option("Its outputs shift a little, the price paid for removing the adapter", False,
               "The merge is exact up to rounding: (W + s B A) x = W x + s B (A x)."),
    ]),
    Question("In DPO, what does β set?", [
        Option("How strongly the policy is held near the reference model: small β lets it drift further", True,
               "β scales the implicit reward β log(π / π_ref); it plays the KL penalty's role in RLHF."),
        Option("The learning rate of the policy's optimizer", False, "The optimizer has its own learning rate."),
        Option("The share of the pairs in each training batch whose chosen answer is shown to the model before the rejected one", False,
               "Order does not matter; β multiplies the log-probability margin."),
    ]),
    Question("What does DPO leave out of the RLHF recipe of Ouyang et al. (2022)?", [
        Option("The separate reward model and the sampling-based reinforcement learning (PPO)", True,
               "The policy itself defines the reward, β log(π / π_ref), and trains on the pairs with a logistic loss."),
        Option("The human preference pairs: DPO needs only demonstrations, like supervised fine-tuning, and no comparisons", False,
               "DPO trains on exactly such pairs; SFT is what uses demonstrations."),
        Option("The reference model: DPO trains the policy alone", False,
               "π_ref is in every term of the DPO loss (exercise 10.6); without it nothing holds the policy "
               "near where it started."),
    ]),
    Question("A fine-tuned model scores 97% on its training prompts. What can you conclude?", [
        Option("Little: only held-out prompts (unseen words) show whether the rule was learned", True,
               "Training prompts leaking into a test inflate scores; section 5 measures both."),
        Option("That it will score about 97% on any prompt of the same format, whichever word the prompt asks about", False,
               "A model can memorise its training examples; new words are the test."),
        Option("That it has forgotten nothing of its pretraining", False,
               "Section 2 measures forgetting separately: the loss on the help text rises."),
    ]),
])
