"""A task the pretrained model cannot do: short questions about a word, with checkable answers.

The chapter-06 GPT has read Python's help pages; it continues text. An assistant answers a
request. The requests here are about the words of those same pages, and each has one right
answer that a rule computes, so a score needs no judge:

    User: first letter of lambda        Assistant: l
    User: last letter of lambda         Assistant: a
    User: length of lambda              Assistant: 6

Every example is a prompt (the request in a fixed chat format) and an answer (what the
assistant should say, ended by a newline, which is how the model says it is done). The words
are split into training and held-out words: a held-out prompt asks about a word no training
example mentions, so a good score on them means the rule was learned, not the examples.
"""
from __future__ import annotations

import random
import re
from typing import NamedTuple, Sequence

from course_lib.lm import text

INSTRUCTIONS = {
    "first letter of": lambda word: word[0],
    "last letter of": lambda word: word[-1],
    "length of": lambda word: str(len(word)),
}
PROMPT = "User: {request}\nAssistant: "
END = "\n"  # the answer's last character: the model stops there
HELD_OUT_WORDS = 150


class Example(NamedTuple):
    prompt: str
    answer: str  # without the END character


def prompt(request: str) -> str:
    """A request in the chat format the model is fine-tuned on."""
    if not isinstance(request, str) or not request.strip():
        raise ValueError(f"the request must be a non-empty string, got {request!r}")
    return PROMPT.format(request=request)


def example(instruction: str, word: str) -> Example:
    if instruction not in INSTRUCTIONS:
        raise ValueError(f"unknown instruction {instruction!r}; the instructions are {list(INSTRUCTIONS)}")
    if not isinstance(word, str) or not word.isalpha():
        raise ValueError(f"the word must be a string of letters, got {word!r}")
    return Example(prompt(f"{instruction} {word}"), INSTRUCTIONS[instruction](word))


def words(shortest: int = 3, longest: int = 9) -> list[str]:
    """The different lower-case words of the help pages with shortest..longest letters, sorted."""
    return sorted(set(re.findall(rf"\b[a-z]{{{shortest},{longest}}}\b", text.corpus())))


def split(held_out: int = HELD_OUT_WORDS, seed: int = 0) -> tuple[list[Example], list[Example]]:
    """(training, held-out) examples: every instruction for every word, the words shuffled with
    a fixed seed (the same split on every machine) and the last ``held_out`` of them kept apart."""
    vocabulary = words()
    if not isinstance(held_out, int) or not 0 < held_out < len(vocabulary):
        raise ValueError(f"held_out must be an integer between 1 and {len(vocabulary) - 1}, got {held_out!r}")
    random.Random(seed).shuffle(vocabulary)
    def examples(chosen):
        return [example(instruction, word) for word in chosen for instruction in INSTRUCTIONS]
    return examples(vocabulary[:-held_out]), examples(vocabulary[-held_out:])


def demonstrations(examples: Sequence[Example], full_stop: float = 0.25, seed: int = 0) -> list[Example]:
    """The examples as people would write them: most answers bare, a share ``full_stop`` of them
    (chosen at random, with a fixed seed) ended by a full stop, as a sentence is. Both are right."""
    if not 0 <= full_stop <= 1:
        raise ValueError(f"full_stop is a share between 0 and 1, got {full_stop!r}")
    rng = random.Random(seed)
    return [Example(e.prompt, e.answer + "." if rng.random() < full_stop else e.answer) for e in examples]


def normalise(answer: str) -> str:
    """An answer as it is compared: surrounding white space and one final full stop removed.
    Case is kept: "L" is not the letter "l" was asked for."""
    answer = answer.strip()
    return answer[:-1].rstrip() if answer.endswith(".") else answer


def exact_match(generated: str, expected: str) -> bool:
    """Whether the generated answer is the expected one, once both are normalised."""
    return normalise(generated) == normalise(expected)


def respond(model, tokenizer, prompts: Sequence[str], max_new_tokens: int = 8) -> list[str]:
    """The model's greedy answer to each prompt: the characters it writes before END (or before
    max_new_tokens). All prompts are answered together: each row of one batch holds a prompt,
    padded on the right, and each step writes every row's next character after its own prompt
    (the model is causal, so the padding further right changes nothing)."""
    import torch

    if not isinstance(max_new_tokens, int) or not 0 < max_new_tokens < model.block_size:
        raise ValueError(f"max_new_tokens must be an integer between 1 and {model.block_size - 1}, got {max_new_tokens!r}")
    if not prompts:
        return []
    keep = model.block_size - max_new_tokens  # a longer prompt keeps its end, as generation does
    rows = [tokenizer.encode(p)[-keep:] for p in prompts]
    lengths = torch.tensor([len(r) for r in rows])
    idx = torch.zeros(len(rows), int(lengths.max()) + max_new_tokens, dtype=torch.long)
    for i, r in enumerate(rows):
        idx[i, :len(r)] = torch.tensor(r)
    every, end = torch.arange(len(rows)), tokenizer.encode(END)[0]
    written = torch.zeros(len(rows), max_new_tokens, dtype=torch.long)
    done = torch.zeros(len(rows), dtype=torch.bool)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        for step in range(max_new_tokens):
            position = lengths + step
            token = model(idx[:, :int(position.max())])[0][every, position - 1].argmax(dim=-1)
            idx[every, position] = token
            written[:, step] = torch.where(done, end, token)
            done |= token == end
            if done.all():
                break
    model.train(was_training)
    return [tokenizer.decode(row).split(END)[0] for row in written]


def score(model, tokenizer, examples: Sequence[Example], match=exact_match) -> float:
    """The fraction of examples the model answers right (exact match after normalising)."""
    if not examples:
        raise ValueError("score needs at least one example")
    answers = respond(model, tokenizer, [e.prompt for e in examples])
    return sum(match(got, e.answer) for got, e in zip(answers, examples)) / len(examples)


def encode(examples: Sequence[Example], tokenizer, answers: Sequence[str] | None = None):
    """Tensors (x, y, mask) for a batch, each (batch, T): x the prompt and answer, y the same shifted
    by one (the next characters), mask 1.0 where y is a character of the answer (its END too), 0.0
    on the prompt and on the padding after a shorter example. ``answers`` replaces the examples'
    own answers (for the preference pairs)."""
    import torch

    answers = [e.answer for e in examples] if answers is None else list(answers)
    if not examples or len(answers) != len(examples):
        raise ValueError(f"need a non-empty batch and one answer per example, got {len(examples)} and {len(answers)}")
    rows = [(tokenizer.encode(e.prompt), tokenizer.encode(a + END)) for e, a in zip(examples, answers)]
    T = max(len(p) + len(a) for p, a in rows) - 1
    x = torch.zeros(len(rows), T, dtype=torch.long)
    y = torch.zeros(len(rows), T, dtype=torch.long)
    mask = torch.zeros(len(rows), T)
    for i, (p, a) in enumerate(rows):
        ids = torch.tensor(p + a)
        n = len(ids) - 1
        x[i, :n], y[i, :n] = ids[:-1], ids[1:]
        mask[i, len(p) - 1:n] = 1.0  # y[len(p) - 1] is the answer's first character
    return x, y, mask
