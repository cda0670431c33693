"""Signals: WAV reading, spectra and pitch (chapter 8); peaks and EEG blink removal (chapter 7)."""

from companion.dsp.spectral import fundamental, parabolic_peak, spectrogram, spectrum, two_real_ffts
from companion.dsp.wav import Wav, WavError, read_wav

# Chapter 7: synthetic EEG, wavelets, blink removal, peaks and events
from companion.dsp.eeg import CleaningMetrics, EEGData, band_power, blink_shape, cleaning_metrics, make_eeg
from companion.dsp.events import events_above, highest_peak_per_event, noise_floor
from companion.dsp.peaks import find_peaks, peak_prominences
from companion.dsp.wavelets import (
    BlinkEvents,
    approximation_level,
    band_responses,
    detect_blinks,
    dwt_bands,
    mad_sigma,
    remove_blinks,
    threshold,
    wavelet_denoise,
)

__all__ = [
    "read_wav",
    "Wav",
    "WavError",
    "spectrum",
    "fundamental",
    "two_real_ffts",
    "parabolic_peak",
    "spectrogram",
    # chapter 7: peaks and events
    "find_peaks",
    "peak_prominences",
    "noise_floor",
    "events_above",
    "highest_peak_per_event",
    # chapter 7: synthetic EEG, wavelets, blink removal
    "make_eeg",
    "EEGData",
    "blink_shape",
    "band_power",
    "cleaning_metrics",
    "CleaningMetrics",
    "dwt_bands",
    "approximation_level",
    "band_responses",
    "mad_sigma",
    "threshold",
    "wavelet_denoise",
    "detect_blinks",
    "BlinkEvents",
    "remove_blinks",
]
