"""A scalar autograd engine: reverse-mode automatic differentiation, one number at a time.

A ``Value`` holds a number and remembers how it was made: the Values it was computed
from (its ``parents``) and, for each parent, the *local derivative*
d(this value)/d(parent), worked out in the forward pass while the numbers are at hand.

``backward()`` applies the chain rule from the output back to the inputs. It visits
the nodes in reverse topological order — every node after all the nodes that use it —
so that a node has collected the gradient from all of its users before it passes it on:

    parent.grad += local_derivative * node.grad        (+=: a value used twice gets both shares)

Gradients of leaves (inputs and parameters) *accumulate* across calls of backward, as in
PyTorch: a training loop zeroes them before every step (``Module.zero_grad``).

After micrograd (Karpathy, 2020), with the local derivatives stored as numbers rather
than as closures, so that one loop in ``backward`` does all the chain-rule work.
"""
from __future__ import annotations

import math
import random
from typing import Sequence, Union

Number = Union[int, float]


class Value:
    """A scalar in a computational graph: its number, its gradient, and where it came from."""

    __slots__ = ("data", "grad", "parents", "local_grads", "op", "label")

    def __init__(self, data: Number, parents: tuple[Value, ...] = (), local_grads: tuple[float, ...] = (),
                 op: str = "", label: str = ""):
        if isinstance(data, bool) or not isinstance(data, (int, float)):
            raise TypeError(f"a Value holds one real number (int or float), got {type(data).__name__}: {data!r}")
        if isinstance(parents, Value) or isinstance(local_grads, (int, float)):
            raise TypeError("parents and local_grads are tuples, one entry per parent: "
                            "Value(data, (x,), (local,), op) — note the commas")
        if len(parents) != len(local_grads):
            raise ValueError(f"need one local derivative per parent: {len(parents)} parents, "
                             f"{len(local_grads)} local derivatives")
        self.data = float(data)
        self.grad = 0.0                              # d(output)/d(this), filled in by backward()
        self.parents = parents                       # the Values this one was computed from
        self.local_grads = local_grads               # d(this)/d(parent), one per parent
        self.op = op                                 # how it was made, for printing and drawing
        self.label = label                           # an optional name, for drawing

    def __repr__(self) -> str:
        name = f"{self.label}: " if self.label else ""
        return f"Value({name}data={self.data:.6g}, grad={self.grad:.6g})"

    # The primitive operations: each returns the result and its local derivatives.
    def __add__(self, other: Value | Number) -> Value:
        other = as_value(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")

    def __mul__(self, other: Value | Number) -> Value:
        other = as_value(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data), "×")

    def __pow__(self, k: Number) -> Value:
        if isinstance(k, bool) or not isinstance(k, (int, float)):
            raise TypeError(f"the power must be a constant number, got {type(k).__name__} "
                            "(for a Value exponent write (k * x.log()).exp())")
        if self.data == 0 and k < 1:
            raise ZeroDivisionError(f"0 ** {k}: the power or its derivative is infinite at 0")
        if self.data < 0 and not float(k).is_integer():
            raise ValueError(f"({self.data}) ** {k}: a negative number to a fractional power is not real")
        return Value(self.data ** k, (self,), (k * self.data ** (k - 1),), f"^{k:g}")

    def exp(self) -> Value:
        e = math.exp(self.data)
        return Value(e, (self,), (e,), "exp")

    def log(self) -> Value:
        if self.data <= 0:
            raise ValueError(f"log of {self.data}: the logarithm needs a positive number")
        return Value(math.log(self.data), (self,), (1 / self.data,), "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return Value(t, (self,), (1 - t * t,), "tanh")

    def relu(self) -> Value:
        return Value(max(self.data, 0.0), (self,), (float(self.data > 0),), "ReLU")

    # Everything else is built from the primitives, so needs no derivative of its own.
    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other: Value | Number) -> Value:
        return self + (-other)

    def __truediv__(self, other: Value | Number) -> Value:
        return self * as_value(other) ** -1

    def __radd__(self, other: Number) -> Value:
        return self + other

    def __rsub__(self, other: Number) -> Value:
        return as_value(other) - self

    def __rmul__(self, other: Number) -> Value:
        return self * other

    def __rtruediv__(self, other: Number) -> Value:
        return as_value(other) / self

    def backward(self) -> None:
        """Fill in ``.grad`` of every Value this one depends on: d(self)/d(that value).

        Leaves (Values with no parents: inputs, parameters) accumulate, as in PyTorch, so
        calling backward twice doubles their gradients; intermediate Values hold the
        gradient of the latest call only.
        """
        order = topological_order(self)
        for node in order:
            if node.parents:
                node.grad = 0.0
        self.grad += 1.0                      # d(self)/d(self)
        for node in reversed(order):          # from the output back to the inputs
            for parent, local in zip(node.parents, node.local_grads):
                parent.grad += local * node.grad   # the chain rule, one edge at a time


