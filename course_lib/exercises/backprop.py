"""Chapter 04 — Backpropagation: exercise checks and quiz.

Most checks here do not call the learner's function on plain numbers: they build small
computational graphs with it (an operation, a backward pass, a training step) and
compare what comes out with the reference engine. ``Harnessed`` does that wrapping.
"""
from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Callable

import numpy as np

from course_lib.nets import autograd, backprop, forward, gradcheck
from course_lib.nets.autograd import Value
from course_lib.machinery.exercise import Case, Exercise, Mistake
from course_lib.machinery.quiz import Option, Question, Quiz

CHAPTER = "backprop"


# Graphs written as expressions over named inputs; the functions are the engine's.
FUNCTIONS = {"tanh": Value.tanh, "exp": Value.exp, "log": Value.log, "relu": Value.relu}


def build(expression: str, values: dict, **functions) -> tuple[Value, dict[str, Value]]:
    """The graph of ``expression`` with a Value leaf per input; ``functions`` replace the engine's."""
    leaves = {name: Value(x, label=name) for name, x in values.items()}
    out = eval(expression, {"__builtins__": {}, **FUNCTIONS, **functions}, dict(leaves))
    return out, leaves


# Exercise 4.1 — the chain rule by hand on f = (x·y + z)·y.
def hand_gradients(x: float, y: float, z: float) -> tuple[float, float, float]:
    """(df/dx, df/dy, df/dz) of f = (x·y + z)·y, here from the engine."""
    f, leaves = build("(x * y + z) * y", {"x": x, "y": y, "z": z})
    f.backward()
    return leaves["x"].grad, leaves["y"].grad, leaves["z"].grad


check_hand_gradients = Exercise(
    "4.1", "hand_gradients", hand_gradients,
    [Case((2.0, 3.0, 1.0)), Case((-1.0, 0.5, 4.0)), Case((0.3, -2.0, -1.5)), Case((5.0, -0.25, 2.0))],
    arg_names=("x", "y", "z"),
    mistakes=[
        Mistake("y is used twice — inside u = x·y and in the final product — so its gradient is the sum of "
                "both paths: df/dy = v·1 + (df/du)·x. You kept only the path through the final product.",
                lambda x, y, z: (y * y, x * y + z, y)),
        Mistake("y is used twice, so df/dy adds two paths; you kept only the path through u = x·y. "
                "Add the direct one: d(v·y)/dy = v.", lambda x, y, z: (y * y, y * x, y)),
        Mistake("The chain rule multiplies the local derivative by the gradient arriving from above: "
                "df/du = df/dv · dv/du = y · 1, so df/dx = y · y, not just y.",
                lambda x, y, z: (y, x * y + z + x, 1.0)),
    ],
    hint="Name each intermediate step, then apply the chain rule backwards from f; a variable used"
         " twice collects a contribution from each use.",
    detail="Name the steps u = x·y, v = u + z, f = v·y; go backwards: df/dv = y, then df/du = df/dv, "
           "df/dz = df/dv, df/dx = df/du·y, and df/dy collects v (direct) plus df/du·x.",
  )


# Exercise 4.2 — an operation: tanh with its local derivative.
def on_graphs_with_tanh(tanh: Callable[[Value], Value]) -> Callable:
    """Run graphs that use ``tanh``; return the output, every input's gradient and the local
    derivative each tanh node recorded."""
    def run(expression, values):
        recorded = []

        def checked_tanh(x):
            out = tanh(x)
            if not isinstance(out, Value):
                raise TypeError(f"tanh must return a new Value, got {type(out).__name__}")
            if not isinstance(out.parents, (tuple, list)) or not all(isinstance(p, Value) for p in out.parents):
                raise TypeError(f"tanh's new Value needs its parents as a tuple of Values, (x,); got "
                                f"{out.parents!r}")
            if not isinstance(out.local_grads, (tuple, list)):
                raise TypeError(f"tanh's new Value needs its local derivatives as a tuple, (1 - t*t,); got "
                                f"{out.local_grads!r}")
            recorded.extend(out.local_grads)
            return out
        out, leaves = build(expression, values, tanh=checked_tanh)
        out.backward()
        return out.data, {name: leaf.grad for name, leaf in leaves.items()}, recorded
    return run


