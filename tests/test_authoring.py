"""Single source: the student notebooks are generated from solutions/, and the check catches drift."""
import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from course_lib.machinery import authoring, chapters
from course_lib.machinery.authoring import AuthoringError, stub_solutions

SOLVED = """def f(x):
    \"\"\"Double x.\"\"\"
    ### BEGIN SOLUTION
    y = 2 * x
    return y
    ### END SOLUTION


f = check(f)"""


def test_a_solution_block_becomes_a_stub_at_its_indentation():
    assert stub_solutions(SOLVED) == """def f(x):
    \"\"\"Double x.\"\"\"
    # YOUR CODE HERE
    raise NotImplementedError()


f = check(f)"""


def test_code_without_markers_is_unchanged():
    assert stub_solutions("x = 1\nprint(x)") == "x = 1\nprint(x)"


@pytest.mark.parametrize("source, message", [
    ("def f():\n    ### BEGIN SOLUTION\n    return 1", "never closed"),
    ("def f():\n    return 1\n    ### END SOLUTION", "without a ### BEGIN SOLUTION"),
    ("def f():\n    ### BEGIN SOLUTION\n    ### BEGIN SOLUTION\n    ### END SOLUTION", "inside another"),
    ("### BEGIN SOLUTION\nx = 1\n### END SOLUTION", "must sit inside a function"),
])
def test_broken_markers_are_named_with_their_line(source, message):
    with pytest.raises(AuthoringError, match=message):
        stub_solutions(source, "ch.ipynb, cell 3")


@pytest.fixture
def course(tmp_path, monkeypatch):
    """A throwaway course with one solution notebook."""
    solutions, notebooks = tmp_path / "solutions", tmp_path / "notebooks"
    solutions.mkdir()
    monkeypatch.setattr(authoring, "ROOT", tmp_path)
    monkeypatch.setattr(authoring, "SOLUTIONS", solutions)
    monkeypatch.setattr(authoring, "NOTEBOOKS", notebooks)
    monkeypatch.setattr(chapters, "CHAPTERS", (chapters.Chapter(1, "t", "T"),))
    nb = new_notebook(cells=[new_markdown_cell("# Chapter 01 — T\n<!-- measured -->3 s on a 2-core CPU<!-- /measured -->"),
                             new_code_cell(SOLVED, execution_count=4,
                                           outputs=[new_output("stream", name="stdout", text="hi")])])
    for cell, kind in zip(nb.cells, ("slide", "-")):
        cell.metadata["slideshow"] = {"slide_type": kind}
    nb.metadata["course"] = {"chapter": "t"}
    nbformat.write(nb, solutions / "01_t.ipynb")
    return tmp_path


def test_build_clears_outputs_and_writes_the_student_version(course):
    authoring.build()
    solution = nbformat.read(course / "solutions" / "01_t.ipynb", as_version=4)
    student = nbformat.read(course / "notebooks" / "01_t.ipynb", as_version=4)
    assert solution.cells[1].outputs == [] and solution.cells[1].execution_count is None
    assert "### BEGIN SOLUTION" in solution.cells[1].source
    assert "raise NotImplementedError()" in student.cells[1].source and "2 * x" not in student.cells[1].source
    assert authoring.check() == []


def test_check_reports_stale_unclean_missing_and_orphaned_notebooks(course):
    assert any("notebooks/01_t.ipynb is missing" in p for p in authoring.check())
    authoring.build()
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("Double x.", "Triple x.")
    nbformat.write(nb, path)
    assert any("is stale" in p for p in authoring.check())
    authoring.build()
    student = course / "notebooks" / "01_t.ipynb"
    nb = nbformat.read(student, as_version=4)
    nb.cells[1].outputs = [new_output("stream", name="stdout", text="hi")]
    nbformat.write(nb, student)
    (course / "notebooks" / "99_orphan.ipynb").write_text(nbformat.writes(new_notebook()))
    problems = authoring.check()
    assert any("notebooks/01_t.ipynb: stored outputs in cells [1]" in p for p in problems)
    assert any("99_orphan.ipynb has no source" in p for p in problems)
    authoring.build()
    assert authoring.check() == [] and not (course / "notebooks" / "99_orphan.ipynb").exists()


