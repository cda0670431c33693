"""A multi-armed bandit with a softmax policy: the one place the policy gradient is known exactly.

Derived in: pg-bandit (the log-derivative trick checked on a bandit).

With ``K`` arms, preferences ``θ`` and policy ``π = softmax(θ)``, arm ``a`` pays a reward with
mean ``μ_a``. The objective and its gradient are

    J(θ) = Σ_a π_a μ_a,        ∂J/∂θ_b = π_b (μ_b − J(θ)),

and the score-function (REINFORCE) estimate from one pull ``a ~ π`` with reward ``r`` is
``(r − b) ∇θ log π_a = (r − b) (e_a − π)`` for any constant baseline ``b``.
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array, as_rng, check_bool, check_int, check_number, check_positive
from companion.nn.losses import softmax

__all__ = ["bandit_objective", "bandit_gradient", "score_function_samples", "bandit_ascent"]


def _check(theta: np.ndarray, means: np.ndarray, who: str, name: str = "theta") -> tuple[np.ndarray, np.ndarray]:
    theta = as_float_array(theta, who, name, dtype=np.float64)
    means = as_float_array(means, who, "means", dtype=np.float64)
    if theta.ndim != 1 or theta.shape != means.shape or theta.size < 2:
        raise ValueError(
            f"{who}: {name} and means must be 1-D of the same length K >= 2, got shapes {theta.shape} "
            f"and {means.shape}"
        )
    return theta, means


def bandit_objective(theta: np.ndarray, means: np.ndarray) -> float:
    """Expected reward ``J(θ) = Σ_a softmax(θ)_a μ_a``. Derived in: pg-bandit.

    Parameters
    ----------
    theta : array_like of shape (K,)
        Preferences, one per arm (K >= 2, finite).
    means : array_like of shape (K,)
        Mean reward of each arm (finite).

    Returns
    -------
    float
    """
    theta, means = _check(theta, means, "bandit_objective")
    return float(softmax(theta) @ means)


def bandit_gradient(theta: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Exact ``∇θ J = π ⊙ (μ − J)`` in closed form. Derived in: pg-bandit.

    Parameters
    ----------
    theta, means : array_like of shape (K,)
        As for :func:`bandit_objective`.

    Returns
    -------
    array of shape (K,)
    """
    theta, means = _check(theta, means, "bandit_gradient")
    pi = softmax(theta)
    return pi * (means - pi @ means)


def score_function_samples(
    theta: np.ndarray,
    means: np.ndarray,
    n_samples: int,
    *,
    rng: np.random.Generator | int | None = None,
    reward_std: float = 1.0,
    baseline: float = 0.0,
) -> np.ndarray:
    """``n_samples`` independent one-pull estimates ``(r − b)(e_a − π)`` of ``∇θ J``.

    Arms are drawn from ``π = softmax(θ)``; rewards are normal with mean ``μ_a`` and standard
    deviation ``reward_std``. Their mean is an unbiased estimate of :func:`bandit_gradient`
    for any constant ``baseline``; a good baseline only shrinks the spread.

    Parameters
    ----------
    theta, means : array_like of shape (K,)
        As for :func:`bandit_objective`.
    n_samples : int
        Number of pulls (>= 1).
    rng : numpy Generator, int or None
        Source of the arms and rewards.
    reward_std : float
        Standard deviation of a reward around its arm's mean (>= 0).
    baseline : float
        The constant ``b`` subtracted from every reward (finite).

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples, K)``: one gradient estimate per row.

    Derived in: pg-bandit.
    """
    who = "score_function_samples"
    theta, means = _check(theta, means, who)
    n = check_int(n_samples, "n_samples", who)
    rng = as_rng(rng, "rng", who)
    reward_std = check_number(reward_std, "reward_std", who, low=0.0)
    baseline = check_number(baseline, "baseline", who)
    pi = softmax(theta)
    arms = rng.choice(theta.size, size=n, p=pi)
    rewards = means[arms] + reward_std * rng.standard_normal(n)
    score = -np.broadcast_to(pi, (n, theta.size)).copy()
    score[np.arange(n), arms] += 1.0  # ∇θ log π_a = e_a − π
    return (rewards - baseline)[:, None] * score


def bandit_ascent(
    theta0: np.ndarray,
    means: np.ndarray,
    *,
    lr: float,
    steps: int,
    n_samples: int,
    rng: np.random.Generator | int | None = None,
    reward_std: float = 1.0,
    baseline: bool = True,
) -> np.ndarray:
    """Stochastic gradient *ascent* on ``J`` with score-function estimates; the policy after each step.

    With ``baseline=True`` each step subtracts the mean reward of an independent batch of
    pulls (so the baseline does not depend on the samples it multiplies).

    Parameters
    ----------
    theta0, means : array_like of shape (K,)
        Initial preferences and the arms' mean rewards (K >= 2, finite).
    lr : float
        Step size (> 0).
    steps : int
        Number of updates (>= 0).
    n_samples : int
        Pulls per gradient estimate (>= 1).
    rng : numpy Generator, int or None
        Source of the pulls.
    reward_std : float
        Standard deviation of a reward (>= 0).
    baseline : bool
        Subtract the mean reward of an independent batch.

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1, K)``: ``softmax(θ_t)`` for ``t = 0..steps``.

    Derived in: pg-shift.
    """
    who = "bandit_ascent"
    theta, means = _check(theta0, means, who, "theta0")
    lr = check_positive(lr, "lr", who)
    steps = check_int(steps, "steps", who, low=0)
    n_samples = check_int(n_samples, "n_samples", who)
    rng = as_rng(rng, "rng", who)
    reward_std = check_number(reward_std, "reward_std", who, low=0.0)
    baseline = check_bool(baseline, "baseline", who)
    theta = theta.copy()
    history = [softmax(theta)]
    for _ in range(steps):
        b = 0.0
        if baseline:
            pi = softmax(theta)
            arms = rng.choice(theta.size, size=n_samples, p=pi)
            b = float(np.mean(means[arms] + reward_std * rng.standard_normal(n_samples)))
        g = score_function_samples(theta, means, n_samples, rng=rng, reward_std=reward_std, baseline=b).mean(axis=0)
        theta += lr * g  # ascent: climb J, do not solve ∇J = 0
        history.append(softmax(theta))
    return np.array(history)
