"""The shipped 8×8 digits: loading, scaling, the fixed stratified split."""

from __future__ import annotations

import numpy as np
import pytest

from companion.data import load_digits, train_test_split_digits

# Class distribution of the UCI optical-digits test set (optdigits.tes), as documented by UCI.
UCI_TEST_COUNTS = [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]


def test_load_digits_shapes_scaling_and_class_counts() -> None:
    x, y = load_digits()
    assert x.shape == (1797, 8, 8) and x.dtype == np.float64
    assert y.shape == (1797,) and y.dtype.kind == "i"
    assert x.min() == 0.0 and x.max() == 1.0
    assert np.bincount(y).tolist() == UCI_TEST_COUNTS
    raw, y2 = load_digits(scaled=False)
    assert raw.dtype.kind == "i" and raw.min() == 0 and raw.max() == 16
    np.testing.assert_array_equal(raw / 16.0, x)
    np.testing.assert_array_equal(y, y2)
    # The corner pixels of the 32×32 form are almost always blank: a sanity check of the layout.
    assert x[:, 0, 0].mean() < 0.01 and x[:, 3:5, 3:5].mean() > 0.2


def test_returned_arrays_are_private_copies() -> None:
    x, y = load_digits()
    x[...] = -1.0
    y[...] = 99
    x2, y2 = load_digits()
    assert x2.min() == 0.0 and y2.max() == 9


def test_split_is_disjoint_complete_stratified_and_seeded() -> None:
    x_tr, y_tr, x_te, y_te = train_test_split_digits()
    x, y = load_digits()
    assert len(y_tr) + len(y_te) == 1797
    # Every image appears once in exactly one part (rows of the full set, matched by content and label).
    key = lambda imgs, labels: {(im.tobytes(), int(lab)) for im, lab in zip(imgs, labels)}  # noqa: E731
    assert key(x_tr, y_tr).isdisjoint(key(x_te, y_te))
    assert key(x_tr, y_tr) | key(x_te, y_te) == key(x, y)
    expected = np.round(0.2 * np.asarray(UCI_TEST_COUNTS)).astype(int)
    np.testing.assert_array_equal(np.bincount(y_te), expected)
    again = train_test_split_digits()
    for a, b in zip((x_tr, y_tr, x_te, y_te), again):
        np.testing.assert_array_equal(a, b)
    other = train_test_split_digits(rng=1)
    assert not np.array_equal(other[3], y_te) or not np.array_equal(other[2], x_te)
    tr, te = load_digits("train"), load_digits("test")
    np.testing.assert_array_equal(tr[0], x_tr)
    np.testing.assert_array_equal(te[1], y_te)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="load_digits: split must be None, 'train' or 'test', got 'val'"):
        load_digits("val")
    with pytest.raises(ValueError, match=r"train_test_split_digits: test_fraction .*1.5"):
        train_test_split_digits(test_fraction=1.5)
    with pytest.raises(ValueError, match=r"load_digits: test_fraction .*0"):
        load_digits("train", test_fraction=0)
    with pytest.raises(TypeError, match=r"load_digits: rng must be a numpy Generator"):
        load_digits("test", rng=0.5)
    with pytest.raises(TypeError, match=r"train_test_split_digits: scaled"):
        train_test_split_digits(scaled="yes")


def test_rng_replaces_seed_with_a_warning_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from companion import _deprecation

    monkeypatch.setattr(_deprecation, "_WARNED", set())
    new = train_test_split_digits(rng=3)
    with pytest.warns(DeprecationWarning, match=r"train_test_split_digits\(seed=\.\.\.\) is deprecated"):
        old = train_test_split_digits(seed=3)
    assert all(np.array_equal(a, b) for a, b in zip(new, old))
    assert not np.array_equal(new[1], train_test_split_digits(rng=4)[1])
    # a Generator is taken as it is: two draws from one Generator give two different splits
    gen = np.random.default_rng(3)
    first = load_digits("test", rng=gen)[1]
    assert np.array_equal(first, load_digits("test", rng=3)[1])
    assert not np.array_equal(load_digits("test", rng=gen)[1], first)
    with pytest.warns(DeprecationWarning, match=r"load_digits\(seed=\.\.\.\) is deprecated"):
        assert np.array_equal(load_digits("test", seed=3)[1], first)
