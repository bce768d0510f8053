"""The chapter's tiny GPT: the recipe, the command that makes the shipped checkpoint, and the checkpoint."""
import platform
import subprocess
import sys

import pytest
import torch

from course_lib.lm import bigram, checkpoint, text, tinygpt
from course_lib.machinery.authoring import ROOT


@pytest.fixture(scope="module")
def data():
    return text.dataset()


def test_a_new_model_has_the_chapters_size_and_a_seeded_initialisation():
    model = tinygpt.new_model(96)
    assert model.config.n_layer == 2 and model.config.n_embd == 64 and model.block_size == 64
    assert 100_000 < model.num_parameters() < 120_000
    assert torch.equal(tinygpt.new_model(96).wte.weight, model.wte.weight)
    assert tinygpt.new_model(96, n_layer=3).config.n_layer == 3
    with pytest.raises(ValueError, match="unknown size settings"):
        tinygpt.new_model(96, layers=3)


def test_an_untrained_model_scores_about_the_uniform_loss(data):
    loss = tinygpt.validation_loss(tinygpt.new_model(96), data.validation[:5000])
    assert loss == pytest.approx(torch.log(torch.tensor(96.0)).item(), abs=0.1)


def test_the_command_makes_a_checkpoint_on_a_short_run(tmp_path):
    out = tmp_path / "tiny.pt"
    result = subprocess.run([sys.executable, "-m", "course_lib.lm.tinygpt", "--steps", "20", "--out", str(out)],
                            cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    saved = checkpoint.load(out)
    assert saved.metadata["steps"] == 20 and saved.tokenizer.vocabulary == text.VOCABULARY
    assert saved.metadata["validation_loss"] < torch.log(torch.tensor(96.0)).item()  # 20 steps already help
    assert f"validation loss {saved.metadata['validation_loss']:.4f}" in result.stdout


def test_the_shipped_checkpoint_is_the_recipe_trained_longer_and_beats_the_bigram(data):
    shipped = tinygpt.pretrained()
    meta = shipped.metadata
    assert meta["steps"] == tinygpt.SHIPPED_STEPS and meta["learning_rate"] == tinygpt.LEARNING_RATE
    assert meta["batch_size"] == tinygpt.BATCH_SIZE and meta["seed"] == tinygpt.SEED
    assert shipped.model.config == tinygpt.new_model(96).config
    loss = tinygpt.validation_loss(shipped.model, data.validation)
    if meta["python"] == platform.python_version():  # the same help pages: the same number
        assert loss == pytest.approx(meta["validation_loss"], abs=1e-4)
    baseline = bigram.loss(bigram.counts(data.train, 96), data.validation)
    assert loss < baseline - 0.8
    assert tinygpt.CHECKPOINT.stat().st_size < 600_000  # a few hundred kB


def test_raw_attention_scores_are_tiny_at_initialisation_and_large_once_trained():
    """Chapter 06's numbers: the spread of layer 0's q·k before the 1/√d_head, about 0.1 and 45."""
    shipped = tinygpt.pretrained()
    ids = torch.tensor(shipped.tokenizer.encode(text.split(text.corpus())[1][:2000]))
    for start in (0, 400, 800, 1200, 1600):
        window = ids[start:start + 64].unsqueeze(0)
        assert 0.05 < tinygpt.new_model(shipped.tokenizer.vocab_size).raw_score_spread(window) < 0.2
        assert 35 < shipped.model.raw_score_spread(window) < 60
