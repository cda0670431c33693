"""Packaging promises: one version, Binder's environment in step with pyproject, data shipped."""

from __future__ import annotations

import fnmatch
import importlib.metadata
import re
import tomllib

import yaml

import companion
from tests.conftest import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _norm(req: str) -> str:
    name, rest = re.match(r"^\s*([A-Za-z0-9_.\-]+)(.*)$", req).groups()
    return re.sub(r"[-_.]+", "-", name).lower() + rest.replace(" ", "")


def _lock() -> dict[str, str]:
    """requirements-lock.txt as {normalised name: exact version}."""
    pins = {}
    for line in (ROOT / "requirements-lock.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            name, sep, version = line.partition("==")
            assert sep and version.strip(), f"requirements-lock.txt: {line!r} is not an exact pin"
            pins[_norm(name)] = version.strip()
    return pins


def test_lock_meets_every_requirement_of_pyproject():
    """Every requirement of the package and of its [book] and [test] extras is pinned in the
    lock to a version the requirement accepts (so the lock was made from this pyproject)."""
    from packaging.requirements import Requirement

    pins = _lock()
    extras = PYPROJECT["project"]["optional-dependencies"]
    for req in PYPROJECT["project"]["dependencies"] + extras["book"] + extras["test"]:
        r = Requirement(req)
        name = _norm(r.name)
        assert name in pins, f"{r.name} is required by pyproject.toml but not pinned: python3 tasks.py lock"
        assert r.specifier.contains(pins[name], prereleases=True), \
            f"{r.name}=={pins[name]} in the lock does not meet {req!r}: python3 tasks.py lock"


def test_the_test_environment_is_the_lock():
    """What the tests run on is what the lock says (tasks.py installs the lock)."""
    pins = _lock()
    for name in ("numpy", "scipy", "torch", "gymnasium", "jupyter-book", "matplotlib"):
        installed = importlib.metadata.version(name).split("+")[0]
        assert installed == pins[name], f"{name} {installed} is installed, the lock says {pins[name]}"


def test_binder_installs_the_lock():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert pip == ["-r requirements-lock.txt"]
    assert "jupytext" in _lock(), "Binder opens .md chapters only with jupytext"


def test_torch_is_the_books_not_the_companions():
    """torch is pinned exactly in the book's extras and absent from the companion's own
    dependencies; importing the companion does not import it."""
    import subprocess
    import sys

    extras = PYPROJECT["project"]["optional-dependencies"]
    assert not any(_norm(r).startswith("torch") for r in PYPROJECT["project"]["dependencies"])
    for extra in ("book", "test"):
        assert [r for r in extras[extra] if _norm(r).startswith("torch")] == ["torch==2.13.0"], extra
    probe = ("import sys, companion, companion.nn, companion.rl, companion.dsp, companion.data, "
             "companion.widgets; print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_installed_metadata_matches_the_package_version():
    assert importlib.metadata.version("gradients-and-signals") == companion.__version__


def test_dependencies_have_lower_bounds_only():
    for req in PYPROJECT["project"]["dependencies"]:
        assert ">=" in req and "<" not in req.replace("<=", ""), req


def test_the_lowest_run_installs_exactly_the_lower_bounds():
    """`python3 tasks.py lowest` (run by .ci/run) tests the companion on the oldest stack
    pyproject.toml admits: one exact pin per dependency, at its bound, plus pytest and
    hypothesis at theirs; and it runs every unit test module, not the book's."""
    import tasks

    pins = tasks.lowest_pins()
    deps = PYPROJECT["project"]["dependencies"]
    assert pins[: len(deps)] == [r.replace(" ", "").split("#")[0].replace(">=", "==") for r in deps]
    assert {p.split("==")[0] for p in pins[len(deps):]} == {"pytest", "hypothesis"}
    assert "python3 tasks.py lowest" in (ROOT / ".ci" / "run").read_text()
    units = {p.name for p in (ROOT / "tests").glob("test_*.py")} - tasks.NOT_UNIT
    assert {"test_nn_layers.py", "test_hostile_dsp.py", "test_rl.py", "test_wav.py"} <= units


def test_every_data_file_is_declared_as_package_data():
    patterns = PYPROJECT["tool"]["setuptools"]["package-data"]["companion"]
    data = ROOT / "companion" / "data"
    for f in data.iterdir():
        if f.is_file() and f.suffix not in (".py", ".pyc"):
            rel = f.relative_to(ROOT / "companion").as_posix()
            assert any(fnmatch.fnmatch(rel, p) for p in patterns), f"{rel} would not be installed by pip"


def test_repository_url_is_the_one_in_config():
    """_config.yml holds the repository URL; every other place that quotes it must agree."""
    url = yaml.safe_load((ROOT / "_config.yml").read_text())["repository"]["url"].rstrip("/")
    slug = url.removeprefix("https://github.com/")
    places = ["README.md", "book/intro.md", "companion/_version.py", "pyproject.toml"]
    for place in places:
        text = (ROOT / place).read_text()
        quoted = set(re.findall(r"github\.com/([\w.-]+/[\w.-]+?)(?:\.git)?(?=[/\"'@)\s]|$)", text))
        quoted |= set(re.findall(r"mybinder\.org/v2/gh/([\w.-]+/[\w.-]+?)/", text))
        assert quoted, f"{place} does not quote the repository"
        assert quoted == {slug}, f"{place} quotes {quoted}, _config.yml says {slug}"


def test_the_bytecode_warm_up_names_what_the_build_imports(tmp_path, monkeypatch):
    """tools/warm_bytecode.py (run by tasks.py once per new .venv) compiles what the chapters,
    the Sphinx extensions and the kernel import; its workers write bytecode even when the
    environment says not to."""
    import sys

    monkeypatch.syspath_prepend(str(ROOT / "tools"))
    import warm_bytecode

    imports = warm_bytecode.chapter_imports()
    assert {"torch", "matplotlib.pyplot", "companion.nn", "scipy.signal", "pywt"} <= imports
    assert not {"the", "their"} & imports  # code cells only, not prose that says "import"
    assert {"myst_nb", "sphinx_book_theme", "sphinxcontrib.bibtex", "execution"} <= warm_bytecode.sphinx_extensions()

    (tmp_path / "warm_probe.py").write_text("X = 1\n")
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path))
    worker = warm_bytecode._start(["warm_probe"])
    assert worker.wait(timeout=120) == 0
    tag = sys.implementation.cache_tag
    assert (tmp_path / "__pycache__" / f"warm_probe.{tag}.pyc").is_file()
