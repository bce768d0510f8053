"""Interactive figures: the controls drive the figure, and a static view exists without widgets."""
import base64

import ipywidgets as widgets
import pytest

from course_lib.scale import milestones
from course_lib.machinery import viz
from course_lib.machinery.viz import Explorer


def picture(text=""):
    print(text, end="")
    return viz.figure(figsize=(2, 2))



def test_moving_a_control_reruns_the_drawing():
    seen = []
    explorer = Explorer(lambda n: seen.append(n) or picture(), n=widgets.IntSlider(value=1, min=0, max=5))
    explorer.widget.children[0].value = 3
    assert seen[-1] == 3 and explorer.values == {"n": 3}


def test_an_explorer_needs_a_control():
    with pytest.raises(ValueError, match="at least one control"):
        Explorer(lambda: None)


def test_the_static_view_shows_the_printed_result_of_the_first_state():
    explorer = Explorer(lambda n: picture(f"n is {n}"), n=widgets.IntSlider(value=2))
    bundle = explorer._repr_mimebundle_()
    assert bundle["text/plain"] == "n is 2"
    assert base64.b64decode(bundle["image/png"]).startswith(b"\x89PNG")
    assert "application/vnd.jupyter.widget-view+json" in bundle


def test_a_draw_function_must_return_its_figure():
    explorer = Explorer(lambda n: picture(), n=widgets.IntSlider(value=2))
    explorer.draw = lambda n: None
    with pytest.raises(TypeError, match="must return the figure it made, got NoneType"):
        explorer.static_view()


def test_the_fit_window_explorer_reports_a_different_pace_when_the_window_moves(capsys):
    explorer = milestones.fit_window_explorer()
    start = explorer.widget.children[1]
    capsys.readouterr()
    start.value = 2020
    assert "parameters, 2020-2024" in capsys.readouterr().out
    explorer.widget.children[0].value = "compute"
    assert "compute, 2020-2024" in capsys.readouterr().out
    explorer.widget.children[2].value = 2020
    assert "fewer than two years" in capsys.readouterr().out
