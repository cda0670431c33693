"""Tests of companion.nn.train: fit, History, accuracy, iterate_minibatches (Batch gradients)."""

from __future__ import annotations

import numpy as np
import pytest

from companion.nn import (
    SGD,
    Adam,
    Dropout,
    History,
    Linear,
    ReLU,
    Sequential,
    Tanh,
    accuracy,
    fit,
    gradcheck,
    iterate_minibatches,
    mse_loss,
    numerical_gradient,
    rel_error,
    softmax_cross_entropy,
)


def blobs(n_per_class: int = 30, n_classes: int = 3, dim: int = 2, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = 3.0 * rng.standard_normal((n_classes, dim))
    labels = np.repeat(np.arange(n_classes), n_per_class)
    x = centres[labels] + 0.7 * rng.standard_normal((labels.size, dim))
    return x, labels


def mlp(sizes=(2, 8, 3), seed: int = 0, act=Tanh, dropout: float = 0.0):
    rng = np.random.default_rng(seed)
    layers = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(Linear(a, b, rng=rng))
        if i < len(sizes) - 2:
            layers.append(act())
            if dropout:
                layers.append(Dropout(dropout, rng=rng))
    return Sequential(*layers)


# --- the mean loss's gradient is the mean of per-sample gradients (Q07) -----------------------

def per_sample_gradients(model, x, y, loss):
    out = []
    for i in range(x.shape[0]):
        model.zero_grad()
        _, d = loss(model(x[i : i + 1]), y[i : i + 1])
        model.backward(d)
        out.append({k: g.copy() for k, g in model.grads.items()})
    return out


@pytest.mark.parametrize("loss_name", ["ce", "mse"])
def test_full_batch_gradient_is_mean_of_per_sample_gradients(loss_name):
    x, labels = blobs(n_per_class=7)
    if loss_name == "ce":
        model, y, loss = mlp(), labels, softmax_cross_entropy
    else:
        model, loss = mlp((2, 8, 2)), mse_loss
        y = np.random.default_rng(1).standard_normal((x.shape[0], 2))
    singles = per_sample_gradients(model, x, y, loss)
    # fit records the gradient of step 1 before its update (lr so small the update is a no-op anyway).
    hist = fit(model, x, y, loss, SGD(model, lr=1e-300), epochs=1, batch_size=None, shuffle=False, keep_grads=True)
    assert hist.steps == 1 and hist.batch_sizes == [x.shape[0]]
    for k, g in hist.grads[0].items():
        mean = np.mean([s[k] for s in singles], axis=0)
        assert rel_error(g, mean) < 1e-12, k
    # And the full-batch gradient is the true gradient of the mean loss (finite differences).
    report = gradcheck(model, x, loss, y)
    assert report.ok and report.max_error < 1e-7


def test_fit_gradient_matches_finite_differences_of_the_batch_loss():
    x, y = blobs(n_per_class=5)
    model = mlp()
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=1e-300), shuffle=False, keep_grads=True)
    for k, p in model.params.items():
        num, _ = numerical_gradient(lambda: softmax_cross_entropy(model(x), y)[0], p)
        assert rel_error(hist.grads[0][k], num) < 1e-7, k


# --- mini-batch bookkeeping ------------------------------------------------------------------

@pytest.mark.parametrize(("n", "batch_size", "expected"), [(10, None, 1), (10, 1, 10), (10, 3, 4), (10, 5, 2),
                                                            (10, 10, 1), (10, 25, 1)])
def test_minibatch_counts(n, batch_size, expected):
    x = np.arange(2 * n, dtype=float).reshape(n, 2)
    y = np.arange(n)
    batches = list(iterate_minibatches(x, y, batch_size, rng=0))
    assert len(batches) == expected
    seen = np.concatenate([yb for _, yb in batches])
    assert sorted(seen.tolist()) == list(range(n))  # every sample exactly once
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], 2 * yb)  # rows stay paired with their targets
    model = Linear(2, 1, rng=0)
    hist = fit(model, x / 20, y[:, None] / 10.0, mse_loss, SGD(model, lr=0.01), epochs=3, batch_size=batch_size, rng=0)
    assert hist.steps_per_epoch == expected and hist.steps == 3 * expected
    assert sum(hist.batch_sizes) == 3 * n and len(hist.epoch_loss) == 3


