"""Making and checking Gymnasium environments for the RL chapters.

Derived in: pg-objective (the agent-environment loop). Environments always come from
Gymnasium; nothing here simulates a system of its own.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym

from companion._checks import check_str

__all__ = ["check_env_id", "make_env", "env_dims"]


def check_env_id(env_id: Any, who: str) -> gym.envs.registration.EnvSpec:
    """Return the registered spec of ``env_id``: a TypeError unless it is a string, a ValueError
    naming ``who`` unless Gymnasium knows it. Nothing is made.

    Derived in: pg-objective.
    """
    if not isinstance(env_id, str):
        raise TypeError(f"{who}: env_id must be a Gymnasium id such as 'CartPole-v1', got {env_id!r}")
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

    Raises
    ------
    TypeError
        ``env_id`` (or ``who``) is not a string.
    ValueError
        Gymnasium does not know ``env_id`` or cannot make it, or its spaces do not fit the agents.

    Derived in: pg-objective.
    """
    who = check_str(who, "who", "make_env")
    check_env_id(env_id, who)
    try:
        env = gym.make(env_id)
    except gym.error.Error as exc:  # e.g. a missing optional dependency (box2d, mujoco)
        raise ValueError(f"{who}: Gymnasium could not make {env_id!r} ({exc})") from None
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

    Derived in: pg-objective.
    """
    return int(env.observation_space.shape[0]), int(env.action_space.n)

