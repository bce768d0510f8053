"""Chapter 02 — Parameters, model size, compute and memory: exercise checks and quiz.

The reference answers are measured, not computed: each builds the torch module the
exercise describes (on the "meta" device: shapes without memory) and counts its
parameters, FLOPs or cache bytes. So every check compares the learner's formula with
PyTorch itself, over many random configurations. torch is imported only when a check runs.
"""
import numpy as np

from course_lib.scale import cost
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "concepts"
DTYPES = {8: "float64", 4: "float32", 2: "bfloat16"}


def counted(build, *args, **kwargs) -> int:
    """Build a module on the meta device and count its parameters, as sum(p.numel())."""
    import torch

    from course_lib.scale import measure
    with torch.device("meta"):
        return measure.parameters(build(*args, **kwargs))


def torch_linear(n_in, n_out, bias):
    import torch.nn as nn
    return counted(nn.Linear, n_in, n_out, bias=bias)


def torch_layer_norm(d_model, bias):
    import torch.nn as nn
    return counted(nn.LayerNorm, d_model, bias=bias)


def torch_attention(d_model, n_head, bias):
    import torch.nn as nn
    return counted(nn.MultiheadAttention, d_model, n_head, bias=bias)


def torch_mlp(d_model, d_ff, bias):
    import torch.nn as nn
    return counted(lambda: nn.Sequential(nn.Linear(d_model, d_ff, bias=bias), nn.GELU(),
                                         nn.Linear(d_ff, d_model, bias=bias)))


def torch_gpt(vocab_size, block_size, n_layer, n_head, n_embd):
    from course_lib.lm.gpt import GPT, GPTConfig
    return counted(GPT, GPTConfig(vocab_size, block_size, n_layer, n_head, n_embd))


def torch_decoder(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied):
    from course_lib.scale.decoder import Decoder, DecoderConfig
    return counted(Decoder, DecoderConfig(vocab_size, n_layer, n_head, n_kv_head, d_model, d_ff, tied))


def counted_forward_flops(n_layer, d_model, vocab_size, context):
    """FLOPs per token of a GPT forward pass over ``context`` tokens, by torch's FLOP counter."""
    import torch

    from course_lib.scale import measure
    from course_lib.lm.gpt import GPT, GPTConfig
    with torch.device("meta"):
        model = GPT(GPTConfig(vocab_size, context, n_layer, 2 if d_model % 2 == 0 else 1, d_model))
        idx = torch.zeros(1, context, dtype=torch.long)
    return measure.flops(model, idx) // context


def cache_bytes(n_layer, n_head, n_kv_head, d_model, context, batch, bytes_per_value):
    """Bytes of the keys and values a course_lib.scale.decoder.Decoder returns after reading
    ``context`` tokens: the KV cache itself. Small shapes run on real tensors (faster).
    Large ones run on the meta device (no memory), where every operation costs Python
    time, so one layer stands in for all n_layer: every layer's cache has the same shape."""
    import torch

    from course_lib.scale.decoder import Decoder, DecoderConfig
    small = n_layer * d_model**2 * batch * context <= 2**30
    with torch.device("cpu" if small else "meta"), torch.no_grad():
        layers = n_layer if small else 1
        model = Decoder(DecoderConfig(16, layers, n_head, n_kv_head, d_model, 8)).to(getattr(torch, DTYPES[bytes_per_value]))
        _, cache = model(torch.zeros(batch, context, dtype=torch.long))
    return n_layer // layers * sum(keys.nbytes + values.nbytes for keys, values in cache)


def days_to_train(parameters, tokens, peak_flops, utilisation, devices):
    return cost.training_cost(parameters, tokens, peak_flops, utilisation, devices).days


