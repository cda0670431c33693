"""Data generators for the chapters' experiments: small tasks with a known answer.

Derived in: bptt-memory (the recall task).
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_rng, check_int

__all__ = ["make_recall_task"]


def make_recall_task(
    n: int, T: int, n_symbols: int = 4, *, rng: np.random.Generator | int | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """A memory task: recall the first symbol of a sequence after ``T − 1`` distractors.

    Derived in: bptt-memory. Each sequence is ``T`` one-hot vectors over
    ``n_symbols`` symbols, all drawn uniformly at random; the label is the symbol at ``t = 1``.
    Read from the last hidden state, the label can only be predicted if the RNN carried it through
    ``T − 1`` steps; guessing scores ``1 / n_symbols``.

    Parameters
    ----------
    n : int
        Number of sequences (>= 1).
    T : int
        Length of each sequence (>= 1).
    n_symbols : int
        Size of the alphabet (>= 2).
    rng : numpy Generator, int or None
        Source of the symbols; an int is a seed.

    Returns
    -------
    x : float64 array (n, T, n_symbols)
    labels : int array (n,)
    """
    who = "make_recall_task"
    n, T = check_int(n, "n", who), check_int(T, "T", who)
    n_symbols = check_int(n_symbols, "n_symbols", who, low=2)
    symbols = as_rng(rng, "rng", who).integers(0, n_symbols, size=(n, T))
    x = np.zeros((n, T, n_symbols))
    np.put_along_axis(x, symbols[:, :, None], 1.0, axis=2)
    return x, symbols[:, 0].copy()
