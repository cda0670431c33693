"""Losses returning ``(loss, dpred)``, averaged like PyTorch's defaults.

Derived in: Backpropagation §4 (softmax cross-entropy: dL/dscores = (softmax − one-hot)/N,
not 1) and §7 (MSE for bounded regression targets, Q13).
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array, check_class_labels, check_ndim


def logsumexp(x: np.ndarray, axis: int = -1, keepdims: bool = False) -> np.ndarray:
    """``log Σ exp(x)`` along ``axis``, shifted by the max so ±1e4 inputs stay finite."""
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    m = np.max(x, axis=axis, keepdims=True)
    out = m + np.log(np.sum(np.exp(x - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def log_softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """``(x − max) − log Σ exp(x − max)``: finite for any finite input, and exact to rounding
    at ±1e4 (subtracting ``logsumexp`` from ``x`` would lose the small digits)."""
    x = np.asarray(x, dtype=np.float64) if np.asarray(x).dtype.kind != "f" else np.asarray(x)
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Row-wise probabilities, computed from :func:`log_softmax` (no overflow)."""
    return np.exp(log_softmax(x, axis=axis))


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
    logp = log_softmax(scores, axis=1)
    loss = float(-logp[np.arange(n), labels].mean())
    dscores = np.exp(logp)
    dscores[np.arange(n), labels] -= 1.0
    return loss, dscores / n


def mse_loss(pred: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean squared error over all elements (PyTorch's default), and dL/dpred = 2(pred − target)/size."""
    who = "mse_loss"
    pred = as_float_array(pred, who, "pred")
    target = as_float_array(target, who, "target", dtype=pred.dtype)
    if pred.shape != target.shape:
        raise ValueError(
            f"{who}: pred has shape {pred.shape} but target has shape {target.shape} "
            "(reshape the target; broadcasting here would silently average the wrong pairs)"
        )
    if pred.size == 0:
        raise ValueError(f"{who}: empty input")
    diff = pred - target
    return float(np.mean(diff**2)), 2.0 * diff / diff.size
