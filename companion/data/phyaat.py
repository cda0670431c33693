"""A real 14-channel EEG recording with a large ocular artifact (PhyAAt), shipped with the package.

Derived in: eeg-real. Licence, citation and provenance:
``companion/data/LICENSES.md`` (section ``phyaat_eeg.csv.gz``); how the file was made:
``companion/data/_convert_phyaat.py``. Nothing is downloaded or unpickled at run time.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from importlib import resources

import numpy as np

__all__ = ["EEGRecording", "load_phyaat_eeg"]


@dataclass(frozen=True)
class EEGRecording:
    """A multichannel EEG recording: samples in µV, channels first.

    Attributes
    ----------
    eeg : ndarray, shape (n_channels, n_samples)
        Float64 µV (read-only), the same layout as :class:`companion.dsp.EEGData`.
    fs : float
        Sampling rate, Hz.
    channels : tuple of str
        Electrode names (10–20 system), in the order of the rows of ``eeg``.
    source : str
        Where the recording comes from, and its licence in a few words.
    annotations : dict
        Events marked in the recording (empty here: the sample carries no markers).
    """

    eeg: np.ndarray
    fs: float
    channels: tuple[str, ...]
    source: str
    annotations: dict

    @property
    def times(self) -> np.ndarray:
        """Sample times in seconds."""
        return np.arange(self.eeg.shape[1]) / self.fs

    def channel(self, name: str) -> np.ndarray:
        """The row of electrode ``name`` (for example ``"AF3"``)."""
        if name not in self.channels:
            raise ValueError(f"channel: no electrode {name!r}; this recording has {', '.join(self.channels)}")
        return self.eeg[self.channels.index(name)]


_CACHE: dict[str, EEGRecording] = {}


def load_phyaat_eeg() -> EEGRecording:
    """Load 16 s of 14-channel Emotiv EEG at 128 Hz with a large ocular artifact (no network).

    Derived in: eeg-real.

    The recording is part of the PhyAAt data set (Bajaj, Requena Carrión and Bellotti,
    2020), as shipped in the spkit package: the raw channels AF3 … AF4 of an Emotiv EPOC
    headset, their DC offset already removed (every channel's mean is within 20 µV of
    zero), with one artifact of about 1,300 µV peak
    to peak on every channel near t = 10 s and smaller ones after it. The data set's licence
    allows research, academic and non-commercial use (``LICENSES.md``).

    Returns
    -------
    EEGRecording
        ``eeg`` of shape (14, 2048) in µV, ``fs`` = 128.0, the channel names.
    """
    if "phyaat" not in _CACHE:
        path = resources.files("companion.data").joinpath("phyaat_eeg.csv.gz")
        with path.open("rb") as fh, gzip.open(fh, "rt") as text:
            names = tuple(text.readline().strip().split(","))
            samples = np.loadtxt(text, delimiter=",", dtype=np.float64)
        if samples.shape != (2048, len(names)) or len(names) != 14:
            raise ValueError(f"load_phyaat_eeg: phyaat_eeg.csv.gz should hold (2048, 14) values, found {samples.shape}")
        eeg = np.ascontiguousarray(samples.T)
        eeg.setflags(write=False)
        _CACHE["phyaat"] = EEGRecording(
            eeg=eeg, fs=128.0, channels=names, annotations={},
            source="PhyAAt data set (Bajaj et al. 2020), via spkit 0.0.9.7; research and non-commercial use",
        )
    return _CACHE["phyaat"]
