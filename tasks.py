#!/usr/bin/env python3
"""The project's entry point, runnable on a fresh machine with only Python >= 3.11.

    python3 tasks.py book    # build the HTML book into _build/html
    python3 tasks.py test    # lint, unit tests, every chapter executed, strict book build, browser test
    python3 tasks.py bench   # run benchmarks/ and write benchmarks/results/*.json
    python3 tasks.py studies # run the chapters' big studies (benchmarks/study_*.py -> studies/*.json)
    python3 tasks.py notebooks  # regenerate the output-free .ipynb twins of the chapters (for Colab)
    python3 tasks.py lock       # re-resolve pyproject.toml into requirements-lock.txt
    python3 tasks.py outputs    # record the chapters' text outputs of the last `book` build (tests compare)
    python3 tasks.py release X.Y.Z  # bump the version everywhere, date the changelog, commit, tag vX.Y.Z
    python3 tasks.py pdf        # the whole book as one PDF, _build/pdf/gradients-and-signals.pdf
    python3 tasks.py lowest     # the companion's unit tests on the lowest versions pyproject.toml allows

Each command creates ``.venv`` on first use and installs the exact versions of
``requirements-lock.txt`` and the companion (again only when pyproject.toml or the lock
changes). The Makefile has the same targets. ``release`` needs no ``.venv``: only this Python and git.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import re
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
    # Not compiled by pip (on one core, 40 of its 70 s here), nor by compileall (25 s on two
    # cores): the build imports fewer than half of these modules. warm_bytecode compiles
    # those, on both cores, even under PYTHONDONTWRITEBYTECODE.
    run(PY, "-m", "pip", "install", "--quiet", "--no-compile", "-r", LOCK)
    run(PY, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
    run(PY, ROOT / "tools" / "warm_bytecode.py")
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
    run(BIN / "ruff", "check", "companion", "tests", "tools", "benchmarks", "book/_ext", "tasks.py")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    # One BLAS thread: threaded OpenBLAS is far slower on a small shared machine, and the
    # book build runs its kernels the same way.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    run(PY, "-m", "pytest", *pytest_args, env=env)


# Tests of the book, its build and its packaging: they need the [book] extra and the lock.
NOT_UNIT = {"test_book.py", "test_browser.py", "test_api.py", "test_packaging.py", "test_workflow.py",
            "test_release.py", "test_glue.py", "test_prose_numbers.py", "test_plain_markdown.py",
            "test_report.py", "test_execution.py",
            # the studies' records name the locked numpy and gymnasium they ran on
            "test_studies.py"}
LOWEST = ROOT / ".venv-lowest"


def lowest_pins() -> list[str]:
    """``name==X`` for every ``name>=X`` of the companion's dependencies and of the test tools
    the unit tests need (pytest, hypothesis): the oldest stack a reader may install it on."""
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + [r for r in project["optional-dependencies"]["test"]
                                        if r.split(">=")[0].strip().lower() in ("pytest", "hypothesis")]
    pins = []
    for req in wanted:
        name, sep, bound = req.partition(">=")
        if not sep or "," in bound:
            sys.exit(f"lowest: {req!r} is not of the form name>=X")
        pins.append(f"{name.strip()}=={bound.strip()}")
    return pins


def lowest(*pytest_args: str) -> None:
    """Run the companion's unit tests in .venv-lowest, on exactly the lower bounds of
    pyproject.toml. Third-party DeprecationWarnings are not errors here (old releases warn
    about newer Pythons); the companion's own warnings still are, as in ``test``."""
    if not (LOWEST / BIN.name / "python").exists():
        venv.create(LOWEST, with_pip=True)
    py = LOWEST / BIN.name / "python"
    pins = lowest_pins()
    stamp = LOWEST / ".installed"
    if not stamp.exists() or stamp.read_text() != "\n".join(pins):
        run(py, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        # PyYAML: the test suite's own helpers (tools/pages.py) read _toc.yml; not a companion need
        run(py, "-m", "pip", "install", "--quiet", *pins, "pyyaml")
        run(py, "-m", "pip", "install", "--quiet", "--no-deps", "-e", ".")
        stamp.write_text("\n".join(pins))
    units = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_*.py") if p.name not in NOT_UNIT)
    # Tests needing torch skip here, by design (CI=true would fail a skip); and a --basetemp meant
    # for the main run (.ci/run's, whose book build the PDF step prints) must not be wiped.
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "PYTEST_ADDOPTS")}
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    run(py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs", "-W", "ignore::DeprecationWarning",
        "-W", "error::DeprecationWarning:companion", *units, *pytest_args, env=env)


