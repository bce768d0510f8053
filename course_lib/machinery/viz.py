"""Plots and interactive figures.

``Explorer`` wraps ``ipywidgets.interactive``: controls that redraw a figure. It is
displayed with two views in one output: the live widget (JupyterLab picks it) and
a static picture plus text of its first state, which any other front end shows,
so a chapter read without a kernel or widgets still has its figure.
"""
from __future__ import annotations

import base64
import io
from contextlib import redirect_stdout
from typing import Callable

STYLE = {
    "figure.figsize": (7.0, 4.0),
    "figure.dpi": 90,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "font.size": 10,
}


def use_course_style() -> None:
    import matplotlib.pyplot as plt
    plt.rcParams.update(STYLE)


def figure(**options):
    """A matplotlib Figure outside pyplot's global registry, for widget callbacks.

    JupyterLab can deliver widget events to a kernel *subshell*, a second thread,
    while the main thread uses pyplot; pyplot's registry is not thread-safe, and
    sharing it was seen here to produce blank figures. A figure of its own is safe.
    """
    from matplotlib.figure import Figure
    return Figure(**options)


def png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


class Explorer:
    """Controls that redraw a figure: ``Explorer(draw, start=IntSlider(...), ...)``.

    ``draw(**values)`` returns a figure made with ``viz.figure()`` and may print a
    line of results. ``widget`` is the ``ipywidgets.interactive`` that runs it, so
    its controls can be set from code: ``explorer.widget.children[0].value = 3``.
    """

    def __init__(self, draw: Callable[..., object], **controls):
        import ipywidgets as widgets
        if not controls:
            raise ValueError("an Explorer needs at least one control, e.g. start=IntSlider(...)")
        self.draw = draw
        self.widget = widgets.interactive(self.show, **controls)

    def figure(self, **values):
        fig = self.draw(**values)
        if not hasattr(fig, "savefig"):
            raise TypeError(f"the draw function must return the figure it made, got {type(fig).__name__}")
        return fig

    def show(self, **values) -> None:
        from IPython.display import Image, display
        display(Image(png(self.figure(**values))))

    @property
    def values(self) -> dict:
        return dict(self.widget.kwargs)

    def static_view(self) -> dict:
        """The current state as a picture and text, for front ends without widgets."""
        with redirect_stdout(io.StringIO()) as printed:
            fig = self.figure(**self.values)
        return {"text/plain": printed.getvalue() or "(interactive figure)",
                "image/png": base64.b64encode(png(fig)).decode("ascii")}

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.static_view()
        live = self.widget._repr_mimebundle_()
        bundle.update({k: v for k, v in live.items() if k != "text/plain"})
        return bundle


def nested_sets(labels: list[str], title: str = "") -> None:
    """Draw labelled boxes inside one another, outermost first: 'A contains B contains C'."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch
    fig, ax = plt.subplots(figsize=(7, 3.8))
    colors = plt.cm.Blues([0.1 + 0.13 * i for i in range(len(labels))])
    for depth, (label, color) in enumerate(zip(labels, colors)):
        x, bottom, top = 0.06 * depth, 0.02 * depth, 1 - 0.16 * depth
        ax.add_patch(FancyBboxPatch((x, bottom), 1 - 2 * x, top - bottom, boxstyle="round,pad=0.01",
                                    facecolor=color, edgecolor="white"))
        ax.text(x + 0.02, top - 0.03, label, va="top", fontsize=9)
    ax.set(xlim=(-0.02, 1.02), ylim=(-0.02, 1.04), title=title)
    ax.set_axis_off()
    plt.show()
