"""A multi-armed bandit with a softmax policy: the one place the policy gradient is known exactly.

Derived in: Policy gradients §2 (the log-derivative trick checked on a bandit).

With ``K`` arms, preferences ``θ`` and policy ``π = softmax(θ)``, arm ``a`` pays a reward with
mean ``μ_a``. The objective and its gradient are

    J(θ) = Σ_a π_a μ_a,        ∂J/∂θ_b = π_b (μ_b − J(θ)),

and the score-function (REINFORCE) estimate from one pull ``a ~ π`` with reward ``r`` is
``(r − b) ∇θ log π_a = (r − b) (e_a − π)`` for any constant baseline ``b``.
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array
from companion.nn.losses import softmax
from companion.rl.envs import check_positive_int


def _check(theta: np.ndarray, means: np.ndarray, who: str) -> tuple[np.ndarray, np.ndarray]:
    theta = as_float_array(theta, who, "theta", dtype=np.float64)
    means = as_float_array(means, who, "means", dtype=np.float64)
    if theta.ndim != 1 or theta.shape != means.shape or theta.size < 2:
        raise ValueError(
            f"{who}: theta and means must be 1-D of the same length K >= 2, got shapes {theta.shape} and {means.shape}"
        )
    return theta, means


def bandit_objective(theta: np.ndarray, means: np.ndarray) -> float:
    """Expected reward ``J(θ) = Σ_a softmax(θ)_a μ_a``. Derived in: Policy gradients §2."""
    theta, means = _check(theta, means, "bandit_objective")
    return float(softmax(theta) @ means)


def bandit_gradient(theta: np.ndarray, means: np.ndarray) -> np.ndarray:
    """Exact ``∇θ J = π ⊙ (μ − J)`` in closed form. Derived in: Policy gradients §2."""
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

    Returns
    -------
    numpy.ndarray
        Shape ``(n_samples, K)``: one gradient estimate per row.

    Derived in: Policy gradients §2.
    """
    who = "score_function_samples"
    theta, means = _check(theta, means, who)
    n = check_positive_int(n_samples, "n_samples", who)
    if not (np.isfinite(reward_std) and reward_std >= 0):
        raise ValueError(f"{who}: reward_std must be a non-negative number, got {reward_std!r}")
    if not np.isfinite(baseline):
        raise ValueError(f"{who}: baseline must be a finite number, got {baseline!r}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
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

    Returns
    -------
    numpy.ndarray
        Shape ``(steps + 1, K)``: ``softmax(θ_t)`` for ``t = 0..steps``.

    Derived in: Policy gradients §3.
    """
    who = "bandit_ascent"
    theta, means = _check(theta0, means, who)
    steps = check_positive_int(steps, "steps", who, allow_zero=True)
    check_positive_int(n_samples, "n_samples", who)
    if not (np.isfinite(lr) and lr > 0):
        raise ValueError(f"{who}: lr must be a positive number, got {lr!r}")
    rng = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
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
