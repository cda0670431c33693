"""companion.dsp spectra: two_real_ffts, spectrum, parabolic_peak, fundamental, short_time_spectrum."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.signal
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.data import PIANO_NOMINAL_HZ, load_piano
from companion.dsp import (
    fundamental,
    parabolic_peak,
    read_wav,
    short_time_spectrum,
    spectrogram,
    spectrum,
    two_real_ffts,
)
from tests.wav_fixtures import BITS, quantise, write

# --- two_real_ffts -----------------------------------------------------------------------------


def assert_fft_equal(got: np.ndarray, ref: np.ndarray) -> None:
    """Equal to 1e-12 relative to the largest coefficient (absolute 1e-12 for tiny transforms)."""
    scale = max(1.0, float(np.max(np.abs(ref))))
    assert got.dtype == np.complex128 and got.shape == ref.shape
    assert np.max(np.abs(got - ref)) <= 1e-12 * scale


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 100, 101, 1000, 1023, 1024, 4099])
def test_two_real_ffts_equals_numpy(n: int) -> None:
    rng = np.random.default_rng(n)
    x, y = rng.standard_normal(n), rng.standard_normal(n)
    X, Y = two_real_ffts(x, y)
    assert_fft_equal(X, np.fft.fft(x))
    assert_fft_equal(Y, np.fft.fft(y))


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.floats(-1e3, 1e3), st.floats(-1e3, 1e3)), min_size=1, max_size=300))
def test_two_real_ffts_hypothesis(pairs: list[tuple[float, float]]) -> None:
    x, y = np.array(pairs).T
    X, Y = two_real_ffts(x, y)
    assert_fft_equal(X, np.fft.fft(x))
    assert_fft_equal(Y, np.fft.fft(y))


def test_two_real_ffts_special_inputs() -> None:
    """Integer lists, identical channels, one silent channel, a pure Nyquist tone."""
    X, Y = two_real_ffts([1, 2, 3], [0, 0, 0])
    assert_fft_equal(X, np.fft.fft([1.0, 2.0, 3.0]))
    assert np.max(np.abs(Y)) == 0.0
    x = np.cos(np.pi * np.arange(8))
    X, Y = two_real_ffts(x, x)
    assert_fft_equal(X, np.fft.fft(x))
    assert_fft_equal(Y, np.fft.fft(x))


def test_packed_magnitude_is_not_either_spectrum() -> None:
    """Taking |fft(L + iR)| directly (the wrong way) mixes the channels' spectra."""
    n, fs = 1000, 1000.0
    t = np.arange(n) / fs
    left, right = np.sin(2 * np.pi * 50 * t), 0.5 * np.sin(2 * np.pi * 120 * t)
    packed = np.abs(np.fft.fft(left + 1j * right))
    assert packed[120] > 100 and np.abs(np.fft.fft(left))[120] < 1e-9  # right's tone shows up "in left"
    X, _ = two_real_ffts(left, right)
    assert np.abs(X[120]) < 1e-9


@pytest.mark.parametrize(
    "args, message",
    [
        (([1.0, 2.0], [1.0]), "same non-zero length"),
        (([], []), "same non-zero length"),
        ((np.ones((2, 2)), np.ones((2, 2))), "1-D"),
        (([1.0, np.nan], [1.0, 2.0]), "NaN"),
        (([1 + 1j, 2], [1.0, 2.0]), "real numbers"),
    ],
)
def test_two_real_ffts_bad_input(args: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        two_real_ffts(*args)
    assert "two_real_ffts" in str(info.value)


# --- spectrum ----------------------------------------------------------------------------------


@pytest.mark.parametrize("n, fs, n_fft", [(1, 8000.0, None), (2, 100.0, None), (999, 44100.0, None),
                                          (1000, 48000.0, 4096), (257, 22050.0, 257)])
def test_spectrum_axis_and_raw_values(n: int, fs: float, n_fft: int | None) -> None:
    x = np.random.default_rng(n).standard_normal(n)
    freqs, mag = spectrum(x, fs, scaling="raw", n_fft=n_fft)
    m = n if n_fft is None else n_fft
    np.testing.assert_array_equal(freqs, np.fft.rfftfreq(m, 1 / fs))
    if m > 1:
        np.testing.assert_allclose(np.diff(freqs), fs / m, rtol=1e-12)  # resolution fs / N
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n) / n)  # periodic Hann, closed form
    if n == 1:
        hann = np.ones(1)  # a one-sample window is [1] (as scipy's), not the closed form's [0]
    np.testing.assert_allclose(mag, np.abs(np.fft.rfft(x * hann, m)), rtol=1e-12, atol=1e-12)


