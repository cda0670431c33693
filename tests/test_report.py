"""benchmarks/report.py: the performance page's tables and the one sentence that reads each.

The sentences are computed from the result files, so they are tested on small synthetic
results (a target met and a target missed give different verdicts; every number a sentence
quotes is one of the data's) and on every committed file of benchmarks/results/ (each renders,
one sentence per table, no table wider than six columns).
"""

from __future__ import annotations

import copy
import json
import re
import sys

import jupytext
import pytest

from tests.conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import report  # noqa: E402

PAGE = ROOT / "book" / "performance.md"
COMMITTED = {p.stem: json.loads(p.read_text()) for p in sorted(report.RESULTS.glob("*.json"))
             if p.stem != "machine"}
# 1.23, 26,624, 8.6e-16, 1,000,003: every number as a sentence writes it
NUMBER = re.compile(r"(?<![\w.])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:e-?\d+)?")


def numbers(text: str) -> set[str]:
    """Every number in ``text`` (names with digits such as float64 or v1 left out)."""
    return set(NUMBER.findall(re.sub(r"\b[A-Za-z_]+\w*\d\w*\b", " ", text)))


def one_sentence(text: str) -> bool:
    """One sentence: ends with a full stop and no full stop inside is followed by a new one."""
    return text.endswith(".") and not re.search(r"[.!?]\s+[A-Z`]", text[:-1])


# ----------------------------------------------------------------------------- synthetic results

def mlp(no_dx: tuple[float, float], torch: tuple[float, float] = (1.7, 1.05)) -> dict:
    """mlp.json with float64 forward + backward only; ``no_dx`` the target row's two ratios."""
    results = {}
    for (batch, layers), r, t in zip([(64, "64-128-10"), (256, "784-256-10")], no_dx, torch):
        results[f"forward + backward, batch {batch}, {layers}, float64"] = {
            "numpy, vectorised": {"us_per_step": 100.0, "ratio_to_numpy_vectorised": 1.0},
            "companion": {"us_per_step": 150.0, "ratio_to_numpy_vectorised": 1.5},
            "companion, no input gradient": {"us_per_step": 100.0 * r, "ratio_to_numpy_vectorised": r},
            "torch (CPU)": {"us_per_step": 100.0 * t, "ratio_to_numpy_vectorised": t},
        }
    return {"meta": {"numpy": "2.0.0"}, "results": results}


def conv(ratio: float) -> dict:
    row = {"shape": report.TARGETS["conv"]["shape"], "dtype": "float64", "im2col_s": 0.01 * ratio,
           "naive_s": 0.4, "torch_s": 0.01, "naive_over_im2col": 0.4 / (0.01 * ratio), "im2col_over_torch": ratio}
    return {"meta": {}, "rows": [row]}


def rnn(companion_s: float) -> dict:
    secs = {"companion RNN (record='full')": companion_s, "naive per-sample loop": 0.05,
            "PyTorch nn.RNN (CPU, 2 threads)": 0.006, "PyTorch nn.RNN (CPU, 1 thread)": 0.004}
    return {"shape": {"N": 32, "T": 100, "D": 16, "H": 64}, "dtype": "float64", "seconds": secs,
            "ratio_to_companion_full_record": {k: v / companion_s for k, v in secs.items()}}


