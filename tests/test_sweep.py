"""course_lib.scale.sweep: models trained side by side train exactly as they would alone."""
import numpy as np
import pytest
import torch

from course_lib.scale import sweep
from course_lib.lm import text


@pytest.fixture(scope="module")
def data():
    return text.dataset()


def copy_of(group: sweep.MLPLanguageModels, index: int) -> sweep.MLPLanguageModels:
    """A one-copy group holding copy ``index`` of ``group``."""
    single = sweep.MLPLanguageModels(group.wte.shape[1], group.width, 1, group.context)
    with torch.no_grad():
        for mine, theirs in zip(single.parameters(), group.parameters()):
            mine.copy_(theirs[index: index + 1])
    return single


def test_side_by_side_is_the_same_as_alone(data):
    together = [sweep.MLPLanguageModels(96, 16, copies=2, seed=1), sweep.MLPLanguageModels(96, 8, copies=1, seed=2)]
    alone = copy_of(together[0], 1)
    sweep.train_side_by_side(together, [30, 30], data)
    sweep.train_side_by_side([alone], [30], data)
    for a, b in zip(alone.parameters(), together[0].parameters()):
        assert torch.allclose(a[0], b[1], atol=1e-5)


def test_a_shorter_run_in_a_sweep_is_the_same_as_that_run_alone(data):
    together = [sweep.MLPLanguageModels(96, 8, seed=3), sweep.MLPLanguageModels(96, 8, seed=4)]
    alone = copy_of(together[0], 0)
    before = [p.clone() for p in together[0].parameters()]
    sweep.train_side_by_side(together, [10, 25], data)
    sweep.train_side_by_side([alone], [10], data)
    for a, b, start in zip(alone.parameters(), together[0].parameters(), before):
        assert torch.allclose(a, b, atol=1e-6) and not torch.equal(b, start)


def test_copies_start_different_and_count_their_parameters():
    group = sweep.MLPLanguageModels(96, 32, copies=3, context=8, embedding=8)
    assert not torch.equal(group.w1[0], group.w1[1])
    assert group.parameters_per_model() == 8 * 8 * 32 + 32 + 32 * 96 + 96 == 161 * 32 + 96
    assert group.parameters_per_model(non_embedding=False) == group.parameters_per_model() + 96 * 8


def test_a_model_reads_the_last_context_characters():
    group = sweep.MLPLanguageModels(96, 8, copies=2, context=2)
    idx = torch.randint(0, 96, (5, 8))
    changed = idx.clone()
    changed[:, :6] = 0  # all but the last two characters
    assert group(idx).shape == (2, 5, 96) and torch.equal(group(idx), group(changed))
    assert group.losses(idx, idx[:, -1]).shape == (2,)


def test_sweeps_return_their_measurements(data):
    sizes = sweep.size_sweep([4, 8], seeds=2, steps=3, data=data)
    assert sizes.losses.shape == (2, 2) and list(sizes.parameters) == [161 * 4 + 96, 161 * 8 + 96]
    assert list(sizes.tokens) == [3 * sweep.BATCH_SIZE] * 2 and sizes.loss.shape == (2,)
    assert sizes.flops[0] == 6 * sizes.parameters[0] * sizes.tokens[0]
    assert "width 8" in sizes.table() and np.all(sizes.losses > 0)
    tokens = sweep.data_sweep(4, [2, 4], seeds=1, data=data)
    assert list(tokens.tokens) == [2 * sweep.BATCH_SIZE, 4 * sweep.BATCH_SIZE] and tokens.losses.shape == (2, 1)
    tasks = sweep.context_sweep([4, 8], [1, 2], seeds=1, steps=3, data=data)
    assert set(tasks) == {1, 2} and tasks[1].parameters[0] == 4 * 8 + 4 + 4 * 96 + 96


def test_the_gpt_sweep_uses_chapter_06s_recipe(data):
    gpts = sweep.gpt_size_sweep([16], steps=2, data=data)
    assert gpts.losses.shape == (1, 1) and 3 < gpts.losses[0, 0] < 5  # near ln 96 after two steps
    assert gpts.tokens[0] == 2 * 32 * 64


@pytest.mark.parametrize("arguments, message", [
    (dict(vocab_size=96, width=0), "width must be a positive integer"),
    (dict(vocab_size=96, width=8, copies=1.5), "copies must be a positive integer"),
])
def test_bad_shapes_are_refused(arguments, message):
    with pytest.raises(ValueError, match=message):
        sweep.MLPLanguageModels(**arguments)


def test_bad_steps_are_refused(data):
    group = sweep.MLPLanguageModels(96, 4)
    with pytest.raises(ValueError, match="one number of steps per group"):
        sweep.train_side_by_side([group], [1, 2], data)
    with pytest.raises(ValueError, match="positive integers"):
        sweep.train_side_by_side([group], [0], data)


def test_the_models_seeds_change_only_their_initial_weights_and_the_stream_has_its_own(data):
    """The chapter says so: every model of a sweep sees one stream of batches, whatever its seed."""
    first, second = sweep.MLPLanguageModels(96, 8, seed=5), sweep.MLPLanguageModels(96, 8, seed=5)
    assert torch.equal(first.w1, second.w1)
    sweep.train_side_by_side([first], [5], data, seed=0)
    sweep.train_side_by_side([second], [5], data, seed=1)
    assert not torch.allclose(first.w1, second.w1)
