"""The course for a whole class: the nbgrader course, nbgitpuller links, a hub on localhost.

The tests marked `classroom` run the real tools — nbgrader, JupyterHub with its proxy,
nbgitpuller, Chromium — in the classroom environment: `python3 course.py classroom test`
(.ci/run does). The others run in the default suite.
"""
import asyncio
import csv
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

from course_lib.machinery import chapters, classroom
from course_lib.machinery.authoring import NOTEBOOKS, ROOT, SOLUTIONS

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-quic"]
FIRST = chapters.CHAPTERS[0]
OUT = ROOT / "build" / "classroom"


# The generated course (default suite).
def test_every_exercise_becomes_an_answer_cell_followed_by_a_test_worth_its_stars():
    nb = classroom.assignment(nbformat.read(SOLUTIONS / FIRST.notebook, as_version=4), FIRST.notebook)
    answers = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("solution")]
    tests = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]
    exercises = __import__(f"course_lib.exercises.{FIRST.id}", fromlist=["EXERCISES"]).EXERCISES
    assert len(answers) == len(tests) == len(exercises)
    assert all(nb.cells[nb.cells.index(t) - 1] is a for a, t in zip(answers, tests))
    assert tests[0].source.startswith("assert check_fit_exponential(fit_exponential) is not check_fit_exponential.reference")
    stars = classroom.points(nb)
    assert [t.metadata["nbgrader"]["points"] for t in tests] == list(stars.values())
    assert set(stars.values()) <= {1, 2, 3}


@pytest.mark.parametrize("chapter", chapters.CHAPTERS, ids=lambda c: c.id)
def test_every_chapter_makes_an_assignment(chapter):
    nb = classroom.assignment(nbformat.read(SOLUTIONS / chapter.notebook, as_version=4), chapter.notebook)
    assert sum(c.metadata.get("nbgrader", {}).get("grade", False) for c in nb.cells) >= 4


def test_a_chapter_whose_exercises_cannot_be_graded_is_refused():
    nb = nbformat.read(SOLUTIONS / FIRST.notebook, as_version=4)
    cell = next(c for c in nb.cells if "### BEGIN SOLUTION" in c.source)
    cell.source = re.sub(r"^\w+ = check_\w+\(\w+\)\s*$", "", cell.source, flags=re.M)
    with pytest.raises(classroom.ClassroomError, match="needs one `x = check_x\\(x\\)` line"):
        classroom.assignment(nb, FIRST.notebook)


def test_the_nbgitpuller_link_pulls_the_course_and_opens_chapter_01():
    link = classroom.link("https://hub.example.org/", repo="https://github.com/someone/course.git")
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
    assert link.startswith("https://hub.example.org/hub/user-redirect/git-pull?")
    assert query == {"repo": ["https://github.com/someone/course.git"], "branch": ["main"], "targetpath": ["course"],
                     "urlpath": [f"lab/tree/course/notebooks/{FIRST.notebook}"]}
    with pytest.raises(classroom.ClassroomError, match="must start with http"):
        classroom.link("hub.example.org")
    with pytest.raises(classroom.ClassroomError, match="no chapter"):
        classroom.link("https://hub.example.org", chapter="99_x.ipynb")


def test_the_hub_configurations_give_each_student_what_a_chapter_needs():
    import yaml
    tljh = yaml.safe_load((ROOT / "classroom" / "tljh-config.yaml").read_text())
    z2jh = yaml.safe_load((ROOT / "classroom" / "z2jh-values.yaml").read_text())
    assert tljh["limits"] == {"memory": "2G", "cpu": 1} and tljh["services"]["cull"]["enabled"]
    assert tljh["user_environment"]["default_app"] == "jupyterlab"
    single = z2jh["singleuser"]
    assert single["cpu"]["limit"] == 1 and single["memory"]["limit"] == "2G" and single["defaultUrl"] == "/lab"
    assert z2jh["cull"]["enabled"] and z2jh["cull"]["timeout"] == tljh["services"]["cull"]["timeout"]
    assert "nbgitpuller" in (ROOT / "binder" / "requirements.txt").read_text()  # the image is built from binder/
    assert "binder/requirements.txt" in (ROOT / "classroom" / "tljh-config.yaml").read_text()


@pytest.mark.skipif(not os.environ.get("CLASSROOM_SCHEMAS"), reason="set CLASSROOM_SCHEMAS to a folder with the "
                    "charts' schemas (z2jh-values.schema.yaml, tljh-config.schema.json) to validate against them")
