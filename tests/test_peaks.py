"""companion.dsp.peaks against scipy.signal: same peaks, same properties, same warnings.

scipy.signal.find_peaks / peak_prominences / peak_widths are the reference (the companion
never calls them). Hypothesis draws random and edge-case signals (plateaus, equal heights,
integer values, peaks at the ends, monotone stretches) and every kind of condition: None,
numbers, (min, max) pairs with open ends, arrays with one bound per sample. Positions,
every property (values and dtypes, bit for bit) and the warnings must be the same.
scipy's own tests run against the companion in test_peaks_scipy_suite.py.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scipy.signal._peak_finding_utils import PeakPropertyWarning as ScipyPeakPropertyWarning

from companion.dsp import (
    PeakPropertyWarning,
    events_above,
    find_peaks,
    highest_peak_per_event,
    noise_floor,
    peak_prominences,
    peak_widths,
)


def run_both(ours, ref, *args, **kw):
    """Both results and the messages of the peak warnings each raised."""
    with warnings.catch_warnings(record=True) as w_ours:
        warnings.simplefilter("always")
        got = ours(*args, **kw)
    with warnings.catch_warnings(record=True) as w_ref:
        warnings.simplefilter("always")
        expected = ref(*[np.asarray(a, dtype=float) if i == 0 else a for i, a in enumerate(args)], **kw)
    assert all(issubclass(w.category, PeakPropertyWarning) for w in w_ours), [str(w.message) for w in w_ours]
    ref_msgs = sorted(str(w.message) for w in w_ref if issubclass(w.category, ScipyPeakPropertyWarning))
    # the same warnings; the companion's message starts with scipy's and then says which peaks
    assert len(w_ours) == len(ref_msgs), ([str(w.message) for w in w_ours], ref_msgs)
    for mine, theirs in zip(sorted(str(w.message) for w in w_ours), ref_msgs):
        assert mine.startswith(theirs), (mine, theirs)
    return got, expected


def assert_arrays_equal(ours, ref, names):
    assert len(ours) == len(ref)
    for a, b, name in zip(ours, ref, names):
        np.testing.assert_array_equal(a, b, err_msg=name)
        assert a.dtype == b.dtype, name


def assert_same(x, **kw):
    (ours, props), (ref, ref_props) = run_both(find_peaks, ss.find_peaks, x, **kw)
    np.testing.assert_array_equal(ours, ref)
    assert ours.dtype == np.intp
    assert list(props) == list(ref_props), (list(props), list(ref_props))  # same keys, same order
    assert_arrays_equal([props[k] for k in ref_props], [ref_props[k] for k in ref_props], list(ref_props))


# Signals that make peak finding hard: few distinct values (plateaus, equal heights),
# repeated samples, integer steps, floats of any size.
small_ints = hnp.arrays(np.float64, st.integers(0, 80), elements=st.integers(-3, 3).map(float))
floats = hnp.arrays(np.float64, st.integers(0, 80),
                    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
repeated = st.builds(lambda v, r: np.repeat(np.asarray(v, dtype=float), r),
                     st.lists(st.integers(0, 4), max_size=30), st.integers(1, 4))
signals = st.one_of(small_ints, floats, repeated)
distances = st.one_of(st.none(), st.floats(1, 12), st.integers(1, 12))
wlens = st.one_of(st.none(), st.integers(2, 30), st.floats(1, 30, exclude_min=True))
rel_heights = st.one_of(st.sampled_from([0.0, 0.5, 1.0]), st.floats(0, 3), st.integers(0, 2))


def interval(data, n, lo, hi):
    """A condition as scipy reads it: None, a number, an array of n bounds, or (min, max) of those."""
    number = st.floats(lo, hi)
    array = hnp.arrays(np.float64, n, elements=st.floats(lo, hi))
    bound = st.one_of(st.none(), number, array)
    kind = data.draw(st.sampled_from(["none", "number", "array", "pair", "pair", "stacked"]))
    if kind == "none":
        return None
    if kind == "number":
        return data.draw(number)
    if kind == "array":
        return data.draw(array)
    if kind == "stacked":  # a (2, n) array: rows are (min, max)
        return np.sort(data.draw(hnp.arrays(np.float64, (2, n), elements=st.floats(lo, hi))), axis=0)
    pair = (data.draw(bound), data.draw(bound))
    return pair if data.draw(st.booleans()) else list(pair)


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(x=signals, data=st.data(), distance=distances)
def test_find_peaks_height_prominence_distance_equal_scipy(x, data, distance):
    assert_same(x, height=interval(data, x.size, -3, 3), prominence=interval(data, x.size, 0, 4),
                distance=distance)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(x=signals, data=st.data(), distance=distances, wlen=wlens, rel_height=rel_heights)
def test_find_peaks_every_condition_equals_scipy(x, data, distance, wlen, rel_height):
    n = x.size
    kw = dict(height=interval(data, n, -3, 3), threshold=interval(data, n, -1, 3), distance=distance,
              prominence=interval(data, n, 0, 4), width=interval(data, n, 0, 8), wlen=wlen,
              rel_height=rel_height, plateau_size=interval(data, n, 0, 6))
    # each condition is left out now and then, so that every subset of them occurs
    kw = {k: v for k, v in kw.items() if data.draw(st.booleans(), label=f"use {k}")}
    assert_same(x, **kw)


@SETTINGS
@given(x=signals, data=st.data(), wlen=wlens)
def test_peak_prominences_equals_scipy(x, data, wlen):
    if x.size == 0:
        return
    peaks = np.array(data.draw(st.lists(st.integers(0, x.size - 1), max_size=12)), dtype=np.intp)
    ours, ref = run_both(peak_prominences, ss.peak_prominences, x, peaks, wlen)
    assert_arrays_equal(ours, ref, ["prominences", "left_bases", "right_bases"])


@SETTINGS
@given(x=signals, data=st.data(), wlen=wlens, rel_height=rel_heights)
def test_peak_widths_equals_scipy(x, data, wlen, rel_height):
    if x.size == 0:
        return
    peaks = np.array(data.draw(st.lists(st.integers(0, x.size - 1), max_size=12)), dtype=np.intp)
    names = ["widths", "width_heights", "left_ips", "right_ips"]
    ours, ref = run_both(peak_widths, ss.peak_widths, x, peaks, rel_height, wlen=wlen)
    assert_arrays_equal(ours, ref, names)
    # any valid prominence data, not only peak_prominences' own: bases anywhere around the peak
    left = np.array([data.draw(st.integers(0, p)) for p in peaks], dtype=np.intp)
    right = np.array([data.draw(st.integers(p, x.size - 1)) for p in peaks], dtype=np.intp)
    prom = np.array([data.draw(st.floats(0, 10)) for _ in peaks])
    ours, ref = run_both(peak_widths, ss.peak_widths, x, peaks, rel_height, prominence_data=(prom, left, right))
    assert_arrays_equal(ours, ref, names)


def long_signal(kind, n=20_000):
    rng = np.random.default_rng(7)
    t = np.arange(n)
    return {
        "noise": rng.standard_normal(n),
        "integers": rng.integers(0, 5, n).astype(float),
        "random_walk": np.round(np.cumsum(rng.standard_normal(n))),
        "steps": np.repeat(rng.integers(0, 9, n // 10), 10).astype(float),
        "sawtooth_up": t * 0.01 + (t % 3 == 1) * 2.0,  # each peak higher than the last
        "chirp": np.sin(2 * np.pi * t * t / 4e6) * (1 + t / n),
    }[kind]


KINDS = ["noise", "integers", "random_walk", "steps", "sawtooth_up", "chirp"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("kw", [{}, {"height": 0.5}, {"prominence": 1.0}, {"distance": 7},
                                {"distance": 300.5}, {"height": (0, 2), "distance": 4, "prominence": (0.2, None)},
                                {"threshold": (0.1, None)}, {"width": (None, None)}, {"width": 3, "rel_height": 1},
                                {"prominence": 0.5, "wlen": 51}, {"width": 2, "wlen": 1000.5, "rel_height": 0.3},
                                {"plateau_size": (2, None), "threshold": (None, 1), "width": (1, 40)}])
def test_long_signals_equal_scipy(kind, kw):
    """Long signals reach the sparse-table searches (scans longer than the local window)."""
    assert_same(long_signal(kind), **kw)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("wlen", [None, 2, 25, 101, 2000])
def test_long_signals_properties_equal_scipy(kind, wlen):
    x = long_signal(kind)
    # the local maxima (the fast path) and any other indices (the scan, then the sparse tables)
    peaks = np.concatenate([ss.find_peaks(x)[0], np.random.default_rng(1).integers(0, x.size, 300)])
    ours, ref = run_both(peak_prominences, ss.peak_prominences, x, peaks, wlen)
    assert_arrays_equal(ours, ref, ["prominences", "left_bases", "right_bases"])
    for rel_height in (0.5, 1.0, 2.0):
        ours, ref = run_both(peak_widths, ss.peak_widths, x, peaks, rel_height, wlen=wlen)
        assert_arrays_equal(ours, ref, ["widths", "width_heights", "left_ips", "right_ips"])


def test_edge_cases_by_hand():
    # a flat top: the middle, rounded down; at the end of the signal: not a peak
    assert find_peaks([0, 1, 1, 1, 1, 0])[0].tolist() == [2]
    assert find_peaks([0, 2, 2, 2, 0])[0].tolist() == [2]
    assert find_peaks([3, 1, 2, 2])[0].tolist() == []
    assert find_peaks([5, 1, 5])[0].tolist() == []  # endpoints are never peaks
    assert find_peaks([])[0].tolist() == []
    # equal heights with distance: both reference and ours keep the same one
    assert_same([0, 1, 0, 1, 0, 1, 0], distance=3)
    assert_same([0, 1, 0, 1, 0], distance=2.0001)
    # the left base is the nearest of equal lows, as scipy's scan finds it
    x = np.array([0, 4, 0, 2, 0, 5, 1.0])
    prom, left, right = peak_prominences(x, [3])
    assert prom[0] == 2 and left[0] == 2 and right[0] == 4
    # a window of wlen = 3 samples (1 each side): the bases are the neighbours
    prom, left, right = peak_prominences(x, [3], wlen=3)
    assert prom[0] == 2 and left[0] == 2 and right[0] == 4
    prom, left, right = peak_prominences(x, [5], wlen=2.5)  # rounded up to 3
    assert prom[0] == 4 and left[0] == 4 and right[0] == 6
    # width at half prominence of a triangle 0, 2, 4, 2, 0: from 1 to 3
    widths, heights, lips, rips = peak_widths([0, 2, 4, 2, 0], [2])
    assert widths.tolist() == [2.0] and heights.tolist() == [2.0] and lips.tolist() == [1.0] and rips.tolist() == [3.0]
    # the thresholds are the drops to both neighbours: 0 on a flat top, whose middle sample
    # has neighbours on the top too (as in scipy); plateau sizes count the flat top
    peaks, props = find_peaks([0, 3, 1, 5, 5, 5, 2], threshold=(None, None), plateau_size=(None, None))
    assert peaks.tolist() == [1, 4]
    assert props["left_thresholds"].tolist() == [3, 0] and props["right_thresholds"].tolist() == [2, 0]
    assert props["plateau_sizes"].tolist() == [1, 3] and props["left_edges"].tolist() == [1, 3]
    assert props["right_edges"].tolist() == [1, 5]


def test_windows_and_distances_wider_than_the_signal():
    x = np.array([0, 1, 3, 2, 5, 1, 0.0])
    no_window = peak_prominences(x, [2, 4])
    for wlen in (15, 16.5, 1e300, 10**30):  # 2 * len(x) + 1 samples or more: no window at all
        assert_arrays_equal(peak_prominences(x, [2, 4], wlen), no_window, ["prominences", "left_bases", "right_bases"])
        assert_arrays_equal(peak_widths(x, [2, 4], wlen=wlen), peak_widths(x, [2, 4]), ["w", "h", "l", "r"])
    # one peak left, the highest (scipy's integer conversion of ceil(1e300) overflows instead)
    assert find_peaks(x, distance=1e300)[0].tolist() == [4]
    assert_same(x, distance=len(x) + 0.5)


def test_integer_input_and_array_bounds():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 10, 200)
    assert_same(x, height=4)
    floor = rng.uniform(0, 9, 200)
    assert_same(x.astype(float), height=floor, prominence=(floor * 0.3, None))
    assert_same(x.astype(float), threshold=(floor * 0.1, floor), width=(None, floor), plateau_size=(None, floor))
    assert_same(x, height=np.vstack([floor - 3, floor]))  # a (2, n) array is (min, max)
    assert_same(x[:2], height=np.array([0.0, 5.0]))  # two values are (min, max) even when len(x) == 2


def test_warnings_like_scipy():
    # a window inside a flat top: prominence 0, then width 0
    with pytest.warns(PeakPropertyWarning, match=r"^some peaks have a prominence of 0 \(at indices 2"):
        peak_prominences([0, 1, 1, 1, 0], [2], wlen=2)
    with pytest.warns(PeakPropertyWarning, match=r"^some peaks have a prominence of 0 \(at indices 0, 3:"):
        peak_prominences([1, 0, 2, 0], [0, 2, 3])  # 0 and 3 are not local maxima
    with pytest.warns(PeakPropertyWarning, match=r"^some peaks have a width of 0 \(at indices 1") as caught:
        peak_widths([0, 1, 0], [1], rel_height=0)
    assert caught[0].filename == __file__  # attributed to the caller's line, not the companion's
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        peaks, props = find_peaks([0, 1, 1, 1, 0], width=(None, None), wlen=2)
    assert [str(w.message).split(" (")[0] for w in caught] == ["some peaks have a prominence of 0",
                                                                "some peaks have a width of 0"]
    assert all(w.category is PeakPropertyWarning and w.filename == __file__ for w in caught)  # at the caller
    assert issubclass(PeakPropertyWarning, RuntimeWarning)  # as scipy's: the same filters catch both
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        find_peaks([0, 2, 1, 3, 0], prominence=0, width=0)  # ordinary peaks: no warning
        peak_widths([0, 2, 1, 3, 0], [1, 3])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_rejected(bad):
    x = np.array([0.0, 1.0, bad, 1.0, 0.0])
    with pytest.raises(ValueError, match="find_peaks.*NaN or infinity"):
        find_peaks(x)
    with pytest.raises(ValueError, match="peak_prominences.*NaN or infinity"):
        peak_prominences(x, [1])
    with pytest.raises(ValueError, match="peak_widths.*NaN or infinity"):
        peak_widths(x, [1])
    data = (np.array([bad]), np.array([0]), np.array([2]))
    with pytest.raises(ValueError, match=r"peak_widths: prominence_data\[0\] \(prominences\) contains NaN"):
        peak_widths([0, 1, 0], [1], prominence_data=data)


def test_bad_shapes_and_arguments():
    x5 = np.zeros(5)
    with pytest.raises(ValueError, match=r"find_peaks: expected x as a 1-D array of shape \(n_samples,\), got .*2, 3"):
        find_peaks(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="find_peaks.*complex"):
        find_peaks(np.zeros(4, dtype=complex))
    with pytest.raises(ValueError, match=r"find_peaks: distance .* must be a finite number in \[1, inf\)"):
        find_peaks(x5, distance=0.5)
    with pytest.raises(TypeError, match="find_peaks: distance"):
        find_peaks(x5, distance="3")
    with pytest.raises(ValueError, match="peak_prominences: peak 9 is not a valid index into x"):
        peak_prominences(x5, [1, 9])
    with pytest.raises(ValueError, match="peak_widths: peak -1 is not a valid index into x"):
        peak_widths(x5, [-1])
    with pytest.raises(TypeError, match="peak_prominences: peaks must hold integer indices; cannot safely cast"):
        peak_prominences(x5, [1.0])
    with pytest.raises(TypeError, match="peak_widths: peaks must hold integer indices.*bool"):
        peak_widths(x5, [True, False])
    with pytest.raises(ValueError, match=r"peak_widths: expected peaks as a 1-D array of indices, got .*\(1, 2\)"):
        peak_widths(x5, [[1, 2]])
    # conditions
    with pytest.raises(ValueError, match=r"find_peaks: an array height \(min\) must have one value per sample"):
        find_peaks(x5, height=np.zeros(3))
    with pytest.raises(ValueError, match=r"find_peaks: an array width \(max\) must have one value per sample"):
        find_peaks(x5, width=(None, np.zeros(4)))
    with pytest.raises(ValueError, match=r"find_peaks: threshold \(min\) contains NaN"):
        find_peaks(x5, threshold=np.full(5, np.nan))
    with pytest.raises(ValueError, match=r"find_peaks: prominence \(max\) is NaN"):
        find_peaks(x5, prominence=(0, np.nan))
    with pytest.raises(TypeError, match="find_peaks: plateau_size must be a number, an array, or a .min, max. pair"):
        find_peaks(x5, plateau_size=[1, 2, 3])
    with pytest.raises(TypeError, match=r"find_peaks: height \(min\) must be a number"):
        find_peaks(x5, height="1")
    # wlen and rel_height, checked when used (as scipy does)
    for bad in (1, 0.5, -3, np.nan):
        with pytest.raises(ValueError, match=r"find_peaks: wlen .* must be a finite number in \(1, inf\)"):
            find_peaks(x5, prominence=0, wlen=bad)
        with pytest.raises(ValueError, match="peak_prominences: wlen"):
            peak_prominences(x5, [1], wlen=bad)
        with pytest.raises(ValueError, match="peak_widths: wlen"):
            peak_widths(x5, [1], wlen=bad)
    with pytest.raises(TypeError, match="peak_prominences: wlen"):
        peak_prominences(x5, [1], wlen="7")
    find_peaks(x5, wlen=1, rel_height=-1)  # unused without prominence / width: ignored, as in scipy
    for bad in (-1, -1e-9, np.inf, np.nan):
        with pytest.raises(ValueError, match=r"find_peaks: rel_height must be a finite number in \[0, inf\)"):
            find_peaks(x5, width=1, rel_height=bad)
        with pytest.raises(ValueError, match="peak_widths: rel_height"):
            peak_widths(x5, [1], rel_height=bad)
    with pytest.raises(TypeError, match="peak_widths: rel_height must be a number"):
        peak_widths(x5, [1], rel_height=None)


def test_bad_prominence_data():
    x, peak = [0, 1, 0], [1]
    for data in [None, (np.array([1.0]), np.array([0])), 3, "abc", (None, None, None)]:
        if data is None:
            continue
        with pytest.raises(TypeError, match="peak_widths: prominence_data must be three arrays"):
            peak_widths(x, peak, prominence_data=data)
    with pytest.raises(ValueError, match="peak_widths: the arrays in prominence_data must have the same shape"):
        peak_widths(x, peak, prominence_data=(np.ones(2), np.zeros(2, int), np.full(2, 2)))
    for prom, left, right in [(1.0, -1, 2), (1.0, 0, 3), (1.0, 2, 0), (-0.5, 0, 2)]:
        with pytest.raises(ValueError, match="peak_widths: prominence_data is invalid for peak 1"):
            peak_widths(x, peak, prominence_data=(np.array([prom]), np.array([left]), np.array([right])))
    with pytest.raises(TypeError, match=r"peak_widths: prominence_data\[1\] \(left_bases\) must hold integer"):
        peak_widths(x, peak, prominence_data=(np.array([1.0]), np.array([0.0]), np.array([2])))
    # lists and other integer dtypes are fine
    assert peak_widths(x, peak, prominence_data=([1], [0], np.array([2], np.int32)))[0].tolist() == [1.0]


def test_events_start_and_end_where_the_signal_crosses_the_floor():
    x = np.array([0, 0, 3, 4, 3, 0, 0, 5, 0, 2, 0.0])
    starts, stops = events_above(x, 1.0)
    # independently: the samples above the floor, grouped into runs
    above = np.flatnonzero(x > 1.0)
    runs = np.split(above, np.flatnonzero(np.diff(above) > 1) + 1)
    assert starts.tolist() == [r[0] for r in runs]
    assert stops.tolist() == [r[-1] + 1 for r in runs]
    s2, e2 = events_above(x, 1.0, merge_gap=2)  # gaps of 2 samples joined
    assert s2.tolist() == [2] and e2.tolist() == [10]
    s3, e3 = events_above(x, 1.0, min_length=2)
    assert s3.tolist() == [2] and e3.tolist() == [5]
    s4, e4 = events_above(np.ones(4), 0.5)  # above the floor from the first to the last sample
    assert s4.tolist() == [0] and e4.tolist() == [4]


def test_noise_floor_is_robust_to_events():
    rng = np.random.default_rng(0)
    noise = rng.standard_normal(20_000)
    spiky = noise.copy()
    spiky[::100] += 50.0  # 1 % huge outliers
    # for Gaussian noise, median + 3 sigma = the 99.87th percentile
    assert abs(noise_floor(noise, k=3.0) - 3.0) < 0.1
    assert abs(noise_floor(spiky, k=3.0) - noise_floor(noise, k=3.0)) < 0.1
    assert np.mean(spiky > noise_floor(spiky, k=3.0)) < 0.015 + 0.0015 * 3


def test_highest_peak_per_event_against_a_loop():
    rng = np.random.default_rng(4)
    for _ in range(50):
        x = rng.integers(0, 6, 300).astype(float)  # many equal heights
        peaks = find_peaks(x)[0]
        starts, stops = events_above(x, 2.5)
        keep, best = highest_peak_per_event(x, peaks, starts, stops)
        expect_keep, expect_best = [], []
        for i, (a, b) in enumerate(zip(starts, stops)):
            inside = [p for p in peaks if a <= p < b]
            if inside:
                expect_keep.append(i)
                expect_best.append(max(inside, key=lambda p: (x[p], -p)))
        assert keep.tolist() == expect_keep and best.tolist() == expect_best
    with pytest.raises(ValueError, match="highest_peak_per_event: starts and stops"):
        highest_peak_per_event(np.zeros(10), [1], [5, 2], [6, 3])
