"""Chapter 03 — The forward pass: exercise checks and quiz."""
import numpy as np

from course_lib.nets import forward
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "forward_pass"


def small_ints(rng, *shape):
    """Small whole numbers as floats: easy to read in a failure message."""
    return rng.integers(-3, 4, shape).astype(float)


# --- 3.1 a linear layer ----------------------------------------------------------------

def linear_cases():
    rng = np.random.default_rng(31)
    shapes = [((2,), (2, 2)), ((2, 3), (3, 2)), ((3, 3), (3, 3)), ((4, 3), (3, 5)), ((8, 5), (5, 2))]
    return [Case((small_ints(rng, *x), small_ints(rng, *w), small_ints(rng, w[1]))) for x, w in shapes]


TRANSPOSED = ("W has shape (in, out), one column per neuron: compute x @ W + b. "
              "(x @ W.T is how torch uses its (out, in) weights.)")

check_linear = Exercise(
    "3.1", "linear", forward.linear, linear_cases, arg_names=("x", "W", "b"),
    mistakes=[
        Mistake(TRANSPOSED, lambda x, W, b: x @ W.T + b),
        Mistake("The bias has one entry per output: add b as it is, shape (out,), so that it broadcasts "
                "along every row. b[:, None] adds it down the columns instead.", lambda x, W, b: x @ W + b[:, None]),
        Mistake("Add the bias b after the matrix product.", lambda x, W, b: x @ W),
        Mistake("x @ W is a matrix product, not an elementwise one: use @ (or np.dot), not *.",
                lambda x, W, b: (x * W) + b),
    ],
    hint="Follow the chapter's shape convention: inputs as rows, one column of W per output "
         "neuron, then the bias.",
    detail="A layer computes x @ W + b: output j is the weighted sum of the inputs with column j of W, plus b[j].",
)


# --- 3.2 the slope of the sigmoid ------------------------------------------------------

def sigmoid_cases():
    rng = np.random.default_rng(32)
    return [Case((0.0,)), Case((np.array([-2.0, 0.0, 1.5]),)), Case((np.linspace(-6, 6, 13),)),
            Case((rng.normal(0, 3, (3, 4)),))]


def plain_sigmoid(z):
    return 1 / (1 + np.exp(-z))


check_sigmoid_grad = Exercise(
    "3.2", "sigmoid_grad", forward.sigmoid_grad, sigmoid_cases, arg_names=("z",),
    mistakes=[
        Mistake("Apply the sigmoid first: s = 1 / (1 + exp(-z)), then return s * (1 - s). "
                "z * (1 - z) uses z where s belongs.", lambda z: z * (1 - z)),
        Mistake("1 - s**2 is the derivative of tanh. The sigmoid's is s * (1 - s).",
                lambda z: 1 - plain_sigmoid(z) ** 2),
        Mistake("That is the sigmoid itself. The exercise asks for its slope, s * (1 - s).", plain_sigmoid),
        Mistake("The slope of the sigmoid is positive everywhere: s * (1 - s), without a minus sign.",
                lambda z: -plain_sigmoid(z) * (1 - plain_sigmoid(z))),
    ],
    hint="Differentiate the sigmoid once and write the result in terms of the sigmoid itself (the "
         "text above does it).",
    detail="Differentiate s(z) = 1 / (1 + exp(-z)): the result can be written as s(z) * (1 - s(z)).",
)


# --- 3.3 a batched MLP ------------------------------------------------------------------

def mlp_cases():
    cases = []
    for seed, (sizes, batch, act) in enumerate([([2, 2, 2], 1, forward.relu), ([2, 4, 3], 3, forward.relu),
                                                ([3, 3, 3, 3], 2, forward.tanh), ([2, 5, 5, 3], 4, forward.relu),
                                                ([4, 8, 8, 8, 2], 5, forward.tanh)]):
        rng = np.random.default_rng(330 + seed)
        params = forward.init_params(sizes, "torch", seed=seed)
        params = [(3 * W, b) for W, b in params]  # large enough for the activations to matter
        cases.append(Case((rng.normal(0, 1, (batch, sizes[0])), params, act)))
    return cases


def mlp_mistake(order):
    def wrong(x, params, activation):
        h = x
        for i, (W, b) in enumerate(params):
            h = order(h, W, b, activation, i == len(params) - 1)
        return h
    return wrong


