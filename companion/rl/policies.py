"""Networks that map observations to one output per action, and frozen greedy policies.

Derived in: pg-reinforce (a softmax policy network) and dqn-q-per-action (one Q value per action).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from companion._checks import (as_float_array, as_rng, check_choice, check_instance, check_int, check_int_tuple,
                              check_nonempty)
from companion.nn.layers import Linear, ReLU, Tanh
from companion.nn.module import Module, Sequential

__all__ = ["mlp", "GreedyPolicy", "ACTIVATIONS"]

ACTIVATIONS = ("relu", "tanh")


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

    Derived in: pg-reinforce.
    """
    who = "mlp"
    obs_dim, n_actions = check_int(obs_dim, "obs_dim", who), check_int(n_actions, "n_actions", who)
    hidden = check_int_tuple(hidden, "hidden", who)
    activation = check_choice(activation, "activation", who, ACTIVATIONS)
    rng = as_rng(rng, "rng", who)
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

    Derived in: pg-reinforce (greedy evaluation), dqn-instability (best checkpoint).
    """

    net: Sequential
    obs_dim: int

    def __post_init__(self) -> None:
        check_instance(self.net, Module, "net", "GreedyPolicy", "a companion.nn Module")
        self.obs_dim = check_int(self.obs_dim, "obs_dim", "GreedyPolicy")

    @classmethod
    def snapshot(cls, net: Sequential, obs_dim: int) -> GreedyPolicy:
        """Freeze a copy of ``net`` as it is now (later training does not change it)."""
        who = "GreedyPolicy.snapshot"
        check_instance(net, Module, "net", who, "a companion.nn Module")
        return cls(copy.deepcopy(net), check_int(obs_dim, "obs_dim", who))

    def batch(self, obs: np.ndarray) -> np.ndarray:
        """Greedy actions for a batch of observations of shape ``(N, obs_dim)``, N >= 1."""
        who = "GreedyPolicy.batch"
        obs = as_float_array(obs, who, "observation batch")
        if obs.ndim != 2 or obs.shape[1] != self.obs_dim:
            raise ValueError(f"{who}: expected observations of shape (N, {self.obs_dim}), got {obs.shape}")
        check_nonempty(obs, who, "observation batch")
        return np.argmax(self.net.forward(obs), axis=1)

    def __call__(self, obs: np.ndarray) -> int:
        obs = as_float_array(obs, "GreedyPolicy", "observation")
        if obs.shape != (self.obs_dim,):
            raise ValueError(f"GreedyPolicy: expected an observation of shape ({self.obs_dim},), got {obs.shape}")
        return int(self.batch(obs[None, :])[0])
