"""Chapter 09 — Smaller and faster: exercise checks and quiz.

torch is imported only when a check runs (``course_lib.progress()`` imports every chapter's
checks). The references are the functions of course_lib.serving that the chapter goes on to use.
"""
import math

from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "serving"


def tensors(seed, *shapes, scale=1.0):
    import torch
    generator = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(shape, generator=generator) for shape in shapes]


# 9.1 — one decoding step with a KV cache
def cached_attention(q, k, v, cached_k, cached_v):
    from course_lib.serving import kv_cache
    return kv_cache.cached_attention(q, k, v, cached_k, cached_v)


def cache_cases():
    shapes = [(1, 1, 0, 2), (1, 1, 1, 2), (1, 2, 3, 4), (2, 2, 5, 8), (1, 4, 6, 16)]
    cases = []
    for seed, (B, H, L, d) in enumerate(shapes):
        q, k, v, ck, cv = tensors(seed, (B, H, 1, d), (B, H, 1, d), (B, H, 1, d), (B, H, L, d), (B, H, L, d), scale=2.0)
        cases.append(Case((q, k, v, ck, cv)))
    return cases


def attend(q, keys, values, scale=None, dim=-1):
    scale = 1 / math.sqrt(q.size(-1)) if scale is None else scale
    return (q @ keys.transpose(-2, -1) * scale).softmax(dim=dim) @ values


def attend_before_append(q, k, v, cached_k, cached_v):
    import torch
    out = attend(q, cached_k, cached_v)
    return out, torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)


def cache_the_query(q, k, v, cached_k, cached_v):
    import torch
    keys, values = torch.cat([cached_k, q], dim=2), torch.cat([cached_v, v], dim=2)
    return attend(q, keys, values), keys, values


def cache_unchanged(q, k, v, cached_k, cached_v):
    import torch
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    return attend(q, keys, values), cached_k, cached_v


def cache_unscaled(q, k, v, cached_k, cached_v):
    import torch
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    return attend(q, keys, values, scale=1.0), keys, values


def cache_softmax_over_queries(q, k, v, cached_k, cached_v):
    import torch
    keys, values = torch.cat([cached_k, k], dim=2), torch.cat([cached_v, v], dim=2)
    return attend(q, keys, values, dim=-2), keys, values


def cache_along_features(q, k, v, cached_k, cached_v):
    import torch
    keys, values = torch.cat([cached_k, k], dim=-1), torch.cat([cached_v, v], dim=-1)
    return attend(q, keys, values), keys, values


check_cached_attention = Exercise(
    "9.1", "cached_attention", cached_attention, cache_cases, arg_names=("q", "k", "v", "cached_k", "cached_v"),
    mistakes=[
        Mistake("The new token attends to itself too: append its key and value to the cache *before* attending "
                "(a mask that hides the newest key does the same harm).", attend_before_append,
                detail="keys = torch.cat([cached_k, k], dim=2); values = torch.cat([cached_v, v], dim=2); "
                       "then attend with q over keys and values."),
        Mistake("Cache the keys, not the queries: a past token's query is never used again, its key is read by "
                "every later token.", cache_the_query),
        Mistake("Return the cache with the new key and value appended (keys, values), not the cache you were "
                "given: the next step needs them.", cache_unchanged),
        Mistake("Scale the scores by 1/√d (d = q.shape[-1]) before the softmax, as in chapter 06.", cache_unscaled),
        Mistake("Softmax over the keys, the last axis (dim=-1): with one query, a softmax over dim=-2 makes "
                "every weight 1.", cache_softmax_over_queries),
        Mistake("Append along the positions, dim=2 of (B, heads, T, head_size), not along the features.",
                cache_along_features),
    ],
    hint="Append the new key and value to the cache before attending, and let the new query attend"
         " to every cached position (no mask is needed for the newest query).",
    detail="keys = cat(cached_k, k) and values = cat(cached_v, v) along dim 2; output = softmax(q @ keysᵀ / √d) "
           "@ values; return (output, keys, values).",
    shows="(output, keys, values)",
    shapes="q, k, v are (B, heads, 1, head_size); the cache (B, heads, T, head_size).",
    rtol=1e-5, atol=1e-6,
)


