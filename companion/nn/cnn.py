"""A small CNN trained on the 8×8 digits, and a measure of how edge-like its filters are.

Derived in: cnn-learned-filters (filters come from a random start and backprop), cnn-seeds (different
seeds, different filters, similar accuracy; how many filters look like oriented edges).
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any
from dataclasses import dataclass, field

import numpy as np

from companion._checks import (as_float_array, as_rng, check_int, check_nonempty, check_number,
                              check_positive, is_int)
from companion._deprecation import seed_as_rng
from companion._progress import show_progress
from companion.data.digits import train_test_split_digits
from companion.nn.conv import Conv2d, MaxPool2d
from companion.nn.layers import Flatten, Linear, ReLU
from companion.nn.losses import softmax_cross_entropy
from companion.nn.module import Module, Sequential
from companion.nn.optim import Adam
from companion.nn.train import History, accuracy, fit

__all__ = ["EDGE_KERNELS", "edge_scores", "digits_cnn", "DigitsCNNRun", "train_digits_cnn"]

_SOBEL = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
_DIAG = np.array([[-2.0, -1.0, 0.0], [-1.0, 0.0, 1.0], [0.0, 1.0, 2.0]])
#: Sobel-like 3×3 detectors of four edge orientations (each has zero mean).
EDGE_KERNELS: dict[str, np.ndarray] = {
    "vertical edge": _SOBEL,  # responds to a left-to-right change
    "horizontal edge": _SOBEL.T,  # a top-to-bottom change
    "diagonal edge ↘": _DIAG,
    "diagonal edge ↙": np.fliplr(_DIAG),
}


def edge_scores(filters: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """How much each 3×3 filter looks like an oriented edge detector. Derived in: cnn-seeds.

    The score of a filter is its largest absolute Pearson correlation with the four
    :data:`EDGE_KERNELS` (the sign does not matter: a dark-to-light and a light-to-dark
    edge detector are both edge detectors). 1 means an exact, rescaled Sobel kernel;
    a random Gaussian filter scores about 0.5 on average.

    Parameters
    ----------
    filters : array of shape (F, 3, 3) or (F, 1, 3, 3)
        E.g. ``conv.params["W"]`` of a one-input-channel :class:`Conv2d`.

    Returns
    -------
    scores : array of shape (F,)
        In ``[0, 1]``; 0 for a constant filter.
    best : list of str
        For each filter, the name of the kernel it correlates with best.
    """
    who = "edge_scores"
    f = as_float_array(filters, who, "filters", dtype=np.float64)
    if f.ndim == 4 and f.shape[1] == 1:
        f = f[:, 0]
    if f.ndim != 3 or f.shape[1:] != (3, 3):
        raise ValueError(f"{who}: expected filters of shape (F, 3, 3) or (F, 1, 3, 3), got {np.shape(filters)}")
    check_nonempty(f, who, "filters")
    centred = f.reshape(len(f), 9) - f.reshape(len(f), 9).mean(axis=1, keepdims=True)
    norms = np.linalg.norm(centred, axis=1)
    kernels = np.stack([k.ravel() / np.linalg.norm(k) for k in EDGE_KERNELS.values()])  # zero-mean already
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.abs(centred @ kernels.T) / norms[:, None]
    r = np.where(norms[:, None] > 0, r, 0.0)
    names = list(EDGE_KERNELS)
    return r.max(axis=1), [names[i] for i in r.argmax(axis=1)]


def digits_cnn(channels: int = 16, *, rng: np.random.Generator | int | None = None) -> Sequential:
    """conv 3×3 (1 → ``channels``, padding 1) → ReLU → max-pool 2×2 (stride 1) → linear (→ 10).

    Derived in: cnn-learned-filters. Input ``(N, 1, 8, 8)``; the pooled maps are 7×7.

    Parameters
    ----------
    channels : int
        Number of 3×3 filters (>= 1).
    rng : numpy Generator, int or None
        Source of the initial weights.
    """
    channels = check_int(channels, "channels", "digits_cnn")
    gen = as_rng(rng, "rng", "digits_cnn")
    return Sequential(
        Conv2d(1, channels, 3, padding=1, rng=gen),
        ReLU(),
        MaxPool2d(2, stride=1),
        Flatten(),
        Linear(channels * 7 * 7, 10, rng=gen),
    )


@dataclass
class DigitsCNNRun:
    """What :func:`train_digits_cnn` returns. Derived in: cnn-learned-filters.

    Attributes
    ----------
    model : Sequential
        The trained network (in eval mode).
    steps : list of int
        The optimiser steps after which a snapshot was taken (0: before training); by
        default the end of every epoch.
    filters : list of arrays (channels, 3, 3)
        The first layer's filters at each of ``steps``.
    test_accuracy : list of float
        Test accuracy at each of ``steps``.
    history : History
        The record of :func:`companion.nn.fit` (loss per step, gradient norms, …).
    train_seconds, train_cpu_seconds : float
        Wall-clock and process CPU time of the training steps (the per-epoch evaluations excluded).
    mean, std : float
        The pixel statistics of the training images used to standardise every input.
    seed : int or None
        The int seed the run was given as ``rng`` (None when it was given a Generator).
    hyper : dict
        The other arguments of the run, ``split_rng`` as its int seed (or None).
    """

    model: Sequential
    steps: list[int]
    filters: list[np.ndarray]
    test_accuracy: list[float]
    history: History
    train_seconds: float
    train_cpu_seconds: float
    mean: float
    std: float
    seed: int | None
    hyper: dict = field(default_factory=dict)

    def prepare(self, images: np.ndarray) -> np.ndarray:
        """``(N, 8, 8)`` images in [0, 1] → the standardised ``(N, 1, 8, 8)`` input of :attr:`model`."""
        who = "DigitsCNNRun.prepare"
        images = as_float_array(images, who, "images", dtype=np.float64)
        if images.ndim != 3 or images.shape[1:] != (8, 8):
            raise ValueError(f"{who}: expected images of shape (N, 8, 8), got {images.shape}")
        check_nonempty(images, who, "images")
        return ((images - self.mean) / self.std)[:, None]


def train_digits_cnn(
    rng: Any = 0,
    *,
    channels: int = 16,
    epochs: int = 15,
    batch_size: int = 32,
    lr: float = 1e-2,
    filter_decay: float = 0.0,
    snapshot_steps: Iterable[int] | None = None,
    split_rng: Any = 0,
    progress: bool | None = None,
    seed: int | None = None,
    split_seed: int | None = None,
) -> DigitsCNNRun:
    """Train :func:`digits_cnn` on the digits' fixed training split; record filters and test accuracy.

    Derived in: cnn-learned-filters. Adam with a cosine-decaying learning rate (from ``lr`` to 0
    over the run), mini-batches of ``batch_size``, softmax cross-entropy; inputs standardised
    with the training pixels' mean and standard deviation. ``rng`` (a numpy Generator or an
    int seed) draws both the initial weights and the order of the mini-batches; ``split_rng``
    the train/test split (:func:`companion.data.train_test_split_digits`). ``seed=`` and
    ``split_seed=`` are their deprecated spellings (they warn once). ``progress``: a tqdm bar
    over epochs (None: shown when a reader runs it, hidden while the book builds).

    ``filter_decay`` λ shrinks the first layer's filters after every step,
    ``W ← W · (1 − η_t λ)`` with ``η_t`` the step's learning rate (decoupled weight decay,
    as in AdamW): whatever part of a filter the loss does not keep pushing for fades away
    (cnn-seeds).

    ``snapshot_steps`` lists the optimiser steps after which the filters and the test
    accuracy are recorded (default: the end of every epoch); step 0, before training, is
    always recorded. One epoch is ``ceil(1438 / batch_size)`` steps.
    """
    who = "train_digits_cnn"
    rng = seed_as_rng(seed, rng, who)
    split_rng = seed_as_rng(split_seed, split_rng, who, old="split_seed", new="split_rng")
    gen = as_rng(rng, "rng", who)
    split_gen = as_rng(split_rng, "split_rng", who)
    channels = check_int(channels, "channels", who)
    epochs = check_int(epochs, "epochs", who)
    batch_size = check_int(batch_size, "batch_size", who)
    lr = check_positive(lr, "lr", who)
    filter_decay = check_number(filter_decay, "filter_decay", who, low=0.0)
    if snapshot_steps is not None:
        if isinstance(snapshot_steps, (str, bytes)) or not hasattr(snapshot_steps, "__iter__"):
            raise TypeError(f"{who}: snapshot_steps must be a list of integer steps or None, got {snapshot_steps!r}")
        snapshot_steps = [check_int(k, "every entry of snapshot_steps", who, low=0) for k in snapshot_steps]
    progress = show_progress(progress, who)
    x_tr, y_tr, x_te, y_te = train_test_split_digits(rng=split_gen)
    mean, std = float(x_tr.mean()), float(x_tr.std())
    a, b = ((x_tr - mean) / std)[:, None], ((x_te - mean) / std)[:, None]
    model = digits_cnn(channels, rng=gen)
    conv: Module = model[0]
    opt = Adam(model, lr=lr)
    steps_per_epoch = -(-len(a) // batch_size)
    total = steps_per_epoch * epochs
    if snapshot_steps is None:
        wanted = set(range(0, total + 1, steps_per_epoch))
    else:
        wanted = set(snapshot_steps) | {0}
        if max(wanted) > total:
            raise ValueError(f"{who}: snapshot_steps must lie in [0, {total}] (the run has {total} steps)")
    steps, filters, test_acc = [], [], []
    eval_wall, eval_cpu = [0.0], [0.0]

    def snapshot(step: int) -> None:
        t0, c0 = time.perf_counter(), time.process_time()
        steps.append(step)
        model.eval()
        filters.append(conv.params["W"][:, 0].copy())
        test_acc.append(accuracy(model.forward(b), y_te))
        model.train()
        eval_wall[0] += time.perf_counter() - t0
        eval_cpu[0] += time.process_time() - c0

    def callback(step: int, _model: Module, _history: History) -> None:
        if filter_decay:
            conv.params["W"] *= 1.0 - opt.lr * filter_decay  # opt.lr: the rate of the step just taken
        opt.lr = 0.5 * lr * (1.0 + np.cos(np.pi * step / total))  # for the next step
        if step in wanted:
            snapshot(step)

    snapshot(0)
    eval_wall[0] = eval_cpu[0] = 0.0  # the snapshot before training is not part of training
    t0, c0 = time.perf_counter(), time.process_time()
    history = fit(model, a, y_tr, softmax_cross_entropy, opt, epochs=epochs, batch_size=batch_size,
                  rng=gen, callback=callback, progress=progress)
    wall, cpu = time.perf_counter() - t0 - eval_wall[0], time.process_time() - c0 - eval_cpu[0]
    model.eval()
    hyper = {"channels": channels, "epochs": epochs, "batch_size": batch_size, "lr": lr,
             "filter_decay": filter_decay, "split_rng": _seed_of(split_rng)}
    return DigitsCNNRun(model, steps, filters, test_acc, history, wall, cpu, mean, std, _seed_of(rng), hyper)


def _seed_of(rng: Any) -> int | None:
    """The int seed a run can be repeated from, or None when it was given a Generator."""
    return int(rng) if is_int(rng) else None