def pdf(build: str = "") -> None:
    """Print the built book to ``_build/pdf/gradients-and-signals.pdf`` (tools/pdf.py, Debian's
    chromium and poppler-utils). Builds the book first, unless given a build folder (``.ci/run``
    passes the one the tests just built and checked)."""
    ensure_venv()
    if not build:
        book()
        build = str(ROOT / "_build")
    run(PY, ROOT / "tools" / "pdf.py", "--build", build)


def forget_executions() -> None:
    """Drop the book's execution cache and Sphinx's record of what it read: pages read the
    files just written (the performance page reads benchmarks/results/, chapters read
    benchmarks/studies/), and both only notice changes to a page's own source (without the
    second, Sphinx would not even read the unchanged pages again)."""
    import shutil

    dropped = [d for d in (ROOT / "_build" / ".jupyter_cache", ROOT / "_build" / ".doctrees") if d.exists()]
    for d in dropped:
        shutil.rmtree(d)
    if dropped:
        print(f"cleared {', '.join('_build/' + d.name for d in dropped)}: the next `book` reads and "
              "executes every page again", flush=True)


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
    run(PY, ROOT / "tools" / "notebooks.py", "--write")


def outputs() -> None:
    ensure_venv()
    run(PY, ROOT / "tools" / "chapter_outputs.py")


# --- release ------------------------------------------------------------------------------
# `python3 tasks.py release X.Y.Z` needs only Python >= 3.11 and git (no .venv): it rewrites the
# few strings that carry the version (tests/test_release.py checks they agree, and that a release
# in a scratch repository leaves the twins exactly as tools/notebooks.py writes them).

VERSION_FILE = ROOT / "companion" / "_version.py"
CHANGELOG = ROOT / "CHANGELOG.md"
UNRELEASED = "## [Unreleased]"
REQUIRE = re.compile(r'companion\.require\("([^"]*)"\)')
COLAB_REF = re.compile(r"""(git\+[^"'\s@]+)@[^"'\s]+""")  # the Colab cell's `git+URL@ref`


def git(*args: str, check: bool = True) -> str:
    result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
    if check and result.returncode:
        sys.exit(f"git {' '.join(args)} failed:\n{result.stderr.strip()}")
    return result.stdout.strip() if result.returncode == 0 else ""


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.split("."))


def package_version() -> str:
    """``companion.__version__``, read from companion/_version.py without importing it."""
    match = re.search(r'^__version__ = "([^"]+)"$', VERSION_FILE.read_text(encoding="utf-8"), re.M)
    if not match:
        sys.exit(f"no `__version__ = \"X.Y.Z\"` line in {VERSION_FILE.relative_to(ROOT)}")
    return match.group(1)


def released_versions(changelog: str) -> list[str]:
    """The versions with a ``## [X.Y.Z]`` heading in CHANGELOG.md (released ones)."""
    return re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, re.M)


def unreleased_notes(changelog: str) -> tuple[int, int]:
    """Where the notes under ``## [Unreleased]`` start and end in the changelog's text (they end
    at the next ``## `` heading or at the link definitions at the bottom)."""
    head = re.search(rf"^{re.escape(UNRELEASED)}[ \t]*\n", changelog, re.M)
    if not head:
        return -1, -1
    rest = re.search(r"^(## |\[[^\]]+\]: )", changelog[head.end():], re.M)
    return head.end(), head.end() + (rest.start() if rest else len(changelog) - head.end())


def changelog_for_release(changelog: str, version: str, previous: str | None, date: str) -> str:
    """Keep a Changelog: the Unreleased notes move under ``## [version] - date``, an empty
    Unreleased section stays on top, and the link definitions at the bottom gain the new tag."""
    start, end = unreleased_notes(changelog)
    notes = changelog[start:end].strip()
    text = f"{changelog[:start]}\n## [{version}] - {date}\n\n{notes}\n\n{changelog[end:].lstrip()}"
    repo = re.search(r'^REPOSITORY = "([^"]+)"$', VERSION_FILE.read_text(encoding="utf-8"), re.M).group(1)
    tag = f"v{version}"
    links = (f"[Unreleased]: {repo}/compare/{tag}...HEAD\n"
             f"[{version}]: {repo}/" + (f"compare/v{previous}...{tag}" if previous else f"releases/tag/{tag}") + "\n")
    text, found = re.subn(r"^\[Unreleased\]: .*\n?", lambda _: links, text, count=1, flags=re.M)
    return text if found else text.rstrip("\n") + "\n\n" + links


