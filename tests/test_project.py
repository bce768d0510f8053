"""The project's set-up: the README's commands, CI, Binder, pins, and the offline guarantee."""
import importlib.metadata
import importlib.util
import json
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.scale import milestones
from course_lib.machinery.authoring import ROOT, SOLUTIONS

spec = importlib.util.spec_from_file_location("course", ROOT / "course.py")
course = importlib.util.module_from_spec(spec)
spec.loader.exec_module(course)
README = (ROOT / "README.md").read_text()


def pins(path):
    lines = [line.strip() for line in path.read_text().splitlines()]
    return {line for line in lines if line and not line.startswith(("#", "-"))}


def test_the_readme_gives_the_two_commands_and_ci_runs_the_test_one():
    assert "python3 course.py open" in README and "python3 course.py test" in README
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^python3 course\.py test$", ci, re.M) and "CI=true" in ci
    assert os.access(ROOT / ".ci" / "run", os.X_OK)


def test_torch_is_pinned_to_the_cpu_build_and_every_package_is_pinned():
    requirements = pins(ROOT / "requirements.txt")
    assert "torch==2.13.0" in requirements
    assert all("==" in line for line in requirements)
    assert course.TORCH_CPU_INDEX == "https://download.pytorch.org/whl/cpu"


def test_binder_installs_the_same_pins_from_the_cpu_index_on_python_311():
    binder = ROOT / "binder"
    assert pins(binder / "requirements.txt") == pins(ROOT / "requirements.txt") | {"nbgitpuller==1.3.0"}
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (binder / "requirements.txt").read_text()
    assert (binder / "runtime.txt").read_text().strip() == "python-3.11"
    post_build = (binder / "postBuild").read_text()
    assert post_build.splitlines()[0] == "#!/bin/bash" and "\nset -e\n" in post_build
    assert "pip install --no-deps -e ." in post_build and os.access(binder / "postBuild", os.X_OK)
    assert 'cp binder/overrides.json "$settings/overrides.json"' in post_build
    assert not (binder / "environment.yml").exists()  # it would make repo2docker ignore requirements.txt
    assert "-e" not in pins(binder / "requirements.txt")  # a local install there rebuilds torch on every commit


def test_the_binder_badge_opens_chapter_01_in_jupyterlab():
    badge = re.search(r"https://mybinder\.org/v2/gh/[\w.-]+/[\w.-]+/HEAD\?urlpath=lab/tree/(\S+?)\)", README)
    assert badge and badge.group(1) == "notebooks/01_background.ipynb"
    assert (ROOT / badge.group(1)).exists()


def test_the_readme_chapter_table_matches_the_measured_headers():
    for path in sorted(SOLUTIONS.glob("*.ipynb")):
        header = nbformat.read(path, as_version=4).cells[0].source
        seconds = re.search(r"<!-- measured -->(\d+) s on", header).group(1)
        study = re.search(r"Study time \| about (\d+) minutes", header).group(1)
        row = next(line for line in README.splitlines() if f"(notebooks/{path.name})" in line)
        assert f"| {seconds} s | {study} min |" in row, \
            f"README's row for {path.name} differs from its header ({seconds} s, {study} min)"
    assert f"{len(milestones.MODELS)} notable models" in README


def test_setup_is_redone_only_when_the_pins_change(tmp_path, monkeypatch):
    for name in ("requirements.txt", "pyproject.toml", course.JUPYTERLAB_SETTINGS):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text((ROOT / name).read_text())
    monkeypatch.setattr(course, "ROOT", tmp_path)
    environment = course.Environment()
    before = environment.fingerprint()
    assert environment.fingerprint() == before
    (tmp_path / "requirements.txt").write_text("numpy==1.0\n")
    assert environment.fingerprint() != before


def test_another_python_gets_an_environment_of_its_own():
    python = course.find_python("3.11")
    assert course.Environment(python).folder.name == ".venv-3.11" and course.Environment().folder.name == ".venv"
    with pytest.raises(SystemExit, match="one of 3.10, 3.11, 3.12, 3.13"):
        course.find_python("3.9")


def test_python_3_10_gets_pins_it_can_install():
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    for name in ("numpy", "matplotlib", "scikit-learn", "hypothesis", "ipykernel"):
        newer = [line for line in lines if line.startswith(f"{name}==") and 'python_version >= "3.11"' in line]
        older = [line for line in lines if line.startswith(f"{name}==") and 'python_version < "3.11"' in line]
        assert len(newer) == len(older) == 1, f"{name} needs one pin for 3.11+ and one for 3.10"


def test_the_kernel_is_not_a_release_that_can_leave_a_request_unread():
    major, minor = (int(part) for part in importlib.metadata.version("ipykernel").split(".")[:2])
    assert not (7, 0) <= (major, minor) < (7, 4), \
        f"ipykernel {major}.{minor} can leave a Run All or a widget change unread (ipython/ipykernel#1554)"


def test_an_unknown_command_prints_the_usage(capsys):
    assert course.main(["frobnicate"]) == 2
    assert "python3 course.py open" in capsys.readouterr().out


@pytest.mark.skipif(os.environ.get("CI") != "true" and os.environ.get("COURSE_OFFLINE") != "1",
                    reason="runs when the suite is run offline (CI=true or COURSE_OFFLINE=1)")
def test_the_suite_runs_with_the_network_blocked_and_loopback_open():
    assert os.environ.get("COURSE_OFFLINE") == "1", "CI must run the tests through course.py, which blocks the network"
    with pytest.raises(OSError):
        socket.create_connection(("pypi.org", 443), timeout=5)
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        socket.create_connection(server.getsockname(), timeout=5).close()


def test_binder_and_the_local_setup_shut_a_kernel_down_when_its_notebook_closes():
    settings = json.loads((ROOT / course.JUPYTERLAB_SETTINGS).read_text())
    assert settings["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    installed = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    assert json.loads(installed.read_text()) == settings  # what course.py's set-up put in this venv
