"""Releases a reader can pin: the version, the chapters' ``companion.require`` pins, the Colab
twins' install ref and CHANGELOG.md agree; ``python3 tasks.py release X.Y.Z`` bumps them all,
commits and tags, or refuses and changes nothing. The release runs in a scratch repository made
from a copy of this work tree, never in this repository's git state."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import companion
import tasks
from companion._version import REPOSITORY
from tests.conftest import ROOT, chapters

HEADING = re.compile(r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d\d-\d\d)$", re.M)


def twin_pins(text: str) -> tuple[str, set[str]]:
    """A Colab twin's install ref (first cell, tagged ``colab``) and its ``require`` pins."""
    cells = json.loads(text)["cells"]
    assert "colab" in cells[0]["metadata"].get("tags", []), "the twin's first cell is the Colab install"
    refs = {m.group(0).rsplit("@", 1)[1] for m in tasks.COLAB_REF.finditer("".join(cells[0]["source"]))}
    assert len(refs) == 1, refs
    code = "\n".join("".join(c["source"]) for c in cells[1:] if c["cell_type"] == "code")
    pins = {m.group(1) for m in tasks.REQUIRE.finditer(code)}
    return refs.pop(), pins


def agreement_problems(root: Path, pages: list[str]) -> list[str]:
    """Everything that carries the version, checked against companion/_version.py in ``root``."""
    version = re.search(r'^__version__ = "([^"]+)"$', (root / "companion/_version.py").read_text(), re.M).group(1)
    changelog = (root / "CHANGELOG.md").read_text()
    released = [v for v, _ in HEADING.findall(changelog)]
    expected_ref = f"v{version}" if version in released else "main"
    problems = []
    if changelog.count("\n## [Unreleased]\n") != 1:
        problems.append("CHANGELOG.md needs exactly one `## [Unreleased]` section")
    elif released and changelog.index("## [Unreleased]") > changelog.index(f"## [{released[0]}]"):
        problems.append("`## [Unreleased]` comes first in CHANGELOG.md")
    if len(re.findall(r"^## \[\d", changelog, re.M)) != len(released):
        problems.append("a release heading is not `## [X.Y.Z] - YYYY-MM-DD`")
    if released != sorted(released, key=tasks.version_key, reverse=True):
        problems.append(f"CHANGELOG.md's releases are not newest first: {released}")
    if any(tasks.version_key(v) > tasks.version_key(version) for v in released):
        problems.append(f"CHANGELOG.md has a release newer than __version__ {version}")
    for page in pages:
        pins = {m.group(1) for m in tasks.REQUIRE.finditer((root / f"{page}.md").read_text())}
        if pins != {version}:
            problems.append(f"{page}.md pins {pins}, __version__ is {version}")
        ref, twin = twin_pins((root / f"{page}.ipynb").read_text())
        if twin != {version}:
            problems.append(f"{page}.ipynb pins {twin}, __version__ is {version}")
        if ref != expected_ref:
            problems.append(f"{page}.ipynb installs @{ref}; it should be @{expected_ref}"
                            f" ({version} is {'released' if version in released else 'not released yet'})")
    return problems


def test_version_pins_twins_and_changelog_agree() -> None:
    assert tasks.package_version() == companion.__version__
    pinned = sorted(p.relative_to(ROOT).with_suffix("").as_posix() for p in (ROOT / "book").glob("*.md")
                    if tasks.REQUIRE.search(p.read_text()))
    assert pinned == sorted(chapters()), "every notebook page pins the companion, and only those"
    assert agreement_problems(ROOT, chapters()) == []


def test_colab_installs_a_ref_that_exists() -> None:
    """The twins install the release tag only once the changelog says it is released (the
    release makes the heading and the tag together), else main."""
    from tools.notebooks import COLAB_CELL, install_ref

    released = [v for v, _ in HEADING.findall((ROOT / "CHANGELOG.md").read_text())]
    assert install_ref() == (f"v{companion.__version__}" if companion.__version__ in released else "main")
    assert f"git+{REPOSITORY}@{install_ref()}\"" in COLAB_CELL
    assert install_ref("0.0.0") == "main"