def as_value(x: Value | Number) -> Value:
    """``x`` itself if it is a Value, else a new constant leaf holding it."""
    return x if isinstance(x, Value) else Value(x)


def topological_order(root: Value) -> list[Value]:
    """Every Value ``root`` depends on (itself included), each one after all of its parents.

    A depth-first search that adds a node once all its parents are in: reversed, the list
    visits each node before any of the nodes it was computed from. An explicit stack
    replaces recursion, so a long chain (a sum of thousands of terms) is no problem.
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order needs a Value, got {type(root).__name__}")
    order, seen, stack = [], set(), [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif node not in seen:
            seen.add(node)
            stack.append((node, True))                    # comes back after its parents
            stack.extend((parent, False) for parent in node.parents)
    return order


class Module:
    """Something with parameters: a neuron, a layer, a network."""

    def parameters(self) -> list[Value]:
        return []

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0: call it before each backward of a training step."""
        for p in self.parameters():
            p.grad = 0.0


ACTIVATIONS = {"tanh": Value.tanh, "relu": Value.relu, "linear": lambda z: z}


class Neuron(Module):
    """activation(w · x + b): one weight per input and a bias."""

    def __init__(self, n_inputs: int, activation: str = "tanh", rng: random.Random | None = None):
        if isinstance(n_inputs, bool) or not isinstance(n_inputs, int) or n_inputs < 1:
            raise ValueError(f"n_inputs must be a positive integer, got {n_inputs!r}")
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {', '.join(ACTIVATIONS)}, got {activation!r}")
        rng = rng or random.Random(0)
        bound = 1 / math.sqrt(n_inputs)       # the uniform range torch.nn.Linear draws from
        self.w = [Value(rng.uniform(-bound, bound)) for _ in range(n_inputs)]
        self.b = Value(rng.uniform(-bound, bound))
        self.activation = activation

    def __call__(self, x: Sequence[Value | Number]) -> Value:
        if len(x) != len(self.w):
            raise ValueError(f"this neuron takes {len(self.w)} inputs, got {len(x)}")
        z = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return ACTIVATIONS[self.activation](z)

    def parameters(self) -> list[Value]:
        return self.w + [self.b]


class Layer(Module):
    """``n_outputs`` neurons that all see the same inputs."""

    def __init__(self, n_inputs: int, n_outputs: int, activation: str = "tanh", rng: random.Random | None = None):
        if isinstance(n_outputs, bool) or not isinstance(n_outputs, int) or n_outputs < 1:
            raise ValueError(f"n_outputs must be a positive integer, got {n_outputs!r}")
        rng = rng or random.Random(0)
        self.neurons = [Neuron(n_inputs, activation, rng) for _ in range(n_outputs)]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        return [neuron(x) for neuron in self.neurons]

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]


class MLP(Module):
    """Layers of neurons; ``activation`` on the hidden layers, none on the output layer (logits)."""

    def __init__(self, n_inputs: int, sizes: Sequence[int], activation: str = "tanh", seed: int = 0):
        if not sizes:
            raise ValueError("sizes must list at least one layer width, e.g. [16, 2]")
        rng = random.Random(seed)
        widths = [n_inputs, *sizes]
        self.layers = [Layer(n_in, n_out, activation if i < len(sizes) - 1 else "linear", rng)
                       for i, (n_in, n_out) in enumerate(zip(widths, widths[1:]))]

    def __call__(self, x: Sequence[Value | Number]) -> list[Value]:
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]


def cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """-log softmax(logits)[target] = log Σ exp(logits) - logits[target].

    Shifting the logits by their largest value (a constant, so no gradient flows through
    it) keeps exp from overflowing and does not change the result.
    """
    if not 0 <= target < len(logits):
        raise ValueError(f"target must be a class index in 0..{len(logits) - 1}, got {target!r}")
    shift = max(logit.data for logit in logits)
    log_sum_exp = sum((logit - shift).exp() for logit in logits).log() + shift
    return log_sum_exp - logits[target]


def mean_cross_entropy(model: Module, xs: Sequence[Sequence[Number]], ys: Sequence[int]) -> Value:
    """The average cross-entropy of ``model``'s logits over a batch of inputs and class labels."""
    if len(xs) != len(ys) or not len(xs):
        raise ValueError(f"need as many labels as inputs, at least one: got {len(xs)} inputs, {len(ys)} labels")
    return sum(cross_entropy(model(x), int(y)) for x, y in zip(xs, ys)) / len(xs)


def train_step(model: Module, xs: Sequence[Sequence[Number]], ys: Sequence[int], learning_rate: float) -> float:
    """One step of gradient descent on the batch: zero, forward, backward, update. Returns the loss."""
    model.zero_grad()                          # or the gradients of earlier steps pile up
    loss = mean_cross_entropy(model, xs, ys)
    loss.backward()
    for p in model.parameters():
        p.data -= learning_rate * p.grad       # change the number, not the graph
    return loss.data
