"""Turn the JSON files of benchmarks/results/ into Markdown tables for the book's performance page.

The benchmark scripts write whatever structure suits them (dicts of numbers, lists of rows,
nested sections); :func:`to_markdown` renders any of those shapes as tables, so the page never
needs to know a script's format.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


def fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list)) for x in v):
        return ", ".join(fmt(x) for x in v)
    return str(v).replace("|", "\\|")


def _scalar(v: Any) -> bool:
    return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))


def _table(header: list[str], rows: list[list[Any]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(fmt(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)


def to_markdown(obj: Any, level: int = 3) -> str:
    """Markdown tables for a benchmark result of any JSON shape."""
    if isinstance(obj, list) and obj and all(isinstance(r, dict) for r in obj):
        cols = list(dict.fromkeys(k for r in obj for k in r if _scalar(r[k])))
        return _table(cols, [[r.get(c, "") for c in cols] for r in obj])
    if not isinstance(obj, dict):
        return fmt(obj)
    parts = []
    scalars = {k: v for k, v in obj.items() if _scalar(v)}
    if scalars:
        parts.append(_table(["", "value"], [[k, v] for k, v in scalars.items()]))
    for k, v in obj.items():
        if k in scalars:
            continue
        if isinstance(v, dict) and v and all(isinstance(x, dict) and all(_scalar(y) for y in x.values())
                                             for x in v.values()):
            cols = list(dict.fromkeys(c for x in v.values() for c in x))
            parts.append(f"{'#' * level} {k}\n\n" + _table(["", *cols], [[r, *[x.get(c, "") for c in cols]]
                                                                          for r, x in v.items()]))
        else:
            parts.append(f"{'#' * level} {k}\n\n" + to_markdown(v, level + 1))
    return "\n\n".join(parts)


def load() -> dict[str, Any]:
    """Every results file but the machine record, by topic (file stem)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json")) if p.stem != "machine"}


def machine() -> dict[str, Any] | None:
    p = RESULTS / "machine.json"
    return json.loads(p.read_text()) if p.exists() else None
