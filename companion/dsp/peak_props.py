"""Properties of peaks, written from scratch with numpy: prominences, bases and widths.

:func:`peak_prominences` and :func:`peak_widths` give the same answers as
``scipy.signal.peak_prominences`` / ``scipy.signal.peak_widths`` on the same arguments
(``wlen`` and ``rel_height`` included), bit for bit, and warn where scipy warns, with
:class:`PeakPropertyWarning`. :func:`companion.dsp.find_peaks` uses both.

Prominences of local maxima are found by pointer jumping over the runs of the signal;
other indices by a local scan plus sparse-table searches (:mod:`companion.dsp.range_queries`).
Unlike scipy's scan, the cost does not grow quadratically when every peak is higher than
the last. A small window ``wlen`` is scipy's scan, all peaks at once; a larger one only
moves the bases that lie outside it. Widths: a few steps down each flank for all peaks at
once, then chunks of doubling length for the wide peaks, or sparse tables if there are
many of them.
"""

from __future__ import annotations

import math
import sys
import warnings
from typing import Any

import numpy as np

from companion._checks import as_float_array, as_signal, check_number
from companion.dsp._args import indices
from companion.dsp.range_queries import concat_ranges, lift_left, lift_right, lowest_in, sparse_table

__all__ = ["PeakPropertyWarning", "peak_prominences", "peak_widths"]

_SCAN = 12  # steps of the local prominence scan before the sparse-table search takes over


class PeakPropertyWarning(RuntimeWarning):
    """A peak property has an unexpected value: a prominence or a width of 0.

    Raised by :func:`peak_prominences`, :func:`peak_widths` and
    :func:`companion.dsp.find_peaks` where scipy raises its ``PeakPropertyWarning``
    (a ``RuntimeWarning`` too, so the same filters catch both).
    """


def _warn(message: str) -> None:
    """Warn at the user's line: the first frame outside the companion's peak modules."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__") in ("companion.dsp.peaks", __name__):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, PeakPropertyWarning, stacklevel=level)


def _some(indices: np.ndarray) -> str:
    shown = ", ".join(map(str, indices[:5].tolist()))
    return shown + (", ..." if indices.size > 5 else "")


# --- argument checks (shared with find_peaks and companion.dsp.events) -----------------

def as_wlen(wlen: Any, who: str) -> int | None:
    """scipy's window length: None, or a number > 1 rounded up to an integer."""
    if wlen is None:
        return None
    return math.ceil(check_number(wlen, "wlen (a window length in samples, > 1)", who, low=1.0, low_open=True))


def _peak_indices(peaks: Any, n: int, who: str) -> np.ndarray:
    p = indices(peaks, who, "peaks")
    if p.size and (p.min() < 0 or p.max() >= n):
        bad = p[(p < 0) | (p >= n)][0]
        raise ValueError(f"{who}: peak {bad} is not a valid index into x (of length {n})")
    return p


# --- prominences ----------------------------------------------------------------------

