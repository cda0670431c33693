"""Deep Q-learning (DQN): one Q value per action, the loss on the chosen action only.

Derived in: dqn-q-per-action, dqn-gather-mask, dqn-ingredients, dqn-cartpole, dqn-instability.

A replay record ``(s, a, r, s', terminated)`` holds *one* action, while the network outputs
``Q(s, ·)`` for every action. The loss compares only ``Q(s, a)`` with the target
``y = r + γ (1 − terminated) max_a' Q_target(s', a')``; the other outputs get exactly zero
gradient. Two equivalent ways to pick ``Q(s, a)``: gather by index (:func:`q_loss_gather`) or
multiply by a one-hot mask (:func:`q_loss_onehot`).
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from companion._checks import (as_float_array, as_rng, check_bool, check_callable, check_choice, check_int,
                              check_int_tuple, check_number, check_positive, check_probability)
from companion._deprecation import warn_deprecated
from companion._progress import show_progress
from companion.nn.losses import huber_loss, mse_loss
from companion.nn.module import Sequential
from companion.nn.optim import Adam, clip_grad_norm
from companion.rl.envs import check_env_id, env_dims, make_env
from companion.rl.policies import mlp
from companion.rl.training import Config, Tracker, TrainResult, make_config

__all__ = ["q_loss_gather", "q_loss_onehot", "linear_epsilon", "ReplayBuffer", "DQNConfig", "train_dqn", "LOSSES"]

LOSSES = ("huber", "squared")  # the old string spellings of huber_loss and mse_loss (deprecated)
LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]


def _resolve_loss(loss: Any, huber_delta: Any, who: str) -> LossFn:
    """``loss`` as a callable ``(pred, target) -> (loss, dpred)``, as :func:`companion.nn.fit` takes it.

    The old spellings still work and warn once: ``"huber"``/``"squared"`` for
    :func:`~companion.nn.huber_loss`/:func:`~companion.nn.mse_loss`, and ``huber_delta=κ`` for
    ``functools.partial(huber_loss, delta=κ)``.
    """
    if isinstance(loss, str):
        kind = check_choice(loss, "loss", who, LOSSES)
        new = "mse_loss" if kind == "squared" else "huber_loss"
        warn_deprecated(f"{who}.loss={kind}", f"{who}(loss={kind!r}) is deprecated: pass loss={new} "
                                              f"(from companion.nn), a callable as fit takes", stacklevel=5)
        loss = mse_loss if kind == "squared" else huber_loss
    check_callable(loss, "loss", who, "(pred, target) -> (loss, dpred), such as huber_loss")
    if huber_delta is None:
        return loss
    huber_delta = check_positive(huber_delta, "huber_delta", who)
    if loss is not huber_loss:
        name = getattr(loss, "__name__", loss)
        raise TypeError(f"{who}: huber_delta applies to huber_loss only, got loss={name!r}")
    warn_deprecated(f"{who}.huber_delta", f"{who}(huber_delta=...) is deprecated: pass "
                                          "loss=functools.partial(huber_loss, delta=...)", stacklevel=5)
    return functools.partial(huber_loss, delta=huber_delta)


def _chosen_loss(loss: LossFn, chosen: np.ndarray, targets: np.ndarray, who: str) -> tuple[float, np.ndarray]:
    """Call ``loss`` on the chosen actions' Q values and check what it returns."""
    out = loss(chosen, targets)
    if not (isinstance(out, tuple) and len(out) == 2):
        raise TypeError(f"{who}: loss must return (loss, dpred), got {type(out).__name__}")
    value = check_number(out[0], "the loss's value", who, finite=False)
    slope = as_float_array(out[1], who, "the loss's dpred", dtype=chosen.dtype)
    if slope.shape != chosen.shape:
        raise ValueError(f"{who}: loss returned dpred of shape {slope.shape} for pred of shape {chosen.shape}")
    return value, slope


