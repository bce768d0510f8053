"""Drawing a computational graph with matplotlib alone (no Graphviz).

Each Value is a box showing its name, its number (data) and its gradient (grad); each
operation is a circle between a value and the values it was computed from. Inputs sit
on the left, the output on the right: the forward pass runs left to right, the backward
pass right to left.
"""
from __future__ import annotations

from collections import defaultdict
from statistics import mean

from course_lib.machinery import viz
from course_lib.nets.autograd import Value, topological_order

BOX_WIDTH, BOX_HEIGHT, COLUMN_STEP, ROW_STEP = 1.15, 0.7, 2.0, 1.0


def layout(root: Value) -> dict[Value, tuple[float, float]]:
    """An (x, y) position for every Value in root's graph: columns by depth, rows untangled."""
    order = topological_order(root)
    users = defaultdict(list)
    for node in order:
        for parent in node.parents:
            users[parent].append(node)
    column = {}
    for node in order:                      # parents come first in a topological order
        column[node] = 1 + max(column[p] for p in node.parents) if node.parents else 0
    for node in order:                      # an input sits just left of its first user
        if not node.parents and users[node]:
            column[node] = min(column[u] for u in users[node]) - 1
    columns = defaultdict(list)
    for node in order:
        columns[column[node]].append(node)
    row = {}

    def stack(nodes):
        for i, node in enumerate(nodes):
            row[node] = i - (len(nodes) - 1) / 2

    for nodes in columns.values():
        stack(nodes)
    for _ in range(3):                      # move each node towards its neighbours' rows
        for c in sorted(columns, reverse=True):
            columns[c].sort(key=lambda n: mean(row[u] for u in users[n]) if users[n] else row[n])
            stack(columns[c])
        for c in sorted(columns):
            columns[c].sort(key=lambda n: mean(row[p] for p in n.parents) if n.parents else row[n])
            stack(columns[c])
    first = min(columns)
    return {node: ((column[node] - first) * COLUMN_STEP, -row[node] * ROW_STEP) for node in order}


def figure_size(root: Value) -> tuple[float, float]:
    """A figure size (inches) in which the drawing of root's graph is readable."""
    where = layout(root)
    xs, ys = [x for x, _ in where.values()], [y for _, y in where.values()]
    return min(max(4.0, 1.1 * (max(xs) - min(xs)) + 2.2), 14.0), min(max(1.6, 0.9 * (max(ys) - min(ys)) + 1.4), 9.0)


def draw(root: Value, ax=None, grads: bool = True, title: str = ""):
    """Draw the graph that computed ``root``; returns the figure.

    grads: show each value's gradient (run ``root.backward()`` first) or only the forward values.
    ax:    matplotlib axes to draw into; by default a new pyplot figure of ``figure_size(root)``
           (end the cell with plt.show()). Widgets pass axes of a ``viz.figure`` instead.
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    if not isinstance(root, Value):
        raise TypeError(f"draw needs the Value at the end of a computation, got {type(root).__name__}")
    where = layout(root)
    if len(where) > 60:
        raise ValueError(f"this graph has {len(where)} values: too many to read in a drawing (at most 60)")
    xs, ys = [x for x, _ in where.values()], [y for _, y in where.values()]
    if ax is None:
        import matplotlib.pyplot as plt
        ax = plt.subplots(figsize=figure_size(root))[1]
    for node, (x, y) in where.items():
        colour = "#cfe2f3" if not node.parents else ("#fce5cd" if node is root else "#eeeeee")
        ax.add_patch(FancyBboxPatch((x - BOX_WIDTH / 2, y - BOX_HEIGHT / 2), BOX_WIDTH, BOX_HEIGHT,
                                    boxstyle="round,pad=0.02", facecolor=colour, edgecolor="#666666"))
        lines = [node.label] if node.label else []
        lines.append(f"data {node.data:.3g}")
        if grads:
            lines.append(f"grad {node.grad:.3g}")
        ax.text(x, y, "\n".join(lines), ha="center", va="center", fontsize=8)
        if node.parents:
            ox = x - BOX_WIDTH / 2 - 0.3
            ax.add_patch(Circle((ox, y), 0.2, facecolor="white", edgecolor="#666666", zorder=2))
            ax.text(ox, y, node.op, ha="center", va="center", fontsize=7, zorder=3)
            ax.annotate("", xy=(x - BOX_WIDTH / 2, y), xytext=(ox + 0.2, y),
                        arrowprops=dict(arrowstyle="->", color="#666666"))
            for k, parent in enumerate(node.parents):
                px, py = where[parent]
                shift = 0.12 * node.parents[:k].count(parent)   # a value used twice gets two edges
                ax.plot([px + BOX_WIDTH / 2, ox - 0.2], [py + shift, y + shift], color="#666666", lw=1, zorder=1)
    ax.set(xlim=(min(xs) - 1.0, max(xs) + 0.8), ylim=(min(ys) - 0.6, max(ys) + 0.6), title=title)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return ax.figure


def neuron(x1: float, x2: float, w1: float, w2: float, b: float, activation: str = "tanh") -> Value:
    """A neuron of two inputs built from labelled Values: activation(x1·w1 + x2·w2 + b)."""
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
    x1, x2, w1, w2, b = (Value(v, label=n) for v, n in zip((x1, x2, w1, w2, b), ("x1", "x2", "w1", "w2", "b")))
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1·w1", "x2·w2"
    products = x1w1 + x2w2
    products.label = "x1·w1 + x2·w2"
    z = products + b
    z.label = "z"
    out = z.tanh() if activation == "tanh" else z.relu()
    out.label = "out"
    return out


def neuron_explorer(x1: float = 1.0, x2: float = -0.5, w2: float = 0.8) -> viz.Explorer:
    """Sliders for one weight and the bias of a neuron; the drawing shows every gradient.

    Push the bias far from 0: tanh saturates and its gradients shrink towards 0; with
    ReLU, any negative input z stops the gradient completely.
    """
    import ipywidgets as widgets

    def draw_neuron(activation, w1, b):
        out = neuron(x1, x2, w1, w2, b, activation)
        out.backward()
        weight = next(v for v in topological_order(out) if v.label == "w1")
        print(f"out = {out.data:.3f}   d out/d w1 = {weight.grad:.4f}")
        fig = viz.figure(figsize=figure_size(out))
        return draw(out, fig.add_subplot(), title=f"{activation} neuron: forward values and gradients")

    return viz.Explorer(
        draw_neuron,
        activation=widgets.ToggleButtons(options=["tanh", "relu"], value="tanh", description="activation",
                                        style={"description_width": "initial"}),
        w1=widgets.FloatSlider(value=-1.0, min=-3.0, max=3.0, step=0.25, description="w1"),
        b=widgets.FloatSlider(value=1.5, min=-4.0, max=4.0, step=0.25, description="bias b"),
    )
