"""course_lib.adapt.lora and against_peft: an exact start, the parameter count, the merge, peft's twin."""
import pytest
import torch
import torch.nn as nn

from course_lib.adapt import against_peft, lora
from course_lib.lm import tinygpt


@pytest.fixture(scope="module")
def base():
    return tinygpt.pretrained().model


def trained(model, seed=0):
    """An adapted model whose adapters hold random numbers, as after training."""
    generator = torch.Generator().manual_seed(seed)
    for layer in model.modules():
        if isinstance(layer, lora.LoRALinear):
            layer.B.data = torch.randn(layer.B.shape, generator=generator) * 0.1
    return model


def ids(n=2, T=40):
    return torch.randint(96, (n, T), generator=torch.Generator().manual_seed(3))


def test_an_adapted_model_starts_exactly_where_the_base_model_is(base):
    adapted = lora.adapted(base, rank=4, alpha=8)
    with torch.no_grad():
        assert torch.equal(adapted(ids())[0], base(ids())[0])
    assert all(not p.requires_grad for n, p in adapted.named_parameters() if not n.endswith((".A", ".B")))


def test_the_trainable_count_is_r_times_in_plus_out(base):
    for rank in (1, 4, 8):
        adapted = lora.adapted(base, rank=rank, alpha=8)
        counted = sum(p.numel() for p in adapted.parameters() if p.requires_grad)
        assert counted == lora.adapter_parameters(base, rank) == 2048 * rank


def test_a_gradient_reaches_b_at_the_start_and_the_base_stays_frozen(base):
    adapted = lora.adapted(base, rank=2, alpha=4)
    logits = adapted(ids())[0]
    logits.square().mean().backward()
    layer = adapted.blocks[0].attn.qkv
    assert layer.B.grad.abs().sum() > 0 and layer.base.weight.grad is None


def test_merging_gives_a_plain_model_with_the_same_outputs(base):
    adapted = trained(lora.adapted(base, rank=4, alpha=8))
    merged = lora.merged(adapted)
    assert not any(isinstance(m, lora.LoRALinear) for m in merged.modules())
    assert all(isinstance(b.attn.qkv, nn.Linear) for b in merged.blocks)
    with torch.no_grad():
        assert torch.allclose(merged(ids())[0], adapted(ids())[0], atol=1e-5)
        assert not torch.allclose(merged(ids())[0], base(ids())[0], atol=1e-3)


def test_peft_computes_the_same_logits_from_the_same_adapter_weights(base):
    adapted = trained(lora.adapted(base, rank=4, alpha=8), seed=1)
    twin = against_peft.peft_twin(adapted, base)
    with torch.no_grad():
        assert torch.allclose(twin(ids())[0], adapted(ids())[0], atol=1e-5)
    assert sum(p.numel() for p in twin.parameters() if p.requires_grad) == lora.adapter_parameters(base, 4)


def test_bad_settings_are_refused(base):
    with pytest.raises(ValueError, match="rank"):
        lora.LoRALinear(nn.Linear(4, 4), rank=0, alpha=1)
    with pytest.raises(ValueError, match="alpha"):
        lora.LoRALinear(nn.Linear(4, 4), rank=2, alpha=-1)
    with pytest.raises(ValueError, match="not an nn.Linear"):
        lora.adapted(base, targets=("ln_1.weight",))
    with pytest.raises(ValueError, match="no LoRALinear"):
        against_peft.peft_twin(base, base)
