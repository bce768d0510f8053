"""Drawing computational graphs: the layout reads left to right, the drawing shows every value."""
import pytest

from course_lib.nets import graph
from course_lib.nets.autograd import Value


def small_graph():
    a, b, c = Value(3.0, label="a"), Value(-2.0, label="b"), Value(4.0, label="c")
    d = a * b + c
    d.label = "d"
    return d * d, (a, b, c, d)


def test_every_value_sits_right_of_the_values_it_was_computed_from():
    out, _ = small_graph()
    where = graph.layout(out)
    assert len(where) == 6
    assert all(where[p][0] < where[node][0] for node in where for p in node.parents)
    assert len(set(where.values())) == len(where)  # no two boxes on top of each other


def test_the_drawing_shows_names_values_and_gradients():
    out, (a, *_rest) = small_graph()
    out.backward()
    texts = [t.get_text() for t in graph.draw(out, title="L").axes[0].texts]
    assert "a\ndata 3\ngrad 8" in texts and "×" in texts and "+" in texts
    forward_only = [t.get_text() for t in graph.draw(out, grads=False).axes[0].texts]
    assert not any("grad" in t for t in forward_only)


def test_the_neuron_explorer_shows_a_dead_relu(capsys):
    explorer = graph.neuron_explorer()
    activation, w1, b = explorer.widget.children[:3]
    capsys.readouterr()
    activation.value = "relu"
    alive = capsys.readouterr().out
    b.value = -4.0
    dead = capsys.readouterr().out
    assert "d out/d w1 = 0.0000" in dead and "d out/d w1 = 0.0000" not in alive


def test_a_saturated_tanh_passes_almost_no_gradient():
    def gradient_of_w1(bias):
        out = graph.neuron(1.0, -0.5, -1.0, 0.8, bias, "tanh")
        out.backward()
        return next(v for v in graph.layout(out) if v.label == "w1").grad
    assert abs(gradient_of_w1(4.0)) < 0.03 < 0.5 < abs(gradient_of_w1(1.0))


@pytest.mark.parametrize("call, error, message", [
    (lambda: graph.draw(3.0), TypeError, "needs the Value"),
    (lambda: graph.draw(sum(Value(float(i)) for i in range(40))), ValueError, "too many"),
    (lambda: graph.neuron(1, 1, 1, 1, 1, "gelu"), ValueError, "'tanh' or 'relu'"),
])
def test_bad_input_gets_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
