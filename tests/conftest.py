"""Shared fixtures: the repository root, the chapters of the table of contents, and one
strict, full, fresh build of the book per test session (used by the book and browser tests)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import settings

from tools.pages import chapters, toc_files  # noqa: F401 (the tests import them from here)

# A shared 2-core machine makes per-example deadlines flaky; derandomised runs make a CI failure
# reproducible by rerunning the same command.
settings.register_profile("book", deadline=None, derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "book"))

ROOT = Path(__file__).resolve().parents[1]


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under ``CI=true`` a skipped test is a failed one: CI has every dependency (torch,
    Chromium, network namespaces), so a skip there means something is missing, not optional."""
    outcome = yield
    report = outcome.get_result()
    if os.environ.get("CI") == "true" and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CI=true, which must run every test: {reason}"


def offline_prefix() -> list[str]:
    """A command prefix that runs a program with no network but loopback (kernels talk over
    127.0.0.1): a new network namespace via ``unshare -n``, with ``lo`` brought up.
    Empty when this machine cannot do it (then the offline test is skipped, saying why)."""
    unshare, ip = shutil.which("unshare"), shutil.which("ip") or "/usr/sbin/ip"
    if not unshare or not Path(ip).exists():
        return []
    probe = subprocess.run([unshare, "-n", "sh", "-c", f"{ip} link set lo up"], capture_output=True)
    if probe.returncode:
        return []
    return [unshare, "-n", "sh", "-c", f'{ip} link set lo up && exec "$@"', "offline-build"]


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the whole book once, as CI would: fresh cache, all pages, warnings are errors.

    Returns the ``_build`` folder (``html/``, ``jupyter_execute/``, ``.jupyter_cache/``).
    Set ``GS_BUILT_BOOK=path/to/_build`` to test an existing build instead (e.g. after
    ``python3 tasks.py book``, to rerun the browser test quickly).
    """
    if os.environ.get("GS_BUILT_BOOK"):
        return Path(os.environ["GS_BUILT_BOOK"]).resolve()
    return build_book(tmp_path_factory.mktemp("book"))


def build_book(out: Path) -> Path:
    """Build the whole book into ``out`` (see :func:`built_book`); return its ``_build``."""
    jb = shutil.which("jupyter-book") or str(Path(sys.executable).with_name("jupyter-book"))
    cmd = [jb, "build", str(ROOT), "--path-output", str(out), "--all", "-W", "-n", "--keep-going"]
    offline = offline_prefix()
    t0 = time.perf_counter()
    proc = subprocess.run(
        offline + cmd, capture_output=True, text=True, timeout=3000, env={**os.environ, "PYTHONWARNINGS": ""},
    )
    (out / "offline").write_text("yes" if offline else "no")
    seconds = time.perf_counter() - t0
    log = proc.stdout + proc.stderr
    (out / "build.log").write_text(log)
    print(f"\nbook built in {seconds:.0f} s (log: {out / 'build.log'})")
    if proc.returncode:
        problems = [ln for ln in log.splitlines() if "WARNING" in ln or "ERROR" in ln or "Error" in ln]
        pytest.fail("the book build failed:\n" + "\n".join(problems[-40:] or log.splitlines()[-60:]))
    return out / "_build"