def test_spectrum_amplitude_scaling_and_channels() -> None:
    fs, n = 1000.0, 1000
    t = np.arange(n) / fs
    stereo = np.column_stack([0.8 * np.sin(2 * np.pi * 100 * t), 0.3 * np.cos(2 * np.pi * 250 * t)])
    freqs, mag = spectrum(stereo, fs)
    assert mag.shape == (n // 2 + 1, 2)
    assert mag[100, 0] == pytest.approx(0.8, rel=1e-12) and mag[250, 1] == pytest.approx(0.3, rel=1e-12)
    _, left = spectrum(stereo[:, 0], fs)
    np.testing.assert_array_equal(mag[:, 0], left)  # one FFT per channel
    _, rect = spectrum(stereo, fs, window=None)
    assert rect[100, 0] == pytest.approx(0.8, rel=1e-9)
    _, dc = spectrum(np.full(8, 0.25), 8.0, window=None)
    assert dc[0] == pytest.approx(0.25) and dc[-1] == pytest.approx(0.0, abs=1e-15)


def test_spectrum_leakage_hann_vs_rectangular() -> None:
    """A tone between bins leaks far less with a Hann window (sidelobes fall 18 dB/octave)."""
    fs, n = 1000.0, 1000
    x = np.sin(2 * np.pi * 100.5 * np.arange(n) / fs)
    _, hann = spectrum(x, fs)
    _, rect = spectrum(x, fs, window="boxcar")
    far = slice(200, 400)
    assert hann[far].max() < rect[far].max() / 100


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x=[1.0, 2.0], fs=0), r"fs must be a finite number in \(0, inf\)"),
        (dict(x=[1.0, 2.0], fs=8000, n_fft=1), "n_fft"),
        (dict(x=[1.0, 2.0], fs=8000, window="nope"), "unknown window"),
        (dict(x=[1.0, 2.0], fs=8000, window=[1.0]), "window array"),
        (dict(x=[1.0, 2.0], fs=8000, scaling="db"), "scaling"),
        (dict(x=np.ones((2, 2, 2)), fs=8000), "n_samples"),
        (dict(x=[1.0, np.inf], fs=8000), "NaN or infinity"),
    ],
)
def test_spectrum_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        spectrum(**kwargs)
    assert "spectrum" in str(info.value)


# --- parabolic interpolation -----------------------------------------------------------------


def test_parabolic_peak_exact_on_parabola_and_gaussian() -> None:
    k = np.arange(10.0)
    for true in [4.0, 4.3, 4.49, 5.2]:
        off, height = parabolic_peak(-2.0 * (k - true) ** 2 + 3.0, int(np.round(true)))
        assert np.round(true) + off == pytest.approx(true, abs=1e-12) and height == pytest.approx(3.0, abs=1e-12)
        # The log of a Gaussian is a parabola: interpolating log-magnitude is exact for it.
        g = np.log(np.exp(-((k - true) ** 2) / 3.0))
        off, _ = parabolic_peak(g, int(np.round(true)))
        assert np.round(true) + off == pytest.approx(true, abs=1e-12)
    with pytest.raises(ValueError, match="parabolic_peak"):
        parabolic_peak([1.0, 2.0, 1.0], 0)


# --- fundamental -------------------------------------------------------------------------------