# 9.2 — symmetric per-channel quantization
def quantize_per_channel(w, bits):
    from course_lib.serving import quantize
    return quantize.quantize_per_channel(w, bits)


def with_dtype(function):
    """The learner's (q, scale) and the dtype of q: int8 is part of the answer."""
    def run(w, bits):
        answer = function(w, bits)
        if not (isinstance(answer, (tuple, list)) and len(answer) == 2):
            return answer  # the comparison says what kind of thing came back instead
        q, scale = answer
        return q, scale, str(getattr(q, "dtype", type(q).__name__))
    return run


def quantize_cases():
    cases = []
    for seed, (shape, bits) in enumerate([((2, 3), 8), ((3, 4), 4), ((4, 6), 8), ((5, 8), 4), ((6, 6), 8)]):
        w, = tensors(10 + seed, shape, scale=0.1)
        w[0, 1] = 0.9  # an outlier in the first row
        cases.append(Case((w, bits)))
    return cases


def quantized_with(w, bits, scale, top=None, rounding=None):
    import torch
    top = 2 ** (bits - 1) - 1 if top is None else top
    rounding = rounding or torch.round
    return torch.clamp(rounding(w / scale), -top, top).to(torch.int8), scale


def scale_from_mean(w, bits):
    return quantized_with(w, bits, w.abs().mean(dim=1, keepdim=True) / (2 ** (bits - 1) - 1))


def scale_per_column(w, bits):
    return quantized_with(w, bits, w.abs().amax(dim=0, keepdim=True) / (2 ** (bits - 1) - 1))


def scale_per_tensor(w, bits):
    return quantized_with(w, bits, (w.abs().max() / (2 ** (bits - 1) - 1)).expand(w.size(0), 1))


def with_zero_point(w, bits):
    import torch
    low, high = w.amin(dim=1, keepdim=True), w.amax(dim=1, keepdim=True)
    scale = (high - low) / (2 ** bits - 1)
    zero = -torch.round(low / scale) - 2 ** (bits - 1)
    return torch.clamp(torch.round(w / scale) + zero, -2 ** (bits - 1), 2 ** (bits - 1) - 1).to(torch.int8), scale


def qmax_power_of_two(w, bits):
    return quantized_with(w, bits, w.abs().amax(dim=1, keepdim=True) / 2 ** (bits - 1), top=2 ** (bits - 1))


def truncated(w, bits):
    import torch
    return quantized_with(w, bits, w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1), rounding=torch.trunc)


def float_codes(w, bits):
    q, scale = quantize_per_channel(w, bits)
    return q.float(), scale


check_quantize_per_channel = Exercise(
    "9.2", "quantize_per_channel", quantize_per_channel, quantize_cases, arg_names=("w", "bits"),
    mistakes=[
        Mistake("The scale comes from the largest magnitude, max|w| / qmax, so that the largest weight lands on "
                "±qmax; a scale from the mean clips every weight above it.", scale_from_mean,
                detail="scale = w.abs().amax(dim=1, keepdim=True) / (2 ** (bits - 1) - 1)"),
        Mistake("One scale per output channel is one per *row* of w (out, in): take the max over dim=1, not over "
                "the columns (dim=0).", scale_per_column),
        Mistake("Per channel, not per tensor: each row gets its own scale (amax over dim=1, keepdim=True), so "
                "the outlier in row 0 does not coarsen the other rows.", scale_per_tensor),
        Mistake("Symmetric quantization has no zero point: scale = max|w| / qmax and q = round(w / scale), so "
                "0 stays 0. A (max − min) scale with a zero point is the asymmetric (affine) code.",
                with_zero_point),
        Mistake("qmax is 2^(bits−1) − 1 (127 for 8 bits), not 2^(bits−1): the symmetric code uses −127..127, "
                "and 128 does not fit an int8.", qmax_power_of_two),
        Mistake("Round to the nearest integer (torch.round) before converting: .to(torch.int8) or .int() alone "
                "truncates toward zero.", truncated),
        Mistake("Store the codes as integers: q.to(torch.int8), one byte each, is what saves memory; floats "
                "holding whole numbers still take four bytes.", float_codes),
    ],
    hint="Symmetric quantization per output channel: one scale per row of the weight, chosen so "
         "that the row's largest magnitude lands on the largest integer.",
    detail="qmax = 2 ** (bits - 1) - 1; scale = max|w| per row / qmax (shape (out, 1)); "
           "q = clamp(round(w / scale), -qmax, qmax) as int8; return (q, scale).",
    harness=with_dtype, shows="(q, scale, q.dtype)",
)


