import pytest
import torch

from course_lib.lm import tinygpt
from course_lib.scale import sizing
from course_lib.serving import kv_cache


@pytest.fixture(scope="module")
def model():
    return tinygpt.pretrained().model


def test_token_by_token_logits_equal_the_full_pass_at_every_position(model):
    idx = torch.randint(0, 96, (2, 40), generator=torch.Generator().manual_seed(0))
    cache = kv_cache.Cache(model.config.n_layer)
    with torch.no_grad():
        steps = torch.cat([kv_cache.forward(model, idx[:, t:t + 1], cache) for t in range(40)], dim=1)
        assert torch.allclose(steps, model(idx)[0], atol=1e-4)
    assert len(cache) == 40


def test_a_prompt_then_single_tokens_equal_the_full_pass(model):
    idx = torch.randint(0, 96, (1, 30), generator=torch.Generator().manual_seed(1))
    cache = kv_cache.Cache(model.config.n_layer)
    with torch.no_grad():
        parts = [kv_cache.forward(model, idx[:, :17], cache)] + [kv_cache.forward(model, idx[:, t:t + 1], cache)
                                                                 for t in range(17, 30)]
        assert torch.allclose(torch.cat(parts, dim=1), model(idx)[0], atol=1e-4)


def test_the_cache_bytes_are_chapter_02s_formula(model):
    cache = kv_cache.Cache(model.config.n_layer)
    with torch.no_grad():
        kv_cache.forward(model, torch.zeros(3, 25, dtype=torch.long), cache)
    c = model.config
    assert cache.nbytes() == sizing.kv_cache_bytes(c.n_layer, c.n_head, c.n_head, c.n_embd, 25, batch=3,
                                                   dtype="float32")


def test_cached_attention_matches_the_last_row_of_causal_attention():
    from course_lib.lm.gpt import causal_attention
    q, k, v = (torch.randn(2, 3, 6, 8, generator=torch.Generator().manual_seed(s)) for s in range(3))
    out, keys, values = kv_cache.cached_attention(q[:, :, -1:], k[:, :, -1:], v[:, :, -1:], k[:, :, :-1], v[:, :, :-1])
    assert torch.allclose(out, causal_attention(q, k, v)[:, :, -1:], atol=1e-6)
    assert torch.equal(keys, k) and torch.equal(values, v)


def test_generation_with_and_without_the_cache_is_the_same_text(model):
    start = torch.tensor([[1, 2, 3]])
    cached, seconds = kv_cache.generate(model, start, 20, cached=True)
    full, _ = kv_cache.generate(model, start, 20, cached=False)
    assert torch.equal(cached, full) and len(seconds) == 20


def test_bad_input_is_refused_clearly(model):
    cache = kv_cache.Cache(model.config.n_layer)
    with pytest.raises(ValueError, match="block_size"):
        kv_cache.forward(model, torch.zeros(1, 65, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="batch, time"):
        kv_cache.forward(model, torch.zeros(5, dtype=torch.long), cache)
    with pytest.raises(TypeError, match="GPT"):
        kv_cache.forward(torch.nn.Linear(2, 2), torch.zeros(1, 1, dtype=torch.long), cache)
    with pytest.raises(ValueError, match="max_new_tokens"):
        kv_cache.generate(model, torch.zeros(1, 1, dtype=torch.long), 0)
