"""Models you can read, and probes that read a network's hidden layers.

Both are small classifiers fitted on features:

* on the **pixels**, a linear classifier (its weights are one 8×8 image per class) and a
  shallow decision tree (a few if-then rules) are *interpretable models*: they are their
  own explanation (Rudin 2019 argues for them wherever they are accurate enough);
* on a **hidden layer**, a linear classifier is a *probe* (Alain & Bengio 2016): if it
  can read a property from the layer, the layer holds that property linearly.

A probe's accuracy is read against two references: the majority class, and a **control
task** (Hewitt & Liang 2019) that gives every token *type* a random label. The control
labels carry no information about the text, so a probe can only score on them by
memorising which type is which; the **selectivity** — task accuracy minus control
accuracy — says how much of the accuracy the probe did not get that way.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from course_lib.machinery.env import seed_for


@dataclass
class LinearProbe:
    """A multinomial logistic regression on standardised features: class scores = ((x − mean)/std)·W + b."""
    weight: Tensor  # (features, classes)
    bias: Tensor    # (classes,)
    mean: Tensor    # (features,)
    std: Tensor     # (features,)

    def scores(self, features: Tensor) -> Tensor:
        return ((torch.as_tensor(features, dtype=torch.float32) - self.mean) / self.std) @ self.weight + self.bias

    def predict(self, features: Tensor) -> Tensor:
        return self.scores(features).argmax(dim=1)

    def feature_weights(self) -> Tensor:
        """The weight of each raw feature for each class, (classes, features): W / std, transposed."""
        return (self.weight / self.std[:, None]).T


def check_features(features, labels) -> tuple[Tensor, Tensor]:
    features, labels = torch.as_tensor(features, dtype=torch.float32), torch.as_tensor(labels)
    if features.ndim != 2 or labels.ndim != 1 or len(features) != len(labels):
        raise ValueError(f"features must be (n, d) and labels (n,), got {tuple(features.shape)} and "
                         f"{tuple(labels.shape)}")
    if labels.dtype != torch.int64 or (len(labels) and labels.min() < 0):
        raise ValueError("labels must be non-negative integer class indices (int64)")
    return features, labels


def fit_linear(features, labels, l2: float = 1e-3, iterations: int = 25, standardise: bool = True) -> LinearProbe:
    """Fit a linear classifier: cross-entropy plus l2·‖W‖², minimised by full-batch L-BFGS.

    With ``standardise``, features are first scaled to the training rows' mean 0 and spread 1
    (a feature that never varies is left as it is), which puts hidden units of any scale on an
    equal footing; without it the penalty acts on the weights of the raw features, as it
    should for pixels of one common scale. Deterministic: the same data give the same probe.
    """
    features, labels = check_features(features, labels)
    if len(labels) == 0:
        raise ValueError("a probe needs at least one training example")
    classes = int(labels.max()) + 1
    mean, std = torch.zeros(features.shape[1]), torch.ones(features.shape[1])
    if standardise:
        mean, std = features.mean(dim=0), features.std(dim=0, correction=0)
        std = torch.where(std > 1e-6, std, torch.ones_like(std))
    z = (features - mean) / std
    weight = torch.zeros(features.shape[1], classes, requires_grad=True)
    bias = torch.zeros(classes, requires_grad=True)
    optimizer = torch.optim.LBFGS([weight, bias], max_iter=iterations, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = F.cross_entropy(z @ weight + bias, labels) + l2 * weight.square().sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return LinearProbe(weight.detach(), bias.detach(), mean, std)


def accuracy(classifier, features, labels) -> float:
    """The fraction of rows whose predicted class is the label (a LinearProbe, or any classifier
    with a scikit-learn-style .predict)."""
    features, labels = check_features(features, labels)
    if len(labels) == 0:
        raise ValueError("no rows to score: features and labels are empty")
    if not hasattr(classifier, "predict"):
        raise TypeError(f"classifier must have a .predict method, got {type(classifier).__name__}")
    predicted = torch.as_tensor(np.asarray(classifier.predict(features)))
    return (predicted == labels).sum().item() / len(labels)  # a count over a count: 0.6, not 0.6000000238


def majority(labels) -> float:
    """The accuracy of always guessing the most frequent label."""
    labels = torch.as_tensor(labels)
    return torch.bincount(labels).max().item() / len(labels)


def mcnemar(right_a, right_b) -> tuple[int, int, float]:
    """McNemar's exact test: are two classifiers, scored on the same examples, equally accurate?

    ``right_a`` and ``right_b`` say, per example, whether each classifier got it right. Only the
    examples on which they disagree carry information about the difference (McNemar 1947): if
    both are equally accurate, each disagreement goes either way with probability ½. Returns
    (right only by a, right only by b, two-sided p-value of the binomial test on those counts).
    Two accuracies on the same examples are *paired*: comparing them with the standard error of
    one accuracy ignores that they share most of their right and wrong answers.
    """
    from scipy.stats import binomtest
    right_a, right_b = (torch.as_tensor(np.asarray(r)).bool().flatten() for r in (right_a, right_b))
    if right_a.shape != right_b.shape or len(right_a) == 0:
        raise ValueError(f"right_a and right_b must say right/wrong for the same examples, got "
                         f"{len(right_a)} and {len(right_b)}")
    a_only, b_only = int((right_a & ~right_b).sum()), int((right_b & ~right_a).sum())
    p_value = binomtest(a_only, a_only + b_only, 0.5).pvalue if a_only + b_only else 1.0
    return a_only, b_only, float(p_value)


def control_task(tokens: Tensor, labels: Tensor, vocab_size: int, seed: int = 0) -> Tensor:
    """Hewitt & Liang's control task: each token type gets one random label, drawn from the task's
    label frequencies; returns the control label of every token (same shape as ``tokens``)."""
    tokens, labels = torch.as_tensor(tokens), torch.as_tensor(labels)
    if tokens.shape != labels.shape:
        raise ValueError(f"tokens and labels must have the same shape, got {tuple(tokens.shape)} and "
                         f"{tuple(labels.shape)}")
    if tokens.min() < 0 or tokens.max() >= vocab_size:
        raise ValueError(f"token ids must lie in [0, {vocab_size}), got {tokens.min()}..{tokens.max()}")
    frequencies = torch.bincount(labels.flatten()).float()
    table = torch.multinomial(frequencies, vocab_size, replacement=True,
                              generator=torch.Generator().manual_seed(seed_for(seed)))
    return table[tokens]


# The properties probed in the language model: what kind of character a token is.
CATEGORIES = ("space", "newline", "lower-case", "upper-case", "digit", "other")


def category(char: str) -> int:
    """The index in CATEGORIES of a character's kind."""
    if char in " \n":
        return " \n".index(char)
    return 2 if char.islower() else 3 if char.isupper() else 4 if char.isdigit() else 5


