"""Events in a noisy series: a robust noise floor, the windows above it, a peak per window.

:func:`noise_floor` sets the level, :func:`events_above` gives the start and end of each
window where the signal rises above it and falls back under it,
:func:`highest_peak_per_event` pairs each window with its highest peak from
:func:`companion.dsp.find_peaks`, and :func:`rise_and_fall` gives another start and end:
where the rise to a peak begins and where the fall from it ends.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from companion._checks import as_float_array, as_signal, check_int, check_non_negative, check_number
from companion.dsp._args import indices_in
from companion.dsp.robust import mad_sigma

__all__ = ["noise_floor", "events_above", "highest_peak_per_event", "rise_and_fall"]


def noise_floor(x: Any, k: float = 4.0) -> float:
    """A robust level that noise alone rarely crosses: median + k · 1.4826 · MAD.

    The median absolute deviation (MAD) scaled by 1.4826 estimates the standard
    deviation of Gaussian noise, and a few large events barely move it.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Real, finite, not empty.
    k : float
        How many robust standard deviations above the median, >= 0.

    Returns
    -------
    float

    Derived in: eeg-peaks
    """
    xs = as_signal(x, "noise_floor")
    if xs.size == 0:
        raise ValueError("noise_floor: x is empty")
    k = check_non_negative(k, "k", "noise_floor")
    return float(np.median(xs)) + k * mad_sigma(xs)


def events_above(
    x: Any, floor: float | np.ndarray, *, merge_gap: int = 0, min_length: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Start and end of each window where ``x`` rises above ``floor`` and falls back under it.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
    floor : float or ndarray of shape (n_samples,)
        The noise floor; an event is a run of samples with ``x > floor``.
    merge_gap : int
        Join events separated by at most this many samples under the floor.
    min_length : int
        Drop events shorter than this many samples (after merging).

    Returns
    -------
    starts, stops : ndarray of intp
        Event ``i`` covers ``x[starts[i]:stops[i]]`` (``stops`` is one past the last
        sample above the floor, as in a Python slice).

    Derived in: eeg-peaks
    """
    who = "events_above"
    xs = as_signal(x, who)
    if isinstance(floor, (np.ndarray, list, tuple)) and np.ndim(floor) > 0:
        fl = as_float_array(floor, who, "floor", dtype=np.float64)
        if fl.shape != xs.shape:
            raise ValueError(f"{who}: an array floor must have the shape of x {xs.shape}, got {fl.shape}")
    else:
        fl = check_number(floor[()] if isinstance(floor, np.ndarray) else floor, "floor", who)
    merge_gap = check_int(merge_gap, "merge_gap (samples)", who, low=0)
    min_length = check_int(min_length, "min_length (samples)", who, low=1)
    above = np.concatenate([[False], xs > fl, [False]])
    edges = np.flatnonzero(np.diff(above.astype(np.int8)))
    starts, stops = edges[0::2], edges[1::2]
    if merge_gap and starts.size > 1:
        gap_ok = starts[1:] - stops[:-1] > merge_gap  # a real gap: a new event starts
        first = np.concatenate([[True], gap_ok])
        last = np.concatenate([gap_ok, [True]])
        starts, stops = starts[first], stops[last]
    long_enough = stops - starts >= min_length
    return starts[long_enough].astype(np.intp), stops[long_enough].astype(np.intp)


def highest_peak_per_event(
    x: Any, peaks: Any, starts: Any, stops: Any
) -> tuple[np.ndarray, np.ndarray]:
    """Pair events with peaks: the highest of the ``peaks`` inside each event, events without one dropped.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
    peaks : array_like of int
        Candidate peak indices (e.g. from :func:`find_peaks`).
    starts, stops : array_like of int
        Sorted, disjoint events ``x[starts[i]:stops[i]]`` (e.g. from :func:`events_above`).

    Returns
    -------
    keep : ndarray of intp
        Indices of the events that hold at least one peak.
    best : ndarray of intp
        The highest peak of each kept event (the first one among equals).

    Derived in: eeg-peaks
    """
    who = "highest_peak_per_event"
    xs = as_signal(x, who)
    n = xs.size
    p = indices_in(peaks, 0, n - 1, who, "peaks")
    a, b = indices_in(starts, 0, n, who, "starts"), indices_in(stops, 0, n, who, "stops")
    if a.shape != b.shape or np.any(b <= a) or np.any(a[1:] < b[:-1]):
        raise ValueError(f"{who}: starts and stops must be sorted, disjoint, non-empty windows")
    best = np.full(a.size, -1, dtype=np.intp)
    if a.size and p.size:
        p = np.sort(p)
        idx = np.searchsorted(a, p, side="right") - 1
        ok = (idx >= 0) & (p < b[np.maximum(idx, 0)])
        idx, p = idx[ok], p[ok]
        # order by event, then by height (descending), then by position: the first of each event wins
        order = np.lexsort((p, -xs[p], idx))
        idx, p = idx[order], p[order]
        first = np.concatenate([[True], idx[1:] != idx[:-1]]) if idx.size else np.zeros(0, dtype=bool)
        best[idx[first]] = p[first]
    keep = np.flatnonzero(best >= 0).astype(np.intp)
    return keep, best[keep]


def rise_and_fall(x: Any, peaks: Any) -> tuple[np.ndarray, np.ndarray]:
    """Where the rise to each peak begins and where the fall from it ends.

    From each peak, walk left while the signal keeps falling away (``x[i - 1] < x[i]``) and
    right while it keeps falling (``x[i + 1] < x[i]``): the walks stop at the nearest
    trough on each side, the first sample that is not lower than the one before it. A flat
    stretch stops a walk too. Noise makes troughs everywhere, so run it on a smoothed
    signal (the slow band of a blink, not the raw EEG).

    Parameters
    ----------
    x : array_like, shape (n_samples,)
    peaks : array_like of int
        Indices into ``x`` (e.g. from :func:`find_peaks`).

    Returns
    -------
    starts, stops : ndarray of intp
        ``x[starts[i]:stops[i]]`` runs from the trough before peak ``i`` to the trough after
        it, both included (``stops`` is one past the last sample, as in a Python slice).

    Derived in: eeg-peaks
    """
    who = "rise_and_fall"
    xs = as_signal(x, who)
    p = indices_in(peaks, 0, xs.size - 1, who, "peaks")
    d = np.diff(xs)
    not_rising = np.flatnonzero(d <= 0)  # d[j] <= 0: the rise into j + 1 has stopped at j
    not_falling = np.flatnonzero(d >= 0)  # d[j] >= 0: the fall out of j has stopped at j
    # the last j < p where the signal did not rise into j + 1: the rise begins at j + 1
    k = np.searchsorted(not_rising, p) - 1
    starts = np.where(k >= 0, not_rising[np.maximum(k, 0)] + 1, 0) if not_rising.size else np.zeros_like(p)
    # the first j >= p where the signal stops falling: the fall ends at j
    k = np.searchsorted(not_falling, p)
    last = xs.size - 1
    ends = not_falling[np.minimum(k, not_falling.size - 1)] if not_falling.size else np.full_like(p, last)
    ends = np.where(k < not_falling.size, ends, last)
    return starts.astype(np.intp), (ends + 1).astype(np.intp)
