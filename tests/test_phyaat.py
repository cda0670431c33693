"""The packaged real EEG recording: loaded offline, never unpickled, as LICENSES.md describes it."""

from __future__ import annotations

import hashlib
import re
import socket
from importlib import resources

import numpy as np
import pytest

import companion.data.phyaat as phyaat
from companion.data import EEGRecording, load_phyaat_eeg

CHANNELS = ("AF3", "F7", "F3", "FC5", "T7", "P7", "O1", "O2", "P8", "T8", "FC6", "F4", "F8", "AF4")


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    phyaat._CACHE.clear()  # read the file again, with the network cut
    yield
    phyaat._CACHE.clear()


def test_loads_offline_with_the_documented_shape_and_units(no_network):
    rec = load_phyaat_eeg()
    assert isinstance(rec, EEGRecording)
    assert rec.eeg.shape == (14, 2048) and rec.eeg.dtype == np.float64
    assert rec.fs == 128.0 and rec.channels == CHANNELS
    assert rec.times[-1] == pytest.approx(2047 / 128)
    assert not rec.eeg.flags.writeable  # shared by every caller: nobody may change it
    # µV, offsets removed: every mean within 20 µV of zero; a 1,000+ µV artifact on AF3
    assert np.all(np.abs(rec.eeg.mean(axis=1)) < 20)
    assert 1000 < np.ptp(rec.channel("AF3")) < 2000
    assert rec.annotations == {}


def test_the_file_is_the_one_licenses_md_names():
    data = resources.files("companion.data").joinpath("phyaat_eeg.csv.gz").read_bytes()
    licences = resources.files("companion.data").joinpath("LICENSES.md").read_text(encoding="utf-8")
    section = licences.split("## phyaat_eeg.csv.gz", 1)[1]
    digest = re.search(r"SHA-256 of\s+the committed file: `([0-9a-f]{64})`", section)
    assert digest and hashlib.sha256(data).hexdigest() == digest.group(1)
    assert "non-commercial" in section and "arXiv:2005.11577" in section


def test_the_package_never_unpickles():
    import ast

    for module in resources.files("companion.data").iterdir():
        if module.name.endswith(".py") and not module.name.startswith("_convert"):
            tree = ast.parse(module.read_text(encoding="utf-8"))
            imported = {a.name.split(".")[0] for n in ast.walk(tree)
                        if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
            imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                         if isinstance(n, ast.ImportFrom) and n.module}
            assert not imported & {"pickle", "joblib", "dill"}, module.name


def test_unknown_channel_is_named():
    with pytest.raises(ValueError, match="channel: no electrode 'Fp1'; this recording has AF3, F7"):
        load_phyaat_eeg().channel("Fp1")
