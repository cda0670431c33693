"""What both RL trainers return, and the bookkeeping they share: greedy evaluations during
training, the best checkpoint, and the progress bar.

Derived in: pg-reinforce and dqn-instability (why the best checkpoint is kept).
"""

from __future__ import annotations

import dataclasses
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from tqdm.auto import tqdm

from companion._checks import check_instance, check_int, check_number
from companion.nn.module import Module, Sequential
from companion.rl.evaluate import evaluate
from companion.rl.policies import GreedyPolicy

__all__ = ["TrainResult", "Config", "make_config", "Tracker"]

# The trainer a configuration is being made for (so its errors name train_dqn, not DQNConfig).
_MAKER: ContextVar[str | None] = ContextVar("companion_rl_config_maker", default=None)


class Config:
    """Base of the trainers' frozen hyper-parameter dataclasses: every field is checked when one
    is made (directly, with ``dataclasses.replace`` or by a trainer's keyword overrides).

    Subclasses implement ``validate(who)``; errors name the trainer when a trainer made the
    configuration (``train_dqn: batch_size must be …``), the class otherwise. A list given
    for a field whose default is a tuple (``hidden=[64, 64]``) is stored as a tuple.

    Derived in: pg-reinforce (hyper-parameters are checked before any work starts).
    """

    def __post_init__(self) -> None:
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            if isinstance(f.default, tuple) and isinstance(getattr(self, f.name), list):
                object.__setattr__(self, f.name, tuple(getattr(self, f.name)))
        self.validate(_MAKER.get() or type(self).__name__)

    def validate(self, who: str) -> None:  # pragma: no cover - interface
        """Raise a TypeError or ValueError naming ``who`` and the field unless every field is valid."""
        raise NotImplementedError


@dataclass
class TrainResult:
    """The outcome of :func:`~companion.rl.train_reinforce` or :func:`~companion.rl.train_dqn`.

    Derived in: pg-reinforce, dqn-instability.

    Attributes
    ----------
    episode_returns : list of float
        Undiscounted return of every training episode, in the order they ended.
    episode_end_steps : list of int
        Environment steps taken (all environments together) when each of those episodes ended.
    policy : GreedyPolicy
        Deterministic policy (observation -> action) from the best greedy evaluation.
    config : dataclass
        Every hyper-parameter used.
    steps, seconds : int, float
        Environment steps and wall-clock seconds of the whole run (evaluations included).
    evaluations : list of (steps, seconds, mean return)
        The periodic greedy evaluations: ``config.eval_episodes`` episodes from fixed start states;
        when their mean reaches ``config.solved_return``, ``config.confirm_episodes`` more episodes
        from other start states confirm it and the mean over both sets is recorded (this keeps a checkpoint that was
        lucky on one set of starts from being kept, or from stopping training).
    best_return : float
        Mean greedy return of the kept checkpoint.
    solved_steps, solved_seconds : int or None, float or None
        When a greedy evaluation first averaged at least ``config.solved_return``.
    losses : list of float
        The training loss after each update (for policy gradients, *not* a performance measure).
    network : Sequential
        The final (not the best) network.
    """

    episode_returns: list[float]
    episode_end_steps: list[int]
    policy: GreedyPolicy
    config: Any
    steps: int
    seconds: float
    evaluations: list[tuple[int, float, float]]
    best_return: float
    solved_steps: int | None
    solved_seconds: float | None
    losses: list[float] = field(default_factory=list)
    network: Sequential | None = None

    def __post_init__(self) -> None:
        who = "TrainResult"
        for name in ("episode_returns", "episode_end_steps", "evaluations", "losses"):
            check_instance(getattr(self, name), list, name, who, "a list")
        if len(self.episode_returns) != len(self.episode_end_steps):
            raise ValueError(f"{who}: {len(self.episode_returns)} episode_returns but "
                             f"{len(self.episode_end_steps)} episode_end_steps; expected one per episode")
        check_instance(self.policy, GreedyPolicy, "policy", who, "a GreedyPolicy")
        check_instance(self.config, Config, "config", who, "a DQNConfig or ReinforceConfig")
        check_int(self.steps, "steps", who, low=0)
        check_number(self.seconds, "seconds", who, low=0.0)
        check_number(self.best_return, "best_return", who, finite=False)
        check_int(self.solved_steps, "solved_steps", who, low=0, none_ok=True)
        check_number(self.solved_seconds, "solved_seconds", who, low=0.0, none_ok=True)
        check_instance(self.network, Module, "network", who, "a companion.nn Module", none_ok=True)