def retwin(text: str, old_pin: str, new_pin: str, ref: str) -> str:
    """A Colab twin (book/*.ipynb, written by tools/notebooks.py) with the install cell's ref and
    the chapter's `require` pin changed, byte for byte as nbformat writes it."""
    nb = json.loads(text)
    for cell in nb["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if "colab" in cell.get("metadata", {}).get("tags", []):
            source = COLAB_REF.sub(lambda m: f"{m.group(1)}@{ref}", source)
        elif cell["cell_type"] == "code":
            source = source.replace(old_pin, new_pin)
        cell["source"] = source.splitlines(keepends=True)
    return json.dumps(nb, sort_keys=True, indent=1, separators=(",", ": "), ensure_ascii=False) + "\n"


def release(version: str = "", *extra: str) -> None:
    """Release ``version``: companion.__version__, every chapter's ``companion.require`` pin and
    every Colab twin (install ref ``vX.Y.Z``, pin) follow it; CHANGELOG.md's Unreleased notes
    move under ``## [X.Y.Z] - today``; one commit of those files and the annotated tag vX.Y.Z.

    Refuses, changing nothing: a version that is not X.Y.Z, not newer than the last release or
    older than companion.__version__ (the current version itself only while it is unreleased);
    an existing tag; a dirty work tree; no notes under Unreleased; pins out of step."""

    def refuse(why: str) -> None:
        sys.exit(f"release refused: {why}")

    if sys.version_info < (3, 11):
        refuse(f"Python >= 3.11 is needed; this is {sys.version.split()[0]}")
    if extra or not re.fullmatch(r"\d+\.\d+\.\d+", version):
        refuse("give one version as X.Y.Z, e.g. `python3 tasks.py release 0.2.0`")
    current, tag = package_version(), f"v{version}"
    changelog = CHANGELOG.read_text(encoding="utf-8") if CHANGELOG.exists() else ""
    released = released_versions(changelog)
    latest = max(released, key=version_key, default=None)
    if version in released:
        refuse(f"{version} is released already (CHANGELOG.md has its heading)")
    if latest and version_key(version) <= version_key(latest):
        refuse(f"{version} is not newer than the last release, {latest}")
    if version_key(version) < version_key(current):
        refuse(f"{version} is older than the current version, companion.__version__ = {current}")
    if not git("rev-parse", "--is-inside-work-tree", check=False):
        refuse(f"{ROOT} is not a git work tree")
    if git("rev-parse", "-q", "--verify", f"refs/tags/{tag}", check=False):
        refuse(f"the tag {tag} exists already")
    dirty = git("status", "--porcelain")
    if dirty:
        refuse(f"the work tree is not clean (commit or stash first):\n{dirty}")
    start, end = unreleased_notes(changelog)
    if start < 0:
        refuse(f"CHANGELOG.md has no `{UNRELEASED}` section")
    if not changelog[start:end].strip():
        refuse(f"nothing under `{UNRELEASED}` in CHANGELOG.md: write what changed first")
    if not git("var", "GIT_COMMITTER_IDENT", check=False):
        refuse("git does not know who commits: set user.name and user.email")

    old_pin, new_pin = f'companion.require("{current}")', f'companion.require("{version}")'
    chapters = sorted(p for p in (ROOT / "book").glob("*.md") if REQUIRE.search(p.read_text(encoding="utf-8")))
    twins = sorted(p for p in (ROOT / "book").glob("*.ipynb") if '"colab"' in p.read_text(encoding="utf-8"))
    stale = [p.relative_to(ROOT).as_posix() for p in chapters + twins
             if {m.group(1) for m in REQUIRE.finditer(p.read_text(encoding="utf-8").replace('\\"', '"'))} != {current}]
    if not chapters or stale:
        refuse(f"these pages do not pin companion.require(\"{current}\"): {', '.join(stale) or 'no chapters found'}")

    date = datetime.date.today().isoformat()
    CHANGELOG.write_text(changelog_for_release(changelog, version, latest, date), encoding="utf-8")
    VERSION_FILE.write_text(VERSION_FILE.read_text(encoding="utf-8").replace(
        f'__version__ = "{current}"', f'__version__ = "{version}"', 1), encoding="utf-8")
    for path in chapters:
        path.write_text(path.read_text(encoding="utf-8").replace(old_pin, new_pin), encoding="utf-8")
    for path in twins:
        path.write_text(retwin(path.read_text(encoding="utf-8"), old_pin, new_pin, tag), encoding="utf-8")

    files = [p.relative_to(ROOT).as_posix() for p in [CHANGELOG, VERSION_FILE, *chapters, *twins]]
    notes = changelog[start:end].strip()
    git("add", "--", *files)
    git("commit", "-q", "-m", f"Release {version}", "-m", notes)
    git("tag", "-a", tag, "-m", f"Gradients & Signals {version}", "-m", notes)
    print(f"released {version} ({date}): commit {git('rev-parse', '--short', 'HEAD')}, tag {tag}, "
          f"{len(files)} files.\nPublish it: git push origin HEAD {tag}")


COMMANDS = {"book": book, "test": test, "bench": bench, "notebooks": notebooks, "outputs": outputs,
            "lock": lock, "studies": studies, "release": release, "pdf": pdf, "lowest": lowest}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        sys.exit(__doc__)
    COMMANDS[sys.argv[1]](*sys.argv[2:])