# 9.3 — the distillation loss
def distillation_loss(student_logits, teacher_logits, temperature):
    from course_lib.serving import distill
    return distill.distillation_loss(student_logits, teacher_logits, temperature)


def distill_cases():
    shapes_and_t = [((2, 3), 1.0), ((3, 5), 2.0), ((4, 6), 4.0), ((2, 3, 7), 2.0), ((2, 4, 10), 3.0)]
    return [Case((*tensors(20 + i, shape, shape, scale=2.0), t)) for i, (shape, t) in enumerate(shapes_and_t)]


def kl(log_p, log_q):
    return (log_p.exp() * (log_p - log_q)).sum(dim=-1).mean()


def softened(student, teacher, t_student, t_teacher, factor, direction=1):
    import torch.nn.functional as F
    log_s, log_t = F.log_softmax(student / t_student, dim=-1), F.log_softmax(teacher / t_teacher, dim=-1)
    return factor * (kl(log_t, log_s) if direction == 1 else kl(log_s, log_t))


def soft_cross_entropy(student, teacher, t):
    import torch.nn.functional as F
    log_s, p_t = F.log_softmax(student / t, dim=-1), F.softmax(teacher / t, dim=-1)
    return t ** 2 * -(p_t * log_s).sum(dim=-1).mean()


def kl_div_batchmean(student, teacher, t):
    import torch.nn.functional as F
    return t ** 2 * F.kl_div(F.log_softmax(student / t, dim=-1), F.log_softmax(teacher / t, dim=-1),
                             reduction="batchmean", log_target=True)


check_distillation_loss = Exercise(
    "9.3", "distillation_loss", distillation_loss, distill_cases,
    arg_names=("student_logits", "teacher_logits", "temperature"),
    mistakes=[
        Mistake("Multiply by T²: softening by T shrinks the gradients by 1/T², and T² restores their size "
                "(Hinton et al. 2015).", lambda s, t, T: softened(s, t, T, T, 1.0),
                detail="temperature ** 2 * KL(softmax(teacher / T) || softmax(student / T))"),
        Mistake("Soften both distributions: divide the teacher's logits by T as well as the student's.",
                lambda s, t, T: softened(s, t, T, 1.0, T ** 2)),
        Mistake("Soften both distributions: divide the student's logits by T as well as the teacher's.",
                lambda s, t, T: softened(s, t, 1.0, T, T ** 2)),
        Mistake("KL the other way round: KL(teacher || student) = Σ p_teacher · (log p_teacher − log p_student), "
                "the expectation under the teacher.", lambda s, t, T: softened(s, t, T, T, T ** 2, direction=-1)),
        Mistake("KL, not cross-entropy: the cross-entropy Σ −p_teacher · log p_student is larger by the teacher's "
                "entropy, and is not 0 when the student matches the teacher.", soft_cross_entropy),
        Mistake("Average over every position: F.kl_div(..., reduction='batchmean') divides by the first axis only, "
                "so on (batch, time, vocab) logits it sums over time.", kl_div_batchmean),
    ],
    hint="Hinton et al.'s loss: soften both distributions with the same temperature, compare them "
         "with KL in the teacher-to-student direction, and keep the gradients' size with the "
         "factor the section explains.",
    detail="log-softmax of student / T and of teacher / T over the last axis; KL(teacher || student) summed over "
           "the vocabulary, averaged over positions; times T².",
    rtol=1e-5, atol=1e-7,
)


