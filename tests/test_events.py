"""companion.dsp.rise_and_fall against the two plain loops its docstring describes."""

from __future__ import annotations

import numpy as np
import pytest

from companion.dsp import find_peaks, rise_and_fall


def walks(x, p):
    """The definition, one sample at a time."""
    i = p
    while i > 0 and x[i - 1] < x[i]:
        i -= 1
    j = p
    while j < len(x) - 1 and x[j + 1] < x[j]:
        j += 1
    return i, j + 1


@pytest.mark.parametrize("seed", range(20))
def test_rise_and_fall_equals_the_walks(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 300))
    x = rng.integers(0, 6, n).astype(float) if seed % 2 else np.cumsum(rng.standard_normal(n))
    peaks = rng.integers(0, n, size=int(rng.integers(0, 20)))
    starts, stops = rise_and_fall(x, peaks)
    assert starts.dtype == np.intp and stops.dtype == np.intp
    assert [walks(x, int(p)) for p in peaks] == list(zip(starts.tolist(), stops.tolist()))


def test_rise_and_fall_on_a_smooth_bump_finds_its_feet():
    t = np.arange(400)
    x = np.where((t >= 100) & (t < 200), np.sin(np.pi * (t - 100) / 100) ** 2, 0.0)
    x = x + 1e-5 * np.abs(t - 150)  # a V-shaped baseline: troughs only at the feet
    peak = find_peaks(x, prominence=0.5)[0]
    starts, stops = rise_and_fall(x, peak)
    assert starts.tolist() == [100] and stops.tolist() == [201]  # the troughs at 100 and 200


def test_rise_and_fall_rejects_bad_peaks():
    with pytest.raises(ValueError, match="rise_and_fall: peaks must lie in"):
        rise_and_fall(np.zeros(5), [5])
    with pytest.raises(TypeError, match="rise_and_fall: peaks must hold integer indices"):
        rise_and_fall(np.zeros(5), [1.5])
    with pytest.raises(ValueError, match=r"rise_and_fall: expected peaks as a 1-D array of indices"):
        rise_and_fall(np.zeros(5), [[1]])
    with pytest.raises(ValueError, match="rise_and_fall: .*NaN or infinity"):
        rise_and_fall([0.0, np.nan, 1.0], [0])
