"""course_lib.adapt.finetune: the answer-only loss, and fine-tuning that teaches the task."""
import copy

import pytest
import torch
import torch.nn.functional as F

from course_lib.adapt import finetune, instructions
from course_lib.lm import text, tinygpt


def test_the_answer_loss_is_the_mean_over_masked_positions():
    logits = torch.randn(2, 5, 7, generator=torch.Generator().manual_seed(0))
    targets = torch.randint(7, (2, 5), generator=torch.Generator().manual_seed(1))
    mask = torch.tensor([[0, 0, 1, 1, 0], [0, 1, 1, 1, 1]], dtype=torch.float)
    kept = mask.bool()
    assert torch.allclose(finetune.answer_loss(logits, targets, mask), F.cross_entropy(logits[kept], targets[kept]))
    with pytest.raises(ValueError, match="need logits"):
        finetune.answer_loss(logits, targets, mask[:, :3])


def test_a_short_fine_tuning_teaches_the_task_and_costs_the_original_text():
    torch.set_num_threads(1)
    model, tokenizer, _ = tinygpt.pretrained()
    train, held_out = instructions.split()
    tuned = copy.deepcopy(model).train()
    history = finetune.finetune(tuned, instructions.demonstrations(train), tokenizer, steps=150,
                                learning_rate=2e-3, held_out=held_out[::5])
    assert history.last("held-out score") > 0.4 > instructions.score(model, tokenizer, held_out[::5])
    validation = text.dataset().validation[:20_000]
    assert tinygpt.validation_loss(tuned, validation) > tinygpt.validation_loss(model, validation) + 0.5
    assert finetune.trainable_parameters(tuned) == model.num_parameters()


def test_finetune_refuses_a_model_with_nothing_to_train():
    model, tokenizer, _ = tinygpt.pretrained()
    with pytest.raises(ValueError, match="nothing to train"):
        finetune.finetune(model.requires_grad_(False), instructions.split()[0], tokenizer, steps=1)
    with pytest.raises(ValueError, match="batch_size"):
        next(finetune.batches(instructions.split()[0], tokenizer, batch_size=0))
