"""A real browser: JupyterLab on localhost, every chapter's student version run in headless Chromium.

For each chapter: open it in a fresh workspace, Run All, find no error output and every check
lending its reference ("not attempted yet"), change one control of the chapter's first widget and
see its output redrawn, answer a quiz question and see its explanation, keep screenshots of the
widget and the page in build/screenshots/ (git-ignored), find no printed line too wide for the
window (unless its cell says why), then close the tab — and see its kernel
shut down, as the course's JupyterLab settings (binder/overrides.json, installed in the venv by
the set-up and on Binder by postBuild) promise: the next chapter finds no kernel but its own.
Without Chromium it skips with the install command, except under CI=true, where it fails.
"""
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import nbformat
import pytest

from course_lib.machinery import chapters
from course_lib.machinery.authoring import NOTEBOOKS, ROOT

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]
SCREENSHOTS = ROOT / "build" / "screenshots"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))

KERNEL_IDLE = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session && panel.sessionContext.session.kernel;
    const bar = [...document.querySelectorAll('.jp-StatusBar-TextItem')].some(e => e.textContent.includes('Idle'));
    return Boolean(kernel) && kernel.status === 'idle' && panel.sessionContext.isReady && bar;
}"""
ALL_CELLS_RUN = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const code = panel.content.widgets.filter(c => c.model.type === 'code');
    return panel.sessionContext.session.kernel.status === 'idle'
        && code.every(c => c.model.executionCount !== null);
}"""
# Printed lines a cell shows without breaking a word in this window (JupyterLab breaks longer ones
# mid-word), unless the cell says why its lines are long on a first line "# long lines: ...".
OUTPUT_WIDTH, LONG_LINES = 100, "# long lines:"
# What the first widget shows: its output's text and pictures, so that a redraw changes it.
WIDGET_OUTPUT = """() => {
    const out = document.querySelector('.widget-interact .widget-output');
    if (!out) return null;
    const images = [...out.querySelectorAll('img')].map(img => img.complete && img.naturalWidth > 0 ? img.src.length + ':' + img.src.slice(-64) : 'loading');
    return out.innerText + '|' + images.join(',');
}"""


def require_chromium():
    if Path(CHROMIUM).exists():
        return
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the browser test, but Chromium is missing (.ci/run installs it with apt-get)")
    pytest.skip("Chromium is not installed; on Debian or Ubuntu: sudo apt-get install chromium")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on localhost serving a copy of the chapters (JupyterLab autosaves)."""
    require_chromium()
    home = tmp_path_factory.mktemp("lab")
    root = home / "course"
    shutil.copytree(NOTEBOOKS, root)
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(home / "settings"),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_CONFIG_DIR=str(home / "config"))
    port = free_port()
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--ServerApp.root_dir={root}", "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabApp.expose_app_in_browser=True", "--ServerApp.disable_check_xsrf=True"],
        stdout=log, stderr=subprocess.STDOUT, env=env)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"{url}/api/status", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(home / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield url
    server.terminate()
    server.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def browser(lab):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield browser
        browser.close()


def kernels(url: str) -> list:
    return json.loads(urllib.request.urlopen(f"{url}/api/kernels", timeout=5).read())


def shut_down_kernels(url: str) -> None:
    """Stop every kernel still running, so that one chapter's failure does not fail the next."""
    for kernel in kernels(url):
        urllib.request.urlopen(urllib.request.Request(f"{url}/api/kernels/{kernel['id']}", method="DELETE"), timeout=30)


def wide_printed_lines(lab: str, name: str) -> list[str]:
    """Printed lines wider than OUTPUT_WIDTH in the run notebook, as the server holds it."""
    content = json.loads(urllib.request.urlopen(f"{lab}/api/contents/{name}?content=1", timeout=30).read())
    nb = nbformat.reads(json.dumps(content["content"]), as_version=4)  # sources as strings
    return [f"cell {i}, {len(line)} characters: {line[:50]}..." for i, cell in enumerate(nb.cells)
            if cell.cell_type == "code" and not cell.source.startswith(LONG_LINES)
            for output in cell.outputs if output.output_type == "stream"
            for line in output.text.split("\n") if len(line) > OUTPUT_WIDTH]


