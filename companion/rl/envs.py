"""Making and checking Gymnasium environments for the RL chapters.

Derived in: Policy gradients §1 (the agent-environment loop). Environments always come from
Gymnasium; nothing here simulates a system of its own.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np


def check_env_id(env_id: Any, who: str) -> gym.envs.registration.EnvSpec:
    """Return the registered spec of ``env_id`` or raise a ValueError naming ``who``.

    Derived in: Policy gradients §1.
    """
    if not isinstance(env_id, str):
        raise ValueError(f"{who}: env_id must be a Gymnasium id such as 'CartPole-v1', got {env_id!r}")
    try:
        return gym.spec(env_id)
    except gym.error.Error as exc:
        raise ValueError(f"{who}: unknown Gymnasium environment {env_id!r} ({exc})") from None


def make_env(env_id: str, who: str = "make_env") -> gym.Env:
    """``gymnasium.make(env_id)``, refusing what the chapters' agents cannot handle.

    The agents need a discrete action space and a flat (1-D ``Box``) observation.

    Parameters
    ----------
    env_id : str
        A registered Gymnasium id, e.g. ``"CartPole-v1"``.
    who : str
        Name used in error messages (the calling function).

    Returns
    -------
    gymnasium.Env

    Derived in: Policy gradients §1.
    """
    check_env_id(env_id, who)
    env = gym.make(env_id)
    if not isinstance(env.action_space, gym.spaces.Discrete):
        env.close()
        raise ValueError(
            f"{who}: {env_id} has action space {env.action_space}; these agents need a Discrete action space"
        )
    obs = env.observation_space
    if not (isinstance(obs, gym.spaces.Box) and len(obs.shape) == 1):
        env.close()
        raise ValueError(f"{who}: {env_id} has observation space {obs}; these agents need a 1-D Box")
    return env


def env_dims(env: gym.Env) -> tuple[int, int]:
    """``(observation size, number of actions)`` of an environment made by :func:`make_env`.

    Derived in: Policy gradients §1.
    """
    return int(env.observation_space.shape[0]), int(env.action_space.n)


def check_positive_int(value: Any, name: str, who: str, *, allow_zero: bool = False) -> int:
    """Return ``int(value)`` or raise a ValueError if it is not a (positive) integer.

    Derived in: Policy gradients §1 (budgets and seeds are checked before any work starts).
    """
    ok = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    if not ok or value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise ValueError(f"{who}: {name} must be {kind} integer, got {value!r}")
    return int(value)
