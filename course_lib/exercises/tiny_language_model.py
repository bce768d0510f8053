"""Chapter 06 — A tiny language model: exercise checks and quiz.

torch is imported only when a check runs: ``course_lib.progress()`` imports every
chapter's checks, and a chapter without torch must not pay for it. The references
are the course_lib functions the chapter uses afterwards.
"""
import math

from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz
from course_lib.lm.text import Tokenizer

CHAPTER = "tiny_language_model"


def tensors(seed, *shapes, scale=1.0):
    import torch
    generator = torch.Generator().manual_seed(seed)
    return [scale * torch.randn(shape, generator=generator) for shape in shapes]


# 6.1 — characters to ids
def encode(text, vocabulary):
    """The reference: course_lib.lm.text.Tokenizer."""
    return Tokenizer(vocabulary).encode(text)


check_encode = Exercise(
    "6.1", "encode", encode,
    [Case(("cab", "abc")), Case(("hello", " ehlo")), Case(("a b\nb a", "\n ab")),
     Case(("The \"if\" statement", ' "Tacefhimnst')), Case(("x = [1, 2]\nprint(x)", "\n ()*,12=[]inprtx")),
     Case(("bad", "dcba ")), Case(("tiny toy", "yotnix "))],  # unsorted: a position, not a rank
    arg_names=("text", "vocabulary"),
    mistakes=[
        Mistake("Token ids are positions in the vocabulary, not Unicode code points: use vocabulary.index(c), "
                "not ord(c).", lambda text, vocabulary: [ord(c) for c in text]),
        Mistake("Ids start at 0: the first character of the vocabulary is token 0.",
                lambda text, vocabulary: [vocabulary.index(c) + 1 for c in text]),
        Mistake("Use the vocabulary you are given, not one built from this text: a character must get the same "
                "id in every text the model reads.",
                lambda text, vocabulary: [sorted(set(text)).index(c) for c in text]),
    ],
    hint="A character's id is its position in the vocabulary string the chapter built — not its "
         "code point, not its rank in any other order.",
    detail="Token id of a character = its position in the vocabulary string (vocabulary.index(c)).",
)


# 6.2 — the bigram baseline's loss
def bigram_loss(counts, ids):
    """The reference: course_lib.lm.bigram.loss with add-one smoothing."""
    from course_lib.lm import bigram
    return bigram.loss(counts, ids, smoothing=1.0)


def bigram_cases():
    import torch
    cases = []
    for seed, (vocab, length, sequence) in enumerate([(2, 12, 3), (3, 30, 6), (5, 80, 12), (8, 300, 40)]):
        generator = torch.Generator().manual_seed(seed)
        train = torch.randint(0, vocab, (length,), generator=generator)
        table = torch.zeros(vocab, vocab)
        table.index_put_((train[:-1], train[1:]), torch.ones(length - 1), accumulate=True)
        table[0, vocab - 1] = 0.0  # one pair never seen in training ...
        ids = torch.randint(0, vocab, (sequence,), generator=generator)
        ids[1], ids[2] = 0, vocab - 1  # ... that the sequence contains
        cases.append(Case((table, ids)))
    return cases


def smoothed(counts, rows=True):
    import torch
    counts = torch.as_tensor(counts, dtype=torch.float32) + 1
    return counts / counts.sum(dim=1 if rows else 0, keepdim=True)


def pair_nll(probs, ids, base=math.e):
    """Mean -log P(next | current) over the pairs of ids, with the logarithm to ``base``."""
    return -(probs[ids[:-1], ids[1:]].log() / math.log(base)).mean().item()


