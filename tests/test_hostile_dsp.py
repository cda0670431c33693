"""Hostile input to every public name of companion.dsp.

Each case passes one bad thing — a wrong type, a value out of range, an empty array, a NaN or an
infinity, an array of the wrong shape, a bool where a number is meant, a number where a pair is
meant — and expects a TypeError (wrong type) or ValueError (wrong value; a WavError for a file
that cannot be read) whose message starts with the function or class the caller used, raised by
the companion itself: never an error from deep inside numpy, scipy or PyWavelets, never a value
silently accepted.

Most cases are mutations of one valid call: ``args(fn, base, mutations)`` changes one argument of
``base`` at a time. The table is keyed by public name, and
``test_every_public_name_has_hostile_cases`` compares its keys with ``companion.dsp.__all__``: a
new public name without cases here fails the suite. The exception and warning classes are checked
for their kind. Everything is small and nothing heavy runs, so the module takes a few seconds.
"""

from __future__ import annotations

import dataclasses
import io
import struct
import warnings
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import companion.dsp as dsp
from tests.conftest import ROOT

COMPANION = ROOT / "companion"
NAN, INF = np.nan, np.inf
T, V = TypeError, ValueError
KIND = "<kind>"  # a row that checks a class's kind: fn() returns the class, error is its base

# name -> [(label, thunk, error, who)]; ``who`` defaults to the name itself.
Case = tuple[str, Callable[[], Any], type, str | None]
CASES: dict[str, list[Case]] = {}


def cases(name: str, *rows: tuple) -> None:
    CASES.setdefault(name, [])
    CASES[name] += [(label, fn, err, who[0] if who else None) for label, fn, err, *who in rows]


def quiet(fn: Callable[[], Any]) -> Callable[[], Any]:
    """``fn`` with DeprecationWarnings ignored (an old spelling warns before it is checked)."""
    def run():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            return fn()
    return run


def args(name: str, fn: Callable[..., Any], base: dict, mutations: list[tuple],
         who: str | None = None) -> None:
    """One case per mutation: ``fn(**{**base, param: bad})`` must raise ``error``."""
    rows = []
    for param, bad, error, *what in mutations:  # an optional fourth item says what is wrong
        label = f"{param}={what[0] if what else describe(bad)}"
        rows.append((label, quiet(lambda p=param, b=bad: fn(**{**base, p: b})), error, *([who] if who else [])))
    cases(name, *rows)


def describe(value: Any) -> str:
    """A short label for a bad value (an array by dtype, shape and what is wrong in it)."""
    if isinstance(value, np.ndarray):
        text = f"{value.dtype} array{value.shape}"
        if value.dtype.kind in "fc" and value.size:
            flat = value.ravel()
            if np.isnan(flat).any():
                text += " with NaN"
            elif np.isinf(flat).any():
                text += " with inf"
            elif np.all(flat == flat[0]):
                text += f" of {flat[0]:g}s"
            elif np.any(flat < 0):
                text += " with negatives"
        return text
    if isinstance(value, tuple) and any(isinstance(v, np.ndarray) for v in value):
        return "(" + ", ".join(describe(v) for v in value) + ")"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


# --- kinds of bad values ----------------------------------------------------------------------------
def positive(p: str) -> list[tuple[str, Any, type]]:
    """A finite number > 0 (a rate, a duration, a threshold)."""
    return [(p, "1", T), (p, True, T), (p, None, T), (p, [1.0], T), (p, 1j, T), (p, 0.0, V), (p, -1.0, V),
            (p, NAN, V), (p, INF, V)]


def non_negative(p: str) -> list[tuple[str, Any, type]]:
    return [(p, "0", T), (p, False, T), (p, None, T), (p, -0.5, V), (p, NAN, V), (p, INF, V)]


def frequency(p: str, fs: float) -> list[tuple[str, Any, type]]:
    """A frequency strictly between 0 and fs/2."""
    return [(p, "4", T), (p, True, T), (p, None, T), (p, 0.0, V), (p, -4.0, V), (p, fs / 2, V), (p, 10 * fs, V),
            (p, NAN, V)]


def count(p: str, low: int = 1) -> list[tuple[str, Any, type]]:
    """An integer >= low (not a bool, not a float that happens to be whole)."""
    return [(p, 2.0, T), (p, 2.5, T), (p, "3", T), (p, True, T), (p, None, T), (p, low - 1, V), (p, low - 5, V)]


def flag(p: str) -> list[tuple[str, Any, type]]:
    return [(p, 1, T), (p, 0, T), (p, "yes", T), (p, None, T)]


def choice(p: str, wrong: str) -> list[tuple[str, Any, type]]:
    return [(p, wrong, V), (p, 1, T), (p, None, T), (p, b"soft", T)]