def categories(ids: Tensor, vocabulary: str, shift: int = 0) -> Tensor:
    """The category of each token's character (shift=0), or of the character ``shift`` places
    before it (shift=1: the previous one); positions with no such character get "newline"."""
    if not isinstance(shift, int) or shift < 0:
        raise ValueError(f"shift must be a non-negative integer, got {shift!r}")
    table = torch.tensor([category(char) for char in vocabulary])
    labels = torch.full_like(ids, CATEGORIES.index("newline"))
    labels[..., shift:] = table[ids[..., : ids.shape[-1] - shift]]
    return labels


def decision_tree(features, labels, depth: int, seed: int = 0):
    """A decision tree of at most ``depth`` levels of if-then questions (scikit-learn's CART)."""
    from sklearn.tree import DecisionTreeClassifier
    features, labels = check_features(features, labels)
    if not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be a positive integer, got {depth!r}")
    return DecisionTreeClassifier(max_depth=depth, random_state=seed_for(seed)).fit(features.numpy(), labels.numpy())


def tree_rules(tree) -> str:
    """The tree's questions as text, pixels named by (row, column) of the 8×8 image."""
    from sklearn.tree import export_text
    return export_text(tree, feature_names=[f"ink({row},{col})" for row in range(8) for col in range(8)],
                       decimals=2)


def show_weights(fig, weights: Tensor, titles: list[str]) -> None:
    """One 8×8 image per class: red pixels raise the class's score, blue ones lower it."""
    weights = torch.as_tensor(weights)
    if weights.ndim != 2 or weights.shape[1] != 64 or len(weights) != len(titles):
        raise ValueError(f"need weights (classes, 64) and one title per class, got {tuple(weights.shape)} "
                         f"and {len(titles)} titles")
    limit = weights.abs().max().item()
    for ax, row, title in zip(fig.subplots(1, len(weights)), weights, titles):
        ax.imshow(row.reshape(8, 8), cmap="RdBu_r", vmin=-limit, vmax=limit)
        ax.set_title(title, fontsize=9)
        ax.set_axis_off()
