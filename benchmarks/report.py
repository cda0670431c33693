"""The book's performance page, from the JSON files of benchmarks/results/.

Each topic (a file stem: ``mlp``, ``conv``, ``rnn``, ``rl``, ``peaks``, ``fft``) becomes a few
narrow tables (at most six columns, so none is cut off at the right of the page), each with one
sentence that says, from the numbers in the file, what the table shows against its target
(:data:`TARGETS`) and whether the target is met. The sentences are computed, never typed, so
they stay true when ``python3 tasks.py bench`` writes new numbers.

A file whose layout this module does not know (a new benchmark) is still shown, as generic
tables (:func:`to_markdown`), each with a sentence saying that no target is checked.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"

# Every target the page checks, in one place (issue 11). A ratio is the time of the companion
# divided by the time of the reference measured in the same run: at or below ``max_ratio`` the
# target is met.
TARGETS: dict[str, dict[str, Any]] = {
    # forward + backward, float64, the companion with backward(..., input_grad=False),
    # against the same work in bare (vectorised) numpy; PyTorch's ratio is shown beside it.
    "mlp": {"max_ratio": 1.2, "phase": "forward + backward", "dtype": "float64",
            "row": "companion, no input gradient", "reference": "numpy, vectorised",
            "beside": "torch (CPU)", "shapes": [(64, 64, 128, 10), (256, 784, 256, 10)]},
    # the im2col Conv2d against torch's conv2d with autograd, N32 C8->16 28x28 k3 p1
    "conv": {"max_ratio": 2.0, "shape": "N=32, 8->16, 28x28, 3x3", "dtype": "float64"},
    # the companion's RNN as built by default (record="full") against the fastest PyTorch run
    "rnn": {"max_ratio": 1.0, "row": "companion RNN (record='full')"},
    # CartPole-v1, the median over the seeds (benchmarks/bench_rl.py writes the same targets)
    "rl": {"dqn": {"steps": 50_000, "seconds": 60.0},
           "reinforce": {"steps": 200_000, "seconds": 20.0}},
    # every find_peaks / peak_prominences / peak_widths call against scipy.signal
    # (the aim stated in benchmarks/bench_peaks.py)
    "peaks": {"max_ratio": 3.0},
    # two real FFTs in one complex FFT pay off when they beat two separate complex FFTs
    "fft": {"max_ratio": 1.0},
}

# Title and chapter of each topic on the page.
TOPICS = {
    "mlp": ("Two-layer MLP training step", "Backpropagation"),
    "conv": ("Convolution forward + backward", "CNN filters"),
    "rnn": ("RNN forward + backward through time", "Gradients through time"),
    "rl": ("Steps and seconds to solve CartPole-v1", "Policy gradients and DQN"),
    "peaks": ("Peak finding and prominences against scipy.signal", "EEG blinks with wavelets"),
    "fft": ("Two real FFTs in one complex FFT; the fundamental", "FFT of stereo audio"),
}

# The JSON keys the scripts write, as a reader would say them (a key not listed is shown with
# its underscores turned into spaces).
LABELS = {
    # mlp.json
    "us_per_step": "µs per step", "ratio_to_numpy_vectorised": "× bare numpy",
    "numpy, vectorised": "bare numpy (vectorised)", "numpy, naive loop": "numpy, naive loop",
    "torch (CPU)": "PyTorch (CPU)", "companion": "companion",
    "companion, no input gradient": "companion, no input gradient",
    # conv.json
    "im2col_s": "im2col, s", "naive_s": "naive loop, s", "torch_s": "PyTorch, s",
    "im2col_over_torch": "im2col ÷ PyTorch", "naive_over_im2col": "naive loop ÷ im2col",
    # rnn.json
    "max_rel_error_vs_naive": "largest relative error against the loop",
    "ratio_to_companion_full_record": "reference ÷ companion (full record)",
    "companion RNN (record='full')": "companion, `record='full'` (the default)",
    "companion RNN (record='dh')": "companion, `record='dh'`",
    "companion RNN (record=False)": "companion, `record=False`",
    "naive per-sample loop": "naive per-sample loop",
    # rl.json
    "solved_steps": "steps until solved", "solved_seconds": "seconds until solved",
    "total_steps": "steps in all", "total_seconds": "seconds in all",
    "best_return": "best greedy return", "independent_eval_mean": "mean return, new episodes",
    "median_steps": "median steps until solved", "median_seconds": "median seconds until solved",
    "median_seconds_over_reference": "median seconds ÷ random-policy reference",
    "reference_seconds_10k_random_steps": "seconds for the random-policy reference",
    "meets_targets": "meets the targets", "dqn": "DQN", "reinforce": "REINFORCE",
    # peaks.json
    "scipy ms": "scipy, ms", "companion ms": "companion, ms", "ratio": "companion ÷ scipy",
    "median_ratio_typical": "median companion ÷ scipy, typical signals",
    "worst_ratio_typical": "worst companion ÷ scipy, typical signals", "n_samples": "samples",
    # fft.json
    "two np.fft.fft (reference) s": "two `np.fft.fft`, s", "two_real_ffts s": "`two_real_ffts`, s",
    "two np.fft.rfft s": "two `np.fft.rfft`, s",
    "two_real_ffts / reference": "`two_real_ffts` ÷ two `fft`",
    "two rfft / reference": "two `rfft` ÷ two `fft`", "max rel error": "largest relative error",
    # machine and meta
    "openblas_num_threads": "BLAS threads", "OPENBLAS_NUM_THREADS": "BLAS threads",
    "blas_threads": "BLAS threads", "memory_gib": "memory, GiB",
}


# ----------------------------------------------------------------------------- numbers as text

def num(v: float, sig: int = 3) -> str:
    """``v`` to ``sig`` significant figures, thousands separated, never in e-notation above 1e-3."""
    if v is None or not math.isfinite(v):
        return "—" if v is None else str(v)
    if v == 0:
        return "0"
    if abs(v) < 1e-3:
        return f"{v:.{max(sig - 1, 1)}e}".replace("e-0", "e-")
    decimals = max(sig - 1 - math.floor(math.log10(abs(v))), 0)
    return f"{v:,.{decimals}f}"


def times(v: float, target: float | None = None) -> str:
    """A ratio as ``1.23×``; with ``target``, enough digits that the shown number is on the same
    side of the target as the true one (1.2004 against 1.2 is ``1.2004×``, not ``1.20×``)."""
    for sig in range(3, 8):
        text = num(v, sig)
        if target is None or (float(text.replace(",", "")) <= target) == (v <= target):
            break
    return f"{text}×"


def steps(v: float) -> str:
    return f"{int(round(v)):,}"


def seconds(v: float) -> str:
    return f"{num(v)} s"


def ms(v_seconds: float) -> str:
    return num(1e3 * v_seconds)


def listing(items: Iterable[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def bound(target: float) -> str:
    """A ratio target as written: ``1.2×``, ``2.0×`` (one decimal at least)."""
    return f"{target:.1f}×" if target == round(target, 1) else f"{target:g}×"


def within(v: float, target: float) -> str:
    """``within the ≤ 1.2× target`` or ``above the ≤ 1.2× target``."""
    return f"{'within' if v <= target else 'above'} the ≤ {bound(target)} target"


# ----------------------------------------------------------------------------- tables

@dataclass
class Table:
    """One table of the page and the one sentence that reads it.

    ``target_met`` is True or False when the sentence checks a target, None when the table
    has none (context, such as float32 or the naive loop)."""

    title: str
    sentence: str
    header: list[str]
    rows: list[list[Any]]
    target_met: bool | None = None

    def markdown(self) -> str:
        """The sentence, then the table ("≤" kept on the line of its number)."""
        cells = [[cell(c) for c in row] for row in self.rows]
        lines = ["| " + " | ".join(cell(h) for h in self.header) + " |", "|" + "---|" * len(self.header)]
        lines += ["| " + " | ".join(r) + " |" for r in cells]
        return (f"**{self.title}.** {self.sentence}\n\n" + "\n".join(lines)).replace("≤ ", "≤\u00a0")


def cell(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return "" if v is None else str(v)
    if isinstance(v, float):
        return num(v)
    return str(v).replace("|", "\\|")


def label(key: Any) -> str:
    """A column or row name for a reader."""
    return LABELS.get(key, key.replace("_", " ")) if isinstance(key, str) else fmt(key)


def _verdict(flags: list[bool | None]) -> bool | None:
    """All met: True; any missed: False; otherwise (something not measured): None."""
    if any(f is False for f in flags):
        return False
    return True if flags and all(f is True for f in flags) else None


# ----------------------------------------------------------------------------- mlp.json

_MLP_KEY = re.compile(r"^(?P<phase>.+?), batch (?P<batch>\d+), (?P<layers>\d+(?:-\d+)+), (?P<dtype>\w+)$")


def _mlp_shape(batch: int, layers: list[int]) -> str:
    return f"batch {batch}, {'→'.join(str(n) for n in layers)}"


def _mlp_ratio(by_shape: dict, name: str, shape: tuple[int, ...]) -> float | None:
    r = by_shape.get(shape, {}).get(name)
    return None if r is None else r["ratio_to_numpy_vectorised"]


def mlp_tables(data: dict[str, Any]) -> list[Table]:
    t = TARGETS["mlp"]
    groups: dict[tuple[str, str], dict[tuple[int, ...], dict[str, dict]]] = {}
    for key, rows in data["results"].items():
        m = _MLP_KEY.match(key)
        if not m:
            raise ValueError(f"mlp.json: unexpected result name {key!r}")
        shape = (int(m["batch"]), *(int(n) for n in m["layers"].split("-")))
        groups.setdefault((m["phase"], m["dtype"]), {})[shape] = rows
    target_key = (t["phase"], t["dtype"])
    order = sorted(groups, key=lambda k: (k != target_key, k[0] != t["phase"], k[1] != t["dtype"]))
    tables = []
    for phase, dtype in order:
        by_shape = groups[(phase, dtype)]
        shapes = list(by_shape)
        names = list(dict.fromkeys(n for rows in by_shape.values() for n in rows))
        header = ["", *[h for s in shapes for h in (f"µs per step, {_mlp_shape(s[0], list(s[1:]))}",
                                                    "× bare numpy")]]
        body = []
        for name in names:
            row: list[Any] = [label(name)]
            for s in shapes:
                r = by_shape[s].get(name)
                row += ["", ""] if r is None else [num(r["us_per_step"]), times(r["ratio_to_numpy_vectorised"])]
            body.append(row)
        ratio = functools.partial(_mlp_ratio, by_shape)
        title = f"{phase[0].upper()}{phase[1:]}, {dtype}"
        if (phase, dtype) == target_key:
            target_shapes = [tuple(s) for s in t["shapes"]]
            flags, parts = [], []
            for s in target_shapes:
                v = ratio(t["row"], s)
                where = _mlp_shape(s[0], list(s[1:]))
                if v is None:
                    flags.append(None)
                    parts.append(f"nothing at {where} (not measured)")
                    continue
                flags.append(v <= t["max_ratio"])
                verdict = (within(v, t["max_ratio"]) if len(parts) == 0
                           else ("within it" if v <= t["max_ratio"] else "above it"))
                unit = " bare numpy's time" if not parts else ""
                parts.append(f"{times(v, t['max_ratio'])}{unit} at {where}, {verdict},")
            beside = [ratio(t["beside"], s) for s in target_shapes]
            torch = (" PyTorch (CPU) takes " + listing(times(v) for v in beside)
                     if all(v is not None for v in beside) else "")
            sentence = (f"With no input gradient, the companion's {phase} in {dtype} takes "
                        f"{listing(parts).rstrip(',')};{torch}.").replace(";.", ".")
            tables.append(Table(f"{title} (the target)", sentence, header, body, _verdict(flags)))
        else:
            ours = [ratio(t["row"], s) for s in shapes]
            torch = [ratio(t["beside"], s) for s in shapes]
            pieces = [f"the companion with no input gradient takes "
                      f"{listing(times(v) for v in ours if v is not None)} bare numpy's time"]
            if all(v is not None for v in torch):
                pieces.append(f"PyTorch (CPU) {listing(times(v) for v in torch)}")
            sentence = (f"No target here (it covers {t['phase']} in {t['dtype']}): "
                        f"{', '.join(pieces)}.")
            tables.append(Table(title, sentence, header, body, None))
    return tables


# ----------------------------------------------------------------------------- conv.json

_CONV_SHAPE = re.compile(r"^N=(\d+), (\d+)->(\d+), (\d+)x(\d+), (\d+)x(\d+)$")


def conv_shape(text: str) -> str:
    """``N=32, 8->16, 28x28, 3x3`` as ``batch 32, 8→16 channels, 28×28, 3×3 kernel``."""
    m = _CONV_SHAPE.match(text)
    if not m:
        return text
    n, cin, cout, h, w, kh, kw = m.groups()
    return f"batch {n}, {cin}→{cout} channels, {h}×{w}, {kh}×{kw} kernel"


def conv_tables(data: dict[str, Any]) -> list[Table]:
    t = TARGETS["conv"]
    rows = data["rows"]
    torch_rows = [r for r in rows if r.get("im2col_over_torch") is not None]
    body = [[conv_shape(r["shape"]), r["dtype"], ms(r["im2col_s"]), ms(r["torch_s"]),
             times(r["im2col_over_torch"])] for r in torch_rows]
    hit = [r for r in torch_rows if r["shape"] == t["shape"] and r["dtype"] == t["dtype"]]
    others = [r for r in torch_rows if r["shape"] == t["shape"] and r["dtype"] != t["dtype"]]
    where = conv_shape(t["shape"])
    if hit:
        v = hit[0]["im2col_over_torch"]
        sentence = (f"On {where} in {t['dtype']}, the im2col layer takes {times(v, t['max_ratio'])} "
                    f"PyTorch's time, {within(v, t['max_ratio'])}")
        met = v <= t["max_ratio"]
    else:
        sentence = f"The target shape ({where}, {t['dtype']}) was not measured"
        met = None
    if others:
        sentence += "; " + listing(f"in {r['dtype']} it takes {times(r['im2col_over_torch'])}"
                                   for r in others) + ", which the target does not cover"
    for shape in dict.fromkeys(r["shape"] for r in torch_rows if r["shape"] != t["shape"]):
        here = [r for r in torch_rows if r["shape"] == shape]
        sentence += (f"; on {conv_shape(shape)} it takes "
                     + listing(f"{times(r['im2col_over_torch'])} in {r['dtype']}" for r in here))
    tables = [Table("Against PyTorch", sentence + ".",
                    ["shape", "dtype", "im2col, ms", "PyTorch, ms", "im2col ÷ PyTorch"], body, met)]
    naive = [r for r in rows if r.get("naive_over_im2col") is not None]
    if naive:
        body = [[conv_shape(r["shape"]), r["dtype"], ms(r["naive_s"]), ms(r["im2col_s"]),
                 times(r["naive_over_im2col"])] for r in naive]
        sentence = (f"No target here: the naive loop takes {listing(times(r['naive_over_im2col']) for r in naive)} "
                    f"the im2col layer's time on {listing(conv_shape(r['shape']) for r in naive)}, for the "
                    f"same gradients.")
        tables.append(Table("Against the naive loop", sentence,
                            ["shape", "dtype", "naive loop, ms", "im2col, ms", "naive loop ÷ im2col"], body))
    return tables


# ----------------------------------------------------------------------------- rnn.json

def rnn_tables(data: dict[str, Any]) -> list[Table]:
    """rnn.json holds seconds, and ratios of each time to the companion's (full record): the
    table divides every time by the fastest PyTorch time instead, the target's direction."""
    t = TARGETS["rnn"]
    secs: dict[str, float] = data["seconds"]
    torch = {k: v for k, v in secs.items() if k.lower().startswith("pytorch")}
    best = min(torch, key=torch.get) if torch else None
    header = ["implementation", "ms", "× the fastest PyTorch"]
    body = [[_rnn_label(k), ms(v), times(v / torch[best]) if best else ""] for k, v in secs.items()]
    if best is None or t["row"] not in secs:
        sentence = "PyTorch was not measured, so the target is not checked."
        return [Table("Forward + backward", sentence, header, body, None)]
    v = secs[t["row"]] / torch[best]
    rest = [f"{label(k).replace('companion, ', 'with ')} {times(s / torch[best])}" for k, s in secs.items()
            if k.startswith("companion") and k != t["row"]]
    rest += [f"the naive loop {times(s / torch[best])}" for k, s in secs.items() if k.startswith("naive")]
    fastest = _rnn_label(best).replace("PyTorch ", "")
    sentence = (f"The companion's RNN with its default full record takes {times(v, t['max_ratio'])} the time of "
                f"the fastest PyTorch run ({fastest}), {within(v, t['max_ratio'])}"
                + (f"; {listing(rest)}" if rest else "") + ".")
    return [Table("Forward + backward", sentence, header, body, v <= t["max_ratio"])]


