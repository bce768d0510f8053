import pytest
import torch

from course_lib.lm import text, tinygpt
from course_lib.serving import quantize
from course_lib.serving.quantize import Scheme


@pytest.fixture(scope="module")
def model():
    return tinygpt.pretrained().model


@pytest.fixture(scope="module")
def val():
    return text.dataset().validation[:8193]


def test_per_channel_codes_are_int8_in_range_and_within_half_a_step():
    w = torch.randn(7, 12, generator=torch.Generator().manual_seed(0))
    for bits in (8, 4, 3):
        q, scale = quantize.quantize_per_channel(w, bits)
        top = 2 ** (bits - 1) - 1
        assert q.dtype == torch.int8 and q.abs().max() == top and scale.shape == (7, 1)
        assert ((q.float() * scale - w).abs() <= scale / 2 + 1e-7).all()


def test_an_all_zero_row_stays_zero():
    w = torch.zeros(2, 4)
    w[1] = torch.tensor([1.0, -2.0, 0.5, 0.0])
    assert torch.equal(quantize.fake_quantize(w, Scheme(8))[0], torch.zeros(4))


def test_finer_scales_lose_less_on_a_matrix_with_an_outlier():
    w = torch.randn(16, 64, generator=torch.Generator().manual_seed(1))
    w[0, 0] = 40.0
    error = {g: (quantize.fake_quantize(w, Scheme(4, g)) - w).pow(2).mean().item() for g in ("tensor", "channel", "group")}
    assert error["group"] < error["channel"] < error["tensor"]


def test_bytes_count_codes_scales_and_the_float_rest(model):
    n = sum(p.numel() for p in quantize.matrices(model).values())
    rest = model.num_parameters() - n
    rows = sum(p.size(0) for p in quantize.matrices(model).values())
    assert quantize.model_bytes(model) == 4 * model.num_parameters()
    assert quantize.model_bytes(model, Scheme(8, "channel")) == n + 2 * rows + 4 * rest
    assert quantize.model_bytes(model, Scheme(4, "group", 32)) == n / 2 + 2 * n / 32 + 4 * rest


def test_int8_keeps_the_loss_and_int4_per_tensor_does_not(model, val):
    base = tinygpt.validation_loss(model, val)
    assert abs(tinygpt.validation_loss(quantize.quantized(model, Scheme(8, "channel")), val) - base) < 0.01
    assert tinygpt.validation_loss(quantize.quantized(model, Scheme(4, "tensor")), val) > base + 0.5
    assert torch.equal(model.blocks[0].mlp.fc.weight, tinygpt.pretrained().model.blocks[0].mlp.fc.weight)  # a copy


def test_torchs_int8_gives_our_loss_within_the_stated_tolerance(model, val):
    ours = tinygpt.validation_loss(quantize.quantized(model, Scheme(8, "tensor")), val)
    assert abs(tinygpt.validation_loss(quantize.library_int8(model), val) - ours) < 0.03


def test_the_explorer_redraws_for_new_settings(model, val):
    explorer = quantize.explorer(model, val[:2049])
    explorer.widget.children[0].value = 8
    assert "int8" in explorer.static_view()["text/plain"]


def test_the_explorer_draws_the_schemes_already_measured(model, val):
    measured = {"int8 per tensor": (115_700.0, 1.46), "int4 per tensor": (61_500.0, 2.64)}
    explorer = quantize.explorer(model, val[:2049], 1.45, measured=measured)
    ax = explorer.figure(bits=4, granularity="group").axes[0]
    names = {text.get_text() for text in ax.texts}
    assert names == {"int8 per tensor", "int4 per tensor", "int4 groups of 32"}


def test_bad_settings_are_refused_clearly():
    with pytest.raises(ValueError, match="bits"):
        Scheme(1)
    with pytest.raises(ValueError, match="granularity"):
        Scheme(4, "row")
    with pytest.raises(ValueError, match="divide"):
        quantize.fake_quantize(torch.randn(2, 10), Scheme(4, "group", 4))
    with pytest.raises(ValueError, match="matrix"):
        quantize.fake_quantize(torch.randn(10), Scheme(4))
    with pytest.raises(TypeError, match="Scheme"):
        quantize.quantized(torch.nn.Linear(2, 2), 8)