def tanh_of_input(x):
    return Value(math.tanh(x.data), (x,), (1 - x.data ** 2,), "tanh")


def tanh_no_square(x):
    t = math.tanh(x.data)
    return Value(t, (x,), (1 - t,), "tanh")


def tanh_no_parent(x):
    return Value(math.tanh(x.data), (), (), "tanh")


def tanh_of_output(x):
    t = math.tanh(x.data)
    return Value(t, (x,), (t,), "tanh")


TANH_GRAPHS = [
    ("tanh(a)", {"a": 0.5}), ("tanh(a)", {"a": -1.5}), ("tanh(a) * a", {"a": 0.8}),
    ("tanh(tanh(a))", {"a": 1.2}), ("tanh(a) + tanh(a) ** 2", {"a": -0.7}),
    ("tanh(a * b)", {"a": 0.6, "b": -2.0}), ("tanh(a) * tanh(b)", {"a": 2.5, "b": 0.1}),
    ("tanh(a * b + c)", {"a": 1.0, "b": -0.5, "c": 0.3}), ("exp(tanh(a) - b) * c", {"a": -0.4, "b": 0.9, "c": 1.7}),
    ("tanh(tanh(a * b) + tanh(b * c))", {"a": 0.9, "b": -1.1, "c": 2.0}),
]

check_tanh = Exercise(
    "4.2", "tanh", Value.tanh, [Case(g) for g in TANH_GRAPHS], harness=on_graphs_with_tanh,
    arg_names=("graph", "inputs"), shows="(the graph's output, each input's gradient, your tanh nodes' local derivatives)",
    mistakes=[
        Mistake("d tanh(x)/dx = 1 - tanh(x)², written with the *output* t = tanh(x): 1 - t*t. "
                "You used the input: 1 - x*x.", tanh_of_input),
        Mistake("The derivative is 1 - t² (t squared), not 1 - t.", tanh_no_square),
        Mistake("The new Value must list x as its parent, with the local derivative: "
                "Value(t, (x,), (1 - t*t,), 'tanh'). Without a parent no gradient flows back to x.",
                tanh_no_parent),
        Mistake("The local derivative of tanh is 1 - t², not t (the output itself).", tanh_of_output),
    ],
    hint="A new node needs its value, its parents and the derivative of its output with respect to"
         " each parent (__mul__ above is built that way).",
    detail="Return Value(t, (x,), (1 - t*t,), 'tanh') with t = math.tanh(x.data): the number, "
           "the parent, and d(output)/d(parent).",
)


# Exercise 4.3 — backward over a whole graph.
def on_graphs_with_backward(backward: Callable[[Value], None]) -> Callable:
    """Build each graph with the engine, run ``backward`` on it, return every input's gradient."""
    def run(expression, values):
        out, leaves = build(expression, values)
        for node in autograd.topological_order(out):
            node.grad = 0.0
        backward(out)
        return {name: leaf.grad for name, leaf in leaves.items()}
    return run


def backward_variant(seed: bool = True, order: str = "reversed", accumulate: bool = True,
                     local: bool = True) -> Callable:
    """The backward loop with one step changed: no seed, the forward order, = instead of +=,
    or the local derivative left out."""
    def backward(root):
        if seed:
            root.grad = 1.0
        nodes = autograd.topological_order(root)
        for node in reversed(nodes) if order == "reversed" else nodes:
            for parent, derivative in zip(node.parents, node.local_grads):
                share = (derivative if local else 1.0) * node.grad
                parent.grad = parent.grad + share if accumulate else share
    return backward


