"""Scores of a cleaning against the truth: band power and :class:`CleaningMetrics`.

:func:`band_power` is the periodogram's power in a band; :func:`cleaning_metrics` compares a
cleaned recording with the clean one :func:`companion.dsp.make_eeg` keeps (correlation,
RMSE, blink power removed, alpha and beta kept). Defined in :mod:`companion.dsp.eeg` first,
and still importable from there.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

from companion._checks import as_float_array, check_number, check_pair, check_positive
from companion.dsp._args import as_channels

__all__ = ["band_power", "CleaningMetrics", "cleaning_metrics"]


def _eeg_array(x: Any, who: str, name: str, axis: Any) -> tuple[np.ndarray, bool]:
    """``x`` as float64 (n_channels, n_samples), time last, with at least 2 samples per channel;
    and whether it was 1-D."""
    arr, t, was_1d = as_channels(x, who, name, axis)
    if arr.shape[-1] < 2:
        raise ValueError(f"{who}: {name} needs at least 2 samples on its time axis (axis {t}), got "
                         f"{arr.shape[-1]}")
    return arr, was_1d


def _band_power(arr: np.ndarray, fs: float, band: tuple[float, float]) -> np.ndarray:
    """:func:`band_power` of a checked array (time last); NaN where the band holds no bin."""
    n = arr.shape[-1]
    spec = np.abs(np.fft.rfft(arr, axis=-1)) ** 2 / n**2
    spec[..., 1:] *= 2
    if n % 2 == 0:
        spec[..., -1] /= 2  # the Nyquist bin has no mirror image
    f = np.fft.rfftfreq(n, 1 / fs)
    sel = (f >= band[0]) & (f <= band[1])
    return spec[..., sel].sum(axis=-1) if sel.any() else np.full(arr.shape[:-1], np.nan)


def band_power(x: Any, fs: float, band: tuple[float, float], *, axis: int | None = None) -> np.ndarray:
    """Mean power (µV² per sample) of ``x`` in a frequency band, from the periodogram.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_channels, n_samples)
        At least 2 samples per channel.
    fs : float
        Sampling rate, Hz.
    band : (low, high)
        Hz, inclusive; it must hold at least one frequency bin (bins are ``fs / n_samples``
        apart, from 0 to ``fs / 2``).
    axis : int, optional
        The time (samples) axis of ``x``. None (the default) is the last axis: channels
        first, as EEG files and MNE give them (a 2-D ``x`` with more channels than samples is
        refused then as the wrong layout); ``axis=0`` takes ``(n_samples, n_channels)``.

    Returns
    -------
    ndarray
        One value per channel (a 0-d array for 1-D input). Summed over all bands it is the
        mean square of ``x`` (Parseval).

    Derived in: eeg-metrics
    """
    who = "band_power"
    fs = check_positive(fs, "fs", who)
    band = check_pair(band, "band", who)
    arr, was_1d = _eeg_array(x, who, "x", axis)
    power = _band_power(arr, fs, band)
    if was_1d:
        power = power[0]
    if np.isnan(power).any():
        n = arr.shape[-1]
        raise ValueError(f"{who}: band {band} Hz holds no frequency bin of a {n}-sample record at fs={fs:g} Hz "
                         f"(bins {fs / n:g} Hz apart, from 0 to fs/2 = {fs / 2:g} Hz)")
    return power


@dataclass
class CleaningMetrics:
    """How close a cleaned recording is to the clean truth (means over channels).

    - ``correlation`` / ``rmse``: cleaned vs clean (``*_before``: contaminated vs clean);
    - ``blink_power_removed``: share of the artifact's 0–4 Hz power that is gone,
      ``1 - P(cleaned - clean) / P(contaminated - clean)`` in that band;
    - ``alpha_kept``: alpha-band (8–12 Hz) power of cleaned over clean, whole record;
    - ``artifact_left_inside``: RMS of ``cleaned - clean`` over RMS of the artifact, inside
      the blinks;
    - ``alpha_kept_outside`` / ``beta_kept_outside``: band power of cleaned over clean
      (8–12 Hz, 13–30 Hz) outside the blinks.

    Every field is a finite number (checked when it is made).

    Derived in: eeg-metrics
    """

    correlation: float
    rmse: float
    correlation_before: float
    rmse_before: float
    blink_power_removed: float
    alpha_kept: float
    artifact_left_inside: float
    alpha_kept_outside: float
    beta_kept_outside: float

    def __post_init__(self) -> None:
        for f in fields(self):
            setattr(self, f.name, check_number(getattr(self, f.name), f.name, "CleaningMetrics"))

    def __str__(self) -> str:
        return (f"corr {self.correlation_before:.3f} -> {self.correlation:.3f}, "
                f"RMSE {self.rmse_before:.1f} -> {self.rmse:.1f} µV, blink power removed "
                f"{self.blink_power_removed:.1%}, alpha kept {self.alpha_kept:.1%}; outside blinks alpha "
                f"{self.alpha_kept_outside:.1%}, beta {self.beta_kept_outside:.1%}; artifact left inside "
                f"blinks {self.artifact_left_inside:.1%}")


def _corr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a - a.mean(axis=-1, keepdims=True)
    b = b - b.mean(axis=-1, keepdims=True)
    return (a * b).sum(-1) / np.sqrt((a * a).sum(-1) * (b * b).sum(-1))


# Why a metric can be undefined (0 / 0): the message for each.
_UNDEFINED = {
    "correlation": "a channel of clean or cleaned is constant",
    "correlation_before": "a channel of clean or contaminated is constant",
    "blink_power_removed": "contaminated does not differ from clean in 0-4 Hz: there is no artifact to score",
    "alpha_kept": "clean has no 8-12 Hz power on some channel (or the record is too short to resolve it)",
    "artifact_left_inside": "contaminated equals clean inside the blinks: there is no artifact there",
    "alpha_kept_outside": "clean has no 8-12 Hz power outside the blinks on some channel (or too few samples "
                          "there to resolve it)",
    "beta_kept_outside": "clean has no 13-30 Hz power outside the blinks on some channel (or too few samples "
                         "there to resolve it)",
}


def cleaning_metrics(clean: Any, contaminated: Any, cleaned: Any, fs: float,
                     blink_mask: Any | None = None, *, axis: int | None = None) -> CleaningMetrics:
    """Score ``cleaned`` against ``clean`` (see :class:`CleaningMetrics`).

    Parameters
    ----------
    clean, contaminated, cleaned : array_like, same shape (n_samples,) or (n_channels, n_samples)
    fs : float
        Sampling rate, Hz.
    blink_mask : array_like of bool, shape (n_samples,), optional
        Where the blinks are (e.g. ``EEGData.blink_mask``); default: where
        ``contaminated != clean`` on any channel.
    axis : int, optional
        The time (samples) axis of the three arrays. None (the default) is the last axis:
        channels first (a 2-D array with more channels than samples is refused then);
        ``axis=0`` takes ``(n_samples, n_channels)``.

    Returns
    -------
    CleaningMetrics

    Raises
    ------
    ValueError
        For arrays of different shapes, NaN or infinity, and when a metric is undefined (a
        ratio 0 / 0): a constant channel, no artifact, no alpha or beta power in ``clean``.

    Derived in: eeg-metrics
    """
    who = "cleaning_metrics"
    fs = check_positive(fs, "fs", who)
    named = (("clean", clean), ("contaminated", contaminated), ("cleaned", cleaned))
    raw = [as_float_array(a, who, name, dtype=np.float64) for name, a in named]
    if not (raw[0].shape == raw[1].shape == raw[2].shape):
        raise ValueError(f"{who}: clean, contaminated and cleaned must have one shape, got "
                         f"{raw[0].shape}, {raw[1].shape}, {raw[2].shape}")
    cl, co, cd = (_eeg_array(a, who, name, axis)[0] for a, (name, _) in zip(raw, named))
    n = cl.shape[-1]
    if blink_mask is None:
        mask = np.any(co != cl, axis=0)
    else:
        mask = np.asarray(blink_mask)
        if mask.dtype != bool:
            raise TypeError(f"{who}: blink_mask must be an array of bools (True inside a blink), got dtype "
                            f"{mask.dtype}")
        if mask.shape != (n,):
            raise ValueError(f"{who}: blink_mask must have shape ({n},), one value per sample, got {mask.shape}")
    err_before, err_after = co - cl, cd - cl
    blink_band, alpha, beta = (0.0, 4.0), (8.0, 12.0), (13.0, 30.0)
    out = ~mask
    with np.errstate(divide="ignore", invalid="ignore"):
        removed = 1 - _band_power(err_after, fs, blink_band).sum() / _band_power(err_before, fs, blink_band).sum()
        inside = np.sqrt(np.mean(err_after[:, mask] ** 2)) / np.sqrt(np.mean(err_before[:, mask] ** 2)) \
            if mask.any() else 0.0
        ratio = lambda a, b, band: float(np.mean(_band_power(a, fs, band) / _band_power(b, fs, band)))  # noqa: E731
        values = dict(
            correlation=float(np.mean(_corr(cd, cl))),
            rmse=float(np.sqrt(np.mean(err_after**2))),
            correlation_before=float(np.mean(_corr(co, cl))),
            rmse_before=float(np.sqrt(np.mean(err_before**2))),
            blink_power_removed=float(removed),
            alpha_kept=ratio(cd, cl, alpha),
            artifact_left_inside=float(inside),
            alpha_kept_outside=ratio(cd[:, out], cl[:, out], alpha) if out.sum() > 16 else 1.0,
            beta_kept_outside=ratio(cd[:, out], cl[:, out], beta) if out.sum() > 16 else 1.0,
        )
    undefined = [name for name, v in values.items() if not np.isfinite(v)]
    if undefined:
        reasons = "; ".join(f"{name}: {_UNDEFINED[name]}" for name in undefined)
        raise ValueError(f"{who}: undefined metrics (0 / 0): {reasons}")
    return CleaningMetrics(**values)