def note(f0: float, fs: float, seconds: float, weights: np.ndarray, *, b: float = 0.0, decay: float = 0.0,
         seed: int = 0) -> tuple[np.ndarray, float]:
    """A synthetic note: partial h at h f0 sqrt(1 + b h^2) with the given weights; returns (x, first partial)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * fs)) / fs
    x = np.zeros_like(t)
    for h, a in enumerate(weights, start=1):
        f = h * f0 * np.sqrt(1 + b * h * h)
        if f < 0.45 * fs:
            x += a * np.exp(-decay * h * t) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    x = 0.9 * x / np.max(np.abs(x)) + 1e-4 * rng.standard_normal(t.size)
    return x, f0 * np.sqrt(1 + b)


def timbre(name: str, rng: np.random.Generator) -> tuple[np.ndarray, float, float]:
    """Harmonic weights, inharmonicity b and decay rate of a named test timbre."""
    h = np.arange(1, 13)
    if name == "sawtooth":
        return 1 / h, 0.0, 0.0
    if name == "odd only":  # clarinet-like: every even harmonic missing
        return np.where(h % 2 == 1, 1 / h, 0.0), 0.0, 1.0
    if name == "weak fundamental":  # strongest partial is the 3rd; the fundamental is 26 dB below it
        w = rng.uniform(0.2, 0.7, h.size)
        w[2], w[0] = 1.0, 0.05
        return w, 0.0, 0.0
    if name == "random weights":
        w = rng.uniform(0.0, 1.0, h.size)
        w[0] = rng.uniform(0.05, 1.0) * w.max()
        return w, 0.0, 2.0
    if name == "piano-like":  # stiff string: stretched partials, each decaying faster than the last
        return rng.uniform(0.3, 1.0, h.size) / h**0.5, 4e-4, 1.5
    if name == "missing fundamental":
        w = 1 / h
        w[0] = 0.0
        return w, 0.0, 0.0
    raise ValueError(name)


TIMBRES = ["sawtooth", "odd only", "weak fundamental", "random weights", "piano-like", "missing fundamental"]
F0S = [50.0, 82.41, 110.0, 196.0, 261.63, 440.0, 622.25, 987.77, 1500.0, 2000.0]


@pytest.mark.parametrize("fs", [16000, 22050, 44100, 48000, 96000])
@pytest.mark.parametrize("name", TIMBRES)
def test_fundamental_on_synthetic_notes(name: str, fs: int) -> None:
    rng = np.random.default_rng(TIMBRES.index(name) * 1000 + fs)
    errors = []
    for i, f0 in enumerate(F0S):
        weights, b, decay = timbre(name, rng)
        x, truth = note(f0, fs, 0.6, weights, b=b, decay=decay, seed=i)
        errors.append(abs(fundamental(x, fs) - truth))
    assert max(errors) < 0.5, dict(zip(F0S, np.round(errors, 3)))


@pytest.mark.parametrize("kind", list(BITS))
def test_fundamental_through_every_wav_format(tmp_path: Path, kind: str) -> None:
    """Write notes as each sample format, read them back with read_wav, find the pitch (stereo, channels differ)."""
    rng = np.random.default_rng(BITS[kind])
    for i, f0 in enumerate([55.0, 261.63, 1760.0]):
        weights, b, decay = timbre("random weights", rng)
        left, truth = note(f0, 22050, 0.5, weights, b=b, decay=decay, seed=i)
        right, _ = note(f0, 22050, 0.5, weights, b=b, decay=decay, seed=i + 100)  # other phases
        path = write(tmp_path / f"{kind}_{i}.wav", quantise(np.column_stack([left, right]), kind), 22050, kind)
        w = read_wav(path)
        assert abs(fundamental(w.samples, w.fs) - truth) < 0.5
        assert abs(fundamental(w.samples[:, 1], w.fs) - truth) < 0.5


def test_fundamental_on_the_shipped_piano() -> None:
    w = load_piano()
    assert abs(fundamental(w.samples, w.fs) - PIANO_NOMINAL_HZ) < 0.5
    for channel in w.samples.T:
        assert abs(fundamental(channel, w.fs) - PIANO_NOMINAL_HZ) < 0.5


def test_fundamental_is_not_just_the_strongest_peak() -> None:
    """On a weak-fundamental note, the arg-max of the spectrum is the 3rd harmonic; fundamental() is not fooled."""
    x, truth = note(220.0, 44100, 0.5, timbre("weak fundamental", np.random.default_rng(1))[0])
    freqs, mag = spectrum(x, 44100)
    assert abs(freqs[np.argmax(mag)] - 3 * truth) < 2
    assert abs(fundamental(x, 44100) - truth) < 0.5


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(x=np.zeros(44100), fs=44100), "silent"),
        (dict(x=np.ones(1000), fs=44100), "at least 8 periods"),
        (dict(x=np.ones(44100), fs=44100, fmin=3000.0, fmax=2000.0), "fmin < fmax"),
        (dict(x=np.ones(44100), fs=3000, fmax=2000.0), "fs/2"),
        (dict(x=np.full(44100, np.nan), fs=44100), "NaN"),
        (dict(x=np.ones(44100), fs=-1), r"fs must be a finite number in \(0, inf\)"),
    ],
)
def test_fundamental_bad_input(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        fundamental(**kwargs)
    assert "fundamental" in str(info.value)


# --- spectrogram -------------------------------------------------------------------------------


@pytest.mark.parametrize("window_length, hop", [(64, 16), (256, 100), (255, 1), (1000, 1000)])
def test_short_time_spectrum_matches_scipy_in_scipys_order(window_length: int, hop: int) -> None:
    fs = 8000.0
    x = np.random.default_rng(window_length).standard_normal(3000)
    freqs, times, mag = short_time_spectrum(x, fs, window_length=window_length, hop=hop)
    f_ref, t_ref, s_ref = scipy.signal.spectrogram(
        x, fs, window="hann", nperseg=window_length, noverlap=window_length - hop, detrend=False,
        scaling="spectrum", mode="magnitude",
    )
    w = scipy.signal.get_window("hann", window_length)
    np.testing.assert_allclose(freqs, f_ref, rtol=1e-12)
    np.testing.assert_allclose(times, t_ref, rtol=1e-12)
    np.testing.assert_allclose(mag, s_ref * w.sum(), rtol=1e-9, atol=1e-9)  # scipy divides by sum(w)


def test_old_spectrogram_keeps_its_order_and_warns_once(monkeypatch) -> None:
    from companion import _deprecation

    monkeypatch.setattr(_deprecation, "_WARNED", set())
    x = np.random.default_rng(0).standard_normal(1000)
    freqs, times, mag = short_time_spectrum(x, 1000.0, window_length=100)
    with pytest.warns(DeprecationWarning, match="use short_time_spectrum"):
        old = spectrogram(x, 1000.0, window_length=100)
    for a, b in zip(old, (times, freqs, mag)):  # the old order: times first
        np.testing.assert_array_equal(a, b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the second call is silent: warned once
        spectrogram(x, 1000.0, window_length=100)


def test_short_time_spectrum_bad_input() -> None:
    with pytest.raises(ValueError, match="short_time_spectrum: window_length"):
        short_time_spectrum(np.ones(10), 100.0, window_length=11)
    with pytest.raises(ValueError, match="hop"):
        short_time_spectrum(np.ones(10), 100.0, window_length=4, hop=0)
    with pytest.raises(ValueError, match="1-D"):
        short_time_spectrum(np.ones((10, 2)), 100.0, window_length=4)


# --- fundamental: never a silent sub- or super-harmonic (issue: octave-low answers) ---------------
def _tone(f0: float, fs: float, harmonics: int = 1, dur: float = 0.5, seed: int = 0) -> np.ndarray:
    """A pure tone, or a note with 1/h partials below 0.48 fs, random phases."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(dur * fs)) / fs
    return sum((1 / h) * np.sin(2 * np.pi * h * f0 * t + rng.uniform(0, 2 * np.pi))
               for h in range(1, harmonics + 1) if h * f0 < 0.48 * fs)


