"""Greedy evaluation of a policy on fresh, seeded episodes.

Derived in: pg-loss-not-performance (average return, not the loss, measures a policy).
"""

from __future__ import annotations

from typing import Any, Callable

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


def evaluate(
    policy: Callable[[np.ndarray], Any],
    env_id: str = "CartPole-v1",
    episodes: int = 20,
    seed: int = 0,
) -> np.ndarray:
    """Run ``episodes`` episodes with ``policy`` and return their undiscounted returns.

    Episode ``i`` starts from ``env.reset(seed=seed + i)``, so the result is a deterministic
    function of ``(policy, env_id, episodes, seed)`` for a deterministic policy. The episodes
    run side by side; a policy with a ``batch(obs) -> actions`` method (such as
    :class:`~companion.rl.policies.GreedyPolicy`) is called once per time step for all of them.

    Parameters
    ----------
    policy : callable
        ``policy(observation) -> action`` (an ``int`` in the action space).
    env_id : str
        A Gymnasium id with a discrete action space.
    episodes : int
        Number of episodes (positive).
    seed : int
        Seed of the first episode's reset.

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
    check_env_id(env_id, who)
    envs = [make_env(env_id, who) for _ in range(episodes)]
    obs = np.stack([env.reset(seed=seed + i)[0] for i, env in enumerate(envs)]).astype(np.float64)
    returns = np.zeros(episodes)
    alive = np.ones(episodes, dtype=bool)
    batched = getattr(policy, "batch", None)
    while alive.any():
        idx = np.flatnonzero(alive)
        if batched is not None:
            actions = np.asarray(batched(obs[idx]))
        else:
            actions = np.array([policy(obs[i]) for i in idx])
        if actions.shape != (idx.size,):
            raise ValueError(f"{who}: the policy gave actions of shape {actions.shape} for {idx.size} observations")
        for i, a in zip(idx.tolist(), _actions(actions, envs[0].action_space, who)):
            o, r, term, trunc, _ = envs[i].step(a)
            returns[i] += float(r)
            obs[i] = o
            if term or trunc:
                alive[i] = False
    for env in envs:
        env.close()
    return returns
