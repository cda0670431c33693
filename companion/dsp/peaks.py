"""Peaks and their prominences in a 1-D signal, written from scratch with numpy.

:func:`find_peaks` and :func:`peak_prominences` give the same answers as
``scipy.signal.find_peaks`` / ``scipy.signal.peak_prominences`` on the same arguments
(positions, prominences, bases, the ``properties`` keys), including plateaus (the middle
of a flat top, rounded down), equal heights, endpoints (never peaks) and ``distance``
(smaller peaks removed by priority, highest first). The tests check this on hundreds of
random and edge-case signals. The algorithms are vectorised numpy: prominences of local
maxima by pointer jumping over the runs of the signal (other indices by a local scan plus
sparse-table searches), ``distance`` by parallel rounds of the greedy rule. Unlike scipy's
scan, the prominence cost does not grow quadratically when every peak is higher than the
last; the one slow case is ``distance`` on a long chain of ever higher peaks closer than
``distance``, finished one peak at a time in Python (``benchmarks/bench_peaks.py``).

Events (windows above a noise floor) are in ``companion.dsp.events``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from companion._checks import as_float_array

__all__ = ["find_peaks", "peak_prominences"]

_SCAN = 12  # steps of the local scan before the sparse-table search takes over


def _signal(x: Any, who: str) -> np.ndarray:
    arr = as_float_array(x, who, "x", dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{who}: expected x of shape (n_samples,), got an array of shape {arr.shape}")
    return np.ascontiguousarray(arr)


def _local_maxima(x: np.ndarray) -> np.ndarray:
    """Midpoints (rounded down) of every strict local maximum, flat tops included."""
    if x.size < 3:
        return np.empty(0, dtype=np.intp)
    d = np.diff(x)
    if np.all(d):  # no flat stretch anywhere: compare neighbours directly
        return (np.flatnonzero((d[:-1] > 0) & (d[1:] < 0)) + 1).astype(np.intp)
    change = np.flatnonzero(d)  # x[i] != x[i + 1]
    if change.size < 2:
        return np.empty(0, dtype=np.intp)
    up = d[change[:-1]] > 0  # rising into the run that starts at change[k] + 1 ...
    down = d[change[1:]] < 0  # ... and falling out of it after change[k + 1]
    k = np.flatnonzero(up & down)
    left, right = change[k] + 1, change[k + 1]
    return ((left + right) // 2).astype(np.intp)


def _sparse_tables(x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Level k holds max / min of x[i : i + 2**k] for every i that fits."""
    tmax, tmin = [x], [x]
    step = 1
    while 2 * step <= x.size:
        tmax.append(np.maximum(tmax[-1][:-step], tmax[-1][step:]))
        tmin.append(np.minimum(tmin[-1][:-step], tmin[-1][step:]))
        step *= 2
    return tmax, tmin


def _lift_left(table: list[np.ndarray], end: np.ndarray, keep_going: Any) -> np.ndarray:
    """Smallest s <= end such that every block value in [s, end) satisfies ``keep_going``."""
    s = end.copy()
    for k in range(len(table) - 1, -1, -1):
        cand = s - (1 << k)
        ok = cand >= 0
        vals = table[k][np.where(ok, cand, 0)]
        ok &= keep_going(vals)
        s = np.where(ok, cand, s)
    return s


def _lift_right(table: list[np.ndarray], start: np.ndarray, keep_going: Any, n: int) -> np.ndarray:
    """Largest e >= start such that every block value in [start, e) satisfies ``keep_going``."""
    e = start.copy()
    for k in range(len(table) - 1, -1, -1):
        step = 1 << k
        ok = e + step <= n
        vals = table[k][np.where(ok, e, 0)]
        ok &= keep_going(vals)
        e = np.where(ok, e + step, e)
    return e


