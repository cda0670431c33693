"""Greedy evaluation of a policy on fresh, seeded episodes.

Derived in: pg-loss-not-performance (average return, not the loss, measures a policy).
"""

from __future__ import annotations

from typing import Any, Callable

import gymnasium as gym
import numpy as np

from companion._checks import check_callable, check_int, is_int
from companion.rl.envs import check_env_id, make_env

__all__ = ["evaluate"]


def _action(a: Any, space: Any, who: str) -> int:
    """``a`` as an int of the Discrete ``space``: never a silent ``int(1.7)``. A TypeError for
    anything but an integer, a ValueError for an integer outside the space."""
    if not is_int(a) or not space.contains(int(a)):
        err = ValueError if is_int(a) else TypeError
        raise err(f"{who}: the policy returned {a!r} ({type(a).__name__}), not an action of {space} "
                  f"(an integer in [{space.start}, {space.start + space.n}))")
    return int(a)


def _actions(actions: np.ndarray, space: Any, who: str) -> list[int]:
    """The actions of one time step as ints of the Discrete ``space``, checked at once (one
    check per action cost as much as the environment's step); any doubt goes to
    :func:`_action`, which names the first bad one."""
    if actions.dtype.kind in "iu" and space.start <= actions.min() and actions.max() < space.start + space.n:
        return actions.tolist()
    return [_action(a, space, who) for a in actions]


def _policy_actions(policy: Callable[[np.ndarray], Any], batched: Any, obs: np.ndarray, space: Any,
                    who: str) -> list[int]:
    """The policy's actions for the observations ``obs`` (one row each), checked."""
    if batched is not None:
        actions = np.asarray(batched(obs))
    else:
        actions = np.array([policy(o) for o in obs])
    if actions.shape != (len(obs),):
        raise ValueError(f"{who}: the policy gave actions of shape {actions.shape} for {len(obs)} observations")
    return _actions(actions, space, who)


def evaluate(
    policy: Callable[[np.ndarray], Any],
    env_id: str = "CartPole-v1",
    episodes: int = 20,
    seed: int = 0,
) -> np.ndarray:
    """Run ``episodes`` episodes with ``policy`` and return their undiscounted returns.

    The episodes are those of Gymnasium's vector environment
    ``gymnasium.make_vec(env_id, num_envs=episodes)`` after ``reset(seed=seed)``, each
    played to its end. Where the environment has its own vectorised version (CartPole), all
    the episodes advance in one array operation per time step and their start states come
    from one generator seeded with ``seed``. Otherwise episode ``i`` is a separate environment
    reset with ``seed + i``, as :class:`gymnasium.vector.SyncVectorEnv` does, and a finished
    episode is not stepped again. Either way the result is a deterministic function of
    ``(policy, env_id, episodes, seed)`` for a deterministic policy. A policy with a
    ``batch(obs) -> actions`` method (such as :class:`~companion.rl.policies.GreedyPolicy`) is
    called once per time step for all the episodes still running.

    Parameters
    ----------
    policy : callable
        ``policy(observation) -> action`` (an ``int`` in the action space).
    env_id : str
        A Gymnasium id with a discrete action space.
    episodes : int
        Number of episodes (positive).
    seed : int
        Seed of the episodes' start states.

    Returns
    -------
    numpy.ndarray
        float64 array of shape ``(episodes,)``.

    Derived in: pg-loss-not-performance.
    """
    who = "evaluate"
    check_callable(policy, "policy", who, "(observation -> action)")
    episodes = check_int(episodes, "episodes", who)
    seed = check_int(seed, "seed", who, low=0)
    spec = check_env_id(env_id, who)
    run = _run_vectorised if spec.vector_entry_point is not None else _run_separately
    return run(policy, env_id, episodes, seed, who)


def _run_vectorised(policy: Callable[[np.ndarray], Any], env_id: str, episodes: int, seed: int,
                    who: str) -> np.ndarray:
    """:func:`evaluate` with the environment's own vector implementation."""
    probe = make_env(env_id, who)  # the spaces checked as for the agents
    space = probe.action_space
    probe.close()
    envs = gym.make_vec(env_id, num_envs=episodes, vectorization_mode="vector_entry_point")
    try:
        obs = np.asarray(envs.reset(seed=seed)[0], dtype=np.float64)
        returns = np.zeros(episodes)
        alive = np.ones(episodes, dtype=bool)
        actions = np.full(episodes, space.start, dtype=np.int64)  # finished episodes: any valid action
        batched = getattr(policy, "batch", None)
        while alive.any():
            actions[alive] = _policy_actions(policy, batched, obs[alive], space, who)
            obs, rewards, term, trunc, _ = envs.step(actions)
            obs = np.asarray(obs, dtype=np.float64)
            returns[alive] += rewards[alive]  # a finished episode's next step is a reset (autoreset)
            alive &= ~(term | trunc)
    finally:
        envs.close()
    return returns


def _run_separately(policy: Callable[[np.ndarray], Any], env_id: str, episodes: int, seed: int,
                    who: str) -> np.ndarray:
    """:func:`evaluate` with one environment per episode, reset with ``seed + i``."""
    envs = [make_env(env_id, who) for _ in range(episodes)]
    try:
        obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)]).astype(np.float64)
        returns = np.zeros(episodes)
        alive = np.ones(episodes, dtype=bool)
        batched = getattr(policy, "batch", None)
        space = envs[0].action_space
        while alive.any():
            idx = np.flatnonzero(alive)
            for i, a in zip(idx.tolist(), _policy_actions(policy, batched, obs[idx], space, who)):
                o, r, term, trunc, _ = envs[i].step(a)
                returns[i] += float(r)
                obs[i] = o
                if term or trunc:
                    alive[i] = False
    finally:
        for env in envs:
            env.close()
    return returns
