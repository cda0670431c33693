"""Blink detection and removal on EEG, with the wavelet transform of :mod:`companion.dsp.wavelets`.

Denoising keeps the large wavelet coefficients. Blink removal (:func:`remove_blinks`) is the
inverse: on the low levels a blink is a few huge coefficients on top of the EEG's ordinary
ones, so the large part of each coefficient is the artifact. It is estimated, turned back
into a time signal, and subtracted — only inside the blink events that :func:`detect_blinks`
finds with :func:`companion.dsp.find_peaks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pywt
from scipy.ndimage import label, median_filter

from companion._deprecation import warn_deprecated
from companion._checks import (as_float_array, as_signal, check_bool, check_choice, check_frequency,
                               check_non_negative, check_number, check_positive, check_same_shape)
from companion.dsp._args import as_eeg, check_level, check_wavelet, indices, restore_channels
from companion.dsp._renamed import renamed
from companion.dsp.events import events_above, highest_peak_per_event
from companion.dsp.peaks import find_peaks
from companion.dsp.robust import mad_sigma
from companion.dsp.wavelets import approximation_level, dwt_bands, threshold

__all__ = ["BlinkEvents", "detect_blinks", "blink_events", "remove_blinks"]


@dataclass
class BlinkEvents:
    """Blink events found on one channel: ``x[starts[i]:stops[i]]`` is event ``i``.

    ``peaks`` holds the highest detected peak of each event (samples); ``signal`` is the
    peak-detection signal (robust z-score of the slow band), ``edge_signal`` the one whose
    crossings of the noise ``floor`` give the starts and stops. Checked when made: integer
    windows, sorted and disjoint inside the signal, one peak inside each.

    Derived in: eeg-peaks
    """

    starts: np.ndarray
    stops: np.ndarray
    peaks: np.ndarray
    floor: float
    signal: np.ndarray
    edge_signal: np.ndarray

    def __post_init__(self) -> None:
        who = "BlinkEvents"
        self.signal = as_signal(self.signal, who, "signal")
        self.edge_signal = as_signal(self.edge_signal, who, "edge_signal")
        check_same_shape(self.signal, self.edge_signal, who, ("signal", "edge_signal"))
        self.starts, self.stops, self.peaks = (indices(getattr(self, k), who, k) for k in ("starts", "stops", "peaks"))
        self.floor = check_number(self.floor, "floor", who)
        _check_windows(self, self.signal.size, who, "")


def _check_windows(e: BlinkEvents, n: int, who: str, where: str) -> None:
    """Sorted, disjoint, non-empty windows inside ``[0, n)``, each holding its peak."""
    a, b, p = e.starts, e.stops, e.peaks
    if not a.shape == b.shape == p.shape:
        raise ValueError(f"{who}: {where}starts, stops and peaks must have one entry per event, got shapes "
                         f"{a.shape}, {b.shape}, {p.shape}")
    if np.any(a < 0) or np.any(b > n) or np.any(b <= a) or np.any(a[1:] < b[:-1]) or np.any((p < a) | (p >= b)):
        raise ValueError(f"{who}: {where}windows must be sorted, disjoint, non-empty and inside [0, {n}), "
                         f"each with its peak inside it")


def _running_median(c: np.ndarray, size: int) -> np.ndarray:
    """Median of ``c`` over a sliding window of ``size`` (made odd), edges repeated."""
    return median_filter(c, size=min(max(1, size), c.size) | 1, mode="nearest")


def _lowband(row: np.ndarray, wavelet: str, level: int, fs: float, baseline: float) -> np.ndarray:
    """The approximation band of ``row``, minus its running median over ``baseline`` seconds.

    Subtracting the slow baseline (drifts, DC offsets) is done on the approximation
    coefficients, where ``baseline`` seconds are only a few dozen values.
    """
    level = min(level, pywt.dwt_max_level(row.size, wavelet))
    coeffs = pywt.wavedec(row, wavelet, level=level)
    a = coeffs[0] - _running_median(coeffs[0], int(round(baseline * fs / 2**level)))
    return pywt.waverec([a] + [np.zeros_like(c) for c in coeffs[1:]], wavelet)[: row.size]


def _robust_z(x: np.ndarray) -> np.ndarray:
    sigma = mad_sigma(x)
    return np.abs(x - np.median(x)) / (sigma if sigma > 0 else 1.0)


_EDGE_FMAX = 16.0  # Hz: detect_blinks' default band for the edges of an event


def _check_detection(who: str, wavelet: Any, height: Any, prominence: Any, baseline: Any) -> None:
    """The arguments :func:`detect_blinks`, :func:`blink_events` and :func:`remove_blinks` share."""
    check_wavelet(wavelet, who)
    for name, v in (("height", height), ("prominence", prominence), ("baseline", baseline)):
        check_positive(v, name, who)


def _check_default_detection(fs: float, who: str) -> None:
    """:func:`detect_blinks` with its default bands needs ``fs / 2`` above the edge band."""
    if fs <= 2 * _EDGE_FMAX:
        raise ValueError(f"{who}: fs={fs:g} Hz is too low for the default blink detection (its 0-{_EDGE_FMAX:g} Hz "
                         f"edge band needs fs > {2 * _EDGE_FMAX:g} Hz): find the events per channel with "
                         f"detect_blinks(x, fs, fmax=..., edge_fmax=...) below fs/2"
                         + (" and pass them as events=" if who == "remove_blinks" else ""))


@renamed(f_max="fmax", edge_f_max="edge_fmax")
def detect_blinks(x: Any, fs: float, *, fmax: float = 4.0, edge_fmax: float = _EDGE_FMAX, wavelet: str = "db4",
                  height: float = 5.0, prominence: float = 5.0, floor: float = 3.0, min_gap: float = 0.25,
                  merge_gap: float = 0.1, baseline: float = 5.0) -> BlinkEvents:
    """Find blink events on one channel: prominent peaks of the slow band, and where each rises and falls.

    1. Peaks: the 0–``fmax`` Hz band (a DWT approximation) minus its running median over
       ``baseline`` seconds (drifts and offsets), as a robust z-score
       ``|x - median| / mad_sigma``; :func:`~companion.dsp.find_peaks` with ``height``
       and ``prominence`` (in robust standard deviations), at least ``min_gap`` s apart.
    2. Start and end: the same z-score of the 0–``edge_fmax`` Hz band (less smeared in
       time); an event is a window where it is above the noise ``floor`` (windows less than
       ``merge_gap`` s apart are joined) that holds a peak. Each event keeps its highest peak.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        One channel, at least 2 s.
    fs : float
        Sampling rate, Hz.
    fmax, edge_fmax : float
        Bands (Hz) for the peaks and for the edges, below ``fs / 2`` (called ``f_max`` and
        ``edge_f_max`` before; those names still work and warn once).
    wavelet : str
        A discrete wavelet PyWavelets knows.
    height, prominence, floor : float
        In robust standard deviations.
    min_gap, merge_gap, baseline : float
        Seconds.

    Returns
    -------
    BlinkEvents
        One peak per event.

    Derived in: eeg-peaks
    """
    who = "detect_blinks"
    x = as_float_array(x, who, "x", dtype=np.float64)
    if x.ndim != 1:
        raise ValueError(f"{who}: expected one channel, shape (n_samples,), got an array of shape {x.shape} "
                         f"(blink_events takes several)")
    arr, _, _, fs = as_eeg(x, fs, who, None, "x")
    for name, f in (("fmax", fmax), ("edge_fmax", edge_fmax)):
        check_frequency(f, name, who, fs)
    _check_detection(who, wavelet, height, prominence, baseline)
    for name, v in (("floor", floor), ("min_gap", min_gap), ("merge_gap", merge_gap)):
        check_non_negative(v, name, who)
    row = arr[0]
    z = _robust_z(_lowband(row, wavelet, approximation_level(fs, fmax), fs, baseline))
    z_edge = _robust_z(_lowband(row, wavelet, approximation_level(fs, edge_fmax), fs, baseline))
    peaks, _ = find_peaks(z, height=height, prominence=prominence, distance=max(1.0, min_gap * fs))
    starts, stops = events_above(z_edge, floor, merge_gap=int(round(merge_gap * fs)))
    keep, best = highest_peak_per_event(z, peaks, starts, stops)
    return BlinkEvents(starts=starts[keep], stops=stops[keep], peaks=best, floor=floor, signal=z,
                       edge_signal=z_edge)


def _union(starts: list[np.ndarray], stops: list[np.ndarray], n: int) -> tuple[np.ndarray, np.ndarray]:
    """The union of several sets of [start, stop) windows, as sorted disjoint windows."""
    cover = np.zeros(n + 2, dtype=np.int64)
    for a, b in zip(starts, stops):
        np.add.at(cover, a + 1, 1)
        np.add.at(cover, b + 1, -1)
    inside = np.cumsum(cover)[1:-1] > 0
    edges = np.flatnonzero(np.diff(np.concatenate([[0], inside.astype(np.int8), [0]])))
    return edges[0::2], edges[1::2]


def _window(n: int, starts: np.ndarray, stops: np.ndarray, ramp: int) -> np.ndarray:
    """1 inside [start, stop), raised-cosine ramps of ``ramp`` samples on both sides, 0 elsewhere."""
    w = np.zeros(n)
    edge = 0.5 * (1 - np.cos(np.pi * (np.arange(1, ramp + 1)) / (ramp + 1))) if ramp else np.empty(0)
    for a, b in zip(starts, stops):
        w[a:b] = 1.0
        lo = max(0, a - ramp)
        w[lo:a] = np.maximum(w[lo:a], edge[ramp - (a - lo):])
        hi = min(n, b + ramp)
        w[b:hi] = np.maximum(w[b:hi], edge[::-1][: hi - b])
    return w


def blink_events(eeg: Any, fs: float, *, wavelet: str = "db4", height: float = 5.0,
                 prominence: float = 5.0, baseline: float = 5.0, axis: int | None = None) -> list[BlinkEvents]:
    """The blink events of every channel, as :func:`remove_blinks` finds them.

    :func:`detect_blinks` on each channel of ``eeg`` (``(n_samples,)`` or
    ``(n_channels, n_samples)``), with the parameters :func:`remove_blinks` passes it.

    Parameters
    ----------
    eeg : array_like, shape (n_samples,) or (n_channels, n_samples)
        At least 2 s per channel, finite.
    fs : float
        Sampling rate, Hz.
    wavelet : str
        A discrete wavelet PyWavelets knows.
    height, prominence : float
        For :func:`detect_blinks`, in robust standard deviations of the slow band.
    baseline : float
        Seconds of the running median that tracks slow drifts.
    axis : int, optional
        The time (samples) axis of ``eeg``. None (the default) is the last axis: channels
        first (a 2-D ``eeg`` with more channels than samples is refused then); ``axis=0``
        takes ``(n_samples, n_channels)``.

    Returns
    -------
    list of BlinkEvents
        One per channel (a list of one for a 1-D ``eeg``).

    Derived in: eeg-peaks
    """
    who = "blink_events"
    arr, _, _, fs = as_eeg(eeg, fs, who, axis)
    _check_detection(who, wavelet, height, prominence, baseline)
    _check_default_detection(fs, who)
    return [detect_blinks(row, fs, wavelet=wavelet, height=height, prominence=prominence, baseline=baseline)
            for row in arr]


def _check_events(events: Any, shape: tuple[int, int], who: str) -> list[BlinkEvents]:
    n_channels, n = shape
    if not isinstance(events, (list, tuple)) or not all(isinstance(e, BlinkEvents) for e in events):
        raise TypeError(f"{who}: events must be a list of BlinkEvents (from blink_events), got {type(events).__name__}")
    if len(events) != n_channels:
        raise ValueError(f"{who}: events must hold one BlinkEvents per channel ({n_channels}), got {len(events)}")
    for ch, e in enumerate(events):
        if e.signal.shape != (n,):
            raise ValueError(f"{who}: events[{ch}] was found on {e.signal.size} samples, but eeg has {n} per channel")
        _check_windows(e, n, who, f"events[{ch}]: ")
    return list(events)


def _hysteresis(c: np.ndarray, high: float, low: float) -> np.ndarray:
    """``c`` where it belongs to a run of ``|c| > low`` that reaches ``|c| > high``, else 0.

    A large blink's coefficients fall off gradually: the flanks of the run are below the
    threshold but are the same artifact (the hysteresis of Canny's edge detector).
    """
    runs, _ = label(np.abs(c) > low)
    strong = np.unique(runs[(np.abs(c) > high) & (runs > 0)])
    return np.where(np.isin(runs, strong) & (runs > 0), c, 0.0)


@renamed(f_max="fmax", level_f="approx_fmax")
def remove_blinks(
    eeg: Any,
    fs: float,
    *,
    wavelet: str = "db4",
    k: float = 3.0,
    mode: str = "hard",
    k_low: float = 1.0,
    fast_factor: float = 4 / 3,
    fmax: float = 32.0,
    approx_fmax: float = 2.0,
    height: float = 5.0,
    prominence: float = 5.0,
    shared_events: bool = True,
    baseline: float = 5.0,
    margin: float = 0.15,
    ramp: float = 0.1,
    events: list[BlinkEvents] | None = None,
    return_events: bool = False,
    axis: int | None = None,
) -> np.ndarray:
    """Remove eye blinks: subtract the large wavelet coefficients, only inside blink events.

    1. :func:`blink_events` finds the events on every channel (or pass your own as
       ``events``); with ``shared_events``
       (a blink is one event seen by all channels) each channel uses the union of them.
       Without events, the EEG is returned unchanged.
    2. Per channel, a DWT deep enough that the approximation covers 0–``approx_fmax`` Hz
       (:func:`approximation_level`).
    3. For the approximation and every detail level whose band starts below ``fmax`` Hz:
       a robust noise level ``sigma_j`` (:func:`mad_sigma` of the coefficients *outside*
       the events) and the artifact estimate ``threshold(c, k * sigma_j, mode)`` — the large
       part of each coefficient (the approximation is measured from its running median over
       ``baseline`` seconds, so drifts and offsets stay EEG). In hard mode the
       approximation takes whole runs: a run of coefficients above ``k_low * sigma`` that
       reaches ``k * sigma`` is artifact from end to end (a large blink's flanks).
       The estimate is inverted to a time signal.
    4. It is subtracted inside each event widened by ``margin`` s, with raised-cosine ramps
       of ``ramp`` s; everywhere else the EEG is returned untouched.

    The defaults work from 128 to 512 Hz, on 1 to 64 channels, for blinks of 100 to
    1500 µV (the tests check this on :func:`~companion.dsp.make_eeg` recordings), and on
    the real recording of :func:`~companion.data.load_phyaat_eeg` they leave less than
    100 µV peak to peak inside its 1,300 µV artifact (chapter 7, ``eeg-real``).

    Parameters
    ----------
    eeg : array_like, shape (n_samples,) or (n_channels, n_samples)
        At least 2 s per channel, finite, channels first (or see ``axis``).
    fs : float
        Sampling rate, Hz.
    wavelet : str
        Any discrete wavelet PyWavelets knows ("db4", "sym4", "coif3", ...).
    k : float
        Threshold multiplier: a larger ``k`` leaves more of each coefficient to the EEG.
    k_low : float
        The approximation's lower threshold (hard mode), in the same robust sigmas.
    fast_factor : float
        Levels from 4 Hz up (theta and faster: the brain's rhythms, where a blink leaves
        only its edges) use ``fast_factor * k``, so that fewer of the EEG's bursts go too.
    mode : "hard" or "soft"
        Hard takes the whole of a large coefficient as artifact; soft only its excess over
        the threshold.
    fmax : float
        Levels whose band starts above ``fmax`` Hz are left alone (called ``f_max`` before;
        that name still works and warns once).
    approx_fmax : float
        The top of the approximation band: the DWT is deep enough that the approximation
        covers 0–``approx_fmax`` Hz (called ``level_f`` before; that name still works and
        warns once).
    height, prominence : float
        For :func:`detect_blinks`, in robust standard deviations of the slow band.
    shared_events : bool
        Use the union of all channels' events on every channel.
    baseline : float
        Seconds of the running median that tracks slow drifts (longer than a blink).
    margin, ramp : float
        Event widening and taper, seconds.
    events : list of BlinkEvents, optional
        One per channel, from :func:`blink_events` (called with the same ``wavelet``,
        ``height``, ``prominence`` and ``baseline`` when omitted). Pass them to see and
        reuse what was removed: ``ev = blink_events(eeg, fs)``, then
        ``remove_blinks(eeg, fs, events=ev)``.
    return_events : bool
        Deprecated: the return type changed with it. It still returns ``(cleaned, events)``
        and warns once; use ``events=blink_events(...)`` instead.
    axis : int, optional
        The time (samples) axis of ``eeg``. None (the default) is the last axis: channels
        first, as EEG files and MNE give them (a 2-D ``eeg`` with more channels than samples
        is refused then as the wrong layout); ``axis=0`` takes ``(n_samples, n_channels)``
        and returns that layout.

    Returns
    -------
    ndarray, the shape of ``eeg``

    Raises
    ------
    ValueError
        Wrong shape (not 1-D/2-D, or shorter than 2 s), NaN or infinity, bad ``fs``, ``k``,
        ``mode`` or ``wavelet``.
    TypeError
        An argument of the wrong type (a string for a number, a number for ``events``).

    Derived in: eeg-blink-removal
    """
    who = "remove_blinks"
    arr, t, was_1d, fs = as_eeg(eeg, fs, who, axis)
    check_choice(mode, "mode", who, ("soft", "hard"))
    for name, v in (("k", k), ("k_low", k_low), ("fast_factor", fast_factor)):
        check_positive(v, name, who)
    _check_detection(who, wavelet, height, prominence, baseline)
    for name, f in (("fmax", fmax), ("approx_fmax", approx_fmax)):
        check_frequency(f, name, who, fs)
    for name, v in (("margin", margin), ("ramp", ramp)):
        check_non_negative(v, name, who)
    check_bool(shared_events, "shared_events", who)
    check_bool(return_events, "return_events", who)
    if return_events:
        warn_deprecated("remove_blinks.return_events",
                        "remove_blinks(..., return_events=True) is deprecated (its return type changed "
                        "with a flag): call events = blink_events(eeg, fs) and pass "
                        "remove_blinks(eeg, fs, events=events)")
    n = arr.shape[-1]
    level = min(approximation_level(fs, approx_fmax), check_level(pywt.dwt_max_level(n, wavelet), n, wavelet, who))
    bands = dwt_bands(fs, level)
    pad, ramp_n = int(round(margin * fs)), int(round(ramp * fs))
    if events is None:
        _check_default_detection(fs, who)
        events = [detect_blinks(row, fs, wavelet=wavelet, baseline=baseline, height=height,
                                prominence=prominence) for row in arr]
    else:
        events = _check_events(events, arr.shape, who)
    if shared_events:
        union = _union([e.starts for e in events], [e.stops for e in events], n)
    out = arr.copy()
    for ch, row in enumerate(arr):
        starts, stops = union if shared_events else (events[ch].starts, events[ch].stops)
        if starts.size == 0:
            continue
        starts, stops = _union([np.maximum(starts - pad, 0)], [np.minimum(stops + pad, n)], n)
        inside = _window(n, starts, stops, 0) > 0
        coeffs = pywt.wavedec(row, wavelet, level=level)
        art = []
        for c, (_, lo, _hi) in zip(coeffs, bands):
            if lo >= fmax:
                art.append(np.zeros_like(c))
                continue
            pos = np.minimum((np.arange(c.size) * n) // c.size, n - 1)  # sample near each coefficient
            quiet = c[~inside[pos]]
            if quiet.size < 8:  # events everywhere: fall back on all coefficients
                quiet = c
            if lo == 0:  # the approximation: measured from its slow baseline (drift, offset)
                c = c - _running_median(c, int(round(baseline * fs / 2**level)))
                quiet = c[~inside[pos]] if quiet is not c else c
            sigma = mad_sigma(quiet)
            if lo == 0 and mode == "hard":
                art.append(_hysteresis(c, k * sigma, min(k_low, k) * sigma))
            else:
                art.append(threshold(c, (k * fast_factor if lo >= 4.0 else k) * sigma, mode))
        estimate = pywt.waverec(art, wavelet)[:n]
        out[ch] = row - _window(n, starts, stops, ramp_n) * estimate
    cleaned = restore_channels(out, t, was_1d)
    return (cleaned, events) if return_events else cleaned
