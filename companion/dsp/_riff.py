"""The RIFF container of a WAV file: what the first bytes say, and the chunk headers.

Private to :mod:`companion.dsp.wav`. A WAV file is ``"RIFF" <size> "WAVE"`` followed by chunks,
each ``<4-byte id> <uint32 size> <data> [pad byte if size is odd]``. The ``'fmt '`` chunk says
how the ``data`` chunk's bytes are laid out: interleaved frames of ``n_channels`` samples.
``RIFX`` is the same with big-endian numbers, ``RF64`` keeps 64-bit sizes in a ``ds64`` chunk.
This module walks the chunk headers only (for the format and to find truncated files); it
decodes no sample. A problem is a :class:`HeaderError` holding the sentence that
:mod:`companion.dsp.wav` puts after the file's name in its :class:`~companion.dsp.WavError`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Any

__all__ = ["HeaderError", "WavHeader", "HEAD_BYTES", "WAV_CONTAINERS", "WAVE_FORMAT_PCM", "WAVE_FORMAT_IEEE_FLOAT",
           "read_exactly", "read_rest", "container_of", "wav_header"]

WAVE_FORMAT_PCM = 0x0001
WAVE_FORMAT_IEEE_FLOAT = 0x0003
WAVE_FORMAT_ALAW = 0x0006
WAVE_FORMAT_MULAW = 0x0007
WAVE_FORMAT_EXTENSIBLE = 0xFFFE
# The last 12 bytes of a KSDATAFORMAT_SUBTYPE_* GUID, after its 4-byte first field (which holds
# the format tag), as a little-endian (RIFF, RF64) and a big-endian (RIFX) file stores them.
_KSDATAFORMAT_TAIL = {
    "<": b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71",
    ">": b"\x00\x00\x00\x10\x80\x00\x00\xaa\x00\x38\x9b\x71",
}
_CODEC_NAMES = {
    0x0001: "integer PCM",
    0x0002: "Microsoft ADPCM",
    0x0003: "IEEE float",
    0x0006: "A-law",
    0x0007: "mu-law",
    0x0011: "IMA ADPCM",
    0x0031: "GSM 6.10",
    0x0050: "MPEG",
    0x0055: "MPEG Layer 3 (MP3)",
    0x00FF: "AAC",
    0xF1AC: "FLAC",
}
# Tags whose frames are channels x ceil(bits / 8) bytes (so a byte count can be checked).
_FIXED_FRAME_TAGS = (WAVE_FORMAT_PCM, WAVE_FORMAT_IEEE_FLOAT, WAVE_FORMAT_ALAW, WAVE_FORMAT_MULAW)
WAV_CONTAINERS = {b"RIFF": "RIFF", b"RIFX": "RIFX", b"RF64": "RF64"}
HEAD_BYTES = 12


class HeaderError(Exception):
    """What is wrong with a file's first bytes or its chunk headers (a sentence, no file name)."""


def read_exactly(f: Any, n: int, func: str) -> bytes:
    """Up to ``n`` bytes (fewer only at the end of the file), whatever short reads ``f`` makes."""
    out = bytearray()
    while len(out) < n:
        piece = f.read(n - len(out))
        if piece is None or len(piece) == 0:
            break
        if not isinstance(piece, (bytes, bytearray, memoryview)):
            raise TypeError(f"{func}: the file object must be opened in binary mode (its read() "
                            f"returned {type(piece).__name__}, not bytes)")
        out += piece
    return bytes(out)


def read_rest(f: Any, func: str) -> bytes:
    """Everything left in an unseekable file object."""
    pieces = []
    while piece := read_exactly(f, 1 << 20, func):
        pieces.append(piece)
    return b"".join(pieces)


def _is_mpeg_frame(head: bytes) -> bool:
    """An MPEG-1/2/2.5 audio frame header: 11 sync bits, a valid version and layer."""
    return (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
            and (head[1] >> 3) & 3 != 1 and (head[1] >> 1) & 3 != 0)


def _sniff(head: bytes) -> str | None:
    if len(head) >= 12 and head[:4] in WAV_CONTAINERS and head[8:12] == b"WAVE":
        return WAV_CONTAINERS[head[:4]]
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:3] == b"ID3" or _is_mpeg_frame(head):
        return "MP3"
    return None


def container_of(head: bytes, wav_only: bool) -> str:
    """The container the first bytes announce ("RIFF", "RIFX", "RF64"; with ``wav_only=False`` also "FLAC",
    "OGG", "MP3"), or a HeaderError saying what the file is instead."""
    kind = _sniff(head)
    if kind in WAV_CONTAINERS.values() or (kind is not None and not wav_only):
        return kind
    if not head:
        raise HeaderError("the file is empty (0 bytes)")
    if head[:4] in WAV_CONTAINERS:
        if len(head) < HEAD_BYTES:
            raise HeaderError(f"file is {len(head)} bytes long, too short for a WAV header (12 bytes)")
        raise HeaderError(f"a {head[:4].decode()} file but not WAVE (form type {head[8:12]!r})")
    if not wav_only:
        raise HeaderError(f"not a WAV, FLAC, Ogg or MP3 file (it starts with {head[:4]!r})")
    if kind is not None:
        raise HeaderError(f"not a WAV file but {kind} (it starts with {head[:4]!r}); "
                          "companion.dsp.read_audio reads it")
    raise HeaderError(f"not a WAV file (it starts with {head[:4]!r}; expected b'RIFF', b'RIFX' or "
                      "b'RF64' followed by b'WAVE')")


