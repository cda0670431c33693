"""Range queries on a 1-D array, all queries at once: the building blocks of the peak functions.

A *sparse table* stores, for every level k, the minimum (or maximum) of every block of
``2**k`` consecutive samples: ``log2(n)`` arrays built in O(n log n). Any range is then
covered by two overlapping blocks (its minimum in one lookup), and a *lift* finds how far
a condition holds from a start, trying blocks of 2**k, ..., 2, 1 samples in turn (binary
lifting: log2(n) vectorised steps for every query together). :func:`concat_ranges` is the
other tool: when the ranges are short, read all their samples end to end and reduce each
range with ``np.minimum.reduceat`` and friends.

Used by :mod:`companion.dsp.peak_props` (bases, crossings of widths) and
:mod:`companion.dsp.peaks` (``distance``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sparse_table", "lift_left", "lift_right", "lowest_in", "concat_ranges"]


def sparse_table(x: np.ndarray, op: Any, span: int | None = None) -> list[np.ndarray]:
    """Level k holds ``op(x[i : i + 2**k])`` for every i that fits, up to blocks of ``span``.

    ``op`` is ``np.minimum`` or ``np.maximum``. With levels 0..K a lift moves at most
    ``2**(K+1) - 1`` samples, so ``span`` bounds the distance the queries need.
    """
    top = x.size if span is None else min(span, x.size)
    table, step = [x], 1
    while 2 * step <= top:
        table.append(op(table[-1][:-step], table[-1][step:]))
        step *= 2
    return table


def lift_left(table: list[np.ndarray], end: np.ndarray, keep_going: Any) -> np.ndarray:
    """Smallest s <= end such that every block value in [s, end) satisfies ``keep_going``."""
    s = end.copy()
    for k in range(len(table) - 1, -1, -1):
        cand = s - (1 << k)
        ok = cand >= 0
        vals = table[k][np.where(ok, cand, 0)]
        ok &= keep_going(vals)
        s = np.where(ok, cand, s)
    return s


def lift_right(table: list[np.ndarray], start: np.ndarray, keep_going: Any, n: int) -> np.ndarray:
    """Largest e >= start such that every block value in [start, e) satisfies ``keep_going``."""
    e = start.copy()
    for k in range(len(table) - 1, -1, -1):
        step = 1 << k
        ok = e + step <= n
        vals = table[k][np.where(ok, e, 0)]
        ok &= keep_going(vals)
        e = np.where(ok, e + step, e)
    return e


def lowest_in(tmin: list[np.ndarray], lo: np.ndarray, hi: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum of ``x[lo..hi]`` (inclusive) and where it is: the rightmost one if ``side < 0``
    (nearest a peak at hi), else the leftmost (nearest a peak at lo). ``tmin`` must reach
    blocks of the longest range."""
    k = np.frexp((hi - lo + 1).astype(np.float64))[1] - 1  # floor(log2(length))
    m = np.empty(lo.size)
    for level in np.flatnonzero(np.bincount(k)):  # the levels in use (np.unique would sort)
        sel = k == level
        t = tmin[level]
        m[sel] = np.minimum(t[lo[sel]], t[hi[sel] - (1 << level) + 1])  # two overlapping blocks
    if side < 0:
        return m, lift_left(tmin, hi + 1, lambda t: t > m) - 1
    return m, lift_right(tmin, lo, lambda t: t > m, tmin[0].size)


def concat_ranges(lo: np.ndarray, length: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """All indices of the ranges ``[lo, lo + length)`` end to end (lengths > 0), and where
    each range starts in that list (the ``indices`` argument of ``ufunc.reduceat``)."""
    first = np.cumsum(length) - length
    return np.arange(first[-1] + length[-1]) - np.repeat(first - lo, length), first