# 9.4 — a magnitude-pruning mask
def magnitude_mask(w, sparsity):
    from course_lib.serving import prune
    return prune.magnitude_mask(w, sparsity)


def mask_cases():
    chosen = [((2, 4), 0.5), ((3, 5), 0.4), ((3, 6), 0.6), ((4, 8), 0.25), ((4, 10), 0.7), ((2, 6), 0.0)]
    cases = []
    for i, (shape, sparsity) in enumerate(chosen):
        w, = tensors(30 + i, shape)
        w[0] *= 5  # one row of large weights: a threshold over the whole tensor would empty the others
        cases.append(Case((w, sparsity)))
    return cases


def as_mask(function):
    """The learner's mask, as numbers (True = 1), and its dtype."""
    def run(w, sparsity):
        mask = function(w, sparsity)
        return (mask.float() if hasattr(mask, "float") else mask), str(getattr(mask, "dtype", type(mask).__name__))
    return run


def mask_by(w, pruned, key):
    import torch
    order = key(w).argsort(dim=-1)
    return torch.ones_like(w, dtype=torch.bool).scatter(-1, order[..., :pruned], False)


def prune_largest(w, sparsity):
    return mask_by(w, round(sparsity * w.size(-1)), lambda w: -w.abs())


def prune_most_negative(w, sparsity):
    return mask_by(w, round(sparsity * w.size(-1)), lambda w: w)


def prune_per_tensor(w, sparsity):
    pruned = round(sparsity * w.numel())
    flat = mask_by(w.reshape(1, -1), pruned, lambda w: w.abs())
    return flat.reshape(w.shape)


def prune_floor(w, sparsity):
    return mask_by(w, int(sparsity * w.size(-1)), lambda w: w.abs())


def mask_inverted(w, sparsity):
    return ~magnitude_mask(w, sparsity)


check_magnitude_mask = Exercise(
    "9.4", "magnitude_mask", magnitude_mask, mask_cases, arg_names=("w", "sparsity"),
    mistakes=[
        Mistake("Prune the *smallest* magnitudes: the largest weights carry the most of the layer's output.",
                prune_largest, detail="order = w.abs().argsort(dim=-1); the first round(sparsity * columns) go"),
        Mistake("Magnitude means |w|: a large negative weight matters as much as a large positive one; sort "
                "w.abs(), not w.", prune_most_negative),
        Mistake("Per row, not per tensor: each row loses the same number of weights, round(sparsity × columns), "
                "so a row of large weights does not keep all of its own while others lose everything.",
                prune_per_tensor),
        Mistake("Prune round(sparsity × columns) weights per row, not int(...), which rounds down.", prune_floor),
        Mistake("The mask says what to *keep*: True for the weights that stay, False for the pruned ones.",
                mask_inverted),
    ],
    hint="Within each row, the smallest weights in magnitude are the ones to prune; the mask is "
         "True where a weight stays.",
    detail="In each row, the round(sparsity * w.shape[-1]) weights of smallest |w| are False, all others True.",
    harness=as_mask, shows="(the mask as numbers, its dtype)",
)


# 9.5 — the speculative acceptance rule
def acceptance(p, q, x):
    from course_lib.serving import speculative
    return speculative.acceptance(p, q, x)


def acceptance_cases():
    import torch
    cases = []
    for i, (shape, V) in enumerate([((), 3), ((), 4), ((2,), 5), ((3,), 6), ((2, 3), 8)]):
        generator = torch.Generator().manual_seed(40 + i)
        p = torch.randn(*shape, V, generator=generator).mul(1.5).softmax(dim=-1)
        q = torch.randn(*shape, V, generator=generator).mul(1.5).softmax(dim=-1)
        x = torch.randint(0, V, shape, generator=generator)
        cases.append(Case((p, q, x)))
    # a token the draft likes more than the target, and one it likes less
    p, q = torch.tensor([0.5, 0.3, 0.2]), torch.tensor([0.2, 0.6, 0.2])
    cases.append(Case((torch.stack([p, p]), torch.stack([q, q]), torch.tensor([0, 1]))))
    return cases