check_bigram_loss = Exercise(
    "6.2", "bigram_loss", bigram_loss, bigram_cases, arg_names=("counts", "ids"),
    mistakes=[
        Mistake("A pair never seen in training has probability 0 without smoothing, and -log 0 is infinite: "
                "add 1 to every count before normalising.",
                lambda c, ids: pair_nll(c / c.sum(dim=1, keepdim=True), ids)),
        Mistake("Use the natural log (torch.log): losses are in nats; bits come later, dividing by ln 2.",
                lambda c, ids: pair_nll(smoothed(c), ids, base=2)),
        Mistake("Normalise each row (dim=1): row a counts what follows a, and P(next | a) must sum to 1 over "
                "the next token.", lambda c, ids: pair_nll(smoothed(c, rows=False), ids)),
        Mistake("Look up P(next | current): the row is the current token ids[:-1], the column the next one ids[1:].",
                lambda c, ids: -smoothed(c)[ids[1:], ids[:-1]].log().mean().item()),
        Mistake("Average over the pairs (.mean()), don't sum: the loss is per character.",
                lambda c, ids: -smoothed(c)[ids[:-1], ids[1:]].log().sum().item()),
        Mistake("After adding 1 to each of a row's V counts, divide by the row's total plus V, so that the row "
                "still sums to 1.", lambda c, ids: pair_nll((c + 1) / c.sum(dim=1, keepdim=True), ids)),
    ],
    hint="Count the pairs, add one to every count (add-one smoothing), normalise each row into "
         "probabilities, then average minus the log-probability of each next character.",
    detail="P(b | a) = (counts[a, b] + 1) / (counts[a].sum() + V); the loss is the mean of -ln P(ids[t+1] | ids[t]).",
    rtol=1e-5,
)


# 6.3 — causal attention weights
def attention_weights(q, k):
    """The reference: course_lib.lm.gpt.attention_weights."""
    from course_lib.lm import gpt
    return gpt.attention_weights(q, k)


def attention_cases():
    shapes = [(3, 2), (4, 4), (2, 5, 8), (2, 2, 6, 16)]
    return [Case(tuple(tensors(seed, shape, shape, scale=2.0))) for seed, shape in enumerate(shapes)]


def masked_softmax(q, k, scale, mask, dim=-1):
    """Learner-style attention with one step changed: the scale, the mask (keep / hide), the softmax axis."""
    import torch
    T = q.size(-2)
    scores = q @ k.transpose(-2, -1) * scale(q.size(-1))
    hide = mask(torch.ones(T, T, dtype=torch.bool))
    return scores.masked_fill(hide, float("-inf")).softmax(dim=dim)


def future(ones):
    return ones.triu(diagonal=1)


def mask_after_softmax(q, k):
    scores = (q @ k.transpose(-2, -1) / math.sqrt(q.size(-1))).softmax(dim=-1)
    return scores * scores.new_ones(scores.shape[-2:]).tril()


check_attention_weights = Exercise(
    "6.3", "attention_weights", attention_weights, attention_cases, arg_names=("q", "k"),
    mistakes=[
        Mistake("Without the causal mask every position sees the future: set the scores above the diagonal "
                "(key j > query i) to -inf before the softmax.",
                lambda q, k: masked_softmax(q, k, lambda d: d ** -0.5, lambda ones: ~ones)),
        Mistake("Your mask lets position i see position i + 1, a future token: hide every j > i, i.e. "
                "torch.triu(..., diagonal=1).",
                lambda q, k: masked_softmax(q, k, lambda d: d ** -0.5, lambda ones: ones.triu(diagonal=2))),
        Mistake("Your mask is the wrong way round: it hides the past and shows the future. Hide the entries "
                "above the diagonal (key j > query i).",
                lambda q, k: masked_softmax(q, k, lambda d: d ** -0.5, lambda ones: ones.tril(diagonal=-1))),
        Mistake("A position may attend to itself: hide only j > i (diagonal=1), not the diagonal too.",
                lambda q, k: masked_softmax(q, k, lambda d: d ** -0.5, lambda ones: ones.triu(diagonal=0))),
        Mistake("Scale the scores by 1/√d (d = q.shape[-1]) before the softmax: without it their spread grows "
                "with √d and the softmax saturates.", lambda q, k: masked_softmax(q, k, lambda d: 1.0, future)),
        Mistake("Divide by √d, not by d.", lambda q, k: masked_softmax(q, k, lambda d: 1 / d, future)),
        Mistake("Softmax over the keys, the last axis (dim=-1): each row holds one query's weights and must "
                "sum to 1.", lambda q, k: masked_softmax(q, k, lambda d: d ** -0.5, future, dim=-2)),
        Mistake("Mask before the softmax, with -inf: zeroing weights afterwards leaves rows that no longer sum "
                "to 1.", mask_after_softmax),
    ],
    hint="Scaled dot products between queries and keys; a position may only look at itself and the"
         " positions before it; normalise over the keys.",
    detail="weights = softmax(q @ kᵀ / √d with the entries j > i set to -inf, over the last axis).",
      rtol=1e-5, atol=1e-6,
)


