"""Authoring: ``solutions/`` is the single source; ``notebooks/`` is generated from it.

    python -m course_lib.machinery.authoring build [NAME ...]    regenerate notebooks/ (and clear outputs)
    python -m course_lib.machinery.authoring check               fail if notebooks/ is stale, a notebook unclean
                                                       or a code line wider than a cell (95 characters)
    python -m course_lib.machinery.authoring measure [NAME ...]  run solutions, write each one's measured run
                                                       time and peak memory into its header, then build
NAME is a notebook's file name, e.g. 01_background.ipynb; without names, all notebooks.

In a solution, code between ``### BEGIN SOLUTION`` and ``### END SOLUTION`` (the
nbgrader markers) becomes ``# YOUR CODE HERE`` and ``raise NotImplementedError()``
in the student version. A block must sit inside a function, so that the student
version still runs top to bottom: the exercise check then stands in the reference.
"""
from __future__ import annotations

import copy
import os
import re
import sys
import time
from pathlib import Path

import nbformat

from course_lib.machinery import chapters

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS, NOTEBOOKS = ROOT / "solutions", ROOT / "notebooks"
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"
BUDGET_SECONDS, BUDGET_MB = 60, 1536
MEASURED = re.compile(r"<!-- measured -->.*?<!-- /measured -->")
SLIDE_TYPES = {"slide", "subslide", "fragment", "skip", "notes", "-"}
CODE_WIDTH = 95  # characters of code a JupyterLab cell shows without scrolling on a laptop screen


class AuthoringError(Exception):
    """A notebook breaks a rule of the authoring contract."""


def stub_solutions(source: str, where: str = "cell") -> str:
    """Replace every solution block in ``source`` by a stub at the block's indentation."""
    out, inside = [], None
    for number, line in enumerate(source.splitlines(), 1):
        stripped = line.strip()
        if stripped == BEGIN:
            if inside is not None:
                raise AuthoringError(f"{where}, line {number}: {BEGIN} inside another solution block (line {inside})")
            indent = line[: len(line) - len(line.lstrip())]
            if not indent:
                raise AuthoringError(f"{where}, line {number}: a solution block must sit inside a function, "
                                     "or the student version would stop at it")
            out += [f"{indent}# YOUR CODE HERE", f"{indent}raise NotImplementedError()"]
            inside = number
        elif stripped == END:
            if inside is None:
                raise AuthoringError(f"{where}, line {number}: {END} without a {BEGIN} before it")
            inside = None
        elif inside is None:
            out.append(line)
    if inside is not None:
        raise AuthoringError(f"{where}, line {inside}: {BEGIN} is never closed by {END}")
    return "\n".join(out)