def axis_of(ndim: int) -> list[tuple[str, Any, type]]:
    return [("axis", 1.0, T), ("axis", True, T), ("axis", "0", T), ("axis", np.float64(0), T), ("axis", ndim, V),
            ("axis", -ndim - 1, V)]


def signal_1d(p: str) -> list[tuple[str, Any, type]]:
    """A real, finite 1-D signal."""
    return [(p, np.array([0.0, NAN, 1.0]), V), (p, np.array([0.0, INF, 1.0]), V), (p, np.zeros((3, 4)), V),
            (p, np.array(["a", "b", "c"]), V), (p, np.array([1j, 2, 3]), V), (p, None, V), (p, [[1.0], [1.0, 2.0]], V),
            (p, {"a": 1}, V)]


def wavelet_names(p: str = "wavelet") -> list[tuple[str, Any, type]]:
    return [(p, "morl", V), (p, "db99", V), (p, "", V), (p, 4, T), (p, None, T), (p, ["db4"], T)]


# --- small valid things to be hostile around --------------------------------------------------------
FS = 128.0  # Hz: blink functions need >= 2 s, so 3 s are 384 samples
REC = dsp.make_eeg(10, FS, 2, rng=0)
EEG = REC.eeg[:, :384].copy()  # (2, 384): 3 s of 2 channels
ROW = EEG[0].copy()
SIG = np.array([0.0, 1.0, 0.0, 2.0, 0.5, 3.0, 0.0, 1.0, 0.0])
TONE = np.sin(2 * np.pi * 440.0 * np.arange(8000) / 8000.0)
STEREO = np.column_stack([TONE, 0.5 * TONE])


def eeg_arrays(p: str, fs: float = FS, shape: tuple[int, int] = EEG.shape) -> list[tuple[str, Any, type]]:
    """A finite (n_channels, n_samples) recording, at least 2 s long, channels first."""
    c, n = shape
    nan = np.zeros(shape)
    nan[1, 5] = NAN
    inf = np.zeros(shape)
    inf[0, -1] = -INF
    return [(p, nan, V), (p, inf, V), (p, np.zeros((1, c, n)), V), (p, np.zeros((c, 0)), V), (p, np.zeros(0), V),
            (p, np.zeros((c, int(fs))), V), (p, np.zeros((n, c)), V), (p, np.full(shape, "a"), V),
            (p, np.zeros(shape, complex), V), (p, None, V), (p, [[0.0] * n, [0.0] * 3], V)]


def wav_bytes(*chunks: bytes, form: bytes = b"WAVE", riff: bytes = b"RIFF") -> io.BytesIO:
    body = form + b"".join(chunks)
    return io.BytesIO(riff + struct.pack("<I", len(body)) + body)


def chunk(cid: bytes, data: bytes, size: int | None = None) -> bytes:
    return cid + struct.pack("<I", len(data) if size is None else size) + data + b"\0" * (len(data) & 1)


FMT = chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))


# =================================== reading files ===================================================
for _reader in ("read_wav", "read_audio"):
    _read = getattr(dsp, _reader)
    cases(_reader,
          ("path an int", lambda r=_read: r(3), T),
          ("path None", lambda r=_read: r(None), T),
          ("path a float", lambda r=_read: r(1.5), T),
          ("path a list", lambda r=_read: r(["a.wav"]), T),
          ("a text-mode file object", lambda r=_read: r(io.StringIO("RIFF....WAVE")), T),
          ("a directory", lambda r=_read: r(str(ROOT)), dsp.WavError),
          ("a directory as bytes", lambda r=_read: r(bytes(ROOT)), dsp.WavError),
          ("a missing file", lambda r=_read: r(ROOT / "no-such-file.wav"), dsp.WavError),
          ("a character device", lambda r=_read: r("/dev/null"), dsp.WavError),
          ("an empty file object", lambda r=_read: r(io.BytesIO(b"")), dsp.WavError),
          ("text, not audio", lambda r=_read: r(io.BytesIO(b"hello, world! not audio")), dsp.WavError),
          ("a Python source file", lambda r=_read: r(ROOT / "tasks.py"), dsp.WavError),
          ("a RIFF header cut short", lambda r=_read: r(io.BytesIO(b"RIFF\x04\x00")), dsp.WavError),
          ("RIFF but not WAVE", lambda r=_read: r(wav_bytes(FMT, form=b"AVI ")), dsp.WavError),
          ("no fmt chunk", lambda r=_read: r(wav_bytes(chunk(b"data", b"\0\0"))), dsp.WavError),
          ("no data chunk", lambda r=_read: r(wav_bytes(FMT)), dsp.WavError),
          ("a truncated data chunk", lambda r=_read: r(wav_bytes(FMT, chunk(b"data", b"\0" * 4, size=400))),
           dsp.WavError),
          ("zero-length data", lambda r=_read: r(wav_bytes(FMT, chunk(b"data", b""))), dsp.WavError),
          ("an odd byte count", lambda r=_read: r(wav_bytes(FMT, chunk(b"data", b"\0" * 3))), dsp.WavError),
          ("a fmt chunk of 8 bytes", lambda r=_read: r(wav_bytes(chunk(b"fmt ", b"\0" * 8), chunk(b"data", b"\0\0"))),
           dsp.WavError),
          ("zero channels", lambda r=_read: r(wav_bytes(chunk(b"fmt ", struct.pack("<HHIIHH", 1, 0, 8000, 0, 0, 16)),
                                                        chunk(b"data", b"\0\0"))), dsp.WavError),
          ("a rate of 0 Hz", lambda r=_read: r(wav_bytes(chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 0, 0, 2, 16)),
                                                         chunk(b"data", b"\0\0"))), dsp.WavError),
          ("data before fmt", lambda r=_read: r(wav_bytes(chunk(b"data", b"\0\0"), FMT)), dsp.WavError),
          ("a damaged FLAC stream", lambda r=_read: r(io.BytesIO(b"fLaC" + b"\0" * 40)), dsp.WavError))
