"""The digits CNN helpers: the edge-likeness score and the training record."""

from __future__ import annotations

import numpy as np
import pytest

from companion.nn.cnn import EDGE_KERNELS, digits_cnn, edge_scores, train_digits_cnn


def test_edge_scores_of_sobel_kernels_and_their_variants_are_one() -> None:
    kernels = np.stack(list(EDGE_KERNELS.values()))
    for variant in (kernels, -kernels, 3.0 * kernels + 0.7):  # sign, scale and offset do not matter
        scores, names = edge_scores(variant)
        np.testing.assert_allclose(scores, 1.0, atol=1e-12)
        assert names == list(EDGE_KERNELS)


def test_edge_scores_match_numpy_corrcoef() -> None:
    rng = np.random.default_rng(0)
    filters = rng.normal(size=(20, 1, 3, 3))
    scores, _ = edge_scores(filters)
    ref = [max(abs(np.corrcoef(f.ravel(), k.ravel())[0, 1]) for k in EDGE_KERNELS.values()) for f in filters]
    np.testing.assert_allclose(scores, ref, atol=1e-12)


def test_edge_scores_edge_cases() -> None:
    scores, _ = edge_scores(np.ones((2, 3, 3)))
    assert scores.tolist() == [0.0, 0.0]  # a constant filter detects no edge
    smooth = np.outer([1.0, 2.0, 1.0], [1.0, 2.0, 1.0])[None]  # a blur is symmetric: uncorrelated with every edge
    assert edge_scores(smooth)[0][0] < 1e-12
    with pytest.raises(ValueError, match=r"edge_scores: expected filters of shape \(F, 3, 3\).*\(2, 5, 5\)"):
        edge_scores(np.zeros((2, 5, 5)))


def test_digits_cnn_shapes() -> None:
    net = digits_cnn(4, rng=0)
    assert net(np.zeros((3, 1, 8, 8))).shape == (3, 10)
    assert net.params["0.W"].shape == (4, 1, 3, 3)


def test_training_record_and_seeds() -> None:
    a = train_digits_cnn(rng=1, channels=4, epochs=2)
    b = train_digits_cnn(rng=1, channels=4, epochs=2)
    c = train_digits_cnn(rng=2, channels=4, epochs=2)
    assert len(a.filters) == len(a.test_accuracy) == 3  # before training and after each epoch
    assert a.filters[0].shape == (4, 3, 3)
    np.testing.assert_array_equal(a.filters[-1], b.filters[-1])  # seeded end to end
    assert a.test_accuracy == b.test_accuracy
    assert not np.allclose(a.filters[0], c.filters[0])  # another seed: another start
    assert a.test_accuracy[-1] > a.test_accuracy[0] + 0.5  # it learns
    # Training moved the filters away from their random start.
    assert np.linalg.norm(a.filters[-1] - a.filters[0]) > 0.1 * np.linalg.norm(a.filters[0])
    assert a.steps == [0, 45, 90]  # 1,438 training images in batches of 32: 45 steps an epoch
    d = train_digits_cnn(rng=1, channels=4, epochs=2, snapshot_steps=[1, 45, 3])
    assert d.steps == [0, 1, 3, 45]
    np.testing.assert_array_equal(d.filters[3], a.filters[1])  # same seed, same state after epoch 1
    with pytest.raises(ValueError, match=r"snapshot_steps must lie in \[0, 90\]"):
        train_digits_cnn(rng=1, channels=4, epochs=2, snapshot_steps=[91])
    x = a.prepare(np.zeros((2, 8, 8)))
    assert x.shape == (2, 1, 8, 8)
    with pytest.raises(ValueError, match="expected images of shape"):
        a.prepare(np.zeros((2, 64)))
    with pytest.raises(ValueError, match="train_digits_cnn: epochs must be an integer >= 1, got 0"):
        train_digits_cnn(epochs=0)
    with pytest.raises(TypeError, match="train_digits_cnn: batch_size must be an integer >= 1, got 32.0"):
        train_digits_cnn(batch_size=32.0)


def test_rng_and_split_rng_replace_seed_and_split_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    from companion import _deprecation

    monkeypatch.setattr(_deprecation, "_WARNED", set())
    new = train_digits_cnn(rng=1, split_rng=2, channels=2, epochs=1, progress=False)
    assert (new.seed, new.hyper["split_rng"]) == (1, 2)
    with pytest.warns(DeprecationWarning) as caught:
        old = train_digits_cnn(seed=1, split_seed=2, channels=2, epochs=1, progress=False)
    assert sorted(str(w.message).split(" is ")[0] for w in caught) == [
        "train_digits_cnn(seed=...)", "train_digits_cnn(split_seed=...)"]
    np.testing.assert_array_equal(old.filters[-1], new.filters[-1])
    assert old.test_accuracy == new.test_accuracy
    # A Generator is used as it is (no int seed to record); the split changes with split_rng.
    gen = train_digits_cnn(rng=np.random.default_rng(1), channels=2, epochs=1, progress=False)
    np.testing.assert_array_equal(gen.filters[0], train_digits_cnn(rng=1, channels=2, epochs=1,
                                                                   progress=False).filters[0])
    assert gen.seed is None
    assert not np.isclose(new.mean, gen.mean)  # split 2 against split 0: other training pixels
    with pytest.raises(TypeError, match="train_digits_cnn: rng must be a numpy Generator"):
        train_digits_cnn(rng=1.5)
    with pytest.raises(TypeError, match="train_digits_cnn: split_rng must be a numpy Generator"):
        train_digits_cnn(split_rng="0")
