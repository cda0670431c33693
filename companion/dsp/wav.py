"""Reading audio files: WAV in every layout libsndfile or scipy can decode, FLAC, Ogg and MP3.

Derived in: stereo-fft-reading. The samples are decoded by libsndfile, through the
``soundfile`` package (whose wheels bundle the library), and by :mod:`scipy.io.wavfile` for
the WAV layouts libsndfile refuses (integer PCM wider than 32 bits). The companion adds what
they leave to the caller:

- the same numbers whatever the layout: float64 of shape ``(n_samples, n_channels)``, integer
  PCM divided by ``2**(bits - 1)`` so that it lies in ``[-1, 1)``;
- the stored format as metadata (:class:`Wav`), read from the WAV header;
- a look at the first bytes before anything is decoded, so that a file which is not audio
  (``/dev/zero``, a directory, a text file) is refused at once;
- one :class:`WavError` that names the file and the problem, whichever library failed.

A WAV file is a RIFF container: ``"RIFF" <size> "WAVE"`` followed by chunks, each
``<4-byte id> <uint32 size> <data> [pad byte if size is odd]``. The ``'fmt '`` chunk says how
the ``data`` chunk's bytes are laid out: interleaved frames of ``n_channels`` samples. ``RIFX``
is the same with big-endian numbers, ``RF64`` keeps 64-bit sizes in a ``ds64`` chunk. This
module walks the chunk headers only (for the format and to find truncated files); it decodes
no sample itself.
"""

from __future__ import annotations

import errno
import io
import os
import stat
import struct
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

__all__ = ["read_wav", "read_audio", "Wav", "WavError"]

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
_WAV_CONTAINERS = {b"RIFF": "RIFF", b"RIFX": "RIFX", b"RF64": "RF64"}
_HEAD_BYTES = 12
_BLOCK_FRAMES = 1 << 18  # libsndfile is read block by block: a header's frame count is not trusted
# libsndfile subtypes besides PCM_* that decode to integers (companded and ADPCM codecs).
_INTEGER_SUBTYPES = frozenset({"ULAW", "ALAW", "IMA_ADPCM", "MS_ADPCM", "GSM610", "VOX_ADPCM"})


class WavError(ValueError):
    """A file :func:`read_wav` or :func:`read_audio` cannot read; the message names the file and the problem.

    Derived in: stereo-fft-reading. Raised for a missing file, a directory or device, a file
    that is not audio, a truncated or inconsistent one, or a codec no library here decodes.
    For a missing file it is also a ``FileNotFoundError`` (and for a directory an
    ``IsADirectoryError``, for a file that may not be read a ``PermissionError``), so code that
    caught those from the first versions of :func:`read_wav` still does.
    """


class _MissingFile(WavError, FileNotFoundError):
    __str__ = ValueError.__str__


class _IsDirectory(WavError, IsADirectoryError):
    __str__ = ValueError.__str__


class _NoPermission(WavError, PermissionError):
    __str__ = ValueError.__str__


