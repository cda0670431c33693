"""The book: a strict full build, every chapter executed cleanly and fast, nothing fetched."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import jupytext
import nbformat
import pytest

import companion
from tests.conftest import ROOT, chapters, toc_files

pytestmark = [pytest.mark.book, pytest.mark.slow]
CHAPTER_BUDGET_S = 45


def test_every_toc_page_is_built(built_book: Path) -> None:
    for page in toc_files():
        assert (built_book / "html" / f"{page}.html").is_file(), page
    assert (built_book / "html" / "index.html").is_file()


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_executes_cleanly(built_book: Path, chapter: str) -> None:
    """Executed from a fresh kernel by the build: no error, no stderr, no warning, within budget."""
    nb = nbformat.read(built_book / "jupyter_execute" / f"{chapter}.ipynb", as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{chapter} cell {i}: {out.get('ename')}: {out.get('evalue')}"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"{chapter} cell {i} wrote to stderr: {out['text'][:300]}"
            text = json.dumps(out.get("data", {})) + out.get("text", "")
            assert "Warning:" not in text, f"{chapter} cell {i} shows a warning"
    seconds = _execution_seconds(built_book, chapter)
    print(f"{chapter}: executed in {seconds:.1f} s")
    assert seconds < CHAPTER_BUDGET_S, f"{chapter} took {seconds:.1f} s to execute (budget {CHAPTER_BUDGET_S} s)"


def _execution_seconds(built_book: Path, chapter: str) -> float:
    """The build's own measurement, from its jupyter-cache record of this chapter's content."""
    from jupyter_cache import get_cache

    cache = get_cache(built_book / ".jupyter_cache")
    record = cache.match_cache_notebook(jupytext.read(ROOT / f"{chapter}.md"))  # KeyError if never executed
    return float(record.data["execution_seconds"])


@pytest.mark.parametrize("chapter", chapters())
def test_first_cell_checks_the_companion_version(chapter: str) -> None:
    nb = jupytext.read(ROOT / f"{chapter}.md")
    first = next(c for c in nb.cells if c.cell_type == "code")
    assert first.source.strip() == f'import companion\ncompanion.require("{companion.__version__}")', chapter


class _Resources(HTMLParser):
    """Collects every URL a page would *load* (not plain links the reader may click)."""

    LOADING = {("script", "src"), ("link", "href"), ("img", "src"), ("iframe", "src"), ("source", "src"),
               ("audio", "src"), ("video", "src"), ("embed", "src"), ("object", "data")}

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if (tag, name) in self.LOADING and value:
                if tag == "link" and dict(attrs).get("rel") in ("canonical", "search", "index", "next", "prev"):
                    continue
                self.urls.append(value)


def test_built_pages_load_nothing_from_the_internet(built_book: Path) -> None:
    external = {}
    for page in (built_book / "html").rglob("*.html"):
        parser = _Resources()
        parser.feed(page.read_text(encoding="utf-8"))
        bad = [u for u in parser.urls if re.match(r"^(https?:)?//", u)]
        if bad:
            external[str(page.relative_to(built_book))] = bad
    assert not external, f"pages load remote resources: {external}"


def test_math_is_rendered_by_a_local_mathjax(built_book: Path) -> None:
    html = (built_book / "html" / "book" / "01-backprop.html").read_text()
    assert "_static/mathjax/tex-chtml.js" in html
    assert (built_book / "html" / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert any((built_book / "html" / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").iterdir())


def test_slider_pages_carry_their_frames_inline(built_book: Path) -> None:
    html = (built_book / "html" / "book" / "01-backprop.html").read_text()
    assert html.count('class="gs-slider"') >= 1
    assert 'type="range"' in html and "data:image/png;base64," in html


def test_questions_page_maps_every_question() -> None:
    wanted = re.findall(r"^\| (Q\d\d) \|", (ROOT.parent / "shared" / "QUESTIONS.md").read_text(), re.M) \
        if (ROOT.parent / "shared" / "QUESTIONS.md").exists() else [f"Q{i:02d}" for i in range(1, 28)]
    page = (ROOT / "book" / "questions.md").read_text()
    rows = dict(re.findall(r"^\| (Q\d\d) \|.*\| (.+) \|$", page, re.M))
    assert sorted(rows) == sorted(wanted)
    for q, where in rows.items():
        assert where.startswith("coming") or "{ref}`" in where, f"{q}: {where}"


@pytest.mark.parametrize("chapter", chapters())
def test_colab_twin_is_current_and_output_free(chapter: str) -> None:
    from tests.notebooks import twin

    path = ROOT / f"{chapter}.ipynb"
    assert path.exists(), f"{path.name} is missing: run `python3 tasks.py notebooks`"
    assert path.read_text() == twin(chapter), f"{path.name} is stale: run `python3 tasks.py notebooks`"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