def test_the_hub_configurations_name_only_keys_their_charts_define():
    import jsonschema
    import yaml
    schemas = Path(os.environ["CLASSROOM_SCHEMAS"])
    z2jh_schema = yaml.safe_load((schemas / "z2jh-values.schema.yaml").read_text())
    defaults = yaml.safe_load((schemas / "z2jh-values.defaults.yaml").read_text())  # helm merges values over these
    ours = yaml.safe_load((ROOT / "classroom" / "z2jh-values.yaml").read_text())
    jsonschema.validate(merged(defaults, ours), z2jh_schema)
    tljh_schema = json.loads((schemas / "tljh-config.schema.json").read_text())
    jsonschema.validate(yaml.safe_load((ROOT / "classroom" / "tljh-config.yaml").read_text()), tljh_schema)
    with pytest.raises(jsonschema.ValidationError, match="cpus"):  # it does catch a key the chart does not define
        jsonschema.validate(merged(defaults, {"singleuser": {"cpus": 1}}), z2jh_schema)
    with pytest.raises(jsonschema.ValidationError, match="cpus"):
        jsonschema.validate({"limits": {"cpus": 1}}, tljh_schema)


def merged(base: dict, values: dict) -> dict:
    out = dict(base)
    for key, value in values.items():
        out[key] = merged(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return out


# The real tools (classroom environment).
requires_tools = pytest.mark.skipif(shutil.which("nbgrader") is None or shutil.which("jupyterhub") is None,
                                    reason="needs the classroom environment: python3 course.py classroom test")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    done = subprocess.run(["nbgrader", *args], cwd=course, capture_output=True, text=True)
    assert done.returncode == 0, f"nbgrader {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.mark.classroom
@requires_tools
def test_nbgrader_releases_the_student_version_and_grades_three_submissions(tmp_path, monkeypatch):
    monkeypatch.delenv("COURSE_PROGRESS_FILE", raising=False)  # the course config must keep grading apart
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    course = classroom.write_course(tmp_path / "course")
    nbgrader(course, "generate_assignment", FIRST.id, "--create")
    release = nbformat.read(course / "release" / FIRST.id / FIRST.notebook, as_version=4)
    student = nbformat.read(NOTEBOOKS / FIRST.notebook, as_version=4)
    kept = [c for c in release.cells if not c.metadata.get("nbgrader", {}).get("grade")]
    assert [(c.cell_type, c.source) for c in kept] == [(c.cell_type, c.source) for c in student.cells]
    assert "Success! Your notebook passes all the tests." in nbgrader(
        course, "validate", f"source/{FIRST.id}/{FIRST.notebook}").stdout
    assert "Success! The notebook does not pass any tests." in nbgrader(
        course, "validate", "--invert", f"release/{FIRST.id}/{FIRST.notebook}").stdout

    source = nbformat.read(course / "source" / FIRST.id / FIRST.notebook, as_version=4)
    wrong = nbformat.read(course / "source" / FIRST.id / FIRST.notebook, as_version=4)
    cell = next(c for c in wrong.cells if "def doubling_time_months" in c.source and "### BEGIN SOLUTION" in c.source)
    cell.source = re.sub(r"(### BEGIN SOLUTION\n).*?(\n\s*### END SOLUTION)", r"\g<1>    return 12 / slope\g<2>",
                         cell.source, flags=re.S)
    for name, nb in (("solved", source), ("one_wrong", wrong), ("untouched", release)):
        folder = course / "submitted" / name / FIRST.id
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / FIRST.notebook)
    nbgrader(course, "autograde", FIRST.id, "--create")
    nbgrader(course, "export")
    grades = {row["student_id"]: (float(row["score"]), float(row["max_score"]))
              for row in csv.DictReader((course / "grades.csv").open())}
    total = sum(classroom.points(source).values())
    assert grades == {"solved": (total, total), "one_wrong": (total - 1, total), "untouched": (0.0, total)}
    assert (course / "progress-of-grading.json").exists()  # the students' checks were recorded there ...
    assert not (tmp_path / "home" / ".large-models-course").exists()  # ... not in the grading account's record
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "grades.json").write_text(json.dumps(grades, indent=1))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def git(*args, cwd) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    """JupyterHub on localhost: a dummy authenticator (password "course"), local processes as
    servers (each user's home a folder of its own), serving the course's environment; and a
    copy of this repository to pull the course from."""
    if shutil.which("configurable-http-proxy") is None or not Path(CHROMIUM).exists():
        pytest.skip("needs configurable-http-proxy and Chromium (python3 course.py classroom test)")
    base = tmp_path_factory.mktemp("hub")
    served = base / "course"  # nbgitpuller names the student's folder after the repository
    git("clone", "--bare", "--quiet", str(ROOT), str(served), cwd=base)
    port, hub_port, api_port = free_port(), free_port(), free_port()
    (base / "jupyterhub_config.py").write_text(f"""
c = get_config()
c.JupyterHub.ip = "127.0.0.1"
c.JupyterHub.port = {port}
c.JupyterHub.hub_ip = "127.0.0.1"
c.JupyterHub.hub_port = {hub_port}
c.ConfigurableHTTPProxy.api_url = "http://127.0.0.1:{api_port}"
c.JupyterHub.authenticator_class = "dummy"
c.DummyAuthenticator.password = "course"
c.JupyterHub.spawner_class = "simple"
c.SimpleLocalProcessSpawner.home_dir_template = "{base}/home/{{username}}"
c.Spawner.cmd = ["{Path(sys.executable).parent / 'jupyterhub-singleuser'}"]
c.Spawner.args = ["--allow-root", "--LabApp.expose_app_in_browser=True"]
c.Spawner.default_url = "/lab"
c.Spawner.start_timeout = 120
c.JupyterHub.db_url = "sqlite:///{base}/jupyterhub.sqlite"
c.JupyterHub.cookie_secret_file = "{base}/cookie_secret"
c.JupyterHub.cleanup_servers = True
""")
    log = open(base / "hub.log", "w")
    process = subprocess.Popen(["jupyterhub", "-f", str(base / "jupyterhub_config.py")], cwd=base, stdout=log,
                               stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{url}/hub/api/", timeout=2)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                os.killpg(process.pid, signal.SIGKILL)
                pytest.fail(f"JupyterHub did not start:\n{(base / 'hub.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield {"url": url, "base": base, "served": served, "process": process,
           "link": f"{url}/hub/user-redirect/git-pull?" + urllib.parse.urlencode(
               {"repo": f"file://{served}", "branch": "main", "targetpath": "course",
                "urlpath": f"lab/tree/course/notebooks/{FIRST.notebook}"})}
    process.send_signal(signal.SIGTERM)  # the hub stops its proxy and every user's server
    try:
        process.wait(timeout=60)
    finally:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        log.close()


RUN_ALL = "() => window.jupyterapp.commands.execute('notebook:run-all-cells')"
READY = """() => { const p = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const k = p && p.sessionContext && p.sessionContext.session && p.sessionContext.session.kernel;
    return Boolean(k) && k.status === 'idle' && p.sessionContext.isReady; }"""
DONE = """() => { const p = window.jupyterapp.shell.currentWidget;
    return p.sessionContext.session.kernel.status === 'idle'
        && p.content.widgets.filter(c => c.model.type === 'code').every(c => c.model.executionCount !== null); }"""
ERRORS = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'


async def a_student(browser, hub, name: str, edit: str | None = None) -> float:
    """Log in, open the course link, run chapter 01 (and edit its first cell); the seconds it took."""
    context = await browser.new_context(viewport={"width": 1200, "height": 800})
    page = await context.new_page()
    start = time.monotonic()
    await page.goto(f"{hub['url']}/hub/login")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", "course")
    await page.click("input[type=submit], button[type=submit]")
    await page.wait_for_url(f"**/user/{name}/**", timeout=180_000)
    await page.goto(hub["link"])
    await page.wait_for_url(f"**/user/{name}/lab/tree/course/notebooks/{FIRST.notebook}*", timeout=180_000)
    await page.wait_for_function(READY, timeout=180_000, polling=500)
    await page.evaluate(RUN_ALL)
    await page.wait_for_function(DONE, timeout=300_000, polling=500)
    assert await page.locator(ERRORS).count() == 0, f"{name}: error output in chapter 01"
    seconds = time.monotonic() - start
    if edit:
        await page.evaluate("""(text) => { const cell = window.jupyterapp.shell.currentWidget.content.widgets[1];
            cell.model.sharedModel.setSource(cell.model.sharedModel.getSource() + '\\n' + text); }""", edit)
        await page.evaluate("window.jupyterapp.commands.execute('docmanager:save')")
        await page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30_000)
    await context.close()
    return seconds