@dataclass(frozen=True)
class WavHeader:
    """What the 'fmt ' chunk says, and the size of the 'data' chunk (``notes``: what was odd)."""

    format_tag: int
    real_tag: int | None  # the sub-format's tag for an extensible header; None if unknown
    extensible: bool
    channels: int
    fs: int
    bits: int
    valid_bits: int
    channel_mask: int
    data_bytes: int
    notes: tuple[str, ...]

    @property
    def frame_bytes(self) -> int:
        """Bytes per frame for layouts of fixed-size samples (0 for block codecs such as ADPCM)."""
        if self.real_tag in _FIXED_FRAME_TAGS and self.bits > 0:
            return self.channels * ((self.bits + 7) // 8)
        return 0

    def describe(self) -> str:
        """The format in words, for an error message."""
        if self.extensible:
            sub = "unknown sub-format" if self.real_tag is None else \
                f"sub-format 0x{self.real_tag:04X} {_CODEC_NAMES.get(self.real_tag, 'unknown codec')}"
            what = f"format tag 0xFFFE (extensible, {sub})"
        else:
            what = f"format tag 0x{self.format_tag:04X} ({_CODEC_NAMES.get(self.format_tag, 'unknown codec')})"
        text = f"{what}, {self.channels} channel(s) of {self.bits} bits at {self.fs} Hz"
        return text + "".join(f"; {note}" for note in self.notes)


def _parse_fmt(body: bytes, order: str, data_bytes: int) -> WavHeader:
    if len(body) < 16:
        raise HeaderError(f"the 'fmt ' chunk holds {len(body)} bytes; a WAV format needs at least 16")
    tag, channels, fs, _byte_rate, _block_align, bits = struct.unpack(order + "HHIIHH", body[:16])
    real_tag: int | None = tag
    valid_bits, mask, notes = bits, 0, []
    if tag == WAVE_FORMAT_EXTENSIBLE:
        if len(body) < 40:
            real_tag = None
            notes.append(f"its extensible 'fmt ' chunk holds {len(body)} bytes, it needs 40")
        else:
            _cb_size, valid, mask = struct.unpack(order + "HHI", body[16:24])
            valid_bits = valid or bits
            first = struct.unpack(order + "I", body[24:28])[0]
            if body[28:40] == _KSDATAFORMAT_TAIL[order] and first <= 0xFFFF:
                real_tag = first
            else:
                real_tag = None
                notes.append(f"unknown sub-format GUID {body[24:40].hex()}")
    if channels < 1:
        raise HeaderError("the 'fmt ' chunk declares 0 channels")
    if fs < 1:
        raise HeaderError("the 'fmt ' chunk declares a sampling rate of 0 Hz")
    return WavHeader(format_tag=tag, real_tag=real_tag,
                     extensible=tag == WAVE_FORMAT_EXTENSIBLE, channels=channels, fs=fs, bits=bits,
                     valid_bits=valid_bits, channel_mask=mask, data_bytes=data_bytes, notes=tuple(notes))


def wav_header(f: Any, size: int, container: str, func: str) -> WavHeader:
    """Walk the chunk headers (seeking over their bodies) to the 'fmt ' and 'data' chunks."""
    order = ">" if container == "RIFX" else "<"
    fmt_body: bytes | None = None
    ds64_data: int | None = None
    pos = HEAD_BYTES
    while pos + 8 <= size:
        f.seek(pos)
        chunk_id, chunk_size = struct.unpack(order + "4sI", read_exactly(f, 8, func))
        start = pos + 8
        label = chunk_id.decode("latin-1")
        if chunk_id == b"data":
            if fmt_body is None:
                raise HeaderError("the 'data' chunk comes before any 'fmt ' chunk")
            available = size - start
            declared = chunk_size
            if chunk_size == 0xFFFFFFFF:
                if container == "RF64":
                    if ds64_data is None:
                        raise HeaderError("an RF64 file without the 'ds64' chunk that gives the data size")
                    declared = ds64_data
                else:  # written to a stream: the size was never filled in; the data runs to the end
                    declared = available
            if declared > available:
                raise HeaderError(f"truncated: the 'data' chunk declares {declared} bytes but only "
                                  f"{available} follow")
            header = _parse_fmt(fmt_body, order, declared)
            if declared == 0:
                raise HeaderError("zero-length data: the 'data' chunk holds no samples")
            frame = header.frame_bytes
            if frame and declared % frame:
                raise HeaderError(f"odd byte count: the 'data' chunk holds {declared} bytes, not a whole "
                                  f"number of {frame}-byte frames ({header.channels} channel(s) x "
                                  f"{header.bits} bits)")
            return header
        if start + chunk_size > size:
            raise HeaderError(f"truncated: the {label!r} chunk declares {chunk_size} bytes but only "
                              f"{size - start} follow")
        if chunk_id == b"fmt ":
            fmt_body = read_exactly(f, min(chunk_size, 64), func)
        elif chunk_id == b"ds64" and container == "RF64" and chunk_size >= 16:
            ds64_data = struct.unpack(order + "Q", read_exactly(f, 16, func)[8:16])[0]
        pos = start + chunk_size + (chunk_size & 1)  # chunks are padded to an even length
    tail = f" (the file ends {size - pos} byte(s) into a chunk header)" if 0 < size - pos < 8 else ""
    missing = "'fmt '" if fmt_body is None else "'data'"
    raise HeaderError(f"truncated or incomplete: no {missing} chunk found{tail}")
