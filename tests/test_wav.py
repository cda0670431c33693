"""companion.dsp.read_wav and read_audio: every layout round-trips exactly, scipy's own test files
read as scipy reads them, FLAC, Ogg and MP3 come through soundfile, and every file that cannot be
read raises one WavError naming it."""

from __future__ import annotations

import io
import os
import re
import struct
import warnings
from pathlib import Path

import numpy as np
import pytest
import scipy.io
import soundfile
from scipy.io import wavfile
from tests.wav_fixtures import BITS, FULL_SCALE, chunk, encode, fmt_body, quantise, wav_bytes, write

from companion.data import PIANO_NOMINAL_HZ, load_piano, piano_path
from companion.dsp import Wav, WavError, read_audio, read_wav

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


@pytest.mark.parametrize("big_endian", [False, True], ids=["RIFF", "RIFX"])
@pytest.mark.parametrize("extensible", [False, True])
@pytest.mark.parametrize("channels", [1, 2, 3])
@pytest.mark.parametrize("kind", KINDS)
def test_round_trip_exact(tmp_path: Path, kind: str, channels: int, extensible: bool, big_endian: bool) -> None:
    rng = np.random.default_rng(BITS[kind] * 10 + channels)
    v = stored_values(kind, 257, channels, rng)
    path = write(tmp_path / f"{kind}_{channels}.wav", v, 22050, kind, extensible=extensible,
                 channel_mask=(1 << channels) - 1 if extensible else 0, big_endian=big_endian)
    w = read_wav(path)
    assert (w.container, w.decoder) == ("RIFX" if big_endian else "RIFF", "libsndfile")
    assert w.valid_bits == BITS[kind] and w.path == str(path)
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


def test_twelve_bit_and_inconsistent_block_align(tmp_path: Path) -> None:
    """Layouts the first parser refused and libsndfile reads: 12-bit samples in 16-bit containers
    (scaled like 16-bit, as scipy scales them), and a block_align that contradicts channels x bits
    (the samples follow channels x bits, as in scipy's ``...-inconsistent.wav``)."""
    twelve = riff(chunk(b"fmt ", fmt_body(1, 1, 8000, 12, block_align=2)), chunk(b"data", FOUR_SAMPLES))
    path = tmp_path / "twelve.wav"
    path.write_bytes(twelve)
    w = read_wav(path)
    assert (w.bits_per_sample, w.valid_bits, w.sample_format) == (16, 12, "int16")
    np.testing.assert_array_equal(w.samples, wavfile.read(path)[1][:, None] / 2.0**15)
    odd_align = riff(chunk(b"fmt ", fmt_body(1, 2, 8000, 16, block_align=3)), chunk(b"data", FOUR_SAMPLES))
    path.write_bytes(odd_align)
    np.testing.assert_array_equal(read_wav(path).samples, np.array([[1, 2], [3, 4]]) / 2.0**15)


def test_codecs_libsndfile_decodes(tmp_path: Path) -> None:
    """mu-law, A-law and ADPCM WAV files (written by libsndfile) read, with their format tags.
    (ADPCM pads the last block, and its step size needs a few samples to adapt.)"""
    t = np.arange(4000) / 8000
    x = 0.5 * np.sin(2 * np.pi * 440 * t)
    for subtype, tag, skip in [("ULAW", 7, 0), ("ALAW", 6, 0), ("IMA_ADPCM", 0x11, 100), ("MS_ADPCM", 2, 100)]:
        path = tmp_path / f"{subtype}.wav"
        soundfile.write(path, x, 8000, subtype=subtype)
        w = read_wav(path)
        assert (w.format_tag, w.sample_format, w.subtype, w.n_channels) == (tag, subtype.lower(), subtype, 1)
        assert len(x) <= w.n_samples < len(x) + 512
        assert np.max(np.abs(w.samples[skip: len(x), 0] - x[skip:])) < 0.03, subtype


# --- scipy's own test files ---------------------------------------------------------------------

