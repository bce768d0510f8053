"""The robustness matrix: the test suite under the perturbations a learner's machine brings.

    python3 course.py matrix                       every column below, the whole suite
    python3 course.py matrix ci                    one column (or several), by name
    python3 course.py matrix ci -- solutions tests    the same, on these paths only
    python3 course.py matrix ci -- today           today's third of the chapters (CI's daily run)

Columns: torch's CPU kernels (ATEN_CPU_CAPABILITY default / avx2 / this machine's own, with
oneDNN's ONEDNN_MAX_CPU_ISA to match), one and two threads (COURSE_THREADS), and seeds 0, 1, 2
(COURSE_SEED shifts every seed the course uses, course_lib.machinery.env). "ci" combines three of them in one run. Rows: each chapter
(its notebook in both folders and its exercise checks) and the library's own tests. A cell
is pass/FAIL and the seconds the row took. The table is printed and written to
build/matrix.md; the exit status is 1 when any cell fails. The browser test is left out:
it tests JupyterLab, not the numbers.
"""
from __future__ import annotations

import os
import re
import datetime
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import defaultdict
from pathlib import Path

from course_lib.machinery import chapters

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "build" / "matrix"
# An older CPU for torch's own kernels (ATen) and for oneDNN, which torch also calls: on a CPU with
# AMX, ATen forced to `default` alone still takes oneDNN's AMX layout for bfloat16 attention and
# fails ("pack_vnni2 is only supported when avx512 is supported"), which no real older CPU does.
DEFAULT_CPU = {"ATEN_CPU_CAPABILITY": "default", "ONEDNN_MAX_CPU_ISA": "SSE41"}
AVX2_CPU = {"ATEN_CPU_CAPABILITY": "avx2", "ONEDNN_MAX_CPU_ISA": "AVX2"}
COLUMNS = {
    "own-cpu": {},
    "cpu-default": DEFAULT_CPU,
    "cpu-avx2": AVX2_CPU,
    "threads-2": {"COURSE_THREADS": "2"},
    "seed-1": {"COURSE_SEED": "1"},
    "seed-2": {"COURSE_SEED": "2"},
    "ci": {**DEFAULT_CPU, "COURSE_THREADS": "2", "COURSE_SEED": "1"},
}
PERTURBED = {key for column in COLUMNS.values() for key in column}
DEFAULT = [name for name in COLUMNS if name != "ci"]  # the own-cpu column is also 1 thread, seed 0
LIBRARY = "library and project tests"


def of_the_day(day: datetime.date | None = None, share: int = 3) -> list[str]:
    """A rotating 1/share of the chapters (their solutions and exercise checks): CI perturbs a
    different third each day, so every chapter is perturbed every three days within CI's budget."""
    day = day or datetime.date.today()
    chosen = [c for i, c in enumerate(chapters.CHAPTERS) if i % share == day.toordinal() % share]
    return [path for c in chosen for path in (f"solutions/{c.notebook}", f"tests/test_exercises_{c.id}.py")
            if (ROOT / path).exists()]


def row_of(classname: str) -> str:
    """The matrix row of a junit test case: its chapter, or the library."""
    notebook = re.match(r"(?:solutions|notebooks)\.(\d\d_\w+)\.ipynb$", classname)
    chapter_id = chapters.id_of(notebook.group(1) + ".ipynb") if notebook else None
    checks = re.match(r"tests\.test_exercises_(\w+)$", classname)
    chapter_id = chapter_id or (checks.group(1) if checks else None)
    try:
        return chapters.by_id(chapter_id).label if chapter_id else LIBRARY
    except KeyError:
        return LIBRARY


def run_column(name: str, paths: list[str]) -> dict[str, tuple[bool, float]]:
    """Run the suite under column ``name``: {row: (passed, seconds)}."""
    OUT.mkdir(parents=True, exist_ok=True)
    report = OUT / f"{name}.xml"
    env = {k: v for k, v in os.environ.items() if k not in PERTURBED}
    env.update(COLUMNS[name])
    # One pytest worker per thread budget: a learner runs one notebook at a time, so two workers of two
    # threads each on two cores would measure an oversubscribed machine against the 60 s budget.
    workers = max(1, (os.cpu_count() or 1) // int(COLUMNS[name].get("COURSE_THREADS", 1)))
    command = [sys.executable, "-m", "pytest", "-q", "-n", str(workers), "--dist", "loadfile", f"--junitxml={report}",
               "--deselect", "tests/test_browser.py", *paths]
    print(f"\n=== {name}: {' '.join(f'{k}={v}' for k, v in COLUMNS[name].items()) or 'no perturbation'}", flush=True)
    start = time.monotonic()
    subprocess.run(command, cwd=ROOT, env=env)
    print(f"=== {name}: {time.monotonic() - start:.0f} s", flush=True)
    cells: dict[str, list] = defaultdict(lambda: [True, 0.0])
    for case in ET.parse(report).iter("testcase"):
        row = cells[row_of(case.get("classname", ""))]
        row[0] = row[0] and case.find("failure") is None and case.find("error") is None
        row[1] += float(case.get("time", 0))
    return {row: (ok, seconds) for row, (ok, seconds) in cells.items()}


def table(results: dict[str, dict[str, tuple[bool, float]]]) -> str:
    rows = [c.label for c in chapters.CHAPTERS] + [LIBRARY]
    rows = [r for r in rows if any(r in column for column in results.values())]
    header = "| | " + " | ".join(results) + " |"
    lines = [header, "|" + "---|" * (len(results) + 1)]
    for row in rows:
        cells = []
        for column in results.values():
            ok, seconds = column.get(row, (None, 0.0))
            cells.append("–" if ok is None else f"{'pass' if ok else '**FAIL**'} {seconds:.0f} s")
        lines.append(f"| {row} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    names, paths = (argv[:argv.index("--")], argv[argv.index("--") + 1:]) if "--" in argv else (argv, [])
    unknown = [n for n in names if n not in COLUMNS]
    if unknown:
        print(f"unknown column(s) {unknown}; the columns are: {', '.join(COLUMNS)}")
        return 2
    paths = [p for path in paths for p in (of_the_day() if path == "today" else [path])]
    results = {name: run_column(name, paths) for name in names or DEFAULT}
    text = table(results)
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "matrix.md").write_text(text + "\n")
    print("\n" + text)
    return 0 if all(ok for column in results.values() for ok, _ in column.values()) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
