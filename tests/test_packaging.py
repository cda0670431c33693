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


def test_binder_environment_matches_pyproject():
    """environment.yml lists exactly the package's dependencies plus the [book] extra."""
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    wanted = PYPROJECT["project"]["dependencies"] + PYPROJECT["project"]["optional-dependencies"]["book"]
    assert sorted(map(_norm, pip)) == sorted(map(_norm, wanted))
    assert "jupytext" in {_norm(p).split(">")[0] for p in pip}, "Binder opens .md chapters only with jupytext"


def test_installed_metadata_matches_the_package_version():
    assert importlib.metadata.version("gradients-and-signals") == companion.__version__


def test_dependencies_have_lower_bounds_only():
    for req in PYPROJECT["project"]["dependencies"]:
        assert ">=" in req and "<" not in req.replace("<=", ""), req


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