_TORCH_RNN = re.compile(r"^PyTorch nn\.RNN \(CPU, (.+)\)$")


def _rnn_label(key: str) -> str:
    m = _TORCH_RNN.match(key)
    return f"PyTorch `nn.RNN`, {m[1]}" if m else label(key)


# ----------------------------------------------------------------------------- rl.json

def _rl_clause(name: str, median_steps: float, median_secs: float, target: dict) -> tuple[str, bool | None]:
    if not (math.isfinite(median_steps) and math.isfinite(median_secs)):
        return (f"{label(name)}'s median seed did not solve it (targets ≤ {steps(target['steps'])} steps "
                f"and ≤ {target['seconds']:g} s: missed)", False)
    ok_steps, ok_secs = median_steps <= target["steps"], median_secs <= target["seconds"]
    if ok_steps and ok_secs:
        verdict = f"within both targets (≤ {steps(target['steps'])} steps, ≤ {target['seconds']:g} s)"
    else:
        verdict = (f"{'within' if ok_steps else 'above'} the ≤ {steps(target['steps'])}-step target and "
                   f"{'within' if ok_secs else 'above'} the ≤ {target['seconds']:g} s target")
    return (f"{label(name)}'s median seed solved it in {steps(median_steps)} steps and "
            f"{seconds(median_secs)}, {verdict}", ok_steps and ok_secs)