SCIPY_DATA = Path(scipy.io.__file__).parent / "tests" / "data"
SCIPY_WAVS = sorted(SCIPY_DATA.glob("*.wav"))


def scipy_reading(path: Path) -> tuple[int, np.ndarray] | str:
    """What ``scipy.io.wavfile.read`` makes of ``path``: (rate, samples scaled like the companion's),
    or why it does not read it ("truncated" when it reads only with an end-of-file warning)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fs, data = wavfile.read(path)
        except Exception as exc:  # scipy raises several kinds for files it cannot read
            return f"refused: {exc}"
    if any("EOF" in str(w.message) for w in caught):
        return "truncated"
    data = data.reshape(len(data), -1)
    if data.dtype.kind == "u":
        return fs, (data.astype(np.float64) - 128) / 128
    if data.dtype.kind == "i":  # left-justified in a 16-, 32- or 64-bit integer
        return fs, data.astype(np.float64) / 2.0 ** (8 * data.dtype.itemsize - 1)
    return fs, data.astype(np.float64)


def soundfile_reads(path: Path) -> bool:
    try:
        soundfile.read(path)
    except soundfile.LibsndfileError:
        return False
    return True


def test_scipy_test_data_is_there() -> None:
    """The WAV files of the installed scipy's own test suite are found (22 in scipy 1.17, the
    locked version; 20 in scipy 1.10, the lowest the companion allows)."""
    import scipy

    assert len(SCIPY_WAVS) >= (22 if tuple(map(int, scipy.__version__.split(".")[:2])) >= (1, 17) else 20), SCIPY_DATA


@pytest.mark.parametrize("path", SCIPY_WAVS, ids=[p.name for p in SCIPY_WAVS])
def test_every_scipy_test_wav(path: Path) -> None:
    """Every WAV of scipy's test data: where scipy reads it, the companion reads the same rate,
    channels and samples; where only libsndfile reads it, the companion reads it too (checked against
    an independent decoding); where neither does, or scipy only with a warning that the file ends
    early, a WavError names the file."""
    ref = scipy_reading(path)
    if isinstance(ref, tuple):
        w = read_wav(path)
        fs, samples = ref
        assert (w.fs, w.n_channels) == (fs, samples.shape[1])
        np.testing.assert_array_equal(w.samples, samples)
        return
    if soundfile_reads(path) and ref != "truncated":
        w = read_wav(path)
        assert w.decoder == "libsndfile" and w.n_samples > 0
        if "ulaw" in path.name:  # G.711 mu-law, decoded here by its formula
            raw = path.read_bytes()
            at = raw.index(b"data") + 4
            size = struct.unpack("<I", raw[at: at + 4])[0]
            u = ~np.frombuffer(raw, np.uint8, count=size, offset=at + 4).astype(np.int32) & 0xFF
            magnitude = ((((u & 0x0F) << 3) + 0x84) << ((u >> 4) & 7)) - 0x84
            np.testing.assert_array_equal(w.samples[:, 0] * 32768, np.where(u & 0x80, -magnitude, magnitude))
            assert (w.format_tag, w.sample_format) == (7, "ulaw")
        elif "inconsistent" in path.name:  # a wrong block_align; the same samples as the consistent file
            fs, samples = scipy_reading(SCIPY_DATA / path.name.replace("-inconsistent", ""))
            assert w.fs == fs
            np.testing.assert_array_equal(w.samples, samples)
        else:
            pytest.fail(f"{path.name}: only libsndfile reads it; add an independent check")
        return
    with pytest.raises(WavError) as info:
        read_wav(path)
    assert str(path) in str(info.value)
    if ref == "truncated":
        assert "truncated" in str(info.value)


def test_how_many_scipy_test_wavs_read() -> None:
    """The count, for the record. Of scipy's 22 test WAVs, scipy reads 17 cleanly and one more
    (``...-early-eof.wav``) only with a warning that it ends early; libsndfile reads 17. The
    companion reads 19 (libsndfile 15, scipy the 4 with 36- to 64-bit integers) and agrees with
    scipy on all 17 that scipy reads cleanly; the 3 it refuses are the truncated one and the two
    without audio (``...-early-eof-no-data.wav``, ``...-incomplete-chunk.wav``), which neither
    library reads."""
    read, refused, decoders = [], [], []
    for path in SCIPY_WAVS:
        try:
            w = read_wav(path)
        except WavError:
            refused.append(path.name)
        else:
            read.append(path.name)
            decoders.append(w.decoder)
    agreeing = [p.name for p in SCIPY_WAVS if isinstance(scipy_reading(p), tuple)]
    assert set(agreeing) <= set(read)
    if len(SCIPY_WAVS) == 22:
        assert (len(read), len(agreeing)) == (19, 17)
        assert decoders.count("scipy.io.wavfile") == 4
        assert sorted(refused) == ["test-44100Hz-le-1ch-4bytes-early-eof-no-data.wav",
                                   "test-44100Hz-le-1ch-4bytes-early-eof.wav",
                                   "test-44100Hz-le-1ch-4bytes-incomplete-chunk.wav"]


# --- FLAC, Ogg and MP3 ---------------------------------------------------------------------------


def tone(n: int = 24000, fs: int = 48000) -> np.ndarray:
    """Two channels of a 440 Hz tone, the right one louder and a quarter period later."""
    t = np.arange(n) / fs
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t), 0.6 * np.sin(2 * np.pi * 440 * t - np.pi / 2)], axis=1)


@pytest.mark.parametrize("subtype, dtype, scale", [("PCM_16", np.int16, 2.0**15), ("PCM_24", np.int32, 2.0**31),
                                                    ("PCM_S8", np.int16, 2.0**15)])
def test_flac_round_trip_exact(tmp_path: Path, subtype: str, dtype: type, scale: float) -> None:
    """FLAC is lossless: the integers written come back, scaled like WAV."""
    rng = np.random.default_rng(5)
    bits = {"PCM_16": 16, "PCM_24": 24, "PCM_S8": 8}[subtype]
    v = rng.integers(-(2 ** (bits - 1)), 2 ** (bits - 1), size=(1000, 2))
    v[:2, 0] = [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1]
    stored = (v << (8 * np.dtype(dtype).itemsize - bits)).astype(dtype)  # left-justified, as soundfile takes it
    path = tmp_path / "x.flac"
    soundfile.write(path, stored, 44100, subtype=subtype)
    w = read_audio(path)
    np.testing.assert_array_equal(w.samples, stored / scale)
    np.testing.assert_array_equal(w.samples, v / 2.0 ** (bits - 1))
    assert (w.container, w.subtype, w.fs, w.n_channels, w.format_tag) == ("FLAC", subtype, 44100, 2, 0)
    assert (w.bits_per_sample, w.sample_format) == (bits, "int8" if bits == 8 else f"int{bits}")


def assert_same_tone(w: Wav, x: np.ndarray, fs: int) -> None:
    """A lossy round trip: same rate and channels, each channel's level and pitch kept."""
    assert (w.fs, w.n_channels) == (fs, 2) and abs(w.n_samples - len(x)) < fs // 10
    y = w.samples[fs // 20: fs // 20 + fs // 4]  # skip the codec's start-up frames
    for j in range(2):
        rms, want = np.sqrt(np.mean(y[:, j] ** 2)), np.sqrt(np.mean(x[:, j] ** 2))
        assert abs(rms / want - 1) < 0.1
        spectrum = np.abs(np.fft.rfft(y[:, j] * np.hanning(len(y))))
        assert abs(np.argmax(spectrum) * fs / len(y) - 440) < 2 * fs / len(y)


@pytest.mark.parametrize("container, subtype, sample_format, suffix", [
    ("OGG", "VORBIS", "vorbis", ".ogg"), ("OGG", "OPUS", "opus", ".opus"),
    ("MP3", "MPEG_LAYER_III", "mpeg_layer_iii", ".mp3"),
])
def test_lossy_round_trips(tmp_path: Path, container: str, subtype: str, sample_format: str, suffix: str) -> None:
    """Ogg Vorbis, Ogg Opus and MP3 written by libsndfile read back as the same tone."""
    assert container in soundfile.available_formats(), "the soundfile wheel's libsndfile lacks it"
    x = tone()
    path = tmp_path / f"x{suffix}"
    soundfile.write(path, x, 48000, format=container, subtype=subtype)
    w = read_audio(path)
    assert (w.container, w.subtype, w.sample_format, w.bits_per_sample, w.format_tag) == (
        container, subtype, sample_format, 0, 0)
    assert_same_tone(w, x, 48000)


def test_mp3_with_an_id3_tag(tmp_path: Path) -> None:
    """An MP3 that starts with an ID3v2 tag (as most do) is recognised by the tag."""
    x = tone()
    buf = io.BytesIO()
    soundfile.write(buf, x, 48000, format="MP3")
    tag_body = b"TIT2" + struct.pack(">I", 6) + b"\x00\x00" + b"\x03Note"
    size = len(tag_body)
    synchsafe = bytes([(size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F])
    path = tmp_path / "tagged.mp3"
    path.write_bytes(b"ID3\x03\x00\x00" + synchsafe + tag_body + buf.getvalue())
    assert_same_tone(read_audio(path), x, 48000)


def test_read_audio_reads_wav_as_read_wav(tmp_path: Path) -> None:
    path = write(tmp_path / "x.wav", stored_values("int24", 50, 2, np.random.default_rng(1)), 8000, "int24")
    a, b = read_audio(path), read_wav(path)
    assert {k: v for k, v in vars(a).items() if k != "samples"} == {k: v for k, v in vars(b).items() if k != "samples"}
    np.testing.assert_array_equal(a.samples, b.samples)


def test_read_wav_points_other_formats_to_read_audio(tmp_path: Path) -> None:
    path = tmp_path / "x.flac"
    soundfile.write(path, tone(), 48000)
    with pytest.raises(WavError, match="not a WAV file but FLAC .*read_audio"):
        read_wav(path)


def test_truncated_flac(tmp_path: Path) -> None:
    path = tmp_path / "x.flac"
    soundfile.write(path, tone(96000), 48000)
    whole = path.read_bytes()
    path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(WavError, match="x.flac") as info:
        read_audio(path)
    assert "truncated" in str(info.value) or "lost sync" in str(info.value)


# --- what can be passed ---------------------------------------------------------------------------


def test_str_bytes_and_pathlike(tmp_path: Path) -> None:
    path = write(tmp_path / "m.wav", np.array([[1], [-1]]), 8000, "int16")
    expect = read_wav(path).samples
    for form in (str(path), os.fsencode(path), path):
        for read in (read_wav, read_audio):
            w = read(form)
            np.testing.assert_array_equal(w.samples, expect)
            assert w.path == str(path)


class Unseekable:
    """A pipe-like reader: read() only, in short pieces."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def read(self, n: int = -1) -> bytes:
        n = 7 if n < 0 else min(n, 7)
        piece, self._data = self._data[:n], self._data[n:]
        return piece


def test_file_objects(tmp_path: Path) -> None:
    """An open file, a BytesIO (read from its start) and an unseekable reader all read the same."""
    v = np.array([[1, 2], [3, 4], [-5, 6]])
    path = write(tmp_path / "f.wav", v, 8000, "int16")
    with open(path, "rb") as f:
        w = read_wav(f)
    assert w.path == str(path)
    np.testing.assert_array_equal(w.samples, v / 2.0**15)
    buf = io.BytesIO(path.read_bytes())
    buf.seek(10)
    np.testing.assert_array_equal(read_audio(buf).samples, v / 2.0**15)
    np.testing.assert_array_equal(read_wav(Unseekable(path.read_bytes())).samples, v / 2.0**15)
    flac = io.BytesIO()
    soundfile.write(flac, v.astype(np.int16), 8000, format="FLAC")
    flac.seek(0)
    np.testing.assert_array_equal(read_audio(Unseekable(flac.getvalue())).samples, v / 2.0**15)


def test_wrong_types_raise_type_error(tmp_path: Path) -> None:
    path = write(tmp_path / "m.wav", np.array([[1], [-1]]), 8000, "int16")
    for bad in (3, 3.0, None, ["a.wav"], bytearray(b"a.wav")):
        for read in (read_wav, read_audio):
            with pytest.raises(TypeError, match="path"):
                read(bad)
    with open(path, encoding="latin-1") as text, pytest.raises(TypeError, match="binary"):
        read_wav(text)


# --- files that cannot be read ----------------------------------------------------------------------


def riff(*chunks: bytes, form: bytes = b"WAVE", magic: bytes = b"RIFF") -> bytes:
    body = form + b"".join(chunks)
    return magic + struct.pack("<I", len(body)) + body


PCM16_MONO = chunk(b"fmt ", fmt_body(1, 1, 8000, 16))
FOUR_SAMPLES = encode(np.array([[1], [2], [3], [4]]), "int16")
GOOD = riff(PCM16_MONO, chunk(b"data", FOUR_SAMPLES))

MALFORMED = {
    "empty": (b"", "empty"),
    "short header": (b"RIFF\x10\x00", "too short"),
    "not riff (text)": (b"hello, this is not audio at all", "not a WAV file"),
    "not riff (ogg)": (b"OggS" + b"\x00" * 40, "not a WAV file but OGG"),
    "rifx with little-endian sizes": (b"RIFX" + GOOD[4:], "truncated"),
    "riff but avi": (riff(PCM16_MONO, form=b"AVI "), "not WAVE"),
    "truncated data": (GOOD[:-3], "truncated"),
    "truncated fmt": (GOOD[:12 + 8 + 10], "truncated"),
    "cut in a chunk header": (GOOD[:12 + 5], "ends 5 byte(s) into a chunk header"),
    "header only": (GOOD[:12], "no 'fmt ' chunk"),
    "no data chunk": (riff(PCM16_MONO), "no 'data' chunk"),
    "data before fmt": (riff(chunk(b"data", FOUR_SAMPLES), PCM16_MONO), "before any 'fmt '"),
    "zero-length data": (riff(PCM16_MONO, chunk(b"data", b"")), "zero-length data"),
    "odd byte count": (riff(PCM16_MONO, chunk(b"data", FOUR_SAMPLES[:-1])), "odd byte count"),
    "partial stereo frame": (
        riff(chunk(b"fmt ", fmt_body(1, 2, 8000, 24)), chunk(b"data", b"\x00" * 9)), "not a whole number"),
    "rf64 without ds64": (riff(PCM16_MONO, b"data\xff\xff\xff\xff" + FOUR_SAMPLES, magic=b"RF64"), "'ds64'"),
    "adpcm codec": (riff(chunk(b"fmt ", fmt_body(2, 1, 8000, 4, block_align=256)), chunk(b"data", b"\x00" * 256)),
                    "ADPCM"),
    "mp3 codec": (riff(chunk(b"fmt ", fmt_body(0x55, 2, 44100, 0, block_align=1)), chunk(b"data", b"\x00" * 64)),
                  "MP3"),
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
    "16-bit float": (riff(chunk(b"fmt ", fmt_body(3, 1, 8000, 16)), chunk(b"data", FOUR_SAMPLES)), "16 bits"),
    "zero channels": (riff(chunk(b"fmt ", fmt_body(1, 0, 8000, 16, block_align=0)), chunk(b"data", FOUR_SAMPLES)),
                      "0 channels"),
    "zero rate": (riff(chunk(b"fmt ", fmt_body(1, 1, 0, 16)), chunk(b"data", FOUR_SAMPLES)), "0 Hz"),
}


READ_WAV_ONLY = {"not riff (text)", "not riff (ogg)"}  # read_audio says something else (tested below)


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_files_raise_one_clear_error(tmp_path: Path, case: str) -> None:
    content, problem = MALFORMED[case]
    path = tmp_path / (case.replace(" ", "_") + ".wav")
    path.write_bytes(content)
    for read in (read_wav,) if case in READ_WAV_ONLY else (read_wav, read_audio):
        with pytest.raises(WavError, match=re.escape(problem)) as info:
            read(path)
        assert str(path) in str(info.value)  # the message names the file
        assert isinstance(info.value, ValueError)


def test_neither_library_decodes_says_both(tmp_path: Path) -> None:
    path = tmp_path / "adpcm.wav"
    path.write_bytes(MALFORMED["adpcm codec"][0])
    with pytest.raises(WavError, match="libsndfile says .* scipy.io.wavfile says .*ADPCM"):
        read_wav(path)


def test_not_audio_for_read_audio(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello, this is not audio at all")
    with pytest.raises(WavError, match="not a WAV, FLAC, Ogg or MP3 file"):
        read_audio(path)
    path.write_bytes(b"OggS" + b"\x00" * 40)  # the magic, then nothing libsndfile can decode
    with pytest.raises(WavError, match="libsndfile cannot decode this OGG file"):
        read_audio(path)


def test_good_reference_reads(tmp_path: Path) -> None:
    """The byte string the malformed cases are cut from is itself valid (so they fail for their stated reason)."""
    path = tmp_path / "good.wav"
    path.write_bytes(GOOD)
    np.testing.assert_array_equal(read_wav(path).samples[:, 0], np.array([1, 2, 3, 4]) / 2.0**15)


def test_missing_file(tmp_path: Path) -> None:
    """A WavError, and still the FileNotFoundError the first read_wav raised."""
    for read in (read_wav, read_audio):
        with pytest.raises(WavError, match="no such file") as info:
            read(tmp_path / "nope.wav")
        assert isinstance(info.value, FileNotFoundError) and info.value.filename == str(tmp_path / "nope.wav")
        assert str(tmp_path / "nope.wav") in str(info.value)


def test_directory_device_and_pipe_are_refused_without_reading(tmp_path: Path) -> None:
    """Checked before anything is read: /dev/zero (which never ends) and a named pipe (whose open
    would wait for a writer) return at once."""
    with pytest.raises(WavError, match="is a directory") as info:
        read_wav(tmp_path)
    assert isinstance(info.value, IsADirectoryError)
    for read in (read_wav, read_audio):
        with pytest.raises(WavError, match="character device"):
            read("/dev/zero")
    fifo = tmp_path / "pipe.wav"
    os.mkfifo(fifo)
    with pytest.raises(WavError, match="named pipe"):
        read_audio(fifo)
    with open("/dev/zero", "rb") as zeros:  # the same device as a file object: its first bytes are not audio
        with pytest.raises(WavError, match="not a WAV file"):
            read_wav(zeros)
        with pytest.raises(WavError, match="not a WAV, FLAC, Ogg or MP3"):
            read_audio(zeros)


def test_wav_keeps_its_positional_fields() -> None:
    """Wav(...) as the first version built it still works; the new fields have defaults."""
    w = Wav(np.zeros((4, 2)), 8000, 16, "int16", 1)
    assert (w.n_channels, w.n_samples, w.duration, w.container, w.subtype, w.decoder) == (2, 4, 4 / 8000, "", "", "")


# --- the shipped clip --------------------------------------------------------------------------


def test_shipped_piano_clip() -> None:
    w = load_piano()
    assert (w.fs, w.n_channels, w.sample_format) == (44100, 2, "int16")
    assert (w.container, w.subtype, w.format_tag, w.decoder) == ("RIFF", "PCM_16", 1, "libsndfile")
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