class Count(Exercise):
    """An exercise whose answer is a formula in its inputs. Where no listed mistake fits, the
    check looks for the terms of the formula that the learner's counts have too many or too few
    of (at most two, with small whole coefficients), the same on every failing case:
    "off by -1·(n_out if bias)" says the biases are missing. ``terms(*args)`` gives the terms."""

    def __init__(self, *args, terms, **kwargs):
        super().__init__(*args, **kwargs)
        self.terms = terms

    def diagnose(self, wrong, listed):
        if not listed and len(wrong) >= 2 and all(isinstance(o.got, (int, float, np.integer, np.floating))
                                                  and not isinstance(o.got, bool) for o in wrong):
            words = term_difference([(self.terms(*o.case.args), o.got - o.expected) for o in wrong])
            if words:
                return f"Your counts are off by {words} on every case that fails. {self.nudge}", self.detail
        return super().diagnose(wrong, listed)


def term_difference(rows) -> str | None:
    """The sum of at most two terms, with whole coefficients up to 12, equal to every difference, in
    words (two terms only from three cases or more, so that two equations cannot fit by chance)."""
    names = list(rows[0][0])
    table = np.array([[float(terms[n]) for n in names] for terms, _ in rows])
    differences = np.array([float(d) for _, d in rows])
    coefficients = [c for c in range(-12, 13) if c]
    choices = [((i, a),) for i in range(len(names)) for a in coefficients]
    choices += [((i, a), (j, b)) for i in range(len(names)) for j in range(i + 1, len(names))
                for a in coefficients for b in coefficients] if len(rows) >= 3 else []
    for choice in choices:
        if np.allclose(sum(a * table[:, i] for i, a in choice), differences, rtol=1e-12, atol=0.5):
            return " ".join(f"{'+' if a > 0 else '-'}{abs(a)}·({names[i]})" for i, a in choice)
    return None


def random_cases(n, seed, draw):
    rng = np.random.default_rng(seed)
    return [Case(draw(rng)) for _ in range(n)]


def flag(rng):
    return bool(rng.integers(2))


def width(rng, n_head):
    return int(n_head * rng.choice([1, 2, 4, 8, 16, 64]))


def heads(rng):
    return int(rng.choice([1, 2, 4, 8, 16]))


check_linear = Count(
    "2.1", "linear_params", torch_linear,
    [Case((1, 1, True)), Case((3, 2, True)), Case((3, 2, False)), Case((784, 100, True))]
    + random_cases(10, 21, lambda r: (int(r.integers(1, 4096)), int(r.integers(1, 4096)), flag(r))),
    arg_names=("n_in", "n_out", "bias"),
    mistakes=[
        Mistake("Count the biases too: with bias=True a Linear layer has one bias per output.",
                lambda i, o, b: i * o),
        Mistake("One bias per output neuron, not per input: n_in·n_out + n_out.", lambda i, o, b: i * o + i * b),
        Mistake("With bias=False there are no biases: only the n_in·n_out weights.", lambda i, o, b: i * o + o),
        Mistake("That counts neurons, not parameters: every (input, output) pair has its own weight.",
                lambda i, o, b: i + o),
    ],
    hint="Count the numbers a Linear layer stores: one per connection, plus one per output if it "
         "has a bias.",
    detail="A Linear layer holds a weight matrix of shape (n_out, n_in) and, if bias, a vector of n_out biases.",
    terms=lambda i, o, b: {"n_out if bias": o * b, "n_in if bias": i * b, "1 if bias": b, "n_in·n_out": i * o,
                           "n_out": o, "n_in": i, "1": 1},
)

