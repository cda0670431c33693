"""REINFORCE with reward-to-go and a baseline, on Gymnasium environments.

Derived in: pg-reinforce. The policy network outputs one logit per action; the policy
is ``softmax(logits)``. One update uses a batch of whole episodes run side by side:

    ∇θ J ≈ (1/M) Σ_t A_t ∇θ log π(a_t | s_t),   A_t = G_t − b_t,

with ``G_t`` the discounted reward-to-go and ``b_t`` the mean reward-to-go at the same time
index in the *other* episodes of the batch (leave-one-out, so the estimate stays unbiased).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from companion._checks import (as_float_array, check_bool, check_choice, check_instance, check_int, check_int_tuple,
                              check_ndim, check_nonempty, check_number, check_positive, check_probability)
from companion._progress import show_progress
from companion.nn.losses import log_softmax
from companion.nn.optim import Adam
from companion.rl.envs import check_env_id, env_dims, make_env
from companion.rl.policies import ACTIVATIONS, mlp
from companion.rl.training import Config, Tracker, TrainResult, make_config

__all__ = ["reward_to_go", "leave_one_out_baseline", "ReinforceConfig", "train_reinforce"]


def reward_to_go(rewards: np.ndarray, gamma: float = 1.0) -> np.ndarray:
    """``G_t = Σ_{k ≥ t} γ^{k−t} r_k`` for every ``t`` of one episode.

    Derived in: pg-reinforce (an action cannot change rewards that came before it).

    Parameters
    ----------
    rewards : array_like of shape (T,)
        The rewards of one episode, finite, T >= 1.
    gamma : float
        Discount in [0, 1].

    Returns
    -------
    float64 array of shape (T,)
    """
    who = "reward_to_go"
    r = as_float_array(rewards, who, "rewards", dtype=np.float64)
    if r.ndim != 1:
        raise ValueError(f"{who}: expected a 1-D array of rewards, got shape {r.shape}")
    check_nonempty(r, who, "rewards")
    gamma = check_probability(gamma, "gamma", who)
    # G_t = r_t + γ G_{t+1}: a first-order recursive filter run on the reversed rewards.
    from scipy.signal import lfilter  # here, not at the top: scipy.signal takes 0.7 s to import

    return lfilter([1.0], [1.0, -gamma], r[::-1])[::-1].copy()


def leave_one_out_baseline(returns_to_go: list[np.ndarray]) -> list[np.ndarray]:
    """For each episode and time index ``t``: the mean ``G_t`` of the *other* episodes that reached ``t``.

    Zero where no other episode lasted that long. Derived in: pg-reinforce.

    Parameters
    ----------
    returns_to_go : list of 1-D arrays
        One non-empty, finite array of ``G_t`` per episode of the batch (lengths may differ).

    Returns
    -------
    list of float64 arrays, shaped like ``returns_to_go``
    """
    who = "leave_one_out_baseline"
    check_instance(returns_to_go, (list, tuple), "returns_to_go", who, "a list of 1-D arrays (one per episode)")
    if not returns_to_go:
        raise ValueError(f"{who}: returns_to_go is empty; give one array per episode")
    checked = []
    for i, g in enumerate(returns_to_go):
        g = as_float_array(g, who, f"returns_to_go[{i}]", dtype=np.float64)
        check_ndim(g, 1, who, "(T,)", f"returns_to_go[{i}]")
        checked.append(check_nonempty(g, who, f"returns_to_go[{i}]"))
    returns_to_go = checked
    longest = max(len(g) for g in returns_to_go)
    total, count = np.zeros(longest), np.zeros(longest)
    for g in returns_to_go:
        total[: len(g)] += g
        count[: len(g)] += 1
    out = []
    for g in returns_to_go:
        n = len(g)
        others = count[:n] - 1
        out.append(np.where(others > 0, (total[:n] - g) / np.maximum(others, 1), 0.0))
    return out


@dataclass(frozen=True)
class ReinforceConfig(Config):
    """Hyper-parameters of :func:`train_reinforce`; the defaults are the tuned configuration.

    Derived in: pg-reinforce.
    """

    total_steps: int = 200_000
    lr: float = 0.01
    gamma: float = 0.99
    hidden: tuple[int, ...] = (32,)
    activation: str = "tanh"
    episodes_per_batch: int = 8
    baseline: bool = True
    normalize: bool = True
    eval_every: int = 5_000
    eval_episodes: int = 20
    confirm_episodes: int = 80
    solved_return: float = 475.0
    stop_return: float | None = 500.0

    def validate(self, who: str = "ReinforceConfig") -> None:
        """Check every field (a TypeError or ValueError naming ``who`` and the field)."""
        for name in ("total_steps", "episodes_per_batch", "eval_every", "eval_episodes", "confirm_episodes"):
            check_int(getattr(self, name), name, who)
        check_positive(self.lr, "lr", who)
        check_probability(self.gamma, "gamma", who)
        check_int_tuple(self.hidden, "hidden", who)
        check_choice(self.activation, "activation", who, ACTIVATIONS)
        check_bool(self.baseline, "baseline", who)
        check_bool(self.normalize, "normalize", who)
        check_number(self.solved_return, "solved_return", who)
        check_number(self.stop_return, "stop_return", who, none_ok=True)


def train_reinforce(
    env_id: str = "CartPole-v1",
    *,
    seed: int,
    config: ReinforceConfig | None = None,
    progress: bool | None = None,
    **overrides: object,
) -> TrainResult:
    """Train a softmax policy with REINFORCE (reward-to-go, leave-one-out baseline, Adam).

    Parameters
    ----------
    env_id : str
        Gymnasium id with a discrete action space and a 1-D observation.
    seed : int
        Seeds the network, the action sampling and every environment reset.
    config : ReinforceConfig, optional
        Hyper-parameters (default: the tuned configuration).
    progress : bool or None
        Show a tqdm progress bar with the running return; None (default): shown when run
        live, hidden while the book is built.
    **overrides
        Any field of :class:`ReinforceConfig`, e.g. ``lr=0.003`` or ``total_steps=50_000``.

    Returns
    -------
    TrainResult
        ``episode_returns``, the greedy ``policy`` of the best evaluation, ``config``,
        ``steps``/``seconds``, the evaluations and the per-update "loss".

    Derived in: pg-reinforce.
    """
    who = "train_reinforce"
    seed = check_int(seed, "seed", who, low=0)
    cfg = make_config(ReinforceConfig, config, overrides, who)
    show = show_progress(progress, who)
    check_env_id(env_id, who)  # everything is checked before an environment is made
    probe = make_env(env_id, who)
    obs_dim, n_actions = env_dims(probe)
    probe.close()
    rng = np.random.default_rng(seed)
    net = mlp(obs_dim, n_actions, cfg.hidden, activation=cfg.activation, rng=rng)
    opt = Adam(net, lr=cfg.lr)
    n_env = cfg.episodes_per_batch
    envs = [make_env(env_id, who) for _ in range(n_env)]
    for i, env in enumerate(envs):
        env.action_space.seed(seed * 7919 + i)
    tracker = Tracker(env_id, net, obs_dim, cfg, seed, show)
    n_batches = 0
    stop = False
    while tracker.steps < cfg.total_steps and not stop:
        # --- collect a batch of whole episodes, side by side -------------------------------
        obs = np.stack([env.reset(seed=seed * 100_003 + n_batches * n_env + i)[0]
                        for i, env in enumerate(envs)]).astype(np.float64)
        n_batches += 1
        ep_obs: list[list[np.ndarray]] = [[] for _ in range(n_env)]
        ep_act: list[list[int]] = [[] for _ in range(n_env)]
        ep_rew: list[list[float]] = [[] for _ in range(n_env)]
        alive = np.ones(n_env, dtype=bool)
        while alive.any():
            idx = np.flatnonzero(alive)
            probs = np.exp(log_softmax(net.forward(obs[idx]), axis=1))
            u = rng.random(idx.size)
            actions = np.minimum((np.cumsum(probs, axis=1) < u[:, None]).sum(axis=1), n_actions - 1)
            for j, i in enumerate(idx):
                ep_obs[i].append(obs[i].copy())
                ep_act[i].append(int(actions[j]))
                o, r, term, trunc, _ = envs[i].step(int(actions[j]))
                ep_rew[i].append(float(r))
                obs[i] = o
                if term or trunc:
                    alive[i] = False
            tracker.advance(idx.size)
            for i in idx[~alive[idx]]:
                tracker.episode(sum(ep_rew[i]))
        # --- one policy-gradient step ------------------------------------------------------
        rtg = [reward_to_go(np.array(r), cfg.gamma) for r in ep_rew]
        base = leave_one_out_baseline(rtg) if cfg.baseline else [np.zeros_like(g) for g in rtg]
        adv = np.concatenate([g - b for g, b in zip(rtg, base)])
        if cfg.normalize:
            adv = adv / (adv.std() + 1e-8)
        states = np.concatenate([np.array(o) for o in ep_obs])
        acts = np.concatenate([np.array(a, dtype=np.int64) for a in ep_act])
        logp = log_softmax(net.forward(states), axis=1)
        m = len(acts)
        tracker.losses.append(float(-np.mean(adv * logp[np.arange(m), acts])))
        dlogits = np.exp(logp)  # d(−mean A log π_a)/dlogits = A (π − e_a) / M
        dlogits[np.arange(m), acts] -= 1.0
        dlogits *= adv[:, None] / m
        net.backward(dlogits)
        opt.step()
        stop = tracker.maybe_evaluate()
    if not tracker.evaluations or tracker.last_eval != tracker.steps:
        tracker.maybe_evaluate(force=True)
    for env in envs:
        env.close()
    return tracker.result()