check_mlp_forward = Exercise(
    "3.3", "mlp_forward", forward.mlp, mlp_cases, arg_names=("x", "params", "activation"),
    mistakes=[
        Mistake("The last layer gives the logits: apply the activation after every layer except the last.",
                mlp_mistake(lambda h, W, b, act, last: act(h @ W + b))),
        Mistake("Apply the activation after each hidden layer. Without it the whole network collapses "
                "into one linear layer (section 2).", mlp_mistake(lambda h, W, b, act, last: h @ W + b)),
        Mistake("Each layer computes h = activation(h @ W + b): the activation comes after the "
                "linear step, not before it.", mlp_mistake(lambda h, W, b, act, last: act(h) @ W + b)),
        Mistake(TRANSPOSED, mlp_mistake(lambda h, W, b, act, last: h @ W.T + b if last else act(h @ W.T + b))),
    ],
    hint="Apply the layers in order, each an affine map followed by the activation — except the "
         "last, which returns the logits as they are.",
    detail="Loop over the (W, b) pairs: h = x; for each layer h = h @ W + b, then h = activation(h) "
           "unless it is the last layer. Return h, the logits.",
)


# --- 3.4 a stable softmax ---------------------------------------------------------------

def softmax_cases():
    rng = np.random.default_rng(34)
    rows = [[1.0, 2.0, 3.0], [1000.0, 1001.0, 1002.0], [[1.0, 2.0], [3.0, 5.0]],
            [[1000.0, 1001.0], [-1000.0, -999.0]], [[0.0, 1.0, 2.0], [2.0, 1.0, 0.0], [5.0, 5.0, 5.0]]]
    return [Case((np.array(r),)) for r in rows] + [Case((rng.normal(0, 3, (4, 5)),)),
                                                   Case((rng.normal(0, 400, (6, 10)),))]


def exp_normalised(z, shift, total):
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(z - shift(z))
        return e / total(e)


WRONG_AXIS = ("Normalise each row over its classes: take the max and the sum along the last axis "
              "(axis=-1, keepdims=True), not down the batch (axis=0).")
KEEPDIMS = ("Keep the reduced axis (keepdims=True), so that every row is shifted by its own max and divided "
            "by its own sum; without it the row results broadcast across the columns.")

check_softmax = Exercise(
    "3.4", "softmax", forward.softmax, softmax_cases, arg_names=("logits",),
    mistakes=[
        Mistake("exp(1000) overflows to inf, and inf / inf is nan: subtract each row's max before exp. "
                "softmax(z) = softmax(z - max(z)), so the answer does not change.",
                lambda z: exp_normalised(z, lambda z: 0, lambda e: e.sum(axis=-1, keepdims=True))),
        Mistake(WRONG_AXIS, lambda z: exp_normalised(z, lambda z: z.max(axis=0, keepdims=True),
                                                     lambda e: e.sum(axis=0, keepdims=True))),
        Mistake(WRONG_AXIS, lambda z: exp_normalised(z, lambda z: z.max(axis=-1, keepdims=True),
                                                     lambda e: e.sum(axis=0, keepdims=True))),
        Mistake("Subtract each row's own max (z.max(axis=-1, keepdims=True)), not the max of the whole batch: "
                "a row far below it underflows to 0 / 0.",
                lambda z: exp_normalised(z, np.max, lambda e: e.sum(axis=-1, keepdims=True))),
        Mistake(KEEPDIMS, lambda z: exp_normalised(z, lambda z: z.max(axis=-1, keepdims=True),
                                                   lambda e: e.sum(axis=-1))),
        Mistake(KEEPDIMS, lambda z: exp_normalised(z, lambda z: z.max(axis=-1),
                                                   lambda e: e.sum(axis=-1, keepdims=True))),
        Mistake("Each row is a distribution of its own: divide by the row's sum (axis=-1, keepdims=True), "
                "not by the sum of the whole batch.",
                lambda z: exp_normalised(z, lambda z: z.max(axis=-1, keepdims=True), np.sum)),
    ],
    hint="Make each row sum to 1 — along the right axis — and subtract the row's maximum first, so"
         " that exp cannot overflow.",
    detail="e = exp(z - max of the row); return e / (sum of the row), both along axis=-1 with keepdims=True.",
)


# --- 3.5 cross-entropy from logits --------------------------------------------------------

