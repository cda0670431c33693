"""Two real FFTs in one complex FFT, and the cost of finding a fundamental.

1. ``companion.dsp.two_real_ffts(x, y)`` (one complex FFT of ``x + iy``, then the unpacking)
   against the reference, two ``np.fft.fft`` calls, measured in the same run, at several lengths;
   also two ``np.fft.rfft`` calls (half spectra: what one would normally use), for context.
   Each result is checked against the reference before it is timed.
2. ``companion.dsp.fundamental`` on the shipped stereo piano clip (1.5 s, 44.1 kHz) and on
   mono synthetic notes of 1 s, against one ``np.fft.rfft`` of the same clip as the reference.

Prints a table and writes ``benchmarks/results/fft.json``. Ratios are time / reference time
(< 1: faster than the reference). Not part of the tests' pass/fail.
"""

from __future__ import annotations

import json
import platform
from pathlib import Path

import numpy as np

from companion.data import PIANO_NOMINAL_HZ, load_piano
from companion.dsp import fundamental, two_real_ffts
from timing import median_time  # benchmarks/timing.py

LENGTHS = [1024, 4096, 65536, 1 << 20, 1_000_003]




def bench_two_real(rows: list[dict]) -> None:
    rng = np.random.default_rng(0)
    for n in LENGTHS:
        x, y = rng.standard_normal(n), rng.standard_normal(n)
        X, Y = two_real_ffts(x, y)
        ref_x, ref_y = np.fft.fft(x), np.fft.fft(y)
        scale = max(np.abs(ref_x).max(), np.abs(ref_y).max())
        err = float(max(np.abs(X - ref_x).max(), np.abs(Y - ref_y).max()) / scale)
        repeats = 30 if n <= 65536 else 5
        t_ref = median_time(lambda x=x, y=y: (np.fft.fft(x), np.fft.fft(y)), repeats)
        t_two = median_time(lambda x=x, y=y: two_real_ffts(x, y), repeats)
        t_rfft = median_time(lambda x=x, y=y: (np.fft.rfft(x), np.fft.rfft(y)), repeats)
        rows.append({"n": n, "two np.fft.fft (reference) s": t_ref, "two_real_ffts s": t_two,
                     "two np.fft.rfft s": t_rfft, "two_real_ffts / reference": t_two / t_ref,
                     "two rfft / reference": t_rfft / t_ref, "max rel error": err})


def bench_fundamental() -> dict:
    clip = load_piano()
    x, fs = clip.samples, clip.fs
    t_ref = median_time(lambda: np.fft.rfft(x, axis=0), 10)
    t_f0 = median_time(lambda: fundamental(x, fs), 5)
    f0 = fundamental(x, fs)
    synth = {}
    t = np.arange(44100) / 44100
    for f in [55.0, 261.63, 1760.0]:
        note = sum(np.sin(2 * np.pi * h * f * t + h) / h for h in range(1, 13) if h * f < 20000)
        synth[f] = median_time(lambda note=note: fundamental(note, 44100), 5)
    return {
        "piano clip": {"samples": list(x.shape), "fundamental s": t_f0, "rfft of the clip (reference) s": t_ref,
                       "fundamental / reference": t_f0 / t_ref, "estimate Hz": f0,
                       "error vs 261.63 Hz": f0 - PIANO_NOMINAL_HZ},
        "synthetic 1 s notes, fundamental s": {str(k): v for k, v in synth.items()},
    }


def main() -> None:
    rows: list[dict] = []
    bench_two_real(rows)
    header = ("N", "2x fft (ref)", "two_real_ffts", "ratio", "2x rfft", "ratio", "max rel err")
    widths = (9, 13, 14, 6, 10, 6, 11)
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, widths)))
    for r in rows:
        print(f"{r['n']:>9} {r['two np.fft.fft (reference) s'] * 1e3:>10.3f} ms {r['two_real_ffts s'] * 1e3:>11.3f} ms "
              f"{r['two_real_ffts / reference']:>6.2f} {r['two np.fft.rfft s'] * 1e3:>7.3f} ms "
              f"{r['two rfft / reference']:>6.2f} {r['max rel error']:>11.1e}")
    f0 = bench_fundamental()
    p = f0["piano clip"]
    print(f"\nfundamental on the piano clip {tuple(p['samples'])}: {p['fundamental s'] * 1e3:.1f} ms "
          f"({p['fundamental / reference']:.1f}x one rfft of the clip, "
          f"{p['rfft of the clip (reference) s'] * 1e3:.2f} ms); "
          f"estimate {p['estimate Hz']:.3f} Hz ({p['error vs 261.63 Hz']:+.3f} Hz)")
    for f, s in f0["synthetic 1 s notes, fundamental s"].items():
        print(f"fundamental on a 1 s synthetic note at {f} Hz: {s * 1e3:.1f} ms")
    out = {"two_real_ffts": rows, "fundamental": f0, "machine": platform.platform(), "numpy": np.__version__}
    path = Path(__file__).resolve().parent / "results" / "fft.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
