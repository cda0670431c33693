"""The 8×8 handwritten digits (UCI optical digits, test set), shipped with the package.

Derived in: cnn-learned-filters (filters learned on real digits). Licence and source:
``companion/data/LICENSES.md`` (section ``digits.csv.gz``).

The file is a gzip'd CSV of 1,797 rows: 64 pixel counts (integers 0–16, row-major 8×8)
followed by the class label 0–9. Nothing is downloaded.
"""

from __future__ import annotations

import gzip
from importlib import resources
from typing import Any

import numpy as np

from companion._checks import as_rng, check_bool, check_number
from companion._deprecation import seed_as_rng

__all__ = ["load_digits", "train_test_split_digits", "N_DIGITS"]

N_DIGITS = 1797  # rows in the UCI optical-digits test set
_CACHE: dict[str, tuple[np.ndarray, np.ndarray]] = {}


def _read() -> tuple[np.ndarray, np.ndarray]:
    if "raw" not in _CACHE:
        path = resources.files("companion.data").joinpath("digits.csv.gz")
        with path.open("rb") as fh, gzip.open(fh, "rt") as text:
            table = np.loadtxt(text, delimiter=",", dtype=np.int64)
        if table.shape != (N_DIGITS, 65):
            raise ValueError(f"load_digits: digits.csv.gz should hold ({N_DIGITS}, 65) values, found {table.shape}")
        pixels, labels = table[:, :64].reshape(-1, 8, 8), table[:, 64]
        pixels.setflags(write=False)
        labels.setflags(write=False)
        _CACHE["raw"] = (pixels, labels)
    return _CACHE["raw"]


def load_digits(
    split: str | None = None,
    *,
    scaled: bool = True,
    test_fraction: float = 0.2,
    rng: Any = 0,
    seed: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Load the 1,797 8×8 digit images and their labels, from the package (no network).

    Derived in: cnn-learned-filters.

    Parameters
    ----------
    split : {None, "train", "test"}
        ``None`` returns all 1,797 images in file order; ``"train"``/``"test"`` return the
        two parts of :func:`train_test_split_digits` with the same ``test_fraction`` and ``seed``.
    scaled : bool
        True (default): float64 pixels in ``[0, 1]`` (the raw counts divided by 16).
        False: the raw counts, int64 in ``0..16`` (each is the number of "on" pixels in a
        4×4 block of the original 32×32 bitmap).
    test_fraction : float
        Fraction of each class held out for the test part (only used with ``split``).
    rng : numpy Generator, int or None
        Randomness of the split (only used with ``split``); the default seed 0 gives the
        book's fixed split, and the same int always gives the same split.
    seed : int, deprecated
        The old spelling of ``rng`` (an int seed); warns once.

    Returns
    -------
    images : array of shape (n, 8, 8)
    labels : int64 array of shape (n,), values 0–9
    """
    who = "load_digits"
    rng = seed_as_rng(seed, rng, who)
    scaled = check_bool(scaled, "scaled", who)
    if split is None:
        pixels, labels = _read()
        images = pixels / 16.0 if scaled else pixels.copy()
        return images, labels.copy()
    if split not in ("train", "test"):
        raise ValueError(f"{who}: split must be None, 'train' or 'test', got {split!r}")
    x_tr, y_tr, x_te, y_te = _split(test_fraction, rng, scaled, who)
    return (x_tr, y_tr) if split == "train" else (x_te, y_te)


def train_test_split_digits(
    test_fraction: float = 0.2, rng: Any = 0, *, scaled: bool = True, seed: int | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """A fixed, seeded, stratified split of the digits: ``(x_train, y_train, x_test, y_test)``.

    Derived in: cnn-learned-filters.

    Each class is shuffled with ``rng`` (a numpy Generator, or an int seed: the default 0
    is the book's split; ``seed=`` is its deprecated spelling) and ``round(test_fraction · n_c)``
    of its ``n_c`` images go to the test part, so both parts keep the class proportions. The
    two parts are disjoint and together hold every image once; the same seed gives the same split.
    Images have shape ``(n, 8, 8)``; see :func:`load_digits` for ``scaled``.
    """
    who = "train_test_split_digits"
    return _split(test_fraction, seed_as_rng(seed, rng, who), check_bool(scaled, "scaled", who), who)


def _split(test_fraction: Any, rng: Any, scaled: bool, who: str
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    test_fraction = check_number(test_fraction, "test_fraction", who, low=0.0, high=1.0, low_open=True,
                                 high_open=True)
    rng = as_rng(rng, "rng", who)
    images, labels = load_digits(scaled=scaled)
    test_idx = []
    for c in range(10):
        members = np.flatnonzero(labels == c)
        test_idx.append(rng.permutation(members)[: int(round(test_fraction * members.size))])
    is_test = np.zeros(labels.size, dtype=bool)
    is_test[np.concatenate(test_idx)] = True
    train_idx, test_all = np.flatnonzero(~is_test), np.flatnonzero(is_test)
    train_idx, test_all = rng.permutation(train_idx), rng.permutation(test_all)
    return images[train_idx], labels[train_idx], images[test_all], labels[test_all]
