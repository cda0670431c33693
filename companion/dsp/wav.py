"""Reading WAV files: every common PCM and float layout, one clear error for everything else.

Derived in: FFT of stereo audio §1. The RIFF chunks are parsed here (no scipy underneath) so
that every problem becomes one :class:`WavError` that names the file and what is wrong, and
so that 24-bit and WAVE_FORMAT_EXTENSIBLE files read like any other.

A WAV file is a RIFF container: ``"RIFF" <size> "WAVE"`` followed by chunks, each
``<4-byte id> <uint32 little-endian size> <data> [pad byte if size is odd]``. The ``'fmt '``
chunk says how the ``data`` chunk's bytes are laid out: interleaved frames of
``n_channels`` samples, each ``bits_per_sample / 8`` bytes, little-endian.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["read_wav", "Wav", "WavError"]

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# The 14 bytes that follow the 2-byte format tag in a KSDATAFORMAT_SUBTYPE_* GUID.
_KSDATAFORMAT_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
_CODEC_NAMES = {
    0x0002: "Microsoft ADPCM",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MPEG Layer 3 (MP3)",
    0x00FF: "AAC",
    0xF1AC: "FLAC",
}
_PCM_BITS = (8, 16, 24, 32)
_FLOAT_BITS = (32, 64)


class WavError(ValueError):
    """A file :func:`read_wav` cannot read; the message names the file and the problem.

    Derived in: FFT of stereo audio §1.
    """


@dataclass(frozen=True)
class Wav:
    """The samples of a WAV file and the format they were stored in.

    Derived in: FFT of stereo audio §1.

    Attributes
    ----------
    samples : np.ndarray
        float64, shape ``(n_samples, n_channels)``, every channel kept. Integer PCM is divided
        by ``2**(bits - 1)`` (8-bit unsigned is first shifted by 128), so it lies in
        ``[-1, 1)``; float files are returned as stored (float32 widened exactly to float64).
    fs : int
        Sampling rate in Hz (frames per second).
    bits_per_sample : int
        Container size of one sample: 8, 16, 24, 32 (integer) or 32, 64 (float).
    sample_format : str
        ``"uint8"``, ``"int16"``, ``"int24"``, ``"int32"``, ``"float32"`` or ``"float64"``.
    format_tag : int
        The ``'fmt '`` chunk's format tag: 1 (PCM), 3 (IEEE float) or 0xFFFE (extensible).
    extensible : bool
        True for a WAVE_FORMAT_EXTENSIBLE header (the sub-format GUID gave the real format).
    valid_bits : int
        Significant bits per sample (less than ``bits_per_sample`` in some extensible files).
    channel_mask : int
        Speaker-position bit mask of an extensible header (0 otherwise).
    path : str
        The file that was read.
    """

    samples: np.ndarray = field(repr=False)
    fs: int
    bits_per_sample: int
    sample_format: str
    format_tag: int
    extensible: bool = False
    valid_bits: int = 0
    channel_mask: int = 0
    path: str = ""

    @property
    def n_channels(self) -> int:
        """Number of channels (columns of ``samples``)."""
        return int(self.samples.shape[1])

    @property
    def n_samples(self) -> int:
        """Number of frames (rows of ``samples``)."""
        return int(self.samples.shape[0])

    @property
    def duration(self) -> float:
        """Length in seconds, ``n_samples / fs``."""
        return self.n_samples / self.fs


def _fail(path: str, problem: str) -> WavError:
    return WavError(f"read_wav({path!r}): {problem}")


def _parse_fmt(body: bytes, path: str) -> dict[str, int | bool | str]:
    if len(body) < 16:
        raise _fail(path, f"the 'fmt ' chunk holds {len(body)} bytes; a WAV format needs at least 16")
    tag, channels, fs, _byte_rate, block_align, bits = struct.unpack("<HHIIHH", body[:16])
    info: dict[str, int | bool | str] = {"format_tag": tag, "extensible": False, "channel_mask": 0}
    real_tag = tag
    valid_bits = bits
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(body) < 40:
            raise _fail(path, f"extensible 'fmt ' chunk holds {len(body)} bytes; it needs 40")
        cb_size, valid_bits, mask = struct.unpack("<HHI", body[16:24])
        guid = body[24:40]
        if cb_size < 22:
            raise _fail(path, f"extensible 'fmt ' chunk declares {cb_size} extra bytes; it needs 22")
        if guid[2:] != _KSDATAFORMAT_TAIL:
            raise _fail(path, f"extensible header has an unknown sub-format GUID {guid.hex()}")
        real_tag = struct.unpack("<H", guid[:2])[0]
        info.update(extensible=True, channel_mask=mask)
        if valid_bits == 0:
            valid_bits = bits
    if real_tag == WAVE_FORMAT_PCM:
        if bits not in _PCM_BITS:
            raise _fail(path, f"integer PCM with {bits} bits per sample is not supported (expected one of {_PCM_BITS})")
        kind = "uint8" if bits == 8 else f"int{bits}"
    elif real_tag == WAVE_FORMAT_IEEE_FLOAT:
        if bits not in _FLOAT_BITS:
            raise _fail(path, f"float samples of {bits} bits are not supported (expected 32 or 64)")
        kind = f"float{bits}"
    else:
        name = _CODEC_NAMES.get(real_tag, "unknown codec")
        raise _fail(
            path,
            f"compressed or unsupported codec inside RIFF: format tag 0x{real_tag:04X} ({name}); "
            "only integer PCM (tag 1) and IEEE float (tag 3) can be read",
        )
    if channels < 1:
        raise _fail(path, "the 'fmt ' chunk declares 0 channels")
    if fs < 1:
        raise _fail(path, "the 'fmt ' chunk declares a sampling rate of 0 Hz")
    if not 0 < valid_bits <= bits:
        raise _fail(path, f"valid bits per sample {valid_bits} is not between 1 and the container's {bits}")
    expected_align = channels * bits // 8
    if block_align != expected_align:
        raise _fail(
            path,
            f"block_align is {block_align} bytes but {channels} channel(s) x {bits} bits need {expected_align}",
        )
    info.update(channels=channels, fs=fs, block_align=block_align, bits=bits, valid_bits=valid_bits, kind=kind)
    return info


def _decode(raw: bytes, kind: str, channels: int) -> np.ndarray:
    if kind == "uint8":
        ints = np.frombuffer(raw, dtype=np.uint8).astype(np.float64)
        out = (ints - 128.0) / 128.0
    elif kind == "int24":
        b = np.frombuffer(raw, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
        ints = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
        ints = np.where(ints >= 1 << 23, ints - (1 << 24), ints)
        out = ints.astype(np.float64) / float(1 << 23)
    elif kind.startswith("int"):
        bits = int(kind[3:])
        out = np.frombuffer(raw, dtype=f"<i{bits // 8}").astype(np.float64) / float(2 ** (bits - 1))
    else:
        out = np.frombuffer(raw, dtype=f"<f{int(kind[5:]) // 8}").astype(np.float64)
    return out.reshape(-1, channels)


def read_wav(path: str | os.PathLike[str]) -> Wav:
    """Read a WAV file into float64 samples of shape ``(n_samples, n_channels)``.

    Derived in: FFT of stereo audio §1.

    Parameters
    ----------
    path : str or path-like
        The file. Integer PCM of 8 (unsigned), 16, 24 or 32 bits and IEEE float of 32 or 64 bits,
        any number of channels, with a plain or a WAVE_FORMAT_EXTENSIBLE header.

    Returns
    -------
    Wav
        ``samples`` (float64, integer PCM scaled to ``[-1, 1)``), ``fs`` and the original format
        (``bits_per_sample``, ``sample_format``, ``format_tag``, ``extensible``, ...).

    Raises
    ------
    WavError
        (a ``ValueError``) for any file that is not a readable WAV: not RIFF/WAVE, truncated,
        a compressed codec, missing or zero-length ``data``, a byte count that is not a whole
        number of frames, an inconsistent ``'fmt '`` chunk. The message names the file.
    FileNotFoundError
        If the file does not exist.
    """
    name = os.fspath(path)
    data = Path(name).read_bytes()
    if len(data) < 12:
        raise _fail(name, f"file is {len(data)} bytes long, too short for a RIFF/WAVE header (12 bytes)")
    magic, _riff_size, wave = struct.unpack("<4sI4s", data[:12])
    if magic == b"RIFX":
        raise _fail(name, "big-endian RIFX files are not supported (expected a little-endian 'RIFF' header)")
    if magic != b"RIFF":
        raise _fail(name, f"not a RIFF file (it starts with {data[:4]!r}, expected b'RIFF')")
    if wave != b"WAVE":
        raise _fail(name, f"a RIFF file but not WAVE (form type {wave!r})")

    fmt: dict[str, int | bool | str] | None = None
    raw: bytes | None = None
    pos = 12
    while pos + 8 <= len(data):
        chunk_id, size = struct.unpack("<4sI", data[pos : pos + 8])
        start, end = pos + 8, pos + 8 + size
        if end > len(data):
            if chunk_id == b"data" or fmt is None:
                label = chunk_id.decode("latin-1")
                raise _fail(
                    name,
                    f"truncated: the {label!r} chunk declares {size} bytes but only {len(data) - start} follow",
                )
            break  # a damaged chunk after the audio (metadata): the samples are complete
        if chunk_id == b"fmt ":
            fmt = _parse_fmt(data[start:end], name)
        elif chunk_id == b"data":
            if fmt is None:
                raise _fail(name, "the 'data' chunk comes before any 'fmt ' chunk")
            raw = data[start:end]
            break
        pos = end + (size & 1)  # chunks are padded to an even length
    if fmt is None:
        raise _fail(name, "truncated or incomplete: no 'fmt ' chunk found")
    if raw is None:
        raise _fail(name, "truncated or incomplete: no 'data' chunk found")
    if len(raw) == 0:
        raise _fail(name, "zero-length data: the 'data' chunk holds no samples")
    align = int(fmt["block_align"])
    if len(raw) % align:
        raise _fail(
            name,
            f"odd byte count: the 'data' chunk holds {len(raw)} bytes, not a whole number of "
            f"{align}-byte frames ({fmt['channels']} channel(s) x {fmt['bits']} bits)",
        )
    samples = _decode(raw, str(fmt["kind"]), int(fmt["channels"]))
    return Wav(
        samples=samples,
        fs=int(fmt["fs"]),
        bits_per_sample=int(fmt["bits"]),
        sample_format=str(fmt["kind"]),
        format_tag=int(fmt["format_tag"]),
        extensible=bool(fmt["extensible"]),
        valid_bits=int(fmt["valid_bits"]),
        channel_mask=int(fmt["channel_mask"]),
        path=name,
    )
