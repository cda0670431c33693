#!/usr/bin/env python3
"""The project's entry point, runnable on a fresh machine with only Python >= 3.11.

    python3 tasks.py book    # build the HTML book into _build/html
    python3 tasks.py test    # lint, unit tests, every chapter executed, strict book build, browser test
    python3 tasks.py bench   # run benchmarks/ and write benchmarks/results/*.json
    python3 tasks.py notebooks  # regenerate the output-free .ipynb twins of the chapters (for Colab)

Each command creates ``.venv`` on first use and installs the companion with the extras it
needs (again only when pyproject.toml changes). The Makefile has the same targets.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"


def run(*cmd: str | os.PathLike, env: dict | None = None) -> None:
    print("+", " ".join(map(str, cmd)), flush=True)
    result = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=env)
    if result.returncode:
        sys.exit(result.returncode)


def ensure_venv(extras: str) -> None:
    """Create .venv and install ``.[extras]``, unless the same install is already there."""
    if sys.version_info < (3, 11):
        sys.exit(f"Python >= 3.11 is needed; this is {sys.version.split()[0]}")
    stamp = VENV / f".installed-{extras.replace(',', '-')}"
    digest = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if stamp.exists() and stamp.read_text() == digest and PY.exists():
        return
    if not PY.exists():
        print(f"creating {VENV.relative_to(ROOT)}/", flush=True)
        venv.create(VENV, with_pip=True)
    run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
    run(PY, "-m", "pip", "install", "--quiet", "-e", f".[{extras}]")
    stamp.write_text(digest)


def book() -> None:
    ensure_venv("book")
    run(BIN / "jupyter-book", "build", ".", "-W", "-n", "--keep-going")
    print(f"\nThe book is in {ROOT / '_build' / 'html' / 'index.html'}")


def test(*pytest_args: str) -> None:
    ensure_venv("book,test")
    run(BIN / "ruff", "check", "companion", "tests", "benchmarks", "book/_ext", "tasks.py")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    # One BLAS thread: threaded OpenBLAS is far slower on a small shared machine, and the
    # book build runs its kernels the same way.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    run(PY, "-m", "pytest", *pytest_args, env=env)


def bench() -> None:
    ensure_venv("book,test")
    for script in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        run(PY, script)
    run(PY, ROOT / "benchmarks" / "machine.py")  # what the performance page says it ran on


def notebooks() -> None:
    ensure_venv("book,test")
    run(PY, ROOT / "tests" / "notebooks.py", "--write")


COMMANDS = {"book": book, "test": test, "bench": bench, "notebooks": notebooks}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
