"""The CNN-filters chapter's study: the digits CNN from three seeds, trained plainly and with
filter decay.

Six trainings of about a second each: with them the chapter ran past its 15 s budget, so it
trains seed 0 plainly itself (and checks that it gets this file's seed 0) and reads the other
runs from ``benchmarks/studies/cnn.json``, which this script writes. ``tests/test_studies.py``
fails when the code it ran has changed since (then rerun it: ``python3 tasks.py studies``), and
trains seed 0 with the decay to check that it gets this file's run.

For each run: the seed, the filter decay λ, the final test accuracy, and the 16 first-layer
3×3 filters before and after training (JSON floats, which read back bit for bit).

Usage: ``python benchmarks/study_cnn.py [--processes 2]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per process, as in the book build

from companion.nn.cnn import train_digits_cnn  # noqa: E402
from study import run_all, write  # noqa: E402

SEEDS = (0, 1, 2)
DECAYS = (0.0, 2.0)  # plain training, and the decoupled decay of the chapter's cnn-seeds section


def run(job: tuple[float, int]) -> dict:
    decay, seed = job
    res = train_digits_cnn(rng=seed, filter_decay=decay, progress=False)
    return {"seed": seed, "filter_decay": decay, "test_accuracy": float(res.test_accuracy[-1]),
            "filters_start": res.filters[0].tolist(), "filters_end": res.filters[-1].tolist()}


def main() -> None:
    (runs,) = run_all(__doc__, (run, [(d, s) for d in DECAYS for s in SEEDS]))
    for r in runs:
        print(f"filter decay {r['filter_decay']:g}, seed {r['seed']}: test accuracy {r['test_accuracy']:.3f}")
    write("cnn", "The digits CNN: seeds x filter decay (benchmarks/study_cnn.py)",
          {"seeds": list(SEEDS), "filter_decays": list(DECAYS)}, __file__, runs=runs)


if __name__ == "__main__":
    main()