def backward_every_path(root):
    """Recursion without a topological order: a node passes its gradient on once per path to it."""
    root.grad = 1.0

    def visit(node):
        for parent, local in zip(node.parents, node.local_grads):
            parent.grad += local * node.grad
            visit(parent)
    visit(root)


BACKWARD_GRAPHS = [
    ("a * b", {"a": 1.5, "b": -2.0}), ("a * a", {"a": 1.5}), ("tanh(a) * 3", {"a": 0.4}),
    ("exp(a) + a", {"a": 0.3}), ("(a + 2) ** 3", {"a": -0.5}), ("log(a) / a", {"a": 2.5}),
    ("(u := tanh(a)) * u", {"a": 0.8}), ("(u := a * b + 1) * tanh(u)", {"a": 0.5, "b": -1.5}),
    ("relu(a * b) - a", {"a": 1.2, "b": 0.7}), ("tanh(a * b) * a", {"a": -0.9, "b": 1.3}),
    ("(a * b + c) * (a + c)", {"a": 0.5, "b": -1.5, "c": 2.0}),
    ("exp(tanh(a * b) + c) * b", {"a": 1.1, "b": -0.6, "c": 0.2}),
    ("tanh(tanh(tanh(a) * b) * c) * a", {"a": 0.7, "b": 1.8, "c": -1.2}),
    ("(a * b + b * c + c * a) ** 2 / (1 + d * d)", {"a": 0.3, "b": -0.8, "c": 1.4, "d": 0.6}),
]

check_backward = Exercise(
    "4.3", "backward", autograd.Value.backward, [Case(g) for g in BACKWARD_GRAPHS],
    harness=on_graphs_with_backward, arg_names=("graph", "inputs"), shows="(each input's gradient)",
    mistakes=[
        Mistake("Wrong order: go from the output back to the inputs, "
                "for node in reversed(topological_order(root)). Forwards, a node passes on its gradient "
                "before it has received any.", backward_variant(order="forward")),
        Mistake("A value used in two places gets gradient from both: accumulate with "
                "parent.grad += ..., do not overwrite with =.", backward_variant(accumulate=False)),
        Mistake("Every gradient stayed 0: nothing reached the leaves' .grad. Seed the output first, "
                "root.grad = 1.0 (every gradient is a multiple of it), and add each share to the *parent*'s "
                ".grad, parent.grad += local * node.grad — the check reads .grad, not what backward returns.",
                backward_variant(seed=False)),
        Mistake("The chain rule multiplies by the local derivative: "
                "parent.grad += local * node.grad, with local from node.local_grads.",
                backward_variant(local=False)),
        Mistake("Walking every path from the root passes a node's gradient on before the node has "
                "collected it from all its users: visit each node once, in reversed(topological_order(root)).",
                backward_every_path),
    ],
    hint="Seed the output's gradient, visit the nodes in reverse topological order, and add each "
         "node's contribution to its parents — add, since a node may feed several others.",
    detail="root.grad = 1.0; then for node in reversed(topological_order(root)): for each "
           "(parent, local) in zip(node.parents, node.local_grads): parent.grad += local * node.grad.",
)


# Exercise 4.4 — a training step, gradients zeroed.
def toy_batch(seed: int, n: int) -> tuple[list[list[float]], list[int]]:
    """n random points in the square [-1, 1]², labelled 1 where x·y > 0."""
    rng = random.Random(seed)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(n)]
    return xs, [int(x * y > 0) for x, y in xs]


def steps_of(train_step: Callable) -> Callable:
    """Take ``steps`` training steps on a small model; return each step's loss and the final loss."""
    def run(seed, sizes, steps, learning_rate):
        xs, ys = toy_batch(seed, 6)
        model = autograd.MLP(2, sizes, seed=seed)
        losses = [loss_number(train_step(model, xs, ys, learning_rate)) for _ in range(steps)]
        return losses, autograd.mean_cross_entropy(model, xs, ys).data
    return run