def cross_entropy_cases():
    rng = np.random.default_rng(35)
    cases = [([[2.0, 1.0, 0.0]], [0]), ([[0.0, 0.0]], [1]), ([[1000.0, 1000.0]], [0]),
             ([[1.0, 2.0, 3.0], [1.0, 2.0, 3.0]], [2, 0]), ([[0.0, 1000.0], [1000.0, 0.0]], [0, 0])]
    cases += [(rng.normal(0, 2, (4, 3)), rng.integers(0, 3, 4)), (rng.normal(0, 3, (8, 5)), rng.integers(0, 5, 8))]
    return [Case((np.array(z), np.array(t))) for z, t in cases]


def picked(z, t):
    return z[np.arange(len(t)), t]


def naive_log_softmax(z):
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        return np.log(forward.softmax(z))


check_cross_entropy = Exercise(
    "3.5", "cross_entropy", forward.cross_entropy, cross_entropy_cases, arg_names=("logits", "targets"),
    mistakes=[
        Mistake("Average over the batch, do not add up: torch's cross_entropy uses reduction='mean', "
                "so the loss does not grow with the batch size.",
                lambda z, t: -picked(forward.log_softmax(z), t).sum()),
        Mistake("log(softmax(z)) fails when a probability underflows to 0: its log is -inf. Compute "
                "log p = z - logsumexp(z), with logsumexp(z) = m + log(sum(exp(z - m))), m the row's max.",
                lambda z, t: -picked(naive_log_softmax(z), t).mean()),
        Mistake("exp of a large logit overflows: compute logsumexp as m + log(sum(exp(z - m))), m the row's max.",
                lambda z, t: float(np.mean(np.log(np.exp(z).sum(axis=1)) - picked(z, t)))),
        Mistake("The loss is -log p(target): minus the log-probability, positive, and 0 only for a certain, "
                "correct prediction.", lambda z, t: picked(forward.log_softmax(z), t).mean()),
        Mistake("Pick one entry per row: log_p[np.arange(n), targets]. log_p[:, targets] takes, from every row, "
                "the entries of every target.", lambda z, t: -forward.log_softmax(z)[:, t].mean()),
        Mistake("A mean over all the entries also divides by the number of classes: take each row's target "
                "entry, then average over the rows.",
                lambda z, t: -(forward.log_softmax(z) * np.eye(z.shape[1])[t]).mean()),
    ],
    hint="The loss of one example is minus the log of the probability the model gives its target; "
         "take the mean over the batch, computed stably from the logits.",
    detail="loss = mean over rows of (logsumexp(row) - row[target]), with a stable logsumexp.",
)


# --- 3.6 loading torch's weights --------------------------------------------------------------

def torch_cases():
    import torch
    with torch.random.fork_rng():
        torch.manual_seed(36)
        models = [torch.nn.Sequential(torch.nn.Linear(2, 2)),
                  torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.ReLU(), torch.nn.Linear(3, 2)),
                  forward.torch_sequential([3, 4, 4, 2], "tanh")]
    return [Case((model,)) for model in models]


def linears(model):
    return [layer for layer in model if hasattr(layer, "weight")]


def torch_params(model):
    """The (W, b) pairs of a torch.nn.Sequential MLP, W = weight.T of shape (in, out)."""
    return forward.from_torch(model)[0]


check_torch_params = Exercise(
    "3.6", "torch_params", torch_params, torch_cases, arg_names=("model",),
    mistakes=[
        Mistake("torch stores a Linear layer's weight as (out, in) and computes x @ weight.T + bias: "
                "transpose it, W = weight.T, to get our (in, out).",
                lambda m: [(l.weight.detach().numpy(), l.bias.detach().numpy()) for l in linears(m)]),
        Mistake("Return one (W, b) pair per Linear layer: the biases are parameters too.",
                lambda m: [l.weight.detach().numpy().T for l in linears(m)]),
        Mistake("Every Linear layer has its pair, in order: model[0], model[2], model[4], ...",
                lambda m: [(m[0].weight.detach().numpy().T, m[0].bias.detach().numpy())]),
    ],
    hint="torch stores each Linear's weight as (out, in); this chapter's convention is (in, out), "
         "as numpy arrays.",
    detail="For each torch.nn.Linear in the model, in order: (layer.weight.detach().numpy().T, "
           "layer.bias.detach().numpy()).",
)

EXERCISES = [check_linear, check_sigmoid_grad, check_mlp_forward, check_softmax, check_cross_entropy,
             check_torch_params]

