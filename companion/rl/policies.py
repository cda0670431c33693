"""Networks that map observations to one output per action, and frozen greedy policies.

Derived in: Policy gradients §5 (a softmax policy network) and DQN §1 (one Q value per action).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from companion._checks import as_float_array
from companion.nn.layers import Linear, ReLU, Tanh
from companion.nn.module import Sequential


def mlp(
    obs_dim: int,
    n_actions: int,
    hidden: tuple[int, ...] = (64, 64),
    *,
    activation: str = "relu",
    rng: np.random.Generator | int | None = None,
) -> Sequential:
    """A multilayer perceptron from :mod:`companion.nn`: ``obs_dim -> hidden... -> n_actions``.

    Parameters
    ----------
    obs_dim, n_actions : int
        Input size (the observation) and output size (one logit or Q value per action).
    hidden : tuple of int
        Widths of the hidden layers.
    activation : {"relu", "tanh"}
        Hidden non-linearity (He initialisation for ReLU, Xavier for tanh).
    rng : numpy Generator, int or None
        Source of the initial weights.

    Returns
    -------
    Sequential
        float64 network; the last layer is linear (logits or Q values).

    Derived in: Policy gradients §5.
    """
    if activation not in ("relu", "tanh"):
        raise ValueError(f"mlp: activation must be 'relu' or 'tanh', got {activation!r}")
    if not all(isinstance(h, (int, np.integer)) and h > 0 for h in hidden):
        raise ValueError(f"mlp: hidden must be a tuple of positive integers, got {hidden!r}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    init = "he" if activation == "relu" else "xavier"
    layers = []
    sizes = [obs_dim, *hidden]
    for a, b in zip(sizes[:-1], sizes[1:]):
        layers += [Linear(a, b, rng=rng, init=init), ReLU() if activation == "relu" else Tanh()]
    last = Linear(sizes[-1], n_actions, rng=rng, init="xavier")
    last.params["W"] *= 0.1  # small outputs at the start: near-uniform policy, near-zero Q values
    return Sequential(*layers, last)


@dataclass
class GreedyPolicy:
    """A frozen copy of a network that acts greedily: ``action = argmax_a net(obs)[a]``.

    Calling it with one observation of shape ``(obs_dim,)`` returns an ``int``;
    :meth:`batch` maps ``(N, obs_dim)`` observations to ``N`` actions. Ties go to the lowest
    action index, so the policy is a deterministic function of the observation.

    Derived in: Policy gradients §5 (greedy evaluation), DQN §5 (best checkpoint).
    """

    net: Sequential
    obs_dim: int

    @classmethod
    def snapshot(cls, net: Sequential, obs_dim: int) -> GreedyPolicy:
        """Freeze a copy of ``net`` as it is now (later training does not change it)."""
        return cls(copy.deepcopy(net), int(obs_dim))

    def batch(self, obs: np.ndarray) -> np.ndarray:
        """Greedy actions for a batch of observations of shape ``(N, obs_dim)``."""
        obs = as_float_array(obs, "GreedyPolicy", "observation batch")
        if obs.ndim != 2 or obs.shape[1] != self.obs_dim:
            raise ValueError(f"GreedyPolicy.batch: expected observations of shape (N, {self.obs_dim}), got {obs.shape}")
        return np.argmax(self.net.forward(obs), axis=1)

    def __call__(self, obs: np.ndarray) -> int:
        obs = as_float_array(obs, "GreedyPolicy", "observation")
        if obs.shape != (self.obs_dim,):
            raise ValueError(f"GreedyPolicy: expected an observation of shape ({self.obs_dim},), got {obs.shape}")
        return int(self.batch(obs[None, :])[0])
