"""The book's pages as _toc.yml lists them, and which of them are notebooks (chapters)."""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def toc_files() -> list[str]:
    """Every page of _toc.yml, as paths without suffix relative to the root (e.g. 'book/01-backprop')."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]

    def walk(entries):
        for e in entries or []:
            if "file" in e:
                files.append(e["file"])
            walk(e.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def chapters() -> list[str]:
    """The toc pages that are notebooks (MyST Markdown with a jupytext header)."""
    return [f for f in toc_files() if (ROOT / f"{f}.md").read_text().startswith("---\njupytext:")]
