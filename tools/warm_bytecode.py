"""Compile, once, the bytecode of what the book build imports (run by ``tasks.py`` in ``.venv``).

pip installs the lock with ``--no-compile``: compiling all of its 10,000 modules took 25 s
on two cores, and the build imports fewer than half of them. Importing what the build
imports, with bytecode writing on, compiles exactly those: the chapters' own imports (read
from their code cells), the Sphinx extensions of ``_config.yml``, the kernel, and the few
modules that the chapters load lazily. Two processes share the list. Anything left out
is compiled when first imported, as Python always does; nothing here can change a result.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imported behind the chapters' backs: by torch.optim's first optimizer, by MyST-NB's
# kernel and by the test suite.
LAZY = ["torch._dynamo", "ipykernel.kernelapp", "ipykernel.ipkernel", "nbclient", "jupyter_cache",
        "pytest", "hypothesis", "playwright.sync_api"]


def chapter_imports() -> set[str]:
    """Every module named by an ``import`` in a code cell of the book's pages."""
    import jupytext

    names = set()
    for page in sorted((ROOT / "book").glob("*.md")):
        if not page.read_text(encoding="utf-8").startswith("---\njupytext:"):
            continue
        for cell in jupytext.read(page).cells:
            if cell.cell_type != "code":
                continue
            code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
            try:
                tree = ast.parse(code)
            except SyntaxError:
                continue
            for node in ast.walk(tree):
                if isinstance(node, ast.Import):
                    names.update(alias.name for alias in node.names)
                elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                    names.add(node.module)
    return names


def sphinx_extensions() -> set[str]:
    """The extensions Jupyter Book loads for ``_config.yml`` (its defaults and ours)."""
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(user_yaml=ROOT / "_config.yml", sourcedir=ROOT,
                                 cli_config={"latex_individualpages": False})
    return set(config.get("extensions", [])) | {"jupyter_book.cli.main", "sphinx.application"}


def _start(names: list[str]) -> subprocess.Popen:
    """A process that imports ``names`` with bytecode writing on, quietly."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["MPLBACKEND"] = "Agg"
    return subprocess.Popen([sys.executable, __file__, "--import", *names], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    if sys.argv[1:2] == ["--import"]:  # a worker
        for name in sys.argv[2:]:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 -- a warm-up: what fails to import is not compiled
                pass
        return
    wanted = chapter_imports() | set(LAZY)
    # torch (and sympy behind it) is half the work: one process for it, one for the rest
    torch = sorted(n for n in wanted if n.split(".")[0] == "torch")
    workers = [_start(torch)]
    local = {p.stem for p in (ROOT / "book" / "_ext").glob("*.py")}
    rest = sorted((wanted | sphinx_extensions()) - set(torch) - local)
    workers.append(_start(rest))
    for worker in workers:
        worker.wait()
    print(f"compiled the bytecode of {len(torch) + len(rest)} modules and of what they import")


if __name__ == "__main__":
    main()
