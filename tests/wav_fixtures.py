"""Write WAV files byte by byte for the tests (independent of the reader under test).

Every layout ``companion.dsp.read_wav`` claims to read, written with ``struct`` from the
specification: a RIFF header, a ``fmt `` chunk (plain or WAVE_FORMAT_EXTENSIBLE), optional extra
chunks, and the ``data`` chunk.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

KSDATAFORMAT_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
BITS = {"uint8": 8, "int16": 16, "int24": 24, "int32": 32, "float32": 32, "float64": 64}
FULL_SCALE = {"uint8": 128.0, "int16": 2.0**15, "int24": 2.0**23, "int32": 2.0**31}


def chunk(chunk_id: bytes, body: bytes) -> bytes:
    """A RIFF chunk, padded to an even length."""
    return chunk_id + struct.pack("<I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def fmt_body(tag: int, channels: int, fs: int, bits: int, *, extensible: bool = False,
             valid_bits: int | None = None, channel_mask: int = 0, sub_tag: int | None = None,
             block_align: int | None = None) -> bytes:
    """The body of a ``fmt `` chunk."""
    align = channels * bits // 8 if block_align is None else block_align
    body = struct.pack("<HHIIHH", 0xFFFE if extensible else tag, channels, fs, fs * align, align, bits)
    if extensible:
        guid = struct.pack("<H", tag if sub_tag is None else sub_tag) + KSDATAFORMAT_TAIL
        body += struct.pack("<HHI", 22, bits if valid_bits is None else valid_bits, channel_mask) + guid
    return body


def encode(values: np.ndarray, kind: str) -> bytes:
    """Interleave ``values`` (n, channels) and encode them sample by sample with struct."""
    flat = np.asarray(values).reshape(-1)
    if kind == "uint8":
        return b"".join(struct.pack("<B", int(v)) for v in flat)
    if kind == "int16":
        return b"".join(struct.pack("<h", int(v)) for v in flat)
    if kind == "int24":
        return b"".join(struct.pack("<i", int(v))[:3] for v in flat)
    if kind == "int32":
        return b"".join(struct.pack("<i", int(v)) for v in flat)
    if kind == "float32":
        return b"".join(struct.pack("<f", float(v)) for v in flat)
    if kind == "float64":
        return b"".join(struct.pack("<d", float(v)) for v in flat)
    raise ValueError(kind)


def wav_bytes(values: np.ndarray, fs: int, kind: str, *, extensible: bool = False, valid_bits: int | None = None,
              channel_mask: int = 0, extra: bytes = b"") -> bytes:
    """A complete WAV file holding ``values`` (n, channels) stored as ``kind``; ``extra`` chunks precede data."""
    values = np.asarray(values)
    tag = 3 if kind.startswith("float") else 1
    fmt = chunk(b"fmt ", fmt_body(tag, values.shape[1], fs, BITS[kind], extensible=extensible,
                                  valid_bits=valid_bits, channel_mask=channel_mask))
    body = b"WAVE" + fmt + extra + chunk(b"data", encode(values, kind))
    return b"RIFF" + struct.pack("<I", len(body)) + body


def write(path: Path, values: np.ndarray, fs: int, kind: str, **kwargs: object) -> Path:
    path.write_bytes(wav_bytes(values, fs, kind, **kwargs))  # type: ignore[arg-type]
    return path


def quantise(x: np.ndarray, kind: str) -> np.ndarray:
    """Stored values for float samples ``x`` in [-1, 1): integers for PCM, floats as they are."""
    x = np.atleast_2d(np.asarray(x, dtype=np.float64).T).T
    if kind == "uint8":
        return np.clip(np.round(x * 128 + 128), 0, 255).astype(np.int64)
    if kind in FULL_SCALE:
        s = FULL_SCALE[kind]
        return np.clip(np.round(x * s), -s, s - 1).astype(np.int64)
    return x.astype(np.float32) if kind == "float32" else x
