"""The book: a strict full build, every chapter executed cleanly and reproducibly, nothing fetched.

How long a chapter takes is shown on the status page (the build's own table) and measured in
benchmarks/; it is never asserted here, so the tests pass on a busy machine."""

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


def test_every_toc_page_is_built(built_book: Path) -> None:
    for page in toc_files():
        assert (built_book / "html" / f"{page}.html").is_file(), page
    assert (built_book / "html" / "index.html").is_file()


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_executes_cleanly(built_book: Path, chapter: str) -> None:
    """Executed from a fresh kernel by the build: no error, no stderr, no warning."""
    nb = nbformat.read(built_book / "jupyter_execute" / f"{chapter}.ipynb", as_version=4)
    for i, cell in enumerate(nb.cells):
        for out in cell.get("outputs", []):
            assert out["output_type"] != "error", f"{chapter} cell {i}: {out.get('ename')}: {out.get('evalue')}"
            if out["output_type"] == "stream":
                assert out["name"] != "stderr", f"{chapter} cell {i} wrote to stderr: {out['text'][:300]}"
            text = json.dumps(out.get("data", {})) + out.get("text", "")
            assert "Warning:" not in text, f"{chapter} cell {i} shows a warning"
    print(f"{chapter}: executed in {_execution_seconds(built_book, chapter):.1f} s (not asserted)")


def _execution_seconds(built_book: Path, chapter: str) -> float:
    """The build's own measurement, from its jupyter-cache record of this chapter's content."""
    from jupyter_cache import get_cache

    cache = get_cache(built_book / ".jupyter_cache")
    record = cache.match_cache_notebook(jupytext.read(ROOT / f"{chapter}.md"))  # KeyError if never executed
    return float(record.data["execution_seconds"])


@pytest.mark.parametrize("chapter", chapters())
def test_first_cell_checks_the_companion_version(chapter: str) -> None:
    nb = jupytext.read(ROOT / f"{chapter}.md")
    at = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
    first = nb.cells[at]
    assert first.source.strip() == f'import companion\ncompanion.require("{companion.__version__}")', chapter
    # after the title and the opening paragraph, so the page opens with prose, not code
    before = "\n".join(c.source for c in nb.cells[:at] if c.cell_type == "markdown").splitlines()
    assert any(line.startswith("# ") for line in before), f"{chapter}: no title before the version check"
    prose = [line for line in before if line.strip() and not line.startswith(("#", "(", "%"))]
    assert prose, f"{chapter}: the version check comes before the opening paragraph"


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


def test_the_site_is_light(built_book: Path) -> None:
    """A reader on a slow line gets every page: the built site at most 30 MB, no page over 2 MB
    (slider frames are palette PNGs; the executed notebooks in _sources count too)."""
    files = [p for p in (built_book / "html").rglob("*") if p.is_file()]
    total = sum(p.stat().st_size for p in files)
    heavy = {str(p.relative_to(built_book)): p.stat().st_size for p in files
             if p.suffix == ".html" and p.stat().st_size > 2_000_000}
    assert total <= 30_000_000, f"the site is {total / 1e6:.1f} MB"
    assert not heavy, f"pages over 2 MB: {heavy}"


