"""What the studies share: their provenance, and how they summarise training curves.

A study (``benchmarks/study_*.py``) is too big to run inside a chapter; it writes its JSON to
``benchmarks/studies/`` with :func:`stamp` (a hash of exactly the companion modules it
imported, the study script and the versions of the libraries whose numbers it depends on),
the chapter plots and glues from that JSON, and ``tests/test_studies.py`` fails when
:func:`is_current` says the code has changed since.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.metadata
import json
import platform
import sys
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
STUDIES = ROOT / "benchmarks" / "studies"
LIBRARIES = ("numpy", "gymnasium")  # their versions change the numbers a study records


def code_hash(files: list[str], libraries: dict[str, str]) -> str:
    """SHA-256 over the files (repository-relative paths, in order) and library versions."""
    h = hashlib.sha256()
    for rel in files:
        h.update(rel.encode() + b"\0" + (ROOT / rel).read_bytes() + b"\0")
    for name, version in sorted(libraries.items()):
        h.update(f"{name}=={version}\n".encode())
    return h.hexdigest()


def stamp(script: str) -> dict:
    """The provenance of a study that has just run in this process: every module of this
    repository it imported (the companion's and benchmarks' own, from ``sys.modules``), the
    script, the library versions and their hash."""
    venv = ROOT / ".venv"
    files = set()
    for m in list(sys.modules.values()):
        path = Path(getattr(m, "__file__", None) or "/").resolve()
        if path.is_relative_to(ROOT) and not path.is_relative_to(venv) and path.suffix == ".py":
            files.add(path.relative_to(ROOT).as_posix())
    files.add(Path(script).resolve().relative_to(ROOT).as_posix())
    libraries = {name: importlib.metadata.version(name) for name in LIBRARIES}
    files = sorted(files)
    return {"files": files, "libraries": libraries, "code_hash": code_hash(files, libraries)}


def run_all(description: str, *job_lists: tuple[Callable[[Any], dict], list]) -> list[list[dict]]:
    """Run every ``(function, jobs)`` pair on a pool of ``--processes`` workers (default 2, a
    job each at a time, in order); return the results of each list."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--processes", type=int, default=2)
    args = parser.parse_args()
    with Pool(args.processes) as pool:
        return [pool.map(fn, jobs, chunksize=1) for fn, jobs in job_lists]


def write(name: str, what: str, settings: dict, script: str, **records: list) -> Path:
    """Write ``benchmarks/studies/<name>.json``: what the study is, its settings, the versions
    and :func:`stamp` of the code that just ran, then its records (``runs=...`` and so on)."""
    import companion

    out = {"what": what, "settings": settings, "companion": companion.__version__,
           "python": platform.python_version(), "provenance": stamp(script), **records}
    STUDIES.mkdir(exist_ok=True)
    path = STUDIES / f"{name}.json"
    path.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {path}")
    return path


def is_current(provenance: dict) -> tuple[bool, str]:
    """Whether the recorded code and library versions are still those of this checkout."""
    missing = [f for f in provenance["files"] if not (ROOT / f).exists()]
    if missing:
        return False, f"files the study ran are gone: {missing}"
    libraries = {name: importlib.metadata.version(name) for name in provenance["libraries"]}
    if libraries != provenance["libraries"]:
        return False, f"library versions changed: recorded {provenance['libraries']}, installed {libraries}"
    if code_hash(provenance["files"], libraries) != provenance["code_hash"]:
        return False, "the code it ran has changed"
    return True, ""


def binned_means(end_steps: list[int], returns: list[float], width: int, total: int) -> list[float | None]:
    """Mean return of the training episodes that ended in each bin of ``width`` steps
    (None for a bin in which no episode ended)."""
    ends, rets = np.asarray(end_steps), np.asarray(returns, dtype=float)
    out = []
    for lo in range(0, total, width):
        inside = (ends > lo) & (ends <= lo + width)
        out.append(round(float(rets[inside].mean()), 2) if inside.any() else None)
    return out
