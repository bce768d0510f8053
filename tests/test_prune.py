import pytest
import torch

from course_lib.lm import tinygpt
from course_lib.serving import prune


@pytest.fixture(scope="module")
def model():
    return tinygpt.pretrained().model


def test_each_row_loses_its_smallest_weights():
    w = torch.tensor([[0.1, -3.0, 2.0, -0.2], [5.0, 0.3, -0.4, 1.0]])
    assert prune.magnitude_mask(w, 0.5).tolist() == [[False, True, True, False], [True, False, False, True]]
    assert prune.magnitude_mask(w, 0.0).all() and not prune.magnitude_mask(w, 1.0).any()


def test_two_four_keeps_two_of_every_four():
    w = torch.randn(8, 16, generator=torch.Generator().manual_seed(0))
    mask = prune.two_four_mask(w)
    assert (mask.view(8, 4, 4).sum(-1) == 2).all()


def test_pruning_leaves_the_model_and_the_embeddings_alone(model):
    half = prune.pruned(model, lambda w: prune.magnitude_mask(w, 0.5))
    assert abs(prune.zeros(half) - 0.5) < 1e-9 and prune.zeros(model) == 0
    assert torch.equal(half.wte.weight, model.wte.weight)


def test_removing_a_head_silences_only_it(model):
    idx = torch.randint(0, 96, (1, 20), generator=torch.Generator().manual_seed(0))
    cut = prune.without_head(model, 1, 2)
    block, size = cut.blocks[1], model.config.n_embd // model.config.n_head
    assert (block.attn.proj.weight[:, 2 * size:3 * size] == 0).all()
    with torch.no_grad():
        assert not torch.allclose(cut(idx)[0], model(idx)[0])


def test_bad_input_is_refused_clearly(model):
    with pytest.raises(ValueError, match="sparsity"):
        prune.magnitude_mask(torch.randn(2, 4), 1.5)
    with pytest.raises(ValueError, match="multiple of 4"):
        prune.two_four_mask(torch.randn(2, 6))
    with pytest.raises(ValueError, match="no head"):
        prune.without_head(model, 2, 0)
