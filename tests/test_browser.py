"""A real browser: JupyterLab on localhost, chapter 01 run in headless Chromium.

Runs all cells of the student version, finds no error output, moves a slider and sees
the figure's output change, answers a quiz question and sees its explanation, and saves
a screenshot in build/screenshots/ (git-ignored).
Without Chromium it skips with the install command, except under CI=true, where it fails.
"""
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

from course_lib.machinery.authoring import NOTEBOOKS, ROOT

CHAPTER = "01_background.ipynb"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]
SCREENSHOTS = ROOT / "build" / "screenshots"

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
EXPLORER_TEXT = "() => document.querySelector('.widget-interact .widget-output').innerText"


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
    """A JupyterLab server on localhost serving a copy of the chapter (JupyterLab autosaves)."""
    require_chromium()
    home = tmp_path_factory.mktemp("lab")
    root = home / "course"
    root.mkdir()
    shutil.copy(NOTEBOOKS / CHAPTER, root)
    settings = home / "settings"
    (settings / "@jupyterlab" / "apputils-extension").mkdir(parents=True)
    (settings / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        '{"fetchNews": "false", "checkForUpdates": false}')
    env = dict(os.environ, JUPYTERLAB_SETTINGS_DIR=str(settings),
               JUPYTERLAB_WORKSPACES_DIR=str(home / "workspaces"), JUPYTER_CONFIG_DIR=str(home / "config"))
    port = free_port()
    log = open(home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyterlab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--ServerApp.root_dir={root}", "--allow-root", "--IdentityProvider.token=", "--ServerApp.password=",
         "--LabApp.expose_app_in_browser=True"],
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


def test_chapter_01_runs_in_jupyterlab_and_its_slider_redraws(lab):
    from playwright.sync_api import sync_playwright
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1300, "height": 900})
        page.goto(f"{lab}/lab/workspaces/{uuid.uuid4().hex}/tree/{CHAPTER}?reset")
        page.wait_for_function(KERNEL_IDLE, timeout=120_000, polling=500)
        page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        page.wait_for_function(ALL_CELLS_RUN, timeout=180_000, polling=500)

        errors = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        assert errors.count() == 0, "error output in the browser:\n" + "\n---\n".join(errors.all_inner_texts())
        assert page.get_by_text("not attempted yet").count() == 4  # the student version: every check lends its reference

        page.locator(".widget-interact").scroll_into_view_if_needed()
        page.wait_for_function(f"() => ({EXPLORER_TEXT})().includes('models')", timeout=30_000)
        before = page.evaluate(EXPLORER_TEXT)
        assert "parameters, 2012-2024" in before
        handle = page.locator(".widget-slider .noUi-handle").first
        handle.focus()
        page.keyboard.press("ArrowRight")
        page.wait_for_function(f"() => ({EXPLORER_TEXT})() !== {before!r}", timeout=30_000)
        after = page.evaluate(EXPLORER_TEXT)
        assert "parameters, 2013-2024" in after
        page.wait_for_function("() => [...document.querySelectorAll('.widget-interact .widget-output img')]"
                               ".some(img => img.complete && img.naturalWidth > 0)", timeout=30_000)  # the new figure
        option = page.locator(".widget-hbox").filter(has_text="175 billion learned parameters").locator("button")
        option.scroll_into_view_if_needed()
        option.click()  # the quiz explains the option picked
        page.get_by_text("Model size is the parameter count.").wait_for(timeout=30_000)
        page.locator(".widget-interact").scroll_into_view_if_needed()
        page.wait_for_timeout(1000)  # let the new figure settle before the picture is taken
        page.locator(".widget-interact").screenshot(path=str(SCREENSHOTS / "01_background_explorer.png"))
        page.screenshot(path=str(SCREENSHOTS / "01_background.png"))
        browser.close()