def cleaned(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A copy without outputs, execution counts or saved widget state."""
    nb = copy.deepcopy(nb)
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    return nb


def student_version(nb: nbformat.NotebookNode, name: str = "notebook") -> nbformat.NotebookNode:
    nb = cleaned(nb)
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            cell.source = stub_solutions(cell.source, f"{name}, cell {index}")
    return nb


def text(nb: nbformat.NotebookNode) -> str:
    return nbformat.writes(nb) + "\n"


def unclean(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    stored = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    return [f"{path.relative_to(ROOT)}: stored outputs in cells {stored} (run the build to clear them)"] if stored else []


def slide_problems(nb: nbformat.NotebookNode, where: Path) -> list[str]:
    """The deck must have one slide per section: every cell typed, and a slide exactly where a
    section (a '## ' heading) or the chapter (the first cell) begins."""
    kinds = [c.metadata.get("slideshow", {}).get("slide_type") for c in nb.cells]
    untyped = [i for i, kind in enumerate(kinds) if kind not in SLIDE_TYPES]
    if untyped:
        return [f"{where}: cells {untyped} have no slideshow.slide_type (one of {sorted(SLIDE_TYPES)})"]
    opens = [i == 0 or (c.cell_type == "markdown" and c.source.startswith("## ")) for i, c in enumerate(nb.cells)]
    wrong = [i for i, (kind, section) in enumerate(zip(kinds, opens)) if (kind == "slide") != section]
    return [f"{where}: cells {wrong} break 'one slide per section': a cell starting a section ('## ...') "
            "must be a slide, and only such a cell (or the first)"] if wrong else []


def wide_lines(nb: nbformat.NotebookNode, where: Path) -> list[str]:
    """Code lines wider than a JupyterLab cell shows on a laptop (about 95 characters)."""
    wide = [f"cell {i} line {n}" for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for n, line in enumerate(c.source.split("\n"), 1) if len(line) > CODE_WIDTH]
    return [f"{where}: code lines over {CODE_WIDTH} characters run past the cell's edge ({', '.join(wide)})"] if wide else []


def identity_problems(nb: nbformat.NotebookNode, where: Path) -> list[str]:
    """A chapter's file name, metadata id and title must be those of the course's chapter table."""
    chapter_id = chapters.id_of(where.name)
    try:
        chapter = chapters.by_id(chapter_id or "")
    except KeyError:
        return [f"{where}: not a chapter of course_lib/machinery/chapters.py (name it NN_id.ipynb after its entry)"]
    problems = []
    if where.name != chapter.notebook:
        problems.append(f"{where}: chapter {chapter.id!r} is number {chapter.number:02d}: name it {chapter.notebook}")
    if nb.metadata.get("course", {}).get("chapter") != chapter.id:
        problems.append(f"{where}: its metadata needs \"course\": {{\"chapter\": \"{chapter.id}\"}}")
    heading = f"# Chapter {chapter.number:02d} — {chapter.title}"
    first_line = nb.cells[0].source.split("\n", 1)[0] if nb.cells else ""
    if not (first_line == heading or first_line.startswith(heading + ": ")):
        problems.append(f"{where}: the first cell must start with '{heading}' (a subtitle may follow after ': ')")
    return problems


def check() -> list[str]:
    """Every way the two folders break the contract, as readable messages."""
    problems = []
    sources = sorted(SOLUTIONS.glob("*.ipynb"))
    names = {p.name for p in sources}
    problems += [f"solutions/{c.notebook} is missing: every chapter of the table needs its notebook"
                 for c in chapters.CHAPTERS if c.notebook not in names]
    for path in sources:
        problems += unclean(path)
        nb = nbformat.read(path, as_version=4)
        problems += identity_problems(nb, path.relative_to(ROOT))
        header = nb.cells[0].source if nb.cells else ""
        if not re.search(r"<!-- measured -->\d+ s on", header):
            problems.append(f"{path.relative_to(ROOT)}: the first cell has no measured run time "
                            "(<!-- measured -->…<!-- /measured -->)")
        problems += slide_problems(nb, path.relative_to(ROOT))
        problems += wide_lines(nb, path.relative_to(ROOT))
        try:
            expected = text(student_version(nb, path.name))
        except AuthoringError as error:
            problems.append(str(error))
            continue
        target = NOTEBOOKS / path.name
        if not target.exists():
            problems.append(f"notebooks/{path.name} is missing: run `python course.py build`")
        elif target.read_text() != expected:
            problems += unclean(target)
            problems.append(f"notebooks/{path.name} is stale (it differs from what solutions/{path.name} "
                            "generates): edit solutions/ only, then run `python course.py build`")
    problems += [f"notebooks/{p.name} has no source in solutions/: remove it or add the solution"
                 for p in sorted(NOTEBOOKS.glob("*.ipynb")) if p.name not in names]
    return problems


def solution_paths(names: list[str]) -> list[Path]:
    """The named solution notebooks, or all of them."""
    if not names:
        return sorted(SOLUTIONS.glob("*.ipynb"))
    missing = [n for n in names if not (SOLUTIONS / n).exists()]
    if missing:
        raise AuthoringError(f"no such notebook in solutions/: {', '.join(missing)}")
    return [SOLUTIONS / n for n in names]


def build(names: list[str] = ()) -> None:
    """Clear the solutions' outputs and write the student versions (all, or the named ones)."""
    NOTEBOOKS.mkdir(exist_ok=True)
    for path in solution_paths(list(names)):
        nb = nbformat.read(path, as_version=4)
        student = text(student_version(nb, path.name))  # raises on a broken marker first
        write_if_changed(path, text(cleaned(nb)))
        write_if_changed(NOTEBOOKS / path.name, student)
    if not names:
        sources = {p.name for p in SOLUTIONS.glob("*.ipynb")}
        for path in NOTEBOOKS.glob("*.ipynb"):
            if path.name not in sources:
                path.unlink()
                print(f"removed notebooks/{path.name} (no source in solutions/)")


def write_if_changed(path: Path, content: str) -> None:
    if not path.exists() or path.read_text() != content:
        path.write_text(content)
        print(f"wrote {path.relative_to(ROOT)}")


def peak_memory_mb(pid: int) -> float | None:
    """Peak resident memory of a process (Linux's VmHWM), or None where unknown."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    match = re.search(r"VmHWM:\s+(\d+) kB", status)
    return int(match.group(1)) / 1024 if match else None


def run_notebook(path: Path) -> tuple[float, float | None]:
    """Execute a notebook in a fresh kernel: (wall seconds, kernel peak memory in MB)."""
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
        peak = peak_memory_mb(client.km.provisioner.pid)
    return time.perf_counter() - start, peak


def update_docs(name: str, seconds: float) -> None:
    """Write a chapter's measured run time into the README's chapter table and the instructor's guide."""
    n = re.escape(name)
    places = [(ROOT / "README.md", rf"^(\| \[[^\]]+\]\(notebooks/{n}\) \|.*\| )\d+ s( \| [^|]+ \|)$"),
              (ROOT / "docs" / "INSTRUCTOR_GUIDE.md", rf"(\(`{n}`\)\n\n\*\*Length:\*\*[^\n]*\*\*Run time:\*\* )\d+ s()")]
    for doc, pattern in places:
        text = doc.read_text() if doc.exists() else ""
        if re.search(pattern, text, re.M):
            doc.write_text(re.sub(pattern, rf"\g<1>{seconds:.0f} s\g<2>", text, flags=re.M))


def measure(names: list[str]) -> None:
    """Run solution notebooks, write the measurements into their headers, the README and the guide, then build."""
    paths = solution_paths(names)
    for path in paths:
        seconds, peak = run_notebook(path)
        memory = f", peak memory {peak:.0f} MB" if peak else ""
        stamp = f"<!-- measured -->{seconds:.0f} s on a {os.cpu_count()}-core CPU{memory}<!-- /measured -->"
        nb = nbformat.read(path, as_version=4)
        if not MEASURED.search(nb.cells[0].source):
            raise AuthoringError(f"{path.name}: the first cell needs <!-- measured --><!-- /measured -->")
        nb.cells[0].source = MEASURED.sub(stamp, nb.cells[0].source)
        nbformat.write(nb, path)
        update_docs(path.name, seconds)
        print(f"{path.name}: {seconds:.1f} s{memory}")
    build([p.name for p in paths])


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    try:
        if command == "build":
            build(argv[1:])
        elif command == "measure":
            measure(argv[1:])
        elif command == "check":
            problems = check()
            print("\n".join(problems) or "notebooks/ is up to date and every notebook is clean")
            return 1 if problems else 0
        else:
            print(__doc__)
            return 2
    except AuthoringError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