def test_changelog_release_moves_the_notes_and_links_the_tag() -> None:
    repo = REPOSITORY
    before = f"# Changelog\n\n## [Unreleased]\n\n### Added\n\n- a thing\n\n[Unreleased]: {repo}/commits/main\n"
    first = tasks.changelog_for_release(before, "0.2.0", None, "2026-01-02")
    assert first == (f"# Changelog\n\n## [Unreleased]\n\n## [0.2.0] - 2026-01-02\n\n### Added\n\n- a thing\n\n"
                     f"[Unreleased]: {repo}/compare/v0.2.0...HEAD\n[0.2.0]: {repo}/releases/tag/v0.2.0\n")
    second = tasks.changelog_for_release(first.replace("## [Unreleased]\n", "## [Unreleased]\n\n- more\n"),
                                         "0.3.0", "0.2.0", "2026-02-03")
    assert "## [Unreleased]\n\n## [0.3.0] - 2026-02-03\n\n- more\n\n## [0.2.0] - 2026-01-02\n" in second
    assert second.endswith(f"[Unreleased]: {repo}/compare/v0.3.0...HEAD\n[0.3.0]: {repo}/compare/v0.2.0...v0.3.0\n"
                           f"[0.2.0]: {repo}/releases/tag/v0.2.0\n")


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """This work tree as git sees it (tracked and new, unignored files; in CI that is the
    commit under test), committed as the only commit of a new repository: no tags, no remote."""
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\0")
    repo = tmp_path / "repo"
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():  # a file deleted but still in the index is not in the work tree
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, repo / name, follow_symlinks=False)
    git(repo, "init", "-q", "-b", "main")
    for key, value in [("user.name", "Release Test"), ("user.email", "release@example.invalid"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false")]:
        git(repo, "config", key, value)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "the work tree under test")
    return repo


def release(repo: Path, *args: str) -> subprocess.CompletedProcess:
    """``python3 tasks.py release`` with nothing but the standard library (``-S``: no site-packages,
    so no .venv), as a maintainer runs it."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    return subprocess.run([sys.executable, "-S", "tasks.py", "release", *args], cwd=repo, env=env,
                          capture_output=True, text=True)


def next_minor(version: str) -> str:
    major, minor, _ = tasks.version_key(version)
    return f"{major}.{minor + 1}.0"


def test_release_bumps_commits_and_tags(scratch: Path) -> None:
    new = next_minor(companion.__version__)
    notes = tasks.CHANGELOG.read_text()
    start, end = tasks.unreleased_notes(notes)
    notes = notes[start:end].strip()
    before = git(scratch, "rev-parse", "HEAD")

    done = release(scratch, new)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"tag v{new}" in done.stdout

    # One commit on top, tagged with an annotated tag, nothing left uncommitted.
    assert git(scratch, "status", "--porcelain") == ""
    assert git(scratch, "rev-parse", "HEAD~1") == before
    assert git(scratch, "rev-parse", f"v{new}^{{commit}}") == git(scratch, "rev-parse", "HEAD")
    assert git(scratch, "cat-file", "-t", f"v{new}") == "tag"
    assert git(scratch, "log", "-1", "--format=%s") == f"Release {new}"
    changed = set(git(scratch, "diff", "--name-only", "HEAD~1", "HEAD").splitlines())
    pages = chapters()
    assert changed >= {"CHANGELOG.md", "companion/_version.py", *(f"{p}.md" for p in pages),
                       *(f"{p}.ipynb" for p in pages)}
    assert all(f in ("CHANGELOG.md", "companion/_version.py") or re.fullmatch(r"book/[^/]+\.(md|ipynb)", f)
               for f in changed), changed

    # The files agree on the new version, and the twins install the new tag.
    assert f'__version__ = "{new}"' in (scratch / "companion/_version.py").read_text()
    assert agreement_problems(scratch, pages) == []
    assert {twin_pins((scratch / f"{p}.ipynb").read_text())[0] for p in pages} == {f"v{new}"}

    # Keep a Changelog: the notes moved under the dated heading; Unreleased is empty above it.
    changelog = (scratch / "CHANGELOG.md").read_text()
    (heading, date), *_ = HEADING.findall(changelog)
    assert heading == new and re.fullmatch(r"\d{4}-\d\d-\d\d", date)
    assert f"## [Unreleased]\n\n## [{new}] - {date}\n\n{notes}\n" in changelog
    assert f"[{new}]: {REPOSITORY}/releases/tag/v{new}" in changelog

    # The twins are exactly what the generator writes from the released chapters.
    check = subprocess.run([sys.executable, str(scratch / "tools/notebooks.py"), "--check"], cwd=scratch,
                           capture_output=True, text=True)
    assert check.returncode == 0 and "all twins up to date" in check.stdout, check.stdout + check.stderr

    # The same version again, or the next one with nothing under Unreleased: refused.
    again = release(scratch, new)
    assert again.returncode != 0 and "released already" in again.stderr
    empty = release(scratch, next_minor(new))
    assert empty.returncode != 0 and "nothing under" in empty.stderr
    assert git(scratch, "status", "--porcelain") == ""


@pytest.mark.parametrize("make_it_wrong, args, says", [
    (None, ["0.0.1"], "older than the current version"),
    (None, ["1.0"], "X.Y.Z"),
    (None, [], "X.Y.Z"),
    ("tag", None, "exists already"),
    ("dirty", None, "not clean"),
    ("untracked", None, "not clean"),
])
def test_release_refuses_and_changes_nothing(scratch: Path, make_it_wrong, args, says) -> None:
    new = next_minor(companion.__version__)
    if make_it_wrong == "tag":
        git(scratch, "tag", f"v{new}")
    elif make_it_wrong == "dirty":
        with open(scratch / "README.md", "a") as f:
            f.write("\nan uncommitted line\n")
    elif make_it_wrong == "untracked":
        (scratch / "book" / "notes.md").write_text("not yet added\n")
    status, head = git(scratch, "status", "--porcelain"), git(scratch, "rev-parse", "HEAD")

    refused = release(scratch, *(args if args is not None else [new]))
    assert refused.returncode != 0
    assert "release refused" in refused.stderr and says in refused.stderr, refused.stderr
    assert git(scratch, "status", "--porcelain") == status and git(scratch, "rev-parse", "HEAD") == head
    assert git(scratch, "tag", "--list") == ("" if make_it_wrong != "tag" else f"v{new}")