def test_drop_last_and_no_shuffle():
    x, y = np.zeros((10, 1)), np.arange(10)
    sizes = [yb.size for _, yb in iterate_minibatches(x, y, 4, shuffle=False, drop_last=True)]
    assert sizes == [4, 4]
    order = np.concatenate([yb for _, yb in iterate_minibatches(x, y, 4, shuffle=False)])
    np.testing.assert_array_equal(order, y)


def test_shuffling_is_seeded():
    x, y = np.zeros((20, 1)), np.arange(20)
    a = np.concatenate([yb for _, yb in iterate_minibatches(x, y, 3, rng=5)])
    b = np.concatenate([yb for _, yb in iterate_minibatches(x, y, 3, rng=5)])
    c = np.concatenate([yb for _, yb in iterate_minibatches(x, y, 3, rng=6)])
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


# --- the history ----------------------------------------------------------------------------

def test_history_records_norms_and_unaliased_copies():
    x, y = blobs()
    model = mlp()
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), epochs=3, batch_size=30, rng=0,
               keep_grads=True)
    assert isinstance(hist, History)
    assert set(hist.grad_norms) == set(model.grads) == {"0.W", "0.b", "2.W", "2.b"}
    assert all(len(v) == hist.steps == 9 for v in hist.grad_norms.values())
    assert len(hist.grads) == hist.steps
    for step, copies in enumerate(hist.grads):
        for k, g in copies.items():
            assert g is not model.grads[k] and not np.shares_memory(g, model.grads[k])
            assert np.linalg.norm(g) == pytest.approx(hist.grad_norms[k][step], rel=1e-12)
    # the copies differ from step to step (so they were not overwritten by later steps)
    assert not np.allclose(hist.grads[0]["0.W"], hist.grads[-1]["0.W"])
    # zero_grad after training leaves the kept copies alone
    model.zero_grad()
    assert all(np.linalg.norm(copies["0.W"]) > 0 for copies in hist.grads)
    layer = hist.layer_grad_norms()
    assert set(layer) == {"0", "2"}
    np.testing.assert_allclose(layer["0"], np.hypot(hist.grad_norms["0.W"], hist.grad_norms["0.b"]), rtol=1e-12)


def test_saved_reference_is_aliased_but_copy_is_not():
    """Q23: backward and zero_grad overwrite the gradient arrays in place."""
    x, y = blobs(n_per_class=5)
    model = mlp()
    _, d = softmax_cross_entropy(model(x), y)
    model.backward(d)
    ref, copy = model.grads["0.W"], model.grads["0.W"].copy()
    model.zero_grad()
    assert np.all(ref == 0) and np.linalg.norm(copy) > 0


def test_keep_grads_off_keeps_nothing():
    x, y = blobs(n_per_class=5)
    model = mlp()
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), epochs=2)
    assert hist.grads == [] and hist.steps == 2


def test_callback_sees_every_step_after_the_update():
    x, y = blobs(n_per_class=5)
    model = mlp()
    seen = []
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), epochs=2, batch_size=4, rng=0,
               callback=lambda step, m, h: seen.append((step, m.params["0.W"].copy())))
    assert [s for s, _ in seen] == list(range(1, hist.steps + 1))
    np.testing.assert_array_equal(seen[-1][1], model.params["0.W"])


def test_metrics_and_validation_are_per_epoch_in_eval_mode():
    x, y = blobs(n_per_class=20, seed=0)
    xv, yv = blobs(n_per_class=10, seed=0)
    model = mlp(dropout=0.5)
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.2), epochs=4, batch_size=15, rng=0,
               x_val=xv, y_val=yv, metrics={"accuracy": accuracy})
    assert set(hist.metrics) == {"accuracy", "val_accuracy", "val_loss"}
    assert all(len(v) == 4 for v in hist.metrics.values())
    model.eval()  # recomputing in eval mode gives exactly the recorded final values
    assert hist.metrics["val_loss"][-1] == softmax_cross_entropy(model(xv), yv)[0]
    assert hist.metrics["accuracy"][-1] == accuracy(model(x), y)