class _Images(HTMLParser):
    """Every <img> of a page's article (not the theme's logos and buttons) with its alt text,
    and whether it sits inside a numbered figure."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[tuple[str, str | None, bool]] = []  # (src start, alt, in a figure)
        self._figures = self._articles = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self._figures += tag == "figure"
        self._articles += tag == "article"
        if tag == "img" and self._articles:
            self.images.append(((a.get("src") or "")[:40], a.get("alt"), self._figures > 0))

    def handle_endtag(self, tag):
        self._figures -= tag == "figure"
        self._articles -= tag == "article"


@pytest.mark.parametrize("chapter", chapters())
def test_every_figure_has_alt_text_and_a_caption(built_book: Path, chapter: str) -> None:
    """Alt text a screen reader can use (five words or more, never a file name) on every image of
    a chapter, and every plot in a numbered, captioned figure (sliders are HTML: their frames
    carry the slider's description)."""
    parser = _Images()
    parser.feed((built_book / "html" / f"{chapter}.html").read_text(encoding="utf-8"))
    if "plt." in (ROOT / f"{chapter}.md").read_text(encoding="utf-8"):  # the page draws figures
        assert parser.images, f"{chapter}: no image found in the article (has the theme's markup changed?)"
    bad = [(src, alt) for src, alt, _ in parser.images
           if not alt or len(alt.split()) < 5 or re.search(r"\.(png|jpe?g|svg|gif)\b", alt)]
    assert not bad, f"{chapter}: images without real alt text: {bad}"
    loose = [(src, alt) for src, alt, in_figure in parser.images
             if not in_figure and not src.startswith("data:image/png;base64")]
    assert not loose, f"{chapter}: images outside a captioned figure: {loose}"


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
    from tools.notebooks import twin

    path = ROOT / f"{chapter}.ipynb"
    assert path.exists(), f"{path.name} is missing: run `python3 tasks.py notebooks`"
    assert path.read_text() == twin(chapter), f"{path.name} is stale: run `python3 tasks.py notebooks`"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("chapter", [c for c in chapters() if c.startswith("book/0")])
def test_every_chapter_has_the_same_shape(chapter: str) -> None:
    """Title, opening paragraph, prerequisites and goals before the first section; sections
    named, not numbered by hand (a number drifts when a section moves); "In short" and
    "Further reading" before the exercises."""
    text = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
    top = text[: text.index("\n## ")]
    assert "**Prerequisites:**" in top and "**You will learn:**" in top, chapter
    assert not re.findall(r"^#{2,} \d", text, re.M), f"{chapter}: numbered headings"
    assert "§" not in text, f"{chapter}: a § reference (cite the section's label)"
    headings = re.findall(r"^## (.+)$", text, re.M)
    assert headings[-3:] == ["In short", "Further reading", "Exercises"], (chapter, headings[-3:])


@pytest.mark.parametrize("chapter", chapters())
def test_code_fits_the_column(chapter: str) -> None:
    """Code on the page is at most 88 characters a line: no sideways scrolling in the HTML,
    nothing cut off in the PDF."""
    nb = jupytext.read(ROOT / f"{chapter}.md")
    long = [f"cell {i}: {line[:60]}… ({len(line)})" for i, c in enumerate(nb.cells) if c.cell_type == "code"
            for line in c.source.splitlines() if len(line) > 88]
    assert not long, f"{chapter}: code lines over 88 characters:\n" + "\n".join(long)


def test_the_record_masks_only_timings_and_counts_marked_approximate() -> None:
    from tools.chapter_outputs import text_outputs

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("", outputs=[
        nbformat.v4.new_output("stream", text="took 12.3 s, MINPACK ~153, loss 0.153, 5 seeds\n")])])
    assert text_outputs(nb) == ["took <time>, MINPACK ~<n>, loss 0.153, 5 seeds\n"]


@pytest.mark.parametrize("chapter", chapters())
def test_colab_twin_is_plain_markdown(chapter: str) -> None:
    """Jupyter and Colab render no MyST: no (label)= line, directive, fence or role is left in a
    twin's Markdown, and every glued number is there as the build recorded it."""
    from tools.chapter_outputs import recorded_glue
    from tools.plain_markdown import leftover_myst

    nb = nbformat.read(ROOT / f"{chapter}.ipynb", as_version=4)
    left = [f"cell {i}: {problem}" for i, c in enumerate(nb.cells) if c.cell_type == "markdown"
            for problem in leftover_myst(c.source)]
    assert not left, f"{chapter}.ipynb still has MyST syntax:\n" + "\n".join(left)
    source = (ROOT / f"{chapter}.md").read_text(encoding="utf-8")
    keys = set(re.findall(r"\{glue:text\}`([\w]+)", source))
    assert keys <= set(recorded_glue(chapter)), f"not in tests/chapter_glue.json: {keys - set(recorded_glue(chapter))}"


@pytest.fixture(scope="session")
def second_build(built_book: Path, tmp_path_factory) -> Path | None:
    """What this build's numbers are checked against: ``None`` for the records, made on a
    machine with the same numerics (tests/chapter_numerics.json); else a second build here.

    Another CPU (AVX-512 or not, another OpenBLAS kernel) may print other last digits, and a
    training loop may turn them into another epoch count: the records cannot be the reference
    there, but two executions on the same machine must still agree.
    """
    from tools.chapter_outputs import numerics, recorded_numerics

    here, recorded = numerics(), recorded_numerics()
    if here == recorded:
        return None
    changed = ", ".join(k for k in here if here[k] != recorded.get(k))
    print(f"\nthe records were made on other numerics ({changed}): building the book again "
          "to compare two executions on this machine")
    from tests.conftest import build_book

    return build_book(tmp_path_factory.mktemp("book-again"))


def test_the_records_name_the_numerics_they_were_made_on() -> None:
    from tools.chapter_outputs import numerics, recorded_numerics

    recorded = recorded_numerics()
    assert set(recorded) == set(numerics()) and all(recorded.values()), (
        "tests/chapter_numerics.json is missing or stale: `python3 tasks.py outputs`")


@pytest.mark.parametrize("chapter", chapters())
def test_build_glues_the_recorded_values(built_book: Path, second_build: Path | None, chapter: str) -> None:
    """The twins quote tests/chapter_glue.json: it must be what this build glued (on a machine
    with other numerics: the same names, and the same values in two builds here)."""
    from tools.chapter_outputs import GLUE_RECORD, glue_values, recorded_glue

    fix = "run `python3 tasks.py book && python3 tasks.py outputs && python3 tasks.py notebooks`"
    glued = glue_values(built_book, chapter)
    if second_build is None:
        assert glued == recorded_glue(chapter), f"{chapter} glues other values than {GLUE_RECORD.name}: {fix}"
    else:
        assert set(glued) == set(recorded_glue(chapter)), f"{chapter} glues other names than {GLUE_RECORD.name}: {fix}"
        assert glued == glue_values(second_build, chapter), f"{chapter}: two builds glued different values"


