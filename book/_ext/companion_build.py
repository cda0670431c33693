"""Sphinx extension used by the book build (listed in ``_config.yml``).

1. Sets ``COMPANION_WIDGETS=static`` before any chapter runs: the kernels that MyST-NB
   starts inherit it, so ``companion.widgets.slider`` renders precomputed frames and
   never creates an ipywidget while the book executes (no nbclient widget stall).
   Also one BLAS thread per kernel (``OPENBLAS_NUM_THREADS=1``), as on a one-CPU Binder.
2. Serves MathJax from the built site itself: the files come from the PyPI package
   ``sphinx-mathjax-offline`` (MathJax 3) at build time; only what ``tex-chtml.js`` loads
   is copied (the whole distribution is 24 MB). The built HTML fetches nothing from a CDN.
3. Removes a duplicated inline script that sphinx-thebe adds (a JavaScript error on every page).
4. In the API reference, turns each docstring's "Derived in: <label>" into a link to
   the section with that label; an unknown label is a build warning (an error with -W).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
from pathlib import Path

# What tex-chtml.js needs at run time: itself, its fonts, and the TeX extensions it autoloads.
_MATHJAX_PARTS = ["tex-chtml.js", "output/chtml/fonts/woff-v2", "input/tex/extensions"]


def _mathjax_source() -> Path:
    spec = importlib.util.find_spec("sphinx-mathjax-offline")
    if spec is None or spec.origin is None:
        raise RuntimeError(
            "The book needs the package sphinx-mathjax-offline (MathJax served locally): "
            "pip install -e '.[book]'"
        )
    return Path(spec.origin).parent / "static" / "mathjax"


def _copy_mathjax(app, exc) -> None:
    if exc is not None or app.builder.format != "html":
        return
    src, dst = _mathjax_source(), Path(app.outdir) / "_static" / "mathjax"
    for part in _MATHJAX_PARTS:
        s, d = src / part, dst / part
        d.parent.mkdir(parents=True, exist_ok=True)
        if s.is_dir():
            shutil.copytree(s, d, dirs_exist_ok=True)
        else:
            shutil.copy2(s, d)


def _dedupe_scripts(app, pagename, templatename, context, doctree) -> None:
    # sphinx-thebe registers its inline configuration once per env-before-read-docs event,
    # which Jupyter Book fires twice: the second `const THEBE_JS_URL` is a JavaScript error
    # on every page. Keep the first copy of each script.
    seen, unique = set(), []
    for js in context.get("script_files", []):
        key = (getattr(js, "filename", js) or "", tuple(sorted(getattr(js, "attributes", {}).items())))
        if key not in seen:  # same file or inline body, whatever its priority
            seen.add(key)
            unique.append(js)
    # In place: it is the builder's own list, which handlers after this one (MathJax) extend.
    context["script_files"][:] = unique


# "Derived in: <label>, <label> (note) and <label>" in a docstring names the sections that
# derive a function by their MyST labels, which move with their sections (positions drift).
BOOK = Path(__file__).resolve().parents[1]
_LABEL_LINE = re.compile(r"^\((?P<label>[\w-]+)\)=\s*$", re.M)
_TOKEN = re.compile(r"(?<![\w`:<-])(?P<label>[a-z][a-z0-9]*(?:-[a-z0-9]+)+)(?![\w`>-])")


def book_labels() -> dict[str, str]:
    """Every ``(label)=`` of the book's pages -> the page (tested: each label is unique)."""
    labels: dict[str, str] = {}
    for page in sorted(BOOK.glob("*.md")):
        for m in _LABEL_LINE.finditer(page.read_text(encoding="utf-8")):
            labels.setdefault(m.group("label"), page.name)
    return labels


def derived_labels(docstring: str) -> list[list[str]]:
    """For each "Derived in:" of ``docstring``, the labels its sentence names (known or not).

    The sentence runs to the first full stop followed by a space or the end of a line; notes
    in parentheses are left out.
    """
    found = []
    for m in re.finditer(r"Derived in:(?P<rest>.*?)(?:\.(?:\s|$)|\n\s*\n|$)", docstring, re.S):
        rest = m.group("rest")
        while re.search(r"\([^()]*\)", rest):  # notes in parentheses are prose, not labels
            rest = re.sub(r"\([^()]*\)", "", rest)
        found.append([t.group("label") for t in _TOKEN.finditer(rest)])
    return found


def _link_derivations(app, what, name, obj, options, lines) -> None:
    from sphinx.util import logging

    labels = book_labels()
    text = "\n".join(lines)
    if "Derived in:" not in text:
        return
    for tokens in derived_labels(text):
        if not tokens or tokens[0] not in labels:
            logging.getLogger(__name__).warning(f"{name}: 'Derived in:' must name a section label, got {tokens}")
    lines[:] = [_TOKEN.sub(lambda t: f":ref:`{t.group('label')}`" if t.group("label") in labels else t.group(0),
                           line) for line in lines]


def setup(app):
    os.environ["COMPANION_WIDGETS"] = "static"
    # One BLAS thread per kernel: on a small shared machine, threaded OpenBLAS made a 500x64
    # matrix product 150x slower (and chapters must fit a one-CPU Binder budget anyway).
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    _mathjax_source()  # fail early, with the fix, when the package is missing
    app.config.mathjax_path = "mathjax/tex-chtml.js"
    app.connect("build-finished", _copy_mathjax)
    app.connect("autodoc-process-docstring", _link_derivations)
    app.connect("html-page-context", _dedupe_scripts, priority=100)  # before handlers that stop the event
    return {"parallel_read_safe": True, "parallel_write_safe": True}
