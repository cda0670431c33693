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


# The JSON keys the scripts write, as a reader would say them (a key not listed is shown with
# its underscores turned into spaces).
LABELS = {
    "us_per_step": "µs per step", "ratio_to_numpy_vectorised": "× bare numpy (same run)",
    "im2col_s": "im2col, s", "naive_s": "naive loop, s", "torch_s": "PyTorch, s",
    "im2col_over_torch": "im2col ÷ PyTorch", "naive_over_im2col": "naive ÷ im2col",
    "max_rel_error_vs_naive": "largest relative error against the loop",
    "ratio_to_companion_full_record": "÷ companion (full record)",
    "solved_steps": "steps until solved", "solved_seconds": "seconds until solved",
    "total_steps": "steps in all", "total_seconds": "seconds in all", "best_return": "best greedy return",
    "independent_eval_mean": "mean return, 20 new episodes", "median_steps": "median steps until solved",
    "median_seconds": "median seconds until solved",
    "median_seconds_over_reference": "median seconds ÷ 10k random steps",
    "reference_seconds_10k_random_steps": "seconds for 10k random steps (reference)",
    "meets_targets": "meets the targets", "median_ratio_typical": "median ratio, typical cases",
    "worst_ratio_typical": "worst ratio, typical cases", "n_samples": "samples",
    "openblas_num_threads": "BLAS threads", "OPENBLAS_NUM_THREADS": "BLAS threads",
    "blas_threads": "BLAS threads", "memory_gib": "memory, GiB",
}


def label(key: Any) -> str:
    """A column or row name for a reader."""
    return LABELS.get(key, key.replace("_", " ")) if isinstance(key, str) else fmt(key)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    header = [label(h) for h in header]
    rows = [[label(r[0]) if isinstance(r[0], str) else r[0], *r[1:]] for r in rows]
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