def rl_tables(data: dict[str, Any]) -> list[Table]:
    algos = data["algorithms"]
    targets = TARGETS["rl"]
    body, clauses, flags = [], [], []
    for name, a in algos.items():
        target = targets.get(name)
        body.append([label(name), a["solved"], steps(a["median_steps"]) if math.isfinite(a["median_steps"]) else "—",
                     f"≤ {steps(target['steps'])}" if target else "", seconds(a["median_seconds"])
                     if math.isfinite(a["median_seconds"]) else "—", f"≤ {target['seconds']:g} s" if target else ""])
        if target:
            clause, ok = _rl_clause(name, a["median_steps"], a["median_seconds"], target)
            clauses.append(clause)
            flags.append(ok)
    sentence = (f"On CartPole-v1, {'; '.join(clauses)}." if clauses
                else "No target is set for these algorithms.")
    tables = [Table("Medians over the seeds", sentence,
                    ["", "seeds solved", "median steps until solved", "target", "median seconds until solved",
                     "target"], body, _verdict(flags) if clauses else None)]
    for name, a in algos.items():
        runs, target = a["runs"], targets.get(name)
        body = [[r["seed"], steps(r["solved_steps"]) if r["solved_steps"] is not None else "not solved",
                 seconds(r["solved_seconds"]) if r["solved_seconds"] is not None else "—",
                 steps(r["total_steps"]), num(r["independent_eval_mean"])] for r in runs]
        solved = [r for r in runs if r["solved_steps"] is not None]
        parts = [(f"All {len(runs)}" if len(solved) == len(runs) else f"{len(solved)} of {len(runs)}")
                 + f" {label(name)} seeds solved CartPole"]
        met = None
        if target and solved:
            inside = [r for r in solved if r["solved_steps"] <= target["steps"]
                      and r["solved_seconds"] <= target["seconds"]]
            each = "each" if len(inside) == len(solved) else f"{len(inside)} of them"
            parts[0] += f", {each} within both targets on its own (the targets are on the median)"
            met = len(inside) == len(runs)
        if solved:
            parts.append(f"none needed more than {steps(max(r['solved_steps'] for r in solved))} steps or "
                         f"{seconds(max(r['solved_seconds'] for r in solved))}")
            evals = [r["independent_eval_mean"] for r in solved]
            parts.append(f"the solved policies' mean return on new episodes ranges from {num(min(evals))} to "
                         f"{num(max(evals))}" if min(evals) != max(evals)
                         else f"every solved policy averaged {num(evals[0])} on new episodes")
        sentence = "; ".join(parts) + "."
        tables.append(Table(f"{label(name)}, seed by seed", sentence,
                            ["seed", "steps until solved", "seconds until solved", "steps in all",
                             "mean return, new episodes"], body, met))
    return tables


