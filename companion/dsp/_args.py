"""Argument checks the dsp modules share, built on :mod:`companion._checks`.

- The time axis of a multichannel array: ``axis`` is always the time (samples) axis. Its
  default follows where the data comes from: audio (:func:`companion.dsp.read_wav`,
  soundfile) is samples first, ``(n_samples, n_channels)``; EEG (MNE, EEG files) is channels
  first, ``(n_channels, n_samples)``. With the default, more channels than samples means the
  other layout was passed, and is refused; an explicit ``axis`` is taken as given.
- EEG arrays as the wavelet functions work on them: ``(n_channels, n_samples)``, at least 2 s.
- Integer index arrays (peaks, event starts and stops); wavelet names and DWT depths.

A private module: the public functions of the dsp modules import these names.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pywt

from companion._checks import as_float_array, check_axis, check_int, check_positive, check_str

__all__ = ["time_axis", "time_first", "time_last", "restore_axis", "as_channels", "as_eeg", "restore_channels",
           "indices", "indices_in", "check_wavelet", "check_level"]


def time_axis(arr: np.ndarray, axis: Any, who: str, name: str, *, channels_first: bool) -> int:
    """The time axis of a 1-D or 2-D ``arr``, as an index ``0 .. arr.ndim - 1``.

    ``axis=None`` is the function's default layout: channels first (``channels_first=True``:
    time is the last axis) or samples first (time is axis 0). With the default, a 2-D array
    with more channels than samples is refused (it is the other layout); an explicit
    ``axis`` is validated (TypeError for a non-integer, ValueError out of range) and used.
    """
    if axis is not None:
        return check_axis(axis, arr.ndim, "axis", who)
    if arr.ndim < 2:
        return 0
    t = arr.ndim - 1 if channels_first else 0
    if arr.shape[1 - t] > arr.shape[t]:
        other = 1 - t
        if channels_first:
            what = "EEG goes channels first, (n_channels, n_samples)"
        else:
            what = "audio goes samples first, (n_samples, n_channels)"
        raise ValueError(f"{who}: {name} has shape {arr.shape}, more channels than samples: {what}; "
                         f"pass axis={other} if time runs along axis {other}, or pass {name}.T")
    return t


def time_first(arr: np.ndarray, t: int) -> np.ndarray:
    """``arr`` with its time axis ``t`` moved to the front, C-contiguous (a copy only if moved)."""
    return arr if arr.ndim < 2 or t == 0 else np.ascontiguousarray(np.moveaxis(arr, t, 0))


def time_last(arr: np.ndarray, t: int) -> np.ndarray:
    """``arr`` with its time axis ``t`` moved to the end, C-contiguous (a copy only if moved)."""
    return arr if arr.ndim < 2 or t == arr.ndim - 1 else np.ascontiguousarray(np.moveaxis(arr, t, -1))


def restore_axis(out: np.ndarray, t: int, where: int) -> np.ndarray:
    """An output whose time (or frequency) axis sits at ``where`` (0 or -1), moved back to ``t``."""
    return out if out.ndim < 2 else np.moveaxis(out, where, t)


def as_channels(x: Any, who: str, name: str, axis: Any) -> tuple[np.ndarray, int, bool]:
    """``x`` (1-D, or 2-D with time along ``axis``, default the last) as a writeable float64
    ``(n_channels, n_samples)`` array; also the caller's time axis and whether ``x`` was 1-D."""
    arr = as_float_array(x, who, name, dtype=np.float64)
    if arr.ndim not in (1, 2) or 0 in arr.shape:
        raise ValueError(f"{who}: expected {name} of shape (n_samples,) or (n_channels, n_samples) (or the "
                         f"transpose with axis=0), not empty, got an array of shape {arr.shape}")
    t = time_axis(arr, axis, who, name, channels_first=True)
    out = np.atleast_2d(time_last(arr, t))
    if not out.flags.writeable:  # PyWavelets refuses read-only buffers (np.load(mmap_mode="r"), views)
        out = out.copy()
    return out, t, arr.ndim == 1


def as_eeg(x: Any, fs: Any, who: str, axis: Any, name: str = "eeg") -> tuple[np.ndarray, int, bool, float]:
    """:func:`as_channels` with at least 2 s per channel at the rate ``fs`` (returned as a float)."""
    arr, t, was_1d = as_channels(x, who, name, axis)
    fs = check_positive(fs, "fs", who)
    if arr.shape[-1] < 2 * fs:
        shape = arr.shape[1:] if was_1d else np.moveaxis(arr, -1, t).shape
        raise ValueError(f"{who}: need at least 2 s of signal ({int(2 * fs)} samples at {fs:g} Hz) per channel, "
                         f"got {name} of shape {shape} with time along axis {t}")
    return arr, t, was_1d, fs


def restore_channels(out: np.ndarray, t: int, was_1d: bool) -> np.ndarray:
    """A ``(n_channels, n_samples)`` result in the caller's layout (:func:`as_channels`)."""
    return out[0] if was_1d else restore_axis(out, t, -1)


def check_wavelet(wavelet: Any, who: str) -> str:
    """The name of a discrete wavelet PyWavelets knows ("db4", "sym4", "coif3", ...)."""
    check_str(wavelet, "wavelet", who)
    if wavelet not in pywt.wavelist(kind="discrete"):
        raise ValueError(f"{who}: unknown discrete wavelet {wavelet!r} (try 'db4', 'sym4', 'coif3')")
    return wavelet


def check_level(level: Any, n: int, wavelet: str, who: str) -> int:
    """A DWT depth from 1 to the deepest one ``n`` samples allow for ``wavelet``."""
    deepest = pywt.dwt_max_level(n, wavelet)
    if deepest < 1:
        raise ValueError(f"{who}: {n} samples are too few for one level of the {wavelet!r} DWT")
    return check_int(level, f"level (the deepest for {n} samples and {wavelet!r} is {deepest})", who,
                     low=1, high=deepest)


def indices(value: Any, who: str, name: str) -> np.ndarray:
    """Integer indices as a 1-D intp array (empty input of any dtype is fine, as in scipy).

    TypeError for anything that does not cast safely to ``intp`` (floats, bools, strings),
    ValueError for more than one dimension.
    """
    try:
        arr = np.asarray(value)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{who}: {name} could not be turned into an array ({exc})") from None
    if arr.size == 0:
        return np.empty(0, dtype=np.intp)
    if arr.dtype.kind == "b" or not np.can_cast(arr.dtype, np.intp, "safe"):
        raise TypeError(f"{who}: {name} must hold integer indices; cannot safely cast dtype {arr.dtype} to intp")
    if arr.ndim != 1:
        raise ValueError(f"{who}: expected {name} as a 1-D array of indices, got an array of shape {arr.shape}")
    return arr.astype(np.intp)


def indices_in(value: Any, low: int, high: int, who: str, name: str) -> np.ndarray:
    """:func:`indices`, each in ``[low, high]`` (a ValueError naming the first one outside)."""
    arr = indices(value, who, name)
    bad = (arr < low) | (arr > high)
    if bad.any():
        raise ValueError(f"{who}: {name} must lie in [{low}, {high}], got {arr[bad][0]}")
    return arr
