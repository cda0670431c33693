"""Synthetic EEG with known eye blinks (the metrics that score a cleaning: :mod:`companion.dsp.metrics`).

The model (:func:`make_eeg`), per channel ``c`` and sample ``t``, in microvolts::

    clean_c(t) = background_c(t) + alpha_c(t) + noise_c(t)
    eeg_c(t)   = clean_c(t) + g_c * sum_k A_k * s((t - t_k) / D_k)

- ``background``: 1/f ("pink") noise, independent per channel: white Gaussian noise whose
  spectrum is scaled by ``1/sqrt(f)`` above 0.5 Hz (power ∝ 1/f), flat below, no DC;
  scaled to an RMS of ``background_uv``.
- ``alpha``: a waxing and waning rhythm, white noise filtered to a Gaussian band around
  ``alpha_hz`` (σ = 1 Hz), 70 % shared by all channels; RMS ``alpha_uv`` on the most
  posterior channel, falling linearly to 20 % of it on the most frontal one.
- ``noise``: white amplifier noise of RMS ``noise_uv``.
- blinks: onsets ``t_k`` about ``60 / blink_rate`` s apart (uniform jitter ±50 %, never
  overlapping), durations ``D_k`` uniform in ``blink_duration`` (200–400 ms), amplitudes
  ``A_k`` uniform in ``blink_amplitude``. The shape ``s`` on ``[0, 1]`` is a raised-cosine
  rise over the first 40 % (the lid closing) and a raised-cosine fall over the remaining
  60 % (reopening, slower), peak 1, zero outside: the artifact has a known start and end.
- channels sit at positions ``p_c`` from 0 (frontal, over the eyes) to 1 (occipital);
  the blink reaches channel ``c`` with gain ``g_c = exp(-p_c / 0.25)``: full on frontal
  channels, a few per cent at the back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from companion._deprecation import seed_as_rng, warn_deprecated
from companion._checks import (as_float_array, as_rng, check_frequency, check_instance, check_int,
                               check_ndim, check_non_negative, check_pair, check_positive,
                               check_same_shape, is_int)
from companion.dsp._args import indices_in
from companion.dsp._renamed import renamed
from companion.dsp.metrics import CleaningMetrics, band_power, cleaning_metrics  # noqa: F401 (their first home)

__all__ = ["EEGData", "make_eeg", "blink_shape", "band_power", "CleaningMetrics", "cleaning_metrics"]
# band_power, CleaningMetrics and cleaning_metrics live in companion.dsp.metrics (imported above)

RISE_FRACTION = 0.4  # of the blink's duration spent closing the lid
BLINK_DECAY = 0.25  # spatial decay of the blink from frontal (0) to occipital (1) positions


def blink_shape(u: np.ndarray) -> np.ndarray:
    """The blink waveform on normalised time ``u`` in [0, 1]: peak 1 at ``u = 0.4``, 0 outside.

    Derived in: eeg-model
    """
    u = as_float_array(u, "blink_shape", "u", dtype=np.float64)
    r = RISE_FRACTION
    out = np.zeros_like(u)
    rise = (u >= 0) & (u < r)
    fall = (u >= r) & (u <= 1)
    out[rise] = 0.5 * (1 - np.cos(np.pi * u[rise] / r))
    out[fall] = 0.5 * (1 + np.cos(np.pi * (u[fall] - r) / (1 - r)))
    return out


@dataclass
class EEGData:
    """A synthetic recording with its ground truth (all signals in µV, shape (n_channels, n_samples)).

    Derived in: eeg-model. :func:`make_eeg` returns it; the fields are checked when it is made
    (shapes, integer sample indices inside the record, blinks in order).

    Attributes
    ----------
    fs : float
        Sampling rate, Hz.
    clean, eeg : np.ndarray
        The truth and the recording with blinks, float64 of shape ``(n_channels, n_samples)``.
    blink_onsets, blink_peaks, blink_ends : np.ndarray
        Per blink (intp): the sample where it starts, where it peaks, one past its last
        non-zero sample.
    blink_amplitudes : np.ndarray
        Per blink: µV at gain 1.
    blink_gains, alpha_gains, positions : np.ndarray
        Per channel: the blink's gain, the alpha rhythm's gain (relative to ``alpha_uv``), the
        position from 0 (frontal) to 1 (occipital).
    settings : dict
        The arguments :func:`make_eeg` was called with (``rng`` as the seed, or the name of
        its type). Called ``params`` before; ``.params`` still reads it and warns once.
    """

    fs: float
    clean: np.ndarray
    eeg: np.ndarray
    blink_onsets: np.ndarray  # sample of each blink's start
    blink_peaks: np.ndarray  # sample of each blink's maximum
    blink_ends: np.ndarray  # one past the blink's last non-zero sample
    blink_amplitudes: np.ndarray  # µV at gain 1
    blink_gains: np.ndarray  # per channel
    alpha_gains: np.ndarray  # per channel, relative to alpha_uv
    positions: np.ndarray  # per channel, 0 frontal ... 1 occipital
    settings: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        who = "EEGData"
        self.fs = check_positive(self.fs, "fs", who)
        self.eeg = as_float_array(self.eeg, who, "eeg", dtype=np.float64)
        self.clean = as_float_array(self.clean, who, "clean", dtype=np.float64)
        check_ndim(self.eeg, 2, who, "(n_channels, n_samples)", "eeg")
        check_same_shape(self.clean, self.eeg, who, ("clean", "eeg"))
        c, n = self.eeg.shape
        self.blink_onsets = indices_in(self.blink_onsets, 0, n - 1, who, "blink_onsets")
        self.blink_peaks = indices_in(self.blink_peaks, 0, n - 1, who, "blink_peaks")
        self.blink_ends = indices_in(self.blink_ends, 1, n, who, "blink_ends")
        self.blink_amplitudes = as_float_array(self.blink_amplitudes, who, "blink_amplitudes", dtype=np.float64)
        shapes = {a.shape for a in (self.blink_onsets, self.blink_peaks, self.blink_ends, self.blink_amplitudes)}
        if len(shapes) != 1:
            raise ValueError(f"{who}: blink_onsets, blink_peaks, blink_ends and blink_amplitudes must have one "
                             f"entry per blink, got shapes {self.blink_onsets.shape}, {self.blink_peaks.shape}, "
                             f"{self.blink_ends.shape}, {self.blink_amplitudes.shape}")
        on, pk, end = self.blink_onsets, self.blink_peaks, self.blink_ends
        if np.any(on > pk) or np.any(pk >= end) or np.any(on[1:] < end[:-1]):
            raise ValueError(f"{who}: every blink must have onset <= peak < end, and the blinks must be in order "
                             f"without overlapping")
        for name in ("blink_gains", "alpha_gains", "positions"):
            arr = as_float_array(getattr(self, name), who, name, dtype=np.float64)
            if arr.shape != (c,):
                raise ValueError(f"{who}: {name} must have one value per channel, shape ({c},), got {arr.shape}")
            setattr(self, name, arr)
        check_instance(self.settings, dict, "settings", who, "a dict")

    @property
    def params(self) -> dict[str, Any]:
        """Deprecated: :attr:`settings` (``params`` means a model's weights elsewhere in the companion)."""
        warn_deprecated("EEGData.params", "EEGData.params is deprecated: the generation settings are "
                                          "EEGData.settings (params means a model's weights in the companion)")
        return self.settings

    @property
    def artifact(self) -> np.ndarray:
        """The blink artifact alone: ``eeg - clean``."""
        return self.eeg - self.clean

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds."""
        return np.arange(self.eeg.shape[-1]) / self.fs

    @property
    def blink_mask(self) -> np.ndarray:
        """Boolean (n_samples,): True where a blink is under way."""
        mask = np.zeros(self.eeg.shape[-1], dtype=bool)
        for a, b in zip(self.blink_onsets, self.blink_ends):
            mask[a:b] = True
        return mask


# EEGData(..., params=...) as the first versions built it: still accepted, and warns once.
EEGData.__init__ = renamed("EEGData", params="settings")(EEGData.__init__)  # type: ignore[method-assign]


def _shaped_noise(rng: np.random.Generator, shape: tuple[int, int], fs: float, gain) -> np.ndarray:
    """White Gaussian noise with its amplitude spectrum multiplied by ``gain(freqs)``, unit RMS."""
    n = shape[-1]
    spec = np.fft.rfft(rng.standard_normal(shape), axis=-1)
    spec *= gain(np.fft.rfftfreq(n, 1 / fs))
    out = np.fft.irfft(spec, n=n, axis=-1)
    return out / np.sqrt(np.mean(out**2, axis=-1, keepdims=True))


def make_eeg(
    duration: float = 30.0,
    fs: float = 256.0,
    n_channels: int = 8,
    *,
    blink_rate: float = 15.0,
    blink_amplitude: float | tuple[float, float] = (150.0, 350.0),
    blink_duration: tuple[float, float] = (0.2, 0.4),
    background_uv: float = 10.0,
    alpha_hz: float = 10.0,
    alpha_uv: float = 8.0,
    noise_uv: float = 1.0,
    rng: np.random.Generator | int | None = 0,
    seed: int | None = None,
) -> EEGData:
    """Synthetic multichannel EEG with frontal eye blinks and the clean signal underneath.

    The model, per channel ``c`` (µV)::

        clean_c(t) = background_c(t) + alpha_c(t) + noise_c(t)
        eeg_c(t)   = clean_c(t) + g_c * sum_k A_k * s((t - t_k) / D_k)

    - background: 1/f noise (amplitude spectrum ``1/sqrt(f)`` above 0.5 Hz, flat below,
      no DC), independent per channel, RMS ``background_uv``;
    - alpha: Gaussian band around ``alpha_hz`` (σ = 1 Hz), 70 % shared by all channels, RMS
      ``alpha_uv`` at the back, falling linearly to 20 % of it at the front;
    - noise: white, RMS ``noise_uv``;
    - blinks: onsets about ``60 / blink_rate`` s apart (±50 % jitter, never overlapping),
      durations ``D_k`` uniform in ``blink_duration``, amplitudes ``A_k`` uniform in
      ``blink_amplitude``; shape :func:`blink_shape` (raised-cosine rise over 40 % of the
      blink, slower fall), zero outside;
    - channel ``c`` sits at position ``p_c`` from 0 (frontal) to 1 (occipital) and sees the
      blink with gain ``g_c = exp(-p_c / 0.25)``.

    Two calls with the same arguments and the same integer ``rng`` give identical arrays.

    Parameters
    ----------
    duration : float
        Seconds.
    fs : float
        Sampling rate in Hz.
    n_channels : int
        Channels, ordered from the most frontal (0) to the most occipital.
    blink_rate : float
        Blinks per minute (mean).
    blink_amplitude : float or (low, high)
        Peak of each blink on a frontal channel, µV (uniform in the range).
    blink_duration : (low, high)
        Seconds from a blink's start to its end.
    background_uv, alpha_uv, noise_uv : float
        RMS of the 1/f background, of the alpha rhythm (most posterior channel) and of
        the white noise, µV.
    alpha_hz : float
        Centre of the alpha rhythm.
    rng : numpy Generator, int or None
        The random numbers (an int is a seed; the default, 0, makes every call the same).
    seed : int, deprecated
        The old name of an integer ``rng``; warns once.

    Returns
    -------
    EEGData

    Derived in: eeg-model
    """
    who = "make_eeg"
    fs, duration = check_positive(fs, "fs", who), check_positive(duration, "duration", who)
    check_int(n_channels, "n_channels", who)
    check_non_negative(blink_rate, "blink_rate", who)
    if isinstance(blink_amplitude, (tuple, list)) or (isinstance(blink_amplitude, np.ndarray)
                                                       and blink_amplitude.ndim == 1):
        amp = check_pair(blink_amplitude, "blink_amplitude", who)
    else:
        amp = (check_non_negative(blink_amplitude, "blink_amplitude", who),) * 2
    lo_d, hi_d = check_pair(blink_duration, "blink_duration", who, low=0.0, low_open=True)
    if hi_d >= duration:
        raise ValueError(f"{who}: blink_duration {blink_duration} must be shorter than duration={duration:g} s")
    if lo_d * fs < 2:
        raise ValueError(f"{who}: blink_duration {blink_duration} s must last at least 2 samples, "
                         f"2 / fs = {2 / fs:g} s")
    for name, v in (("background_uv", background_uv), ("alpha_uv", alpha_uv), ("noise_uv", noise_uv)):
        check_non_negative(v, name, who)
    check_frequency(alpha_hz, "alpha_hz", who, fs)
    rng = seed_as_rng(seed, rng, who)
    recorded = rng if rng is None or is_int(rng) else type(rng).__name__
    rng = as_rng(rng, "rng", who)
    n = int(round(duration * fs))
    c = int(n_channels)
    positions = np.linspace(0.0, 1.0, c) if c > 1 else np.zeros(1)
    blink_gains = np.exp(-positions / BLINK_DECAY)
    alpha_gains = 0.2 + 0.8 * positions

    pink = _shaped_noise(rng, (c, n), fs, lambda f: np.where(f > 0, 1 / np.sqrt(np.maximum(f, 0.5)), 0.0))
    band = lambda f: np.exp(-0.5 * ((f - alpha_hz) / 1.0) ** 2)  # noqa: E731
    alpha_common = _shaped_noise(rng, (1, n), fs, band)
    alpha_own = _shaped_noise(rng, (c, n), fs, band)
    alpha = np.sqrt(0.7) * alpha_common + np.sqrt(0.3) * alpha_own
    alpha /= np.sqrt(np.mean(alpha**2, axis=-1, keepdims=True))
    clean = background_uv * pink + alpha_uv * alpha_gains[:, None] * alpha + noise_uv * rng.standard_normal((c, n))

    # Blink times: a jittered renewal process that never overlaps and stays inside the record.
    onsets, durations = [], []
    mean_gap = 60.0 / blink_rate if blink_rate > 0 else np.inf
    t = 1.0 + rng.uniform(0, min(mean_gap, duration) * 0.5) if np.isfinite(mean_gap) else np.inf
    while t + hi_d < duration - 0.5:
        d = rng.uniform(lo_d, hi_d)
        onsets.append(t)
        durations.append(d)
        t += max(mean_gap * rng.uniform(0.5, 1.5), d + 0.5)
    onsets_arr = np.array(onsets)
    durations_arr = np.array(durations)
    amplitudes = rng.uniform(amp[0], amp[1], onsets_arr.size)
    times = np.arange(n) / fs
    artifact = np.zeros(n)
    starts, peaks, ends = [], [], []
    for t0, d, a in zip(onsets_arr, durations_arr, amplitudes):
        i0, i1 = int(np.ceil(t0 * fs)), int(np.floor((t0 + d) * fs)) + 1
        artifact[i0:i1] += a * blink_shape((times[i0:i1] - t0) / d)
        nz = np.flatnonzero(artifact[i0:i1] > 0)
        starts.append(i0 + nz[0])
        ends.append(i0 + nz[-1] + 1)
        peaks.append(i0 + int(np.argmax(artifact[i0:i1])))
    eeg = clean + blink_gains[:, None] * artifact[None, :]
    settings = dict(duration=duration, fs=fs, n_channels=c, blink_rate=blink_rate, blink_amplitude=amp,
                    blink_duration=(lo_d, hi_d), background_uv=background_uv, alpha_hz=alpha_hz,
                    alpha_uv=alpha_uv, noise_uv=noise_uv, rng=recorded)
    as_int = lambda v: np.asarray(v, dtype=np.intp)  # noqa: E731
    return EEGData(fs=float(fs), clean=clean, eeg=eeg, blink_onsets=as_int(starts), blink_peaks=as_int(peaks),
                   blink_ends=as_int(ends), blink_amplitudes=amplitudes, blink_gains=blink_gains,
                   alpha_gains=alpha_gains, positions=positions, settings=settings)