cases("read_wav", ("an Ogg stream", lambda: dsp.read_wav(io.BytesIO(b"OggS" + b"\0" * 40)), dsp.WavError))

_WAV = dict(samples=np.zeros((4, 2)), fs=8000, bits_per_sample=16, sample_format="int16", format_tag=1)
args("Wav", dsp.Wav, _WAV, [
    ("samples", [[0.0, 0.0]], T), ("samples", None, T), ("samples", np.zeros((4, 2), np.float32), V),
    ("samples", np.zeros((4, 2), int), V), ("samples", np.zeros(4), V), ("samples", np.zeros((4, 2, 1)), V),
    ("samples", np.zeros((4, 0)), V), *count("fs"), ("bits_per_sample", 16.0, T), ("bits_per_sample", -1, V),
    ("sample_format", 16, T), ("sample_format", None, T), ("format_tag", 1.0, T), ("format_tag", -1, V),
    ("extensible", 1, T), ("extensible", "no", T), ("valid_bits", -1, V), ("valid_bits", "16", T),
    ("channel_mask", 1.5, T), ("channel_mask", -3, V), ("path", 3, T), ("path", ROOT, T), ("container", None, T),
    ("subtype", 1, T), ("decoder", b"libsndfile", T),
])
cases("WavError",
      ("a ValueError", lambda: dsp.WavError, ValueError, KIND),
      ("a missing file is also a FileNotFoundError", lambda: _raised(lambda: dsp.read_wav(ROOT / "nope.wav")),
       FileNotFoundError, KIND),
      ("a directory is also an IsADirectoryError", lambda: _raised(lambda: dsp.read_audio(ROOT)), IsADirectoryError,
       KIND),
      ("bytes that are not audio", lambda: dsp.read_audio(io.BytesIO(b"\x00" * 64)), dsp.WavError, "read_audio"),
      ("a RIFX header cut short", lambda: dsp.read_wav(io.BytesIO(b"RIFX")), dsp.WavError, "read_wav"))


def _raised(fn: Callable[[], Any]) -> type:
    try:
        fn()
    except Exception as exc:
        return type(exc)
    raise AssertionError("nothing was raised")


