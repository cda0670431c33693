"""The discrete wavelet transform as a filter bank, and wavelet denoising.

A DWT of depth ``L`` at sampling rate ``fs`` splits a signal into nominal octave bands:
detail ``D_j`` covers ``[fs / 2**(j+1), fs / 2**j]`` and the approximation ``A_L`` covers
``[0, fs / 2**(L+1)]``. Real wavelet filters overlap their neighbours;
:func:`band_responses` measures by how much.

Denoising (:func:`wavelet_denoise`, VisuShrink) keeps the *large* coefficients: they are
the signal, the small ones the noise. Blink removal (:mod:`companion.dsp.blinks`) is the
inverse. Its names (:func:`~companion.dsp.remove_blinks`, :func:`~companion.dsp.detect_blinks`,
:func:`~companion.dsp.blink_events`, :class:`~companion.dsp.BlinkEvents`) were defined here
first and can still be imported from here.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pywt

from companion._checks import (as_float_array, check_choice, check_frequency, check_int, check_non_negative,
                               check_positive)
from companion.dsp._args import as_eeg, check_level, check_wavelet, restore_channels
from companion.dsp._renamed import renamed
from companion.dsp.robust import MAD_TO_SIGMA, mad_sigma  # noqa: F401 (re-exported: companion.dsp.wavelets.mad_sigma)

__all__ = [
    "dwt_bands",
    "approximation_level",
    "band_responses",
    "mad_sigma",
    "threshold",
    "wavelet_denoise",
    # defined in companion.dsp.blinks, served from here by __getattr__ (their first home)
    "BlinkEvents",  # noqa: F822
    "detect_blinks",  # noqa: F822
    "blink_events",  # noqa: F822
    "remove_blinks",  # noqa: F822
]

_MOVED = ("BlinkEvents", "detect_blinks", "blink_events", "remove_blinks")  # to companion.dsp.blinks


def __getattr__(name: str) -> Any:
    """The blink names' old home: ``from companion.dsp.wavelets import remove_blinks`` still works."""
    if name in _MOVED:
        from companion.dsp import blinks

        return getattr(blinks, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def dwt_bands(fs: float, level: int) -> list[tuple[str, float, float]]:
    """Nominal frequency band of each output of a depth-``level`` DWT at rate ``fs``.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    level : int
        Depth of the transform, >= 1.

    Returns
    -------
    list of (name, low_hz, high_hz)
        ``("A{level}", 0, fs/2**(level+1))``, then ``("D{level}", ...)`` down to
        ``("D1", fs/4, fs/2)`` — the order of ``pywt.wavedec``'s output.

    Derived in: eeg-dwt-bands
    """
    fs = check_positive(fs, "fs", "dwt_bands")
    level = check_int(level, "level", "dwt_bands", low=1)
    bands = [(f"A{level}", 0.0, fs / 2 ** (level + 1))]
    bands += [(f"D{j}", fs / 2 ** (j + 1), fs / 2**j) for j in range(level, 0, -1)]
    return bands


@renamed(f_max="fmax")
def approximation_level(fs: float, fmax: float = 4.0) -> int:
    """The shallowest DWT depth whose approximation covers only ``0 .. <= fmax`` Hz.

    ``fs / 2**(L+1) <= fmax``: at 256 Hz and 4 Hz, ``L = 5`` (A5 = 0–4 Hz); at 128 Hz,
    ``L = 4``; at 512 Hz, ``L = 6``.

    Parameters
    ----------
    fs : float
        Sampling rate, Hz.
    fmax : float
        The highest frequency the approximation may cover, ``0 < fmax < fs / 2`` (called
        ``f_max`` before; that name still works and warns once).

    Returns
    -------
    int

    Derived in: eeg-dwt-bands
    """
    fs = check_positive(fs, "fs", "approximation_level")
    fmax = check_frequency(fmax, "fmax", "approximation_level", fs)
    return _approximation_level(fs, fmax)


def _approximation_level(fs: float, fmax: float) -> int:
    """:func:`approximation_level` of checked numbers (1 when ``fmax`` reaches ``fs / 4``)."""
    return max(1, int(np.ceil(np.log2(fs / fmax) - 1 - 1e-12)))


def band_responses(wavelet: str, level: int, fs: float, n: int = 4096) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Measured power response of every DWT output: the filter bank, as it really is.

    Each row is ``|FFT|²`` of the signal that one coefficient of that output stands for
    (a unit coefficient in the middle of the level, everything else zero, inverted with
    ``pywt.waverec``), normalised to unit total power.

    Parameters
    ----------
    wavelet : str
        A discrete wavelet PyWavelets knows.
    level : int
        Depth of the transform, from 1 to the deepest ``n`` samples allow.
    fs : float
        Sampling rate, Hz.
    n : int
        Length of the test signal, >= 2.

    Returns
    -------
    freqs : ndarray, shape (n // 2 + 1,)
    power : ndarray, shape (level + 1, n // 2 + 1)
        Rows in :func:`dwt_bands` order.
    names : list of str

    Derived in: eeg-dwt-bands
    """
    who = "band_responses"
    wavelet = check_wavelet(wavelet, who)
    fs = check_positive(fs, "fs", who)
    n = check_int(n, "n", who, low=2)
    level = check_level(level, n, wavelet, who)
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


def threshold(c: Any, t: float | np.ndarray, mode: str = "soft") -> np.ndarray:
    """The large part of ``c``: hard keeps ``c`` where ``|c| > t``; soft shrinks it by ``t``.

    ``c - threshold(c, t)`` is what is left: for soft, ``c`` clipped to ``[-t, t]``; for
    hard, ``c`` where ``|c| <= t`` and 0 elsewhere. Equal to ``pywt.threshold``.

    Parameters
    ----------
    c : array_like
        Real, finite coefficients (any shape).
    t : float or array_like
        The threshold, >= 0: a number, or an array that broadcasts against ``c``.
    mode : "soft" or "hard"

    Returns
    -------
    ndarray, the shape of ``c``

    Derived in: eeg-blink-removal
    """
    who = "threshold"
    c = as_float_array(c, who, "c", dtype=np.float64)
    if isinstance(t, (np.ndarray, list, tuple)):
        t = as_float_array(t, who, "t", dtype=np.float64)
        if np.any(t < 0):
            raise ValueError(f"{who}: t must be >= 0 everywhere, got a minimum of {float(t.min()):g}")
        try:
            fits = np.broadcast_shapes(c.shape, t.shape) == c.shape
        except ValueError:
            fits = False
        if not fits:
            raise ValueError(f"{who}: an array t must broadcast to the shape of c {c.shape}, got shape {t.shape}")
    else:
        t = check_non_negative(t, "t", who)
    check_choice(mode, "mode", who, ("soft", "hard"))
    if mode == "soft":
        return np.sign(c) * np.maximum(np.abs(c) - t, 0.0)
    return np.where(np.abs(c) > t, c, 0.0)


def wavelet_denoise(x: Any, fs: float, wavelet: str = "db4", level: int | None = None,
                    mode: str = "soft", *, axis: int | None = None) -> np.ndarray:
    """VisuShrink: shrink every detail coefficient by ``sigma * sqrt(2 ln n)``, keep the rest.

    ``sigma`` is the robust noise level of the finest details (D1). Large coefficients
    survive, small ones go: the right tool for white noise on a smooth signal, the wrong
    one for blinks on EEG (it keeps the blink and shrinks the EEG).

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_channels, n_samples)
        At least 2 s per channel, finite.
    fs : float
        Sampling rate, Hz.
    wavelet : str
        A discrete wavelet PyWavelets knows.
    level : int, optional
        Depth of the transform, from 1 to the deepest the length allows. Default:
        :func:`approximation_level` ``(fs, 4.0)`` (at most the deepest level).
    mode : "soft" or "hard"
    axis : int, optional
        The time (samples) axis of ``x``. None (the default) is the last axis: channels
        first (a 2-D ``x`` with more channels than samples is refused then); ``axis=0``
        takes ``(n_samples, n_channels)``.

    Returns
    -------
    ndarray, the shape of ``x``

    Derived in: eeg-blink-removal
    """
    who = "wavelet_denoise"
    arr, t, was_1d, fs = as_eeg(x, fs, who, axis, "x")
    wavelet = check_wavelet(wavelet, who)
    n = arr.shape[-1]
    if level is None:  # as deep as the length allows, up to the 0-4 Hz approximation
        level = min(_approximation_level(fs, 4.0), check_level(pywt.dwt_max_level(n, wavelet), n, wavelet, who))
    else:
        level = check_level(level, n, wavelet, who)
    check_choice(mode, "mode", who, ("soft", "hard"))
    out = np.empty_like(arr)
    for ch, row in enumerate(arr):
        coeffs = pywt.wavedec(row, wavelet, level=level)
        thr = mad_sigma(coeffs[-1] - np.median(coeffs[-1])) * np.sqrt(2 * np.log(n))
        coeffs = [coeffs[0]] + [threshold(c, thr, mode) for c in coeffs[1:]]
        out[ch] = pywt.waverec(coeffs, wavelet)[:n]
    return restore_channels(out, t, was_1d)
