import math

import pytest
import torch

from course_lib.lm import text, tinygpt
from course_lib.serving import distill


def test_the_loss_is_zero_for_a_perfect_student_and_scales_as_t_squared_times_kl():
    logits = torch.randn(3, 5, 7, generator=torch.Generator().manual_seed(0))
    assert distill.distillation_loss(logits, logits, 2.0).abs() < 1e-6
    student = torch.randn(3, 5, 7, generator=torch.Generator().manual_seed(1))
    kl = torch.nn.functional.kl_div(torch.log_softmax(student / 3, -1), torch.log_softmax(logits / 3, -1),
                                    reduction="sum", log_target=True) / 15
    assert math.isclose(distill.distillation_loss(student, logits, 3.0).item(), 9 * kl.item(), rel_tol=1e-5)


def test_a_distilled_student_beats_one_trained_on_the_same_little_text():
    model = tinygpt.pretrained().model
    data = text.dataset()
    x, y, teacher = distill.windows_with_teacher(model, data.train[:256 * 32 + 1], 32)
    val = data.validation[:8193]
    _, plain = distill.train_student(x, y, None, val, steps=300)
    _, taught = distill.train_student(x, y, teacher, val, steps=300, temperature=1.0, alpha=1.0)
    assert taught.last("validation loss") < plain.last("validation loss") - 0.1


def test_bad_input_is_refused_clearly():
    with pytest.raises(ValueError, match="same shape"):
        distill.distillation_loss(torch.zeros(2, 3), torch.zeros(2, 4), 1.0)
    x = torch.zeros(4, 8, dtype=torch.long)
    with pytest.raises(ValueError, match="do not match"):
        distill.train_student(x, x, torch.zeros(3, 8, 96), torch.zeros(20, dtype=torch.long), steps=1)
    with pytest.raises(ValueError, match="alpha"):
        distill.train_student(x, x, None, torch.zeros(20, dtype=torch.long), steps=1, alpha=2.0)