@dataclass(frozen=True)
class Wav:
    """The samples of an audio file and the format they were stored in.

    Derived in: stereo-fft-reading. :func:`read_wav` and :func:`read_audio` return it.

    Attributes
    ----------
    samples : np.ndarray
        float64, shape ``(n_samples, n_channels)``, every channel kept. Integer PCM is divided
        by ``2**(bits_per_sample - 1)`` (8-bit unsigned is first shifted by 128), so it lies in
        ``[-1, 1)``; float files are returned as stored (float32 widened exactly to float64).
        Companded and compressed codecs (mu-law, A-law, ADPCM, FLAC) are decoded to integers by
        libsndfile and scaled the same way; Vorbis, Opus and MP3 decode to floats, returned as
        the decoder gives them (they may exceed 1 slightly).
    fs : int
        Sampling rate in Hz (frames per second).
    bits_per_sample : int
        Container size of one stored sample: 8, 16, 24, 32, ... (integer; 12-bit samples sit in
        16-bit containers, 20-bit ones in 24), 32 or 64 (float), 8 for mu-law and A-law, the
        header's figure for other WAV codecs, 0 for Vorbis, Opus and MP3.
    sample_format : str
        ``"uint8"``, ``"int16"``, ``"int24"``, ``"int32"`` (and ``"int40"`` ... ``"int64"``),
        ``"float32"`` or ``"float64"``; ``"int8"`` for 8-bit FLAC; for other codecs the
        libsndfile subtype in lower case (``"ulaw"``, ``"alaw"``, ``"ima_adpcm"``,
        ``"vorbis"``, ``"opus"``, ``"mpeg_layer_iii"``).
    format_tag : int
        The WAV ``'fmt '`` chunk's format tag: 1 (PCM), 3 (IEEE float), 7 (mu-law), 0xFFFE
        (extensible), ...; 0 for a file that is not WAV.
    extensible : bool
        True for a WAVE_FORMAT_EXTENSIBLE header (the sub-format GUID gave the real format).
    valid_bits : int
        Significant bits per sample (less than ``bits_per_sample`` for 12- or 20-bit audio).
    channel_mask : int
        Speaker-position bit mask of an extensible header (0 otherwise).
    path : str
        The file that was read (for a file object, its ``name`` or a description).
    container : str
        The outer format: ``"RIFF"`` (an ordinary little-endian WAV), ``"RIFX"`` (big-endian
        WAV), ``"RF64"`` (WAV with 64-bit sizes), ``"FLAC"``, ``"OGG"`` or ``"MP3"``.
    subtype : str
        The encoding as libsndfile names it: ``"PCM_16"``, ``"PCM_24"``, ``"PCM_U8"``,
        ``"FLOAT"``, ``"DOUBLE"``, ``"ULAW"``, ``"VORBIS"``, ``"MPEG_LAYER_III"``, ...
        (``"PCM_40"`` ... ``"PCM_64"`` for the layouts only scipy reads).
    decoder : str
        Which library decoded the samples: ``"libsndfile"`` or ``"scipy.io.wavfile"``.
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
    container: str = ""
    subtype: str = ""
    decoder: str = ""

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


def read_wav(path: str | bytes | os.PathLike[str] | os.PathLike[bytes] | BinaryIO) -> Wav:
    """Read a WAV file into float64 samples of shape ``(n_samples, n_channels)``.

    Derived in: stereo-fft-reading.

    Parameters
    ----------
    path : str, bytes, path-like or binary file object
        The file, or an object with ``.read`` (a seekable one, such as an open file or
        ``io.BytesIO``, is read from its start; a pipe from where it is). Little-endian
        ``RIFF``, big-endian ``RIFX`` and 64-bit ``RF64`` WAV files; integer PCM of any width
        up to 64 bits (8-bit unsigned), IEEE float of 32 or 64 bits, mu-law, A-law and the
        ADPCM variants libsndfile decodes; any number of channels; a plain or a
        WAVE_FORMAT_EXTENSIBLE header.

    Returns
    -------
    Wav
        ``samples`` (float64, integer PCM scaled to ``[-1, 1)``), ``fs`` and the stored format
        (``bits_per_sample``, ``sample_format``, ``format_tag``, ``extensible``,
        ``container``, ``subtype``, ...).

    Raises
    ------
    WavError
        (a ``ValueError``) for anything that is not a readable WAV file: missing (then also a
        ``FileNotFoundError``), a directory or a device, another format (FLAC, Ogg and MP3 are
        :func:`read_audio`'s), truncated, missing or zero-length ``data``, a byte count that is
        not a whole number of frames, a codec neither libsndfile nor scipy decodes. The message
        names the file.
    TypeError
        If ``path`` is neither a path nor a file object (an ``int``, say).
    """
    return _read(path, "read_wav", wav_only=True)


def read_audio(path: str | bytes | os.PathLike[str] | os.PathLike[bytes] | BinaryIO) -> Wav:
    """Read a WAV, FLAC, Ogg (Vorbis or Opus) or MP3 file into float64 samples.

    Derived in: stereo-fft-reading. WAV files are read exactly as :func:`read_wav` reads them.

    Parameters
    ----------
    path : str, bytes, path-like or binary file object
        The file, or an object with ``.read`` (read from its start if it is seekable). What
        the file is follows from its first bytes, not from its name: ``RIFF``/``RIFX``/``RF64``
        ... ``WAVE``, ``fLaC``, ``OggS``, an ``ID3`` tag or an MPEG audio frame.

    Returns
    -------
    Wav
        ``samples`` float64 of shape ``(n_samples, n_channels)``: integer encodings (PCM, FLAC)
        scaled to ``[-1, 1)``, Vorbis, Opus and MP3 as the decoder returns them. ``container``
        says which format the file was, ``subtype`` its encoding (``"PCM_16"``, ``"VORBIS"``,
        ``"MPEG_LAYER_III"``, ...); ``format_tag`` is 0 for a file that is not WAV.

    Raises
    ------
    WavError
        (a ``ValueError``) for a file that is missing (then also a ``FileNotFoundError``), not
        a regular file, in none of these formats, truncated (a FLAC file decoding to fewer
        frames than its header promises) or damaged. The message names the file.
    TypeError
        If ``path`` is neither a path nor a file object.

    Notes
    -----
    A lossy file (Vorbis, Opus, MP3) does not give back the samples that were encoded: the
    codec removes what it judges inaudible and the decoder may add a few frames of delay.
    """
    return _read(path, "read_audio", wav_only=False)


# --- opening --------------------------------------------------------------------------------


def _fail(func: str, name: str, problem: str, cls: type[WavError] = WavError) -> WavError:
    return cls(f"{func}({name!r}): {problem}")


def _os_error(func: str, name: str, exc: OSError) -> WavError:
    cls = {FileNotFoundError: _MissingFile, IsADirectoryError: _IsDirectory,
           PermissionError: _NoPermission}.get(type(exc), WavError)
    problem = {_MissingFile: "no such file", _IsDirectory: "is a directory, not a file",
               _NoPermission: "permission denied"}.get(cls, exc.strerror or str(exc))
    err = _fail(func, name, problem, cls)
    if isinstance(err, OSError):
        err.errno, err.filename = exc.errno, name
    return err


_NOT_REGULAR = ((stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                (stat.S_ISFIFO, "a named pipe (FIFO)"), (stat.S_ISSOCK, "a socket"))


@contextmanager
def _opened(source: Any, func: str) -> Iterator[tuple[Any, str]]:
    """The binary file object to read and the name to quote; paths are opened (and closed)."""
    if isinstance(source, (str, bytes, os.PathLike)):
        name = os.fsdecode(os.fspath(source))
        try:
            mode = os.stat(name).st_mode
        except OSError as exc:
            raise _os_error(func, name, exc) from exc
        if stat.S_ISDIR(mode):
            raise _os_error(func, name, IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR)))
        if not stat.S_ISREG(mode):
            kind = next((what for test, what in _NOT_REGULAR if test(mode)), "not a regular file")
            raise _fail(func, name, f"is {kind}, not a regular file; only files on disk are read")
        try:
            f = open(name, "rb")
        except OSError as exc:
            raise _os_error(func, name, exc) from exc
        with f:
            yield f, name
    elif callable(getattr(source, "read", None)):
        name = getattr(source, "name", None)
        if not isinstance(name, (str, bytes)) or not name:
            name = f"<{type(source).__name__} object>"
        yield source, os.fsdecode(name)
    else:
        raise TypeError(f"{func}: expected a path (str, bytes or os.PathLike) or a binary file object "
                        f"with .read(), not {type(source).__name__}")


def _read_exactly(f: Any, n: int, func: str) -> bytes:
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


def _read_rest(f: Any, func: str) -> bytes:
    """Everything left in an unseekable file object."""
    pieces = []
    while piece := _read_exactly(f, 1 << 20, func):
        pieces.append(piece)
    return b"".join(pieces)


def _is_mpeg_frame(head: bytes) -> bool:
    """An MPEG-1/2/2.5 audio frame header: 11 sync bits, a valid version and layer."""
    return (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0
            and (head[1] >> 3) & 3 != 1 and (head[1] >> 1) & 3 != 0)


def _sniff(head: bytes) -> str | None:
    if len(head) >= 12 and head[:4] in _WAV_CONTAINERS and head[8:12] == b"WAVE":
        return _WAV_CONTAINERS[head[:4]]
    if head[:4] == b"fLaC":
        return "FLAC"
    if head[:4] == b"OggS":
        return "OGG"
    if head[:3] == b"ID3" or _is_mpeg_frame(head):
        return "MP3"
    return None


def _container(head: bytes, func: str, name: str, wav_only: bool) -> str:
    kind = _sniff(head)
    if kind in _WAV_CONTAINERS.values() or (kind is not None and not wav_only):
        return kind
    if not head:
        raise _fail(func, name, "the file is empty (0 bytes)")
    if head[:4] in _WAV_CONTAINERS:
        if len(head) < _HEAD_BYTES:
            raise _fail(func, name, f"file is {len(head)} bytes long, too short for a WAV header (12 bytes)")
        raise _fail(func, name, f"a {head[:4].decode()} file but not WAVE (form type {head[8:12]!r})")
    if not wav_only:
        raise _fail(func, name, f"not a WAV, FLAC, Ogg or MP3 file (it starts with {head[:4]!r})")
    if kind is not None:
        raise _fail(func, name, f"not a WAV file but {kind} (it starts with {head[:4]!r}); "
                                "companion.dsp.read_audio reads it")
    raise _fail(func, name, f"not a WAV file (it starts with {head[:4]!r}; expected b'RIFF', b'RIFX' or "
                            "b'RF64' followed by b'WAVE')")


# --- the WAV header (metadata and byte counts; no samples) ----------------------------------


@dataclass(frozen=True)
class _WavHeader:
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
        if self.extensible:
            sub = "unknown sub-format" if self.real_tag is None else \
                f"sub-format 0x{self.real_tag:04X} {_CODEC_NAMES.get(self.real_tag, 'unknown codec')}"
            what = f"format tag 0xFFFE (extensible, {sub})"
        else:
            what = f"format tag 0x{self.format_tag:04X} ({_CODEC_NAMES.get(self.format_tag, 'unknown codec')})"
        text = f"{what}, {self.channels} channel(s) of {self.bits} bits at {self.fs} Hz"
        return text + "".join(f"; {note}" for note in self.notes)


def _parse_fmt(body: bytes, order: str, data_bytes: int, func: str, name: str) -> _WavHeader:
    if len(body) < 16:
        raise _fail(func, name, f"the 'fmt ' chunk holds {len(body)} bytes; a WAV format needs at least 16")
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
        raise _fail(func, name, "the 'fmt ' chunk declares 0 channels")
    if fs < 1:
        raise _fail(func, name, "the 'fmt ' chunk declares a sampling rate of 0 Hz")
    return _WavHeader(format_tag=tag, real_tag=real_tag,
                      extensible=tag == WAVE_FORMAT_EXTENSIBLE, channels=channels, fs=fs, bits=bits,
                      valid_bits=valid_bits, channel_mask=mask, data_bytes=data_bytes, notes=tuple(notes))


def _wav_header(f: Any, size: int, container: str, func: str, name: str) -> _WavHeader:
    """Walk the chunk headers (seeking over their bodies) to the 'fmt ' and 'data' chunks."""
    order = ">" if container == "RIFX" else "<"
    fmt_body: bytes | None = None
    ds64_data: int | None = None
    pos = _HEAD_BYTES
    while pos + 8 <= size:
        f.seek(pos)
        chunk_id, chunk_size = struct.unpack(order + "4sI", _read_exactly(f, 8, func))
        start = pos + 8
        label = chunk_id.decode("latin-1")
        if chunk_id == b"data":
            if fmt_body is None:
                raise _fail(func, name, "the 'data' chunk comes before any 'fmt ' chunk")
            available = size - start
            declared = chunk_size
            if chunk_size == 0xFFFFFFFF:
                if container == "RF64":
                    if ds64_data is None:
                        raise _fail(func, name, "an RF64 file without the 'ds64' chunk that gives the data size")
                    declared = ds64_data
                else:  # written to a stream: the size was never filled in; the data runs to the end
                    declared = available
            if declared > available:
                raise _fail(func, name, f"truncated: the 'data' chunk declares {declared} bytes but only "
                                        f"{available} follow")
            header = _parse_fmt(fmt_body, order, declared, func, name)
            if declared == 0:
                raise _fail(func, name, "zero-length data: the 'data' chunk holds no samples")
            frame = header.frame_bytes
            if frame and declared % frame:
                raise _fail(func, name, f"odd byte count: the 'data' chunk holds {declared} bytes, not a whole "
                                        f"number of {frame}-byte frames ({header.channels} channel(s) x "
                                        f"{header.bits} bits)")
            return header
        if start + chunk_size > size:
            raise _fail(func, name, f"truncated: the {label!r} chunk declares {chunk_size} bytes but only "
                                    f"{size - start} follow")
        if chunk_id == b"fmt ":
            fmt_body = _read_exactly(f, min(chunk_size, 64), func)
        elif chunk_id == b"ds64" and container == "RF64" and chunk_size >= 16:
            ds64_data = struct.unpack(order + "Q", _read_exactly(f, 16, func)[8:16])[0]
        pos = start + chunk_size + (chunk_size & 1)  # chunks are padded to an even length
    tail = f" (the file ends {size - pos} byte(s) into a chunk header)" if 0 < size - pos < 8 else ""
    missing = "'fmt '" if fmt_body is None else "'data'"
    raise _fail(func, name, f"truncated or incomplete: no {missing} chunk found{tail}")


# --- decoding ---------------------------------------------------------------------------------


class _Refused(Exception):
    """A library could not decode the file; the message is the library's."""


def _decode_libsndfile(f: Any) -> tuple[np.ndarray, int, str, str, int]:
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
        raise _Refused(message.strip()) from exc


def _decode_scipy(f: Any) -> tuple[np.ndarray, int]:
    """samples scaled like libsndfile's, and the rate."""
    from scipy.io import wavfile

    f.seek(0)
    try:
        with warnings.catch_warnings():  # unknown chunks are skipped; truncation was checked already
            warnings.simplefilter("ignore", wavfile.WavFileWarning)
            fs, data = wavfile.read(f)
    except Exception as exc:  # scipy raises several kinds for a file it cannot read
        raise _Refused(f"{type(exc).__name__}: {exc}") from exc
    data = data.reshape(len(data), -1)
    if data.dtype.kind == "u":  # 8-bit: unsigned, offset by 128
        samples = (data.astype(np.float64) - 128.0) / 128.0
    elif data.dtype.kind == "i":  # scipy left-justifies samples in a 16-, 32- or 64-bit integer
        samples = data.astype(np.float64) / float(2 ** (8 * data.dtype.itemsize - 1))
    else:
        samples = data.astype(np.float64)
    return np.ascontiguousarray(samples), int(fs)


def _subtype_name(header: _WavHeader) -> str:
    """libsndfile's name for a layout it does not read itself (integer PCM wider than 32 bits)."""
    if header.real_tag == WAVE_FORMAT_IEEE_FLOAT:
        return {32: "FLOAT", 64: "DOUBLE"}.get(header.bits, f"FLOAT_{header.bits}")
    container_bits = 8 * ((header.bits + 7) // 8)
    return "PCM_U8" if container_bits == 8 else f"PCM_{container_bits}"


def _wav_format(header: _WavHeader, subtype: str) -> tuple[int, str, int]:
    """bits_per_sample, sample_format and valid_bits of a WAV file."""
    if header.real_tag == WAVE_FORMAT_PCM:
        container_bits = 8 * ((header.bits + 7) // 8)
        return container_bits, "uint8" if container_bits == 8 else f"int{container_bits}", header.valid_bits
    if header.real_tag == WAVE_FORMAT_IEEE_FLOAT:
        return header.bits, f"float{header.bits}", header.bits
    return header.bits, subtype.lower(), header.valid_bits


def _other_format(subtype: str) -> tuple[int, str]:
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


def _read(source: Any, func: str, wav_only: bool) -> Wav:
    with _opened(source, func) as (f, name):
        seekable = bool(getattr(f, "seekable", lambda: False)())
        if seekable:
            f.seek(0)
        head = _read_exactly(f, _HEAD_BYTES, func)
        container = _container(head, func, name, wav_only)
        if not seekable:  # a pipe: the header looked like audio, so the rest is read into memory
            f = io.BytesIO(head + _read_rest(f, func))
        size = f.seek(0, io.SEEK_END)
        if container in _WAV_CONTAINERS.values():
            return _read_wav_file(f, size, container, func, name)
        try:
            samples, fs, _format, subtype, promised = _decode_libsndfile(f)
        except _Refused as exc:
            raise _fail(func, name, f"libsndfile cannot decode this {container} file (damaged, truncated or "
                                    f"an unsupported codec): {exc}") from exc
        if container == "FLAC" and 0 < len(samples) < promised:
            raise _fail(func, name, f"truncated: the FLAC header promises {promised} frames but only "
                                    f"{len(samples)} could be decoded")
        if len(samples) == 0:
            raise _fail(func, name, f"the {container} file holds no samples")
        bits, sample_format = _other_format(subtype)
        return Wav(samples=samples, fs=fs, bits_per_sample=bits, sample_format=sample_format, format_tag=0,
                   valid_bits=bits, path=name, container=container, subtype=subtype, decoder="libsndfile")


def _read_wav_file(f: Any, size: int, container: str, func: str, name: str) -> Wav:
    header = _wav_header(f, size, container, func, name)
    try:
        samples, fs, _format, subtype, _promised = _decode_libsndfile(f)
        decoder = "libsndfile"
    except _Refused as sndfile_refused:
        try:
            samples, fs = _decode_scipy(f)
            decoder = "scipy.io.wavfile"
            subtype = _subtype_name(header)
        except _Refused as scipy_refused:
            raise _fail(func, name, f"cannot decode {header.describe()}: libsndfile says '{sndfile_refused}', "
                                    f"scipy.io.wavfile says '{scipy_refused}'") from scipy_refused
    frame = header.frame_bytes
    expected = header.data_bytes // frame if frame else len(samples)
    if samples.shape != (expected, header.channels) or fs != header.fs:
        raise _fail(func, name, f"{decoder} decoded {samples.shape[0]} frames of {samples.shape[1]} channel(s) "
                                f"at {fs} Hz, but the header describes {expected} of {header.channels} at "
                                f"{header.fs} Hz")
    if len(samples) == 0:
        raise _fail(func, name, "zero-length data: the 'data' chunk holds no samples")
    bits, sample_format, valid_bits = _wav_format(header, subtype)
    return Wav(samples=samples, fs=fs, bits_per_sample=bits, sample_format=sample_format,
               format_tag=header.format_tag, extensible=header.extensible, valid_bits=valid_bits,
               channel_mask=header.channel_mask, path=name, container=container, subtype=subtype,
               decoder=decoder)