def _far_bases(x: np.ndarray, peaks: np.ndarray, side: int, tmax: list, tmin: list) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and its base for peaks whose scan leaves the local window (sparse tables)."""
    v = x[peaks]
    if side < 0:  # (a, p]: a is the nearest sample to the left higher than the peak
        lo, hi = lift_left(tmax, peaks, lambda t: t <= v), peaks  # lo = a + 1
    else:  # [p, b)
        lo, hi = peaks, lift_right(tmax, peaks + 1, lambda t: t <= v, x.size) - 1
    return lowest_in(tmin, lo, hi, side)


def _prominences_scan(x: np.ndarray, peaks: np.ndarray, window: int | None = None) -> tuple[np.ndarray, ...]:
    """Any peak index: a local scan, then sparse tables for the scans that run far.

    With a ``window`` (samples each side, at most ``_SCAN``) the scan is scipy's, complete.
    """
    n = x.size
    q = peaks.size
    if q == 0:
        return np.empty(0), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    steps = _SCAN if window is None else window
    pad = steps + 1
    xpad = np.full(n + 2 * pad, np.inf)  # outside the signal counts as "higher": the scan stops there
    xpad[pad:-pad] = x
    # Both sides at once: rows 0..q-1 scan left, rows q..2q-1 scan right.
    start = np.concatenate([peaks, peaks]) + pad
    step = np.concatenate([np.full(q, -1, dtype=np.intp), np.ones(q, dtype=np.intp)])
    v = xpad[start]
    low = v.copy()
    base = start.copy()
    pos = start.copy()
    active = np.arange(2 * q)
    for _ in range(steps):
        nxt = pos[active] + step[active]
        val = xpad[nxt]
        go = val <= v[active]
        active, nxt, val = active[go], nxt[go], val[go]
        lower = val < low[active]  # strictly lower: the first minimum met is the base
        low[active[lower]] = val[lower]
        base[active[lower]] = nxt[lower]
        pos[active] = nxt
        if active.size == 0:
            break
    base -= pad
    if active.size and window is None:  # scans still running: the long-range search on the sparse tables
        tmax, tmin = sparse_table(x, np.maximum), sparse_table(x, np.minimum)
        left = active[active < q]
        right = active[active >= q]
        if left.size:
            low[left], base[left] = _far_bases(x, peaks[left], -1, tmax, tmin)
        if right.size:
            low[right], base[right] = _far_bases(x, peaks[right - q], +1, tmax, tmin)
    prominences = x[peaks] - np.maximum(low[:q], low[q:])
    return prominences, base[:q].astype(np.intp), base[q:].astype(np.intp)


def _jump(prev: np.ndarray, low: np.ndarray, base: np.ndarray, height: np.ndarray) -> None:
    """Pointer jumping to the nearest higher maximum, carrying the lowest valley on the way.

    ``prev[i]`` starts at the neighbouring maximum, ``low[i]``/``base[i]`` at the valley
    between them. While the maximum ``prev[i]`` is not higher than ``height[i]``, the range
    of ``i`` absorbs the range of ``prev[i]`` (all rows at once, from one snapshot). The
    valley nearer to ``i`` wins ties, as in scipy's scan. Updates the arrays in place.
    """
    # first round on contiguous slices: every maximum absorbs its neighbour if not lower
    m = height.size
    if m < 2:
        return
    i = np.flatnonzero(height[:-1] <= height[1:]) + 1
    i = i[prev[i] == i - 1]  # (several independent sequences may be stacked end to end)
    j = i - 1
    pj, lj, bj = prev[j], low[j], base[j]
    farther = lj < low[i]
    low[i[farther]] = lj[farther]
    base[i[farther]] = bj[farther]
    prev[i] = pj
    act = i[pj >= 0]
    act = act[height[prev[act]] <= height[act]]
    while act.size:
        j = prev[act]
        pj, lj, bj = prev[j], low[j], base[j]
        farther = lj < low[act]  # strictly lower: only then does the farther valley become the base
        upd = act[farther]
        low[upd] = lj[farther]
        base[upd] = bj[farther]
        prev[act] = pj
        keep = pj >= 0
        act, pj = act[keep], pj[keep]
        act = act[height[pj] <= height[act]]


def _prominences(x: np.ndarray, peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Prominences and bases; peaks on a local maximum take the fast path over runs.

    The signal is cut into runs of equal samples. Between two neighbouring maximum runs
    there is exactly one minimum run (the valley). Scanning left from a maximum until a
    higher sample, the lowest point met is the lowest valley before the nearest higher
    maximum (its right end: the base nearest the peak); likewise on the right. That is a
    "nearest greater element" problem on the maxima alone, solved by pointer jumping.
    """
    n, q = x.size, peaks.size
    prom = np.empty(q)
    left = np.empty(q, dtype=np.intp)
    right = np.empty(q, dtype=np.intp)
    if q == 0:
        return prom, left, right
    fast = np.zeros(q, dtype=bool)
    if n >= 3:
        differs = x[1:] != x[:-1]
        if differs.all():  # no two equal neighbours: every sample is its own run
            starts = ends = np.arange(n)
            h = x
            run_of = peaks
        else:
            change = np.flatnonzero(differs)
            starts = np.concatenate([[0], change + 1])
            ends = np.concatenate([change, [n - 1]])
            h = x[starts]
            run_id = np.concatenate([[0], np.cumsum(differs)])
            run_of = run_id[peaks]
        r = h.size
        if r >= 3:
            up = h[1:] > h[:-1]  # up[k]: run k+1 is above run k
            is_max = np.zeros(r, dtype=bool)
            np.greater(up[:-1], up[1:], out=is_max[1:-1])  # up, then down
            is_min = np.zeros(r, dtype=bool)
            np.less(up[:-1], up[1:], out=is_min[1:-1])  # down, then up
            is_min[0], is_min[-1] = up[0], not up[-1]
            # boundary maxima are no peaks, but they are barriers higher samples may hide in
            is_barrier = is_max.copy()
            is_barrier[0], is_barrier[-1] = not up[0], bool(up[-1])
            fast = is_max[run_of]
    if fast.any():
        maxima = np.flatnonzero(is_barrier)
        minima = np.flatnonzero(is_min)
        m = maxima.size
        height = h[maxima]
        # the valley to the left / right of each maximum (none for a boundary maximum)
        # maxima and minima alternate (the runs between them are monotone), so the i-th
        # maximum has i minima before it, or i + 1 if the signal starts with a minimum
        n_min_before = np.arange(m) + int(minima[0] < maxima[0])
        lv, rv = n_min_before - 1, n_min_before
        has_l, has_r = lv >= 0, rv < minima.size
        lv_c, rv_c = minima[np.maximum(lv, 0)], minima[np.minimum(rv, minima.size - 1)]
        low_l = np.where(has_l, h[lv_c], np.inf)
        base_l = np.where(has_l, ends[lv_c], -1)
        low_r = np.where(has_r, h[rv_c], np.inf)
        base_r = np.where(has_r, starts[rv_c], -1)
        # Both sides in one pass: the right side is the left side of the reversed sequence
        # of maxima, stacked after the left one (rows m..2m-1).
        prev = np.concatenate([np.arange(-1, m - 1), np.arange(m - 1, 2 * m - 1)])
        prev[m] = -1
        low = np.concatenate([low_l, low_r[::-1]])
        base = np.concatenate([base_l, base_r[::-1]])
        _jump(prev, low, base, np.concatenate([height, height[::-1]]))
        k = np.searchsorted(maxima, run_of[fast])  # which maximum each peak sits on
        kr = 2 * m - 1 - k
        prom[fast] = height[k] - np.maximum(low[k], low[kr])
        left[fast] = base[k]
        right[fast] = base[kr]
    if not fast.all():
        slow = ~fast
        prom[slow], left[slow], right[slow] = _prominences_scan(x, peaks[slow])
    return prom, left, right


