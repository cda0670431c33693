"""Print the built HTML book to one PDF, offline: ``python3 tasks.py pdf``.

Each page of ``_toc.yml`` is loaded from ``_build/html`` (or ``--build DIR``'s ``html``,
e.g. the build the tests just checked) in Debian's Chromium (driven by
Playwright, which never downloads a browser here), MathJax is given time to typeset, and
the page is printed; ``pdfunite`` (Debian's poppler-utils) joins the pages in the order of
the table of contents into ``_build/pdf/gradients-and-signals.pdf``. Sliders print at their
default frame (the static slider shows it on load). Why Chromium and not LaTeX:
CONTRIBUTING.md ("The PDF").

Every formula of every page must have been typeset by MathJax before the page is printed,
and the PDF is checked with ``pdftotext``: every page's title is in it, and no ``$$`` or
``\\begin{`` of raw TeX is left.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tools.pages import toc_files  # noqa: E402

OUT = ROOT / "_build" / "pdf"
PDF = OUT / "gradients-and-signals.pdf"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# Print layout: the page's full width for the article (no sidebars or navigation), code that
# wraps instead of running off the paper, wide displayed equations scaled into the column.
PRINT_CSS = """
.bd-sidebar-primary, .bd-sidebar-secondary, .bd-header, .header-article, .prev-next-area,
.bd-footer, .bd-footer-article, .bd-footer-content, .sidebar-toggle, .theme-switch-button { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container, .bd-article {
  max-width: 100% !important; width: 100% !important; margin: 0 !important; padding: 0 !important; }
pre, .highlight pre, .output pre { white-space: pre-wrap !important; overflow-wrap: anywhere; }
mjx-container[display="true"] { max-width: 100%; overflow: hidden; }
img { max-width: 100% !important; height: auto !important; }
table { font-size: 85%; }
"""
# The page's formulas (MyST writes them as .math elements) that MathJax did not typeset.
UNTYPESET = """() => Array.from(document.querySelectorAll('.math'))
    .filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))"""
# TeX that can only be the prose's (code cells may hold TeX in strings, e.g. plot labels).
RAW_TEX = re.compile(r"\\begin\{|\$\$")


def _tool(name: str, package: str) -> str:
    path = shutil.which(name)
    if not path:
        sys.exit(f"pdf: `{name}` not found: install Debian's {package} (apt-get install {package})")
    return path


def title(page: str) -> str:
    """The page's first ``# `` heading, as the PDF must show it."""
    for line in (ROOT / f"{page}.md").read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise ValueError(f"{page}.md has no '# ' title")


def print_pages(pages: list[str], html: Path, parts: Path) -> list[Path]:
    from playwright.sync_api import sync_playwright

    chromium = os.environ.get("CHROMIUM") or _tool("chromium", "chromium")
    files = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS, timeout=60_000)
        page = browser.new_page()
        for i, name in enumerate(pages):
            source = html / f"{name}.html"
            if not source.exists():
                sys.exit(f"pdf: {source} is missing: build the book first (python3 tasks.py book)")
            page.goto(source.as_uri(), wait_until="load", timeout=120_000)
            # MathJax 3 typesets after load; its startup promise resolves when it is done.
            page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
            raw = page.evaluate(UNTYPESET)
            if raw:
                sys.exit(f"pdf: {name}: MathJax left {len(raw)} formulas as raw TeX, e.g. {raw[0]!r}")
            page.emulate_media(media="print")
            page.add_style_tag(content=PRINT_CSS)
            target = parts / f"{i:02d}.pdf"
            page.pdf(path=str(target), format="A4", print_background=True, scale=0.9,
                     margin={"top": "15mm", "bottom": "15mm", "left": "12mm", "right": "12mm"})
            files.append(target)
            print(f"  printed {name}", flush=True)
        browser.close()
    return files


def check(pdf: Path, pages: list[str]) -> None:
    text = subprocess.run([_tool("pdftotext", "poppler-utils"), str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    def plain(t: str) -> str:  # Sphinx typesets quotes: compare ’ as ' and “ ” as "
        return " ".join(t.translate(str.maketrans("’‘“”", "''\"\"")).split())

    flat = plain(text)
    missing = [title(p) for p in pages if plain(title(p)) not in flat]
    if missing:
        sys.exit(f"pdf: these page titles are not in {pdf.name}: {missing}")
    raw = sorted(set(RAW_TEX.findall(text)))
    if raw:
        sys.exit(f"pdf: raw TeX left in {pdf.name} (MathJax did not typeset it): {raw}")


def main(argv: list[str]) -> None:
    build = Path(argv[argv.index("--build") + 1]) if "--build" in argv else ROOT / "_build"
    html = build.resolve() / "html"
    pages = toc_files()
    parts = OUT / "pages"
    if parts.exists():
        shutil.rmtree(parts)
    parts.mkdir(parents=True)
    files = print_pages(pages, html, parts)
    subprocess.run([_tool("pdfunite", "poppler-utils"), *map(str, files), str(PDF)], check=True)
    check(PDF, pages)
    print(f"wrote {PDF.relative_to(ROOT)} ({PDF.stat().st_size / 1e6:.1f} MB, {len(pages)} pages of the "
          f"table of contents); every title present, no raw TeX")


if __name__ == "__main__":
    main(sys.argv[1:])
