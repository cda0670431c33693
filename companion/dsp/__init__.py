"""Signals: WAV reading, spectra and pitch (chapter 8); peaks and EEG blink removal (chapter 7)."""

from companion.dsp.spectral import (
    fundamental,
    parabolic_peak,
    short_time_spectrum,
    spectrogram,
    spectrum,
    two_real_ffts,
)
from companion.dsp.wav import Wav, WavError, read_audio, read_wav

# Chapter 7: synthetic EEG, wavelets, blink removal, peaks and events
from companion.dsp.eeg import EEGData, blink_shape, make_eeg
from companion.dsp.metrics import CleaningMetrics, band_power, cleaning_metrics
from companion.dsp.events import events_above, highest_peak_per_event, noise_floor, rise_and_fall
from companion.dsp.peaks import PeakPropertyWarning, find_peaks, peak_prominences, peak_widths
from companion.dsp.wavelets import approximation_level, band_responses, dwt_bands, mad_sigma, threshold, wavelet_denoise
from companion.dsp.blinks import BlinkEvents, blink_events, detect_blinks, remove_blinks

__all__ = [
    "read_wav",
    "read_audio",
    "Wav",
    "WavError",
    "spectrum",
    "fundamental",
    "two_real_ffts",
    "parabolic_peak",
    "short_time_spectrum",
    "spectrogram",
    # chapter 7: peaks and events
    "find_peaks",
    "peak_prominences",
    "peak_widths",
    "PeakPropertyWarning",
    "noise_floor",
    "events_above",
    "highest_peak_per_event",
    "rise_and_fall",
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
    "blink_events",
    "BlinkEvents",
    "remove_blinks",
]