QUIZ = Quiz(CHAPTER, [
    Question("A network stacks three linear layers, with no activation between them. What can it compute?", [
        Option("Anything a three-layer network with ReLUs can", False,
               "Without the nonlinearity the layers compose: x W1 W2 W3 + ... is x W + b for one W and b."),
        Option("Exactly what a single linear layer can", True,
               "(x W1 + b1) W2 + b2 = x (W1 W2) + (b1 W2 + b2): one layer. Section 2 checks it numerically."),
        Option("Nothing useful: it always outputs zero", False,
               "It computes a linear function, which is useful, just limited: its decision boundary is a "
               "straight line."),
    ]),
    Question("A batch x of 32 images of 784 pixels passes through a layer with W of shape (784, 128) and b "
             "of shape (128,). What is the shape of x @ W + b?", [
        Option("(32, 128)", True, "(32, 784) @ (784, 128) gives (32, 128); b of shape (128,) is added to "
               "every row."),
        Option("(128, 32)", False, "That is the transpose: with one example per row, the batch stays the "
               "first dimension."),
        Option("(32, 784)", False, "A layer maps 784 inputs to 128 outputs per example."),
        Option("An error: b has the wrong shape", False, "b of shape (128,) broadcasts along the batch: "
               "each of the 32 rows gets the same bias."),
    ]),
    Question("torch.nn.Linear(784, 128).weight has which shape, and what does the layer compute?", [
        Option("(784, 128), and x @ weight + bias", False, "That is this chapter's convention, not torch's."),
        Option("(128, 784), and x @ weight.T + bias", True,
               "torch keeps one row per output neuron, (out, in). Copying it into our (in, out) convention "
               "takes a transpose, which is what from_torch does."),
        Option("(128, 784), and weight @ x + bias with x of shape (batch, 784)", False,
               "(128, 784) @ (batch, 784) does not even multiply unless batch is 784."),
    ]),
    Question("Why does a stable softmax subtract the largest logit before taking exp?", [
        Option("It changes the probabilities slightly but makes them more accurate", False,
               "It does not change them at all: exp(z - m) / sum(exp(z - m)) = exp(z) / sum(exp(z))."),
        Option("exp overflows for large logits; after the shift every exp is ≤ 1", True,
               "exp of a large logit is inf, and inf / inf is nan. In float64 exp overflows above about 709.8, in float32 above about 88.7. The shift leaves "
               "the result unchanged."),
        Option("To make the largest probability exactly 1", False,
               "After the shift the largest exp is 1, but dividing by the sum still gives probabilities "
               "that sum to 1."),
    ]),
    Question("A freshly initialised 10-class classifier reports a cross-entropy loss of about 2.30. What does "
             "that tell you?", [
        Option("Something is broken: the loss should start near 0", False,
               "A loss near 0 means confident, correct predictions, which an untrained model cannot make."),
        Option("It predicts close to uniform probabilities, as expected: ln 10 ≈ 2.303", True,
               "With p = 1/10 for every class, -log p = ln 10. A starting loss far above ln K means "
               "overconfident wrong guesses, often a sign of too large initial weights."),
        Option("It is right about 23% of the time", False, "The loss is a log-probability, not an accuracy."),
    ]),
    Question("A deep ReLU network of width 256 starts with weights drawn from N(0, 1). What happens to the "
             "size of its activations, layer after layer?", [
        Option("It stays about the same: the weights are centred on zero", False,
               "That needs Var(w) = 2 / n_in (He et al., 2015); N(0, 1) has 128 times that variance here."),
        Option("It grows by about √(256 / 2) ≈ 11 per layer", True,
               "More than 10^20 times after 20 layers. Each layer multiplies the variance by n_in · Var(w) / 2 = 128. Section 8 plots it."),
        Option("It shrinks towards zero, layer after layer", False, "That is what too small weights (e.g. N(0, 0.01²)) do."),
    ]),
    Question("Which initialisation keeps the scale of a tanh network's activations roughly steady through depth?",
             [
        Option("All weights zero", False, "Then every neuron of a layer computes the same thing, and the "
               "signal after the first layer is 0."),
        Option("Glorot & Bengio (2010): Var(w) = 2 / (n_in + n_out)", True,
               "A compromise between keeping the variance of the forward activations (1 / n_in) and of the "
               "backward gradients (1 / n_out), for activations that are linear near 0, like tanh."),
        Option("N(0, 1) for every weight", False, "With 256 inputs the pre-activations have a standard "
               "deviation near 16: tanh saturates at ±1 and its slope is almost 0."),
    ]),
])