async def pull_again(browser, hub, name: str) -> None:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{hub['url']}/hub/login")
    await page.fill("input[name=username]", name)
    await page.fill("input[name=password]", "course")
    await page.click("input[type=submit], button[type=submit]")
    await page.wait_for_url(f"**/user/{name}/**", timeout=180_000)
    await page.goto(hub["link"])
    await page.wait_for_url(f"**/user/{name}/lab/tree/course/notebooks/{FIRST.notebook}*", timeout=180_000)
    await context.close()


def with_browser(coroutine):
    async def main():
        from playwright.async_api import async_playwright
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
            try:
                return await coroutine(browser)
            finally:
                await browser.close()
    return asyncio.run(main())


@pytest.mark.classroom
@requires_tools
def test_two_students_get_their_own_copy_and_an_update_keeps_their_edits(hub):
    async def class_of_two(browser):
        await asyncio.gather(a_student(browser, hub, "alice", "# alice was here"),
                             a_student(browser, hub, "bob", "# bob was here"))
    with_browser(class_of_two)
    home = hub["base"] / "home"
    alice, bob = ((home / n / "course" / "notebooks" / FIRST.notebook).read_text() for n in ("alice", "bob"))
    assert "alice was here" in alice and "bob was here" not in alice
    assert "bob was here" in bob and "alice was here" not in bob

    work = hub["base"] / "instructor"
    git("clone", "--quiet", str(hub["served"]), str(work), cwd=hub["base"])
    (work / "notebooks" / "UPDATE.md").write_text("The course was updated.\n")
    readme = work / "README.md"
    readme.write_text(readme.read_text() + "\nAn update for the class.\n")
    git("add", "-A", cwd=work)
    git("-c", "user.name=Instructor", "-c", "user.email=instructor@example.org", "commit", "-qm", "update", cwd=work)
    git("push", "--quiet", "origin", "HEAD:main", cwd=work)
    with_browser(lambda browser: pull_again(browser, hub, "alice"))
    mine = home / "alice" / "course"
    assert (mine / "notebooks" / "UPDATE.md").read_text() == "The course was updated.\n"  # the update arrived
    assert "An update for the class." in (mine / "README.md").read_text()
    assert "alice was here" in (mine / "notebooks" / FIRST.notebook).read_text()  # and her edit stayed
    assert not (home / "bob" / "course" / "notebooks" / "UPDATE.md").exists()  # bob has not pulled yet


