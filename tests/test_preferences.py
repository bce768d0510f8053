"""course_lib.adapt.preferences: the summed log-probability, the DPO loss, and DPO that moves the preference."""
import copy
import math

import pytest
import torch

from course_lib.adapt import finetune, instructions, preferences
from course_lib.lm import tinygpt


def test_the_dpo_loss_is_log_2_at_the_reference_and_falls_with_the_margin():
    zeros = torch.zeros(3)
    assert math.isclose(preferences.dpo_loss(zeros, zeros, zeros, zeros).item(), math.log(2), rel_tol=1e-6)
    up = preferences.dpo_loss(torch.full((3,), 5.0), zeros, zeros, zeros, beta=0.5)
    assert up.item() < math.log(2) < preferences.dpo_loss(zeros, torch.full((3,), 5.0), zeros, zeros).item()


def test_the_sequence_logprob_sums_the_masked_characters():
    logits = torch.zeros(1, 4, 8)  # uniform over 8 characters
    mask = torch.tensor([[0.0, 1.0, 1.0, 0.0]])
    assert math.isclose(preferences.sequence_logprob(logits, torch.zeros(1, 4, dtype=torch.long), mask).item(),
                        2 * math.log(1 / 8), rel_tol=1e-6)


def test_dpo_turns_the_preference_of_a_fine_tuned_model_around():
    torch.set_num_threads(1)
    model, tokenizer, _ = tinygpt.pretrained()
    train, held_out = instructions.split()
    tuned = copy.deepcopy(model).train()
    finetune.finetune(tuned, instructions.demonstrations(train), tokenizer, steps=150, learning_rate=2e-3)
    pairs = preferences.pairs(held_out[::5])
    before = preferences.measure(tuned, tuned, tokenizer, pairs)
    assert before["preference rate"] < 0.2 and before["reward margin"] == 0 and abs(before["divergence"]) < 1e-5
    policy = copy.deepcopy(tuned)
    preferences.dpo(policy, preferences.pairs(train), tokenizer)
    after = preferences.measure(policy, tuned, tokenizer, pairs)
    assert after["preference rate"] > 0.8 and after["reward margin"] > 0.1 and after["divergence"] > 0


def test_dpo_refuses_no_pairs():
    model, tokenizer, _ = tinygpt.pretrained()
    with pytest.raises(ValueError, match="at least one"):
        preferences.dpo(model, [], tokenizer)
    with pytest.raises(ValueError, match="at least one"):
        preferences.measure(model, model, tokenizer, [])
