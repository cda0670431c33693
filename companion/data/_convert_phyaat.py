"""Convert spkit's 16 s PhyAAt EEG sample to ``phyaat_eeg.csv.gz``, once, offline.

This script is *not* imported by the package and never runs at build time: the book reads the
committed CSV. It documents exactly how the file was made, so anyone can make it again.

Requirements (a one-off tool, not a dependency of the companion): the spkit wheel from PyPI,
unpacked without installing it::

    pip download --no-deps spkit==0.0.9.7 -d /tmp/spkit
    python -m zipfile -e /tmp/spkit/spkit-0.0.9.7-py3-none-any.whl /tmp/spkit/wheel

Command, from the repository root::

    python companion/data/_convert_phyaat.py /tmp/spkit/wheel/spkit/data/files/EEG16SecData.pkl

What it does: ``EEG16SecData.pkl`` is a pickled pair ``(X, ch_names)``, with ``X`` of shape
(2048, 14): 16 s at 128 Hz of the 14 Emotiv channels, in µV. The pickle is read here, once (it
comes from the wheel on PyPI; the package never unpickles anything), and written as a gzip'd
CSV: a header row with the channel names, then one row per sample, four decimals (0.1 nV,
far below the headset's 0.51 µV resolution). The gzip header carries no time stamp, so the
output is byte-identical on every run.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import io
import pickle
from pathlib import Path

import numpy as np

EXPECTED = ("AF3", "F7", "F3", "FC5", "T7", "P7", "O1", "O2", "P8", "T8", "FC6", "F4", "F8", "AF4")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pickle", type=Path, help="spkit/data/files/EEG16SecData.pkl from the spkit wheel")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("phyaat_eeg.csv.gz"))
    args = parser.parse_args()
    with args.pickle.open("rb") as fh:
        samples, names = pickle.load(fh)  # a one-off conversion of a file from PyPI
    samples = np.asarray(samples, dtype=np.float64)
    if samples.shape != (2048, 14) or tuple(names) != EXPECTED:
        raise SystemExit(f"unexpected contents: shape {samples.shape}, channels {names}")
    text = io.StringIO()
    np.savetxt(text, samples, fmt="%.4f", delimiter=",", header=",".join(names), comments="")
    raw = io.BytesIO()
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(text.getvalue().encode("ascii"))
    args.out.write_bytes(raw.getvalue())
    print(f"wrote {args.out} ({len(raw.getvalue())} bytes), SHA-256 {hashlib.sha256(raw.getvalue()).hexdigest()}")
    print(f"source SHA-256 {hashlib.sha256(args.pickle.read_bytes()).hexdigest()}")


if __name__ == "__main__":
    main()