# =================================== spectra ===========================================================
args("spectrum", dsp.spectrum, dict(x=np.zeros((8, 2)), fs=8000.0), [
    *signal_1d("x")[:2], ("x", np.zeros((2, 3, 4)), V), ("x", np.zeros(0), V), ("x", np.zeros((0, 2)), V),
    ("x", np.zeros((8, 0)), V), ("x", np.zeros((2, 8)), V), ("x", np.array([["a"] * 2] * 8), V), ("x", None, V),
    *positive("fs"),
    ("window", "nope", V), ("window", ("kaiser",), V), ("window", ("kaiser", "wide"), V), ("window", 3, T),
    ("window", True, T), ("window", 1.5, T), ("window", [1.0], V), ("window", np.ones(3), V),
    ("window", np.full(8, NAN), V), ("window", np.array(["a"] * 8), V), ("window", np.zeros(8), V),
    ("n_fft", 16.0, T), ("n_fft", "16", T), ("n_fft", True, T), ("n_fft", 7, V), ("n_fft", 0, V), ("n_fft", -8, V),
    *choice("scaling", "db"), *axis_of(2),
])
args("fundamental", dsp.fundamental, dict(x=TONE, fs=8000.0), [
    *signal_1d("x")[:3], ("x", np.zeros((2, 3, 4)), V), ("x", np.zeros(0), V), ("x", STEREO.T, V),
    ("x", np.zeros(8000), V), ("x", TONE[:1000], V), ("x", np.random.default_rng(0).standard_normal(8000), V),
    *positive("fs"), ("fs", 500.0, V),
    ("fmin", "50", T), ("fmin", True, T), ("fmin", NAN, V), ("fmin", 0.0, V), ("fmin", -50.0, V),
    ("fmin", 3000.0, V), ("fmax", "2000", T), ("fmax", False, T), ("fmax", NAN, V), ("fmax", 4000.0, V),
    ("fmax", 40.0, V), ("fmax", INF, V), ("fmax", 300.0, V), ("fmin", 600.0, V),
    *[(a, b, c) for a, b, c in axis_of(1)],
])
args("two_real_ffts", dsp.two_real_ffts, dict(x=np.zeros(4), y=np.ones(4)), [
    *signal_1d("x"), *signal_1d("y"), ("x", np.zeros(5), V), ("y", np.zeros(3), V), ("x", np.zeros(0), V),
])
args("parabolic_peak", dsp.parabolic_peak, dict(y=np.array([1.0, 2.0, 1.0]), k=1), [
    *signal_1d("y")[:5], ("y", [1.0, 2.0], V), ("y", np.zeros((3, 3)), V),
    ("k", 1.5, T), ("k", "1", T), ("k", True, T), ("k", None, T), ("k", np.float64(1.0), T), ("k", 0, V),
    ("k", 2, V), ("k", -1, V),
])
_STFT = dict(x=np.zeros(64), fs=8000.0, window_length=16)
args("short_time_spectrum", dsp.short_time_spectrum, _STFT, [
    *signal_1d("x"), ("x", np.zeros(0), V), *positive("fs"),
    ("window_length", True, T), ("window_length", 16.0, T), ("window_length", "16", T), ("window_length", None, T),
    ("window_length", 0, V), ("window_length", 65, V),
    ("hop", 0, V), ("hop", -4, V), ("hop", 1.5, T), ("hop", True, T), ("hop", "4", T),
    ("window", "nope", V), ("window", 3, T), ("window", np.ones(15), V), ("window", np.full(16, INF), V),
])
args("spectrogram", dsp.spectrogram, _STFT, [
    ("x", np.zeros((64, 2)), V), ("x", np.array([0.0, NAN] * 32), V), ("x", np.zeros(0), V), *positive("fs")[:5],
    ("window_length", True, T), ("window_length", 0, V), ("window_length", 100, V), ("hop", 0, V),
    ("hop", 2.0, T), ("window", "nope", V), ("window", np.ones(3), V),
])

# =================================== peaks ==============================================================
_INTERVALS = ("height", "threshold", "prominence", "width", "plateau_size")
args("find_peaks", dsp.find_peaks, dict(x=SIG), [
    *signal_1d("x"),
    *[m for p in _INTERVALS for m in [
        (p, "1", T), (p, True, T), (p, NAN, V), (p, np.zeros(4), V), (p, np.full(SIG.size, NAN), V),
        (p, [1, 2, 3], T), ((p, (None, "a"), T)), (p, (NAN, None), V), (p, np.array(["a"] * SIG.size), T),
        (p, 1j, T)]],
    ("distance", 0.5, V), ("distance", 0, V), ("distance", "1", T), ("distance", True, T), ("distance", NAN, V),
    ("distance", INF, V), ("distance", [2], T),
])
args("find_peaks", dsp.find_peaks, dict(x=SIG, prominence=0.1), [
    ("wlen", 1, V), ("wlen", 0.5, V), ("wlen", "3", T), ("wlen", True, T), ("wlen", NAN, V),
])
args("find_peaks", dsp.find_peaks, dict(x=SIG, width=0.1), [
    ("rel_height", -1.0, V), ("rel_height", "0.5", T), ("rel_height", True, T), ("rel_height", NAN, V),
    ("wlen", 1.0, V),
])
_PEAKS = np.array([1, 3, 5])
args("peak_prominences", dsp.peak_prominences, dict(x=SIG, peaks=_PEAKS), [
    *signal_1d("x"), ("peaks", [1.0, 3.0], T), ("peaks", [True], T), ("peaks", ["1"], T), ("peaks", [[1, 3]], V),
    ("peaks", [9], V), ("peaks", [-1], V), ("peaks", [1, 100], V), ("peaks", np.array([1], np.uint64), T),
    ("wlen", 1, V), ("wlen", "3", T), ("wlen", True, T), ("wlen", NAN, V), ("wlen", -3.0, V),
])
_PROM = dsp.peak_prominences(SIG, _PEAKS)
args("peak_widths", dsp.peak_widths, dict(x=SIG, peaks=_PEAKS), [
    *signal_1d("x")[:4], ("peaks", [1.5], T), ("peaks", [[1]], V), ("peaks", [20], V),
    ("rel_height", -0.5, V), ("rel_height", "0.5", T), ("rel_height", True, T), ("rel_height", NAN, V),
    ("rel_height", None, T), ("wlen", 1, V), ("wlen", "9", T),
    ("prominence_data", "abc", T), ("prominence_data", _PROM[:2], T), ("prominence_data", (None, None, None), T),
    ("prominence_data", 3, T), ("prominence_data", (_PROM[0][:2], _PROM[1], _PROM[2]), V),
    ("prominence_data", (-_PROM[0], _PROM[1], _PROM[2]), V), ("prominence_data", (_PROM[0], _PROM[1] + 9, _PROM[2]), V),
    ("prominence_data", (_PROM[0], _PROM[1], _PROM[2] * 1.0), T), ("prominence_data", (_PROM[0] * NAN, *_PROM[1:]), V),
])
cases("PeakPropertyWarning",
      ("a RuntimeWarning, as scipy's", lambda: dsp.PeakPropertyWarning, RuntimeWarning, KIND),
      ("a Warning, not an error", lambda: dsp.PeakPropertyWarning, Warning, KIND))

