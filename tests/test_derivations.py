"""Every "Derived in: <label>" in the companion names a real section of the book.

The API reference turns these into links (book/_ext/companion_build.py). Labels move with
their sections (a section moved to another chapter keeps its label), so a docstring never
points at the wrong place the way a "§n" position did once sections were added.
"""

from __future__ import annotations

import ast
import re
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import companion_build  # noqa: E402

LABELS = companion_build.book_labels()


def _docstrings():
    for path in sorted((ROOT / "companion").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
                doc = ast.get_docstring(node, clean=False)
                if doc and "Derived in" in doc:
                    name = getattr(node, "name", "module")
                    yield f"{path.relative_to(ROOT).as_posix()}:{name}", doc


DOCS = list(_docstrings())


def test_the_companion_cites_its_derivations():
    assert len(DOCS) > 60


@pytest.mark.parametrize("where, doc", DOCS, ids=[w for w, _ in DOCS])
def test_derivation_names_existing_labels(where, doc):
    assert "§" not in doc, f"{where}: cite a section label, not a position"
    for tokens in companion_build.derived_labels(doc):
        assert tokens, f"{where}: 'Derived in:' names no section label"
        unknown = [t for t in tokens if t not in LABELS]
        assert not unknown, f"{where}: unknown labels {unknown}"


def test_labels_are_unique_across_the_book():
    seen: dict[str, str] = {}
    for page in sorted((ROOT / "book").glob("*.md")):
        for label in re.findall(r"^\(([\w-]+)\)=\s*$", page.read_text(encoding="utf-8"), re.M):
            assert label not in seen, f"{label} in {page.name} and {seen[label]}"
            seen[label] = page.name


@pytest.mark.parametrize("page", sorted(p.name for p in (ROOT / "book").glob("[0-9]*.md")))
def test_every_section_has_a_label(page):
    text = (ROOT / "book" / page).read_text(encoding="utf-8")
    unlabelled = re.findall(r"(?<!\)=)\n\n## (.+)", text)
    assert not unlabelled, f"{page}: sections without a (label)= line: {unlabelled}"
