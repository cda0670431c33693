"""A training loop that keeps a history.

Derived in: batch-online-minibatch-full (online, mini-batch and full-batch training),
batch-stuck-at-chance (accuracy) and batch-keeping-gradients (per-layer gradient norms, copies
of gradients).

One step of :func:`fit` is: ``zero_grad`` → forward → loss → backward → record → ``optimizer.step()``.
The record is taken *before* the next step's ``zero_grad`` and ``backward`` overwrite the gradient
arrays in place; copies are kept with ``.copy()`` (a saved reference would change with them, Q23).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from companion._checks import (as_float_array, as_real_array, as_rng, check_bool, check_callable, check_class_labels,
                              check_instance, check_int, check_ndim, check_number, check_str)
from companion.nn.module import Module

__all__ = ["accuracy", "iterate_minibatches", "History", "fit"]

LossFn = Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
Metric = Callable[[np.ndarray, np.ndarray], float]

def accuracy(scores: np.ndarray, labels: np.ndarray) -> float:
    """Fraction of rows whose largest score is at the true label. Derived in: batch-stuck-at-chance.

    Parameters
    ----------
    scores : array of shape (N, C)
        Class scores (logits or probabilities); the prediction is ``argmax`` over classes.
    labels : int array of shape (N,)
        True classes in ``[0, C)``.

    Returns
    -------
    float
        In ``[0, 1]``.

    Raises
    ------
    ValueError
        On shape mismatches, non-integer labels, or labels outside ``[0, C)``: an output layer
        with fewer units than classes cannot be right for those labels (Q20), so this is
        reported rather than silently scored.
    """
    who = "accuracy"
    scores = as_float_array(scores, who, "scores")
    check_ndim(scores, 2, who, "(N, C)", "scores")
    labels = check_class_labels(scores, labels, who)
    return float(np.mean(np.argmax(scores, axis=1) == labels))


def _check_xy(x: Any, y: Any, who: str, names: tuple[str, str] = ("x", "y")) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, who, names[0])
    y = as_real_array(y, who, names[1] + " (labels or targets)")
    if y.dtype.kind == "f":
        y = as_float_array(y, who, names[1])  # no NaN or infinity among the targets
    if x.ndim < 1 or y.ndim < 1:
        raise ValueError(
            f"{who}: {names[0]} and {names[1]} need a leading sample axis, got shapes {x.shape} and {y.shape}"
        )
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"{who}: {names[0]} has {x.shape[0]} samples (shape {x.shape}) but {names[1]} has {y.shape[0]} "
            f"(shape {y.shape}); expected the same leading dimension"
        )
    if x.shape[0] == 0:
        raise ValueError(f"{who}: {names[0]} is empty")
    return x, y


def iterate_minibatches(
    x: np.ndarray,
    y: np.ndarray,
    batch_size: int | None = None,
    *,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(x_batch, y_batch)`` covering the data once (one epoch). Derived in: batch-online-minibatch-full.

    Parameters
    ----------
    x, y : arrays with the same leading dimension N
    batch_size : int or None
        ``None`` is the full batch (one batch of N), ``1`` is online learning; otherwise
        ``ceil(N / batch_size)`` batches, the last one smaller unless ``drop_last``.
    shuffle : bool
        Visit the samples in a random order (drawn from ``rng``).
    rng : numpy Generator, int or None
        Source of the order; an int is a seed.
    drop_last : bool
        Skip a final batch smaller than ``batch_size``.

    Returns
    -------
    iterator of (x_batch, y_batch)
        The arguments are checked when the function is called, not when the first batch is drawn.
    """
    who = "iterate_minibatches"
    x, y = _check_xy(x, y, who)
    batch_size = check_int(batch_size, "batch_size", who, none_ok=True)
    shuffle = check_bool(shuffle, "shuffle", who)
    drop_last = check_bool(drop_last, "drop_last", who)
    gen = as_rng(rng, "rng", who)
    n = x.shape[0]
    b = n if batch_size is None else min(batch_size, n)
    return _batches(x, y, b, gen.permutation(n) if shuffle else None, drop_last)


def _batches(x: np.ndarray, y: np.ndarray, b: int, order: np.ndarray | None,
             drop_last: bool) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    n = x.shape[0]
    for start in range(0, n, b):
        if drop_last and start + b > n:
            break
        if order is None:  # in order: slices are views, no copy
            yield x[start : start + b], y[start : start + b]
        else:
            idx = order[start : start + b]
            yield x[idx], y[idx]


