"""Peaks of a 1-D signal, written from scratch with numpy: :func:`find_peaks`.

:func:`find_peaks` gives the same answers as ``scipy.signal.find_peaks`` on the same
arguments (positions and every entry of ``properties``, bit for bit), including plateaus
(the middle of a flat top, rounded down), equal heights, endpoints (never peaks) and
``distance`` (smaller peaks removed by priority, highest first). The tests check this on
thousands of random and edge-case signals, and run scipy's own tests against it. The
properties (prominences, bases, widths) come from :mod:`companion.dsp.peak_props`.

The algorithms are vectorised numpy: local maxima from the runs of equal samples,
``distance`` by parallel rounds of the greedy rule. The one slow case is ``distance`` on a
long chain of ever higher peaks closer than ``distance``, finished one peak at a time in
Python (``benchmarks/bench_peaks.py``).

Events (windows above a noise floor) are in ``companion.dsp.events``.
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from companion._checks import as_signal, check_number
from companion.dsp.peak_props import PeakPropertyWarning, as_wlen, peak_prominences, peak_widths
from companion.dsp.range_queries import sparse_table

__all__ = ["find_peaks", "peak_prominences", "peak_widths", "PeakPropertyWarning"]



def _local_maxima(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every strict local maximum, flat tops included: (midpoints rounded down, left edges, right edges)."""
    none = np.empty(0, dtype=np.intp)
    if x.size < 3:
        return none, none, none
    d = np.diff(x)
    if np.all(d):  # no flat stretch anywhere: compare neighbours directly
        peaks = (np.flatnonzero((d[:-1] > 0) & (d[1:] < 0)) + 1).astype(np.intp)
        return peaks, peaks, peaks
    change = np.flatnonzero(d)  # x[i] != x[i + 1]
    if change.size < 2:
        return none, none, none
    up = d[change[:-1]] > 0  # rising into the run that starts at change[k] + 1 ...
    down = d[change[1:]] < 0  # ... and falling out of it after change[k + 1]
    k = np.flatnonzero(up & down)
    left, right = (change[k] + 1).astype(np.intp), change[k + 1].astype(np.intp)
    return (left + right) // 2, left, right