# 6.4 — splitting the width into heads
def split_heads(x, n_head):
    """The reference: course_lib.lm.gpt.split_heads."""
    from course_lib.lm import gpt
    return gpt.split_heads(x, n_head)


def split_cases():
    import torch
    shapes = [((1, 3, 4), 2), ((2, 4, 6), 3), ((2, 5, 8), 2), ((1, 6, 12), 4)]
    return [Case((torch.arange(math.prod(shape), dtype=torch.float32).view(shape), n_head)) for shape, n_head in shapes]


check_split_heads = Exercise(
    "6.4", "split_heads", split_heads, split_cases, arg_names=("x", "n_head"),
    mistakes=[
        Mistake("A plain reshape to (B, n_head, T, head_size) mixes time steps into heads: view x as "
                "(B, T, n_head, head_size) first, then swap the time and head axes with .transpose(1, 2).",
                lambda x, h: x.reshape(x.size(0), h, x.size(1), x.size(2) // h)),
        Mistake("Head h takes the contiguous slice h*head_size:(h+1)*head_size of the width, not every "
                "n_head-th feature: view as (B, T, n_head, head_size), not (B, T, head_size, n_head).",
                lambda x, h: x.reshape(x.size(0), x.size(1), x.size(2) // h, h).permute(0, 3, 1, 2)),
        Mistake("Nearly: now move the head axis before the time axis, .transpose(1, 2), to get "
                "(B, n_head, T, head_size).", lambda x, h: x.reshape(x.size(0), x.size(1), h, x.size(2) // h)),
    ],
    hint="Split the channels into n_head groups, then move the head axis next to the batch axis so"
         " that each head is a separate (T, head size) problem.",
    detail="(B, T, C) -> view (B, T, n_head, C // n_head) -> transpose(1, 2) -> (B, n_head, T, C // n_head).",
)


# 6.5 — one transformer block
def block_forward(x, block):
    """The reference: course_lib.lm.gpt.Block.forward."""
    return block(x)


def block_cases():
    import torch

    from course_lib.lm import gpt

    class Shown(gpt.Block):  # a short description in feedback messages
        def __repr__(self):
            return f"Block(n_embd={self.ln_1.normalized_shape[0]}, n_head={self.attn.n_head}, random weights)"

    cases = []
    for seed, (T, n_embd, n_head) in enumerate([(2, 4, 1), (3, 8, 2), (5, 16, 4)]):
        config = gpt.GPTConfig(vocab_size=2, block_size=T, n_layer=1, n_head=n_head, n_embd=n_embd)
        with torch.random.fork_rng():
            torch.manual_seed(seed)
            block = Shown(config)
            for p in block.parameters():  # weights far from the initial ones, so every mistake shows
                p.data.normal_(0.0, 0.5)
                p.requires_grad_(False)
        cases.append(Case((tensors(seed, (2, T, n_embd))[0], block.eval())))
    return cases


def residual_after_norm(x, b):
    h = b.ln_1(x)
    x = h + b.attn(h)
    h = b.ln_2(x)
    return h + b.mlp(h)


def post_norm(x, b):
    x = b.ln_1(x + b.attn(x))
    return b.ln_2(x + b.mlp(x))


check_block = Exercise(
    "6.5", "block_forward", block_forward, block_cases, arg_names=("x", "block"),
    mistakes=[
        Mistake("The residual goes around the whole sublayer, norm included: x + attn(ln_1(x)) adds the "
                "un-normalised x, not ln_1(x).", residual_after_norm),
        Mistake("That is the original Transformer's post-norm block, norm(x + sublayer(x)) (Vaswani et al. 2017). "
                "GPT-2 normalises each sublayer's input instead: x + attn(ln_1(x)).", post_norm),
        Mistake("Keep the residual connections: add each sublayer's output to its input, x = x + ...",
                lambda x, b: b.mlp(b.ln_2(b.attn(b.ln_1(x))))),
        Mistake("The MLP reads the result of the attention step: update x first, then x = x + mlp(ln_2(x)).",
                lambda x, b: x + b.attn(b.ln_1(x)) + b.mlp(b.ln_2(x))),
    ],
    hint="A pre-norm block: normalise, apply attention, add the result back to the residual "
         "stream; then the same with the MLP.",
    detail="x = x + block.attn(block.ln_1(x)); then x = x + block.mlp(block.ln_2(x)).",
    rtol=1e-5, atol=1e-6,
)


# 6.6 — temperature and top-k
def next_token_probs(logits, temperature, top_k):
    """The reference: course_lib.lm.sampling.next_token_probs."""
    from course_lib.lm import sampling
    return sampling.next_token_probs(logits, temperature, top_k)


def sampling_cases():
    import torch
    settings = [(3, 0.5, None), (4, 2.0, None), (5, 1.0, 2), (6, 0.7, 3), (10, 1.5, 4), (10, 1.0, 1)]
    return [Case((torch.arange(n, dtype=torch.float32).roll(seed) * 0.7 - 1.0, t, k))
            for seed, (n, t, k) in enumerate(settings)]


def learner_probs(logits, temperature, top_k, temper=lambda z, t: z / t, largest=True, renormalise=True):
    """Learner-style next_token_probs with one step changed: the temperature, which k, the renormalisation."""
    logits = temper(logits, temperature)
    if top_k is None:
        return logits.softmax(dim=-1)
    keep = logits.topk(top_k, largest=largest).indices
    if renormalise:
        masked = logits.new_full(logits.shape, float("-inf"))
        masked[keep] = logits[keep]
        return masked.softmax(dim=-1)
    probs, kept = logits.softmax(dim=-1), logits.new_zeros(logits.shape)
    kept[keep] = probs[keep]
    return kept


check_next_token_probs = Exercise(
    "6.6", "next_token_probs", next_token_probs, sampling_cases, arg_names=("logits", "temperature", "top_k"),
    mistakes=[
        Mistake("Divide the logits by the temperature: a temperature below 1 must sharpen the distribution.",
                lambda z, t, k: learner_probs(z, t, k, temper=lambda z, t: z * t)),
        Mistake("When top_k is given, keep only the top_k largest logits (set the others to -inf).",
                lambda z, t, k: learner_probs(z, t, None)),
        Mistake("Apply the temperature to the logits, before the softmax: softmax(logits / T). Raising the "
                "probabilities to the power 1/T leaves them unnormalised.",
                lambda z, t, k: z.softmax(dim=-1) ** (1 / t)),
        Mistake("Keep the k *largest* logits: the most likely tokens.",
                lambda z, t, k: learner_probs(z, t, k, largest=False)),
        Mistake("Renormalise: set the other logits to -inf *before* the softmax, so that the k kept "
                "probabilities sum to 1.", lambda z, t, k: learner_probs(z, t, k, renormalise=False)),
    ],
    hint="Scale the logits by the temperature, keep only the top_k largest, and turn them into "
         "probabilities.",
    detail="probs = softmax(logits / temperature), after setting all but the top_k largest logits to -inf.",
    rtol=1e-5, atol=1e-7,
)

EXERCISES = [check_encode, check_bigram_loss, check_attention_weights, check_split_heads, check_block,
             check_next_token_probs]

QUIZ = Quiz(CHAPTER, [
    Question("A character model with a vocabulary of 100 symbols has not been trained yet and guesses uniformly. "
             "What is its loss per character?", [
        Option("ln 100 ≈ 4.61 nats, i.e. log2 100 ≈ 6.64 bits", True,
               "Each character gets probability 1/100, and -ln(1/100) = ln 100. Any model worth training must "
               "beat this; a freshly initialised GPT starts close to it."),
        Option("0 nats", False, "A loss of 0 means the right character always gets probability 1: a perfect model."),
        Option("100 nats, one for each symbol in the vocabulary", False, "The loss is a logarithm of the vocabulary size, not the size itself."),
        Option("1 nat", False, "That would mean probability 1/e ≈ 0.37 on the right character every time."),
    ]),
    Question("Why are the attention scores divided by √d before the softmax?", [
        Option("q·k of unit-variance vectors spreads by √d (d = d_head); dividing brings it near 1", True,
               "Vaswani et al. (2017) give this reason: large scores would saturate the softmax and its "
               "gradients vanish. It matters once q and k are large: in this chapter's GPT the raw scores "
               "spread by about 0.1 at initialisation (near-uniform attention either way) and by about 45 "
               "after training, where unscaled the softmax would be nearly one-hot."),
        Option("To make each row of weights sum to 1", False, "The softmax does that whatever the scale."),
        Option("To hide the future positions", False, "That is the causal mask's job, with -inf."),
        Option("It saves computation: smaller numbers make the softmax's exponentials cheaper to evaluate", False,
               "It costs one extra division; it is there for the optimisation."),
    ]),
    Question("What does the causal mask prevent?", [
        Option("Position i using the tokens after it, which it is being trained to predict", True,
               "Every position of a window is a training example for its next token; if it could see that "
               "token, the loss would drop to near 0 without learning anything useful for generation."),
        Option("Attention to the position itself", False, "A position may attend to itself (the diagonal stays)."),
        Option("Gradients flowing back from the later layers to the earlier ones in training", False, "The mask acts on attention weights, not on backprop."),
        Option("Heads attending to each other", False, "Heads never attend to each other; positions do."),
    ]),
    Question("A multi-head layer of width 64 uses 4 heads of size 16 instead of 1 head of size 64. Its parameters:", [
        Option("are the same: 64×64 projections either way, split into slices", True,
               "The query, key and value matrices are 64×64 whatever the number of heads. Heads partition the width; more heads give more, smaller attention patterns for the same count."),
        Option("are 4 times as many: every head has its own query, key and value matrices", False, "Each head gets a quarter of the width, not a full copy."),
        Option("are a quarter as many", False, "The projections still map 64 features to 64."),
    ]),
    Question("In a pre-norm block, x = x + attn(ln_1(x)). What is added to the residual stream?", [
        Option("the attention output computed from a normalised copy of x; x itself flows on unnormalised", True,
               "The residual path is an identity from the embeddings to the head, which keeps deep models "
               "trainable (He et al. 2016; Xiong et al. 2020)."),
        Option("ln_1(x), the normalised stream", False, "Adding to ln_1(x) would replace the stream by its "
               "normalised version in every block: that is the 'residual after the norm' bug of exercise 6.5."),
        Option("nothing: the block replaces x", False, "Then there would be no residual connection at all."),
    ]),
    Question("You sample with temperature 0.1. What do you get?", [
        Option("Nearly greedy text: the most likely character almost every time, often repeating itself", True,
               "softmax(logits / 0.1) multiplies the gaps between logits by 10; temperature → 0 is greedy."),
        Option("Nearly uniform random characters", False, "That is a high temperature: logits / T shrink towards 0."),
        Option("The model's own distribution", False, "That is temperature 1."),
    ]),
    Question("Why load checkpoints with torch.load(..., weights_only=True)?", [
        Option("A checkpoint is a pickle, and unpickling can run arbitrary code; weights_only accepts only "
               "tensors and plain containers", True,
               "So a checkpoint from the internet cannot take over your machine. It is the default from "
               "PyTorch 2.6 on; saying it makes the intent explicit."),
        Option("It loads faster", False, "Speed is about the same; the point is what may be unpickled."),
        Option("It skips the optimizer state", False, "It restricts the *types* in the file, not which entries."),
    ]),
    Question("A model's validation loss is 1.5 nats per character. In bits per character that is:", [
        Option("about 2.16 bits: divide by ln 2 ≈ 0.693", True, "1 bit = ln 2 nats, so 1.5 / 0.693 ≈ 2.16."),
        Option("about 1.04 bits: multiply by ln 2 ≈ 0.693", False, "That multiplies by ln 2 instead of dividing."),
        Option("1.5 bits", False, "Nats and bits differ by the factor ln 2."),
    ]),
])
