"""course_lib.nets.quadratic: gradient descent on a bowl does what the eigenvalues predict."""
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_lib.nets import quadratic
from course_lib.nets.quadratic import Bowl


def test_a_bowl_built_from_curvatures_has_them_as_eigenvalues():
    bowl = Bowl.from_curvatures(2.5, 0.25, angle_degrees=30)
    assert np.allclose(bowl.curvatures, [0.25, 2.5])
    assert bowl.condition_number == pytest.approx(10) and bowl.edge == pytest.approx(0.8)
    x = np.array([0.3, -1.2])
    assert bowl.value(x) == pytest.approx(0.5 * x @ bowl.A @ x)
    assert np.allclose(bowl.gradient(x), bowl.A @ x)
    assert bowl.value(np.zeros((4, 3, 2))).shape == (4, 3)  # many points at once, for contour plots


def numerical_gradient(bowl, x, h=1e-6):
    return np.array([(bowl.value(x + h * e) - bowl.value(x - h * e)) / (2 * h) for e in np.eye(2)])


def test_the_gradient_is_the_derivative_of_the_value():
    bowl = Bowl(np.array([[3.0, 1.0], [1.0, 2.0]]))
    x = np.array([0.7, -0.4])
    assert np.allclose(bowl.gradient(x), numerical_gradient(bowl, x), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(largest=st.floats(0.5, 5), ratio=st.floats(1, 30), angle=st.floats(0, 180),
       fraction=st.floats(0.05, 1.4), momentum=st.sampled_from([0.0, 0.5, 0.8]))
def test_descent_shrinks_by_the_predicted_rate(largest, ratio, angle, fraction, momentum):
    bowl = Bowl.from_curvatures(largest, largest / ratio, angle)
    lr = fraction * bowl.edge
    factor = quadratic.rate(bowl.curvatures, lr, momentum)
    path = quadratic.descend(bowl, [1.0, -0.5], lr, steps=300, momentum=momentum)
    distance = np.linalg.norm(path[-1])
    # the distance after t steps is at most about C·t·rate^t (the t covers a repeated eigenvalue)
    assert distance <= 50 * 300 * factor ** 300 + 1e-12
    if factor > 1.02:
        assert len(path) < 301 or distance > 1.0  # it diverged (and was cut short)


def test_the_edge_is_two_over_the_largest_curvature_and_moves_with_momentum():
    curvatures = [0.25, 2.5]
    assert quadratic.rate(curvatures, 0.79) < 1 < quadratic.rate(curvatures, 0.81)
    assert quadratic.rate(curvatures, 1.19, 0.5) < 1 < quadratic.rate(curvatures, 1.21, 0.5)
    assert quadratic.rate([1.0], 1.0) == 0  # lr = 1/λ lands on the minimum in one step


def test_polyak_momentum_reaches_the_square_root_rate():
    kappa = 100
    lr, mu = 4 / (1 + 0.1) ** 2, ((10 - 1) / (10 + 1)) ** 2
    assert quadratic.rate([1.0, 1 / kappa], lr, mu) == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1), rel=1e-6)
    assert quadratic.rate([1.0, 1 / kappa], 2 / (1 + 1 / kappa)) == pytest.approx((kappa - 1) / (kappa + 1))


def test_a_diverging_path_is_cut_short():
    path = quadratic.descend(Bowl.from_curvatures(2.5, 0.25), [1.0, 1.0], lr=1.5, steps=1000)
    assert len(path) < 1001 and np.linalg.norm(path[-1]) > quadratic.LIMIT


@pytest.mark.parametrize("call, message", [
    (lambda: Bowl(np.eye(3)), "symmetric 2x2"),
    (lambda: Bowl(np.array([[1.0, 2.0], [0.0, 1.0]])), "symmetric 2x2"),
    (lambda: Bowl(np.diag([1.0, -1.0])), "positive definite"),
    (lambda: Bowl.from_curvatures(0.1, 1.0), "largest >= smallest > 0"),
    (lambda: quadratic.descend(Bowl(np.eye(2)), [1.0, 1.0], lr=0.0, steps=3), "lr > 0"),
    (lambda: quadratic.descend(Bowl(np.eye(2)), [1.0, 1.0], lr=0.1, steps=3, momentum=1.0), "momentum < 1"),
    (lambda: quadratic.descend(Bowl(np.eye(2)), [1.0, 1.0, 1.0], lr=0.1, steps=3), "shape \\(2,\\)"),
    (lambda: quadratic.descend(Bowl(np.eye(2)), [1.0, 1.0], lr=0.1, steps=2.5), "steps must be"),
    (lambda: quadratic.rate([2.0, -1.0], 0.1), "positive numbers"),
    (lambda: quadratic.rate([], 0.1), "positive numbers"),
    (lambda: quadratic.rate([1.0], -0.1), "lr > 0"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_the_explorer_reports_divergence_past_the_edge(capsys):
    explorer = quadratic.learning_rate_explorer()
    lr, condition, momentum = explorer.widget.children[:3]
    capsys.readouterr()
    lr.value = 0.79
    assert "so descent converges" in capsys.readouterr().out
    lr.value = 0.81
    assert "so descent diverges" in capsys.readouterr().out
    lr.value = 0.8
    assert "neither converges nor diverges" in capsys.readouterr().out
    momentum.value = 0.5  # the edge moves to 2(1 + 0.5)/2.5 = 1.2
    assert "so descent converges" in capsys.readouterr().out
    condition.value = 1
    assert "κ 1," in capsys.readouterr().out
    assert explorer.static_view()["image/png"]
