"""A widget: one request, several models, their answers side by side.

Type a request ("first letter of python"); each model answers it greedily, and a bar chart
shows how sure each one is of its first character: the probability it gives the top few.
"""
from __future__ import annotations

import torch

from course_lib.adapt import instructions
from course_lib.lm.sampling import shown


def first_character_probs(model, tokenizer, request: str) -> torch.Tensor:
    """The model's probabilities (V,) for the answer's first character."""
    ids = torch.tensor([tokenizer.encode(instructions.prompt(request))])
    model.eval()
    with torch.no_grad():
        return model(ids[:, -model.block_size:])[0][0, -1].softmax(dim=-1)


def explorer(models: dict, tokenizer, request: str = "last letter of python", bars: int = 6):
    """The widget: a text box for the request; the models' answers printed, their first-character
    probabilities drawn, one group of bars per model."""
    import ipywidgets as widgets

    from course_lib.machinery import viz

    if not models:
        raise ValueError("give at least one model, as {name: model}")

    def draw(request: str):
        fig = viz.figure(figsize=(7.5, 3.0))
        axes = fig.subplots(1, len(models), sharey=True, squeeze=False)[0]
        unknown = sorted(set(request) - set(tokenizer.vocabulary) - {"\n"})
        if not request.strip() or unknown or "\n" in request:
            print("type a one-line request" if not unknown else f"not in the vocabulary: {''.join(unknown)!r}")
            return fig
        for ax, (name, model) in zip(axes, models.items()):
            answer = instructions.respond(model, tokenizer, [instructions.prompt(request)])[0]
            print(f"{name:>12}: {answer!r}")
            probs = first_character_probs(model, tokenizer, request)
            top = probs.argsort(descending=True)[:bars].tolist()
            ax.bar(range(len(top)), probs[top].tolist(), color="C0")
            ax.set_xticks(range(len(top)), [shown(tokenizer.vocabulary[i]) for i in top])
            ax.set(title=name, ylim=(0, 1))
        axes[0].set_ylabel("P(first character)")
        return fig

    return viz.Explorer(draw, request=widgets.Text(value=request, description="request", continuous_update=False))