def _far_bases(x: np.ndarray, peaks: np.ndarray, side: int) -> tuple[np.ndarray, np.ndarray]:
    """Minimum and its base for peaks whose scan leaves the local window (sparse tables)."""
    n = x.size
    tmax, tmin = _sparse_tables(x)
    v = x[peaks]
    if side < 0:  # (a, p]: a is the nearest sample to the left higher than the peak
        lo = _lift_left(tmax, peaks, lambda t: t <= v)  # = a + 1
        hi = peaks
    else:  # [p, b)
        lo = peaks
        hi = _lift_right(tmax, peaks + 1, lambda t: t <= v, n) - 1
    length = hi - lo + 1
    k = np.frexp(length.astype(np.float64))[1] - 1  # floor(log2(length))
    width = np.left_shift(1, k)
    m = np.full(peaks.size, np.inf)
    for level in np.flatnonzero(np.bincount(k)):  # the levels in use (np.unique would sort)
        sel = k == level
        t = tmin[level]
        m[sel] = np.minimum(t[lo[sel]], t[hi[sel] - width[sel] + 1])
    if side < 0:  # the base is the minimum nearest the peak: the rightmost one
        base = _lift_left(tmin, hi + 1, lambda t: t > m) - 1
    else:  # the leftmost one
        base = _lift_right(tmin, lo, lambda t: t > m, n)
    return m, base


