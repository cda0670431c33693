"""How fast do the default REINFORCE and DQN solve CartPole-v1?

For 5 seeds each: environment steps and wall-clock seconds until the greedy policy first
averages >= 475 over 20 evaluation episodes (evaluation time included), with the default
configuration of each trainer. Targets: DQN median <= 50k steps and <= 60 s; REINFORCE
median <= 200k steps and <= 20 s. For scale, the run also times a reference in the same
process: 10k steps of CartPole-v1 under a random policy (the cost of the environment alone),
and reports each median time as a ratio to it. Writes benchmarks/results/rl.json.

Usage: python benchmarks/bench_rl.py [--seeds 0 1 2 3 4]
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import gymnasium as gym
import numpy as np

import companion
from companion.rl import evaluate, train_dqn, train_reinforce

TARGETS = {"dqn": {"steps": 50_000, "seconds": 60.0}, "reinforce": {"steps": 200_000, "seconds": 20.0}}


def reference_seconds(n: int = 10_000) -> float:
    """Seconds for n steps of CartPole-v1 with random actions (no learning at all)."""
    env = gym.make("CartPole-v1")
    env.reset(seed=0)
    env.action_space.seed(0)
    t0 = time.perf_counter()
    for _ in range(n):
        _, _, term, trunc, _ = env.step(env.action_space.sample())
        if term or trunc:
            env.reset()
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1000, 1001, 1002, 1003, 1004])
    args = parser.parse_args()
    ref = reference_seconds()
    out: dict = {"companion": companion.__version__, "python": platform.python_version(),
                 "reference_seconds_10k_random_steps": ref, "algorithms": {}}
    print(f"reference: 10k random CartPole steps in {ref:.3f} s")
    print(f"{'algo':<10} {'seed':>5} {'solved at step':>15} {'seconds':>8} {'indep. eval':>12}")
    for name, train in (("reinforce", train_reinforce), ("dqn", train_dqn)):
        runs = []
        for seed in args.seeds:
            res = train("CartPole-v1", seed=seed, progress=False)
            indep = float(np.mean(evaluate(res.policy, "CartPole-v1", 20, seed=777_000 + seed)))
            runs.append({"seed": seed, "solved_steps": res.solved_steps, "solved_seconds": res.solved_seconds,
                         "total_steps": res.steps, "total_seconds": res.seconds, "best_return": res.best_return,
                         "independent_eval_mean": indep})
            print(f"{name:<10} {seed:>5} {str(res.solved_steps):>15} "
                  f"{(res.solved_seconds or float('nan')):8.1f} {indep:12.1f}", flush=True)
        solved = [r for r in runs if r["solved_steps"] is not None]
        inf = float("inf")
        med_steps = float(np.median([r["solved_steps"] if r["solved_steps"] is not None else inf for r in runs]))
        med_secs = float(np.median([r["solved_seconds"] if r["solved_seconds"] is not None else inf for r in runs]))
        t = TARGETS[name]
        summary = {"runs": runs, "solved": f"{len(solved)}/{len(runs)}", "median_steps": med_steps,
                   "median_seconds": med_secs, "median_seconds_over_reference": med_secs / ref,
                   "targets": t, "meets_targets": med_steps <= t["steps"] and med_secs <= t["seconds"]}
        out["algorithms"][name] = summary
        print(f"{name:<10} median {med_steps:.0f} steps (target {t['steps']}), {med_secs:.1f} s "
              f"(target {t['seconds']:.0f} s; {med_secs / ref:.0f}x the reference), solved {summary['solved']}")
    path = Path(__file__).parent / "results" / "rl.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2))
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
