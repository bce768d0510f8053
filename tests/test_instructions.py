"""course_lib.adapt.instructions: the task, its split, its encoding and its score."""
import pytest
import torch

from course_lib.adapt import instructions
from course_lib.lm import tinygpt
from course_lib.lm.text import Tokenizer


def test_the_rules_answer_each_instruction():
    assert instructions.example("first letter of", "lambda") == ("User: first letter of lambda\nAssistant: ", "l")
    assert instructions.example("last letter of", "lambda").answer == "a"
    assert instructions.example("length of", "lambda").answer == "6"


def test_the_split_keeps_held_out_words_apart_and_is_the_same_every_time():
    train, held_out = instructions.split()
    word = lambda e: e.prompt.split()[-2]
    assert not {word(e) for e in train} & {word(e) for e in held_out}
    assert len(held_out) == 3 * instructions.HELD_OUT_WORDS and len(train) > 10 * len(held_out)
    assert instructions.split() == (train, held_out)
    assert all(len(e.prompt) + len(e.answer) + 1 <= tinygpt.SIZE["block_size"] for e in train + held_out)


def test_demonstrations_end_a_share_of_the_answers_with_a_full_stop():
    train, _ = instructions.split()
    shown = instructions.demonstrations(train)
    share = sum(d.answer.endswith(".") for d in shown) / len(shown)
    assert 0.22 < share < 0.28
    assert all(instructions.exact_match(d.answer, e.answer) for d, e in zip(shown, train))


def test_the_mask_marks_the_answer_and_its_end_only():
    tokenizer = Tokenizer()
    e = [instructions.Example("User: x\nAssistant: ", "ab"), instructions.Example("User: length of it\nAssistant: ", "2")]
    x, y, mask = instructions.encode(e, tokenizer)
    assert x.shape == y.shape == mask.shape
    for row, example in enumerate(e):
        kept = "".join(tokenizer.vocabulary[t] for t, m in zip(y[row].tolist(), mask[row].tolist()) if m)
        assert kept == example.answer + instructions.END
    assert torch.equal(x[0, 1:len(e[0].prompt)], y[0, :len(e[0].prompt) - 1])


@pytest.mark.parametrize("generated, expected, same", [
    (" l\n", "l", True), ("l.", "l", True), ("L", "l", False), ("lambda", "l", False), ("6..", "6", False)])
def test_exact_match_normalises_space_and_one_full_stop(generated, expected, same):
    assert instructions.exact_match(generated, expected) is same


def test_the_pretrained_model_cannot_do_the_task_and_respond_stops_at_the_end():
    model, tokenizer, _ = tinygpt.pretrained()
    _, held_out = instructions.split()
    answers = instructions.respond(model, tokenizer, [e.prompt for e in held_out[:30]], max_new_tokens=5)
    assert all(instructions.END not in a and len(a) <= 5 for a in answers)
    assert instructions.score(model, tokenizer, held_out[:60]) < 0.1


def test_bad_input_is_refused_with_a_message():
    with pytest.raises(ValueError, match="unknown instruction"):
        instructions.example("middle letter of", "word")
    with pytest.raises(ValueError, match="letters"):
        instructions.example("length of", "two words")
    with pytest.raises(ValueError, match="held_out"):
        instructions.split(held_out=0)
    with pytest.raises(ValueError, match="at least one"):
        instructions.score(None, Tokenizer(), [])
    with pytest.raises(ValueError, match="share"):
        instructions.demonstrations([], full_stop=2)
