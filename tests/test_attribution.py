"""course_lib.interpret.attribution: gradients, integrated gradients (completeness, rules, Captum), SmoothGrad, the widget."""
import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from course_lib.interpret import attribution
from course_lib.nets import digits


def smooth_model(seed=0, d=6, classes=3, dtype=torch.float64):
    torch.manual_seed(seed)
    return nn.Sequential(nn.Linear(d, 8), nn.Tanh(), nn.Linear(8, classes)).to(dtype)


@pytest.fixture(scope="module")
def digits_model():
    data = digits.load_digits_split(seed=0)
    return attribution.ink_model(digits.make_mlp(seed=0), data), data


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 1000), rows=st.integers(1, 4))
def test_the_gradient_matches_finite_differences(seed, rows):
    model = smooth_model(seed)
    generator = torch.Generator().manual_seed(seed)
    x = torch.rand(rows, 6, generator=generator, dtype=torch.float64)
    target = torch.randint(0, 3, (rows,), generator=generator)
    grad = attribution.gradient(model, x, target)
    eps = 1e-6
    for i in range(6):
        step = torch.zeros_like(x)
        step[:, i] = eps
        up, down = attribution.target_logit(model, x + step, target), attribution.target_logit(model, x - step, target)
        numeric = (up - down) / (2 * eps)
        assert torch.allclose(grad[:, i], numeric.detach(), atol=1e-7)


def test_the_gradient_leaves_the_weights_alone_and_each_row_is_its_own():
    model = smooth_model()
    x, target = torch.rand(3, 6, dtype=torch.float64), torch.tensor([0, 2, 1])
    together = attribution.gradient(model, x, target)
    alone = torch.cat([attribution.gradient(model, x[i:i + 1], target[i:i + 1]) for i in range(3)])
    assert torch.allclose(together, alone) and all(p.grad is None for p in model.parameters())
    assert torch.equal(attribution.saliency(model, x, target), together.abs())
    assert torch.equal(attribution.gradient_x_input(model, x, target), together * x)


@pytest.mark.parametrize("rule", attribution.RULES)
def test_path_points_lie_in_the_unit_interval_with_weights_summing_to_one(rule):
    for steps in (1, 2, 7, 64):
        alphas, weights = attribution.path_points(steps, rule)
        assert len(alphas) == len(weights) == steps
        assert alphas.min() >= 0 and alphas.max() <= 1 and abs(weights.sum().item() - 1) < 1e-6


def test_the_right_sum_is_the_papers_and_gauss_legendre_is_exact_for_polynomials():
    alphas, weights = attribution.path_points(4, "right")
    assert torch.allclose(alphas, torch.tensor([0.25, 0.5, 0.75, 1.0])) and torch.allclose(weights, torch.full((4,), 0.25))
    alphas, weights = attribution.path_points(3, "gausslegendre")
    for degree in range(6):  # 3 nodes integrate degree <= 5 exactly: ∫₀¹ α^n dα = 1/(n + 1)
        assert abs((weights * alphas.double() ** degree).sum().item() - 1 / (degree + 1)) < 1e-6


def test_integrated_gradients_are_complete_and_converge_with_the_steps():
    model = smooth_model()
    x, target = torch.rand(5, 6, dtype=torch.float64), torch.tensor([0, 1, 2, 0, 1])
    baseline = torch.full_like(x, 0.3)
    gaps = [attribution.completeness_gap(model, x, target,
                                         attribution.integrated_gradients(model, x, target, baseline, steps, "right"),
                                         baseline).abs().max().item() for steps in (4, 16, 64)]
    assert gaps[0] > gaps[1] > gaps[2] and gaps[2] < 0.5 * gaps[1]
    exact = attribution.integrated_gradients(model, x, target, baseline, 64, "gausslegendre")
    assert attribution.completeness_gap(model, x, target, exact, baseline).abs().max() < 1e-9  # smooth: GL is exact


def test_integrated_gradients_of_a_linear_model_are_weights_times_the_difference():
    model = nn.Linear(4, 2).double()
    x, target = torch.rand(3, 4, dtype=torch.float64), torch.tensor([1, 0, 1])
    ig = attribution.integrated_gradients(model, x, target, steps=1)
    assert torch.allclose(ig, model.weight[target] * x)


@pytest.mark.parametrize("rule, method", [("right", "riemann_right"), ("left", "riemann_left"),
                                          ("middle", "riemann_middle"), ("gausslegendre", "gausslegendre")])
def test_integrated_gradients_agree_with_captum(rule, method, digits_model):
    from captum.attr import IntegratedGradients
    model, data = digits_model
    x = attribution.ink(data, data.x_test[:20])
    target = model(x).argmax(dim=1)
    ours = attribution.integrated_gradients(model, x, target, steps=16, rule=rule)
    theirs = IntegratedGradients(model).attribute(x, baselines=torch.zeros_like(x), target=target, n_steps=16,
                                                 method=method)
    assert torch.allclose(ours, theirs, atol=1e-5)


def test_captums_default_rule_is_gauss_legendre_with_50_steps():
    import inspect

    from captum.attr import IntegratedGradients
    defaults = inspect.signature(IntegratedGradients.attribute).parameters
    assert defaults["method"].default == "gausslegendre" and defaults["n_steps"].default == 50


