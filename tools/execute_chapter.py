"""Execute MyST chapters from a fresh kernel, the way the book build does, and be strict.

Usage: ``python tools/execute_chapter.py book/01-backprop.md [more.md ...]``

Fails (exit 1) on any error, any stderr output, and any warning shown in a cell;
prints each cell's time so a slow cell or a stalled widget cannot hide.
The test-suite uses :func:`execute` too.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

CELL_TIMEOUT = 120  # seconds: a stall fails, not a slow cell (the budget, 15 s a chapter, is not asserted)


def execute(path: str | os.PathLike) -> tuple[nbformat.NotebookNode, list[float], list[str]]:
    """Run a chapter in a fresh kernel; return the notebook, per-cell seconds and problems."""
    path = Path(path)
    nb = jupytext.read(path)
    os.environ["COMPANION_WIDGETS"] = "static"  # as in the book build: no ipywidgets created
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")  # as in the book build (book/_ext/companion_build.py)
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3", shutdown_kernel="immediate",
                            resources={"metadata": {"path": str(path.parent)}})
    times: list[float] = []
    problems: list[str] = []
    with client.setup_kernel():
        for i, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            t0 = time.perf_counter()
            try:
                client.execute_cell(cell, i)
            except Exception as exc:  # CellExecutionError and timeouts
                problems.append(f"cell {i}: {type(exc).__name__}: {str(exc)[-2000:]}")
                break
            finally:
                times.append(time.perf_counter() - t0)
            for out in cell.get("outputs", []):
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    problems.append(f"cell {i} wrote to stderr: {out.get('text', '')[:500]}")
                if out.get("output_type") == "error":
                    problems.append(f"cell {i} raised {out.get('ename')}: {out.get('evalue')}")
    return nb, times, problems


def main(paths: list[str]) -> int:
    status = 0
    for p in paths:
        t0 = time.perf_counter()
        _, times, problems = execute(p)
        total = time.perf_counter() - t0
        slow = sorted(enumerate(times), key=lambda t: -t[1])[:3]
        print(f"{p}: {total:.1f} s in all; slowest cells " + ", ".join(f"#{i} {t:.1f}s" for i, t in slow))
        for prob in problems:
            print("  PROBLEM", prob)
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
