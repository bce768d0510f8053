"""course_lib.adapt.side_by_side: the widget answers with every model and says what it cannot read."""
import pytest

from course_lib.adapt import side_by_side
from course_lib.lm import tinygpt


@pytest.fixture(scope="module")
def pretrained():
    return tinygpt.pretrained()


def test_the_static_view_shows_every_models_answer_and_follows_the_text_box(pretrained):
    model, tokenizer, _ = pretrained
    widget = side_by_side.explorer({"one": model, "two": model}, tokenizer, request="length of word")
    first = widget.static_view()
    assert "one:" in first["text/plain"] and "two:" in first["text/plain"] and first["image/png"]
    widget.widget.children[0].value = "é"
    assert "not in the vocabulary" in widget.static_view()["text/plain"]


def test_the_first_character_probabilities_sum_to_one(pretrained):
    model, tokenizer, _ = pretrained
    probs = side_by_side.first_character_probs(model, tokenizer, "first letter of python")
    assert probs.shape == (tokenizer.vocab_size,) and abs(probs.sum().item() - 1) < 1e-5


def test_no_models_is_refused(pretrained):
    with pytest.raises(ValueError, match="at least one model"):
        side_by_side.explorer({}, pretrained.tokenizer)
