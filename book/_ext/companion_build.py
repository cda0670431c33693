"""Sphinx extension used by the book build (listed in ``_config.yml``).

1. Sets ``COMPANION_WIDGETS=static`` before any chapter runs: the kernels that MyST-NB
   starts inherit it, so ``companion.widgets.slider`` renders precomputed frames and
   never creates an ipywidget while the book executes (no nbclient widget stall).
   Also one BLAS thread per kernel (``OPENBLAS_NUM_THREADS=1``), as on a one-CPU Binder.
2. Serves MathJax from the built site itself: the files come from the PyPI package
   ``sphinx-mathjax-offline`` (MathJax 3) at build time; only what ``tex-chtml.js`` loads
   is copied (the whole distribution is 24 MB). The built HTML fetches nothing from a CDN.
3. Removes a duplicated inline script that sphinx-thebe adds (a JavaScript error on every page).
4. In the API reference, turns each docstring's "Derived in: <Chapter> §n" into a link to
   that chapter; an unknown chapter name is a build warning (an error with -W).
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


# Chapter titles as docstrings name them -> the chapter's source. "§n" is the chapter's n-th
# "## " section, in order; the link goes to the `(label)=` written above that heading.
BOOK = Path(__file__).resolve().parents[1]
CHAPTERS = {
    "Backpropagation": "01-backprop.md",
    "Batch gradients": "02-batch-gradients.md",
    "Gradients through time": "03-gradients-through-time.md",
    "CNN filters": "04-cnn-filters.md",
    "Policy gradients": "05-policy-gradients.md",
    "DQN": "06-dqn.md",
    "EEG blinks with wavelets": "07-eeg-wavelets.md",
    "FFT of stereo audio": "08-stereo-fft.md",
}
_DERIVED = re.compile(r"Derived in:\s+(?P<chapter>[A-Z][A-Za-z ]*?)\s*§\s*(?P<section>\d+)")
_LABELLED = re.compile(r"^\((?P<label>[\w-]+)\)=\s*\n(?P<hashes>#{1,2}) ", re.M)


def chapter_labels(chapter: str) -> tuple[str, list[str]]:
    """The label of ``chapter`` and the labels of its ``##`` sections, in order (tested)."""
    text = (BOOK / CHAPTERS[chapter]).read_text(encoding="utf-8")
    top, sections = "", []
    for m in _LABELLED.finditer(text):
        if m.group("hashes") == "#":
            top = m.group("label")
        else:
            sections.append(m.group("label"))
    return top, sections


def section_target(chapter: str, section: int) -> str:
    """The label a "Derived in: <chapter> §<section>" reference links to."""
    if chapter not in CHAPTERS:
        raise KeyError(f"unknown chapter {chapter!r}; known: {sorted(CHAPTERS)}")
    top, sections = chapter_labels(chapter)
    if not 1 <= section <= len(sections):
        raise KeyError(f"{chapter} has {len(sections)} labelled sections, not §{section}")
    return sections[section - 1]


def _link_derivations(app, what, name, obj, options, lines) -> None:
    from sphinx.util import logging

    def link(m: re.Match) -> str:
        chapter, section = m.group("chapter"), int(m.group("section"))
        try:
            label = section_target(chapter, section)
        except KeyError as exc:
            logging.getLogger(__name__).warning(f"{name}: 'Derived in': {exc.args[0]}")
            return m.group(0)
        return f"Derived in: :ref:`{chapter} §{section} <{label}>`"

    lines[:] = [_DERIVED.sub(link, line) for line in lines]


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
