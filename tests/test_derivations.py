"""Every "Derived in: <Chapter> §n" in the companion names a real chapter and section.

The API reference turns these into links (book/_ext/companion_build.py); a chapter that
gains or loses a section must not leave docstrings pointing at the wrong one.
"""

from __future__ import annotations

import re
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
import companion_build  # noqa: E402

REFS = []
for path in sorted((ROOT / "companion").rglob("*.py")):
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r"Derived in:\s+([A-Z][A-Za-z ]*?)\s*§\s*(\d+)((?:\s*(?:\([^)]*\))?\s*(?:,|and)\s*§\s*\d+)*)",
                         text):
        sections = [int(m.group(2))] + [int(n) for n in re.findall(r"§\s*(\d+)", m.group(3))]
        REFS += [(path.relative_to(ROOT).as_posix(), m.group(1), n) for n in sections]


def test_the_companion_cites_its_derivations():
    assert len(REFS) > 20


@pytest.mark.parametrize("where, chapter, section", REFS)
def test_derivation_points_at_an_existing_section(where, chapter, section):
    label = companion_build.section_target(chapter, section)
    text = (ROOT / "book" / companion_build.CHAPTERS[chapter]).read_text(encoding="utf-8")
    assert f"({label})=\n## " in text, f"{where}: {chapter} §{section}"


@pytest.mark.parametrize("chapter", sorted(companion_build.CHAPTERS))
def test_every_section_has_a_label(chapter):
    text = (ROOT / "book" / companion_build.CHAPTERS[chapter]).read_text(encoding="utf-8")
    unlabelled = re.findall(r"(?<!\)=)\n\n## (.+)", text)
    assert not unlabelled, f"{chapter}: sections without a (label)= line: {unlabelled}"
