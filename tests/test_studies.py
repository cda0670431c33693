"""The studies a chapter glues its numbers from (benchmarks/studies/*.json) were made by the
code in this checkout: a changed companion module, study script or library version makes the
recorded numbers stale, and `python3 tasks.py studies` must be rerun."""

from __future__ import annotations

import json
import sys

import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from study import STUDIES, is_current  # noqa: E402

SCRIPTS = sorted(p.stem.removeprefix("study_") for p in (ROOT / "benchmarks").glob("study_*.py"))


def test_every_study_script_has_its_results() -> None:
    assert SCRIPTS, "no benchmarks/study_*.py"
    assert sorted(p.stem for p in STUDIES.glob("*.json")) == SCRIPTS


@pytest.mark.parametrize("name", SCRIPTS)
def test_study_is_current(name: str) -> None:
    data = json.loads((STUDIES / f"{name}.json").read_text())
    ok, why = is_current(data["provenance"])
    assert ok, f"benchmarks/studies/{name}.json is stale ({why}): run `python3 tasks.py studies`"
    assert f"benchmarks/study_{name}.py" in data["provenance"]["files"]
    assert any(f.startswith("companion/") for f in data["provenance"]["files"])


def test_the_cnn_study_reproduces_the_run_the_chapter_only_reads() -> None:
    """The CNN chapter trains seed 0 plainly and checks it against the study; seed 0 with
    filter decay it only reads, so it is trained here (same tolerance as the chapter's)."""
    import numpy as np
    import study_cnn

    recorded = next(r for r in json.loads((STUDIES / "cnn.json").read_text())["runs"]
                    if r["seed"] == 0 and r["filter_decay"] == 2.0)
    live = study_cnn.run((2.0, 0))
    assert abs(live["test_accuracy"] - recorded["test_accuracy"]) < 1e-9
    np.testing.assert_allclose(live["filters_start"], recorded["filters_start"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(live["filters_end"], recorded["filters_end"], rtol=0, atol=1e-8)


def test_a_changed_module_makes_a_study_stale(tmp_path, monkeypatch) -> None:
    """The check can fail: one byte changed in a file the study ran is caught."""
    import study

    data = json.loads((STUDIES / f"{SCRIPTS[0]}.json").read_text())["provenance"]
    fake_root = tmp_path
    for rel in data["files"]:
        (fake_root / rel).parent.mkdir(parents=True, exist_ok=True)
        (fake_root / rel).write_bytes((ROOT / rel).read_bytes())
    monkeypatch.setattr(study, "ROOT", fake_root)
    assert study.is_current(data)[0]
    target = fake_root / data["files"][0]
    target.write_bytes(target.read_bytes() + b"\n")
    assert study.is_current(data) == (False, "the code it ran has changed")


def test_new_results_make_the_next_build_read_and_execute_every_page(tmp_path, monkeypatch) -> None:
    """After `tasks.py studies` or `bench`, a page whose own source did not change must still
    be run again: it reads the new JSON. The execution cache alone is not enough, since Sphinx
    does not even read a page it has a doctree for."""
    import tasks

    build = tmp_path / "_build"
    for name in (".jupyter_cache", ".doctrees", "html"):
        (build / name).mkdir(parents=True)
        (build / name / "kept.txt").write_text("x")
    monkeypatch.setattr(tasks, "ROOT", tmp_path)
    tasks.forget_executions()
    assert sorted(p.name for p in build.iterdir()) == ["html"]  # the last built site stays