check_layer_norm = Count(
    "2.2", "layer_norm_params", torch_layer_norm,
    [Case((4, True)), Case((4, False)), Case((768, True))]
    + random_cases(8, 22, lambda r: (int(r.integers(1, 8192)), flag(r))),
    arg_names=("d_model", "bias"),
    mistakes=[
        Mistake("LayerNorm has no matrix: it learns one gain and one shift (bias) per feature.",
                lambda d, b: d * d),
        Mistake("LayerNorm learns a gain per feature and, with bias=True, a shift per feature too.",
                lambda d, b: d),
        Mistake("With bias=False LayerNorm keeps only its gains: d_model parameters.", lambda d, b: 2 * d),
        Mistake("Normalising has no parameters, but the gain (and shift) applied after it are learned.",
                lambda d, b: 0),
    ],
    hint="LayerNorm learns a gain and a shift for each of the features it normalises — and nothing"
         " that depends on the batch or the sequence.",
    detail="LayerNorm normalises each token's d_model features, then multiplies by a learned gain and adds a "
           "learned shift: one number of each per feature.",
    terms=lambda d, b: {"d_model if bias": d * b, "1 if bias": b, "d_model": d, "d_model²": d * d, "1": 1},
)

check_attention = Count(
    "2.3", "attention_params", torch_attention,
    [Case((8, 1, True)), Case((8, 2, True)), Case((8, 2, False)), Case((768, 12, True))]
    + random_cases(10, 23, lambda r: (lambda h: (width(r, h), h, flag(r)))(heads(r))),
    arg_names=("d_model", "n_head", "bias"),
    mistakes=[
        Mistake("The heads split the width between them (each gets d_model / n_head dimensions): the number "
                "of heads does not multiply the weights.", lambda d, h, b: h * (4 * d * d + 4 * d * b)),
        Mistake("Four projections, not three: queries, keys, values, and the output projection that mixes "
                "the heads.", lambda d, h, b: 3 * d * d + 3 * d * b),
        Mistake("Each of the four projections has d_model biases when bias=True.", lambda d, h, b: 4 * d * d),
        Mistake("Each projection maps d_model to d_model: its weight is d_model × d_model, not "
                "d_model × (d_model / n_head).", lambda d, h, b: 4 * d * (d // h) + 4 * d * b),
    ],
    hint="Attention is built from linear maps of d_model to d_model (the section lists them); "
         "count each with exercise 2.1's rule.",
    detail="Attention has four d_model → d_model linear maps (queries, keys, values, output), each with a bias "
           "vector if bias=True.",
    terms=lambda d, h, b: {"d_model if bias": d * b, "n_head if bias": h * b, "d_model²": d * d, "d_model": d,
                           "n_head": h, "n_head·d_model²": h * d * d},
)

check_mlp = Count(
    "2.4", "mlp_params", torch_mlp,
    [Case((2, 8, True)), Case((2, 8, False)), Case((768, 3072, True))]
    + random_cases(10, 24, lambda r: (lambda d: (d, int(d * r.choice([1, 2, 4, 8])), flag(r)))(int(r.integers(1, 2048)))),
    arg_names=("d_model", "d_ff", "bias"),
    mistakes=[
        Mistake("Two linear layers: d_model → d_ff and back d_ff → d_model.",
                lambda d, f, b: d * f + f * b),
        Mistake("Each layer's biases match its outputs: d_ff for the first, d_model for the second.",
                lambda d, f, b: 2 * d * f + 2 * f * b),
        Mistake("Count the biases when bias=True: d_ff + d_model of them.", lambda d, f, b: 2 * d * f),
        Mistake("The activation (GELU) has no parameters; only the two linear layers do.",
                lambda d, f, b: 2 * d * f + (f + d) * b + f),
    ],
    hint="An MLP block is two Linear layers, one widening, one narrowing; the activation has no "
         "parameters.",
    detail="An MLP block is Linear(d_model, d_ff), an activation, Linear(d_ff, d_model): add up the two layers.",
    terms=lambda d, f, b: {"d_ff if bias": f * b, "d_model if bias": d * b, "d_model·d_ff": d * f, "d_ff²": f * f,
                           "d_model²": d * d, "d_ff": f, "d_model": d},
)


def gpt_formula(v, t, n, h, d, head=0, positions=True, norms=True, final=True):
    per_block = 12 * d * d + 9 * d + (4 * d if norms else 0)
    return v * d + head * v * d + (t * d if positions else 0) + n * per_block + (2 * d if final and norms else 0)


check_gpt = Count(
    "2.5", "gpt_params", torch_gpt,
    [Case((11, 8, 1, 1, 4)), Case((11, 8, 2, 2, 16)), Case((50257, 1024, 12, 12, 768))]
    + random_cases(8, 25, lambda r: (lambda h: (int(r.integers(2, 60000)), int(r.integers(1, 4096)),
                                                int(r.integers(1, 6)), h, width(r, h)))(heads(r))),
    arg_names=("vocab_size", "block_size", "n_layer", "n_head", "n_embd"),
    mistakes=[
        Mistake("The output head is tied to the token embedding (the same matrix), so count it once.",
                lambda *a: gpt_formula(*a, head=1)),
        Mistake("Add the position embedding: one learned vector per position, block_size × n_embd.",
                lambda *a: gpt_formula(*a, positions=False)),
        Mistake("Each block has two layer norms (2·n_embd parameters each), and there is a final one.",
                lambda *a: gpt_formula(*a, norms=False)),
        Mistake("Don't forget the final layer norm after the last block (2·n_embd).",
                lambda *a: gpt_formula(*a, final=False)),
        Mistake("12·n_layer·n_embd² is the approximation; the exact count adds the embeddings, biases and norms.",
                lambda v, t, n, h, d: 12 * n * d * d),
    ],
    hint="Add the parts of the model in the table above the exercise: the embeddings, every block,"
         " the final norm — and check whether the head shares its weights with an embedding.",
    detail="Token embedding + position embedding + n_layer × (2 layer norms + attention + MLP of width "
           "4·n_embd) + a final layer norm; the head is tied.",
    terms=lambda v, t, n, h, d: {"n_layer·n_embd²": n * d * d, "n_layer·n_embd": n * d, "n_embd": d,
                                 "vocab_size·n_embd": v * d, "block_size·n_embd": t * d, "n_embd²": d * d},
)


def flops_formula(n, d, v, t, matmuls=1, attention=4, head=1):
    return matmuls * 24 * n * d * d + head * 2 * v * d + attention * n * t * d


check_forward_flops = Count(
    "2.6", "forward_flops", counted_forward_flops,
    [Case((1, 4, 3, 2)), Case((1, 8, 11, 8)), Case((2, 16, 65, 32)), Case((12, 768, 50257, 1024))]
    + random_cases(6, 26, lambda r: (int(r.integers(1, 4)), 2 * int(r.integers(2, 128)),
                                     int(r.integers(2, 5000)), int(r.integers(2, 300)))),
    arg_names=("n_layer", "d_model", "vocab_size", "context"),
    mistakes=[
        Mistake("Attention has two products without weights: scores Q·Kᵀ and the weighted sum of V, each "
                "2·context·d_model FLOPs per token per layer.", lambda *a: flops_formula(*a, attention=0)),
        Mistake("The counter computes the full context × context score matrix: count both Q·Kᵀ and the sum "
                "over V, 4·n_layer·context·d_model in all (Kaplan et al.'s 2·n_layer·context·d_model "
                "counts as if only the causal half were computed).", lambda *a: flops_formula(*a, attention=2)),
        Mistake("The output head is a matrix product too: 2·vocab_size·d_model FLOPs per token.",
                lambda *a: flops_formula(*a, head=0)),
        Mistake("A multiply-add is 2 FLOPs: a product with W weights costs 2·W per token, not W.",
                lambda n, d, v, t: flops_formula(n, d, v, t) // 2),
        Mistake("That is training (forward + backward, 3×); the exercise asks for the forward pass.",
                lambda *a: 3 * flops_formula(*a)),
    ],
    hint="Every multiply-add in a matrix product is 2 FLOPs; count the products of one block, of "
         "all blocks and of the head, and attention's two products that have no weights.",
    detail="2 FLOPs per weight of every matrix product (12·d_model² per block, vocab_size·d_model for the head) "
           "plus attention's two weightless products.",
    terms=lambda n, d, v, t: {"n_layer·d_model²": n * d * d, "vocab_size·d_model": v * d, "d_model²": d * d,
                              "n_layer·context·d_model": n * t * d, "context·d_model": t * d,
                              "n_layer·context²·d_model": n * t * t * d},
)

check_kv_cache = Exercise(
    "2.7", "kv_cache_bytes", cache_bytes,
    [Case((1, 1, 1, 2, 1, 1, 2)), Case((3, 4, 2, 16, 5, 1, 2)), Case((2, 4, 4, 16, 5, 3, 4))]
    + random_cases(8, 27, lambda r: (lambda h: (int(r.integers(1, 5)), h, int(h // r.choice([1, 2, 4]) or 1),
                                                h * 2 * int(r.integers(1, 16)), int(r.integers(1, 64)),
                                                int(r.integers(1, 4)), int(r.choice([2, 4]))))(heads(r))),
    arg_names=("n_layer", "n_head", "n_kv_head", "d_model", "context", "batch", "bytes_per_value"),
    mistakes=[
        Mistake("With grouped-query attention only n_kv_head heads keep keys and values, not n_head: that "
                "is the point of sharing them.", lambda L, h, k, d, t, b, B: 2 * L * d * t * b * B),
        Mistake("The cache keeps two tensors per layer: keys and values.",
                lambda L, h, k, d, t, b, B: L * k * (d // h) * t * b * B),
        Mistake("Every layer has its own keys and values: multiply by n_layer.",
                lambda L, h, k, d, t, b, B: 2 * k * (d // h) * t * b * B),
        Mistake("Every sequence in the batch has its own cache: multiply by batch.",
                lambda L, h, k, d, t, b, B: 2 * L * k * (d // h) * t * B),
        Mistake("A head is d_model / n_head wide; n_kv_head of them hold keys (and values).",
                lambda L, h, k, d, t, b, B: 2 * L * k * d * t * b * B),
    ],
    hint="The cache keeps keys and values for every layer, every key/value head and every position"
         " of the context, at bytes_per_value bytes each.",
    detail="Per layer the cache holds keys and values, each batch × n_kv_head × context × head_dim numbers "
           "(head_dim = d_model / n_head), bytes_per_value bytes each.",
)

check_training_days = Exercise(
    "2.8", "training_days", days_to_train,
    [Case((1e6, 1e6, 1e9, 0.5, 1)), Case((124e6, 9e9, 312e12, 0.4, 8)), Case((175e9, 300e9, 125e12, 0.3, 1024))]
    + random_cases(5, 28, lambda r: (float(10 ** r.uniform(6, 12)), float(10 ** r.uniform(9, 13)),
                                     float(10 ** r.uniform(11, 15)), float(r.uniform(0.1, 0.7)),
                                     int(2 ** r.integers(0, 14)))),
    arg_names=("parameters", "tokens", "peak_flops", "utilisation", "devices"),
    rtol=1e-9,
    mistakes=[
        Mistake("Training costs 6·N·D FLOPs (forward 2 + backward 4 per parameter per token), not 2·N·D.",
                lambda n, d, p, u, k: 2 * n * d / (p * u * k) / 86400),
        Mistake("The devices run at utilisation × peak, not at their peak: divide by both.",
                lambda n, d, p, u, k: 6 * n * d / (p * k) / 86400),
        Mistake("The devices share the work: divide by their number.",
                lambda n, d, p, u, k: 6 * n * d / (p * u) / 86400),
        Mistake("That is in seconds: a day has 86,400 of them.", lambda n, d, p, u, k: 6 * n * d / (p * u * k)),
        Mistake("That is in hours: divide seconds by 86,400 for days.",
                lambda n, d, p, u, k: 6 * n * d / (p * u * k) / 3600),
    ],
    hint="Training takes about 6 FLOPs per parameter per token; divide by what the devices deliver"
         " per second, then convert seconds to days.",
    detail="FLOPs = 6·N·D; each device does utilisation × peak FLOP per second; days = seconds / 86,400.",
  )


def decoder_formula(v, n, h, k, d, f, tied, kv_shared=True, gated=True, norm=1, head=True):
    kv = k * (d // h) if kv_shared else d
    block = 2 * d * d + 2 * d * kv + (3 if gated else 2) * d * f + 2 * norm * d
    return v * d + n * block + norm * d + (0 if tied or not head else v * d)


check_decoder = Count(
    "2.9", "decoder_params", torch_decoder,
    [Case((11, 1, 2, 1, 8, 16, False)), Case((11, 1, 2, 1, 8, 16, True)), Case((100, 2, 4, 2, 32, 64, False))]
    + random_cases(8, 29, lambda r: (lambda h: (int(r.integers(2, 40000)), int(r.integers(1, 40)), h,
                                                int(h // r.choice([1, 2, 4, 8]) or 1), h * 2 * int(r.integers(1, 32)),
                                                int(r.integers(1, 4096)), flag(r)))(heads(r))),
    arg_names=("vocab_size", "n_layer", "n_head", "n_kv_head", "d_model", "d_ff", "tied"),
    mistakes=[
        Mistake("Keys and values have n_kv_head heads of d_model / n_head each: their projections are "
                "d_model × (n_kv_head · d_model / n_head), smaller than the query's.",
                lambda *a: decoder_formula(*a, kv_shared=False)),
        Mistake("A gated MLP has three matrices: gate and up (d_model → d_ff) and down (d_ff → d_model).",
                lambda *a: decoder_formula(*a, gated=False)),
        Mistake("RMSNorm has a gain per feature and no shift: d_model parameters per norm.",
                lambda *a: decoder_formula(*a, norm=2)),
        Mistake("Untied (tied=False) the output head is a vocab_size × d_model matrix of its own; "
                "tied it is the embedding and adds nothing.",
                lambda v, n, h, k, d, f, t: decoder_formula(v, n, h, k, d, f, not t)),
    ],
    hint="The modern decoder differs from GPT-2 in its parts: RMSNorm (a gain only), fewer "
         "key/value heads, a gated MLP with three matrices, no biases, and a final RMSNorm.",
    detail="Embedding + n_layer × (2 RMSNorms + query/output d_model² each + keys/values + 3 MLP matrices) "
           "+ final RMSNorm + the head if untied. No biases.",
    terms=lambda v, n, h, k, d, f, t: {"n_layer·d_model²": n * d * d, "n_layer·d_model": n * d, "d_model": d,
                                       "vocab_size·d_model": v * d, "vocab_size·d_model if tied": v * d * t,
                                       "n_layer·d_model·d_ff": n * d * f,
                                       "n_layer·d_model·n_kv_head·d_model/n_head": n * d * k * (d // h)},
)

EXERCISES = [check_linear, check_layer_norm, check_attention, check_mlp, check_gpt, check_forward_flops,
             check_kv_cache, check_training_days, check_decoder]

QUIZ = Quiz(CHAPTER, [
    Question("nn.MultiheadAttention(512, 8) and nn.MultiheadAttention(512, 16): which has more parameters?", [
        Option("The one with 16 heads, twice as many", False,
               "Heads split the 512 dimensions between them (64 or 32 each); they do not add weights."),
        Option("Both have 1,050,624", True,
               "4·512² + 4·512 = 1,050,624: queries, keys, values and output are each 512 → 512 maps whatever the number of heads."),
        Option("The one with 8 heads, because its heads are wider", False,
               "Wider heads, but half as many of them: the total width, and the count, stay the same."),
    ]),
    Question("GPT-2's paper lists its smallest model as 117M parameters; the released model has 124,439,808. Why?", [
        Option("OpenAI says the paper's counts were wrong", True,
               "The openai/gpt-2 README says so; the released count is exact. All four of the paper's numbers match the released models "
               "counted with GPT-1's vocabulary of 40,478 tokens instead of 50,257, which suggests the error."),
        Option("The paper counts non-embedding parameters", False,
               "Without its embeddings the small model has 85M parameters, not 117M."),
        Option("The released model has an extra layer the paper left out", False, "Both have 12 layers of width 768."),
        Option("Stored in 16 bits, the model looks smaller", False,
               "Bytes depend on the number format; the count of parameters does not."),
    ]),
    Question("About how many FLOPs does it take to train a 7B-parameter model on 1T tokens?", [
        Option("4.2 × 10²² (6·N·D)", True, "6 × 7×10⁹ × 10¹²: 2 FLOPs per parameter per token forward, 4 backward."),
        Option("1.4 × 10²² (2·N·D)", False, "That is the forward pass only; the backward pass costs twice as much again."),
        Option("7 × 10²¹ (N·D)", False, "A multiply-add is 2 FLOPs, and training needs forward and backward passes."),
    ]),
    Question("Training with Adam in mixed precision: how many bytes of training state per parameter?", [
        Option("2: the weights are 16-bit", False, "That is the weights alone, enough for inference only."),
        Option("8: 16-bit weights and gradients, one fp32 moment", False,
               "Forgets the fp32 master weights and Adam's second fp32 moment."),
        Option("16: 2 + 2 + 4 + 4 + 4", True,
               "2 + 2 (16-bit weights and gradients) + 12 (fp32 master weights, momentum, variance). "
               "Rajbhandari et al. (2020): 16Ψ bytes for Ψ parameters, so 16 × 1.5×10⁹ = 24 GB for a 1.5B "
               "model before any activations."),
    ]),
    Question("Llama 2 70B shares each key/value head between 8 query heads (64 query heads, 8 key/value heads). "
             "Compared with ordinary multi-head attention, its KV cache is:", [
        Option("8 times smaller", True, "Only the 8 key/value heads are cached, instead of 64."),
        Option("The same size", False, "The cache holds keys and values, and there are 8 times fewer of them."),
        Option("8 times larger", False, "Sharing reduces what is stored; it does not add to it."),
    ]),
    Question("Your small model trains at 40 GFLOP/s (model FLOPs) on a CPU whose measured matmul peak is "
             "160 GFLOP/s. What is its utilisation of that peak, and why is it below 100%?", [
        Option("25%: other work, and small matrices, run below the peak", True,
               "Time also goes to softmax, norms, the optimizer and memory traffic. Utilisation = achieved "
               "model FLOP/s ÷ peak. Published MFUs divide by a datasheet peak and range about 20–50% "
               "(GPT-3 21.3%, PaLM 46.2%): a measured CPU peak is a lower bar, so the two are not comparable."),
        Option("400%: the model does four times the work", False, "MFU divides the achieved rate by the peak, not the other way."),
        Option("25%, because the count of model FLOPs includes only the forward pass", False,
               "MFU counts the model's forward and backward FLOPs, 6N per token plus attention."),
    ]),
    Question("Does a model with more parameters always perform better?", [
        Option("Yes: performance is set by the parameter count", False,
               "Data and compute matter as much. Chinchilla (70B) beat Gopher (280B) at the same compute."),
        Option("Not always: data and compute matter too", True,
               "Chapter 08 measures it. Loss falls with size as a power law only when data and compute grow with it; at a fixed "
               "budget there is a best size (Hoffmann et al. 2022)."),
        Option("No: bigger models are always worse because they overfit", False,
               "Large language models trained on enough data do improve with size; the catch is the budget."),
    ]),
])