def rl_targets_text() -> str:
    """The targets of the CartPole figure, from :data:`TARGETS`."""
    return "; ".join(f"{label(n)} ≤ {steps(t['steps'])} steps and ≤ {t['seconds']:g} s"
                     for n, t in TARGETS["rl"].items())


# ----------------------------------------------------------------------------- peaks.json

_PEAK_COUNT = re.compile(r"^(peak_\w+) \((\d+) peaks\)$")


def peak_call(call: str) -> str:
    """``height+distance+prominence`` as ``find_peaks with height, distance, prominence``."""
    m = _PEAK_COUNT.match(call)
    if m:
        return f"`{m[1]}` on all {int(m[2]):,} peaks"
    if call.startswith("find_peaks"):
        return f"`{call}`"
    return "`find_peaks` with " + call.replace("+", ", ")


def peaks_tables(data: dict[str, Any]) -> list[Table]:
    target = TARGETS["peaks"]["max_ratio"]
    rows = data["rows"]
    signals = list(dict.fromkeys(r["signal"] for r in rows))
    typical_signals = [s for s in signals if s != "rising sawtooth"]  # as bench_peaks.py counts them
    summary, tables = [], []
    for s in signals:
        mine = [r for r in rows if r["signal"] == s]
        ratios = sorted(r["ratio"] for r in mine)
        inside = sum(v <= target for v in ratios)
        summary.append([s, f"{inside} of {len(mine)}", times(_median(ratios)), times(ratios[-1])])
    typical = [r for r in rows if r["signal"] in typical_signals]
    worst = max(typical, key=lambda r: r["ratio"])
    inside = sum(r["ratio"] <= target for r in typical)
    median = data.get("median_ratio_typical", _median([r["ratio"] for r in typical]))
    summary.append(["typical signals (all but the rising sawtooth)", f"{inside} of {len(typical)}", times(median),
                    times(worst["ratio"])])
    if inside == len(typical):
        verdict = (f"all {len(typical)} calls are within the ≤ {bound(target)} target, the slowest "
                   f"{peak_call(worst['call'])} on the {worst['signal']} at {times(worst['ratio'], target)}")
    else:
        verdict = (f"{inside} of {len(typical)} calls are within the ≤ {bound(target)} target and "
                   f"{len(typical) - inside} above it, the worst {peak_call(worst['call'])} on the "
                   f"{worst['signal']} at {times(worst['ratio'], target)}")
    sentence = (f"Over the typical signals (all but the rising sawtooth), the median call takes "
                f"{times(median)} scipy's time; {verdict}.")
    tables.append(Table("Summary", sentence, ["signal", f"calls within ≤ {bound(target)}", "median companion ÷ scipy",
                                              "worst companion ÷ scipy"], summary, inside == len(typical)))
    for s in signals:
        mine = [r for r in rows if r["signal"] == s]
        body = [[peak_call(r["call"]), num(r["scipy ms"]), num(r["companion ms"]), times(r["ratio"])] for r in mine]
        inside = [r for r in mine if r["ratio"] <= target]
        faster = [r for r in mine if r["ratio"] < 1]
        worst = max(mine, key=lambda r: r["ratio"])
        best = min(mine, key=lambda r: r["ratio"])
        note = "" if s in typical_signals else " (not counted as typical)"
        sentence = (f"On the {s}{note}, {len(inside)} of {len(mine)} calls are within the ≤ {bound(target)} "
                    f"target and {len(faster)} faster than scipy, down to {times(best['ratio'])} for "
                    f"{peak_call(best['call'])} (scipy {num(best['scipy ms'])} ms); the slowest is "
                    f"{peak_call(worst['call'])}, {times(worst['ratio'], target)} "
                    f"({num(worst['companion ms'])} ms against scipy's {num(worst['scipy ms'])} ms), "
                    f"{'within the target' if worst['ratio'] <= target else 'above the target'}.")
        tables.append(Table(s[0].upper() + s[1:], sentence, ["call", "scipy, ms", "companion, ms",
                                                             "companion ÷ scipy"], body, len(inside) == len(mine)))
    return tables