def test_the_build_ran_with_the_network_cut(built_book: Path) -> None:
    """The test build runs in a network namespace with loopback only: any fetch (a data hub,
    a CDN, intersphinx) fails it. Skipped where namespaces are unavailable."""
    flag = built_book.parent / "offline"
    if not flag.exists() or flag.read_text() != "yes":
        pytest.skip("this machine cannot cut the network for a build (needs `unshare -n` and `ip`)")
    assert (built_book / "html" / "index.html").is_file()
    # ...and the namespace really is cut off: a connection to any outside address fails at once.
    import subprocess
    import sys

    from tests.conftest import offline_prefix

    probe = "import socket; socket.create_connection(('151.101.0.223', 443), timeout=5)"
    result = subprocess.run(offline_prefix() + [sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode != 0 and "unreachable" in result.stderr.lower(), result.stderr[-300:]


@pytest.mark.parametrize("chapter", chapters())
def test_chapter_numbers_are_reproducible(built_book: Path, second_build: Path | None, chapter: str) -> None:
    """The build prints the same numbers as the execution recorded in tests/chapter_outputs.json
    (seeds everywhere): two independent executions, each chapter run once per test command.
    After an intended change, `python3 tasks.py book && python3 tasks.py outputs` and review
    the record's diff. On a machine with other numerics, two builds here must agree instead."""
    from tools.chapter_outputs import RECORD, compare, text_outputs

    def outputs(build: Path) -> list[str]:
        return text_outputs(nbformat.read(build / "jupyter_execute" / f"{chapter}.ipynb", as_version=4))

    if second_build is None:
        problems = compare(chapter, outputs(built_book))
        assert not problems, f"{chapter} differs from {RECORD.name}:\n" + "\n".join(problems)
    else:
        problems = compare(chapter, outputs(built_book), want=outputs(second_build))
        assert not problems, f"{chapter}: two builds on this machine differ:\n" + "\n".join(problems)
    assert any(outputs(built_book)), f"{chapter}: the executed notebook has no outputs to compare"


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])


def test_internal_links_resolve(built_book: Path) -> None:
    """Every link between pages of the built site reaches an existing page and anchor
    (no request leaves the machine: external links are not followed)."""
    html_root = built_book / "html"
    pages: dict[Path, _Anchors] = {}
    for page in html_root.rglob("*.html"):
        parser = _Anchors()
        parser.feed(page.read_text(encoding="utf-8"))
        pages[page.resolve()] = parser
    broken = []
    for page, parser in pages.items():
        for href in parser.links:
            if re.match(r"^[a-z][a-z0-9+.-]*:", href) or href.startswith("//"):
                continue  # external (http, mailto, ...) — not followed
            path, _, fragment = href.partition("#")
            target = (page.parent / path).resolve() if path else page
            if target.is_dir():
                target = target / "index.html"
            if target.suffix != ".html":
                if not target.exists():
                    broken.append(f"{page.relative_to(html_root.resolve())}: {href}")
                continue
            if target not in pages:
                broken.append(f"{page.relative_to(html_root.resolve())}: {href} (no such page)")
            elif fragment and fragment not in pages[target].ids:
                broken.append(f"{page.relative_to(html_root.resolve())}: {href} (no such anchor)")
    assert not broken, "broken internal links:\n" + "\n".join(sorted(set(broken))[:50])


@pytest.mark.parametrize("chapter", [c for c in chapters() if c.startswith("book/0")])
def test_chapter_ends_with_exercises_and_checked_solutions(chapter: str) -> None:
    """2–4 exercises, each followed by a hidden (toggle) solution cell that asserts its answer;
    the build executes them, so a broken solution fails the build. (The status and
    performance pages are not chapters and have no exercises.)"""
    text = (ROOT / f"{chapter}.md").read_text()
    assert "\n## Exercises\n" in text, f"{chapter} has no Exercises section"
    tail = text.split("\n## Exercises\n", 1)[1]
    assert "\n## " not in tail, "the Exercises section must come last"
    questions = re.findall(r"^:::\{admonition\} Exercise (\d+)", tail, re.M)
    assert 2 <= len(questions) <= 4 and questions == [str(i + 1) for i in range(len(questions))]
    solutions = [c for c in jupytext.reads(tail, fmt="md:myst").cells if c.cell_type == "code"]
    assert len(solutions) == len(questions)
    for cell in solutions:
        assert "hide-cell" in cell.metadata.get("tags", []), "solutions are hidden behind a toggle"
        assert "assert " in cell.source, "each solution checks its answer"