def memory_mb(hub, students) -> dict[str, float]:
    """Resident memory (MB) of the hub with its proxy, and of each student's server with its kernels
    (the processes whose working directory is in the student's home)."""
    import psutil
    found = {"hub and proxy": 0.0, **{name: 0.0 for name in students}}
    for process in [psutil.Process(hub["process"].pid), *psutil.Process(hub["process"].pid).children(recursive=True)]:
        try:
            cwd, rss = process.cwd(), process.memory_info().rss / 2 ** 20
        except psutil.Error:
            continue
        owner = next((n for n in students if cwd.startswith(str(hub["base"] / "home" / n))), None)
        if owner or not cwd.startswith(str(hub["base"] / "home")):
            found[owner or "hub and proxy"] += rss
    return found


@pytest.mark.classroom
@requires_tools
def test_five_students_run_chapter_01_at_once_on_one_machine(hub):
    students = [f"student{k}" for k in range(1, 6)]
    peaks = {}

    async def watch(done):
        while not done.is_set():
            for name, mb in memory_mb(hub, students).items():
                peaks[name] = max(peaks.get(name, 0.0), mb)
            await asyncio.sleep(0.5)

    async def class_of_five(browser):
        done = asyncio.Event()
        watcher = asyncio.create_task(watch(done))
        start = time.monotonic()
        seconds = await asyncio.gather(*(a_student(browser, hub, name) for name in students))
        wall = time.monotonic() - start
        done.set()
        await watcher
        return seconds, wall

    seconds, wall = with_browser(class_of_five)
    report = {"students": len(students), "cpus": os.cpu_count(), "wall_seconds": round(wall, 1),
              "seconds_each (log in, pull, run chapter 01)": [round(s, 1) for s in seconds],
              "peak_mb_hub_and_proxy": round(peaks["hub and proxy"]),
              "peak_mb_each_student (server and kernel)": [round(peaks[n]) for n in students]}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "load.json").write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    assert len(seconds) == len(students) and max(seconds) < 600
    assert all(peaks[n] > 50 for n in students)  # each student's own server and kernel were measured