def _prominences_scan(x: np.ndarray, peaks: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Any peak index: a local scan, then sparse tables for the scans that run far."""
    n = x.size
    q = peaks.size
    if q == 0:
        return np.empty(0), np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    pad = _SCAN + 1
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
    for _ in range(_SCAN):
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
    if active.size:  # scans still running: the long-range search on the sparse tables
        left = active[active < q]
        right = active[active >= q]
        if left.size:
            low[left], base[left] = _far_bases(x, peaks[left], -1)
        if right.size:
            low[right], base[right] = _far_bases(x, peaks[right - q], +1)
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

def peak_prominences(x: Any, peaks: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The prominence of each peak and the bases it is measured from.

    The prominence of a peak is its height above the higher of its two bases. The left
    base is the lowest sample between the peak and the nearest sample to its left that is
    higher than the peak (or the start of the signal); among equal lows, the one nearest
    the peak. The right base likewise. Equal to ``scipy.signal.peak_prominences(x, peaks)``
    (without ``wlen``); an index that is not on a local maximum (flat tops included) gets
    prominence 0 (scipy also warns about it).

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The signal: real and finite.
    peaks : array_like of int, shape (n_peaks,)
        Indices into ``x``, in any order.

    Returns
    -------
    prominences : ndarray of float64, shape (n_peaks,)
    left_bases, right_bases : ndarray of intp, shape (n_peaks,)

    Raises
    ------
    ValueError
        If ``x`` is not 1-D, holds NaN or infinity, or ``peaks`` is not a 1-D array of
        integer indices into ``x``.

    Derived in: EEG blinks with wavelets §5
    """
    who = "peak_prominences"
    xs = _signal(x, who)
    p = np.asarray(peaks)
    if p.size == 0:
        p = p.astype(np.intp)
    if p.ndim != 1 or p.dtype.kind not in "iu":
        raise ValueError(
            f"{who}: expected peaks as a 1-D array of integer indices, got shape {p.shape}, dtype {p.dtype}"
        )
    p = p.astype(np.intp)
    if p.size and (p.min() < 0 or p.max() >= xs.size):
        bad = p[(p < 0) | (p >= xs.size)][0]
        raise ValueError(f"{who}: peak index {bad} is outside x (valid indices 0..{xs.size - 1})")
    return _prominences(xs, p)


def _interval(value: Any, x: np.ndarray, peaks: np.ndarray, who: str, name: str) -> tuple[Any, Any]:
    """``value`` as scipy reads it: a minimum, or (min, max); arrays are per sample of x."""
    if isinstance(value, (tuple, list)) and len(value) == 2:
        lo, hi = value
    elif isinstance(value, np.ndarray) and value.ndim == 1 and value.size == 2:
        lo, hi = value  # scipy unpacks any two-element sequence as (min, max)
    else:
        lo, hi = value, None
    out = []
    for b in (lo, hi):
        if isinstance(b, np.ndarray) and b.ndim == 0:
            b = b.item()
        if isinstance(b, np.ndarray):
            if b.size != x.size:
                raise ValueError(f"{who}: an array {name} must have one value per sample ({x.size}), got {b.size}")
            b = b[peaks]
        elif b is not None and not np.isscalar(b):
            raise ValueError(f"{who}: {name} must be a number, a (min, max) pair or None, got {b!r}")
        out.append(b)
    return out[0], out[1]


def _within(values: np.ndarray, lo: Any, hi: Any) -> np.ndarray:
    keep = np.ones(values.size, dtype=bool)
    if lo is not None:
        keep &= lo <= values
    if hi is not None:
        keep &= values <= hi
    return keep


def _window_max(values: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    """max(values[lo[i]:hi[i]]) for every i (all windows non-empty), with a sparse table."""
    width = hi - lo
    levels = [values]
    step = 1
    while 2 * step <= width.max():
        levels.append(np.maximum(levels[-1][:-step], levels[-1][step:]))
        step *= 2
    k = np.frexp(width.astype(np.float64))[1] - 1  # floor(log2(width))
    out = np.empty(lo.size, dtype=values.dtype)
    for level in np.flatnonzero(np.bincount(k)):  # the levels in use (np.unique would sort)
        sel = k == level
        t = levels[level]
        out[sel] = np.maximum(t[lo[sel]], t[hi[sel] - (1 << level)])
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
    prominence: Any = None,
    distance: float | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Local maxima of a signal, filtered by height, distance and prominence.

    A peak is a sample (or the middle of a flat top, rounded down) higher than both
    neighbours; the first and last samples are never peaks. Conditions are applied in
    scipy's order: height, then distance (keep the highest peak, drop its neighbours closer
    than ``distance`` samples, repeat), then prominence. Equal to
    ``scipy.signal.find_peaks(x, height=..., distance=..., prominence=...)``.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        The signal: real and finite.
    height : number, array or (min, max), optional
        Required peak height; ``None`` in a pair is an open end; an array gives one bound
        per sample.
    prominence : number, array or (min, max), optional
        Required prominence (see :func:`peak_prominences`).
    distance : number >= 1, optional
        Minimal horizontal distance in samples between neighbouring peaks (rounded up).

    Returns
    -------
    peaks : ndarray of intp
        Indices of the peaks, increasing.
    properties : dict
        ``peak_heights`` if ``height`` was given; ``prominences``, ``left_bases``,
        ``right_bases`` if ``prominence`` was given — the same keys as scipy's.

    Raises
    ------
    ValueError
        If ``x`` is not 1-D or holds NaN or infinity, or ``distance`` < 1.

    Derived in: EEG blinks with wavelets §5
    """
    who = "find_peaks"
    xs = _signal(x, who)
    if distance is not None:
        if not np.isscalar(distance) or not np.isfinite(distance) or distance < 1:
            raise ValueError(f"{who}: distance must be a number >= 1 (in samples), got {distance!r}")
    peaks = _local_maxima(xs)
    props: dict[str, np.ndarray] = {}
    if height is not None:
        heights = xs[peaks]
        lo, hi = _interval(height, xs, peaks, who, "height")
        keep = _within(heights, lo, hi)
        peaks = peaks[keep]
        props["peak_heights"] = heights[keep]
    if distance is not None and peaks.size > 1:
        keep = _select_by_distance(peaks, xs[peaks], int(np.ceil(distance)))
        peaks = peaks[keep]
        props = {key: val[keep] for key, val in props.items()}
    if prominence is not None:
        prom, left, right = _prominences(xs, peaks)
        props.update(prominences=prom, left_bases=left, right_bases=right)
        lo, hi = _interval(prominence, xs, peaks, who, "prominence")
        keep = _within(prom, lo, hi)
        peaks = peaks[keep]
        props = {key: val[keep] for key, val in props.items()}
    return peaks, props