def test_check_requires_a_measured_run_time_in_the_header(course):
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = "# T\n<!-- measured --><!-- /measured -->"
    nbformat.write(nb, path)
    authoring.build()
    assert any("no measured run time" in p for p in authoring.check())


def test_a_broken_marker_fails_the_build_and_the_check(course):
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source = nb.cells[1].source.replace("    ### END SOLUTION\n", "")
    nbformat.write(nb, path)
    with pytest.raises(AuthoringError, match="01_t.ipynb, cell 1, line 3"):
        authoring.build()
    assert any("never closed" in p for p in authoring.check())


def test_measure_writes_the_run_time_into_the_header_the_readme_and_the_guide(course, monkeypatch):
    (course / "README.md").write_text("| chapter | what | run time | study |\n"
                                      "| [01 T](notebooks/01_t.ipynb) | things | 3 s | 60 min |\n")
    (course / "docs").mkdir()
    guide = course / "docs" / "INSTRUCTOR_GUIDE.md"
    guide.write_text("### 01 — T (`01_t.ipynb`)\n\n**Length:** 90 minutes · **Run time:** 3 s\n")
    monkeypatch.setattr(authoring, "run_notebook", lambda path: (12.4, 180.0))
    authoring.measure([])
    header = nbformat.read(course / "solutions" / "01_t.ipynb", as_version=4).cells[0].source
    assert "<!-- measured -->12 s on a" in header and "peak memory 180 MB<!-- /measured -->" in header
    assert "| [01 T](notebooks/01_t.ipynb) | things | 12 s | 60 min |" in (course / "README.md").read_text()
    assert "**Run time:** 12 s\n" in guide.read_text()
    assert authoring.check() == []


def test_the_real_course_is_in_sync():
    """The suite's authoring check: notebooks/ is what solutions/ generates, and both are clean."""
    assert authoring.check() == []


def test_build_can_take_named_notebooks_and_rejects_unknown_ones(course):
    authoring.build(["01_t.ipynb"])
    assert (course / "notebooks" / "01_t.ipynb").exists()
    with pytest.raises(AuthoringError, match="no such notebook in solutions/: 99_x.ipynb"):
        authoring.build(["99_x.ipynb"])


def test_check_requires_slide_metadata_on_every_cell(course):
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    del nb.cells[1].metadata["slideshow"]
    nbformat.write(nb, path)
    authoring.build()
    assert any("cells [1] have no slideshow.slide_type" in p for p in authoring.check())


def test_check_requires_one_slide_per_section(course):
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_markdown_cell("## 1. A section"))
    nb.cells[-1].metadata["slideshow"] = {"slide_type": "subslide"}
    nb.cells.append(new_markdown_cell("### Not a section"))
    nb.cells[-1].metadata["slideshow"] = {"slide_type": "slide"}
    nbformat.write(nb, path)
    authoring.build()
    assert any("cells [2, 3] break 'one slide per section'" in p for p in authoring.check())


def test_check_names_code_lines_wider_than_a_cell(course):
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(new_code_cell("x = 1\n" + "y = " + "1 + " * 30 + "1"))
    nb.cells[-1].metadata["slideshow"] = {"slide_type": "-"}
    nbformat.write(nb, path)
    authoring.build()
    at = len(nb.cells) - 1
    assert any(f"code lines over 95 characters run past the cell's edge (cell {at} line 2)" in p
               for p in authoring.check())


def test_check_holds_each_chapter_to_its_number_id_and_title(course, monkeypatch):
    authoring.build()
    path = course / "solutions" / "01_t.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.metadata["course"] = {"chapter": "u"}
    nb.cells[0].source = nb.cells[0].source.replace("— T", "— Tee")
    nbformat.write(nb, path)
    problems = authoring.check()
    assert any('its metadata needs "course": {"chapter": "t"}' in p for p in problems)
    assert any("must start with '# Chapter 01 — T'" in p for p in problems)
    monkeypatch.setattr(chapters, "CHAPTERS", (chapters.Chapter(2, "t", "T"),))
    problems = authoring.check()
    assert any("chapter 't' is number 02: name it 02_t.ipynb" in p for p in problems)
    assert any("solutions/02_t.ipynb is missing" in p for p in problems)