def loss_number(loss) -> float:
    """What train_step returned, if it is the loss as a number; the plot of the losses needs one."""
    if loss is None:
        raise TypeError("train_step returned None: did you forget the `return` (of loss.data)?")
    if isinstance(loss, Value):
        raise TypeError("train_step returned the loss as a Value: return its number, loss.data")
    if not isinstance(loss, (int, float)) or isinstance(loss, bool):
        raise TypeError(f"train_step must return the loss as a number (loss.data), got {type(loss).__name__}")
    return float(loss)


def step_variant(zero_grad: str = "first", direction: float = -1.0) -> Callable:
    """A training step that zeroes the gradients "first", "never" or "before the update", and moves
    each parameter by direction × learning_rate × gradient (the right one: "first", -1)."""
    def step(model, xs, ys, learning_rate):
        if zero_grad == "first":
            model.zero_grad()
        loss = autograd.mean_cross_entropy(model, xs, ys)
        loss.backward()
        if zero_grad == "before the update":
            model.zero_grad()
        for p in model.parameters():
            p.data += direction * learning_rate * p.grad
        return loss.data
    return step


check_train_step = Exercise(
    "4.4", "train_step", autograd.train_step,
    [Case((0, [2], 3, 0.5)), Case((1, [3, 2], 3, 0.5)), Case((2, [3, 2], 3, 0.5)),
     Case((3, [4, 2], 3, 0.3)), Case((4, [4, 4, 2], 4, 0.2))],
    harness=steps_of, arg_names=("seed", "sizes", "steps", "learning_rate"),
    shows="(the loss your train_step returned at each step, the loss after the last step)",
    mistakes=[
        Mistake("Forgot to zero the gradients: backward *adds* to .grad, so from the second step on "
                "you descend along the sum of all past gradients. Call model.zero_grad() before backward.",
                step_variant(zero_grad="never")),
        Mistake("The loss went up: step *against* the gradient, p.data -= learning_rate * p.grad.",
                step_variant(direction=+1.0)),
        Mistake("The parameters did not move: the gradients were 0 when you updated. Call loss.backward() "
                "after computing the loss, zero the gradients before it (not between backward and the update), "
                "and change p.data in place.", step_variant(zero_grad="before the update")),
    ],
    hint="One step: clear the old gradients, compute the loss, run backward, move every parameter "
         "against its gradient, and return the loss as a number.",
    detail="model.zero_grad(); loss = mean_cross_entropy(model, xs, ys); loss.backward(); then "
           "p.data -= learning_rate * p.grad for every parameter; return loss.data.",
)


# Exercise 4.5 — the numerical gradient.
@dataclass(frozen=True)
class Function:
    """A test function shown by its formula in feedback messages."""
    formula: str
    f: Callable[[np.ndarray], float]

    def __call__(self, x: np.ndarray) -> float:
        return self.f(x)

    def __repr__(self) -> str:
        return self.formula


GRADCHECK_CASES = [
    Case((Function("sum(x**3)", lambda x: float(np.sum(x ** 3))), np.array([0.5]), 1e-4)),
    Case((Function("sum(x**3)", lambda x: float(np.sum(x ** 3))), np.array([1.0, -2.0]), 1e-4)),
    Case((Function("sum(x)**3", lambda x: float(np.sum(x) ** 3)), np.array([0.3, 0.2, -0.1]), 1e-4)),
    Case((Function("prod(x) + sum(exp(x))", lambda x: float(np.prod(x) + np.sum(np.exp(x)))),
          np.array([0.5, -1.0, 2.0, 0.25]), 1e-4)),
    Case((Function("sum(tanh(x @ x.T))", lambda x: float(np.tanh(x @ x.T).sum())),
          np.array([[0.2, -0.4, 0.1], [0.5, 0.3, -0.2]]), 1e-4)),
]


