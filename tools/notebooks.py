"""The output-free ``.ipynb`` twin of every chapter, for Colab (which cannot open MyST ``.md``).

The ``.md`` file is the source; the twin is generated from it (``python3 tasks.py notebooks``,
after ``python3 tasks.py book && python3 tasks.py outputs``, which record the glued values),
in plain Markdown (``tools/plain_markdown.py``) and with one extra first cell that installs
the matching companion when running in Colab (the release tag once the version is released,
else ``main``: see ``install_ref``).
The theme's launch buttons point at the twin because it sits beside the source; Sphinx
ignores it (``_config.yml`` excludes ``book/*.ipynb``). ``tests/test_book.py`` fails when a twin
is missing, stale or carries outputs.

Usage: ``python tools/notebooks.py --write`` or ``--check``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import jupytext
import nbformat

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from companion._version import REPOSITORY, __version__  # noqa: E402
from tools.chapter_outputs import recorded_glue  # noqa: E402
from tools.pages import chapters  # noqa: E402
from tools.plain_markdown import load_context, plain  # noqa: E402


def install_ref(version: str = __version__) -> str:
    """The git ref Colab installs the companion from: the release tag ``v{version}`` once that
    version is released (CHANGELOG.md has its ``## [X.Y.Z]`` heading; ``tasks.py release`` adds
    it with the tag), else ``main``: never a tag that does not exist."""
    changelog = ROOT / "CHANGELOG.md"
    text = changelog.read_text(encoding="utf-8") if changelog.exists() else ""
    released = re.search(rf"^## \[{re.escape(version)}\]", text, re.M)
    return f"v{version}" if released else "main"


COLAB_CELL = f'''# In Colab, install the companion this chapter was written for (does nothing elsewhere).
import sys
if "google.colab" in sys.modules:
    get_ipython().run_line_magic("pip", 'install -q "gradients-and-signals @ git+{REPOSITORY}@{install_ref()}"')'''


def twin(chapter: str) -> str:
    """The twin notebook's JSON text for ``chapter`` (e.g. ``"book/01-backprop"``)."""
    nb = jupytext.read(ROOT / f"{chapter}.md")
    # Jupyter and Colab render plain Markdown only: labels, admonitions and roles rewritten,
    # each glued number as the build recorded it (tests/chapter_glue.json).
    ctx = load_context(chapters(), recorded_glue(chapter))
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            cell.source = plain(cell.source, ctx)
    nb.cells.insert(0, nbformat.v4.new_code_cell(COLAB_CELL, metadata={"tags": ["colab"]}))
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i}"  # stable ids: regenerating changes nothing
        if cell.cell_type == "code":
            cell["outputs"], cell["execution_count"] = [], None
    nb.metadata.pop("jupytext", None)
    nb.metadata["kernelspec"] = {"display_name": "Python 3", "language": "python", "name": "python3"}
    nb.metadata["language_info"] = {"name": "python"}
    return nbformat.writes(nb) + "\n"


def main(argv: list[str]) -> int:
    write = "--write" in argv
    stale = []
    for chapter in chapters():
        path, text = ROOT / f"{chapter}.ipynb", twin(chapter)
        if not path.exists() or path.read_text() != text:
            stale.append(path.relative_to(ROOT))
            if write:
                path.write_text(text)
    verb = "rewrote" if write else "stale"
    print(f"{verb}: {', '.join(map(str, stale))}" if stale else "all twins up to date")
    return 0 if write or not stale else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
