"""companion.dsp.find_peaks / peak_prominences / peak_widths against scipy.signal on 1e5-sample signals.

For each signal and argument set, the companion's result is first checked to be equal to
scipy's (positions and every property), then both are timed in the same run, alternating,
and the ratio companion / scipy is reported (< 1: faster than scipy; the aim is <= 3).

Signals (100 000 samples each): Gaussian noise; integer-valued noise (many equal heights and
plateaus); a random walk; the frontal channel of ``make_eeg`` at 256 Hz; and a rising
sawtooth, where every peak is higher than the last (scipy's scan is quadratic there).
Calls: find_peaks with each condition (``width`` computes the prominences first; ``wlen=257``
is a window of 1 s at 256 Hz, which speeds scipy's scan up), then peak_prominences and
peak_widths on all local maxima.

Prints a table and writes ``benchmarks/results/peaks.json``. Not part of the tests.
"""

from __future__ import annotations

import json
import platform
import time
import warnings
from pathlib import Path

import numpy as np
import scipy
import scipy.signal as ss

from companion.dsp import find_peaks, make_eeg, peak_prominences, peak_widths

N = 100_000


def signals() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    t = np.arange(N)
    eeg = make_eeg(duration=N / 256, fs=256.0, n_channels=1, rng=0).eeg[0]
    return {
        "noise": rng.standard_normal(N),
        "integer noise": rng.integers(0, 5, N).astype(float),
        "random walk": np.cumsum(rng.standard_normal(N)),
        "EEG frontal channel": eeg,
        "rising sawtooth": t * 0.01 + (t % 3 == 1) * 2.0,
    }


CASES = {
    "find_peaks(x)": {},
    "height": {"height": 0.0},
    "prominence": {"prominence": 1.0},
    "distance=10": {"distance": 10},
    "height+distance+prominence": {"height": 0.0, "distance": 5, "prominence": 0.5},
    "threshold": {"threshold": 0.05},
    "width=3": {"width": 3},
    "threshold+prominence+width, wlen": {"threshold": (0.01, None), "prominence": 0.5, "width": (2, 50),
                                         "wlen": 257},
}


def best_time(fn, repeats: int) -> float:
    """Minimum of ``repeats`` timings (seconds) after one warm-up call (one call if it is slow)."""
    t0 = time.perf_counter()
    fn()
    best = time.perf_counter() - t0
    if best > 0.3:
        return float(best)
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return float(best)


def check_equal(ours, ref) -> None:
    assert np.array_equal(ours[0], ref[0])
    assert set(ours[1]) == set(ref[1])
    for key in ref[1]:
        assert np.array_equal(ours[1][key], ref[1][key]), key


def main() -> None:
    warnings.simplefilter("ignore")  # scipy's PeakPropertyWarning on prominence-0 peaks
    rows = []
    for name, x in signals().items():
        repeats = 15
        for case, kw in CASES.items():
            check_equal(find_peaks(x, **kw), ss.find_peaks(x, **kw))
            t_ref = best_time(lambda: ss.find_peaks(x, **kw), repeats)  # noqa: B023
            t_ours = best_time(lambda: find_peaks(x, **kw), repeats)  # noqa: B023
            rows.append({"signal": name, "call": case, "scipy ms": 1e3 * t_ref, "companion ms": 1e3 * t_ours,
                         "ratio": t_ours / t_ref})
        peaks = ss.find_peaks(x)[0]
        for a, b in zip(peak_prominences(x, peaks), ss.peak_prominences(x, peaks)):
            assert np.array_equal(a, b)
        t_ref = best_time(lambda: ss.peak_prominences(x, peaks), repeats)  # noqa: B023
        t_ours = best_time(lambda: peak_prominences(x, peaks), repeats)  # noqa: B023
        rows.append({"signal": name, "call": f"peak_prominences ({peaks.size} peaks)", "scipy ms": 1e3 * t_ref,
                     "companion ms": 1e3 * t_ours, "ratio": t_ours / t_ref})
        for a, b in zip(peak_widths(x, peaks), ss.peak_widths(x, peaks)):
            assert np.array_equal(a, b)
        t_ref = best_time(lambda: ss.peak_widths(x, peaks), repeats)  # noqa: B023
        t_ours = best_time(lambda: peak_widths(x, peaks), repeats)  # noqa: B023
        rows.append({"signal": name, "call": f"peak_widths ({peaks.size} peaks)", "scipy ms": 1e3 * t_ref,
                     "companion ms": 1e3 * t_ours, "ratio": t_ours / t_ref})

    print(f"{'signal':22s} {'call':38s} {'scipy ms':>9s} {'ours ms':>9s} {'ratio':>7s}")
    for r in rows:
        print(f"{r['signal']:22s} {r['call']:38s} {r['scipy ms']:9.2f} {r['companion ms']:9.2f} {r['ratio']:7.2f}")
    typical = [r["ratio"] for r in rows if r["signal"] != "rising sawtooth"]
    print(f"\nmedian ratio (all but the sawtooth) {np.median(typical):.2f}, worst {max(typical):.2f}")
    out = Path(__file__).parent / "results" / "peaks.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "n_samples": N, "rows": rows, "median_ratio_typical": float(np.median(typical)),
        "worst_ratio_typical": float(max(typical)),
        "numpy": np.__version__, "scipy": scipy.__version__, "python": platform.python_version(),
        "machine": platform.machine(),
    }, indent=2))
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
