"""Lecture decks: each chapter, executed, as reveal.js slides in build/slides/.

    python3 course.py slides [NAME ...]     (= python -m course_lib.machinery.slides)

Every cell of a chapter carries ``slideshow.slide_type`` metadata: each numbered
section starts a slide (the authoring check enforces it) and long sections go on in
sub-slides (press ↓), so the deck follows the chapter; a slide taller than the screen
scrolls. The solutions are executed first so that the slides show the figures and
results; open a deck in a browser (press S for the speaker view: timer and next slide).
"""
from __future__ import annotations

import sys
from pathlib import Path

import nbformat

from course_lib.machinery.authoring import ROOT, solution_paths

DECKS = ROOT / "build" / "slides"


def build_deck(path: Path, out: Path = DECKS) -> Path:
    """Execute the chapter at ``path`` and write its deck; returns the deck's path."""
    from nbclient import NotebookClient
    from nbconvert import SlidesExporter
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", store_widget_state=True,
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    html, _ = SlidesExporter(reveal_scroll=True).from_notebook_node(nb)
    out.mkdir(parents=True, exist_ok=True)
    deck = out / f"{path.stem}.slides.html"
    deck.write_text(html)
    return deck


def main(argv: list[str]) -> int:
    for path in solution_paths(argv):
        deck = build_deck(path)
        print(f"wrote {deck.relative_to(ROOT)}")
    print("Open a deck in a browser (it loads reveal.js from the web); press S for the speaker view.")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
