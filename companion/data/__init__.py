"""Small real data sets shipped inside the package (no network); licences in ``LICENSES.md``."""

from companion.data.digits import load_digits, train_test_split_digits
from companion.data.phyaat import EEGRecording, load_phyaat_eeg
from companion.data.piano import PIANO_NOMINAL_HZ, load_piano, piano_path

__all__ = [
    "load_digits",
    "train_test_split_digits",
    "load_piano",
    "piano_path",
    "PIANO_NOMINAL_HZ",
    "load_phyaat_eeg",
    "EEGRecording",
]