def _median(values: list[float]) -> float:
    v = sorted(values)
    n = len(v)
    return v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2


# ----------------------------------------------------------------------------- fft.json

def fft_tables(data: dict[str, Any]) -> list[Table]:
    target = TARGETS["fft"]["max_ratio"]
    rows = data["two_real_ffts"]
    body = [[f"{r['n']:,}", ms(r["two np.fft.fft (reference) s"]), ms(r["two_real_ffts s"]),
             times(r["two_real_ffts / reference"]), times(r["two rfft / reference"]), num(r["max rel error"], 2)]
            for r in rows]
    ratio = "two_real_ffts / reference"
    good = [f"{r['n']:,}" for r in rows if r[ratio] <= target]
    bad = [f"{r['n']:,}" for r in rows if r[ratio] > target]
    sides = ([f"within the ≤ {bound(target)} target at n = {listing(good)}"] if good else []) + \
            ([f"above it at n = {listing(bad)}"] if bad and good else
             [f"above the ≤ {bound(target)} target at every length"] if bad else [])
    rfft = [r["two rfft / reference"] for r in rows]
    lengths = listing(f"{r['n']:,}" for r in rows)
    sentence = (f"One complex FFT for both signals (`two_real_ffts`) takes "
                f"{listing(times(r[ratio], target) for r in rows)} the time of two `np.fft.fft` calls at "
                f"n = {lengths}: {', and '.join(sides)}; two `np.fft.rfft` calls "
                f"take {times(min(rfft))} to {times(max(rfft))}, and the largest relative error is "
                f"{num(max(r['max rel error'] for r in rows), 2)}.")
    tables = [Table("Two real FFTs in one complex FFT", sentence,
                    ["n", "two `np.fft.fft`, ms", "`two_real_ffts`, ms", "`two_real_ffts` ÷ two `fft`",
                     "two `rfft` ÷ two `fft`", "largest relative error"], body, not bad)]
    f0 = data.get("fundamental")
    if f0:
        body, clip_part = [], ""
        for name, entry in f0.items():
            if "fundamental s" in entry:
                nominal = entry["estimate Hz"] - entry[_error_key(entry)]
                shape = " × ".join(f"{n:,}" for n in entry.get("samples", []))
                body.append([f"{name}, {shape} samples" if shape else name, ms(entry["fundamental s"]),
                             times(entry["fundamental / reference"]), num(entry["estimate Hz"], 5),
                             num(entry[_error_key(entry)], 2)])
                err = entry[_error_key(entry)]
                clip_part = (f"on the {name} ({shape} samples) `fundamental` takes {ms(entry['fundamental s'])} ms, "
                             f"{times(entry['fundamental / reference'])} one `rfft` of the clip, and estimates "
                             f"{num(entry['estimate Hz'], 5)} Hz, {num(abs(err), 2)} Hz "
                             f"{'below' if err < 0 else 'above'} the nominal {num(nominal, 5)} Hz")
            else:
                for freq, secs in entry.items():
                    body.append([f"{name.split(',')[0].removesuffix(' notes')} note, {freq} Hz", ms(secs), "", "", ""])
                if entry:
                    clip_part += (f"{'; ' if clip_part else ''}the {name.split(',')[0]} take "
                                  f"{ms(min(entry.values()))} to {ms(max(entry.values()))} ms")
        sentence = f"No speed target is set for the fundamental: {clip_part}."
        tables.append(Table("The fundamental", sentence, ["signal", "`fundamental`, ms", "× one `rfft` of the clip",
                                                          "estimate, Hz", "error, Hz"], body, None))
    return tables


