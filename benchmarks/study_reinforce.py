"""The policy-gradient chapter's study: REINFORCE on CartPole-v1 for five Adam learning rates.

Five seeds per rate, 40k environment steps each with no early stop (about 20 s on two cores,
too long for the chapter), written to ``benchmarks/studies/reinforce.json``; chapter 5 draws
its learning-rate slider and glues its numbers from that file, and ``tests/test_studies.py``
fails when the code it ran has changed since (``python3 tasks.py studies`` reruns it).

For each run: the training returns averaged per 1000 steps, the mean return of the last 25
training episodes, the greedy evaluations (20 fixed start states every 10 000 steps) and the
step at which one first averaged 475 or more.

Usage: ``python benchmarks/study_reinforce.py [--processes 2]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per process, as in the book build

import numpy as np  # noqa: E402

from companion.rl import train_reinforce  # noqa: E402
from study import binned_means, run_all, write  # noqa: E402

RATES = (0.001, 0.003, 0.01, 0.03, 0.1)
SEEDS = (0, 1, 2, 3, 4)
STEPS, BIN, EVAL_EVERY, LAST = 40_000, 1_000, 10_000, 25


def run(job: tuple[float, int]) -> dict:
    lr, seed = job
    res = train_reinforce("CartPole-v1", seed=seed, lr=lr, total_steps=STEPS, stop_return=None,
                          eval_every=EVAL_EVERY, progress=False)
    return {"lr": lr, "seed": seed,
            "train_returns_per_1000": binned_means(res.episode_end_steps, res.episode_returns, BIN, STEPS),
            "last_25_mean": float(np.mean(res.episode_returns[-LAST:])),
            "eval_returns": [round(float(e[2]), 2) for e in res.evaluations],
            "solved_steps": res.solved_steps, "best_return": res.best_return}


def main() -> None:
    (runs,) = run_all(__doc__, (run, [(lr, s) for lr in RATES for s in SEEDS]))
    for lr in RATES:
        finals = [r["last_25_mean"] for r in runs if r["lr"] == lr]
        solved = sum(r["solved_steps"] is not None for r in runs if r["lr"] == lr)
        print(f"lr {lr:<6}: last-25 mean return, median {np.median(finals):6.1f} "
              f"(min {min(finals):5.1f}, max {max(finals):5.1f}); solved {solved}/{len(SEEDS)}")
    write("reinforce", "REINFORCE on CartPole-v1: Adam learning rates x seeds (benchmarks/study_reinforce.py)",
          {"rates": list(RATES), "seeds": list(SEEDS), "steps": STEPS, "bin": BIN, "eval_every": EVAL_EVERY,
           "last": LAST}, __file__, runs=runs)


if __name__ == "__main__":
    main()