def _check_q(q: np.ndarray, actions: np.ndarray, targets: np.ndarray, loss: Any, huber_delta: Any, who: str):
    loss = _resolve_loss(loss, huber_delta, who)
    q = as_float_array(q, who, "q")
    if q.ndim != 2:
        raise ValueError(f"{who}: expected q of shape (N, n_actions), got {q.shape}")
    n, k = q.shape
    actions = np.asarray(actions)
    if actions.dtype.kind not in "iu" or actions.shape != (n,):
        raise ValueError(f"{who}: expected integer actions of shape ({n},), got {actions.dtype} {actions.shape}")
    if n and (actions.min() < 0 or actions.max() >= k):
        raise ValueError(f"{who}: actions must lie in [0, {k}), got values from {actions.min()} to {actions.max()}")
    targets = as_float_array(targets, who, "targets", dtype=q.dtype)
    if targets.shape != (n,):
        raise ValueError(f"{who}: expected targets of shape ({n},), got {targets.shape}")
    if n == 0 or k == 0:
        raise ValueError(f"{who}: empty batch (q has shape {q.shape})")
    return q, actions, targets, loss


def q_loss_gather(
    q: np.ndarray, actions: np.ndarray, targets: np.ndarray, *, loss: LossFn = huber_loss,
    huber_delta: float | None = None,
) -> tuple[float, np.ndarray]:
    """Mean loss of ``Q(s_i, a_i) − y_i`` picking ``Q(s_i, a_i)`` by index, and dL/dq.

    Parameters
    ----------
    q : array (N, n_actions)
        The network's outputs, one Q value per action.
    actions : int array (N,)
        The action stored in each replay record.
    targets : array (N,)
        The TD targets ``y_i`` (treated as constants).
    loss : callable ``(pred, target) -> (loss, dpred)``
        Applied to the N chosen Q values and the targets, as :func:`companion.nn.fit` applies
        its loss: :func:`~companion.nn.huber_loss` (default; ½δ² inside ±1, linear outside)
        or :func:`~companion.nn.mse_loss` (``(1/N) Σ δ²``), PyTorch's ``F.huber_loss`` and
        ``F.mse_loss``. Another threshold κ: ``functools.partial(huber_loss, delta=κ)``. The
        strings ``"huber"`` and ``"squared"`` still work and warn once.
    huber_delta : float, deprecated
        The old spelling of the Huber threshold (with ``loss=huber_loss``); warns once.

    Returns
    -------
    loss : float
    dq : array (N, n_actions)
        Non-zero only at ``(i, actions[i])``: every other action's output gets exactly zero gradient.

    Derived in: dqn-gather-mask.
    """
    who = "q_loss_gather"
    q, actions, targets, loss = _check_q(q, actions, targets, loss, huber_delta, who)
    return _gather(loss, q, actions, targets, who)


def _gather(loss: LossFn, q: np.ndarray, actions: np.ndarray, targets: np.ndarray,
            who: str) -> tuple[float, np.ndarray]:
    """:func:`q_loss_gather` on arguments already checked (``train_dqn`` makes them itself)."""
    rows = np.arange(q.shape[0])
    value, slope = _chosen_loss(loss, q[rows, actions], targets, who)
    dq = np.zeros_like(q)
    dq[rows, actions] = slope
    return value, dq


def q_loss_onehot(
    q: np.ndarray, actions: np.ndarray, targets: np.ndarray, *, loss: LossFn = huber_loss,
    huber_delta: float | None = None,
) -> tuple[float, np.ndarray]:
    """The same loss as :func:`q_loss_gather`, picking ``Q(s, a)`` as ``Σ_a' Q(s, a') · onehot(a)_a'``.

    The mask multiplies the gradient too, so the other actions' entries of ``dq`` are zero.
    Derived in: dqn-gather-mask.
    """
    who = "q_loss_onehot"
    q, actions, targets, loss = _check_q(q, actions, targets, loss, huber_delta, who)
    mask = (actions[:, None] == np.arange(q.shape[1])[None, :]).astype(q.dtype)
    value, slope = _chosen_loss(loss, (q * mask).sum(axis=1), targets, who)
    return value, mask * slope[:, None]