def rule(p, q, x, accept, residual):
    from course_lib.serving.speculative import picked
    return accept(picked(p, x), picked(q, x)), residual(p, q)


def normalised(r):
    return r / r.sum(dim=-1, keepdim=True)


def accept_if_more_likely(p, q, x):
    return rule(p, q, x, lambda px, qx: (px >= qx).float(), lambda p, q: normalised((p - q).clamp(min=0)))


def resample_from_target(p, q, x):
    return rule(p, q, x, lambda px, qx: (px / qx).clamp(max=1), lambda p, q: p)


def residual_unnormalised(p, q, x):
    return rule(p, q, x, lambda px, qx: (px / qx).clamp(max=1), lambda p, q: (p - q).clamp(min=0))


def ratio_inverted(p, q, x):
    return rule(p, q, x, lambda px, qx: (qx / px).clamp(max=1), lambda p, q: normalised((p - q).clamp(min=0)))


def ratio_unclipped(p, q, x):
    return rule(p, q, x, lambda px, qx: px / qx, lambda p, q: normalised((p - q).clamp(min=0)))


def residual_reversed(p, q, x):
    return rule(p, q, x, lambda px, qx: (px / qx).clamp(max=1), lambda p, q: normalised((q - p).clamp(min=0)))


check_acceptance = Exercise(
    "9.5", "acceptance", acceptance, acceptance_cases, arg_names=("p", "q", "x"),
    mistakes=[
        Mistake("Accept with probability min(1, p(x) / q(x)), not always when p(x) ≥ q(x) and never otherwise: "
                "a token the draft over-rates must still be accepted sometimes, or the target's distribution is lost.",
                accept_if_more_likely, detail="accept = torch.clamp(picked(p, x) / picked(q, x), max=1)"),
        Mistake("After a rejection, resample from the residual norm(max(0, p − q)), not from p: sampling p again "
                "counts the tokens the draft already proposed twice.", resample_from_target),
        Mistake("Normalise the residual: max(0, p − q) divided by its sum is a distribution.", residual_unnormalised),
        Mistake("The ratio is target over draft, p(x) / q(x): a token the target likes more than the draft is "
                "always accepted.", ratio_inverted),
        Mistake("A probability is at most 1: clip the ratio, min(1, p(x) / q(x)).", ratio_unclipped),
        Mistake("The residual is max(0, p − q): the tokens the target likes *more* than the draft, whose "
                "probability the accepted drafts fell short of.", residual_reversed),
    ],
    hint="The draft's token is kept with a probability set by the ratio of the two models' "
         "probabilities; a rejection resamples from what the target has and the draft lacks.",
    detail="accept = min(1, p(x) / q(x)) (speculative.picked(p, x) gives p(x)); residual = max(0, p − q) / its sum "
           "over the last axis; return (accept, residual).",
    shows="(probability of accepting x, residual distribution)",
    rtol=1e-5, atol=1e-7,
)

EXERCISES = [check_cached_attention, check_quantize_per_channel, check_distillation_loss, check_magnitude_mask,
             check_acceptance]

