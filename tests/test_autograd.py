"""The scalar autograd engine: every operation, the backward pass, and random graphs against torch.autograd."""
import math
import random

import numpy as np
import pytest
import torch
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from course_lib.nets import autograd
from course_lib.nets.autograd import MLP, Value, topological_order
from course_lib.exercises.backprop import build

TORCH_FUNCTIONS = {"tanh": torch.tanh, "exp": torch.exp, "log": torch.log, "relu": torch.relu}


def torch_gradients(expression, values):
    leaves = {name: torch.tensor(x, dtype=torch.float64, requires_grad=True) for name, x in values.items()}
    out = eval(expression, {"__builtins__": {}, **TORCH_FUNCTIONS}, dict(leaves))
    out.backward()
    grads = {name: 0.0 if leaf.grad is None else leaf.grad.item() for name, leaf in leaves.items()}
    return out.item(), grads


def engine_gradients(expression, values):
    out, leaves = build(expression, values)
    out.backward()
    return out.data, {name: leaf.grad for name, leaf in leaves.items()}


def assert_same(ours, theirs):
    (value, grads), (torch_value, torch_grads) = ours, theirs
    assert value == pytest.approx(torch_value, rel=1e-9, abs=1e-12)
    for name in grads:
        assert grads[name] == pytest.approx(torch_grads[name], rel=1e-8, abs=1e-10), name


@pytest.mark.parametrize("expression", [
    "a + b", "a - b", "a * b", "a / b", "a ** 3", "b ** -2", "exp(a)", "log(b)", "tanh(a)", "relu(a)",
    "relu(-a)", "2 - a", "3 / b", "-a", "a * a", "(b ** 0.5) * a",
])
def test_each_operation_matches_torch(expression):
    values = {"a": 0.7, "b": 1.9}
    assert_same(engine_gradients(expression, values), torch_gradients(expression, values))


# Random expression graphs: sums, products, quotients, powers, the four functions, and reuse.
NAMES = ("a", "b", "c")


def extend(inner):
    return st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(inner, inner).map(lambda t: f"({t[0]} / (1 + {t[1]} * {t[1]}))"),
        st.tuples(inner, st.sampled_from(["2", "3", "-1"])).map(lambda t: f"({t[0]}) ** {t[1]}"),
        inner.map(lambda e: f"tanh({e})"), inner.map(lambda e: f"exp({e})"),
        inner.map(lambda e: f"log(1 + {e} * {e})"), inner.map(lambda e: f"relu({e})"),
        inner.map(lambda e: f"((u := {e}) * u + u)"),
    )


EXPRESSIONS = st.recursive(st.sampled_from(NAMES), extend, max_leaves=10)
VALUES = st.fixed_dictionaries({n: st.one_of(st.floats(-2, -0.01), st.floats(0.01, 2)) for n in NAMES})


@settings(max_examples=150, deadline=None)
@given(EXPRESSIONS, VALUES)
def test_random_graphs_get_torchs_gradients(expression, values):
    try:
        theirs = torch_gradients(expression, values)
        ours = engine_gradients(expression, values)
    except (OverflowError, ZeroDivisionError, ValueError):
        assume(False)  # the number overflowed or left a function's domain: not a gradient question
    assume(all(map(math.isfinite, [theirs[0], *theirs[1].values()])))
    assume(all(abs(g) < 1e8 for g in theirs[1].values()))
    assert_same(ours, theirs)


def test_a_reused_value_collects_gradient_from_every_use():
    a = Value(3.0)
    u = a * a + a           # a is used three times
    y = u * u               # u twice
    y.backward()
    assert u.grad == 2 * u.data
    assert a.grad == 2 * u.data * (2 * a.data + 1)


def test_backward_twice_doubles_the_leaves_but_not_the_intermediates():
    a, b = Value(2.0), Value(-1.5)
    c = a * b
    out = c.tanh()
    out.backward()
    first = (a.grad, b.grad, c.grad)
    out.backward()
    assert (a.grad, b.grad) == pytest.approx((2 * first[0], 2 * first[1]))
    assert c.grad == pytest.approx(first[2])


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 2])
    autograd.mean_cross_entropy(model, [[0.5, -1.0]], [1]).backward()
    assert any(p.grad != 0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0 for p in model.parameters())


