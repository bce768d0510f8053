"""The bigram baseline: counts, smoothed probabilities, its loss, and the model wrapper."""
import math

import pytest
import torch

from course_lib.lm import bigram


def test_counts_count_each_consecutive_pair():
    table = bigram.counts(torch.tensor([0, 1, 1, 0, 1]), 3)
    assert table.tolist() == [[0, 2, 0], [1, 1, 0], [0, 0, 0]]


def test_rows_are_smoothed_distributions():
    probs = bigram.probabilities(bigram.counts(torch.tensor([0, 1, 1, 0, 1]), 3))
    assert torch.allclose(probs.sum(dim=1), torch.ones(3))
    assert probs[0, 1].item() == pytest.approx(3 / 5)  # (2 + 1) / (2 + 3)
    assert probs[2].tolist() == pytest.approx([1 / 3] * 3)  # a row never seen: uniform


def test_the_loss_is_the_mean_negative_log_likelihood_of_the_pairs():
    table = bigram.counts(torch.tensor([0, 1, 1, 0, 1]), 3)
    expected = -(math.log(3 / 5) + math.log(2 / 5)) / 2  # pairs (0, 1) and (1, 1)
    assert bigram.loss(table, torch.tensor([0, 1, 1])) == pytest.approx(expected)


def test_the_bigram_model_gives_the_table_loss():
    ids = torch.randint(0, 5, (200,), generator=torch.Generator().manual_seed(0))
    table = bigram.counts(ids[:150], 5)
    model = bigram.Bigram(table)
    _, loss = model(ids[150:-1].unsqueeze(0), ids[151:].unsqueeze(0))
    assert loss.item() == pytest.approx(bigram.loss(table, ids[150:]), rel=1e-5)
    assert model.block_size == 1


@pytest.mark.parametrize("call, message", [
    (lambda: bigram.counts(torch.tensor([0, 5]), 3), r"in \[0, 3\)"),
    (lambda: bigram.counts(torch.tensor([1]), 3), "at least 2 token ids"),
    (lambda: bigram.counts(torch.tensor([0, 1]), 0), "vocab_size must be a positive integer"),
    (lambda: bigram.probabilities(torch.zeros(2, 3)), "square"),
    (lambda: bigram.probabilities(torch.zeros(2, 2), smoothing=0), "smoothing must be positive"),
    (lambda: bigram.loss(torch.zeros(2, 2), torch.tensor([1])), "at least 2 token ids"),
])
def test_bad_input_gets_a_clear_message(call, message):
    with pytest.raises(ValueError, match=message):
        call()
