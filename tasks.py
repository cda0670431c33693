#!/usr/bin/env python3
"""The project's entry point, runnable on a fresh machine with only Python >= 3.11.

    python3 tasks.py book    # build the HTML book into _build/html
    python3 tasks.py test    # lint, unit tests, every chapter executed, strict book build, browser test
    python3 tasks.py bench   # run benchmarks/ and write benchmarks/results/*.json
    python3 tasks.py studies # run the chapters' big studies (benchmarks/study_*.py -> studies/*.json)
    python3 tasks.py notebooks  # regenerate the output-free .ipynb twins of the chapters (for Colab)
    python3 tasks.py lock       # re-resolve pyproject.toml into requirements-lock.txt
    python3 tasks.py outputs    # record the chapters' text outputs of the last `book` build (tests compare)

Each command creates ``.venv`` on first use and installs the exact versions of
``requirements-lock.txt`` and the companion (again only when pyproject.toml or the lock
changes). The Makefile has the same targets.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
LOCK = ROOT / "requirements-lock.txt"
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | os.PathLike, env: dict | None = None) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv() -> None:
    """Create .venv with the exact versions of requirements-lock.txt and the companion
    (editable), unless the same install is already there."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python >= 3.11 is needed; this is {sys.version.split()[0]}")
    stamp = VENV / ".installed"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes() + LOCK.read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print(f"creating {VENV.relative_to(ROOT)}/", flush=True)
        venv.create(VENV, with_pip=True)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    # Every extra at once, from the lock: the book, the tests and Binder run the same versions.
    run(PY, "-m", "pip", "install", "--quiet", "-r", LOCK)
    run(PY, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    stamp.write_text(digest)


def lock() -> None:
    """Resolve pyproject.toml (the package and its [book] and [test] extras) in a scratch venv
    and write every installed distribution's exact version to requirements-lock.txt."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp) / "venv"
        venv.create(scratch, with_pip=True)
        py = scratch / BIN.name / "python"
        run(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(py, "-m", "pip", "install", "--quiet", ".[book,test]")
        frozen = subprocess.run([py, "-m", "pip", "freeze"], capture_output=True, text=True, check=True).stdout
    pins = []
    for line in frozen.splitlines():
        name = line.replace(" @ ", "==").split("==")[0].strip().lower().replace("_", "-")
        if not line or line.startswith("#") or name == "gradients-and-signals":
            continue  # the project itself: tasks.py installs it from the checkout
        # A local label (torch's "+cpu") names the build, not the release: PyPI has no such file.
        pins.append(line.split("+")[0] if "==" in line else line)
    header = [
        "# Exact versions for the book, the tests and Binder (environment.yml installs this file).",
        "# Generated from pyproject.toml by `python3 tasks.py lock`; do not edit by hand.",
        "# tests/test_packaging.py checks that every requirement of pyproject.toml is met here.",
    ]
    LOCK.write_text("\n".join(header + sorted(pins, key=str.lower)) + "\n")
    print(f"wrote {LOCK.name}: {len(pins)} pins")


def book() -> None:
    ensure_venv()
    run(BIN / "jupyter-book", "build", ".", "-W", "-n", "--keep-going")
    print(f"\nThe book is in {ROOT / '_build' / 'html' / 'index.html'}")


def test(*pytest_args: str) -> None:
    ensure_venv()
    run(BIN / "ruff", "check", "companion", "tests", "benchmarks", "book/_ext", "tasks.py")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    # One BLAS thread: threaded OpenBLAS is far slower on a small shared machine, and the
    # book build runs its kernels the same way.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    run(PY, "-m", "pytest", *pytest_args, env=env)


def forget_executions() -> None:
    """Drop the book's execution cache: pages read the files just written (the performance
    page reads benchmarks/results/, chapters read benchmarks/studies/), and the cache only
    notices changes to a page's own source."""
    import shutil

    cache = ROOT / "_build" / ".jupyter_cache"
    if cache.exists():
        shutil.rmtree(cache)
        print("cleared _build/.jupyter_cache: the next `book` executes every page again", flush=True)


def bench() -> None:
    ensure_venv()
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        run(PY, script)
    run(PY, ROOT / "benchmarks" / "machine.py")  # what the performance page says it ran on
    forget_executions()


def studies() -> None:
    """Run the studies too big for a chapter (benchmarks/study_*.py); each writes the JSON in
    benchmarks/studies/ that its chapter plots and glues from."""
    ensure_venv()
    for script in sorted((ROOT / "benchmarks").glob("study_*.py")):
        run(PY, script)
    forget_executions()


def notebooks() -> None:
    ensure_venv()
    run(PY, ROOT / "tests" / "notebooks.py", "--write")


def outputs() -> None:
    ensure_venv()
    run(PY, ROOT / "tests" / "chapter_outputs.py")


COMMANDS = {"book": book, "test": test, "bench": bench, "notebooks": notebooks, "outputs": outputs,
            "lock": lock, "studies": studies}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
