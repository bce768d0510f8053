import pytest
import scipy.stats
import torch

from course_lib.exercises.serving import accept_if_more_likely, resample_from_target
from course_lib.lm import tinygpt
from course_lib.serving import speculative


@pytest.fixture(scope="module")
def target():
    return tinygpt.pretrained().model


@pytest.fixture(scope="module")
def draft():
    return tinygpt.new_model(96, n_layer=1, n_head=2, n_embd=32, block_size=32).eval()  # untrained: any draft will do


PROMPT = torch.tensor([[52, 72, 69, 1]])  # "The "


def first_tokens(target, draft, seed, rule=speculative.acceptance, n=3000, k=3):
    tokens, emitted = speculative.speculative_round(target, draft, PROMPT.expand(n, -1), k,
                                                    torch.Generator().manual_seed(seed), rule=rule)
    assert ((1 <= emitted) & (emitted <= k + 1)).all()
    return torch.bincount(tokens[:, 0], minlength=96)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_first_token_has_the_targets_distribution(target, draft, seed):
    p = speculative.probabilities(target, PROMPT)[0, -1]
    assert speculative.chi_square(first_tokens(target, draft, seed), p)["p-value"] > 1e-3


@pytest.mark.parametrize("rule", [accept_if_more_likely, resample_from_target])
def test_a_wrong_rule_is_rejected_at_once(target, draft, rule):
    p = speculative.probabilities(target, PROMPT)[0, -1]
    assert speculative.chi_square(first_tokens(target, draft, 0, rule), p)["p-value"] < 1e-6


def test_the_p_value_is_scipys():
    counts, probs = torch.tensor([30, 50, 20, 3, 1]), torch.tensor([0.3, 0.45, 0.2, 0.03, 0.02])
    result = speculative.chi_square(counts, probs)
    pooled = [30, 50, 20, 4]
    expected = [31.2, 46.8, 20.8, 5.2]  # 104 draws times the probabilities, the last two pooled
    statistic, p_value = scipy.stats.chisquare(pooled, expected)
    assert result["dof"] == 3 and result["statistic"] == pytest.approx(statistic)
    assert result["p-value"] == pytest.approx(p_value, rel=1e-6)  # the probabilities are float32


def test_accepting_then_resampling_gives_p_exactly():
    g = torch.Generator().manual_seed(0)
    p, q = torch.randn(6, generator=g).softmax(0), torch.randn(6, generator=g).softmax(0)
    tokens = torch.arange(6)
    accept, residual = speculative.acceptance(p.expand(6, -1), q.expand(6, -1), tokens)
    produced = q * accept + (1 - (q * accept).sum()) * residual[0]
    assert torch.allclose(produced, p, atol=1e-6)


def test_the_expected_speedup_formula():
    assert speculative.expected_tokens_per_pass(0.0, 4) == 1 and speculative.expected_tokens_per_pass(1.0, 4) == 5
    assert speculative.expected_tokens_per_pass(0.5, 1) == pytest.approx(1.5)
    assert speculative.expected_speedup(0.8, 4, 0.05) == pytest.approx((1 - 0.8 ** 5) / 0.2 / 1.2)


def test_generation_gives_the_asked_length(target, draft):
    run = speculative.generate(target, draft, PROMPT, 20, k=3)
    assert run["ids"].shape == (1, 24) and 0 <= run["acceptance"] <= 1 and run["target passes"] <= 20


def test_bad_input_is_refused_clearly(target, draft):
    with pytest.raises(ValueError, match="positive integer"):
        speculative.speculative_round(target, draft, PROMPT, 0, torch.Generator())
    with pytest.raises(ValueError, match="probability"):
        speculative.expected_tokens_per_pass(1.5, 2)


class Constant(torch.nn.Module):
    """A stand-in model whose next-token distribution is probs whatever the text."""

    def __init__(self, probs):
        super().__init__()
        self.logits, self.block_size = torch.tensor(probs).log(), 64

    def forward(self, idx):
        return (self.logits.expand(*idx.shape, -1),)


@pytest.mark.parametrize("k", [1, 3, 6])
def test_the_acceptance_rate_is_per_judged_token(k):
    # each drafted token is accepted with probability min(0.9, 0.5) + min(0.1, 0.5) = 0.6,
    # whatever k; the tokens after a rejection are never judged and must not count
    target, draft = Constant([0.5, 0.5]), Constant([0.9, 0.1])
    run = speculative.generate(target, draft, torch.zeros(1, 1, dtype=torch.long), 3000, k)
    assert run["acceptance"] == pytest.approx(0.6, abs=0.03)
    measured = 3000 / run["target passes"]
    expected = speculative.expected_tokens_per_pass(run["acceptance"], k)
    assert measured == pytest.approx(expected, rel=0.05)