@dataclass
class History:
    """What :func:`fit` recorded. Derived in: batch-online-minibatch-full and batch-keeping-gradients.

    Attributes
    ----------
    loss : list of float
        The loss of every step (the mini-batch's mean loss, in training mode).
    batch_sizes : list of int
        Samples in every step's batch.
    epoch_loss : list of float
        Per epoch, the sample-weighted mean of its steps' losses.
    grad_norms : dict of str to list of float
        Per step, the Euclidean norm of every gradient array, keyed like ``model.grads``
        (``"0.W"``, ``"0.b"``, …), taken after ``backward`` and before the update.
    grads : list of dict
        When ``keep_grads``: per step, ``{key: grads[key].copy()}`` — copies, so later
        steps and ``zero_grad`` do not change them.
    metrics : dict of str to list of float
        Per epoch, in eval mode: each metric on the training data under its own name, and
        ``"val_loss"`` and ``"val_<name>"`` on the validation data when given.
    steps_per_epoch : int
    diverged : bool
        Training stopped because the loss became non-finite or grew beyond
        ``diverge_factor`` times the first step's loss.
    seconds : float
        Wall-clock time of the whole fit.
    """

    loss: list[float] = field(default_factory=list)
    batch_sizes: list[int] = field(default_factory=list)
    epoch_loss: list[float] = field(default_factory=list)
    grad_norms: dict[str, list[float]] = field(default_factory=dict)
    grads: list[dict[str, np.ndarray]] = field(default_factory=list)
    metrics: dict[str, list[float]] = field(default_factory=dict)
    steps_per_epoch: int = 0
    diverged: bool = False
    seconds: float = 0.0

    def __post_init__(self) -> None:
        who = "History"
        for name in ("loss", "batch_sizes", "epoch_loss", "grads"):
            check_instance(getattr(self, name), list, name, who, "a list")
        for name in ("grad_norms", "metrics"):
            check_instance(getattr(self, name), dict, name, who, "a dict")
        check_int(self.steps_per_epoch, "steps_per_epoch", who, low=0)
        check_bool(self.diverged, "diverged", who)
        check_number(self.seconds, "seconds", who, low=0.0)

    @property
    def steps(self) -> int:
        """Number of optimiser steps taken."""
        return len(self.loss)

    def layer_grad_norms(self) -> dict[str, np.ndarray]:
        """Per layer (key prefix before the last ``.``), the norm of all its gradients, per step.

        ``"0.W"`` and ``"0.b"`` combine into ``"0"``: ``sqrt(|dW|² + |db|²)``. A key without a
        dot is its own layer.
        """
        out: dict[str, np.ndarray] = {}
        for key, norms in self.grad_norms.items():
            layer = key.rsplit(".", 1)[0] if "." in key else key
            sq = np.asarray(norms, dtype=np.float64) ** 2
            out[layer] = out[layer] + sq if layer in out else sq
        return {k: np.sqrt(v) for k, v in out.items()}


def _evaluate(model: Module, x: np.ndarray, y: np.ndarray, loss: LossFn | None, metrics: dict[str, Metric],
              prefix: str, history: History) -> None:
    pred = model.forward(x)
    if loss is not None:
        history.metrics.setdefault(f"{prefix}loss", []).append(float(loss(pred, y)[0]))
    for name, fn in metrics.items():
        history.metrics.setdefault(f"{prefix}{name}", []).append(float(fn(pred, y)))


