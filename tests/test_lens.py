"""course_lib.interpret.lens and course_lib.interpret.patching: the residual stream, the logit lens, attention vs occlusion,
and interventions by forward hooks."""
import pytest
import torch
import torch.nn.functional as F

from course_lib.lm import gpt, text, tinygpt
from course_lib.interpret import lens, patching


@pytest.fixture(scope="module")
def small():
    torch.manual_seed(0)
    model = gpt.GPT(gpt.GPTConfig(vocab_size=11, block_size=8, n_layer=2, n_head=2, n_embd=8)).eval()
    idx = torch.randint(0, 11, (3, 8), generator=torch.Generator().manual_seed(1))
    return model, idx


@pytest.fixture(scope="module")
def shipped():
    return tinygpt.pretrained()


def no_hooks_left(model):
    return all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())


def test_the_residual_stream_has_one_state_per_block_and_ends_where_the_head_reads(small):
    model, idx = small
    states = lens.residual_stream(model, idx)
    assert len(states) == 3 and all(s.shape == (3, 8, 8) for s in states)
    assert torch.allclose(states[0], model.embed(idx))
    with torch.no_grad():
        assert torch.allclose(lens.logit_lens(model, states[-1]), model(idx)[0], atol=1e-6)
        assert torch.allclose(states[1], model.blocks[0](states[0]), atol=1e-6)
    assert no_hooks_left(model)


def test_the_lens_report_on_the_shipped_model(shipped):
    model, tokenizer, _ = shipped
    x, y = text.windows(torch.tensor(tokenizer.encode(text.split(text.corpus())[1])), 64)
    report = lens.lens_report(model, x[:50], y[:50])
    assert len(report) == 3 and set(report[0]) == {"loss", "top is next", "top is current"}
    assert report[0]["top is current"] == 1.0  # tied embeddings read back as the token itself
    with torch.no_grad():
        own = F.cross_entropy(model(x[:50])[0].flatten(0, 1), y[:50].flatten()).item()
    assert report[-1]["loss"] == pytest.approx(own, rel=1e-5)


def test_occlusion_measures_how_far_the_prediction_moves(small):
    model, idx = small
    importance = lens.occlusion(model, idx[:1])
    assert importance.shape == (7,) and (importance >= 0).all() and (importance <= 1).all()
    with torch.no_grad():
        full = model(idx[:1])[0][0, -1].softmax(-1)
        without_2 = model(torch.cat([idx[:1, :2], idx[:1, 3:]], dim=1))[0][0, -1].softmax(-1)
    assert importance[2] == pytest.approx(0.5 * (full - without_2).abs().sum().item(), abs=1e-6)


def test_attention_against_occlusion_gives_one_tau_per_head_and_a_nearness_reference(small):
    model, idx = small
    tau, nearness = lens.attention_vs_occlusion(model, idx)
    assert tau.shape == (2, 2) and (tau.abs() <= 1).all() and -1 <= nearness <= 1


@pytest.mark.parametrize("call, message", [
    (lambda m, idx: lens.residual_stream("model", idx), "model must be a course_lib.lm.gpt.GPT"),
    (lambda m, idx: lens.residual_stream(m, idx[0]), "idx must be an int64 tensor"),
    (lambda m, idx: lens.occlusion(m, idx), "one sequence of at least 2 tokens"),
    (lambda m, idx: patching.patch_residual(m, idx, idx[:, :4], None), "same shape"),
    (lambda m, idx: patching.patch_heads(m, idx.float(), idx, None), "int64 token-id tensors"),
    (lambda m, idx: patching.intervene(m, residual={3: None}).__enter__(), "residual states are 0..2"),
    (lambda m, idx: patching.bracket_pairs("f(x)", text.Tokenizer(), context=4, reach=5), "3 <= reach <= context"),
    (lambda m, idx: patching.bracket_pairs("no brackets here at all", text.Tokenizer(), 8, 6), "no bracket pairs"),
])
def test_bad_input_is_refused_with_a_clear_message(small, call, message):
    model, idx = small
    with pytest.raises((ValueError, TypeError), match=message):
        call(model, idx)