def _in_window(x: np.ndarray, peaks: np.ndarray, left: np.ndarray, right: np.ndarray, half: int) -> np.ndarray:
    """Move the bases into the window [peak - half, peak + half]; return the prominences.

    A base inside the window is still the base: it is the lowest point of a larger range.
    A base outside means the scan left the window before meeting a higher sample, so every
    sample of the window on that side is <= the peak, and the base is simply the lowest of
    them (nearest the peak among equals). Updates ``left`` and ``right`` in place.
    """
    far_l = np.flatnonzero(left < peaks - half)
    far_r = np.flatnonzero(right > peaks + half)
    lo = np.concatenate([peaks[far_l] - half, peaks[far_r]])  # ranges [lo, lo + half]
    if lo.size and lo.size * (half + 1) <= 2 * x.size:  # few samples in all: read them
        idx, first = concat_ranges(lo, np.full(lo.size, half + 1))
        vals = x[idx]
        low = np.repeat(np.minimum.reduceat(vals, first), half + 1)
        nearest_left = np.maximum.reduceat(np.where(vals == low, idx, -1), first)  # rightmost minimum
        nearest_right = np.minimum.reduceat(np.where(vals == low, idx, x.size), first)  # leftmost
        left[far_l] = nearest_left[:far_l.size]
        right[far_r] = nearest_right[far_l.size:]
    elif lo.size:  # many: sparse tables
        tmin = sparse_table(x, np.minimum, half + 1)
        left[far_l] = lowest_in(tmin, lo[:far_l.size], peaks[far_l], -1)[1]
        right[far_r] = lowest_in(tmin, lo[far_l.size:], lo[far_l.size:] + half, +1)[1]
    return x[peaks] - np.maximum(x[left], x[right])