def _error_key(entry: dict[str, Any]) -> str:
    return next(k for k in entry if k.startswith("error"))


# ----------------------------------------------------------------------------- any file

RENDERERS: dict[str, Callable[[dict[str, Any]], list[Table]]] = {
    "mlp": mlp_tables, "conv": conv_tables, "rnn": rnn_tables, "rl": rl_tables,
    "peaks": peaks_tables, "fft": fft_tables,
}

# Keys that describe the run rather than measure it: not tables, but one line under the title.
_CONDITIONS = {"python": "Python", "numpy": "NumPy", "scipy": "SciPy", "torch": "PyTorch",
               "openblas_num_threads": "BLAS threads", "OPENBLAS_NUM_THREADS": "BLAS threads",
               "blas_threads": "BLAS threads", "dtype": "dtype", "note": ""}


def conditions(data: dict[str, Any]) -> str:
    """The run's size, versions and settings as a sentence or two (``Measured with NumPy 2.4.6,
    BLAS threads: 1.``); empty when the file records none."""
    where = {**data.get("meta", {}), **{k: v for k, v in data.items() if not isinstance(v, (dict, list))}}
    parts, note = [], ""
    for key, name in _CONDITIONS.items():
        value = where.get(key)
        if value in (None, "") or (key == "dtype" and isinstance(data.get("shape"), dict)):
            continue
        value = str(value).removeprefix("torch ")
        if not name:
            note = value
            continue
        text = f"{name}: {value}" if name.endswith("threads") else f"{name} {value}"
        if text not in parts:
            parts.append(text)
    out = ""
    if isinstance(data.get("shape"), dict):
        shape = data["shape"]
        if set(shape) == {"N", "T", "D", "H"}:
            out = (f"{shape['N']} sequences of {shape['T']} time steps, {shape['D']} inputs, "
                   f"{shape['H']} hidden units")
        else:
            out = ", ".join(f"{k} = {v}" for k, v in shape.items())
        out += f", {data['dtype']}. " if "dtype" in data else ". "
    if isinstance(data.get("n_samples"), int):
        out += f"{data['n_samples']:,} samples per signal. "
    if parts:
        out += f"Measured with {', '.join(parts)}" + (f"; {note}." if note else ".")
    return out.strip()