def rl(dqn_steps: list[int], dqn_seconds: list[float]) -> dict:
    runs = [{"seed": i, "solved_steps": s, "solved_seconds": t, "total_steps": s + 10, "total_seconds": t + 1,
             "best_return": 500.0, "independent_eval_mean": 498.5} for i, (s, t) in enumerate(zip(dqn_steps,
                                                                                                  dqn_seconds))]
    med = sorted(dqn_steps)[len(dqn_steps) // 2], sorted(dqn_seconds)[len(dqn_seconds) // 2]
    return {"algorithms": {"dqn": {"runs": runs, "solved": f"{len(runs)}/{len(runs)}", "median_steps": float(med[0]),
                                   "median_seconds": med[1]}}}


def peaks(ratios: list[float]) -> dict:
    calls = ["find_peaks(x)", "prominence", "distance=10", "peak_prominences (1234 peaks)"]
    rows = [{"signal": "noise", "call": c, "scipy ms": 2.0, "companion ms": 2.0 * r, "ratio": r}
            for c, r in zip(calls, ratios)]
    return {"n_samples": 1000, "rows": rows}


def fft(ratios: list[float]) -> dict:
    rows = [{"n": n, "two np.fft.fft (reference) s": 1e-3, "two_real_ffts s": 1e-3 * r, "two np.fft.rfft s": 5e-4,
             "two_real_ffts / reference": r, "two rfft / reference": 0.5, "max rel error": 3.5e-16}
            for n, r in zip([1024, 65536], ratios)]
    return {"two_real_ffts": rows}


MET_AND_MISSED = {
    "mlp": (mlp((1.1, 1.05)), mlp((1.3, 1.05))),
    "conv": (conv(1.6), conv(2.4)),
    "rnn": (rnn(0.0037), rnn(0.0046)),
    "rl": (rl([30_000, 40_000, 45_000], [5.0, 6.0, 7.0]), rl([30_000, 60_000, 70_000], [5.0, 6.0, 7.0])),
    "peaks": (peaks([0.5, 1.5, 2.5, 2.9]), peaks([0.5, 1.5, 3.5, 2.9])),
    "fft": (fft([0.9, 0.6]), fft([1.4, 0.6])),
}


def first_verdict(topic: str, data: dict) -> report.Table:
    """The first table of ``topic`` that checks a target (the one the page leads with)."""
    return next(t for t in report.tables(topic, data) if t.target_met is not None)


@pytest.mark.parametrize("topic", sorted(MET_AND_MISSED))
def test_a_met_and_a_missed_target_give_different_verdicts(topic: str) -> None:
    met, missed = (first_verdict(topic, d) for d in MET_AND_MISSED[topic])
    assert met.target_met is True and missed.target_met is False
    assert met.sentence != missed.sentence
    assert "within" in met.sentence and "above" not in met.sentence.replace("above it", "")
    assert "above" in missed.sentence


def test_mlp_sentence_quotes_the_data_and_the_target() -> None:
    table = first_verdict("mlp", mlp((1.234, 1.019), torch=(1.741, 1.042)))
    assert table.title.startswith("Forward + backward, float64")
    assert "1.23× bare numpy's time at batch 64, 64→128→10, above the ≤ 1.2× target" in table.sentence
    assert "1.02× at batch 256, 784→256→10, within it" in table.sentence
    assert "PyTorch (CPU) takes 1.74× and 1.04×" in table.sentence
    shapes = {"64", "128", "10", "256", "784"}
    assert numbers(table.sentence) == {"1.23", "1.02", "1.2", "1.74", "1.04"} | shapes


def test_conv_rnn_and_fft_sentences_quote_the_data() -> None:
    c = first_verdict("conv", conv(1.517))
    assert "1.52× PyTorch's time, within the ≤ 2.0× target" in c.sentence
    assert numbers(c.sentence) - {"32", "8", "16", "28", "3"} == {"1.52", "2.0"}
    r = first_verdict("rnn", rnn(0.0046))
    # divided by the fastest PyTorch run (1 thread, 4 ms), not by the companion as rnn.json's ratios are
    assert "1.15× the time of the fastest PyTorch run (`nn.RNN`, 1 thread), above the ≤ 1.0× target" in r.sentence
    assert "the naive loop 12.5×" in r.sentence
    f = first_verdict("fft", fft([1.4, 0.6]))
    assert numbers(f.sentence) == {"1.40", "0.600", "1,024", "65,536", "1.0", "0.500", "3.5e-16"}
    assert "within the ≤ 1.0× target at n = 65,536, and above it at n = 1,024" in f.sentence


def test_rl_sentence_checks_the_median_against_both_targets() -> None:
    table = first_verdict("rl", rl([30_000, 60_000, 70_000], [5.0, 6.0, 7.0]))
    target = report.TARGETS["rl"]["dqn"]
    assert (f"DQN's median seed solved it in 60,000 steps and 6.00 s, above the ≤ {target['steps']:,}-step "
            f"target and within the ≤ {target['seconds']:g} s target") in table.sentence
    seeds = report.tables("rl", rl([30_000, 60_000, 70_000], [5.0, 6.0, 7.0]))[1]
    assert seeds.sentence.startswith("All 3 DQN seeds solved CartPole, 1 of them within both targets")
    assert "none needed more than 70,000 steps or 7.00 s" in seeds.sentence
    assert "every solved policy averaged 498 on new episodes" in seeds.sentence  # 498.5, 3 figures


def test_peaks_sentences_name_the_worst_call() -> None:
    summary, noise = report.tables("peaks", peaks([0.5, 1.5, 3.5, 2.9]))
    assert ("3 of 4 calls are within the ≤ 3.0× target and 1 above it, the worst `find_peaks` with "
            "distance=10 on the noise at 3.50×") in summary.sentence
    assert "down to 0.500× for `find_peaks(x)` (scipy 2.00 ms)" in noise.sentence
    assert ("the slowest is `find_peaks` with distance=10, 3.50× (7.00 ms against scipy's 2.00 ms), "
            "above the target") in noise.sentence
    assert [row[0] for row in noise.rows][-1] == "`peak_prominences` on all 1,234 peaks"


def test_a_ratio_next_to_its_target_is_shown_on_the_right_side() -> None:
    assert report.times(1.2004, 1.2) == "1.2004×"  # not "1.20×, above the 1.2× target"
    assert report.times(1.2, 1.2) == "1.20×"
    assert report.within(1.2, 1.2) == "within the ≤ 1.2× target"  # the target is "≤": met at equality
    assert report.within(1.2004, 1.2) == "above the ≤ 1.2× target"
    assert first_verdict("mlp", mlp((1.2, 1.2))).target_met is True


def test_a_target_that_was_not_measured_is_no_verdict() -> None:
    data = mlp((1.1, 1.1))
    del data["results"]["forward + backward, batch 256, 784-256-10, float64"]["companion, no input gradient"]
    table = first_verdict("mlp", mlp((1.1, 1.1)))
    assert table.target_met is True
    table = report.tables("mlp", data)[0]
    assert table.target_met is None and "not measured" in table.sentence
    data = rnn(0.003)
    data["seconds"] = {k: v for k, v in data["seconds"].items() if not k.startswith("PyTorch")}
    assert report.tables("rnn", data)[0].target_met is None


def test_an_unknown_results_file_is_shown_with_a_sentence_per_table() -> None:
    data = {"n": 3, "rows": [{"a": 1.5, "b": "x"}], "nested": {"r1": {"c": 2}, "r2": {"c": 4}}}
    tables = report.tables("newtopic", data)
    assert len(tables) == 3
    assert all(t.target_met is None and one_sentence(t.sentence) for t in tables)
    assert "## newtopic" in report.section("newtopic", data)


# ----------------------------------------------------------------------------- committed results

@pytest.mark.parametrize("topic", sorted(COMMITTED))
def test_every_results_file_renders_one_sentence_per_table(topic: str) -> None:
    data = COMMITTED[topic]
    tables = report.tables(topic, data)
    assert tables
    for t in tables:
        assert one_sentence(t.sentence), t.sentence
        assert len(t.header) <= 6, f"{topic}: {t.title} has {len(t.header)} columns"
        assert all(len(row) == len(t.header) for row in t.rows), t.title
    md = report.section(topic, data)
    assert md.count("\n|---") == len(tables)  # one Markdown table per sentence
    for t in tables:
        assert md.count(t.sentence.replace("≤ ", "≤\u00a0")) == 1
    assert report.section(topic, copy.deepcopy(data)) == md  # a pure function of the data


@pytest.mark.parametrize("topic", sorted(set(COMMITTED) & set(report.RENDERERS)))
def test_every_known_results_file_is_checked_against_a_target(topic: str) -> None:
    assert any(t.target_met is not None for t in report.tables(topic, COMMITTED[topic]))


def test_rl_targets_agree_with_the_benchmark() -> None:
    """bench_rl.py writes its targets and its own verdict into rl.json: the page must agree."""
    algos = COMMITTED["rl"]["algorithms"]
    assert {name: a["targets"] for name, a in algos.items()} == report.TARGETS["rl"]
    median = report.tables("rl", COMMITTED["rl"])[0]
    assert median.target_met == all(a["meets_targets"] for a in algos.values())


def test_peaks_typical_signals_are_the_benchmarks() -> None:
    data = COMMITTED["peaks"]
    typical = [r["ratio"] for r in data["rows"] if r["signal"] != "rising sawtooth"]
    assert report._median(typical) == pytest.approx(data["median_ratio_typical"])
    assert max(typical) == pytest.approx(data["worst_ratio_typical"])


def test_every_number_of_a_committed_sentence_is_in_its_table_or_targets() -> None:
    """What a sentence quotes is what the reader sees beside it (or a target, or a count)."""
    targets = {str(v) for v in re.findall(r"[\d.]+", json.dumps(report.TARGETS))}
    for topic, data in COMMITTED.items():
        for t in report.tables(topic, data):
            shown = set().union(*(numbers(report.cell(c)) for row in t.rows for c in row),
                                *(numbers(h) for h in t.header))
            counts = {str(n) for n in range(len(t.rows) + 1)}  # "6 of 10 calls", "All 5 seeds"
            allowed = (shown | counts | {report.bound(float(v)).rstrip("×") for v in targets}
                       | {f"{float(v):,.0f}" for v in targets})
            extra = numbers(t.sentence) - allowed
            assert not extra, f"{topic}, {t.title}: {extra} in {t.sentence!r}"


# ----------------------------------------------------------------------------- the page

def test_the_page_types_no_number_and_its_code_fits_88_columns() -> None:
    from tools.prose_numbers import typed_numbers

    text = PAGE.read_text(encoding="utf-8")
    assert not typed_numbers(text), "the page's numbers come from benchmarks/report.py"
    for cell in jupytext.reads(text, fmt="md:myst").cells:
        if cell.cell_type == "code":
            assert max(map(len, cell.source.splitlines())) <= 88, cell.source[:80]
