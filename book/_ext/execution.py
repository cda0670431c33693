"""Sphinx extension used by the book build (listed in ``_config.yml``): how the chapters are
executed and cached.

1. **Several chapters at a time.** MyST-NB's ``cache`` mode executes each notebook when
   Sphinx reads it, one after another, so a two-core machine builds the book on one core.
   Sphinx's own parallel read cannot help here: Jupyter Book's command line has no ``-j``,
   and Sphinx would split the pages into two fixed halves, most chapters in the first.
   Before the read (``env-before-read-docs``), this extension reads each page the way MyST-NB
   does, looks it up in the same jupyter-cache, and executes the missing ones one per core
   (``execution_jobs``), longest first, each in its own kernel, stopped as soon as its
   last cell is done (a graceful shutdown of a kernel that loaded PyTorch took 1.6 s here).
   Only the main thread writes to the cache, with the same calls and the same record
   (``execution_seconds``) as MyST-NB.
   The read then finds every chapter in the cache: outputs, glue, stderr checks (warnings,
   errors with ``-W``) and the status page's run times come from the cached notebooks as
   before. A notebook that fails here is not cached: MyST-NB executes it again during the
   read and reports the failure its own way, with the traceback.
2. **Executed notebooks with their outputs.** On a cache hit MyST-NB 1.4 writes
   ``jupyter_execute/<page>.ipynb`` from the notebook it read, without the outputs it merged
   from the cache. After each page is read (``doctree-read``), this extension writes the
   merged notebook there instead, so the file holds what the page shows (the tests read it).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor, as_completed
from pathlib import Path


def available_cores() -> int:
    """The CPUs this process may run on (its affinity), not the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def _missing_notebooks(env, docnames) -> list[tuple[Path, object, dict | None, float]]:
    """(path, notebook, read format, expected seconds) of every page to read that is a
    notebook MyST-NB would execute and that its cache does not hold."""
    from jupyter_cache import get_cache
    from myst_nb.core.read import create_nb_reader

    nb_config = env.mystnb_config
    cache = get_cache(nb_config.execution_cache_path)
    # The last run of the same file, when the cache has one, is the best guess of its length.
    previous = {}
    for record in cache.list_cache_records():
        previous[record.uri] = float(record.data.get("execution_seconds") or 0.0)
    missing = []
    for docname in docnames:
        path = Path(env.doc2path(docname))
        text = path.read_text(encoding="utf-8")
        reader = create_nb_reader(str(path), env.myst_config, nb_config, text)
        if reader is None:
            continue  # a plain Markdown page
        notebook = reader.read(text)
        excluded = any(path.match(p) for p in nb_config.execution_excludepatterns)
        # Per-notebook MyST-NB settings (or kernel aliases): left to MyST-NB, serially.
        special = nb_config.metadata_key in notebook.metadata or bool(nb_config.kernel_rgx_aliases)
        if excluded or special or not any(c.cell_type == "code" for c in notebook.cells):
            continue
        try:
            cache.match_cache_notebook(notebook)
            continue
        except KeyError:
            pass
        guess = previous.get(str(path.absolute()), float(len(text)) / 1e6)  # else: longer files first
        missing.append((path, notebook, reader.read_fmt, guess))
    return sorted(missing, key=lambda m: -m[3])


def _execute_missing(app, env, docnames) -> None:
    from jupyter_cache import get_cache
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.executors.utils import single_nb_execution
    from sphinx.util import logging

    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is None or nb_config.execution_mode != "cache" or nb_config.execution_in_temp:
        return
    missing = _missing_notebooks(env, docnames)
    jobs = min(app.config.execution_jobs or available_cores(), len(missing))
    if jobs < 2:
        return  # nothing to overlap: MyST-NB executes it during the read, as usual
    logger = logging.getLogger(__name__)
    logger.info(f"executing {len(missing)} notebooks, {jobs} at a time (book/_ext/execution.py)")
    cache = get_cache(nb_config.execution_cache_path)

    def execute(path: Path, notebook):
        # The kernel is stopped at once when the last cell is done: a graceful shutdown
        # of one that loaded PyTorch took 1.6 s more here, for nothing the page shows.
        return single_nb_execution(notebook, cwd=str(path.parent), timeout=nb_config.execution_timeout,
                                   allow_errors=nb_config.execution_allow_errors, meta_override=True,
                                   shutdown_kernel="immediate")

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        # The kernels do the work; these threads only wait on them.
        futures = {pool.submit(execute, path, nb): (path, nb, fmt) for path, nb, fmt, _ in missing}
        for future in as_completed(futures):
            path, notebook, read_fmt = futures[future]
            try:
                result = future.result()
                failed = result.err is not None  # a cell raised or timed out
            except Exception:  # noqa: BLE001 -- the kernel died, or would not start
                failed = True
            if failed:
                logger.info(f"{path.name}: failed; MyST-NB runs it again while reading and reports it")
                continue
            # as MyST-NB stages it: with the reader it used, when it names one
            read = {} if read_fmt is None else {"read_data": read_fmt}
            stage = cache.add_nb_to_project(str(path), **read)
            cache.cache_notebook_bundle(
                CacheBundleIn(notebook, stage.uri, data={"execution_seconds": result.time}),
                check_validity=False, overwrite=True,
            )
            logger.info(f"{path.name}: executed in {result.time:.2f} s and cached")


def _write_with_outputs(app, doctree) -> None:
    import nbformat
    from jupyter_cache import get_cache

    env = app.env
    nb_config = getattr(env, "mystnb_config", None)
    if nb_config is None or nb_config.execution_mode != "cache":
        return
    path = Path(nb_config.output_folder, *f"{env.docname}.ipynb".split("/"))
    if not path.is_file():
        return  # not a notebook page
    notebook = nbformat.read(path, as_version=4)
    try:  # (a page MyST-NB executed itself is in the cache too: the same outputs again)
        _, merged = get_cache(nb_config.execution_cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        return  # not in the cache (an excluded page, or a failure MyST-NB reported)
    path.write_text(nbformat.writes(merged), encoding="utf-8")


def setup(app):
    # How many chapters at once; None: one per available core.
    app.add_config_value("execution_jobs", None, "", types=[int, type(None)])
    app.connect("env-before-read-docs", _execute_missing)
    app.connect("doctree-read", _write_with_outputs)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
