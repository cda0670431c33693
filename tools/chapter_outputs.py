"""The record of every chapter's text outputs, for the reproducibility test.

``tests/chapter_outputs.json`` holds, per notebook page, the text each code cell printed when
the record was made, wall-clock figures masked. The test compares a fresh build with it, so
two independent executions must agree while each chapter runs only once per test command.
``tests/chapter_numerics.json`` says which numerics the record was made on (:func:`numerics`);
on a machine whose numerics differ, the test compares two builds of its own instead.

Write the record from a build: ``python3 tasks.py book && python3 tasks.py outputs``; then
read its diff: every changed line is a number the book now prints differently.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "tests" / "chapter_outputs.json"
# Every value a page glues, as the build recorded it (text/plain): the twins quote them.
GLUE_RECORD = ROOT / "tests" / "chapter_glue.json"
# The numerics of the machine both records were made on (see numerics()).
NUMERICS_RECORD = ROOT / "tests" / "chapter_numerics.json"

# Wall-clock numbers: durations, rates and speed-ups ("12.3 s", "8× faster") vary between runs.
_TIMING = re.compile(r"\d+(?:\.\d+)?(?:e[-+]?\d+)?\s*(?:(?:s|ms|µs|us|sec|seconds|minutes|min|it/s|steps/s)\b"
                     r"|[×x]\s*(?:faster|slower)\b)")


# A count a chapter marks as approximate ("~153"): it says so, and why, in its text.
_APPROX = re.compile(r"~\d+")


def text_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """Each code cell's text output, joined (a stream may arrive in one chunk or several),
    timings and counts marked approximate ("~153") masked."""
    texts = []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        # A table a cell displays is compared by its Markdown, not its "<...Markdown object>" repr.
        pieces = ["".join(out.get("text") or out.get("data", {}).get("text/markdown")
                          or out.get("data", {}).get("text/plain") or "")
                  for out in cell.get("outputs", [])]
        texts.append(_APPROX.sub("~<n>", _TIMING.sub("<time>", "".join(pieces))))
    return texts


def compare(chapter: str, texts: list[str], want: list[str] | None = None) -> list[str]:
    """What differs between ``texts`` and the record of ``chapter`` (empty: they agree), or
    between ``texts`` and ``want``, another execution's :func:`text_outputs`."""
    if want is None:
        record = json.loads(RECORD.read_text(encoding="utf-8")) if RECORD.exists() else {}
        if chapter not in record:
            return [f"no record of {chapter}: run `python3 tasks.py book && python3 tasks.py outputs`"]
        want = record[chapter]
    if len(want) != len(texts):
        return [f"{len(texts)} code cells, the record has {len(want)}"]
    return [f"code cell {i}:\n  recorded: {a[:300]!r}\n  now:      {b[:300]!r}"
            for i, (a, b) in enumerate(zip(want, texts)) if a != b]


def glue_values(build: Path, page: str) -> dict[str, str]:
    """``{key: text}`` of everything ``page`` glued in ``build`` (myst-nb's ``<page>.glue.json``)."""
    path = build / "jupyter_execute" / f"{page}.glue.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {key: out["data"]["text/plain"] for key, out in sorted(data.items())}


def recorded_glue(page: str) -> dict[str, str]:
    """The glued values of ``page`` in the record (empty when it glues nothing)."""
    record = json.loads(GLUE_RECORD.read_text(encoding="utf-8")) if GLUE_RECORD.exists() else {}
    return record.get(page, {})


def numerics() -> dict[str, str]:
    """What besides the code decides the chapters' floating-point results on this machine.

    numpy, OpenBLAS and PyTorch each pick vector kernels for the CPU at run time (AVX2 or
    AVX-512, ...), and the C library supplies the rest. Two machines alike in these print the
    same numbers; machines that differ can differ in the last bits, and a training loop can
    turn that into another epoch count. The versions are the lock's, but named too.
    """
    import platform

    import numpy as np
    import scipy
    import scipy.linalg  # noqa: F401 (loads scipy's own OpenBLAS, for threadpoolctl to see)
    import threadpoolctl
    import torch

    kernels = {entry["current"] for per_dtype in np.lib.introspect.opt_func_info().values()
               for entry in per_dtype.values()}
    blas = [f"{b['internal_api']} {b['version']} {b.get('architecture')}"
            for b in threadpoolctl.threadpool_info() if b["user_api"] == "blas"]
    return {
        "machine": platform.machine(),
        "libc": " ".join(platform.libc_ver()),
        "numpy": f"{np.__version__}, kernels: {', '.join(sorted(kernels))}",
        "blas": "; ".join(sorted(blas)),
        "scipy": scipy.__version__,
        "torch": f"{torch.__version__.split('+')[0]}, kernels: {torch.backends.cpu.get_cpu_capability()}",
    }


def recorded_numerics() -> dict[str, str]:
    """:func:`numerics` of the machine the records were made on (empty before the first)."""
    return json.loads(NUMERICS_RECORD.read_text(encoding="utf-8")) if NUMERICS_RECORD.exists() else {}


def write(build: Path, pages: list[str]) -> None:
    """Record the text outputs and the glued values of ``pages`` from the executed notebooks
    of ``build``."""
    record, glued = {}, {}
    for page in pages:
        executed = build / "jupyter_execute" / f"{page}.ipynb"
        if not executed.exists():
            sys.exit(f"{executed} is missing: build the book first (python3 tasks.py book)")
        nb = nbformat.read(executed, as_version=4)
        if not any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code"):
            # MyST-NB alone writes a page taken from the cache without its outputs (the book's
            # execution extension puts them back); a record of empty outputs would compare nothing.
            sys.exit(f"{executed} has no outputs (taken from the cache?): rebuild from scratch with "
                     f"`rm -rf _build && python3 tasks.py book`, then run this again")
        record[page] = text_outputs(nb)
        glued[page] = glue_values(build, page)
    RECORD.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    GLUE_RECORD.write_text(json.dumps(glued, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    NUMERICS_RECORD.write_text(json.dumps(numerics(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {RECORD.relative_to(ROOT)}, {GLUE_RECORD.relative_to(ROOT)} and "
          f"{NUMERICS_RECORD.relative_to(ROOT)} ({len(record)} pages)")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    from tools.pages import chapters

    write(ROOT / "_build", chapters())
