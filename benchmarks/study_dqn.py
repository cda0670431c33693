"""The DQN chapter's study: five seeds of three variants for 50k steps, and the ε schedules.

Too big for the chapter's time budget (about four minutes on two cores), so it runs here and
writes ``benchmarks/studies/dqn.json``; chapter 6 plots and glues its numbers from that file,
and ``tests/test_studies.py`` fails when the code it ran has changed since (then rerun it:
``python3 tasks.py studies``).

What it records, for each variant (DQN with the Huber loss — the companion's default —, Double
DQN, and DQN with the squared loss) and each seed:

- the greedy evaluations during training (20 fixed start states every 1024 steps, the mean of
  100 episodes once it reaches 475), and the training returns averaged per 1024 steps;
- the kept checkpoint and the final network, each scored on 20 new episodes;
- **over-estimation**, measured rather than assumed: on 5 greedy episodes of the network,
  ``max_a Q(s_t, a)`` against the discounted return ``G_t`` that actually followed (states
  within 200 steps of the 500-step time limit are left out, where ``G_t`` is cut short).

And for the ε schedule: five seeds of 20k steps for each decay length, the training returns
averaged per 500 steps, and their mean between steps 2000 and 10000.

Usage: ``python benchmarks/study_dqn.py [--processes 2]``
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one BLAS thread per process, as in the book build

import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

from companion.nn import mse_loss  # noqa: E402
from companion.rl import GreedyPolicy, evaluate, train_dqn  # noqa: E402
from study import binned_means, run_all, write  # noqa: E402

SEEDS = (0, 1, 2, 3, 4)
STEPS = 50_000
# Each variant's overrides of the default configuration, as recorded in the JSON (a loss by name).
VARIANTS = {"dqn": {}, "double": {"double": True}, "squared": {"loss": "mse_loss"}}
LOSS_FNS = {"mse_loss": mse_loss}
EPS_DECAYS = (1_000, 5_000, 20_000)
EPS_STEPS, EPS_BIN = 20_000, 500
NEW_EPISODES_SEED = 2024  # the chapter's "20 new episodes"
OVERESTIMATION_SEED, OVERESTIMATION_EPISODES, CUT = 31_000, 5, 200


def overestimation(policy: GreedyPolicy, gamma: float) -> dict[str, float]:
    """Mean of ``max_a Q(s_t, a) − G_t`` over the states of a few greedy episodes."""
    env = gym.make("CartPole-v1")
    q_all, g_all = [], []
    for i in range(OVERESTIMATION_EPISODES):
        obs = np.asarray(env.reset(seed=OVERESTIMATION_SEED + i)[0], dtype=np.float64)
        qs, rewards = [], []
        while True:
            q = policy.net.forward(obs[None, :])[0]
            qs.append(float(q.max()))
            obs, r, term, trunc, _ = env.step(int(np.argmax(q)))
            obs = np.asarray(obs, dtype=np.float64)
            rewards.append(float(r))
            if term or trunc:
                break
        g, returns_to_go = 0.0, np.zeros(len(rewards))
        for t in range(len(rewards) - 1, -1, -1):
            g = rewards[t] + gamma * g
            returns_to_go[t] = g
        usable = len(rewards) if term else max(0, len(rewards) - CUT)  # G_t cut short near the limit
        q_all += qs[:usable]
        g_all += list(returns_to_go[:usable])
    env.close()
    q_all, g_all = np.array(q_all), np.array(g_all)
    return {"mean_q": float(q_all.mean()), "mean_return": float(g_all.mean()),
            "bias": float((q_all - g_all).mean()), "states": int(len(q_all))}


def run_variant(job: tuple[str, int]) -> dict:
    variant, seed = job
    overrides = {k: LOSS_FNS[v] if k == "loss" else v for k, v in VARIANTS[variant].items()}
    res = train_dqn("CartPole-v1", seed=seed, total_steps=STEPS, stop_return=None, progress=False,
                    **overrides)
    final = GreedyPolicy.snapshot(res.network, 4)
    steps, _, scores = (np.array(res.evaluations).T if res.evaluations else ([], [], []))
    return {
        "variant": variant, "seed": seed,
        "eval_steps": [int(s) for s in steps], "eval_returns": [round(float(v), 2) for v in scores],
        "train_returns_per_1024": binned_means(res.episode_end_steps, res.episode_returns, 1024, STEPS),
        "solved_steps": res.solved_steps, "best_return": res.best_return,
        "checkpoint_new_episodes": float(evaluate(res.policy, "CartPole-v1", 20, NEW_EPISODES_SEED).mean()),
        "final_new_episodes": float(evaluate(final, "CartPole-v1", 20, NEW_EPISODES_SEED).mean()),
        "overestimation_checkpoint": overestimation(res.policy, res.config.gamma),
        "overestimation_final": overestimation(final, res.config.gamma),
    }


def run_eps(job: tuple[int, int]) -> dict:
    decay, seed = job
    res = train_dqn("CartPole-v1", seed=seed, total_steps=EPS_STEPS, eps_decay_steps=decay, stop_return=None,
                    eval_every=5_000, progress=False)
    ends, rets = np.asarray(res.episode_end_steps), np.asarray(res.episode_returns)
    early = (ends > 2_000) & (ends <= 10_000)
    return {"decay": decay, "seed": seed,
            "train_returns_per_500": binned_means(res.episode_end_steps, res.episode_returns, EPS_BIN, EPS_STEPS),
            "mean_return_2k_10k": float(rets[early].mean())}


def main() -> None:
    runs, eps = run_all(__doc__, (run_variant, [(v, s) for v in VARIANTS for s in SEEDS]),
                        (run_eps, [(d, s) for d in EPS_DECAYS for s in SEEDS]))
    for r in runs:
        print(f"{r['variant']:>8} seed {r['seed']}: solved at {r['solved_steps']}, best {r['best_return']:.0f}, "
              f"final {r['final_new_episodes']:.0f}, over-estimation {r['overestimation_final']['bias']:+.1f}")
    write("dqn", "DQN on CartPole-v1: seeds x variants, and the eps schedule (benchmarks/study_dqn.py)",
          {"seeds": list(SEEDS), "steps": STEPS, "variants": VARIANTS, "eps_decays": list(EPS_DECAYS),
           "eps_steps": EPS_STEPS, "eps_bin": EPS_BIN, "new_episodes_seed": NEW_EPISODES_SEED,
           "overestimation_episodes": OVERESTIMATION_EPISODES, "overestimation_cut": CUT},
          __file__, runs=runs, eps=eps)


if __name__ == "__main__":
    main()