def test_topological_order_puts_every_parent_first_and_each_node_once():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = topological_order(e)
    assert len(order) == len(set(order)) == 5
    position = {node: i for i, node in enumerate(order)}
    assert all(position[p] < position[node] for node in order for p in node.parents)


def test_a_long_chain_needs_no_recursion():
    total = sum(Value(float(i)) for i in range(5000))
    total.backward()
    assert total.data == sum(range(5000)) and len(topological_order(total)) > 5000


def test_the_mlp_has_the_parameters_of_its_layers_and_matches_torch():
    model = MLP(2, [16, 2], seed=0)
    assert len(model.parameters()) == (2 * 16 + 16) + (16 * 2 + 2)
    xs, ys = [[0.3, -0.8], [1.2, 0.4], [-0.5, 0.5]], [0, 1, 1]
    loss = autograd.mean_cross_entropy(model, xs, ys)
    loss.backward()
    torch_model = torch.nn.Sequential(torch.nn.Linear(2, 16), torch.nn.Tanh(), torch.nn.Linear(16, 2)).double()
    with torch.no_grad():
        for layer, ours in zip(torch_model[::2], model.layers):
            layer.weight.copy_(torch.tensor([[w.data for w in n.w] for n in ours.neurons], dtype=torch.float64))
            layer.bias.copy_(torch.tensor([n.b.data for n in ours.neurons], dtype=torch.float64))
    torch_loss = torch.nn.functional.cross_entropy(torch_model(torch.tensor(xs, dtype=torch.float64)), torch.tensor(ys))
    torch_loss.backward()
    assert loss.data == pytest.approx(torch_loss.item(), rel=1e-12)
    first = model.layers[0].neurons[0]
    assert [w.grad for w in first.w] == pytest.approx(torch_model[0].weight.grad[0].tolist(), rel=1e-9)


def test_the_neurons_start_in_torchs_range():
    model = MLP(4, [8, 2], seed=3)
    bound = 1 / math.sqrt(4)
    assert all(abs(w.data) <= bound for w in model.layers[0].parameters())
    assert MLP(4, [8, 2], seed=3).parameters()[5].data == model.parameters()[5].data


def test_a_training_step_lowers_the_loss():
    rng = random.Random(0)
    xs = [[rng.uniform(-1, 1), rng.uniform(-1, 1)] for _ in range(8)]
    ys = [int(x > 0) for x, _ in xs]
    model = MLP(2, [4, 2])
    losses = [autograd.train_step(model, xs, ys, 0.5) for _ in range(5)]
    assert losses == sorted(losses, reverse=True)


def test_cross_entropy_is_stable_for_large_logits():
    logits = [Value(1000.0), Value(0.0)]
    loss = autograd.cross_entropy(logits, 1)
    loss.backward()
    assert loss.data == pytest.approx(1000.0) and logits[0].grad == pytest.approx(1.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: Value("3"), TypeError, "one real number"),
    (lambda: Value(np.float32(1.0)), TypeError, "one real number"),
    (lambda: Value(1.0, (Value(2.0),), ()), ValueError, "one local derivative per parent"),
    (lambda: Value(2.0) ** Value(3.0), TypeError, "constant number"),
    (lambda: Value(-8.0) ** 0.5, ValueError, "fractional power"),
    (lambda: Value(0.0) ** -1, ZeroDivisionError, "infinite at 0"),
    (lambda: Value(0.0).log(), ValueError, "positive number"),
    (lambda: topological_order(3.0), TypeError, "needs a Value"),
    (lambda: MLP(2, []), ValueError, "at least one layer"),
    (lambda: MLP(2, [0]), ValueError, "positive integer"),
    (lambda: autograd.Neuron(2, "sigmoid"), ValueError, "activation must be one of"),
    (lambda: MLP(2, [3])([1.0]), ValueError, "takes 2 inputs"),
    (lambda: autograd.cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "class index in 0..1"),
    (lambda: autograd.mean_cross_entropy(MLP(2, [2]), [[1.0, 2.0]], []), ValueError, "as many labels"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
