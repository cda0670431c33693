"""companion.dsp.read_wav: every supported layout round-trips exactly; every malformed file raises WavError."""

from __future__ import annotations

import re
import struct
from pathlib import Path

import numpy as np
import pytest
from scipy.io import wavfile
from tests.wav_fixtures import BITS, FULL_SCALE, chunk, encode, fmt_body, quantise, wav_bytes, write

from companion.data import PIANO_NOMINAL_HZ, load_piano, piano_path
from companion.dsp import Wav, WavError, read_wav

KINDS = list(BITS)


def stored_values(kind: str, n: int, channels: int, rng: np.random.Generator) -> np.ndarray:
    """Random stored values covering the extremes of each format."""
    if kind == "uint8":
        v = rng.integers(0, 256, size=(n, channels))
        v[:2, 0] = [0, 255]
    elif kind in FULL_SCALE:
        s = int(FULL_SCALE[kind])
        v = rng.integers(-s, s, size=(n, channels))
        v[:3, 0] = [-s, s - 1, 0]
    else:
        v = rng.standard_normal((n, channels)) * 0.7
        v[:2, 0] = [1.5, -2.0]  # float files may exceed full scale; they are returned as stored
        v = v.astype(np.float32) if kind == "float32" else v
    return v


def expected_samples(kind: str, v: np.ndarray) -> np.ndarray:
    if kind == "uint8":
        return (v.astype(np.float64) - 128.0) / 128.0
    if kind in FULL_SCALE:
        return v.astype(np.float64) / FULL_SCALE[kind]
    return v.astype(np.float64)


@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_exact(tmp_path: Path, kind: str, channels: int, extensible: bool) -> None:
    rng = np.random.default_rng(BITS[kind] * 10 + channels)
    v = stored_values(kind, 257, channels, rng)
    path = write(tmp_path / f"{kind}_{channels}.wav", v, 22050, kind, extensible=extensible,
                 channel_mask=(1 << channels) - 1 if extensible else 0)
    w = read_wav(path)
    assert isinstance(w, Wav)
    assert w.samples.dtype == np.float64 and w.samples.shape == (257, channels)
    np.testing.assert_array_equal(w.samples, expected_samples(kind, v))  # exact, not approximate
    assert (w.fs, w.bits_per_sample, w.sample_format) == (22050, BITS[kind], kind)
    assert w.n_channels == channels and w.n_samples == 257 and w.duration == pytest.approx(257 / 22050)
    assert w.extensible is extensible
    assert w.format_tag == (0xFFFE if extensible else (3 if kind.startswith("float") else 1))
    if extensible:
        assert w.channel_mask == (1 << channels) - 1
    if kind in FULL_SCALE:
        assert w.samples.min() >= -1.0 and w.samples.max() < 1.0


@pytest.mark.parametrize("kind", ["uint8", "int16", "int24", "int32", "float32", "float64"])
def test_agrees_with_scipy(tmp_path: Path, kind: str) -> None:
    """scipy.io.wavfile reads the same files to the same numbers (after its own scaling)."""
    v = stored_values(kind, 300, 2, np.random.default_rng(7))
    path = write(tmp_path / "x.wav", v, 8000, kind)
    fs, ref = wavfile.read(path)
    ours = read_wav(path)
    assert ours.fs == fs
    if kind == "uint8":
        ref_scaled = (ref.astype(np.float64) - 128) / 128
    elif kind == "int24":  # scipy returns 24-bit samples left-justified in int32
        ref_scaled = ref.astype(np.float64) / 2.0**31
    elif kind in FULL_SCALE:
        ref_scaled = ref.astype(np.float64) / FULL_SCALE[kind]
    else:
        ref_scaled = ref.astype(np.float64)
    np.testing.assert_array_equal(ours.samples, ref_scaled)


