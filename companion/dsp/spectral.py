"""Spectra of real signals: one-sided magnitude, two real FFTs in one, pitch, spectrograms.

Derived in: stereo-fft-per-channel, stereo-fft-window, stereo-fft-peak, stereo-fft-packed,
stereo-fft-spectrogram. Everything rests on numpy's FFT; windows come from
:func:`scipy.signal.get_window` (periodic, the "DFT-even" form used for spectral analysis).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.fft import next_fast_len
from scipy.signal import get_window

from companion._deprecation import warn_deprecated
from companion._checks import (as_float_array, as_signal, check_choice, check_int, check_nonempty, check_number,
                               check_positive)
from companion.dsp._args import restore_axis, time_axis, time_first

__all__ = ["spectrum", "two_real_ffts", "parabolic_peak", "fundamental", "short_time_spectrum", "spectrogram"]


def _signal(x: Any, who: str, axis: Any = None) -> tuple[np.ndarray, int]:
    """``x`` as float64 of shape (n,) or (n, channels), n >= 1, and the caller's time axis.

    ``axis`` is the caller's time axis (default 0: samples first, as :func:`read_wav` gives
    them); the array returned has time first, whatever the caller's layout.
    """
    arr = as_float_array(x, who, "x", dtype=np.float64)
    if arr.ndim not in (1, 2) or 0 in arr.shape:
        raise ValueError(f"{who}: expected x of shape (n_samples,) or (n_samples, n_channels) (or the "
                         f"transpose with axis=1), got {arr.shape}")
    # More channels than samples is a recording passed channels first (as the EEG functions
    # take it): reading it as thousands of 2-sample channels would be garbage.
    t = time_axis(arr, axis, who, "x", channels_first=False)
    return time_first(arr, t), t


def _window(window: Any, n: int, who: str) -> np.ndarray:
    if window is None:
        return np.ones(n)
    if isinstance(window, (str, tuple)):
        try:
            return get_window(window, n, fftbins=True).astype(np.float64)
        except (ValueError, TypeError) as exc:
            raise ValueError(f"{who}: unknown window {window!r} ({exc})") from None
    if np.ndim(window) == 0:  # a number (or a bool) is not a window
        raise TypeError(f"{who}: window must be a name such as 'hann', a (name, parameter) tuple, an array of "
                        f"{n} weights or None, got {window!r}")
    w = as_float_array(window, who, "window", dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"{who}: a window array must have shape ({n},) to match x, got {w.shape}")
    return w


def spectrum(
    x: Any,
    fs: float,
    *,
    window: Any = "hann",
    n_fft: int | None = None,
    scaling: str = "amplitude",
    axis: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """One-sided magnitude spectrum of a real signal, one FFT per channel.

    Derived in: stereo-fft-per-channel.

    Parameters
    ----------
    x : array_like
        Real samples, shape ``(n,)`` or ``(n, channels)`` (as :func:`read_wav` returns); each
        channel is transformed on its own.
    fs : float
        Sampling rate in Hz.
    window : str, tuple, array or None
        ``"hann"`` (default), any name :func:`scipy.signal.get_window` knows, an array of
        length ``n``, or ``None`` / ``"boxcar"`` for no window.
    n_fft : int, optional
        FFT length; ``n_fft > n`` zero-pads (a finer grid, not a finer resolution).
    scaling : {"amplitude", "raw"}
        ``"raw"``: ``|rfft(x * w, n_fft)|``. ``"amplitude"`` divides by ``sum(w)`` and doubles
        every bin except DC (and Nyquist for even ``n_fft``), so a sinusoid of amplitude A
        centred on a bin shows a peak of height A.
    axis : int, optional
        The time (samples) axis of ``x``. The default, None, is axis 0: samples first, as
        audio files give them, and a 2-D ``x`` with more channels than samples is refused as
        the wrong layout. ``axis=1`` (or -1) takes ``(channels, n)``.

    Returns
    -------
    freqs : np.ndarray
        ``np.fft.rfftfreq(n_fft, 1 / fs)``: bins ``fs / n_fft`` apart, from 0 to ``fs / 2``.
    magnitude : np.ndarray
        Shape ``(n_fft // 2 + 1,)`` or ``(n_fft // 2 + 1, channels)``: the frequency axis
        where ``x`` had its time axis (``(channels, n_fft // 2 + 1)`` for ``axis=1``).
    """
    who = "spectrum"
    arr, t = _signal(x, who, axis)
    rate = check_positive(fs, "fs", who)
    n = arr.shape[0]
    n_fft = n if n_fft is None else check_int(n_fft, "n_fft (at least the number of samples)", who, low=n)
    check_choice(scaling, "scaling", who, ("amplitude", "raw"))
    w = _window(window, n, who)
    shape = (n,) + (1,) * (arr.ndim - 1)
    mag = np.abs(np.fft.rfft(arr * w.reshape(shape), n=int(n_fft), axis=0))
    if scaling == "amplitude":
        total = w.sum()
        if total == 0:
            raise ValueError(f"{who}: the window sums to zero; use scaling='raw'")
        mag = mag / total
        stop = mag.shape[0] - 1 if n_fft % 2 == 0 else mag.shape[0]
        mag[1:stop] *= 2.0
    return np.fft.rfftfreq(int(n_fft), 1.0 / rate), restore_axis(mag, t, 0)


def two_real_ffts(x: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """The FFTs of two real signals from one complex FFT of ``z = x + i y``.

    Derived in: stereo-fft-packed. Because ``x`` and ``y`` are real, ``X[N-k] = conj(X[k])``
    and the same for ``Y``; with ``Z = fft(z)``::

        X[k] = (Z[k] + conj(Z[-k mod N])) / 2
        Y[k] = (Z[k] - conj(Z[-k mod N])) / (2 i)

    Parameters
    ----------
    x, y : array_like
        Real 1-D signals of the same length ``N >= 1`` (e.g. the left and right channels).

    Returns
    -------
    X, Y : np.ndarray
        complex128 of length ``N``, equal to ``np.fft.fft(x)`` and ``np.fft.fft(y)`` up to
        rounding.
    """
    who = "two_real_ffts"
    xa = as_float_array(x, who, "x", dtype=np.float64)
    ya = as_float_array(y, who, "y", dtype=np.float64)
    if xa.ndim != 1 or ya.ndim != 1 or xa.shape != ya.shape or xa.size == 0:
        raise ValueError(f"{who}: expected two 1-D signals of the same non-zero length, got {xa.shape} and {ya.shape}")
    z = np.fft.fft(xa + 1j * ya)
    z_mirror = np.conj(np.roll(z[::-1], 1))  # conj(Z[-k mod N])
    return (z + z_mirror) / 2.0, (z - z_mirror) / 2j


def parabolic_peak(y: Any, k: int) -> tuple[float, float]:
    """Vertex of the parabola through ``y[k-1], y[k], y[k+1]``: ``(offset, height)``.

    Derived in: stereo-fft-peak. Applied to the *log* magnitude around a spectral peak,
    ``k + offset`` estimates the peak's position in (fractional) bins; the offset lies in
    ``[-0.5, 0.5]`` when ``y[k]`` is a local maximum.

    Parameters
    ----------
    y : array_like
        1-D values (e.g. ``log |X|``).
    k : int
        Index of a local maximum with neighbours on both sides (``1 <= k <= len(y) - 2``).

    Returns
    -------
    offset, height : float
        ``p = (y[k-1] - y[k+1]) / (2 (y[k-1] - 2 y[k] + y[k+1]))`` and
        ``y[k] - (y[k-1] - y[k+1]) p / 4``.
    """
    who = "parabolic_peak"
    arr = as_float_array(y, who, "y", dtype=np.float64)
    if arr.ndim != 1 or arr.size < 3:
        raise ValueError(f"{who}: need a 1-D y of at least 3 values, got an array of shape {arr.shape}")
    k = check_int(k, "k (an index with a neighbour on each side)", who, low=1, high=arr.size - 2)
    a, b, c = arr[k - 1], arr[k], arr[k + 1]
    denom = a - 2.0 * b + c
    if denom >= 0:  # flat or not a maximum: no vertex to interpolate
        return 0.0, float(b)
    p = 0.5 * (a - c) / denom
    return float(p), float(b - 0.25 * (a - c) * p)


# --- pitch -----------------------------------------------------------------------------------

_FLOOR_DB = 60.0  # partials weaker than this (relative to the strongest) are ignored
_TOP_DB = 40.0  # the band scored for harmonics ends at the highest partial within this range
_MISS = 0.5  # score lost for every expected harmonic with no partial near it
_TOL = 0.01  # relative tolerance of a harmonic's position around its predicted place
_MIN_SHARE = 0.5  # a note's matched partials carry at least this share of the spectrum's power
_MIN_EXCESS = 10.0  # ... and at least this many times the share of the band their windows cover


def _peaks(logmag: np.ndarray, lo: int, pad: int) -> tuple[np.ndarray, np.ndarray]:
    """Local maxima of ``logmag`` that dominate +-4 unpadded bins, refined parabolically."""
    seg = logmag[lo:-1]
    is_max = (seg[1:-1] > seg[:-2]) & (seg[1:-1] >= seg[2:])
    idx = np.flatnonzero(is_max) + lo + 1
    if idx.size == 0:
        return np.empty(0), np.empty(0)
    reach = 4 * pad
    padded = np.pad(logmag, reach, constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(padded, 2 * reach + 1)
    idx = idx[logmag[idx] >= windows[idx].max(axis=1)]
    a, b, c = logmag[idx - 1], logmag[idx], logmag[idx + 1]
    denom = np.where(a - 2 * b + c < 0, a - 2 * b + c, -1.0)
    p = np.clip(0.5 * (a - c) / denom, -0.5, 0.5)
    return idx + p, b - 0.25 * (a - c) * p


def _score(c: float, freqs: np.ndarray, levels: np.ndarray, top: float,
           min_tol: float) -> tuple[float, float, list[int]]:
    """Harmonic score of candidate ``c``, the frequency of its lowest matched partial / h, and
    the indices (into ``freqs``) of the partials it matched.

    The position of harmonic ``h`` is predicted from the partials matched so far by a
    stiff-string fit ``f_h / h = alpha + gamma h**2`` (gamma >= 0), so stretched piano partials
    stay inside a tight tolerance.
    """
    score, first, matched = 0.0, np.nan, []
    n_hits, su, sy, suu, suy = 0, 0.0, 0.0, 0.0, 0.0  # running sums for the least-squares fit
    alpha, gamma = c, 0.0
    n_harm = max(1, int(top * (1 + _TOL) // c))
    for h in range(1, n_harm + 1):
        target = h * (alpha + gamma * h * h)
        tol = min(max(_TOL * h * c, min_tol), 0.4 * c)
        j0, j1 = np.searchsorted(freqs, [target - tol, target + tol])
        if j1 <= j0:
            score -= _MISS
            continue
        j = j0 + int(np.argmax(levels[j0:j1]))
        score += float(levels[j])
        matched.append(j)
        y, u = float(freqs[j]) / h, float(h * h)
        if n_hits == 0:
            first = y
        n_hits, su, sy, suu, suy = n_hits + 1, su + u, sy + y, suu + u * u, suy + u * y
        var = suu - su * su / n_hits
        gamma = max(0.0, (suy - su * sy / n_hits) / var) if n_hits > 1 and var > 0 else 0.0
        alpha = (sy - gamma * su) / n_hits
    return score, first, matched


def fundamental(x: Any, fs: float, *, fmin: float = 50.0, fmax: float | None = None,
                axis: int | None = None) -> float:
    """Fundamental frequency (Hz) of a pitched note, by harmonic matching on the spectrum.

    Derived in: stereo-fft-peak. The strongest peak is often a harmonic, not the
    fundamental, so the pitch is chosen by how well a whole harmonic series fits:

    1. power spectrum (Hann window, zero-padded to about 4x the length), summed over
       channels (no phase cancellation between them);
    2. peaks within 60 dB of the strongest, each refined by parabolic interpolation of the log
       magnitude, with a level in [0, 1] (1 = strongest, 0 = 60 dB down);
    3. candidates ``f_peak / k`` (k = 1..8) for the strongest peaks — over a range *wider*
       than ``[fmin, fmax]``: up to the highest strong partial, and down to ``fmin / 2`` when
       the signal is long enough to resolve it;
    4. each candidate ``c`` scores, for every harmonic up to the highest strong partial, the
       level of the partial found there (within +-1 % of where a stiff-string fit to the partials
       matched so far puts it, so stretched piano partials are followed) or a penalty of 0.5
       if there is none — so subharmonics (which predict partials that are
       missing) and octaves above (which explain only half the partials) both lose;
    5. the answer is the interpolated frequency of the winner's first partial (or, if the
       fundamental itself is missing, the lowest matched partial divided by its number).

    Two checks keep a wrong answer from being returned silently. If the best fit lies outside
    ``[fmin, fmax]``, the note is out of range: a ValueError says where the fit is, instead of
    a sub- or super-harmonic inside the range being reported. And a note's partials carry
    most of the spectrum's power (at least half, and ten times the share of the band their
    windows cover); noise, whose "partials" are chance peaks, fails that and raises.

    Parameters
    ----------
    x : array_like
        Samples, shape ``(n,)`` or ``(n, channels)``; at least ``8 fs / fmin`` of them.
    fs : float
        Sampling rate in Hz.
    fmin, fmax : float
        Range of fundamentals accepted, ``0 < fmin < fmax < fs / 2`` (with 2 % slack at
        both ends, so a note right at a limit is still found). ``fmax=None`` (the default)
        is ``0.45 * fs``: every pitch the sampling rate can carry.
    axis : int, optional
        The time (samples) axis of ``x``: None (the default) is axis 0, samples first, as in
        :func:`spectrum` (a 2-D ``x`` with more channels than samples is refused then).

    Returns
    -------
    float
        The fundamental in Hz.

    Raises
    ------
    ValueError
        For bad arguments, silence, and "no fundamental in [fmin, fmax]": noise, or a note
        whose pitch lies outside the range.
    """
    who = "fundamental"
    arr, _ = _signal(x, who, axis)
    rate = check_positive(fs, "fs", who)
    fmin = check_number(fmin, "fmin", who)
    fmax = 0.45 * rate if fmax is None else check_number(fmax, "fmax", who)
    if not (0 < fmin < fmax < rate / 2):
        raise ValueError(f"{who}: need 0 < fmin < fmax < fs/2 = {rate / 2:g} Hz, got fmin={fmin!r}, fmax={fmax!r}")
    n = arr.shape[0]
    need = int(np.ceil(8 * rate / fmin))
    if n < need:
        raise ValueError(
            f"{who}: x has {n} samples; resolving fundamentals down to fmin={fmin:g} Hz at fs={rate:g} Hz "
            f"needs at least 8 periods = {need} samples (pass a longer signal or a higher fmin)"
        )
    f_low = fmin / 2 if n >= 2 * need else fmin  # search below fmin too, where resolution allows
    x2 = arr.reshape(n, -1)
    n_fft = next_fast_len(4 * n, real=True)  # zero-padded 4x: a finer grid for the peaks
    pad = n_fft / n
    w = get_window("hann", n, fftbins=True)
    power = np.sum(np.abs(np.fft.rfft((x2 - x2.mean(axis=0)) * w[:, None], n=n_fft, axis=0)) ** 2, axis=1)
    lo = max(1, int(0.5 * f_low * n_fft / rate))
    peak_power = power[lo:].max()
    if not peak_power > 0:
        raise ValueError(f"{who}: x is silent above {0.5 * f_low:g} Hz; there is no pitch to find")
    logmag = 0.5 * np.log(np.maximum(power, peak_power * 1e-30))
    pos, height = _peaks(logmag, lo, int(round(pad)))
    levels = 1.0 + (height - 0.5 * np.log(peak_power)) * (20 / np.log(10)) / _FLOOR_DB
    keep = levels > 0
    freqs, levels = pos[keep] * rate / n_fft, np.minimum(levels[keep], 1.0)
    if freqs.size == 0:  # nothing but a slope (the partials lie below the band searched)
        raise ValueError(f"{who}: no fundamental in [fmin={fmin:g}, fmax={fmax:g}] Hz: the spectrum has no peak "
                         f"above {0.5 * f_low:g} Hz")
    top = freqs[levels >= 1 - _TOP_DB / _FLOOR_DB].max()
    strongest = freqs[np.argsort(levels)[::-1][:10]]
    candidates = np.unique(np.round((strongest[:, None] / np.arange(1, 9)).ravel(), 6))
    # 2 % slack: a note exactly at a limit (or a stretched one just past it) stays in range.
    candidates = candidates[(candidates >= f_low / 1.02) & (candidates <= max(fmax, top) * 1.02)]
    if candidates.size == 0:
        raise ValueError(f"{who}: no fundamental in [fmin={fmin:g}, fmax={fmax:g}] Hz: no partial fits one")
    min_tol = 2.0 * rate / n  # half the Hann main lobe
    best = (-np.inf, np.nan, 0.0, [])
    for c in candidates:  # ascending, so ">=" prefers the higher of two equal scores
        score, first, matched = _score(float(c), freqs, levels, top, min_tol)
        if score >= best[0]:
            best = (score, first, float(c), matched)
    _, f0, _, matched = best
    if not fmin / 1.02 <= f0 <= fmax * 1.02:
        side = "below fmin" if f0 < fmin else "above fmax"
        raise ValueError(f"{who}: no fundamental in [fmin={fmin:g}, fmax={fmax:g}] Hz: the partials fit "
                         f"{f0:.1f} Hz best, {side} (widen the range if that is the note)")
    # What share of the power lies within half a main lobe of the matched partials?
    half = int(np.ceil(min_tol * n_fft / rate))
    near = np.zeros(power.size, dtype=bool)
    for j in matched:
        k = int(round(pos[keep][j]))
        near[max(lo, k - half):k + half + 1] = True
    band = power[lo:]
    share = float(band[near[lo:]].sum() / band.sum())
    covered = float(near[lo:].mean())
    if share < _MIN_SHARE or share < _MIN_EXCESS * covered:
        raise ValueError(f"{who}: no fundamental in [fmin={fmin:g}, fmax={fmax:g}] Hz: the spectrum is not "
                         f"harmonic (the best fit, {f0:.1f} Hz, explains {share:.0%} of the power from "
                         f"{covered:.0%} of the band; a note explains most of it from a small part)")
    return float(f0)


# --- short-time spectra ----------------------------------------------------------------------


def short_time_spectrum(
    x: Any,
    fs: float,
    *,
    window_length: int,
    hop: int | None = None,
    window: Any = "hann",
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Magnitude of the short-time Fourier transform of a 1-D signal: ``(freqs, times, magnitude)``.

    Derived in: stereo-fft-spectrogram. Frames of ``window_length`` samples start every ``hop``
    samples (only frames that fit entirely inside ``x``); each is windowed and transformed
    with :func:`numpy.fft.rfft`. Longer windows resolve frequency better (bins
    ``fs / window_length`` apart) and time worse (each column averages ``window_length / fs``
    seconds).

    Parameters
    ----------
    x : array_like
        Real 1-D samples.
    fs : float
        Sampling rate in Hz.
    window_length : int
        Samples per frame, ``1 <= window_length <= len(x)``.
    hop : int, optional
        Samples between frame starts (default ``window_length // 4``, at least 1).
    window : str, tuple or array
        As in :func:`spectrum`.

    Returns
    -------
    freqs : np.ndarray
        ``np.fft.rfftfreq(window_length, 1 / fs)``.
    times : np.ndarray
        Centre of each frame in seconds, ``(start + window_length / 2) / fs``.
    magnitude : np.ndarray
        ``|rfft(frame * w)|``, shape ``(len(freqs), len(times))``.

    The order is :func:`spectrum`'s (frequencies first) and ``scipy.signal.spectrogram``'s
    ``(f, t, Sxx)``.
    """
    return _stft(x, fs, window_length, hop, window, "short_time_spectrum")


def _stft(x: Any, fs: Any, window_length: Any, hop: Any, window: Any,
          who: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`short_time_spectrum`, with ``who`` naming the function the caller used."""
    arr = check_nonempty(as_signal(x, who), who, "x")
    rate = check_positive(fs, "fs", who)
    wl = check_int(window_length, f"window_length (at most len(x) = {arr.size})", who, low=1, high=arr.size)
    step = max(1, wl // 4) if hop is None else check_int(hop, "hop", who, low=1)
    w = _window(window, wl, who)
    frames = np.lib.stride_tricks.sliding_window_view(arr, wl)[::step]
    mag = np.abs(np.fft.rfft(frames * w, axis=1)).T
    times = (np.arange(frames.shape[0]) * step + wl / 2) / rate
    return np.fft.rfftfreq(wl, 1.0 / rate), times, mag


def spectrogram(x: Any, fs: float, *, window_length: int, hop: int | None = None,
                window: Any = "hann") -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Deprecated: :func:`short_time_spectrum`, which returns ``(freqs, times, magnitude)``.

    This old name returns ``(times, freqs, magnitude)``, the reverse of :func:`spectrum`
    and of scipy; it keeps that order (a new order under the old name would swap arrays
    silently in ``t, f, S = spectrogram(...)``) and warns once.

    Derived in: stereo-fft-spectrogram
    """
    warn_deprecated("dsp.spectrogram", "companion.dsp.spectrogram is deprecated: use short_time_spectrum, "
                    "which returns (freqs, times, magnitude) in the order of spectrum and scipy")
    freqs, times, mag = _stft(x, fs, window_length, hop, window, "spectrogram")
    return times, freqs, mag
