"""Losses returning ``(loss, dpred)``, averaged like PyTorch's defaults.

Derived in: backprop-by-hand (softmax cross-entropy: dL/dscores = (softmax − one-hot)/N,
not 1) and backprop-bounded-regression (MSE for bounded regression targets, Q13).
"""

from __future__ import annotations

import numpy as np

from companion._checks import (as_float_array, check_axis, check_bool, check_class_labels, check_ndim,
                              check_nonempty, check_positive)

__all__ = ["logsumexp", "log_softmax", "softmax", "softmax_cross_entropy", "mse_loss", "huber_loss"]


def _checked(x: np.ndarray, axis: int, who: str) -> tuple[np.ndarray, int]:
    """``x`` as a finite float array with at least one dimension, and ``axis`` as 0..ndim-1."""
    x = check_nonempty(as_float_array(x, who, "x"), who, "x")
    if x.ndim == 0:
        raise ValueError(f"{who}: x must have at least one axis, got a scalar")
    return x, check_axis(axis, x.ndim, "axis", who)


def logsumexp(x: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log Σ exp(x)`` along ``axis``, shifted by the max so ±1e4 inputs stay finite.

    Parameters
    ----------
    x : array_like of real numbers
        Finite, non-empty, at least 1-D.
    axis : int
        The axis summed over (negative counts from the end).
    keepdims : bool
        Keep the summed axis with length 1.
    """
    x, axis = _checked(x, axis, "logsumexp")
    keepdims = check_bool(keepdims, "keepdims", "logsumexp")
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``(x − max) − log Σ exp(x − max)``: finite for any finite input, and exact to rounding
    at ±1e4 (subtracting ``logsumexp`` from ``x`` would lose the small digits).

    Parameters
    ----------
    x : array_like of real numbers
        Finite, non-empty, at least 1-D.
    axis : int
        The axis the probabilities are normalised over.
    """
    return _log_softmax(*_checked(x, axis, "log_softmax"))


def _log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Probabilities along ``axis`` (row-wise by default), computed from :func:`log_softmax` (no overflow).

    Parameters
    ----------
    x : array_like of real numbers
        Finite, non-empty, at least 1-D.
    axis : int
        The axis the probabilities are normalised over.
    """
    return np.exp(_log_softmax(*_checked(x, axis, "softmax")))


def softmax_cross_entropy(scores: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(scores) against integer labels, and dL/dscores.

    Parameters
    ----------
    scores : array of shape (N, C)
        Unnormalised class scores (logits).
    labels : int array of shape (N,)
        Class indices in ``[0, C)``.

    Returns
    -------
    loss : float
        ``-(1/N) Σ_n log softmax(scores)[n, labels[n]]`` (PyTorch's ``reduction="mean"``).
    dscores : array of shape (N, C)
        ``(softmax(scores) − onehot(labels)) / N``.
    """
    who = "softmax_cross_entropy"
    scores = as_float_array(scores, who, "scores")
    check_ndim(scores, 2, who, "(N, C)", "scores")
    labels = check_class_labels(scores, labels, who)
    n = scores.shape[0]
    logp = _log_softmax(scores, 1)
    loss = float(-logp[np.arange(n), labels].mean())
    dscores = np.exp(logp)
    dscores[np.arange(n), labels] -= 1.0
    return loss, dscores / n


def _pair(pred: np.ndarray, target: np.ndarray, who: str) -> tuple[np.ndarray, np.ndarray]:
    """``pred`` and ``target`` as float arrays of one shape, non-empty (never broadcast)."""
    pred = as_float_array(pred, who, "pred")
    target = as_float_array(target, who, "target", dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(
            f"{who}: pred has shape {pred.shape} but target has shape {target.shape} "
            "(reshape the target; broadcasting here would silently average the wrong pairs)"
        )
    if pred.size == 0:
        raise ValueError(f"{who}: empty input")
    return pred, target


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all elements (PyTorch's default), and dL/dpred = 2(pred − target)/size.

    Parameters
    ----------
    pred, target : arrays of the same shape
        Finite real numbers, non-empty (no broadcasting).

    Returns
    -------
    loss : float
    dpred : array of the shape of ``pred``
    """
    pred, target = _pair(pred, target, "mse_loss")
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size


def huber_loss(pred: np.ndarray, target: np.ndarray, *, delta: float = 1.0) -> tuple[float, np.ndarray]:
    """Huber loss averaged over all elements (PyTorch's ``F.huber_loss``), and dL/dpred.

    Derived in: dqn-ingredients. With ``d = pred − target``, each element costs ``½d²`` for
    ``|d| ≤ delta`` and ``delta (|d| − ½delta)`` beyond: quadratic near zero, linear far out,
    so one wild target moves the network by at most ``delta / size``. The slope is
    ``clip(d, −delta, delta) / size``. (``F.smooth_l1_loss`` with ``beta`` is this divided
    by ``beta``; the two agree at 1.)

    Parameters
    ----------
    pred, target : arrays of the same shape
        Finite real numbers, non-empty (no broadcasting).
    delta : float
        Where the quadratic part ends (> 0).

    Returns
    -------
    loss : float
    dpred : array of the shape of ``pred``
    """
    who = "huber_loss"
    pred, target = _pair(pred, target, who)
    delta = check_positive(delta, "delta", who)
    diff = pred - target
    size = np.abs(diff)
    per = np.where(size <= delta, 0.5 * diff**2, delta * (size - 0.5 * delta))
    return float(per.mean()), np.clip(diff, -delta, delta) / diff.size
