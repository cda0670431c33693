"""How the build executes the chapters (book/_ext/execution.py): those its cache lacks several at
a time, and every executed notebook written with its outputs.

Small Sphinx projects, built in a subprocess the way the book is (MyST-NB in ``cache`` mode,
warnings are errors), show that two notebooks really run at the same time, that what they
cache is what MyST-NB reads back, and that a failing notebook still fails the build with its
own error. No assertion here is on a time.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest

from tests.conftest import ROOT
from tools.pages import chapters

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from execution import available_cores  # noqa: E402

pytestmark = pytest.mark.book

HEADER = """\
---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""

# Each notebook leaves a mark, then waits for the other's: run one after the other, the
# first would give up waiting (and say so) before the second even started.
MEET = HEADER + """
# {me}

```{{code-cell}} ipython3
import time
from pathlib import Path

Path("{me}.here").touch()
deadline = time.monotonic() + 60
while not Path("{other}.here").exists() and time.monotonic() < deadline:
    time.sleep(0.05)
print("{me} met {other}" if Path("{other}.here").exists() else "{me} ran alone")
```
"""


def build(tmp_path: Path, pages: dict[str, str], jobs: int | None) -> subprocess.CompletedProcess:
    src = tmp_path / "src"
    src.mkdir()
    for name, text in pages.items():
        (src / f"{name}.md").write_text(text, encoding="utf-8")
    toctree = "\n".join(pages)
    (src / "index.md").write_text(f"# Test\n\n```{{toctree}}\n{toctree}\n```\n", encoding="utf-8")
    (src / "conf.py").write_text(textwrap.dedent(f"""\
        import sys
        sys.path.insert(0, {str(ROOT / "book" / "_ext")!r})
        extensions = ["myst_nb", "execution"]
        nb_execution_mode = "cache"
        nb_execution_raise_on_error = True
        nb_execution_show_tb = True  # as the book: the traceback in the log
        nb_execution_timeout = 120
        nb_output_stderr = "warn"
        execution_jobs = {jobs!r}
        """), encoding="utf-8")
    out = tmp_path / "build"
    return subprocess.run([sys.executable, "-m", "sphinx", "-b", "html", "-W", str(src), str(out / "html")],
                          capture_output=True, text=True, timeout=600, env={**os.environ, "PYTHONWARNINGS": ""})


def cached_outputs(tmp_path: Path) -> dict[str, str]:
    """Each page's printed text, as the cache (which the read uses) holds it."""
    from jupyter_cache import get_cache

    cache = get_cache(tmp_path / "build" / ".jupyter_cache")
    texts = {}
    for record in cache.list_cache_records():
        nb = cache.get_cache_bundle(record.pk).nb
        texts[Path(record.uri).stem] = "".join(o.get("text", "") for c in nb.cells for o in c.get("outputs", []))
    return texts


def test_two_notebooks_run_at_the_same_time_and_are_read_from_the_cache(tmp_path: Path) -> None:
    pages = {"a": MEET.format(me="a", other="b"), "b": MEET.format(me="b", other="a")}
    proc = build(tmp_path, pages, jobs=2)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "executing 2 notebooks, 2 at a time" in log
    assert cached_outputs(tmp_path) == {"a": "a met b\n", "b": "b met a\n"}
    # MyST-NB found both in the cache: it executed nothing itself
    assert log.count("Using cached notebook") == 2 and "Executing notebook using" not in log
    for me, other in ("ab", "ba"):
        html = (tmp_path / "build" / "html" / f"{me}.html").read_text(encoding="utf-8")
        assert f"{me} met {other}" in html
        # the executed notebook keeps the outputs the page shows (MyST-NB alone drops them)
        nb = nbformat.read(tmp_path / "build" / "jupyter_execute" / f"{me}.ipynb", as_version=4)
        assert [o["text"] for c in nb.cells for o in c.get("outputs", [])] == [f"{me} met {other}\n"]


def test_one_job_leaves_execution_to_myst_nb(tmp_path: Path) -> None:
    page = HEADER + "\n# One\n\n```{code-cell} ipython3\nprint(6 * 7)\n```\n"
    proc = build(tmp_path, {"one": page, "two": page.replace("One", "Two")}, jobs=1)
    log = proc.stdout + proc.stderr
    assert proc.returncode == 0, log[-3000:]
    assert "at a time" not in log
    assert log.count("Executing notebook using") == 1  # the same code: the second is a cache hit
    assert cached_outputs(tmp_path) == {"one": "42\n"}
    for page in ("one", "two"):  # executed, and read from the cache: both keep the output
        nb = nbformat.read(tmp_path / "build" / "jupyter_execute" / f"{page}.ipynb", as_version=4)
        assert [o["text"] for c in nb.cells for o in c.get("outputs", [])] == ["42\n"]


@pytest.mark.parametrize("code, reported", [
    ("raise ValueError('step size must be positive')", "step size must be positive"),  # a cell raises
    ("import os\nos._exit(1)", "Kernel died"),  # the kernel dies
])
def test_a_failure_fails_the_build_with_its_error_and_spares_the_others(
        tmp_path: Path, code: str, reported: str) -> None:
    good = HEADER + "\n# Good\n\n```{code-cell} ipython3\nprint('fine')\n```\n"
    bad = HEADER + f"\n# Bad\n\n```{{code-cell}} ipython3\n{code}\n```\n"
    proc = build(tmp_path, {"good": good, "bad": bad}, jobs=2)
    log = proc.stdout + proc.stderr
    assert proc.returncode != 0
    assert "bad.md: failed; MyST-NB runs it again" in log
    assert reported in log  # MyST-NB's own report, with the traceback
    assert "good.md: executed in" in log and cached_outputs(tmp_path) == {"good": "fine\n"}


def test_the_book_build_ran_its_chapters_in_parallel(built_book: Path) -> None:
    log = (built_book.parent / "build.log").read_text()
    notebooks = len(chapters())  # every notebook page: the chapters, performance, status
    jobs = min(available_cores(), notebooks)
    if jobs >= 2:
        assert f"executing {notebooks} notebooks, {jobs} at a time" in log
    assert log.count("and cached") == notebooks and "failed; MyST-NB runs it again" not in log