def make_config(cls: type, config: Any, overrides: dict[str, Any], who: str) -> Any:
    """``config`` (or the defaults of ``cls``) with keyword ``overrides``, every field checked.

    Derived in: pg-reinforce.

    Parameters
    ----------
    cls : type
        A :class:`Config` dataclass (``DQNConfig``, ``ReinforceConfig``).
    config : instance of ``cls`` or None
        The starting point (None: the defaults).
    overrides : dict
        Field names and values (a trainer's ``**overrides``).
    who : str
        The trainer, named by every error.

    Raises
    ------
    TypeError
        ``config`` of another class, an unknown field name (as Python does for an unknown
        keyword), or a field of the wrong type.
    ValueError
        A field out of range.
    """
    if config is not None and not isinstance(config, cls):
        raise TypeError(f"{who}: config must be a {cls.__name__} or None, got {type(config).__name__}")
    names = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise TypeError(f"{who}: unknown hyper-parameter(s) {unknown}; known: {sorted(names)}")
    token = _MAKER.set(who)
    try:
        return cls(**overrides) if config is None else dataclasses.replace(config, **overrides)
    finally:
        _MAKER.reset(token)


class Tracker:
    """Episode returns, periodic greedy evaluations, the best checkpoint and the progress bar.

    Derived in: dqn-instability (why the best checkpoint is kept).
    """

    def __init__(self, env_id: str, net: Sequential, obs_dim: int, config: Any, seed: int, progress: bool) -> None:
        self.env_id, self.net, self.obs_dim, self.config = env_id, net, obs_dim, config
        self.eval_seed = 1_000_003 * (seed + 1)  # evaluation episodes never reuse training resets
        self.t0 = time.perf_counter()
        self.steps = 0
        self.returns: list[float] = []
        self.end_steps: list[int] = []
        self.evaluations: list[tuple[int, float, float]] = []
        self.best_return = -np.inf
        self.best = GreedyPolicy.snapshot(net, obs_dim)
        self.solved: tuple[int, float] | None = None
        self.last_eval = 0
        self.losses: list[float] = []
        self.bar = tqdm(total=config.total_steps, disable=not progress, unit="step", leave=False)

    def episode(self, ret: float) -> None:
        self.returns.append(float(ret))
        self.end_steps.append(self.steps)

    def advance(self, n: int) -> None:
        self.steps += n
        self.bar.update(n)

    def maybe_evaluate(self, force: bool = False) -> bool:
        """Evaluate greedily if due; return True when training should stop (target reached)."""
        cfg = self.config
        if not force and self.steps - self.last_eval < cfg.eval_every:
            return False
        self.last_eval = self.steps
        candidate = GreedyPolicy.snapshot(self.net, self.obs_dim)
        returns = evaluate(candidate, self.env_id, cfg.eval_episodes, self.eval_seed)
        if returns.mean() >= cfg.solved_return:  # confirm on fresh episodes before believing it
            more = evaluate(candidate, self.env_id, cfg.confirm_episodes, self.eval_seed + 100_000)
            returns = np.concatenate([returns, more])
        score = float(np.mean(returns))
        now = time.perf_counter() - self.t0
        self.evaluations.append((self.steps, now, score))
        if score >= self.best_return:
            self.best_return, self.best = score, candidate
        if self.solved is None and score >= cfg.solved_return:
            self.solved = (self.steps, now)
        recent = np.mean(self.returns[-20:]) if self.returns else 0.0
        self.bar.set_postfix(ret=f"{recent:.0f}", greedy=f"{score:.0f}", best=f"{self.best_return:.0f}")
        return cfg.stop_return is not None and score >= cfg.stop_return

    def result(self) -> TrainResult:
        self.bar.close()
        return TrainResult(
            episode_returns=self.returns,
            episode_end_steps=self.end_steps,
            policy=self.best,
            config=self.config,
            steps=self.steps,
            seconds=time.perf_counter() - self.t0,
            evaluations=self.evaluations,
            best_return=float(self.best_return),
            solved_steps=None if self.solved is None else self.solved[0],
            solved_seconds=None if self.solved is None else self.solved[1],
            losses=self.losses,
            network=self.net,
        )