@pytest.mark.parametrize("fs", [8000, 22050, 44100, 48000])
@pytest.mark.parametrize("harmonics", [1, 8])
def test_fundamental_finds_every_pitch_the_rate_carries_within_5_cents(fs: int, harmonics: int) -> None:
    """Every f0 in [fmin, min(5 kHz, 0.45 fs)] with the default range, as a pure tone and as a
    harmonic note (the old default fmax = 2 kHz reported notes above it an octave low)."""
    cents = {}
    for i, f0 in enumerate(np.geomspace(50.0, min(5000.0, 0.45 * fs), 40)):
        est = fundamental(_tone(f0, fs, harmonics, seed=i), fs)
        cents[round(f0, 1)] = 1200 * abs(np.log2(est / f0))
    assert max(cents.values()) < 5, {f: round(c, 2) for f, c in cents.items() if c >= 5}


@pytest.mark.parametrize(
    "x, fs, kwargs, where",
    [
        (_tone(3000.0, 8000), 8000, dict(fmax=2000.0), "3000.0 Hz best, above fmax"),
        (_tone(2093.0, 44100, 6), 44100, dict(fmax=2000.0), "2093.0 Hz best, above fmax"),  # C7
        (_tone(40.0, 44100, 6, dur=1.0), 44100, {}, "40.0 Hz best, below fmin"),
        (_tone(440.0, 44100, 6), 44100, dict(fmin=500.0), "440.0 Hz best, below fmin"),
    ],
)
def test_fundamental_raises_for_notes_outside_the_range(x, fs, kwargs, where) -> None:
    with pytest.raises(ValueError, match=r"fundamental: no fundamental in \[fmin=.*\] Hz: the partials fit " + where):
        fundamental(x, fs, **kwargs)