def machine_line(m: dict[str, Any] | None = None) -> str:
    """The machine record (machine.json) as one sentence; empty when there is none."""
    m = machine() if m is None else m
    if not m:
        return ""
    return (f"Measured on **{m['cpu']}**, {m['cores']} cores, {m['memory_gib']} GiB, {m['system']}, "
            f"Python {m['python']}, NumPy {m['numpy']}, PyTorch {m['torch']}; {m['measured']}.")


def tables(topic: str, data: Any) -> list[Table]:
    """The tables of one results file, each with its sentence."""
    if topic in RENDERERS:
        return RENDERERS[topic](data)
    return [Table(title or "Results", "No target is set for these numbers: report.py shows them as the "
                  "benchmark wrote them.", header, rows) for title, header, rows in _generic(data)]


def sections(results: dict[str, Any]) -> list[str]:
    """The Markdown of every results file, in the book's order (:data:`TOPICS`), new ones last."""
    order = [t for t in TOPICS if t in results] + sorted(t for t in results if t not in TOPICS)
    return [section(t, results[t]) for t in order]


def section(topic: str, data: Any) -> str:
    """The page's Markdown for one results file: heading, chapter, conditions, tables."""
    title, chapter = TOPICS.get(topic, (topic, ""))
    head = f"## {title}\n\n" + (f"*Chapter: {chapter}.*" if chapter else "")
    cond = conditions(data) if isinstance(data, dict) else ""
    if cond:
        head += f" {cond}"
    return head + "\n\n" + "\n\n".join(t.markdown() for t in tables(topic, data))