def settled_output(page, unlike: str | None = None) -> str:
    """The first widget's output once the kernel is idle and it has not changed for a second
    (a redraw sends its printed line before its figure), and differs from ``unlike``."""
    deadline, last = time.monotonic() + 60, None
    while time.monotonic() < deadline:
        page.wait_for_function(KERNEL_IDLE, timeout=60_000, polling=200)
        now = page.evaluate(WIDGET_OUTPUT)
        if now and len(now) > 1 and "loading" not in now and now == last and now != unlike:
            return now
        last = now
        page.wait_for_timeout(1000)
    raise AssertionError(f"the widget's output did not settle{' on a new drawing' if unlike else ''} in 60 s: {last!r}")


def change_a_control(page) -> None:
    """Move the first slider of the first widget one step, else pick the next option of its first
    menu, else reverse the last word of its first text box (a new request, in the same characters)."""
    slider = page.locator(".widget-interact .widget-slider", has=page.locator(".noUi-handle")).first
    if slider.count():
        readout, start = slider.locator(".widget-readout"), slider.locator(".widget-readout").inner_text()
        for _ in range(3):  # a key press can land before the slider listens: press until it moves
            slider.locator(".noUi-handle").first.press("ArrowRight")
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline and readout.inner_text() == start:
                time.sleep(0.2)
            if readout.inner_text() != start:
                return
        raise AssertionError(f"the first slider did not move from {start!r} on ArrowRight")
    text = page.locator(".widget-interact .widget-text input").first
    if text.count():
        words = text.input_value().split(" ")
        text.fill(" ".join(words[:-1] + [words[-1][::-1]]))
        text.press("Enter")
        return
    select = page.locator(".widget-interact select").first
    options = select.locator("option").all_inner_texts()
    select.select_option(label=options[1])


@pytest.mark.parametrize("name", NAMES)
def test_the_chapter_runs_in_jupyterlab_its_widget_redraws_and_its_kernel_stops_on_close(lab, browser, name):
    chapter = chapters.by_id(chapters.id_of(name))
    exercises = importlib.import_module(f"course_lib.exercises.{chapter.id}").EXERCISES
    assert kernels(lab) == [], "a kernel of an earlier chapter is still running after its tab was closed"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    try:
        run_the_chapter(lab, page, name, exercises)
    finally:
        page.close()
        shut_down_kernels(lab)


def run_the_chapter(lab, page, name, exercises) -> None:
    page.goto(f"{lab}/lab/workspaces/{uuid.uuid4().hex}/tree/{name}?reset")
    page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(ALL_CELLS_RUN, timeout=300_000, polling=500)

    errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
    assert errors.count() == 0, "error output in the browser:\n" + "\n---\n".join(errors.all_inner_texts())
    assert page.get_by_text("not attempted yet").count() == len(exercises)  # every check lends its reference

    widget = page.locator(".widget-interact").first
    widget.scroll_into_view_if_needed()
    before = settled_output(page)
    change_a_control(page)
    settled_output(page, unlike=before)
    widget.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}_widget.png"))

    quiz = page.locator(".widget-vbox", has=page.locator("h4", has_text="elf-check")).first
    quiz.locator(".widget-hbox button").first.scroll_into_view_if_needed()
    quiz.locator(".widget-hbox button").first.click()
    quiz.get_by_text("Right.").or_(quiz.get_by_text("Not quite.")).first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / f"{Path(name).stem}.png"))

    tracker = json.loads(urllib.request.urlopen(f"{lab}/lab/api/settings/@jupyterlab/notebook-extension:tracker").read())
    assert tracker["schema"]["properties"]["kernelShutdown"]["default"] is True, \
        "the course's JupyterLab setting kernelShutdown (binder/overrides.json) is not in effect"
    page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")  # so that closing asks nothing
    page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    wide = wide_printed_lines(lab, name)  # read from the saved notebook
    assert not wide, f"printed lines over {OUTPUT_WIDTH} characters break mid-word in JupyterLab: {wide}"
    page.evaluate("window.jupyterapp.commands.execute('application:close-all')")
    deadline = time.monotonic() + 60
    while kernels(lab) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert kernels(lab) == [], "closing the notebook left its kernel running (kernelShutdown setting missing?)"