@pytest.mark.parametrize("seed", range(20))
def test_fundamental_raises_for_white_noise(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for fs, n in ((44100, 44100), (8000, 8000), (8000, 1290)):
        with pytest.raises(ValueError, match=r"fundamental: no fundamental in \[fmin="):
            fundamental(rng.standard_normal(n), fs)


def test_fundamental_keeps_a_note_in_noise() -> None:
    x = _tone(440.0, 44100, 6)
    x = x / x.std() + np.random.default_rng(1).standard_normal(x.size)   # 0 dB signal-to-noise
    assert abs(fundamental(x, 44100) - 440.0) < 0.1


@pytest.mark.parametrize("bad", [dict(fs=True), dict(fs=44100, fmax=True), dict(fs=44100, fmin="50")])
def test_fundamental_refuses_non_numbers(bad: dict) -> None:
    with pytest.raises(TypeError, match="fundamental: f"):
        fundamental(_tone(440.0, 44100), **bad)


def test_channels_first_audio_gets_a_clear_error() -> None:
    stereo = np.random.default_rng(0).standard_normal((2, 4410))   # (channels, samples): the wrong way round
    with pytest.raises(ValueError, match=r"spectrum: x has shape \(2, 4410\), more channels than samples.*x\.T"):
        spectrum(stereo, 44100)
    with pytest.raises(ValueError, match="fundamental: x has shape"):
        fundamental(stereo, 44100)
    freqs, mag = spectrum(stereo.T, 44100)                            # samples first: fine
    assert mag.shape[0] == freqs.size


# --- axis: the time axis, wherever the caller keeps it (issue 12) ---------------------------------


def _stereo_note(n: int = 8820, fs: int = 44100) -> np.ndarray:
    t = np.arange(n) / fs
    note = sum(np.sin(2 * np.pi * 330.0 * h * t) / h for h in range(1, 6))
    return np.column_stack([note, 0.5 * note + 0.01 * np.random.default_rng(0).standard_normal(n), -note])


@pytest.mark.parametrize("axis", [1, -1])
@pytest.mark.parametrize("kwargs", [{}, dict(window=None, scaling="raw"), dict(n_fft=10000), dict(window="hamming")])
def test_spectrum_with_axis_equals_the_transposed_default(axis: int, kwargs: dict) -> None:
    x = _stereo_note()
    freqs, mag = spectrum(x, 44100, **kwargs)
    freqs_t, mag_t = spectrum(x.T, 44100, axis=axis, **kwargs)
    np.testing.assert_array_equal(freqs_t, freqs)
    assert mag_t.shape == mag.T.shape  # the frequency axis where the caller's time axis was
    np.testing.assert_array_equal(mag_t, mag.T)  # exactly
    np.testing.assert_array_equal(spectrum(x, 44100, axis=0, **kwargs)[1], mag)
    for a in (0, -1):  # a 1-D signal has one axis, whichever way it is named
        np.testing.assert_array_equal(spectrum(x[:, 0], 44100, axis=a, **kwargs)[1], mag[:, 0])


@pytest.mark.parametrize("axis", [1, -1])
def test_fundamental_with_axis_equals_the_transposed_default(axis: int) -> None:
    x = _stereo_note()
    f0 = fundamental(x, 44100)
    assert abs(f0 - 330.0) < 0.5
    assert fundamental(x.T, 44100, axis=axis) == f0  # exactly
    assert fundamental(x, 44100, axis=0) == f0


def test_an_explicit_axis_skips_the_layout_check() -> None:
    x = np.random.default_rng(1).standard_normal((3, 5))  # 3 samples of 5 channels: the caller says so
    freqs, mag = spectrum(x, 100.0, axis=0, scaling="raw", window=None)
    np.testing.assert_array_equal(mag, np.abs(np.fft.rfft(x, axis=0)))
    with pytest.raises(ValueError, match=r"spectrum: x has shape \(3, 5\), more channels than samples.*pass axis=1"):
        spectrum(x, 100.0)


@pytest.mark.parametrize("bad, error, message", [
    (1.0, TypeError, r"spectrum: axis must be an integer, got 1\.0"),
    (True, TypeError, r"spectrum: axis must be an integer, got True"),
    ("0", TypeError, r"spectrum: axis must be an integer, got '0'"),
    (2, ValueError, r"spectrum: axis=2 is out of range for an array with 2 dimension\(s\)"),
    (-3, ValueError, r"spectrum: axis=-3 is out of range"),
])
def test_spectrum_checks_axis(bad, error, message) -> None:
    with pytest.raises(error, match=message):
        spectrum(np.zeros((8, 2)), 8000.0, axis=bad)
    with pytest.raises(error, match=message.replace("spectrum", "fundamental")):
        fundamental(np.zeros((8000, 2)), 8000.0, axis=bad)
