"""Every companion name a chapter uses is public: in its subpackage's ``__all__`` and so on the
API page (book/api.md documents each subpackage with ``automodule :members:``, which lists
``__all__``)."""

from __future__ import annotations

import ast
import importlib
import re

import jupytext
import pytest

from tests.conftest import ROOT, chapters

API = (ROOT / "book" / "api.md").read_text(encoding="utf-8")
DOCUMENTED = set(re.findall(r"\.\. automodule:: (companion[\w.]*)", API))


def _dotted(node: ast.AST) -> str | None:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    return None


def _split(dotted: str) -> tuple[str, str]:
    """``companion.nn.cnn.edge_scores`` -> (``companion.nn.cnn``, ``edge_scores``)."""
    module, _, name = dotted.rpartition(".")
    return module, name


def _uses(chapter: str) -> set[tuple[str, str]]:
    """(module, name) for every ``from companion... import name`` and ``companion.x.name``."""
    nb = jupytext.read(ROOT / f"{chapter}.md")
    found = set()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        tree = ast.parse(cell.source)
        outer = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("companion"):
                found |= {(node.module, a.name) for a in node.names}
            elif isinstance(node, ast.Attribute) and id(node) not in outer:  # whole chains only
                dotted = _dotted(node)
                if dotted and dotted.startswith("companion.") and dotted.count(".") >= 2:
                    found.add(_split(dotted))
    return found


USES = sorted({(c, m, n) for c in chapters() for m, n in _uses(c)})


def test_chapters_use_the_companion():
    assert len(USES) > 50


@pytest.mark.parametrize("chapter, module, name", USES, ids=[f"{c}:{m}.{n}" for c, m, n in USES])
def test_every_name_a_chapter_uses_is_public_and_documented(chapter, module, name):
    # the public name of the module it comes from, documented on the API page: a subpackage
    # (companion.dsp) or a module the page documents on its own (companion.nn.cnn)
    home = module if module in DOCUMENTED else ".".join(module.split(".")[:2])
    mod = importlib.import_module(home)
    public = set(getattr(mod, "__all__", []))
    if home == "companion":
        public |= {"require", "VersionMismatchError", "__version__"}
    assert name in public, f"{chapter} uses {module}.{name}, which is not in {home}.__all__"
    assert home in DOCUMENTED or home == "companion", f"{home} has no automodule on the API page"


@pytest.mark.parametrize("package", sorted(DOCUMENTED))
def test_every_public_name_exists(package):
    mod = importlib.import_module(package)
    for name in getattr(mod, "__all__", []):
        assert hasattr(mod, name), f"{package}.__all__ lists {name}, which it does not define"
