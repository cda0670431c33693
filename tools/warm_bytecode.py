"""Compile, once, the bytecode of what the book build imports (run by ``tasks.py`` in ``.venv``).

pip installs the lock with ``--no-compile``: compiling all of its 10,000 modules took 25 s
on two cores, and the build imports fewer than half of them. Importing what the build
imports, with bytecode writing on, compiles exactly those: two Jupyter kernels import the
chapters' own imports (read from their code cells; a kernel, as the build's, so that what
the kernel itself loads is compiled too: about 150 modules, most of them debugpy) and
one process the Sphinx extensions of ``_config.yml`` and the test tools. Anything left out
is compiled when first imported, as Python always does; nothing here can change a result.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Imported behind the chapters' backs: by torch.optim's first optimizer and glue; by the build and
# the test suite, outside the kernels.
LAZY_IN_KERNEL = ["torch._dynamo", "myst_nb.ext.glue"]  # the second: by companion.book.glue
TOOLS = ["nbclient", "jupyter_cache", "pytest", "hypothesis", "playwright.sync_api"]


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


def _warm_kernel(names: list[str]) -> None:
    """Import ``names`` in a Jupyter kernel, then show a figure, as a chapter would."""
    import nbformat
    from nbclient import NotebookClient

    code = (f"import importlib\nfor name in {names!r}:\n    try:\n        importlib.import_module(name)\n"
            "    except Exception:\n        pass\n"
            "import matplotlib.pyplot as plt\nplt.plot([0, 1])\nplt.show()\n")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=600, kernel_name="python3", shutdown_kernel="immediate",
                   resources={"metadata": {"path": str(ROOT / "book")}}).execute()


def main() -> None:
    if sys.argv[1:2] == ["--import"]:  # a worker
        for name in sys.argv[2:]:
            try:
                __import__(name)
            except Exception:  # noqa: BLE001 -- a warm-up: what fails to import is not compiled
                pass
        return
    from concurrent.futures import ThreadPoolExecutor

    sys.dont_write_bytecode = False  # this process's own imports (nbclient, ...) too
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # and the kernels'
    os.environ["COMPANION_WIDGETS"] = "static"  # as in the build (book/_ext/companion_build.py)
    in_kernels = chapter_imports() | set(LAZY_IN_KERNEL)
    local = {p.stem for p in (ROOT / "book" / "_ext").glob("*.py")}
    outside = sorted((sphinx_extensions() | set(TOOLS)) - local)
    # torch (and sympy behind it) is half the work: one kernel for it, one for the rest
    torch = sorted(n for n in in_kernels if n.split(".")[0] == "torch")
    rest = sorted(in_kernels - set(torch))
    worker = _start(outside)
    with ThreadPoolExecutor(2) as pool:  # the kernels do the work; the threads wait on them
        list(pool.map(_warm_kernel, [torch, rest]))
    worker.wait()
    print(f"compiled the bytecode of {len(in_kernels) + len(outside)} modules and of what they import")


if __name__ == "__main__":
    main()