def test_smoothgrad_averages_gradients_at_the_noisy_inputs():
    model = smooth_model()
    x, target = torch.rand(2, 6, dtype=torch.float64), torch.tensor([1, 2])
    noise = attribution.noise(x, samples=5, sigma=0.2, seed=3)
    assert noise.shape == (5, 2, 6) and torch.equal(noise, attribution.noise(x, samples=5, sigma=0.2, seed=3))
    expected = torch.stack([attribution.gradient(model, x + e, target) for e in noise]).mean(dim=0)
    assert torch.allclose(attribution.smoothgrad(model, x, target, noise), expected)
    zero = attribution.noise(x, samples=3, sigma=0.0)
    assert torch.allclose(attribution.smoothgrad(model, x, target, zero), attribution.gradient(model, x, target))


def test_smoothgrad_agrees_with_captums_noise_tunnel_on_the_same_noise(digits_model):
    from captum.attr import NoiseTunnel, Saliency
    model, data = digits_model
    x = attribution.ink(data, data.x_test[:20])
    target = model(x).argmax(dim=1)
    with torch.random.fork_rng():
        torch.manual_seed(7)
        theirs = NoiseTunnel(Saliency(model)).attribute(x, target=target, nt_type="smoothgrad", nt_samples=6,
                                                        stdevs=0.15, abs=False)
        torch.manual_seed(7)
        noise = attribution.noise_like_captum(x, samples=6, sigma=0.15)
    assert noise.shape == (6, 20, 64) and 0.1 < noise.std() < 0.2
    assert torch.allclose(attribution.smoothgrad(model, x, target, noise), theirs, atol=1e-5)


def test_captums_noise_tunnel_defaults_are_five_samples_at_the_whole_ink_range_and_absolute_values():
    """The chapter's warning: SmoothGrad with Captum's defaults is not the SmoothGrad it teaches."""
    import inspect

    from captum.attr import NoiseTunnel, Saliency
    tunnel = inspect.signature(NoiseTunnel.attribute).parameters
    assert tunnel["nt_samples"].default == 5 and tunnel["stdevs"].default == 1.0
    assert inspect.signature(Saliency.attribute).parameters["abs"].default is True


def test_the_ink_model_is_the_same_classifier_and_blank_is_exactly_zero(digits_model):
    model, data = digits_model
    mlp = model[1]
    ink = attribution.ink(data, data.x_test)
    assert ink.min() == 0 and ink.max() == 1 and (ink == 0).float().mean() > 0.3
    assert torch.allclose(model(ink), mlp(data.x_test), atol=1e-4)
    assert torch.equal(ink * 16, torch.round(ink * 16))


def test_the_methods_give_maps_of_the_input_shape(digits_model):
    model, data = digits_model
    x = attribution.ink(data, data.x_test[:4])
    target = torch.tensor([0, 1, 2, 3])
    for name, explain in attribution.methods(steps=8, samples=4).items():
        assert explain(model, x, target).shape == x.shape, name


def test_the_explorer_redraws_and_reports_the_completeness_gap(digits_model, capsys):
    model, data = digits_model
    x = attribution.ink(data, data.x_test[:3])
    target = model(x).argmax(dim=1)
    explorer = attribution.explorer(model, x, target, ["a", "b", "c"])
    view = explorer.static_view()
    assert "integrated gradients" in view["text/plain"] and "gap" in view["text/plain"] and view["image/png"]
    index, method, steps, sigma = explorer.widget.children[:4]
    assert steps.value == 64 and not steps.disabled and sigma.disabled  # starts at the chapter's 64 steps
    first = explorer.static_view()["text/plain"]
    steps.value = 4  # fewer integration steps: a larger gap
    assert explorer.static_view()["text/plain"] != first
    method.value = "saliency"
    assert explorer.static_view()["text/plain"].startswith("saliency") and steps.disabled and sigma.disabled
    method.value = "SmoothGrad"
    assert steps.disabled and not sigma.disabled
    assert all(c.style.description_width == "initial" for c in (index, method, steps, sigma))  # labels not cut off


@pytest.mark.parametrize("call, message", [
    (lambda m, x, t: attribution.gradient(m, x[0], t), "x must be a tensor"),
    (lambda m, x, t: attribution.gradient(m, x, t.float()), "target must be an int64 tensor"),
    (lambda m, x, t: attribution.gradient(m, x, t[:1]), "target must be an int64 tensor of 2"),
    (lambda m, x, t: attribution.gradient("model", x, t), "model must be callable"),
    (lambda m, x, t: attribution.integrated_gradients(m, x, t, steps=0), "steps must be a positive integer"),
    (lambda m, x, t: attribution.integrated_gradients(m, x, t, rule="simpson"), "rule must be one of"),
    (lambda m, x, t: attribution.smoothgrad(m, x, t, torch.zeros(3, 2, 5)), "noise must have shape"),
    (lambda m, x, t: attribution.noise(x, samples=0), "samples must be a positive integer"),
    (lambda m, x, t: attribution.noise(x, sigma=-1), "sigma must be a number >= 0"),
    (lambda m, x, t: attribution.noise_like_captum(x, samples=0, sigma=0.1), "samples must be a positive integer"),
    (lambda m, x, t: attribution.ink_model("mlp", None), "model must be a torch module"),
])
def test_bad_input_is_refused_with_a_clear_message(call, message):
    model = smooth_model()
    x, target = torch.rand(2, 6, dtype=torch.float64), torch.tensor([0, 1])
    with pytest.raises((ValueError, TypeError), match=message):
        call(model, x, target)


def test_draw_shows_a_symmetric_scale():
    from course_lib.machinery import viz
    fig = viz.figure()
    ax = fig.subplots()
    attribution.draw(ax, np.zeros(64), np.linspace(-1, 3, 64))
    low, high = ax.images[0].get_clim()
    assert low == -high == -3
