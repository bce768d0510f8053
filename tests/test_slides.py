"""The lecture decks: one command builds a chapter's deck, with one slide per section."""
from html.parser import HTMLParser

import nbformat

from course_lib.machinery.authoring import SOLUTIONS
from course_lib.machinery.slides import build_deck


class TopSections(HTMLParser):
    """Counts the <section> elements directly inside reveal.js's <div class="slides">."""

    def __init__(self):
        super().__init__()
        self.depth, self.inside, self.slides, self.sections = 0, False, 0, 0

    def handle_starttag(self, tag, attrs):
        if tag == "div" and ("class", "slides") in attrs:
            self.inside = True
        elif tag == "section" and self.inside:
            self.sections += 1
            self.slides += self.sections == 1

    def handle_endtag(self, tag):
        if tag == "section" and self.inside:
            self.sections -= 1


def test_the_deck_of_chapter_01_has_one_slide_per_section(tmp_path):
    path = SOLUTIONS / "01_background.ipynb"
    deck = build_deck(path, tmp_path)
    parser = TopSections()
    parser.feed(deck.read_text())
    cells = nbformat.read(path, as_version=4).cells
    sections = [c for c in cells if c.metadata["slideshow"]["slide_type"] == "slide"]
    assert parser.slides == len(sections) >= 10
    assert all(c.source.startswith("#") for c in sections)  # each slide opens with its heading
    assert "data:image/png;base64" in deck.read_text()  # executed: the figures are on the slides