def test_fit_restores_the_mode():
    x, y = blobs(n_per_class=5)
    model = mlp(dropout=0.3)
    model.eval()
    fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), metrics={"accuracy": accuracy})
    assert not model.training and not any(layer.training for layer in model.layers)
    model.train()
    fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), metrics={"accuracy": accuracy})
    assert model.training and all(layer.training for layer in model.layers)


# --- train / eval mode and dropout (Q17, Q24) ----------------------------------------------------

def test_eval_mode_makes_dropout_the_identity_and_train_mode_scales():
    x = np.random.default_rng(0).standard_normal((2000, 50)) + 1.0
    drop = Dropout(0.4, rng=0)
    drop.eval()
    np.testing.assert_array_equal(drop(x), x)
    drop.train()
    out = drop(x)
    kept = out != 0
    assert abs(kept.mean() - 0.6) < 0.01  # about 1 - p of the units survive
    np.testing.assert_allclose(out[kept], x[kept] / 0.6, rtol=1e-12)  # inverted dropout scaling
    assert abs(out.mean() / x.mean() - 1.0) < 0.02  # so the expectation is unchanged
    model = mlp((50, 10, 3), dropout=0.4)
    model.eval()
    np.testing.assert_array_equal(model(x), model(x))  # deterministic in eval mode


# --- learning ------------------------------------------------------------------------------------

@pytest.mark.parametrize("batch_size", [None, 1, 16])
def test_learns_blobs(batch_size):
    x, y = blobs(n_per_class=40, n_classes=4, seed=3)
    model = mlp((2, 16, 4), act=ReLU, seed=1)
    before = accuracy(model(x), y)
    lr = {None: 0.5, 1: 0.02, 16: 0.1}[batch_size]
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=lr, momentum=0.5), epochs=40,
               batch_size=batch_size, rng=0, metrics={"accuracy": accuracy})
    assert hist.epoch_loss[-1] < 0.3 * hist.epoch_loss[0]
    assert hist.metrics["accuracy"][-1] > 0.95 > before
    assert not hist.diverged


def test_adam_learns_a_regression():
    rng = np.random.default_rng(0)
    x = rng.uniform(-2, 2, (200, 1))
    y = np.sin(2 * x)
    model = mlp((1, 20, 1), seed=0)
    hist = fit(model, x, y, mse_loss, Adam(model, lr=0.02), epochs=200, batch_size=50, rng=0)
    assert hist.epoch_loss[-1] < 0.02 * np.var(y) and hist.epoch_loss[-1] < 0.05 * hist.epoch_loss[0]


def test_same_seed_same_history():
    x, y = blobs()
    runs = []
    for _ in range(2):
        model = mlp(seed=4, dropout=0.2)
        runs.append(fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), epochs=3, batch_size=7, rng=9).loss)
    assert runs[0] == runs[1]


def test_divergence_stops_training():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((50, 3))
    y = x @ np.array([[1.0], [-2.0], [0.5]])
    model = Linear(3, 1, rng=0)
    hist = fit(model, x, y, mse_loss, SGD(model, lr=5.0), epochs=1000)
    assert hist.diverged and hist.steps < 1000
    assert all(np.isfinite(p).all() for p in model.params.values())
    model = Linear(3, 1, rng=0)
    hist = fit(model, x, y, mse_loss, SGD(model, lr=0.1), epochs=200)
    assert not hist.diverged and hist.loss[-1] < 1e-6


def test_progress_bar_runs(capsys):
    x, y = blobs(n_per_class=5)
    model = mlp()
    hist = fit(model, x, y, softmax_cross_entropy, SGD(model, lr=0.1), epochs=2, progress=True)
    assert hist.steps == 2
    assert "epochs" in capsys.readouterr().err


# --- accuracy --------------------------------------------------------------------------------

def test_accuracy_counts_argmax_hits():
    scores = np.array([[0.1, 0.9], [2.0, -1.0], [0.0, 3.0], [5.0, 4.0]])
    assert accuracy(scores, np.array([1, 0, 0, 1])) == 0.5
    assert accuracy(scores, np.array([1, 0, 1, 0])) == 1.0


def test_accuracy_rejects_an_output_layer_too_small():
    with pytest.raises(ValueError, match=r"accuracy: labels run from 0 to 9 but scores have 1 column"):
        accuracy(np.zeros((10, 1)), np.arange(10))