def peak_prominences(x: Any, peaks: Any, wlen: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The prominence of each peak and the bases it is measured from.

    The prominence of a peak is its height above the higher of its two bases. The left
    base is the lowest sample between the peak and the nearest sample to its left that is
    higher than the peak (or the start of the signal, or of the window); among equal lows,
    the one nearest the peak. The right base likewise. Equal to
    ``scipy.signal.peak_prominences(x, peaks, wlen)``.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The signal: real and finite.
    peaks : array_like of int, shape (n_peaks,)
        Indices into ``x``, in any order. An index that is not on a local maximum (flat
        tops included) gets prominence 0.
    wlen : number > 1, optional
        Look for the bases only inside a window of ``wlen`` samples centred on the peak
        (rounded up to an integer, then up to an odd one: ``wlen = 4`` means 2 samples
        each side). Faster on long signals, and a smaller prominence for broad peaks.

    Returns
    -------
    prominences : ndarray of float64, shape (n_peaks,)
    left_bases, right_bases : ndarray of intp, shape (n_peaks,)

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or holds NaN or infinity, ``peaks`` is not 1-D or holds an
        index outside ``x``, or ``wlen`` <= 1.
    TypeError
        If ``peaks`` are not integers, or ``wlen`` is not a number.

    Warns
    -----
    PeakPropertyWarning
        If a peak has prominence 0 (not a local maximum, or a window inside a flat top).

    Derived in: eeg-peaks
    """
    who = "peak_prominences"
    xs = as_signal(x, who)
    p = _peak_indices(peaks, xs.size, who)
    w = as_wlen(wlen, who)
    half = None if w is None else min(w // 2, xs.size)  # samples each side (a wider window is no window)
    if half is not None and half <= _SCAN:  # a small window: scipy's scan, all peaks at once
        prom, left, right = _prominences_scan(xs, p, window=half)
    else:
        prom, left, right = _prominences(xs, p)
        if half is not None:
            prom = _in_window(xs, p, left, right, half)
    if (prom == 0).any():
        _warn(f"some peaks have a prominence of 0 (at indices {_some(p[prom == 0])}: not on a local "
              "maximum, or the window wlen lies inside a flat top)")
    return prom, left, right


# --- widths ---------------------------------------------------------------------------

def _walk_down(x: np.ndarray, start: np.ndarray, level: np.ndarray, stop: np.ndarray, step: int) -> np.ndarray:
    """From ``start`` towards ``stop`` (step -1 or +1): the first sample <= ``level``, or ``stop``.

    Most flanks cross the level within a sample or two: a few steps for all peaks at once;
    then chunks of doubling length for the walks still going (work in proportion to the
    distance walked, as in scipy's loop); and if many walks are long, one sparse-table
    search for all of them.
    """
    n = x.size
    pos = start.copy()
    go = np.flatnonzero((pos != stop) & (x[pos] > level))  # invariant: x[pos] > level, pos != stop
    for _ in range(4):
        if go.size == 0:
            return pos
        nxt = pos[go] + step
        pos[go] = nxt
        go = go[(nxt != stop[go]) & (x[nxt] > level[go])]
    length = 8
    while go.size and go.size * length <= 2 * n:
        here, end = pos[go], stop[go]
        lo = np.maximum(here - length, end) if step < 0 else here + 1  # the next chunk: [lo, hi)
        hi = here if step < 0 else np.minimum(here + length, end) + 1
        idx, first = concat_ranges(lo, hi - lo)
        hit = x[idx] <= np.repeat(level[go], hi - lo)
        if step < 0:  # the hit nearest the peak: the last one in the chunk
            found = np.maximum.reduceat(np.where(hit, idx, -1), first)
            done, far = found >= 0, lo
        else:
            found = np.minimum.reduceat(np.where(hit, idx, n), first)
            done, far = found < n, hi - 1
        pos[go] = np.where(done, found, far)  # no hit: walk on from the end of the chunk ...
        go = go[~done & (far != end)]  # ... unless it is the base
        length *= 2
    if go.size:
        lv, here, end = level[go], pos[go], stop[go]
        tmin = sparse_table(x, np.minimum, int(np.abs(end - here).max()))  # walks longer than that hit stop
        if step < 0:
            pos[go] = np.maximum(lift_left(tmin, here, lambda t: t > lv) - 1, end)
        else:
            pos[go] = np.minimum(lift_right(tmin, here + 1, lambda t: t > lv, n), end)
    return pos


def peak_widths(x: Any, peaks: Any, rel_height: float = 0.5, prominence_data: Any = None,
                wlen: Any = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The width of each peak at a height relative to its prominence.

    The width is measured on the line ``x[peak] - rel_height * prominence``: from the peak,
    walk down each flank to the first sample at or below the line (never past the base)
    and interpolate linearly between that sample and its neighbour above the line. Equal to
    ``scipy.signal.peak_widths(x, peaks, rel_height, prominence_data, wlen)``.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The signal: real and finite.
    peaks : array_like of int, shape (n_peaks,)
        Indices into ``x``.
    rel_height : number >= 0
        Where to measure: 0.5 is the width at half prominence, 1 at the higher base
        (a value above 1 cannot reach below the bases).
    prominence_data : (prominences, left_bases, right_bases), optional
        As returned by :func:`peak_prominences` for the same ``x`` and ``peaks``;
        computed (with ``wlen``) if not given.
    wlen : number > 1, optional
        The window of :func:`peak_prominences`; used only without ``prominence_data``.

    Returns
    -------
    widths : ndarray of float64, shape (n_peaks,)
        In samples.
    width_heights : ndarray of float64, shape (n_peaks,)
        The height of the line the width was measured on.
    left_ips, right_ips : ndarray of float64, shape (n_peaks,)
        Interpolated positions where the line meets the left and right flank.

    Raises
    ------
    ValueError
        If ``x`` or ``peaks`` are malformed (see :func:`peak_prominences`), ``rel_height``
        < 0, or ``prominence_data`` does not fit ``peaks``: arrays of another shape, a
        negative prominence, or bases not in ``0 <= left_base <= peak <= right_base < n``.
    TypeError
        If ``rel_height`` is not a number or ``prominence_data`` is not three arrays.

    Warns
    -----
    PeakPropertyWarning
        If a peak has width 0 (``rel_height = 0``, or a prominence of 0).

    Derived in: eeg-start-end (measured from the prominences of eeg-peaks)
    """
    who = "peak_widths"
    xs = as_signal(x, who)
    p = _peak_indices(peaks, xs.size, who)
    rel = check_number(rel_height, "rel_height", who, low=0.0)
    if prominence_data is None:
        prom, left, right = peak_prominences(xs, p, as_wlen(wlen, who))
    else:
        if (isinstance(prominence_data, (str, bytes)) or not hasattr(prominence_data, "__len__")
                or len(prominence_data) != 3 or any(a is None for a in prominence_data)):
            raise TypeError(f"{who}: prominence_data must be three arrays (prominences, left_bases, "
                            f"right_bases) as returned by peak_prominences, got {prominence_data!r}")
        prom = as_float_array(prominence_data[0], who, "prominence_data[0] (prominences)", dtype=np.float64)
        left = indices(prominence_data[1], who, "prominence_data[1] (left_bases)")
        right = indices(prominence_data[2], who, "prominence_data[2] (right_bases)")
        if not prom.shape == left.shape == right.shape == p.shape:
            raise ValueError(f"{who}: the arrays in prominence_data must have the same shape as peaks {p.shape}, "
                             f"got {prom.shape}, {left.shape}, {right.shape}")
        bad = ~((0 <= left) & (left <= p) & (p <= right) & (right < xs.size) & (prom >= 0))
        if bad.any():
            i = np.flatnonzero(bad)[0]
            raise ValueError(f"{who}: prominence_data is invalid for peak {p[i]}: prominence {prom[i]}, bases "
                             f"{left[i]}, {right[i]} (need prominence >= 0, 0 <= left <= peak <= right < {xs.size})")
    height = xs[p] - prom * rel  # the line the width is measured on
    # the crossings: a sample at or below the line (or the base), then the exact point
    # between it and its neighbour towards the peak, which is above the line
    i = _walk_down(xs, p, height, left, -1)
    left_ips = i.astype(np.float64)
    below = xs[i] < height
    j = i[below]
    left_ips[below] += (height[below] - xs[j]) / (xs[j + 1] - xs[j])
    i = _walk_down(xs, p, height, right, +1)
    right_ips = i.astype(np.float64)
    below = xs[i] < height
    j = i[below]
    right_ips[below] -= (height[below] - xs[j]) / (xs[j - 1] - xs[j])
    widths = right_ips - left_ips
    if (widths == 0).any():
        _warn(f"some peaks have a width of 0 (at indices {_some(p[widths == 0])}: rel_height = 0, "
              "or a prominence of 0)")
    return widths, height, left_ips, right_ips