def linear_epsilon(step: int, start: float = 1.0, end: float = 0.05, decay_steps: int = 10_000) -> float:
    """ε for ε-greedy exploration: linear from ``start`` to ``end`` over ``decay_steps``, then flat.

    Derived in: dqn-ingredients.

    Parameters
    ----------
    step : int
        Environment steps taken so far (>= 0).
    start, end : float
        ε at step 0 and after the decay, each in [0, 1].
    decay_steps : int
        Length of the linear decay (>= 0; 0 means ``end`` from the start).

    Returns
    -------
    float
        ε in [0, 1].
    """
    who = "linear_epsilon"
    step = check_int(step, "step", who, low=0)
    start, end = check_probability(start, "start", who), check_probability(end, "end", who)
    decay_steps = check_int(decay_steps, "decay_steps", who, low=0)
    return _epsilon(step, start, end, decay_steps)


def _epsilon(step: int, start: float, end: float, decay_steps: int) -> float:
    """:func:`linear_epsilon` on checked arguments (``train_dqn`` calls it every step)."""
    if decay_steps == 0:
        return end
    frac = min(step / decay_steps, 1.0)
    return float(start + frac * (end - start))


class ReplayBuffer:
    """A ring buffer of transitions ``(s, a, r, s', terminated)``, sampled uniformly.

    Derived in: dqn-ingredients (replay breaks the correlation between consecutive samples).

    Parameters
    ----------
    capacity : int
        Transitions kept (>= 1); the oldest is overwritten when full.
    obs_dim : int
        Length of an observation (>= 1).
    """

    def __init__(self, capacity: int, obs_dim: int) -> None:
        self.capacity = check_int(capacity, "capacity", "ReplayBuffer")
        self.obs_dim = check_int(obs_dim, "obs_dim", "ReplayBuffer")
        self.obs = np.zeros((self.capacity, self.obs_dim))
        self.next_obs = np.zeros((self.capacity, self.obs_dim))
        self.actions = np.zeros(self.capacity, dtype=np.int64)
        self.rewards = np.zeros(self.capacity)
        self.terminated = np.zeros(self.capacity)
        self.size = 0
        self._pos = 0

    def add(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """Store one transition, overwriting the oldest when full.

        ``obs`` and ``next_obs`` are finite arrays of shape ``(obs_dim,)``, ``action`` an integer
        >= 0, ``reward`` a finite number and ``terminated`` True or False (a truncated episode is
        not terminated: its target still bootstraps).
        """
        who = "ReplayBuffer.add"
        obs, next_obs = as_float_array(obs, who, "obs"), as_float_array(next_obs, who, "next_obs")
        for name, o in (("obs", obs), ("next_obs", next_obs)):
            if o.shape != (self.obs_dim,):
                raise ValueError(f"{who}: expected {name} of shape ({self.obs_dim},), got {o.shape}")
        action = check_int(action, "action", who, low=0)
        reward = check_number(reward, "reward", who)
        terminated = check_bool(terminated, "terminated", who)
        self._put(obs, action, reward, next_obs, terminated)

    def _put(self, obs: np.ndarray, action: int, reward: float, next_obs: np.ndarray, terminated: bool) -> None:
        """:meth:`add` without its checks, for ``train_dqn``, which makes every field itself."""
        i = self._pos
        self.obs[i], self.actions[i], self.rewards[i] = obs, action, reward
        self.next_obs[i], self.terminated[i] = next_obs, float(terminated)
        self._pos = (i + 1) % self.capacity
        self.size = min(self.size + 1, self.capacity)

    def sample(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """``(obs, actions, rewards, next_obs, terminated)`` for ``batch_size`` uniform draws (with
        replacement) from ``rng`` (a numpy Generator or an int seed)."""
        who = "ReplayBuffer.sample"
        batch_size = check_int(batch_size, "batch_size", who)
        rng = as_rng(rng, "rng", who)
        if self.size == 0:
            raise ValueError(f"{who}: the buffer is empty")
        return self._draw(batch_size, rng)

    def _draw(self, batch_size: int, rng: np.random.Generator) -> tuple[np.ndarray, ...]:
        """:meth:`sample` without its checks, for ``train_dqn`` (a filled buffer, its own rng)."""
        idx = rng.integers(0, self.size, size=batch_size)
        return self.obs[idx], self.actions[idx], self.rewards[idx], self.next_obs[idx], self.terminated[idx]

    def __len__(self) -> int:
        return self.size


@dataclass(frozen=True)
class DQNConfig(Config):
    """Hyper-parameters of :func:`train_dqn`; the defaults are the tuned configuration.

    Training alternates phases: ``train_every`` environment steps with ε-greedy actions, then
    ``gradient_steps`` updates on replayed batches; the target network is copied from the online
    one every ``target_update`` environment steps (here: once per phase). ``total_steps`` is a
    budget: training stops early once a greedy evaluation averages ``stop_return``
    (``None``: never). ``loss`` is a callable ``(pred, target) -> (loss, dpred)`` applied to the
    chosen actions' Q values, as :func:`q_loss_gather` takes it: :func:`~companion.nn.huber_loss`
    (default) or :func:`~companion.nn.mse_loss`; the old strings ``"huber"``/``"squared"`` are
    turned into those and warn once.

    Derived in: dqn-ingredients, dqn-cartpole, dqn-instability.
    """

    total_steps: int = 100_000
    lr: float = 3e-3
    gamma: float = 0.98
    hidden: tuple[int, ...] = (64, 64)
    batch_size: int = 64
    buffer_size: int = 100_000
    learning_starts: int = 1_000
    train_every: int = 256
    gradient_steps: int = 128
    target_update: int = 256
    eps_start: float = 1.0
    eps_end: float = 0.04
    eps_decay_steps: int = 5_000
    loss: LossFn = huber_loss
    double: bool = False
    max_grad_norm: float | None = 10.0
    eval_every: int = 1_024
    eval_episodes: int = 20
    confirm_episodes: int = 80
    solved_return: float = 475.0
    stop_return: float | None = 500.0

    def validate(self, who: str = "DQNConfig") -> None:
        """Check every field (a TypeError or ValueError naming ``who`` and the field)."""
        for name in ("total_steps", "batch_size", "buffer_size", "train_every", "gradient_steps", "target_update",
                     "eval_every", "eval_episodes", "confirm_episodes"):
            check_int(getattr(self, name), name, who)
        for name in ("learning_starts", "eps_decay_steps"):
            check_int(getattr(self, name), name, who, low=0)
        check_positive(self.lr, "lr", who)
        for name in ("gamma", "eps_start", "eps_end"):
            check_probability(getattr(self, name), name, who)
        check_int_tuple(self.hidden, "hidden", who)
        object.__setattr__(self, "loss", _resolve_loss(self.loss, None, who))  # "huber" → huber_loss
        check_bool(self.double, "double", who)
        check_positive(self.max_grad_norm, "max_grad_norm", who, none_ok=True)
        check_number(self.solved_return, "solved_return", who)
        check_number(self.stop_return, "stop_return", who, none_ok=True)


def _observation(obs: Any, obs_dim: int, env_id: str) -> np.ndarray:
    """An environment's observation as float64, refused if it is not finite (it would poison
    the replay buffer and every Q value after it)."""
    obs = np.asarray(obs, dtype=np.float64)
    if obs.shape != (obs_dim,) or not np.isfinite(obs).all():
        raise ValueError(f"train_dqn: {env_id} returned the observation {obs!r}; expected {obs_dim} finite numbers")
    return obs


def _dqn_update(net: Sequential, target: Sequential, opt: Adam, buffer: ReplayBuffer, cfg: DQNConfig,
                rng: np.random.Generator) -> float:
    """One gradient step on a replayed batch; returns the loss. Derived in: dqn-cartpole."""
    s, a, rew, s2, done = buffer._draw(cfg.batch_size, rng)
    q_next = target.forward(s2)
    if cfg.double:  # the online net picks a', the target net scores it
        best_next = q_next[np.arange(len(a)), np.argmax(net.forward(s2), axis=1)]
    else:
        best_next = q_next.max(axis=1)
    y = rew + cfg.gamma * (1.0 - done) * best_next
    loss, dq = _gather(cfg.loss, net.forward(s), a, y, "train_dqn")
    if not np.isfinite(loss):  # q_loss_gather would refuse such Q values; so does training
        raise ValueError(f"train_dqn: the loss became {loss}: the Q values diverged or the loss "
                         "function is not finite (try a smaller lr or max_grad_norm)")
    net.backward(dq, input_grad=False)  # nobody needs dL/d(observation)
    if cfg.max_grad_norm is not None:
        clip_grad_norm(net, cfg.max_grad_norm)
    opt.step()
    return loss


def train_dqn(
    env_id: str = "CartPole-v1",
    *,
    seed: int,
    config: DQNConfig | None = None,
    progress: bool | None = None,
    **overrides: object,
) -> TrainResult:
    """Train a Q network with DQN: replay buffer, target network, ε-greedy, Huber loss, Adam.

    Parameters
    ----------
    env_id : str
        Gymnasium id with a discrete action space and a 1-D observation.
    seed : int
        Seeds the network, exploration, replay sampling and every environment reset.
    config : DQNConfig, optional
        Hyper-parameters (default: the tuned configuration).
    progress : bool or None
        Show a tqdm progress bar with the running return; None (default): shown when run
        live, hidden while the book is built.
    **overrides
        Any field of :class:`DQNConfig`, e.g. ``lr=3e-4`` or ``stop_return=None``.

    Returns
    -------
    TrainResult
        ``episode_returns``, the greedy ``policy`` of the best evaluation (DQN is unstable; the
        last network may be much worse), ``config``, ``steps``/``seconds``, the evaluations and losses.

    Derived in: dqn-cartpole.
    """
    who = "train_dqn"
    seed = check_int(seed, "seed", who, low=0)
    cfg = make_config(DQNConfig, config, overrides, who)
    show = show_progress(progress, who)
    check_env_id(env_id, who)  # everything is checked before an environment is made
    env = make_env(env_id, who)
    obs_dim, n_actions = env_dims(env)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed)
    net = mlp(obs_dim, n_actions, cfg.hidden, activation="relu", rng=rng)
    target = copy.deepcopy(net)
    opt = Adam(net, lr=cfg.lr)
    buffer = ReplayBuffer(cfg.buffer_size, obs_dim)
    tracker = Tracker(env_id, net, obs_dim, cfg, seed, show)
    episode = 0
    obs = _observation(env.reset(seed=seed * 100_003)[0], obs_dim, env_id)
    ep_return = 0.0
    while tracker.steps < cfg.total_steps:
        eps = _epsilon(tracker.steps, cfg.eps_start, cfg.eps_end, cfg.eps_decay_steps)
        if rng.random() < eps:
            action = int(env.action_space.sample())
        else:
            action = int(np.argmax(net.forward(obs[None, :])[0]))
        next_obs, r, term, trunc, _ = env.step(action)
        next_obs, r = _observation(next_obs, obs_dim, env_id), float(r)
        if not np.isfinite(r):
            raise ValueError(f"train_dqn: {env_id} returned the reward {r}; expected a finite number")
        buffer._put(obs, action, r, next_obs, bool(term))  # truncation is not an end: bootstrap
        ep_return += r
        obs = next_obs
        tracker.advance(1)
        if term or trunc:
            tracker.episode(ep_return)
            episode += 1
            obs = _observation(env.reset(seed=seed * 100_003 + episode)[0], obs_dim, env_id)
            ep_return = 0.0
        if tracker.steps >= cfg.learning_starts and tracker.steps % cfg.train_every == 0:
            for _ in range(cfg.gradient_steps):
                tracker.losses.append(_dqn_update(net, target, opt, buffer, cfg, rng))
        if tracker.steps % cfg.target_update == 0:
            for k, p in target.params.items():
                p[...] = net.params[k]
        if tracker.maybe_evaluate():
            break
    if not tracker.evaluations or tracker.last_eval != tracker.steps:
        tracker.maybe_evaluate(force=True)
    env.close()
    return tracker.result()