# =================================== events =============================================================
args("noise_floor", dsp.noise_floor, dict(x=SIG), [
    *signal_1d("x"), ("x", np.zeros(0), V), *non_negative("k"), ("k", [4.0], T),
])
args("events_above", dsp.events_above, dict(x=SIG, floor=0.5), [
    *signal_1d("x"), ("floor", "a", T), ("floor", None, T), ("floor", True, T), ("floor", NAN, V), ("floor", INF, V),
    ("floor", np.zeros(4), V), ("floor", np.full(SIG.size, NAN), V), ("floor", np.zeros((SIG.size, 1)), V),
    ("floor", [1j] * SIG.size, V),
    *count("merge_gap", low=0), *count("min_length", low=1),
])
args("highest_peak_per_event", dsp.highest_peak_per_event, dict(x=SIG, peaks=_PEAKS, starts=[0, 4], stops=[3, 7]), [
    *signal_1d("x")[:4], ("peaks", [1.0], T), ("peaks", [True], T), ("peaks", [9], V), ("peaks", [-1], V),
    ("peaks", [[1]], V), ("starts", [0.5, 4], T), ("starts", [-1, 4], V), ("stops", [3, 10], V),
    ("stops", ["3", "7"], T), ("starts", [0], V), ("starts", [4, 0], V), ("stops", [0, 7], V), ("stops", [5, 7], V),
])
args("rise_and_fall", dsp.rise_and_fall, dict(x=SIG, peaks=_PEAKS), [
    *signal_1d("x")[:5], ("peaks", [1.5], T), ("peaks", [False], T), ("peaks", ["1"], T), ("peaks", [9], V),
    ("peaks", [-1], V), ("peaks", [[1, 3]], V), ("peaks", 1.0, T),
])

# =================================== synthetic EEG ======================================================
args("make_eeg", dsp.make_eeg, dict(duration=4.0, fs=FS, n_channels=2), [
    *positive("duration"), ("duration", 0.3, V), *positive("fs"), ("fs", 15.0, V), *count("n_channels"),
    *non_negative("blink_rate"),
    ("blink_amplitude", "a", T), ("blink_amplitude", True, T), ("blink_amplitude", None, T),
    ("blink_amplitude", (100.0,), T), ("blink_amplitude", (1.0, 2.0, 3.0), T), ("blink_amplitude", (300.0, -1.0), V),
    ("blink_amplitude", (300.0, 100.0), V), ("blink_amplitude", -5.0, V), ("blink_amplitude", NAN, V),
    ("blink_amplitude", ("a", 2.0), T),
    ("blink_duration", 0.3, T), ("blink_duration", None, T), ("blink_duration", "ab", T),
    ("blink_duration", (0.4, 0.2), V), ("blink_duration", (0.0, 0.2), V), ("blink_duration", (0.1, 100.0), V),
    ("blink_duration", (0.001, 0.002), V), ("blink_duration", (0.2, NAN), V), ("blink_duration", (True, 0.2), T),
    *non_negative("background_uv"), *non_negative("alpha_uv"), *non_negative("noise_uv"), *frequency("alpha_hz", FS),
    ("rng", 1.5, T), ("rng", -1, V), ("rng", "0", T), ("rng", True, T), ("rng", np.random.RandomState(0), T),
    ("rng", [0], T), ("seed", 1.5, T), ("seed", -1, V), ("seed", "0", T),
])
_EEGDATA = {f.name: getattr(REC, f.name) for f in dataclasses.fields(dsp.EEGData)}
_N = REC.eeg.shape[1]
assert REC.blink_onsets.size >= 2, "the recording needs blinks to be hostile around"
args("EEGData", dsp.EEGData, _EEGDATA, [
    *positive("fs"), ("eeg", REC.eeg[0], V), ("eeg", np.full((2, _N), NAN), V), ("eeg", np.full((2, _N), "a"), V),
    ("eeg", np.zeros((2, 3, _N)), V), ("clean", REC.clean[:, :-1], V), ("clean", REC.clean.T, V),
    ("clean", REC.clean * INF, V),
    ("blink_onsets", REC.blink_onsets * 1.0, T), ("blink_onsets", REC.blink_onsets[:1], V),
    ("blink_onsets", REC.blink_onsets - 10**6, V), ("blink_peaks", REC.blink_onsets - 1, V),
    ("blink_peaks", REC.blink_peaks.astype(bool), T), ("blink_ends", REC.blink_ends + _N, V),
    ("blink_ends", REC.blink_peaks, V, "the peaks"), ("blink_ends", REC.blink_ends[::-1], V, "reversed"),
    ("blink_amplitudes", REC.blink_amplitudes[:1], V), ("blink_amplitudes", REC.blink_amplitudes * NAN, V),
    ("blink_gains", np.ones(3), V), ("alpha_gains", np.ones((2, 1)), V), ("positions", np.full(2, NAN), V),
    ("positions", ["front", "back"], V), ("settings", [("fs", 64.0)], T), ("settings", None, T),
])
cases("EEGData", ("params and settings both given",
                  lambda: dsp.EEGData(**_EEGDATA, params={}), T))
