"""course_lib.scale.efficiency: each technique saves what it says and leaves the gradients alone."""
import pytest
import torch

from course_lib.scale import efficiency, measure
from course_lib.lm.gpt import GPT, GPTConfig


@pytest.fixture
def model():
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=20, block_size=16, n_layer=3, n_head=2, n_embd=32))


@pytest.fixture
def batch():
    return torch.randint(0, 20, (2, 8, 16), generator=torch.Generator().manual_seed(1)).unbind(0)


def test_autocast_runs_products_in_bfloat16_and_keeps_weights_gradients_and_loss_in_float32(model, batch):
    found = efficiency.dtypes_under_autocast(model, batch[0])
    assert found["MLP hidden layer (a matrix product)"] == found["logits (a matrix product)"] == torch.bfloat16
    assert found["weights"] == found["gradients"] == found["loss (cross-entropy)"] == torch.float32
    assert found["layer norm output"] == torch.float32
    assert all(p.grad is None for p in model.parameters())  # the demonstration leaves no gradients behind


def test_a_small_update_is_lost_in_bfloat16_only():
    assert efficiency.lost_update(1.0, 1e-4, 100, torch.bfloat16) == 1.0
    assert efficiency.lost_update(1.0, 1e-4, 100, torch.float32) == pytest.approx(1.01, abs=1e-5)
    assert efficiency.lost_update(1.0, 1e-2, 10, torch.bfloat16) > 1.05  # above half the spacing, it counts
    with pytest.raises(ValueError, match="steps"):
        efficiency.lost_update(steps=0)


@pytest.mark.parametrize("micro_batches", [1, 2, 4, 8])
def test_accumulated_gradients_are_the_whole_batchs(model, batch, micro_batches):
    x, y = batch
    model.zero_grad()
    model(x, y)[1].backward()
    whole = efficiency.flat_gradients(model).clone()
    efficiency.accumulate_gradients(model, x, y, micro_batches)
    assert torch.allclose(efficiency.flat_gradients(model), whole, atol=1e-6)


def test_accumulation_needs_equal_micro_batches(model, batch):
    with pytest.raises(ValueError, match="dividing the batch of 8"):
        efficiency.accumulate_gradients(model, *batch, 3)


def test_checkpointing_keeps_the_block_inputs_and_the_same_gradients(model, batch):
    x, y = batch
    checkpointed = efficiency.Checkpointed(model)
    logits, loss = model(x, y)
    logits_c, loss_c = checkpointed(x, y)
    assert torch.equal(logits, logits_c) and torch.equal(loss, loss_c)
    model.zero_grad()
    loss.backward()
    stored = efficiency.flat_gradients(model).clone()
    model.zero_grad()
    loss_c.backward()
    assert torch.equal(efficiency.flat_gradients(model), stored)
    kept, kept_c = measure.saved_activation_bytes(model, x), measure.saved_activation_bytes(checkpointed, x)
    block_inputs = 3 * x.numel() * 32 * 4
    assert block_inputs < kept_c < kept / 3
    assert checkpointed(x)[1] is None


def test_a_training_step_is_timed(model, batch):
    assert 0 < efficiency.seconds_per_step(model, batch[0], repeats=1) < 5
    assert 0 < efficiency.seconds_per_step(model, batch[0], autocast=True, repeats=1) < 5
    assert all(p.grad is None for p in model.parameters())
    with pytest.raises(ValueError, match="repeats"):
        efficiency.seconds_per_step(model, batch[0], repeats=0)


def test_only_a_gpt_is_accepted():
    with pytest.raises(TypeError, match="course_lib.lm.gpt.GPT"):
        efficiency.Checkpointed(torch.nn.Linear(2, 2))
    with pytest.raises(TypeError, match="course_lib.lm.gpt.GPT"):
        efficiency.dtypes_under_autocast(torch.nn.Linear(2, 2), torch.zeros(1, 2))