def fit(
    model: Module,
    x: np.ndarray,
    y: np.ndarray,
    loss: LossFn,
    optimizer: Any,
    *,
    epochs: int = 1,
    batch_size: int | None = None,
    shuffle: bool = True,
    rng: np.random.Generator | int | None = None,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    metrics: dict[str, Metric] | None = None,
    keep_grads: bool = False,
    callback: Callable[[int, Module, History], None] | None = None,
    diverge_factor: float | None = 1e6,
    progress: bool = False,
) -> History:
    """Train ``model`` by mini-batch gradient descent and record a :class:`History`.

    Derived in: batch-online-minibatch-full (online / mini-batch / full batch) and batch-keeping-gradients (the record).

    Parameters
    ----------
    model : Module
        Put in training mode for the steps, in eval mode for the per-epoch metrics, and
        returned to the mode it was in when ``fit`` was called.
    x, y : arrays with the same leading dimension N
        Inputs and targets (integer labels for classification, arrays for regression).
    loss : callable
        ``loss(pred, target) -> (value, dpred)``, e.g. ``softmax_cross_entropy`` or ``mse_loss``.
    optimizer : object with ``step()``
        Built on this same ``model`` (e.g. ``SGD(model, lr=0.1)``).
    epochs : int
        Passes over the data.
    batch_size : int or None
        ``None`` = full batch (one step per epoch), ``1`` = online, otherwise mini-batches.
    shuffle : bool
        Reshuffle the samples every epoch.
    rng : numpy Generator, int or None
        Source of the shuffling; an int is a seed.
    x_val, y_val : arrays, optional
        Validation data, evaluated (loss and metrics) after every epoch in eval mode.
    metrics : dict of name to callable, optional
        ``fn(pred, target) -> float`` evaluated after every epoch, e.g. ``{"accuracy": accuracy}``.
    keep_grads : bool
        Keep a copy of every gradient array at every step in ``history.grads``.
    callback : callable, optional
        ``callback(step, model, history)`` after every update (e.g. to record parameters).
    diverge_factor : float or None
        Stop (``history.diverged = True``) when a step's loss exceeds this many times the
        first step's loss; a non-finite loss always stops training.
    progress : bool
        Show a tqdm progress bar over epochs (chapters pass ``False``).

    Returns
    -------
    History
    """
    who = "fit"
    check_instance(model, Module, "model", who, "a companion.nn Module")
    x, y = _check_xy(x, y, who)
    check_callable(loss, "loss", who, "(pred, target) -> (value, dpred)")
    if not callable(getattr(optimizer, "step", None)):
        raise TypeError(f"{who}: optimizer must have a step() method, got {type(optimizer).__name__}")
    if getattr(optimizer, "model", model) is not model:
        raise ValueError(f"{who}: the optimizer was built on a different model than the one being trained")
    epochs = check_int(epochs, "epochs", who)
    batch_size = check_int(batch_size, "batch_size", who, none_ok=True)
    shuffle = check_bool(shuffle, "shuffle", who)
    gen = as_rng(rng, "rng", who)
    if (x_val is None) != (y_val is None):
        raise ValueError(f"{who}: give both x_val and y_val, or neither")
    if x_val is not None:
        x_val, y_val = _check_xy(x_val, y_val, who, ("x_val", "y_val"))
    metrics = dict(check_instance(metrics, dict, "metrics", who, "a dict of name -> callable", none_ok=True) or {})
    for name, fn in metrics.items():
        check_str(name, "every metric name", who)
        check_callable(fn, f"metric {name!r}", who, "(pred, target) -> float")
    keep_grads = check_bool(keep_grads, "keep_grads", who)
    check_callable(callback, "callback", who, "(step, model, history)", none_ok=True)
    diverge_factor = check_number(diverge_factor, "diverge_factor", who, low=1.0, low_open=True, none_ok=True)
    progress = check_bool(progress, "progress", who)

    n = x.shape[0]
    b = n if batch_size is None else min(batch_size, n)
    history = History(steps_per_epoch=-(-n // b), grad_norms={k: [] for k in model.grads})
    was_training = model.training
    epoch_iter: Any = range(epochs)
    if progress:
        from tqdm.auto import tqdm

        epoch_iter = tqdm(epoch_iter, desc="epochs")
    t0 = time.perf_counter()
    try:
        for _ in epoch_iter:
            model.train()
            total, seen = 0.0, 0
            for xb, yb in _batches(x, y, b, gen.permutation(n) if shuffle else None, False):
                model.zero_grad()
                value, dpred = loss(model.forward(xb), yb)
                value = float(value)
                limit = np.inf if diverge_factor is None or not history.loss else diverge_factor * history.loss[0]
                if not np.isfinite(value) or value > limit:
                    history.diverged = True
                    break
                model.backward(dpred)
                grads = model.grads
                for k, g in grads.items():
                    history.grad_norms[k].append(float(np.linalg.norm(g)))
                if keep_grads:
                    history.grads.append({k: g.copy() for k, g in grads.items()})
                history.loss.append(value)
                history.batch_sizes.append(int(xb.shape[0]))
                total += value * xb.shape[0]
                seen += xb.shape[0]
                optimizer.step()
                if callback is not None:
                    callback(history.steps, model, history)
            if seen:
                history.epoch_loss.append(total / seen)
            if history.diverged:
                break
            if metrics or x_val is not None:
                model.eval()
                if metrics:
                    _evaluate(model, x, y, None, metrics, "", history)
                if x_val is not None:
                    _evaluate(model, x_val, y_val, loss, metrics, "val_", history)
    finally:
        model.train(was_training)
        if progress:
            epoch_iter.close()
    history.seconds = time.perf_counter() - t0
    return history
