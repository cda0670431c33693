"""Write WAV files byte by byte for the tests (independent of the reader under test).

The PCM and float layouts ``companion.dsp.read_wav`` reads, written with ``struct`` from the
specification: a RIFF header (or RIFX, the same with big-endian numbers), a ``fmt `` chunk
(plain or WAVE_FORMAT_EXTENSIBLE), optional extra chunks, and the ``data`` chunk.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

KSDATAFORMAT_TAIL = b"\x00\x00\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"
# The same GUID tail as a big-endian file stores it (its 4-, 2- and 2-byte fields swapped).
KSDATAFORMAT_TAIL_BE = b"\x00\x00\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71"
BITS = {"uint8": 8, "int16": 16, "int24": 24, "int32": 32, "float32": 32, "float64": 64}
FULL_SCALE = {"uint8": 128.0, "int16": 2.0**15, "int24": 2.0**23, "int32": 2.0**31}


def chunk(chunk_id: bytes, body: bytes, order: str = "<") -> bytes:
    """A RIFF chunk, padded to an even length (``order=">"`` for RIFX)."""
    return chunk_id + struct.pack(order + "I", len(body)) + body + (b"\x00" if len(body) % 2 else b"")


def fmt_body(tag: int, channels: int, fs: int, bits: int, *, extensible: bool = False,
             valid_bits: int | None = None, channel_mask: int = 0, sub_tag: int | None = None,
             block_align: int | None = None, order: str = "<") -> bytes:
    """The body of a ``fmt `` chunk (``order=">"`` for RIFX)."""
    align = channels * bits // 8 if block_align is None else block_align
    body = struct.pack(order + "HHIIHH", 0xFFFE if extensible else tag, channels, fs, fs * align, align, bits)
    if extensible:
        sub = tag if sub_tag is None else sub_tag
        if order == "<":
            guid = struct.pack("<H", sub) + KSDATAFORMAT_TAIL
        else:
            guid = struct.pack(">I", sub) + KSDATAFORMAT_TAIL_BE
        body += struct.pack(order + "HHI", 22, bits if valid_bits is None else valid_bits, channel_mask) + guid
    return body


def encode(values: np.ndarray, kind: str, order: str = "<") -> bytes:
    """Interleave ``values`` (n, channels) and encode them sample by sample with struct."""
    flat = np.asarray(values).reshape(-1)
    if kind == "uint8":
        return b"".join(struct.pack("B", int(v)) for v in flat)
    if kind == "int16":
        return b"".join(struct.pack(order + "h", int(v)) for v in flat)
    if kind == "int24":  # the low three bytes of a 32-bit integer, in the file's byte order
        four = (struct.pack(order + "i", int(v)) for v in flat)
        return b"".join(b[:3] if order == "<" else b[1:] for b in four)
    if kind == "int32":
        return b"".join(struct.pack(order + "i", int(v)) for v in flat)
    if kind == "float32":
        return b"".join(struct.pack(order + "f", float(v)) for v in flat)
    if kind == "float64":
        return b"".join(struct.pack(order + "d", float(v)) for v in flat)
    raise ValueError(kind)


def wav_bytes(values: np.ndarray, fs: int, kind: str, *, extensible: bool = False, valid_bits: int | None = None,
              channel_mask: int = 0, extra: bytes = b"", big_endian: bool = False) -> bytes:
    """A complete WAV file holding ``values`` (n, channels) stored as ``kind``; ``extra`` chunks precede data.

    ``big_endian=True`` writes a RIFX file: the same chunks with every number big-endian.
    """
    values = np.asarray(values)
    order = ">" if big_endian else "<"
    tag = 3 if kind.startswith("float") else 1
    fmt = chunk(b"fmt ", fmt_body(tag, values.shape[1], fs, BITS[kind], extensible=extensible,
                                  valid_bits=valid_bits, channel_mask=channel_mask, order=order), order)
    body = b"WAVE" + fmt + extra + chunk(b"data", encode(values, kind, order), order)
    return (b"RIFX" if big_endian else b"RIFF") + struct.pack(order + "I", len(body)) + body


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