# ----------------------------------------------------------------------------- generic layout

def fmt(v: Any) -> str:
    if isinstance(v, bool) or v is None:
        return str(v)
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list)) for x in v):
        return ", ".join(fmt(x) for x in v)
    return str(v).replace("|", "\\|")


def _scalar(v: Any) -> bool:
    return not isinstance(v, (dict, list)) or (isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v))


def _generic(obj: Any, title: str = "") -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) of every table in a result of any JSON shape."""
    if isinstance(obj, list) and obj and all(isinstance(r, dict) for r in obj):
        cols = list(dict.fromkeys(k for r in obj for k in r if _scalar(r[k])))
        return [(title, [label(c) for c in cols], [[fmt(r.get(c, "")) for c in cols] for r in obj])]
    if not isinstance(obj, dict):
        return [(title, ["value"], [[fmt(obj)]])]
    out = []
    scalars = {k: v for k, v in obj.items() if _scalar(v)}
    if scalars:
        out.append((title, ["", "value"], [[label(k), fmt(v)] for k, v in scalars.items()]))
    for k, v in obj.items():
        if k in scalars:
            continue
        name = f"{title}: {label(k)}" if title else label(k)
        if isinstance(v, dict) and v and all(isinstance(x, dict) and all(_scalar(y) for y in x.values())
                                             for x in v.values()):
            cols = list(dict.fromkeys(c for x in v.values() for c in x))
            out.append((name, ["", *[label(c) for c in cols]],
                        [[label(r), *[fmt(x.get(c, "")) for c in cols]] for r, x in v.items()]))
        else:
            out.extend(_generic(v, name))
    return out


def to_markdown(obj: Any, level: int = 3) -> str:
    """Markdown tables for a benchmark result of any JSON shape (no sentences, no targets)."""
    parts = []
    for title, header, rows in _generic(obj):
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows]
        parts.append((f"{'#' * level} {title}\n\n" if title else "") + "\n".join(lines))
    return "\n\n".join(parts)


# ----------------------------------------------------------------------------- files

def load() -> dict[str, Any]:
    """Every results file but the machine record, by topic (file stem)."""
    return {p.stem: json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json")) if p.stem != "machine"}


def machine() -> dict[str, Any] | None:
    p = RESULTS / "machine.json"
    return json.loads(p.read_text()) if p.exists() else None