def test_an_identity_intervention_changes_nothing_and_removes_its_hooks(small):
    model, idx = small
    with torch.no_grad():
        plain = model(idx)[0]
        with patching.intervene(model, residual={0: lambda x: x, 2: lambda x: x}, heads={1: lambda y: y}):
            hooked = model(idx)[0]
    assert torch.equal(plain, hooked) and no_hooks_left(model)


def test_head_outputs_are_what_the_output_projection_reads(small):
    model, idx = small
    outputs = patching.head_outputs(model, idx)
    assert len(outputs) == 2 and outputs[0].shape == (3, 8, 2, 4)
    x = model.embed(idx)
    q, k, v = model.blocks[0].attn.heads(model.blocks[0].ln_1(x))
    expected = gpt.causal_attention(q, k, v).transpose(1, 2)  # (B, T, n_head, head_size)
    assert torch.allclose(outputs[0], expected, atol=1e-6)


def test_patching_the_whole_last_state_restores_the_clean_answer(small):
    model, idx = small
    clean, corrupt = idx[:2], idx[:2].clone()
    corrupt[:, 3] = (corrupt[:, 3] + 1) % 11
    metric = lambda logits: logits[:, -1, 0] - logits[:, -1, 1]  # noqa: E731
    recovery = patching.patch_residual(model, clean, corrupt, metric)
    assert recovery.shape == (2, 3, 8)
    assert torch.allclose(recovery[:, 2, -1], torch.ones(2), atol=1e-4)  # the head reads this state only
    assert torch.allclose(recovery[:, 0, 3], torch.ones(2), atol=1e-4)   # the changed token's embedding is all
    assert torch.allclose(recovery[:, 0, :3], torch.zeros(2, 3), atol=1e-5)  # positions before it are the same
    assert patching.patch_heads(model, clean, corrupt, metric).shape == (2, 2, 2)


def test_mean_ablation_and_the_ablation_table(small):
    model, idx = small
    y = torch.roll(idx, -1, dims=1)
    base = patching.token_losses(model, idx, y)
    with torch.no_grad():
        expected = F.cross_entropy(model(idx)[0].flatten(0, 1), y.flatten(), reduction="none").view_as(y)
    assert torch.allclose(base, expected)
    rows = patching.ablation_table(model, idx, y, where=y == 3)
    assert [r["head"] for r in rows] == ["0.0", "0.1", "1.0", "1.1"]
    means = patching.head_outputs(model, idx)[1].mean(dim=(0, 1))
    ablated = patching.token_losses(model, idx, y, heads={1: patching.mean_ablate(means[0], 0)})
    assert rows[2]["all tokens"] == pytest.approx((ablated - base).mean().item(), abs=1e-6)


def test_bracket_pairs_differ_only_in_the_opening_bracket():
    tokenizer = text.Tokenizer()
    source = "call f(a, b) then g(xyz) and h() or k[(1)] and m(abcdef)"
    clean, corrupt = patching.bracket_pairs(source, tokenizer, context=8, reach=8)
    assert len(clean) == 3  # f(a, b), g(xyz), m(abcdef): "h()" and "(1)" close too soon
    for c, d in zip(clean, corrupt):
        c, d = tokenizer.decode(c), tokenizer.decode(d)
        differ = [i for i in range(8) if c[i] != d[i]]
        assert len(differ) == 1 and c[differ[0]] == "(" and d[differ[0]] == "["


def test_the_logit_difference_metric():
    tokenizer = text.Tokenizer()
    logits = torch.zeros(1, 2, tokenizer.vocab_size)
    logits[0, -1, tokenizer.encode(")")[0]] = 3.0
    logits[0, -1, tokenizer.encode("]")[0]] = 1.0
    assert patching.logit_difference(tokenizer, ")", "]")(logits).item() == 2.0


def test_the_attention_bars_label_their_axis_on_the_left_column(small):
    import matplotlib.pyplot as plt
    model, idx = small
    fig = plt.figure()
    lens.show_attention(fig, model.attention_maps(idx[:1]), list("abcdefgh"))
    axes = fig.axes
    assert len(axes) == 4 and [ax.get_title() for ax in axes] == ["head 0.0", "head 0.1", "head 1.0", "head 1.1"]
    assert [ax.get_ylabel() for ax in axes] == ["attention weight", "", "attention weight", ""]
    plt.close(fig)