args("blink_shape", dsp.blink_shape, dict(u=np.linspace(0, 1, 5)), [
    ("u", np.array([0.5, NAN]), V), ("u", np.array([INF]), V), ("u", np.array(["a"]), V), ("u", None, V),
    ("u", np.array([0.5j]), V), ("u", [[0.1], [0.1, 0.2]], V), ("u", "0.5", V),
])
args("band_power", dsp.band_power, dict(x=EEG, fs=FS, band=(8.0, 12.0)), [
    *eeg_arrays("x")[:5], ("x", np.zeros(1), V), ("x", np.zeros((2, 1)), V), ("x", np.zeros((200, 2)), V),
    ("x", np.full(EEG.shape, "a"), V), ("x", None, V), *positive("fs"),
    ("band", 10.0, T), ("band", "ab", T), ("band", None, T), ("band", (1.0, 2.0, 3.0), T), ("band", (12.0, 8.0), V),
    ("band", (-1.0, 4.0), V), ("band", ("a", 4.0), T), ("band", (NAN, 4.0), V), ("band", (True, 4.0), T),
    ("band", (100.0, 120.0), V), ("band", (10.1, 10.2), V), ("band", np.array(8.0), T),
    ("band", {8.0, 12.0}, T), ("band", np.array([[8.0, 12.0]]), T), *axis_of(2),
])
_BAD_CHANNEL = EEG.copy()
_BAD_CHANNEL[1] = 1.0  # a constant channel: its correlation is 0 / 0
args("cleaning_metrics", dsp.cleaning_metrics, dict(clean=EEG, contaminated=EEG + 50.0 * (np.arange(384) < 120),
                                                     cleaned=EEG + 1.0, fs=FS), [
    *eeg_arrays("clean")[:4], *eeg_arrays("contaminated")[:3], *eeg_arrays("cleaned")[:3],
    ("cleaned", EEG[:1], V), ("clean", EEG.T, V), ("contaminated", EEG[:, :-1], V), *positive("fs"),
    ("blink_mask", np.zeros(384), T), ("blink_mask", np.zeros(384, int), T), ("blink_mask", ["yes"] * 384, T),
    ("blink_mask", np.zeros(383, bool), V), ("blink_mask", np.zeros((2, 384), bool), V),
    ("contaminated", EEG, V), ("clean", _BAD_CHANNEL, V), ("cleaned", _BAD_CHANNEL, V),
    ("cleaned", np.zeros_like(EEG), V), *axis_of(2),
])
_METRICS = dict(correlation=0.9, rmse=1.0, correlation_before=0.5, rmse_before=2.0, blink_power_removed=0.9,
                alpha_kept=1.0, artifact_left_inside=0.1, alpha_kept_outside=1.0, beta_kept_outside=1.0)
args("CleaningMetrics", dsp.CleaningMetrics, _METRICS, [
    m for f in _METRICS for m in ((f, NAN, V), (f, "0.9", T))] + [
    ("rmse", INF, V), ("alpha_kept", -INF, V), ("correlation", None, T), ("rmse", True, T), ("rmse", [1.0], T),
])

# =================================== wavelets ===========================================================
args("dwt_bands", dsp.dwt_bands, dict(fs=FS, level=3), [*positive("fs"), *count("level")])
args("approximation_level", dsp.approximation_level, dict(fs=256.0, fmax=4.0), [*positive("fs"),
                                                                                *frequency("fmax", 256.0)])