def forward_difference(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        nudged = x.copy()
        nudged[i] += h
        grad[i] = (f(nudged) - f(x)) / h
    return grad


def not_restored(f, x, h):
    """Each nudge stays in: every later partial derivative is taken with the earlier inputs at x - h."""
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in np.ndindex(x.shape):
        grad[i] = gradcheck.numerical_gradient(f, x, h)[i]
        x[i] -= h
    return grad


def over_h(f, x, h):
    return gradcheck.numerical_gradient(f, x, h) * 2


def all_at_once(f, x, h):
    x = np.array(x, dtype=float)
    return np.full(x.shape, (f(x + h) - f(x - h)) / (2 * h))


def rows_only(f, x, h):
    x, grad = np.array(x, dtype=float), np.zeros(np.shape(x))
    for i in range(len(x)):
        plus, minus = x.copy(), x.copy()
        plus[i] += h
        minus[i] -= h
        grad[i] = (f(plus) - f(minus)) / (2 * h)
    return grad


check_numerical_gradient = Exercise(
    "4.5", "numerical_gradient", gradcheck.numerical_gradient, GRADCHECK_CASES, arg_names=("f", "x", "h"),
    mistakes=[
        Mistake("That is the one-sided difference (f(x+h) - f(x)) / h, whose error shrinks only like h. "
                "Use the central difference (f(x+h) - f(x-h)) / (2h): its error shrinks like h².",
                forward_difference),
        Mistake("The central difference divides by 2h: the two points are 2h apart.", over_h),
        Mistake("Put each input back after nudging it (x[i] = old): otherwise the next partial "
                "derivative is taken at a shifted point.", not_restored),
        Mistake("Nudge one input at a time: moving all of them at once measures the slope along "
                "the diagonal, not each partial derivative.", all_at_once),
        Mistake("x can be a matrix: loop over every element, e.g. for i in np.ndindex(x.shape), "
                "not over its rows.", rows_only),
    ],
    hint="A central difference per coordinate: nudge one entry up and down by h, evaluate, put it "
         "back, and divide the difference by the full width of the step.",
    detail="For each index i of x: save old = x[i]; x[i] = old + h → f⁺; x[i] = old - h → f⁻; "
           "x[i] = old; grad[i] = (f⁺ - f⁻) / (2h).",
      rtol=1e-7, atol=1e-9, factors={1e-8: "multiplied by h² (h = 1e-4): (f⁺ - f⁻) / 2 * h multiplies by h; "
                                          "write / (2 * h), with the brackets"},
)


# Exercise 4.6 — the backward pass of a linear layer.
def linear_case(batch: int, n_in: int, n_out: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case((rng.normal(size=(batch, n_out)).round(2), rng.normal(size=(batch, n_in)).round(2),
                 rng.normal(size=(n_in, n_out)).round(2)))


check_linear_backward = Exercise(
    "4.6", "linear_backward", backprop.linear_backward,
    lambda: [linear_case(*shape, seed) for seed, shape in enumerate([(1, 1, 1), (2, 2, 2), (3, 2, 2),
                                                                     (4, 3, 2), (5, 2, 4), (16, 8, 3)])],
    arg_names=("dz", "x", "W"),
    shapes="The chapter's convention: x (batch, in), W (in, out), z = x @ W + b and dz (batch, out).",
    mistakes=[
        Mistake("dW must have W's shape (in, out): dW = x.T @ dz. dz.T @ x is its transpose.",
                lambda dz, x, W: (dz @ W.T, dz.T @ x, dz.sum(axis=0))),
        Mistake("dx must have x's shape (batch, in): dx = dz @ W.T (W transposed: it maps back from out to in).",
                lambda dz, x, W: (dz @ W, x.T @ dz, dz.sum(axis=0))),
        Mistake("Every row of the batch used the same b, so db adds their gradients: dz.sum(axis=0), "
                "not the mean.", lambda dz, x, W: (dz @ W.T, x.T @ dz, dz.mean(axis=0))),
        Mistake("db has b's shape (out,): sum dz over the batch rows, dz.sum(axis=0).",
                lambda dz, x, W: (dz @ W.T, x.T @ dz, dz)),
        Mistake("db sums over the batch rows (axis=0), one entry per output; you summed over axis 1.",
                lambda dz, x, W: (dz @ W.T, x.T @ dz, dz.sum(axis=1))),
    ],
    hint="Each gradient has the shape of what it is the gradient of: match the shapes and the "
         "matrix products follow.",
    detail="Match the shapes: dx (batch, in) = dz @ W.T; dW (in, out) = x.T @ dz; db (out,) = dz.sum(axis=0).",
)


# Exercise 4.7 — the backward pass of softmax and cross-entropy together.
def logits_case(batch: int, classes: int, seed: int) -> Case:
    rng = np.random.default_rng(seed)
    return Case(((2 * rng.normal(size=(batch, classes))).round(2), rng.integers(0, classes, size=batch)))


def onehot(targets, classes):
    return np.eye(classes)[targets]


check_softmax_cross_entropy_backward = Exercise(
    "4.7", "softmax_cross_entropy_backward", backprop.softmax_cross_entropy_backward,
    lambda: [logits_case(1, 2, 0), logits_case(1, 3, 1), logits_case(2, 3, 2), logits_case(4, 3, 3),
             Case((np.array([[1000.0, 0.0, -5.0], [3.0, 800.0, 1.0]]), np.array([0, 2]))),
             logits_case(32, 10, 5)],
    arg_names=("logits", "targets"),
    mistakes=[
        Mistake("The loss is the *mean* over the batch, so every row's gradient is divided by the batch size.",
                lambda z, t: forward.softmax(z) - onehot(t, z.shape[1])),
        Mistake("Subtract 1 at each row's target class: dz = (softmax(z) - onehot(targets)) / batch.",
                lambda z, t: forward.softmax(z) / len(t)),
        Mistake("The sign is flipped: it is softmax(z) - onehot(targets), so raising the right class's "
                "logit lowers the loss.", lambda z, t: (onehot(t, z.shape[1]) - forward.softmax(z)) / len(t)),
        Mistake("Take the softmax of the logits first: dz = (softmax(z) - onehot) / batch, not (z - onehot) / batch.",
                lambda z, t: (z - onehot(t, z.shape[1])) / len(t)),
        Mistake("Use a softmax stable for large logits: subtract each row's max before exp "
                "(forward.softmax does it).",
                lambda z, t: (np.exp(z) / np.exp(z).sum(axis=1, keepdims=True) - onehot(t, z.shape[1])) / len(t)),
    ],
    hint="The gradient of the mean cross-entropy with respect to the logits is the predicted "
         "probabilities minus the one-hot targets, averaged over the batch.",
    detail="p = softmax(logits) row by row; subtract 1 at each row's target; divide everything by the batch size.",
)

EXERCISES = [check_hand_gradients, check_tanh, check_backward, check_train_step, check_numerical_gradient,
             check_linear_backward, check_softmax_cross_entropy_backward]

QUIZ = Quiz(CHAPTER, [
    Question("Why does backward visit the nodes in *reverse* topological order?", [
        Option("It is faster than any other order", False,
               "Every order does the same arithmetic; the question is whether the numbers are right."),
        Option("So that each node has all its users' shares before it passes its gradient on", True, "A node's gradient is the sum of the shares of everything computed from it; in reverse "
               "topological order all those users come first."),
        Option("Because the forward pass stored the values in reverse order, and reading them back is cheaper",
               False,
               "The order comes from the graph's edges, not from how values were stored."),
        Option("To visit the parameters first", False, "The parameters are leaves: they come last."),
    ]),
    Question("In y = a·b + a, what is dy/da?", [
        Option("b", False, "That counts only the path through the product; a is also added directly."),
        Option("b + 1", True, "a is used twice, so its gradient is the sum over both paths: b from a·b, "
               "1 from + a. This is why the engine accumulates with +=."),
        Option("1", False, "That counts only the direct path."),
        Option("a·b + 1", False, "The local derivative of a·b with respect to a is b, not a·b."),
    ]),
    Question("A training loop calls loss.backward() every step but never zeroes the gradients. What happens?", [
        Option("Nothing: each backward() call overwrites .grad with the new gradients, so old ones are lost", False,
               "In this engine and in PyTorch backward *adds* to .grad, so that reused values work."),
        Option("Each step follows the sum of all past gradients, so training drifts or diverges", True,
               "Zero them (model.zero_grad() or optimizer.zero_grad()) before each backward. Accumulating on "
               "purpose over several batches is gradient accumulation (chapter 08) — a choice, not an accident."),
        Option("The program crashes on the second step", False, "Nothing complains: the numbers are just wrong."),
    ]),
    Question("A gradient check in float64 gives a relative error of 3e-2 for one weight matrix and 1e-9 for "
             "the others. What does it say?", [
        Option("All is well: 3e-2 is a small relative error, and rounding in the loss explains it", False,
               "In float64 a correct gradient agrees to about 1e-9, as the others show. 3% off is a bug."),
        Option("There is a bug in that matrix's gradient (or in a step feeding only it)", True,
               "Checking each parameter array on its own points to where the mistake is."),
        Option("The step h is too small", False, "h = 1e-6 in float64 leaves errors of about 1e-8 (the best step, "
               "near ε^(1/3) ≈ 5e-6, about 1e-9), as the other matrices show."),
        Option("Use float32 to check instead", False, "In float32 even a correct gradient is 1e-4 or more off "
               "(section 6's plot): checks run in float64."),
    ]),
    Question("For z = x @ W + b with x of shape (B, in) and W of shape (in, out), the gradient dL/dW is:", [
        Option("dz @ W.T", False, "That is dL/dx, of shape (B, in)."),
        Option("dz.T @ x", False, "That has shape (out, in): W's transpose. A gradient has the shape of its variable."),
        Option("x.T @ dz", True, "Shape (in, B) @ (B, out) = (in, out), and the product sums over the batch, "
               "as every example used the same W."),
        Option("x @ dz", False, "The shapes (B, in) @ (B, out) do not even multiply."),
    ]),
    Question("The gradient of the mean cross-entropy with respect to the logits is:", [
        Option("(softmax(z) - onehot(y)) / B", True,
               "Softmax and the log cancel into this simple form: push up the right class, push down the "
               "others in proportion to their probability."),
        Option("softmax(z) / B", False, "It misses the -1 at the target class."),
        Option("(z - onehot(y)) / B", False, "It needs the probabilities softmax(z), not the raw logits."),
        Option("-log softmax(z)[y]", False, "That is the loss itself, not its gradient."),
    ]),
    Question("A model has a million parameters. Roughly how many forward passes does a gradient by "
             "central differences need, and how much work does backprop need?", [
        Option("2 million forward passes; backprop a few", True,
               "Two evaluations per parameter against one forward and one backward (about twice a forward in "
               "FLOPs, so about 3 forward passes' worth) for all of them: reverse mode is why training large "
               "models is possible."),
        Option("1 forward pass each", False, "Central differences move one parameter at a time."),
        Option("Both about 2 million", False, "Backprop's cost does not grow with the number of parameters "
               "beyond the forward pass's own cost."),
    ]),
    Question("The scalar engine and numpy do the same arithmetic. Why is the engine hundreds of times slower?", [
        Option("Its arithmetic is more careful, with extra rounding steps that take time", False,
               "Both use float64 and agree to about 1e-16."),
        Option("Each scalar operation pays Python's overhead; numpy pays it once per array", True,
               "That per-operation overhead, paid once per number instead of once per array, is why frameworks "
               "vectorise."),
        Option("It computes extra derivatives that numpy never needs, for every intermediate value", False,
               "It computes exactly the gradients numpy computes."),
    ]),
])