def _bound(b: Any, n: int, peaks: np.ndarray, who: str, name: str) -> Any:
    """One end of an interval: None, a number, or an array with one value per sample of x."""
    if b is None:
        return None
    if isinstance(b, np.ndarray) and b.ndim > 0:
        if b.dtype.kind not in "iuf":
            raise TypeError(f"{who}: an array {name} must hold real numbers, got dtype {b.dtype}")
        if b.shape != (n,):
            raise ValueError(f"{who}: an array {name} must have one value per sample of x, shape ({n},), "
                             f"got shape {b.shape}")
        if np.isnan(b).any():
            raise ValueError(f"{who}: {name} contains NaN")
        return b[peaks]
    if isinstance(b, np.ndarray):  # 0-d: a number
        b = b[()]
    if isinstance(b, (bool, np.bool_)) or not isinstance(b, (numbers.Real, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be a number, an array of one value per sample, "
                        f"a (min, max) pair of those, or None; got {b!r}")
    if b != b:
        raise ValueError(f"{who}: {name} is NaN")
    return b


def _interval(value: Any, n: int, peaks: np.ndarray, who: str, name: str) -> tuple[Any, Any]:
    """``value`` as scipy reads it: a minimum, or (min, max); arrays are per sample of x."""
    # scipy unpacks any two-element sequence as (min, max), a 2-element array included
    if isinstance(value, (tuple, list)) or (isinstance(value, np.ndarray) and value.ndim > 0):
        if len(value) == 2:
            lo, hi = value
        elif isinstance(value, np.ndarray):
            lo, hi = value, None
        else:
            raise TypeError(f"{who}: {name} must be a number, an array, or a (min, max) pair; "
                            f"got a {type(value).__name__} of length {len(value)}")
    else:
        lo, hi = value, None
    return _bound(lo, n, peaks, who, f"{name} (min)"), _bound(hi, n, peaks, who, f"{name} (max)")


def _within(values: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    keep = np.ones(values.size, dtype=bool)
    if lo is not None:
        keep &= lo <= values  # the borders belong to the interval
    if hi is not None:
        keep &= values <= hi
    return keep


def _window_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """max(values[lo[i]:hi[i]]) for every i (all windows non-empty), with a sparse table."""
    width = hi - lo
    levels = sparse_table(values, np.maximum, int(width.max()))
    k = np.frexp(width.astype(np.float64))[1] - 1  # floor(log2(width))
    out = np.empty(lo.size, dtype=values.dtype)
    for level in np.flatnonzero(np.bincount(k)):  # the levels in use (np.unique would sort)
        sel = k == level
        t = levels[level]
        out[sel] = np.maximum(t[lo[sel]], t[hi[sel] - (1 << level)])  # two overlapping blocks
    return out


def _select_by_distance(peaks: np.ndarray, heights: np.ndarray, distance: int) -> np.ndarray:
    """Keep peaks highest first, dropping every peak closer than ``distance`` to a kept one.

    Ties in height are broken exactly as scipy does: by ``np.argsort`` of the heights.
    Rounds of the same greedy rule run in parallel: an undecided peak that outranks every
    undecided peak within reach is kept, and the undecided peaks within reach of it are
    dropped; each round works only on the peaks still undecided.
    """
    q = peaks.size
    rank = np.empty(q, dtype=np.int64)
    rank[np.argsort(heights)] = np.arange(q)
    keep = np.zeros(q, dtype=bool)
    idx = np.arange(q)  # the undecided peaks, by position
    pos, rk = peaks, rank
    rounds = 0
    while idx.size:
        rounds += 1
        if rounds > 40:  # a long chain of ever higher peaks: finish one peak at a time
            state = np.full(q, -1, dtype=np.int8)
            state[keep] = 1
            state[idx] = 0
            return _select_by_distance_loop(peaks, rank, distance, state)
        lo = np.searchsorted(pos, pos - distance + 1, side="left")
        hi = np.searchsorted(pos, pos + distance - 1, side="right")  # window [lo, hi) holds i
        win = rk == _window_max(rk, lo, hi)
        keep[idx[win]] = True
        near = np.concatenate([[0], np.cumsum(win)])
        undecided = (near[hi] - near[lo] == 0)  # no newly kept peak within reach (nor itself)
        idx, pos, rk = idx[undecided], pos[undecided], rk[undecided]
    return keep


def _select_by_distance_loop(peaks: np.ndarray, rank: np.ndarray, distance: int, state: np.ndarray) -> np.ndarray:
    """The same greedy rule, one peak at a time (for the undecided rest of a long chain)."""
    order = np.argsort(-rank)
    keep = state.copy()
    pk = peaks.tolist()
    q = len(pk)
    for j in order.tolist():
        if keep[j] != 0:
            continue
        keep[j] = 1
        k = j - 1
        while k >= 0 and pk[j] - pk[k] < distance:
            if keep[k] == 0:
                keep[k] = -1
            k -= 1
        k = j + 1
        while k < q and pk[k] - pk[j] < distance:
            if keep[k] == 0:
                keep[k] = -1
            k += 1
    return keep == 1


def find_peaks(
    x: Any,
    *,
    height: Any = None,
    threshold: Any = None,
    distance: float | None = None,
    prominence: Any = None,
    width: Any = None,
    wlen: Any = None,
    rel_height: float = 0.5,
    plateau_size: Any = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Local maxima of a signal, filtered by their properties.

    A peak is a sample (or the middle of a flat top, rounded down) higher than both
    neighbours; the first and last samples are never peaks. The conditions are applied in
    scipy's order, each on the peaks the previous ones kept: ``plateau_size``, ``height``,
    ``threshold``, ``distance`` (keep the highest peak, drop its neighbours closer than
    ``distance`` samples, repeat), ``prominence``, ``width``. Equal to
    ``scipy.signal.find_peaks`` with the same arguments.

    Every condition but ``distance`` is an interval, borders included: a number (the
    minimum), an array with one minimum per sample of ``x``, a pair ``(min, max)`` of
    those with ``None`` for an open end, or ``None`` (no condition). ``(None, None)``
    keeps every peak and still returns the property.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The signal: real and finite.
    height : interval, optional
        Required peak height ``x[peak]``.
    threshold : interval, optional
        Required drop to the two neighbours: the minimum applies to the smaller drop, the
        maximum to the larger.
    distance : number >= 1, optional
        Minimal horizontal distance in samples between neighbouring peaks (rounded up).
    prominence : interval, optional
        Required prominence (see :func:`peak_prominences`).
    width : interval, optional
        Required width in samples (see :func:`peak_widths`).
    wlen : number > 1, optional
        Window for the prominences (see :func:`peak_prominences`); used only with
        ``prominence`` or ``width``.
    rel_height : number >= 0
        Where widths are measured (see :func:`peak_widths`); used only with ``width``.
    plateau_size : interval, optional
        Required number of samples of the flat top.

    Returns
    -------
    peaks : ndarray of intp
        Indices of the peaks, increasing.
    properties : dict of ndarray
        One entry per kept peak, for the conditions given (scipy's keys):
        ``plateau_sizes``, ``left_edges``, ``right_edges`` (``plateau_size``);
        ``peak_heights`` (``height``); ``left_thresholds``, ``right_thresholds``
        (``threshold``); ``prominences``, ``left_bases``, ``right_bases`` (``prominence``
        or ``width``); ``widths``, ``width_heights``, ``left_ips``, ``right_ips`` (``width``).

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or holds NaN or infinity, ``distance`` < 1, ``wlen`` <= 1,
        ``rel_height`` < 0, or an array condition does not have one value per sample.
    TypeError
        If a condition, ``distance``, ``wlen`` or ``rel_height`` is not a number (or array).

    Warns
    -----
    PeakPropertyWarning
        If a peak has a prominence or width of 0 (a ``wlen`` inside a flat top, or
        ``rel_height = 0``).

    Derived in: eeg-peaks
    """
    who = "find_peaks"
    xs = as_signal(x, who)
    n = xs.size
    if distance is not None:
        distance = check_number(distance, "distance (in samples, >= 1)", who, low=1.0)
    if prominence is not None or width is not None:  # checked where scipy checks them: when used
        wlen = as_wlen(wlen, who)
    if width is not None:
        rel_height = check_number(rel_height, "rel_height", who, low=0.0)
    peaks, left_edges, right_edges = _local_maxima(xs)
    props: dict[str, np.ndarray] = {}

    def select(keep: np.ndarray) -> np.ndarray:  # the peaks kept, and their entries of every property so far
        for key, val in props.items():
            props[key] = val[keep]
        return peaks[keep]

    if plateau_size is not None:
        sizes = right_edges - left_edges + 1
        props.update(plateau_sizes=sizes, left_edges=left_edges, right_edges=right_edges)
        peaks = select(_within(sizes, *_interval(plateau_size, n, peaks, who, "plateau_size")))
    if height is not None:
        props["peak_heights"] = xs[peaks]
        peaks = select(_within(props["peak_heights"], *_interval(height, n, peaks, who, "height")))
    if threshold is not None:
        left_t, right_t = xs[peaks] - xs[peaks - 1], xs[peaks] - xs[peaks + 1]
        props.update(left_thresholds=left_t, right_thresholds=right_t)
        lo, hi = _interval(threshold, n, peaks, who, "threshold")
        # the minimum must hold on both sides (the smaller drop), the maximum too (the larger)
        peaks = select(_within(np.minimum(left_t, right_t), lo, None) & _within(np.maximum(left_t, right_t), None, hi))
    if distance is not None and peaks.size > 1:
        # any distance beyond the signal acts alike: min() keeps the integers small
        peaks = select(_select_by_distance(peaks, xs[peaks], min(math.ceil(distance), n + 1)))
    if prominence is not None or width is not None:  # widths are measured from the prominences
        prom, left, right = peak_prominences(xs, peaks, wlen)
        props.update(prominences=prom, left_bases=left, right_bases=right)
    if prominence is not None:
        peaks = select(_within(props["prominences"], *_interval(prominence, n, peaks, who, "prominence")))
    if width is not None:
        data = (props["prominences"], props["left_bases"], props["right_bases"])
        w, wh, lip, rip = peak_widths(xs, peaks, rel_height, data)
        props.update(widths=w, width_heights=wh, left_ips=lip, right_ips=rip)
        peaks = select(_within(w, *_interval(width, n, peaks, who, "width")))
    return peaks, props
