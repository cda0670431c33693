"""Decoding the samples: libsndfile (through soundfile) first, scipy.io.wavfile for what it refuses.

Private to :mod:`companion.dsp.wav`, which checks the header (:mod:`companion.dsp._riff`)
before anything here runs, and turns :class:`Refused` into its WavError.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from companion.dsp._riff import WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_PCM, WavHeader

__all__ = ["Refused", "decode_libsndfile", "decode_scipy", "subtype_name", "wav_format", "other_format"]

_BLOCK_FRAMES = 1 << 18  # libsndfile is read block by block: a header's frame count is not trusted
# libsndfile subtypes besides PCM_* that decode to integers (companded and ADPCM codecs).
_INTEGER_SUBTYPES = frozenset({"ULAW", "ALAW", "IMA_ADPCM", "MS_ADPCM", "GSM610", "VOX_ADPCM"})




class Refused(Exception):
    """A library could not decode the file; the message is the library's."""


def decode_libsndfile(f: Any) -> tuple[np.ndarray, int, str, str, int]:
    """samples, rate, libsndfile format and subtype, and the frame count its header promises."""
    import soundfile

    f.seek(0)
    try:
        with soundfile.SoundFile(f) as snd:
            # Integer encodings come as int32 (libsndfile left-justifies every width in it) and are
            # scaled here, exactly and several times faster than libsndfile's own float64 reading;
            # float and lossy ones come as float64.
            integer = snd.subtype.startswith("PCM_") or snd.subtype in _INTEGER_SUBTYPES
            blocks = []
            while True:
                block = snd.read(frames=_BLOCK_FRAMES, dtype="int32" if integer else "float64", always_2d=True)
                if len(block) == 0:
                    break
                blocks.append(block * 2.0**-31 if integer else block)
            samples = np.concatenate(blocks) if blocks else np.empty((0, snd.channels))
            return samples, int(snd.samplerate), str(snd.format), str(snd.subtype), int(snd.frames)
    except (soundfile.SoundFileError, RuntimeError) as exc:
        message = getattr(exc, "error_string", None) or str(exc)
        raise Refused(message.strip()) from exc


def decode_scipy(f: Any) -> tuple[np.ndarray, int]:
    """samples scaled like libsndfile's, and the rate."""
    from scipy.io import wavfile

    f.seek(0)
    try:
        with warnings.catch_warnings():  # unknown chunks are skipped; truncation was checked already
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            fs, data = wavfile.read(f)
    except Exception as exc:  # scipy raises several kinds for a file it cannot read
        raise Refused(f"{type(exc).__name__}: {exc}") from exc
    data = data.reshape(len(data), -1)
    if data.dtype.kind == "u":  # 8-bit: unsigned, offset by 128
        samples = (data.astype(np.float64) - 128.0) / 128.0
    elif data.dtype.kind == "i":  # scipy left-justifies samples in a 16-, 32- or 64-bit integer
        samples = data.astype(np.float64) / float(2 ** (8 * data.dtype.itemsize - 1))
    else:
        samples = data.astype(np.float64)
    return np.ascontiguousarray(samples), int(fs)


def subtype_name(header: WavHeader) -> str:
    """libsndfile's name for a layout it does not read itself (integer PCM wider than 32 bits)."""
    if header.real_tag == WAVE_FORMAT_IEEE_FLOAT:
        return {32: "FLOAT", 64: "DOUBLE"}.get(header.bits, f"FLOAT_{header.bits}")
    container_bits = 8 * ((header.bits + 7) // 8)
    return "PCM_U8" if container_bits == 8 else f"PCM_{container_bits}"


def wav_format(header: WavHeader, subtype: str) -> tuple[int, str, int]:
    """bits_per_sample, sample_format and valid_bits of a WAV file."""
    if header.real_tag == WAVE_FORMAT_PCM:
        container_bits = 8 * ((header.bits + 7) // 8)
        return container_bits, "uint8" if container_bits == 8 else f"int{container_bits}", header.valid_bits
    if header.real_tag == WAVE_FORMAT_IEEE_FLOAT:
        return header.bits, f"float{header.bits}", header.bits
    return header.bits, subtype.lower(), header.valid_bits


def other_format(subtype: str) -> tuple[int, str]:
    """bits_per_sample and sample_format of a FLAC, Ogg or MP3 stream."""
    if subtype == "PCM_S8":
        return 8, "int8"
    if subtype == "PCM_U8":
        return 8, "uint8"
    if subtype.startswith("PCM_") and subtype[4:].isdigit():
        return int(subtype[4:]), f"int{subtype[4:]}"
    if subtype in ("FLOAT", "DOUBLE"):
        bits = 32 if subtype == "FLOAT" else 64
        return bits, f"float{bits}"
    return 0, subtype.lower()
