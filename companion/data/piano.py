"""A real stereo piano middle C (FluidR3 General MIDI soundfont), shipped with the package.

Derived in: stereo-fft-reading. Licence and provenance: ``companion/data/LICENSES.md``
(section ``piano_middle_c.wav``); how it was rendered: ``companion/data/_render_piano.py``.
Nothing is downloaded or rendered at run time.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from companion.dsp.wav import Wav

__all__ = ["piano_path", "load_piano", "PIANO_NOMINAL_HZ"]

#: Equal-tempered middle C (MIDI key 60) with A4 = 440 Hz: 440 * 2 ** (-9 / 12).
PIANO_NOMINAL_HZ = 440.0 * 2.0 ** (-9.0 / 12.0)


def piano_path() -> Path:
    """Path of ``piano_middle_c.wav`` inside the installed package.

    Derived in: stereo-fft-reading.

    Returns
    -------
    Path
        1.5 s, 44.1 kHz, 16-bit PCM, 2 channels (left and right differ in level and phase).
    """
    path = Path(str(resources.files("companion.data").joinpath("piano_middle_c.wav")))
    if not path.is_file():
        raise FileNotFoundError(f"piano_path: the packaged clip is missing at {path}; reinstall the companion")
    return path


def load_piano() -> Wav:
    """Read the packaged stereo middle C with :func:`companion.dsp.read_wav`.

    Derived in: stereo-fft-reading.

    Returns
    -------
    Wav
        ``samples`` float64 of shape ``(66150, 2)`` in [-1, 1), ``fs`` = 44100, and the stored
        format (16-bit integer PCM).
    """
    from companion.dsp.wav import read_wav  # imported here so companion.data stays light

    return read_wav(piano_path())
