"""pytest plugin of the course's test suite.

1. Keeps the learner's real progress record out of the tests: every test and
   notebook kernel writes to a temporary one (COURSE_PROGRESS_FILE).
2. Times each notebook nbval runs, reads its kernel's peak memory, enforces the budgets.
3. Prints the measured exercise feedback (tests/test_feedback.py) at the end.
Both tables are gathered from the test reports, so they also work in a parallel run (pytest-xdist).

A notebook's wall time is the sum of its cells' setup, call and teardown times (the
kernel start included). Its peak memory is the kernel's VmHWM, read just before the
kernel is shut down. Over budget, the notebook's last cell fails; a table of all
notebooks is printed at the end of the run and saved to build/notebook_budget.json.
"""
from __future__ import annotations

import json
import os
import tempfile
from collections import defaultdict

import pytest

from course_lib.machinery.authoring import BUDGET_MB, BUDGET_SECONDS, ROOT, peak_memory_mb

seconds: dict[str, float] = defaultdict(float)
peaks: dict[str, float | None] = {}
feedback: dict[str, dict[str, int]] = defaultdict(lambda: {"entries": 0, "caught": 0, "named": 0, "misnamed": 0})


def pytest_configure(config):
    record = os.path.join(tempfile.mkdtemp(prefix="course-tests-"), "progress.json")
    os.environ["COURSE_PROGRESS_FILE"] = record


def notebook_of(nodeid: str) -> str | None:
    path = nodeid.split("::")[0]
    return path if path.endswith(".ipynb") else None


def pytest_runtest_logreport(report):
    """Also runs in the controller of a parallel run (pytest-xdist), with the workers' reports."""
    notebook = notebook_of(report.nodeid)
    if notebook:
        seconds[notebook] += report.duration
    for name, value in report.user_properties:
        if name == "peak_mb":
            peaks[notebook] = value
        elif name == "feedback" and report.when == "call":
            row = feedback[value["chapter"]]
            for key in row:
                row[key] += value[key]


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    notebook = notebook_of(item.nodeid)
    last = notebook and (nextitem is None or nextitem.parent is not item.parent)
    if last:
        kernel = getattr(item.parent, "kernel", None)
        pid = getattr(getattr(getattr(kernel, "km", None), "provisioner", None), "pid", None)
        peaks[notebook] = peak_memory_mb(pid) if pid else None
        item.user_properties.append(("peak_mb", peaks[notebook]))
    result = yield
    if last:
        over = []
        if seconds[notebook] > BUDGET_SECONDS:
            over.append(f"it ran {seconds[notebook]:.0f} s, over the {BUDGET_SECONDS} s budget")
        if (peaks[notebook] or 0) > BUDGET_MB:
            over.append(f"its kernel peaked at {peaks[notebook]:.0f} MB, over the {BUDGET_MB} MB budget")
        if over:
            raise AssertionError(f"{notebook}: " + "; ".join(over))
    return result


def pytest_terminal_summary(terminalreporter):
    write = terminalreporter.write_line
    if feedback:
        terminalreporter.section("exercise feedback on tests/wrong/ (tests/test_feedback.py)")
        write(f"{'chapter':<24} {'entries':>7} {'caught':>7} {'named':>12} {'misnamed':>9}")
        for chapter, row in sorted(feedback.items()):
            share = row["named"] / max(row["entries"], 1)
            write(f"{chapter:<24} {row['entries']:>7} {row['caught']:>7} {row['named']:>5} ({share:>4.0%}) {row['misnamed']:>9}")
        (ROOT / "build").mkdir(exist_ok=True)
        (ROOT / "build" / "feedback.json").write_text(json.dumps(feedback, indent=1, sort_keys=True))
    if not seconds:
        return
    terminalreporter.section("notebook budgets")
    write(f"{'notebook':<40} {'time (s)':>9} {'peak (MB)':>10}   budget: {BUDGET_SECONDS} s, {BUDGET_MB} MB")
    for notebook in sorted(seconds):
        peak = peaks.get(notebook)
        within = seconds[notebook] <= BUDGET_SECONDS and (peak or 0) <= BUDGET_MB
        write(f"{notebook:<40} {seconds[notebook]:>9.1f} {peak if peak is None else round(peak):>10}   "
              f"{'ok' if within else 'OVER'}")
    out = ROOT / "build" / "notebook_budget.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({n: {"seconds": round(seconds[n], 1), "peak_mb": peaks.get(n)} for n in seconds},
                              indent=1, sort_keys=True))
