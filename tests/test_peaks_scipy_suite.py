"""scipy's own tests of find_peaks, peak_prominences and peak_widths, run on the companion.

The test classes come from the installed scipy (``scipy/signal/tests/test_peak_finding.py``),
not from a copy in this repository: each class below subclasses scipy's, so pytest collects
every scipy test method (with its marks and parameters), and a fixture points the names the
scipy module calls (``find_peaks``, ``peak_prominences``, ``peak_widths``,
``PeakPropertyWarning``) at the companion's for the duration of each test.

The only allowed difference is the wording of error messages: the tests named in
``MESSAGE_WORDING`` still check the exception type of every ``raises`` but not scipy's
message regex. Everything else (values, dtypes, warnings and their messages) must pass
unchanged.
"""

from __future__ import annotations

import pytest

import companion.dsp as dsp

sp = pytest.importorskip("scipy.signal.tests.test_peak_finding")  # scipy wheels ship their tests

# scipy test -> why its message regexes cannot match the companion's messages
MESSAGE_WORDING = {
    "TestPeakWidths::test_mismatching_prominence_data":
        "scipy matches 'prominence data is invalid for peak' and \"arrays in `prominence_data` must have "
        "the same shape\"; the companion names the parameter without backticks, as all its messages do: "
        "'peak_widths: prominence_data is invalid for peak 1: ...', 'peak_widths: the arrays in "
        "prominence_data must have the same shape as peaks (1,), ...' (still ValueError each time)",
}

_real_raises = pytest.raises


def _raises_type_only(expected_exception, *args, match=None, **kwargs):
    """pytest.raises that checks the exception type and ignores scipy's message regex."""
    return _real_raises(expected_exception, *args, **kwargs)


@pytest.fixture(autouse=True)
def companion_in_scipy_tests(request, monkeypatch):
    for name in ("find_peaks", "peak_prominences", "peak_widths", "PeakPropertyWarning"):
        assert hasattr(sp, name), f"scipy's test module no longer imports {name}"
        monkeypatch.setattr(sp, name, getattr(dsp, name))
    test = f"{request.cls.__name__ if request.cls else ''}::{request.function.__name__}"
    if test in MESSAGE_WORDING:
        monkeypatch.setattr(sp, "raises", _raises_type_only)


class TestFindPeaks(sp.TestFindPeaks):
    pass


class TestPeakProminences(sp.TestPeakProminences):
    pass


class TestPeakWidths(sp.TestPeakWidths):
    pass


def test_the_whole_scipy_suite_is_collected():
    """The scipy tests call the companion; a scipy upgrade that renames or drops them is noticed."""
    assert sp.find_peaks is dsp.find_peaks and sp.peak_widths is dsp.peak_widths  # the fixture is active
    assert sp.PeakPropertyWarning is dsp.PeakPropertyWarning
    names = {cls: [m for m in dir(cls) if m.startswith("test_")]
             for cls in (TestFindPeaks, TestPeakProminences, TestPeakWidths)}
    assert all(len(v) >= 5 for v in names.values()), names
    for test in MESSAGE_WORDING:
        cls, method = test.split("::")
        assert method in names[globals()[cls]], f"{test} is listed in MESSAGE_WORDING but scipy has no such test"