def test_scipy_written_files(tmp_path: Path) -> None:
    """Files written by another writer (scipy) read back exactly."""
    rng = np.random.default_rng(3)
    for dtype, scale in [(np.int16, 2.0**15), (np.int32, 2.0**31), (np.uint8, None), (np.float32, None)]:
        if dtype is np.uint8:
            data = rng.integers(0, 256, (100, 2)).astype(dtype)
            expect = (data.astype(np.float64) - 128) / 128
        elif scale is None:
            data = rng.standard_normal((100, 2)).astype(dtype)
            expect = data.astype(np.float64)
        else:
            info = np.iinfo(dtype)
            data = rng.integers(info.min, info.max, (100, 2), endpoint=True).astype(dtype)
            expect = data.astype(np.float64) / scale
        path = tmp_path / f"scipy_{np.dtype(dtype).name}.wav"
        wavfile.write(path, 11025, data)
        np.testing.assert_array_equal(read_wav(path).samples, expect)


def test_valid_bits_and_skipped_chunks(tmp_path: Path) -> None:
    """20 valid bits in a 24-bit container; odd-sized LIST chunk (with pad byte) before data."""
    v = (np.arange(-8, 8).reshape(-1, 2) * 4096) << 4  # 20-bit values, left-justified in 24 bits
    extra = chunk(b"LIST", b"INFOabc") + chunk(b"fact", struct.pack("<I", 8))
    path = write(tmp_path / "x.wav", v, 96000, "int24", extensible=True, valid_bits=20, extra=extra)
    w = read_wav(path)
    assert w.valid_bits == 20 and w.bits_per_sample == 24
    np.testing.assert_array_equal(w.samples, v / 2.0**23)


def test_pathlike_and_str(tmp_path: Path) -> None:
    path = write(tmp_path / "m.wav", np.array([[1], [-1]]), 8000, "int16")
    np.testing.assert_array_equal(read_wav(str(path)).samples, read_wav(path).samples)


def test_damaged_chunk_after_data_is_ignored(tmp_path: Path) -> None:
    """A metadata chunk cut short *after* complete audio does not lose the audio."""
    v = np.array([[1, 2], [3, 4]])
    good = wav_bytes(v, 8000, "int16")
    path = tmp_path / "tail.wav"
    path.write_bytes(good + b"LIST" + struct.pack("<I", 100) + b"abc")
    np.testing.assert_array_equal(read_wav(path).samples, v / 2.0**15)


# --- malformed files -------------------------------------------------------------------------


def riff(*chunks: bytes, form: bytes = b"WAVE", magic: bytes = b"RIFF") -> bytes:
    body = form + b"".join(chunks)
    return magic + struct.pack("<I", len(body)) + body


PCM16_MONO = chunk(b"fmt ", fmt_body(1, 1, 8000, 16))
FOUR_SAMPLES = encode(np.array([[1], [2], [3], [4]]), "int16")
GOOD = riff(PCM16_MONO, chunk(b"data", FOUR_SAMPLES))