@pytest.mark.parametrize(("scores", "labels", "match"), [
    (np.zeros(4), np.zeros(4, int), r"accuracy: expected scores of shape \(N, C\)"),
    (np.zeros((4, 3)), np.zeros(4), "integer class indices"),
    (np.zeros((4, 3)), np.zeros(3, int), r"labels must have shape \(4,\), got \(3,\)"),
    (np.zeros((4, 3)), -np.ones(4, int), "is the output layer the right size"),
])
def test_accuracy_bad_input(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        accuracy(scores, labels)


# --- bad arguments -----------------------------------------------------------------------------

def _setup():
    x, y = blobs(n_per_class=5)
    model = mlp()
    return model, x, y, SGD(model, lr=0.1)


@pytest.mark.parametrize(("kwargs", "error", "match"), [
    ({"epochs": 0}, ValueError, "fit: epochs must be an integer >= 1, got 0"),
    ({"epochs": 2.5}, TypeError, "fit: epochs must be an integer >= 1, got 2.5"),
    ({"batch_size": 0}, ValueError, "fit: batch_size must be an integer >= 1 or None, got 0"),
    ({"batch_size": 1.5}, TypeError, "fit: batch_size must be an integer >= 1 or None, got 1.5"),
    ({"x_val": np.zeros((3, 2))}, ValueError, "give both x_val and y_val"),
    ({"x_val": np.zeros((3, 2)), "y_val": np.zeros(4, int)}, ValueError, r"x_val has 3 samples .* y_val has 4"),
    ({"metrics": {"acc": 3}}, TypeError, "fit: metric 'acc' must be callable"),
    ({"metrics": [accuracy]}, TypeError, "fit: metrics must be a dict"),
    ({"diverge_factor": 0.5}, ValueError, r"fit: diverge_factor must be a finite number in \(1, inf\) or None"),
    ({"shuffle": "yes"}, TypeError, "fit: shuffle must be True or False"),
    ({"rng": 1.5}, TypeError, "fit: rng must be a numpy Generator, an integer seed"),
    ({"callback": 3}, TypeError, "fit: callback must be callable"),
])
def test_fit_bad_keyword_arguments(kwargs, error, match):
    model, x, y, opt = _setup()
    with pytest.raises(error, match=match):
        fit(model, x, y, softmax_cross_entropy, opt, **kwargs)


def test_fit_bad_positional_arguments():
    model, x, y, opt = _setup()
    with pytest.raises(ValueError, match=r"fit: x has 15 samples \(shape \(15, 2\)\) but y has 14"):
        fit(model, x, y[:-1], softmax_cross_entropy, opt)
    with pytest.raises(TypeError, match="fit: model must be a companion.nn Module"):
        fit(lambda z: z, x, y, softmax_cross_entropy, opt)
    with pytest.raises(TypeError, match="fit: loss must be callable"):
        fit(model, x, y, "cross-entropy", opt)
    with pytest.raises(TypeError, match="fit: optimizer must have a step"):
        fit(model, x, y, softmax_cross_entropy, 0.1)
    with pytest.raises(ValueError, match="optimizer was built on a different model"):
        fit(model, x, y, softmax_cross_entropy, SGD(mlp(), lr=0.1))
    with pytest.raises(ValueError, match="fit: x must hold real numbers"):
        fit(model, np.array([["a", "b"]] * 15), y, softmax_cross_entropy, opt)
    with pytest.raises(ValueError, match="fit: x is empty"):
        fit(model, np.zeros((0, 2)), np.zeros(0, int), softmax_cross_entropy, opt)


def test_iterate_minibatches_bad_arguments():
    with pytest.raises(ValueError, match="iterate_minibatches: batch_size must be"):
        list(iterate_minibatches(np.zeros((3, 1)), np.zeros(3), -2))
    with pytest.raises(TypeError, match="iterate_minibatches: batch_size must be an integer >= 1 or None, got 2.0"):
        iterate_minibatches(np.zeros((3, 1)), np.zeros(3), 2.0)  # checked at the call, not at the first batch
    with pytest.raises(ValueError, match="iterate_minibatches: x has 3 samples"):
        list(iterate_minibatches(np.zeros((3, 1)), np.zeros(2)))
