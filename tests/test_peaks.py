"""companion.dsp.peaks against scipy.signal: same peaks, same properties, same bases.

scipy.signal.find_peaks / peak_prominences are the reference (the companion never calls
them). Hypothesis draws random and edge-case signals: plateaus, equal heights, integer
values, peaks at the ends, monotone stretches.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.signal as ss
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from companion.dsp import events_above, find_peaks, highest_peak_per_event, noise_floor, peak_prominences


def scipy_find_peaks(x, **kw):
    with warnings.catch_warnings():  # scipy warns about prominence-0 peaks; we compare values
        warnings.simplefilter("ignore")
        return ss.find_peaks(x, **kw)


def scipy_prominences(x, peaks):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ss.peak_prominences(x, peaks)


def assert_same(x, **kw):
    ours, props = find_peaks(x, **kw)
    ref, ref_props = scipy_find_peaks(np.asarray(x, dtype=float), **kw)
    np.testing.assert_array_equal(ours, ref)
    assert ours.dtype == np.intp
    assert set(props) == set(ref_props), (sorted(props), sorted(ref_props))
    for key in ref_props:
        np.testing.assert_array_equal(props[key], ref_props[key], err_msg=key)
        assert props[key].dtype == ref_props[key].dtype, key


# Signals that make peak finding hard: few distinct values (plateaus, equal heights),
# repeated samples, integer steps, floats of any size.
small_ints = hnp.arrays(np.float64, st.integers(0, 80), elements=st.integers(-3, 3).map(float))
floats = hnp.arrays(np.float64, st.integers(0, 80),
                    elements=st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False))
repeated = st.builds(lambda v, r: np.repeat(np.asarray(v, dtype=float), r),
                     st.lists(st.integers(0, 4), max_size=30), st.integers(1, 4))
signals = st.one_of(small_ints, floats, repeated)
bound = st.one_of(st.none(), st.floats(-3, 3), st.tuples(st.one_of(st.none(), st.floats(-3, 3)),
                                                         st.one_of(st.none(), st.floats(-3, 3))))
prom_bound = st.one_of(st.none(), st.floats(0, 4),
                       st.tuples(st.one_of(st.none(), st.floats(0, 2)), st.one_of(st.none(), st.floats(0, 6))))
distances = st.one_of(st.none(), st.floats(1, 12), st.integers(1, 12))

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(x=signals, height=bound, prominence=prom_bound, distance=distances)
def test_find_peaks_equals_scipy(x, height, prominence, distance):
    assert_same(x, height=height, prominence=prominence, distance=distance)


@SETTINGS
@given(x=signals, data=st.data())
def test_peak_prominences_equals_scipy(x, data):
    if x.size == 0:
        return
    peaks = np.array(data.draw(st.lists(st.integers(0, x.size - 1), max_size=12)), dtype=np.intp)
    ours = peak_prominences(x, peaks)
    ref = scipy_prominences(x, peaks)
    for a, b in zip(ours, ref):
        np.testing.assert_array_equal(a, b)
        assert a.dtype == b.dtype


@pytest.mark.parametrize("kind", ["noise", "integers", "random_walk", "steps", "sawtooth_up", "chirp"])
@pytest.mark.parametrize("kw", [{}, {"height": 0.5}, {"prominence": 1.0}, {"distance": 7},
                                {"distance": 300.5}, {"height": (0, 2), "distance": 4, "prominence": (0.2, None)}])
def test_long_signals_equal_scipy(kind, kw):
    """Long signals reach the sparse-table search (scans longer than the local window)."""
    rng = np.random.default_rng(7)
    n = 20_000
    t = np.arange(n)
    x = {
        "noise": rng.standard_normal(n),
        "integers": rng.integers(0, 5, n).astype(float),
        "random_walk": np.round(np.cumsum(rng.standard_normal(n))),
        "steps": np.repeat(rng.integers(0, 9, n // 10), 10).astype(float),
        "sawtooth_up": t * 0.01 + (t % 3 == 1) * 2.0,  # each peak higher than the last
        "chirp": np.sin(2 * np.pi * t * t / 4e6) * (1 + t / n),
    }[kind]
    assert_same(x, **kw)
    peaks = scipy_find_peaks(x)[0]
    for a, b in zip(peak_prominences(x, peaks), scipy_prominences(x, peaks)):
        np.testing.assert_array_equal(a, b)


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


def test_integer_input_and_array_bounds():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 10, 200)
    assert_same(x, height=4)
    floor = rng.uniform(0, 9, 200)
    assert_same(x.astype(float), height=floor, prominence=(floor * 0.3, None))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_and_inf_rejected(bad):
    x = np.array([0.0, 1.0, bad, 1.0, 0.0])
    with pytest.raises(ValueError, match="find_peaks.*NaN or infinity"):
        find_peaks(x)
    with pytest.raises(ValueError, match="peak_prominences.*NaN or infinity"):
        peak_prominences(x, [1])


def test_bad_shapes_and_arguments():
    with pytest.raises(ValueError, match=r"find_peaks: expected x of shape \(n_samples,\), got .*\(2, 3\)"):
        find_peaks(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="find_peaks.*complex"):
        find_peaks(np.zeros(4, dtype=complex))
    with pytest.raises(ValueError, match="distance must be a number >= 1"):
        find_peaks(np.zeros(5), distance=0.5)
    with pytest.raises(ValueError, match="peak index 9 is outside x"):
        peak_prominences(np.zeros(5), [1, 9])
    with pytest.raises(ValueError, match="peak index -1 is outside x"):
        peak_prominences(np.zeros(5), [-1])
    with pytest.raises(ValueError, match="integer indices.*float64"):
        peak_prominences(np.zeros(5), [1.0])
    with pytest.raises(ValueError, match="one value per sample"):
        find_peaks(np.zeros(5), height=np.zeros(3))


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