QUIZ = Quiz(CHAPTER, [
    Question("Generating T tokens one at a time with a full forward pass each time costs about how much compute?", [
        Option("It grows with T²: step t runs the network over all t tokens so far", True,
               "The sum 1 + 2 + … + T is about T²/2 token-passes; a KV cache makes each step one token-pass, "
               "T in all (attention still reads the t cached keys, a smaller term)."),
        Option("It grows with T: each step produces one token, so T steps cost T passes", False,
               "T steps, yes, but each step without a cache processes the whole prefix again."),
        Option("It grows with the vocabulary size only, since the output layer dominates", False,
               "The output layer is one matrix among many; what grows is the number of positions recomputed."),
    ]),
    Question("Which tensors does a KV cache keep between decoding steps?", [
        Option("every layer's keys and values of all earlier positions", True,
               "They never change once computed (attention is causal), and every later query reads them."),
        Option("every layer's queries of all earlier positions", False,
               "A query is used once, by its own position; later tokens read keys and values, not queries."),
        Option("the logits of all earlier positions, so the softmax need not be repeated", False,
               "Earlier logits are never needed again; the next token's logits depend on the keys and values."),
    ]),
    Question("Grouped-query attention with 8 key/value heads instead of 64 changes the KV cache how?", [
        Option("it becomes 8 times smaller: keys and values are stored per key/value head", True,
               "chapter 02's formula: 2 · n_layer · n_kv_head · head_dim · context · bytes; queries keep their 64 heads."),
        Option("it is unchanged: the cache depends on the width n_embd, not on the number of heads", False,
               "The width of the stored keys is n_kv_head · head_dim, which shrinks with fewer key/value heads."),
        Option("it becomes 8 times larger, since each key is shared by 8 query heads", False,
               "Sharing means storing fewer keys, not copying them."),
    ]),
    Question("Why does int8 quantization with one scale per output channel lose less than one scale per tensor?", [
        Option("an outlier weight stretches only its own row's scale, not the whole matrix's", True,
               "The scale is max|w| / 127; a few large weights (Dettmers et al. 2022 find them in activations "
               "too) would make every other weight's rounding coarse."),
        Option("per-channel codes use more bits per weight than per-tensor codes", False,
               "Both store 8 bits per weight; per channel adds one scale per row, a tiny overhead."),
        Option("per-channel quantization keeps the biases in int8 as well", False,
               "Biases are few and stay in float in both schemes; the difference is in how weights share a scale."),
    ]),
    Question("In distillation, why is the softened KL loss multiplied by T²?", [
        Option("softening by T shrinks the gradients by about 1/T²; T² restores their size", True,
               "Hinton et al. (2015), section 2: without it, raising T would silently shrink the soft loss's weight."),
        Option("it turns the KL divergence into a cross-entropy", False,
               "KL and cross-entropy differ by the teacher's entropy, not by a factor."),
        Option("it makes the student's probabilities sharper than the teacher's, so that it learns the top answer first", False,
               "The factor scales the loss, not the distributions; both are softened by the same T."),
    ]),
    Question("You zero half of a dense layer's weights (unstructured magnitude pruning). On a CPU's dense matmul, the "
             "layer runs…", [
        Option("about as fast as before: the dense kernel multiplies zeros like any number", True,
               "Section 5 measures it. Speed needs structure the hardware uses: 2:4 on sparse tensor cores, or "
               "whole heads and channels removed so the matrices shrink."),
        Option("about twice as fast, since half the multiplications are by zero", False,
               "A dense kernel does not look at values; skipping zeros needs a sparse format or sparse hardware."),
        Option("slower, because the zeros must be checked before each multiplication", False,
               "Dense kernels check nothing; the time is the same."),
    ]),
    Question("Speculative decoding with a poor draft model (it rarely guesses right) gives text that is…", [
        Option("distributed exactly as the target model's, only generated more slowly", True,
               "The acceptance rule makes every token follow the target's distribution whatever the draft; a poor "
               "draft only lowers the acceptance rate and so the speed-up."),
        Option("a mix of the draft's and the target's styles, weighted by the acceptance rate", False,
               "Rejected tokens are resampled from the residual max(0, p − q), which corrects the draft exactly."),
        Option("worse than the target's, since the draft's mistakes are accepted with some probability", False,
               "An over-rated token is accepted only with probability p/q, exactly what the target allows."),
    ]),
    Question("DeepSeek-V3 has 671B parameters, 37B active per token. Compared with a dense 671B model it needs…", [
        Option("about 18 times less compute per token, but the same memory for its weights", True,
               "Compute follows the active parameters (2 · 37B FLOPs per token); memory holds all 671B, since any "
               "token may be routed to any expert."),
        Option("about 18 times less memory, since only the active experts are loaded into the GPU", False,
               "The next token may need other experts; serving keeps them all in memory."),
        Option("the same compute and memory: the experts run in parallel", False,
               "Only top-k experts run per token; the others cost memory, not compute."),
    ]),
])