MALFORMED = {
    "empty": (b"", "too short"),
    "short header": (b"RIFF\x10\x00", "too short"),
    "not riff (text)": (b"hello, this is not audio at all", "not a RIFF file"),
    "not riff (ogg)": (b"OggS" + b"\x00" * 40, "not a RIFF file"),
    "big-endian rifx": (b"RIFX" + GOOD[4:], "RIFX"),
    "riff but avi": (riff(PCM16_MONO, form=b"AVI "), "not WAVE"),
    "truncated data": (GOOD[:-3], "truncated"),
    "truncated fmt": (GOOD[:12 + 8 + 10], "truncated"),
    "header only": (GOOD[:12], "no 'fmt ' chunk"),
    "no data chunk": (riff(PCM16_MONO), "no 'data' chunk"),
    "data before fmt": (riff(chunk(b"data", FOUR_SAMPLES), PCM16_MONO), "before any 'fmt '"),
    "zero-length data": (riff(PCM16_MONO, chunk(b"data", b"")), "zero-length data"),
    "odd byte count": (riff(PCM16_MONO, chunk(b"data", FOUR_SAMPLES[:-1])), "odd byte count"),
    "partial stereo frame": (
        riff(chunk(b"fmt ", fmt_body(1, 2, 8000, 24)), chunk(b"data", b"\x00" * 9)), "not a whole number"),
    "adpcm codec": (riff(chunk(b"fmt ", fmt_body(2, 1, 8000, 4, block_align=256)), chunk(b"data", b"\x00" * 256)),
                    "ADPCM"),
    "mp3 codec": (riff(chunk(b"fmt ", fmt_body(0x55, 2, 44100, 0, block_align=1)), chunk(b"data", b"\x00" * 64)),
                  "MP3"),
    "mu-law codec": (riff(chunk(b"fmt ", fmt_body(7, 1, 8000, 8)), chunk(b"data", b"\x00" * 8)), "mu-law"),
    "extensible adpcm": (
        riff(chunk(b"fmt ", fmt_body(1, 1, 8000, 16, extensible=True, sub_tag=2)), chunk(b"data", FOUR_SAMPLES)),
        "ADPCM"),
    "extensible bad guid": (
        riff(chunk(b"fmt ", fmt_body(1, 1, 8000, 16, extensible=True)[:-1] + b"\x01"), chunk(b"data", FOUR_SAMPLES)),
        "GUID"),
    "extensible too short": (
        riff(chunk(b"fmt ", fmt_body(1, 1, 8000, 16, extensible=True)[:30]), chunk(b"data", FOUR_SAMPLES)),
        "needs 40"),
    "fmt too short": (riff(chunk(b"fmt ", b"\x01\x00\x01\x00"), chunk(b"data", FOUR_SAMPLES)), "at least 16"),
    "12-bit pcm": (riff(chunk(b"fmt ", fmt_body(1, 1, 8000, 12, block_align=2)), chunk(b"data", FOUR_SAMPLES)),
                   "12 bits"),
    "16-bit float": (riff(chunk(b"fmt ", fmt_body(3, 1, 8000, 16)), chunk(b"data", FOUR_SAMPLES)), "16 bits"),
    "zero channels": (riff(chunk(b"fmt ", fmt_body(1, 0, 8000, 16, block_align=0)), chunk(b"data", FOUR_SAMPLES)),
                      "0 channels"),
    "zero rate": (riff(chunk(b"fmt ", fmt_body(1, 1, 0, 16)), chunk(b"data", FOUR_SAMPLES)), "0 Hz"),
    "wrong block_align": (riff(chunk(b"fmt ", fmt_body(1, 2, 8000, 16, block_align=3)), chunk(b"data", FOUR_SAMPLES)),
                          "block_align"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_raise_one_clear_error(tmp_path: Path, case: str) -> None:
    content, problem = MALFORMED[case]
    path = tmp_path / (case.replace(" ", "_") + ".wav")
    path.write_bytes(content)
    with pytest.raises(WavError, match=re.escape(problem)) as info:
        read_wav(path)
    assert str(path) in str(info.value)  # the message names the file
    assert isinstance(info.value, ValueError)


def test_good_reference_reads(tmp_path: Path) -> None:
    """The byte string the malformed cases are cut from is itself valid (so they fail for their stated reason)."""
    path = tmp_path / "good.wav"
    path.write_bytes(GOOD)
    np.testing.assert_array_equal(read_wav(path).samples[:, 0], np.array([1, 2, 3, 4]) / 2.0**15)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_wav(tmp_path / "nope.wav")


# --- the shipped clip --------------------------------------------------------------------------


def test_shipped_piano_clip() -> None:
    w = load_piano()
    assert (w.fs, w.n_channels, w.sample_format) == (44100, 2, "int16")
    assert 1.4 < w.duration < 1.6
    fs, ref = wavfile.read(piano_path())
    np.testing.assert_array_equal(w.samples, ref / 2.0**15)
    left, right = w.samples.T
    # A real stereo image: the channels differ (not a copied mono track) and are far from identical.
    assert np.max(np.abs(left - right)) > 0.1
    assert abs(np.corrcoef(left, right)[0, 1]) < 0.9
    assert PIANO_NOMINAL_HZ == pytest.approx(261.6256, abs=1e-4)


def test_quantise_helper_is_consistent() -> None:
    """The fixture helper's integer mapping agrees with the reader's documented scaling."""
    x = np.array([-1.0, -0.5, 0.0, 0.5, 0.999])
    for kind, scale in FULL_SCALE.items():
        q = quantise(x, kind)[:, 0]
        back = (q - 128) / 128 if kind == "uint8" else q / scale
        assert np.max(np.abs(back - x)) <= 1 / scale