args("approximation_level", dsp.approximation_level, dict(fs=256.0), [("f_max", "4", T), ("f_max", 200.0, V)])
cases("approximation_level", ("f_max and fmax both given", lambda: dsp.approximation_level(256.0, f_max=4.0, fmax=4.0),
                              T))
args("band_responses", dsp.band_responses, dict(wavelet="db4", level=3, fs=FS, n=256), [
    *wavelet_names(), *count("level"), ("level", 6, V), ("level", 99, V), *positive("fs"), *count("n", low=2),
    ("n", 16, V),
])
args("mad_sigma", dsp.mad_sigma, dict(c=SIG), [
    ("c", np.array([1.0, NAN]), V), ("c", np.array([INF, 1.0]), V), ("c", np.array(["a"]), V), ("c", None, V),
    ("c", np.array([1j]), V), ("c", "1.0", V), ("c", [[1.0], [1.0, 2.0]], V),
])
args("threshold", dsp.threshold, dict(c=SIG, t=1.0), [
    ("c", np.array([1.0, NAN]), V), ("c", np.array(["a"]), V), ("c", None, V), ("c", np.array([1j]), V),
    *non_negative("t"), ("t", True, T), ("t", np.full(SIG.size, -1.0), V), ("t", np.ones(4), V),
    ("t", np.ones((2, SIG.size)), V), ("t", np.full(SIG.size, NAN), V), ("t", [["a"]], V),
    *choice("mode", "medium"),
])
args("wavelet_denoise", dsp.wavelet_denoise, dict(x=EEG, fs=FS), [
    *eeg_arrays("x"), *positive("fs"), ("fs", 1000.0, V), *wavelet_names(),
    *[m for m in count("level") if m[1] is not None], ("level", 99, V),
    *choice("mode", "garrote"), *axis_of(2),
])

# =================================== blinks =============================================================
_DETECT_NUMBERS = [*positive("height"), *positive("prominence"), *non_negative("floor"), *non_negative("min_gap"),
                   *non_negative("merge_gap"), *positive("baseline")]
args("detect_blinks", dsp.detect_blinks, dict(x=ROW, fs=FS), [
    *signal_1d("x")[:3], ("x", EEG, V), ("x", ROW[:100], V), ("x", np.zeros(0), V), *positive("fs"),
    *frequency("fmax", FS), *frequency("edge_fmax", FS), ("f_max", "4", T), ("edge_f_max", FS / 2, V),
    *wavelet_names(), *_DETECT_NUMBERS,
])
cases("detect_blinks", ("f_max and fmax both given", lambda: dsp.detect_blinks(ROW, FS, f_max=4.0, fmax=4.0), T),
      ("edge_f_max and edge_fmax both given", lambda: dsp.detect_blinks(ROW, FS, edge_f_max=9.0, edge_fmax=9.0), T))
args("blink_events", dsp.blink_events, dict(eeg=EEG, fs=FS), [
    *eeg_arrays("eeg"), *positive("fs"), *wavelet_names(), *positive("height"), *positive("prominence"),
    *positive("baseline"), *axis_of(2),
])
_EV = dict(starts=[10], stops=[20], peaks=[15], floor=3.0, signal=np.zeros(100), edge_signal=np.zeros(100))
args("BlinkEvents", dsp.BlinkEvents, _EV, [
    ("starts", [10.0], T), ("starts", [True], T), ("starts", ["10"], T), ("starts", [[10]], V), ("starts", [-1], V),
    ("starts", [10, 30], V), ("stops", [200], V), ("stops", [10], V), ("stops", [5], V), ("peaks", [25], V),
    ("peaks", [9], V), ("peaks", [15.5], T), ("peaks", [], V),
    ("floor", "3", T), ("floor", NAN, V), ("floor", None, T), ("floor", True, T),
    ("signal", np.zeros((2, 50)), V), ("signal", np.full(100, NAN), V), ("signal", np.zeros(99), V),
    ("edge_signal", np.zeros(101), V), ("edge_signal", np.array(["a"] * 100), V), ("edge_signal", None, V),
])
cases("BlinkEvents", ("overlapping windows", lambda: dsp.BlinkEvents(
    starts=[10, 15], stops=[20, 30], peaks=[12, 25], floor=3.0, signal=np.zeros(100), edge_signal=np.zeros(100)), V))
