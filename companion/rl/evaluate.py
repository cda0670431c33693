"""Greedy evaluation of a policy on fresh, seeded episodes.

Derived in: Policy gradients §5 (average return, not the loss, measures a policy).
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from companion.rl.envs import check_positive_int, make_env


def _action(a: Any, space: Any, who: str) -> int:
    """``a`` as an int of the Discrete ``space``, or a ValueError: never a silent ``int(1.7)``."""
    integral = isinstance(a, (int, np.integer)) and not isinstance(a, (bool, np.bool_))
    if not integral or not space.contains(int(a)):
        raise ValueError(f"{who}: the policy returned {a!r} ({type(a).__name__}), not an action of {space} "
                         f"(an integer in [{space.start}, {space.start + space.n}))")
    return int(a)


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

    Derived in: Policy gradients §5.
    """
    who = "evaluate"
    if not callable(policy):
        raise ValueError(f"{who}: policy must be callable (observation -> action), got {type(policy).__name__}")
    episodes = check_positive_int(episodes, "episodes", who)
    seed = check_positive_int(seed, "seed", who, allow_zero=True)
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
        for j, i in enumerate(idx):
            o, r, term, trunc, _ = envs[i].step(_action(actions[j], envs[i].action_space, who))
            returns[i] += float(r)
            obs[i] = o
            if term or trunc:
                alive[i] = False
    for env in envs:
        env.close()
    return returns
