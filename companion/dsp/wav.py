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

This module opens the file and runs the reading; the RIFF container (the first bytes and the
chunk headers: format, sizes, truncation) is walked by the private :mod:`companion.dsp._riff`,
and the samples are decoded in :mod:`companion.dsp._decoders`. None of it decodes a sample
itself.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

from companion._checks import check_bool, check_int, check_str
from companion.dsp._decoders import Refused, decode_libsndfile, decode_scipy, other_format, subtype_name, wav_format
from companion.dsp._riff import (HEAD_BYTES, WAV_CONTAINERS, HeaderError, container_of, read_exactly, read_rest,
                                 wav_header)

__all__ = ["read_wav", "read_audio", "Wav", "WavError"]


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

    def __post_init__(self) -> None:
        who = "Wav"
        s = self.samples
        if not isinstance(s, np.ndarray):
            raise TypeError(f"{who}: samples must be a numpy array of float64, got {type(s).__name__}")
        if s.dtype != np.float64 or s.ndim != 2 or s.shape[1] < 1:
            raise ValueError(f"{who}: samples must be float64 of shape (n_samples, n_channels), got dtype {s.dtype} "
                             f"and shape {s.shape}")
        check_int(self.fs, "fs", who, low=1)
        for name in ("bits_per_sample", "format_tag", "valid_bits", "channel_mask"):
            check_int(getattr(self, name), name, who, low=0)
        check_bool(self.extensible, "extensible", who)
        for name in ("sample_format", "path", "container", "subtype", "decoder"):
            check_str(getattr(self, name), name, who)

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


def _read(source: Any, func: str, wav_only: bool) -> Wav:
    with _opened(source, func) as (f, name):
        seekable = bool(getattr(f, "seekable", lambda: False)())
        if seekable:
            f.seek(0)
        head = read_exactly(f, HEAD_BYTES, func)
        try:
            container = container_of(head, wav_only)
        except HeaderError as exc:
            raise _fail(func, name, str(exc)) from None
        if not seekable:  # a pipe: the header looked like audio, so the rest is read into memory
            f = io.BytesIO(head + read_rest(f, func))
        size = f.seek(0, io.SEEK_END)
        if container in WAV_CONTAINERS.values():
            return _read_wav_file(f, size, container, func, name)
        try:
            samples, fs, _format, subtype, promised = decode_libsndfile(f)
        except Refused as exc:
            raise _fail(func, name, f"libsndfile cannot decode this {container} file (damaged, truncated or "
                                    f"an unsupported codec): {exc}") from exc
        if container == "FLAC" and 0 < len(samples) < promised:
            raise _fail(func, name, f"truncated: the FLAC header promises {promised} frames but only "
                                    f"{len(samples)} could be decoded")
        if len(samples) == 0:
            raise _fail(func, name, f"the {container} file holds no samples")
        bits, sample_format = other_format(subtype)
        return Wav(samples=samples, fs=fs, bits_per_sample=bits, sample_format=sample_format, format_tag=0,
                   valid_bits=bits, path=name, container=container, subtype=subtype, decoder="libsndfile")


def _read_wav_file(f: Any, size: int, container: str, func: str, name: str) -> Wav:
    try:
        header = wav_header(f, size, container, func)
    except HeaderError as exc:
        raise _fail(func, name, str(exc)) from None
    try:
        samples, fs, _format, subtype, _promised = decode_libsndfile(f)
        decoder = "libsndfile"
    except Refused as sndfile_refused:
        try:
            samples, fs = decode_scipy(f)
            decoder = "scipy.io.wavfile"
            subtype = subtype_name(header)
        except Refused as scipy_refused:
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
    bits, sample_format, valid_bits = wav_format(header, subtype)
    return Wav(samples=samples, fs=fs, bits_per_sample=bits, sample_format=sample_format,
               format_tag=header.format_tag, extensible=header.extensible, valid_bits=valid_bits,
               channel_mask=header.channel_mask, path=name, container=container, subtype=subtype,
               decoder=decoder)