_OTHER_EVENTS = dsp.blink_events(REC.eeg[:, :512], FS)  # found on 512 samples, not 384
args("remove_blinks", dsp.remove_blinks, dict(eeg=EEG, fs=FS), [
    *eeg_arrays("eeg"), *positive("fs"), *wavelet_names(), *positive("k"), *choice("mode", "medium"),
    *positive("k_low"), *positive("fast_factor"), *frequency("fmax", FS), *frequency("approx_fmax", FS),
    ("f_max", -1.0, V), ("level_f", "2", T), *positive("height"), *positive("prominence"), *flag("shared_events"),
    *positive("baseline"), *non_negative("margin"), *non_negative("ramp"),
    ("events", "events", T), ("events", [1, 2], T), ("events", _OTHER_EVENTS[0], T),
    ("events", _OTHER_EVENTS[:1], V, "one for two channels"),
    ("events", _OTHER_EVENTS, V, "found on 512 samples"), *flag("return_events"), *axis_of(2),
])
cases("remove_blinks",
      ("f_max and fmax both given", lambda: dsp.remove_blinks(EEG, FS, f_max=9.0, fmax=9.0), T),
      ("level_f and approx_fmax both given", lambda: dsp.remove_blinks(EEG, FS, level_f=2.0, approx_fmax=2.0), T),
      ("fs too low for the default detection", lambda: dsp.remove_blinks(EEG, 20.0, fmax=5.0, approx_fmax=2.0), V),
      ("too short for one DWT level", lambda: dsp.remove_blinks(ROW[:8], 4.0, fmax=1.5, approx_fmax=1.0), V))
cases("blink_events", ("fs too low for the default detection", lambda: dsp.blink_events(EEG, 20.0), V))
cases("wavelet_denoise", ("too short for one DWT level", lambda: dsp.wavelet_denoise(ROW[:8], 4.0), V))


RAISES = [(name, label, fn, err, who or name) for name, rows in CASES.items()
          for label, fn, err, who in rows if who != KIND]
KINDS = [(name, label, fn, err) for name, rows in CASES.items() for label, fn, err, who in rows if who == KIND]


def test_every_public_name_has_hostile_cases() -> None:
    public = set(dsp.__all__)
    assert set(CASES) == public, (f"public names without hostile cases: {sorted(public - set(CASES))}; "
                                  f"cases for names that are not public: {sorted(set(CASES) - public)}")
    for name, rows in CASES.items():
        assert rows, name
    labels = [(name, label) for name, label, *_ in RAISES]
    assert len(labels) == len(set(labels)), "two cases with one label"
    assert len(RAISES) >= 600


@pytest.mark.parametrize(("name", "label", "fn", "error", "who"), RAISES, ids=[f"{n}: {lab}" for n, lab, *_ in RAISES])
def test_hostile_input_is_refused_by_name(name: str, label: str, fn: Callable[[], Any], error: type, who: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    message = str(info.value)
    if error is dsp.WavError:  # a missing file is a WavError and a FileNotFoundError, ...
        assert isinstance(info.value, dsp.WavError), f"{type(info.value).__name__}: {message}"
    else:
        assert type(info.value) is error, f"{type(info.value).__name__} (expected {error.__name__}): {message}"
    assert message.startswith(who), f"the message does not start with {who!r}: {message}"
    raised_in = Path(str(info.traceback[-1].path)).resolve()
    assert COMPANION in raised_in.parents, f"raised from {raised_in}, not by the companion: {message}"


@pytest.mark.parametrize(("name", "label", "fn", "base"), KINDS, ids=[f"{n}: {lab}" for n, lab, *_ in KINDS])
def test_exception_and_warning_classes_are_the_right_kind(name: str, label: str, fn: Callable[[], Any],
                                                          base: type) -> None:
    assert issubclass(fn(), base)


def test_peak_property_warning_is_what_a_zero_prominence_warns() -> None:
    with pytest.warns(dsp.PeakPropertyWarning, match="prominence of 0"):
        dsp.peak_prominences(SIG, [2])  # not a local maximum
    assert not issubclass(dsp.PeakPropertyWarning, (TypeError, ValueError))


# --- one module per job ---------------------------------------------------------------------------------
# (no private names imported across modules: tests/test_hostile_nn_rl.py checks the whole package)


def test_modules_are_a_few_hundred_lines_at_most() -> None:
    long = {p.name: n for p in (COMPANION / "dsp").glob("*.py") if (n := len(p.read_text().splitlines())) > 500}
    assert not long, long


def test_moved_names_keep_their_old_homes() -> None:
    from companion.dsp import blinks, eeg, metrics, wav, wavelets

    for name in ("BlinkEvents", "detect_blinks", "blink_events", "remove_blinks"):
        assert getattr(wavelets, name) is getattr(blinks, name) is getattr(dsp, name)
    for name in ("band_power", "CleaningMetrics", "cleaning_metrics"):
        assert getattr(eeg, name) is getattr(metrics, name) is getattr(dsp, name)
    for name in ("Wav", "WavError", "read_wav", "read_audio"):
        assert getattr(wav, name) is getattr(dsp, name)
    from companion.dsp.wavelets import remove_blinks  # a from-import through the old home

    assert remove_blinks is dsp.remove_blinks
    with pytest.raises(AttributeError):
        wavelets.no_such_name  # noqa: B018
