"""Checkpoints: a model, its tokenizer and facts about it survive a round trip, loaded safely."""
import pickle

import pytest
import torch

from course_lib.lm import checkpoint, text
from course_lib.lm.gpt import GPT, GPTConfig


def small_model():
    torch.manual_seed(0)
    return GPT(GPTConfig(vocab_size=96, block_size=8, n_layer=1, n_head=2, n_embd=16))


def test_a_round_trip_gives_the_same_model_tokenizer_and_metadata(tmp_path):
    model = small_model()
    path = checkpoint.save(tmp_path / "model.pt", model, text.Tokenizer(), steps=3, note="test")
    loaded = checkpoint.load(path)
    idx = torch.randint(0, 96, (2, 8))
    assert torch.equal(loaded.model(idx)[0], model.eval()(idx)[0])
    assert loaded.model.config == model.config and not loaded.model.training
    assert loaded.tokenizer.vocabulary == text.VOCABULARY
    assert loaded.metadata == {"steps": 3, "note": "test"}
    assert loaded.model.lm_head.weight is loaded.model.wte.weight  # still tied


def test_loading_refuses_a_file_that_would_run_code(tmp_path):
    class Payload:
        def __reduce__(self):
            return (print, ("this code ran while loading",))
    path = tmp_path / "evil.pt"
    path.write_bytes(pickle.dumps({"config": Payload()}, protocol=2))
    with pytest.raises(pickle.UnpicklingError):
        checkpoint.load(path)


@pytest.mark.parametrize("call, error, message", [
    (lambda p: checkpoint.save(p, "model", text.Tokenizer()), TypeError, "expected a GPT and a Tokenizer"),
    (lambda p: checkpoint.save(p, small_model(), text.Tokenizer("ab")), ValueError, "do not belong together"),
    (lambda p: checkpoint.save(p, small_model(), text.Tokenizer(), when=object()), TypeError, "plain numbers"),
    (lambda p: checkpoint.load(p / "missing.pt"), FileNotFoundError, "no checkpoint at"),
])
def test_bad_input_gets_a_clear_message(tmp_path, call, error, message):
    with pytest.raises(error, match=message):
        call(tmp_path)
