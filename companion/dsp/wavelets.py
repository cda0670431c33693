"""The discrete wavelet transform as a filter bank, wavelet denoising, and blink removal.

A DWT of depth ``L`` at sampling rate ``fs`` splits a signal into nominal octave bands:
detail ``D_j`` covers ``[fs / 2**(j+1), fs / 2**j]`` and the approximation ``A_L`` covers
``[0, fs / 2**(L+1)]``. Real wavelet filters overlap their neighbours;
:func:`band_responses` measures by how much.

Denoising (:func:`wavelet_denoise`, VisuShrink) keeps the *large* coefficients: they are
the signal, the small ones the noise. Blink removal (:func:`remove_blinks`) is the
inverse: on the low levels a blink is a few huge coefficients on top of the EEG's
ordinary ones, so the large part of each coefficient is the artifact. It is estimated,
turned back into a time signal, and subtracted — only inside the blink events that
:func:`detect_blinks` finds with :func:`companion.dsp.find_peaks`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pywt
from scipy.ndimage import label, median_filter

from companion._deprecation import warn_deprecated
from companion._checks import as_float_array, check_bool, check_frequency, check_non_negative, check_positive
from companion.dsp.events import events_above, highest_peak_per_event
from companion.dsp.robust import MAD_TO_SIGMA, mad_sigma  # noqa: F401 (re-exported: companion.dsp.wavelets.mad_sigma)
from companion.dsp.peaks import find_peaks

__all__ = [
    "dwt_bands",
    "approximation_level",
    "band_responses",
    "mad_sigma",
    "threshold",
    "wavelet_denoise",
    "BlinkEvents",
    "detect_blinks",
    "remove_blinks",
]



def dwt_bands(fs: float, level: int) -> list[tuple[str, float, float]]:
    """Nominal frequency band of each output of a depth-``level`` DWT at rate ``fs``.

    Returns
    -------
    list of (name, low_hz, high_hz)
        ``("A{level}", 0, fs/2**(level+1))``, then ``("D{level}", ...)`` down to
        ``("D1", fs/4, fs/2)`` — the order of ``pywt.wavedec``'s output.

    Derived in: eeg-dwt-bands
    """
    if fs <= 0 or int(level) != level or level < 1:
        raise ValueError(f"dwt_bands: need fs > 0 and an integer level >= 1, got fs={fs}, level={level!r}")
    bands = [(f"A{level}", 0.0, fs / 2 ** (level + 1))]
    bands += [(f"D{j}", fs / 2 ** (j + 1), fs / 2**j) for j in range(level, 0, -1)]
    return bands


def approximation_level(fs: float, f_max: float = 4.0) -> int:
    """The shallowest DWT depth whose approximation covers only ``0 .. <= f_max`` Hz.

    ``fs / 2**(L+1) <= f_max``: at 256 Hz and 4 Hz, ``L = 5`` (A5 = 0–4 Hz); at 128 Hz,
    ``L = 4``; at 512 Hz, ``L = 6``.

    Derived in: eeg-dwt-bands
    """
    fs = check_positive(fs, "fs", "approximation_level")
    f_max = check_frequency(f_max, "f_max", "approximation_level", fs)
    return max(1, int(np.ceil(np.log2(fs / f_max) - 1 - 1e-12)))


def band_responses(wavelet: str, level: int, fs: float, n: int = 4096) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Measured power response of every DWT output: the filter bank, as it really is.

    Each row is ``|FFT|²`` of the signal that one coefficient of that output stands for
    (a unit coefficient in the middle of the level, everything else zero, inverted with
    ``pywt.waverec``), normalised to unit total power.

    Returns
    -------
    freqs : ndarray, shape (n // 2 + 1,)
    power : ndarray, shape (level + 1, n // 2 + 1)
        Rows in :func:`dwt_bands` order.
    names : list of str

    Derived in: eeg-dwt-bands
    """
    template = pywt.wavedec(np.zeros(n), wavelet, level=level, mode="periodization")
    rows = []
    for i in range(len(template)):
        coeffs = [np.zeros_like(c) for c in template]
        coeffs[i][coeffs[i].size // 2] = 1.0
        basis = pywt.waverec(coeffs, wavelet, mode="periodization")
        p = np.abs(np.fft.rfft(basis)) ** 2
        rows.append(p / p.sum())
    names = [b[0] for b in dwt_bands(fs, level)]
    return np.fft.rfftfreq(n, 1 / fs), np.array(rows), names


def threshold(c: np.ndarray, t: float | np.ndarray, mode: str = "soft") -> np.ndarray:
    """The large part of ``c``: hard keeps ``c`` where ``|c| > t``; soft shrinks it by ``t``.

    ``c - threshold(c, t)`` is what is left: for soft, ``c`` clipped to ``[-t, t]``; for
    hard, ``c`` where ``|c| <= t`` and 0 elsewhere. Equal to ``pywt.threshold``.

    Derived in: eeg-blink-removal
    """
    if mode == "soft":
        return np.sign(c) * np.maximum(np.abs(c) - t, 0.0)
    if mode == "hard":
        return np.where(np.abs(c) > t, c, 0.0)
    raise ValueError(f"threshold: mode must be 'soft' or 'hard', got {mode!r}")


def _as_eeg(eeg: Any, fs: float, who: str) -> tuple[np.ndarray, bool]:
    arr = as_float_array(eeg, who, "eeg", dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise ValueError(f"{who}: expected eeg of shape (n_samples,) or (n_channels, n_samples), "
                         f"got an array of shape {arr.shape}")
    fs = check_positive(fs, "fs", who)
    if arr.shape[-1] < 2 * fs:
        raise ValueError(f"{who}: need at least 2 s of signal ({int(2 * fs)} samples at {fs} Hz) per channel, "
                         f"got shape {arr.shape} (channels first: (n_channels, n_samples))")
    if not arr.flags.writeable:  # PyWavelets refuses read-only buffers (np.load(mmap_mode="r"), views)
        arr = arr.copy()
    return np.atleast_2d(arr), arr.ndim == 1


def wavelet_denoise(x: Any, fs: float, wavelet: str = "db4", level: int | None = None,
                    mode: str = "soft") -> np.ndarray:
    """VisuShrink: shrink every detail coefficient by ``sigma * sqrt(2 ln n)``, keep the rest.

    ``sigma`` is the robust noise level of the finest details (D1). Large coefficients
    survive, small ones go: the right tool for white noise on a smooth signal, the wrong
    one for blinks on EEG (it keeps the blink and shrinks the EEG).

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_channels, n_samples)
    fs : float
    wavelet : str
    level : int, optional
        Default: :func:`approximation_level` ``(fs, 4.0)``.
    mode : "soft" or "hard"

    Returns
    -------
    ndarray, the shape of ``x``

    Derived in: eeg-blink-removal
    """
    arr, was_1d = _as_eeg(x, fs, "wavelet_denoise")
    level = approximation_level(fs, 4.0) if level is None else level
    out = np.empty_like(arr)
    n = arr.shape[-1]
    for ch, row in enumerate(arr):
        coeffs = pywt.wavedec(row, wavelet, level=level)
        t = mad_sigma(coeffs[-1] - np.median(coeffs[-1])) * np.sqrt(2 * np.log(n))
        coeffs = [coeffs[0]] + [threshold(c, t, mode) for c in coeffs[1:]]
        out[ch] = pywt.waverec(coeffs, wavelet)[:n]
    return out[0] if was_1d else out


@dataclass
class BlinkEvents:
    """Blink events found on one channel: ``x[starts[i]:stops[i]]`` is event ``i``.

    ``peaks`` holds the highest detected peak of each event (samples); ``signal`` is the
    peak-detection signal (robust z-score of the slow band), ``edge_signal`` the one whose
    crossings of the noise ``floor`` give the starts and stops.

    Derived in: eeg-peaks
    """

    starts: np.ndarray
    stops: np.ndarray
    peaks: np.ndarray
    floor: float
    signal: np.ndarray
    edge_signal: np.ndarray


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


def detect_blinks(x: Any, fs: float, *, f_max: float = 4.0, edge_f_max: float = 16.0, wavelet: str = "db4",
                  height: float = 5.0, prominence: float = 5.0, floor: float = 3.0, min_gap: float = 0.25,
                  merge_gap: float = 0.1, baseline: float = 5.0) -> BlinkEvents:
    """Find blink events on one channel: prominent peaks of the slow band, and where each rises and falls.

    1. Peaks: the 0–``f_max`` Hz band (a DWT approximation) minus its running median over
       ``baseline`` seconds (drifts and offsets), as a robust z-score
       ``|x - median| / mad_sigma``; :func:`~companion.dsp.find_peaks` with ``height``
       and ``prominence`` (in robust standard deviations), at least ``min_gap`` s apart.
    2. Start and end: the same z-score of the 0–``edge_f_max`` Hz band (less smeared in
       time); an event is a window where it is above the noise ``floor`` (windows less than
       ``merge_gap`` s apart are joined) that holds a peak. Each event keeps its highest peak.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
    fs : float
    f_max, edge_f_max : float
        Bands (Hz) for the peaks and for the edges.
    wavelet : str
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
    arr, was_1d = _as_eeg(x, fs, who)
    for name, f in (("f_max", f_max), ("edge_f_max", edge_f_max)):
        check_frequency(f, name, who, fs)
    for name, v in (("height", height), ("prominence", prominence), ("baseline", baseline)):
        check_positive(v, name, who)
    for name, v in (("floor", floor), ("min_gap", min_gap), ("merge_gap", merge_gap)):
        check_non_negative(v, name, who)
    if not was_1d:
        raise ValueError(f"{who}: expected one channel, shape (n_samples,), got an array of shape {arr.shape}")
    row = arr[0]
    z = _robust_z(_lowband(row, wavelet, approximation_level(fs, f_max), fs, baseline))
    z_edge = _robust_z(_lowband(row, wavelet, approximation_level(fs, edge_f_max), fs, baseline))
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
                 prominence: float = 5.0, baseline: float = 5.0) -> list[BlinkEvents]:
    """The blink events of every channel, as :func:`remove_blinks` finds them.

    :func:`detect_blinks` on each channel of ``eeg`` (``(n_samples,)`` or
    ``(n_channels, n_samples)``), with the parameters :func:`remove_blinks` passes it.

    Returns
    -------
    list of BlinkEvents
        One per channel (a list of one for a 1-D ``eeg``).

    Derived in: eeg-peaks
    """
    arr, _ = _as_eeg(eeg, fs, "blink_events")
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ValueError(f"blink_events: unknown discrete wavelet {wavelet!r} (try 'db4', 'sym4', 'coif3')")
    return [detect_blinks(row, fs, wavelet=wavelet, height=height, prominence=prominence, baseline=baseline)
            for row in arr]


def _check_events(events: Any, shape: tuple[int, int], who: str) -> list[BlinkEvents]:
    n_channels, n = shape
    if not isinstance(events, (list, tuple)) or not all(isinstance(e, BlinkEvents) for e in events):
        raise TypeError(f"{who}: events must be a list of BlinkEvents (from blink_events), got {type(events).__name__}")
    if len(events) != n_channels:
        raise ValueError(f"{who}: events must hold one BlinkEvents per channel ({n_channels}), got {len(events)}")
    for ch, e in enumerate(events):
        bad = np.any(e.starts < 0) or np.any(e.stops > n) or np.any(e.stops <= e.starts)
        if e.starts.shape != e.stops.shape or bad:
            raise ValueError(f"{who}: events[{ch}] holds windows outside [0, {n}) or empty ones")
    return list(events)


def _hysteresis(c: np.ndarray, high: float, low: float) -> np.ndarray:
    """``c`` where it belongs to a run of ``|c| > low`` that reaches ``|c| > high``, else 0.

    A large blink's coefficients fall off gradually: the flanks of the run are below the
    threshold but are the same artifact (the hysteresis of Canny's edge detector).
    """
    runs, _ = label(np.abs(c) > low)
    strong = np.unique(runs[(np.abs(c) > high) & (runs > 0)])
    return np.where(np.isin(runs, strong) & (runs > 0), c, 0.0)


def remove_blinks(
    eeg: Any,
    fs: float,
    *,
    wavelet: str = "db4",
    k: float = 3.0,
    mode: str = "hard",
    k_low: float = 1.0,
    fast_factor: float = 4 / 3,
    f_max: float = 32.0,
    level_f: float = 2.0,
    height: float = 5.0,
    prominence: float = 5.0,
    shared_events: bool = True,
    baseline: float = 5.0,
    margin: float = 0.15,
    ramp: float = 0.1,
    events: list[BlinkEvents] | None = None,
    return_events: bool = False,
) -> np.ndarray:
    """Remove eye blinks: subtract the large wavelet coefficients, only inside blink events.

    1. :func:`blink_events` finds the events on every channel (or pass your own as
       ``events``); with ``shared_events``
       (a blink is one event seen by all channels) each channel uses the union of them.
       Without events, the EEG is returned unchanged.
    2. Per channel, a DWT deep enough that the approximation covers 0–``level_f`` Hz
       (:func:`approximation_level`).
    3. For the approximation and every detail level whose band starts below ``f_max`` Hz:
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
        At least 2 s per channel, finite, channels first.
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
    f_max, level_f : float
        Levels starting above ``f_max`` Hz are left alone; the approximation covers
        0–``level_f`` Hz.
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

    Returns
    -------
    ndarray, the shape of ``eeg``

    Raises
    ------
    ValueError
        Wrong shape (not 1-D/2-D, or shorter than 2 s), NaN or infinity, bad ``fs``, ``k``,
        ``mode`` or ``wavelet``.

    Derived in: eeg-blink-removal
    """
    who = "remove_blinks"
    arr, was_1d = _as_eeg(eeg, fs, who)
    if mode not in ("soft", "hard"):
        raise ValueError(f"{who}: mode must be 'soft' or 'hard', got {mode!r}")
    for name, v in (("k", k), ("k_low", k_low), ("fast_factor", fast_factor), ("height", height),
                    ("prominence", prominence)):
        check_positive(v, name, who)
    for name, f in (("f_max", f_max), ("level_f", level_f)):
        check_frequency(f, name, who, fs)
    check_positive(baseline, "baseline", who)
    for name, v in (("margin", margin), ("ramp", ramp)):
        check_non_negative(v, name, who)
    check_bool(shared_events, "shared_events", who)
    check_bool(return_events, "return_events", who)
    if return_events:
        warn_deprecated("remove_blinks.return_events",
                        "remove_blinks(..., return_events=True) is deprecated (its return type changed "
                        "with a flag): call events = blink_events(eeg, fs) and pass "
                        "remove_blinks(eeg, fs, events=events)")
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ValueError(f"{who}: unknown discrete wavelet {wavelet!r} (try 'db4', 'sym4', 'coif3')")
    n = arr.shape[-1]
    level = min(approximation_level(fs, level_f), pywt.dwt_max_level(n, wavelet))
    bands = dwt_bands(fs, level)
    pad, ramp_n = int(round(margin * fs)), int(round(ramp * fs))
    if events is None:
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
            if lo >= f_max:
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
    cleaned = out[0] if was_1d else out
    return (cleaned, events) if return_events else cleaned
