"""Tests of companion.nn.rnn: RNN (BPTT with a per-step record), TemporalPool, clip_grad_norm.

Every gradient is checked against central differences in float64; the record against an
independent reference (a per-sample loop written here, and finite differences of truncated runs).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.nn import (
    RNN,
    SGD,
    Adam,
    Linear,
    Sequential,
    TemporalPool,
    clip_grad_norm,
    gradcheck,
    make_recall_task,
    numerical_gradient,
    rel_error,
    softmax_cross_entropy,
)

TOL = 1e-7


def _rnn(D=3, H=5, seed=0, **kw) -> RNN:
    """An RNN with non-zero bias (and h0 when learned), so that every gradient is exercised."""
    rnn = RNN(D, H, rng=seed, **kw)
    g = np.random.default_rng(seed + 100)
    rnn.params["b"][:] = 0.2 * g.standard_normal(H)
    if "h0" in rnn.params:
        rnn.params["h0"][:] = 0.5 * g.standard_normal(H)
    return rnn


def _reference_forward(x, Wx, Wh, b, h0):
    """One sequence at a time, one step at a time: the definition, with no vectorisation."""
    n, T, _ = x.shape
    out = np.zeros((n, T, Wh.shape[0]))
    for i in range(n):
        h = h0[i].copy()
        for t in range(T):
            h = np.tanh(x[i, t] @ Wx + h @ Wh + b)
            out[i, t] = h
    return out


# --- gradient checks ------------------------------------------------------------------------
@pytest.mark.parametrize("recurrent_init", ["orthogonal", "xavier", 1.5])
def test_rnn_gradcheck_every_parameter_input_and_learned_h0(recurrent_init):
    rnn = _rnn(recurrent_init=recurrent_init, learn_h0=True)
    x = np.random.default_rng(1).standard_normal((4, 7, 3))
    report = gradcheck(rnn, x)
    assert set(report.errors) == {"input", "Wx", "Wh", "b", "h0"}
    assert report.max_error < TOL, str(report)


@settings(max_examples=15, deadline=None)
@given(n=st.integers(1, 3), T=st.integers(1, 6), D=st.integers(1, 4), H=st.integers(1, 5), seed=st.integers(0, 99))
def test_rnn_gradcheck_shape_sweep(n, T, D, H, seed):
    rnn = _rnn(D, H, seed=seed, learn_h0=True)
    x = np.random.default_rng(seed).standard_normal((n, T, D))
    report = gradcheck(rnn, x, rng=seed)
    assert report.max_error < TOL, str(report)


def test_gradcheck_seed_is_a_deprecated_spelling_of_rng(monkeypatch):
    from companion import _deprecation

    monkeypatch.setattr(_deprecation, "_WARNED", set())
    rnn, x = _rnn(seed=3), np.random.default_rng(3).standard_normal((2, 4, 3))
    with pytest.warns(DeprecationWarning, match=r"gradcheck\(seed=\.\.\.\) is deprecated: pass rng="):
        old = gradcheck(rnn, x, seed=7)
    assert old.errors == gradcheck(rnn, x, rng=7).errors  # the same projection


def test_explicit_initial_state_gradient_matches_finite_differences():
    rnn = _rnn()
    g = np.random.default_rng(2)
    x, h0, proj = g.standard_normal((3, 6, 3)), 0.5 * g.standard_normal((3, 5)), g.standard_normal((3, 6, 5))
    rnn.forward(x, h0)
    rnn.backward(proj)
    num, kink = numerical_gradient(lambda: float(np.sum(rnn.forward(x, h0) * proj)), h0)
    assert not kink.any()
    assert rnn.dh0.shape == (3, 5)
    assert rel_error(rnn.dh0, num) < TOL
    np.testing.assert_array_equal(rnn.record.dh0, rnn.dh0)


def test_h0_of_shape_H_is_broadcast_and_overrides_the_learned_one():
    rnn = _rnn(learn_h0=True)
    x = np.random.default_rng(3).standard_normal((2, 4, 3))
    h0 = np.array([0.1, -0.2, 0.3, 0.0, 0.5])
    out = rnn.forward(x, h0)
    np.testing.assert_allclose(out, _reference_forward(x, *(rnn.params[k] for k in ("Wx", "Wh", "b")),
                                                       np.tile(h0, (2, 1))), rtol=0, atol=1e-14)
    rnn.backward(np.ones_like(out))
    assert np.all(rnn.grads["h0"] == 0.0)  # the learned h0 was not used in this pass
    rnn.forward(x)  # now it is
    rnn.backward(np.ones_like(out))
    np.testing.assert_allclose(rnn.grads["h0"], rnn.dh0.sum(axis=0), rtol=0, atol=1e-15)


@pytest.mark.parametrize("mode", ["max", "mean", "last"])
def test_temporal_pool_gradcheck(mode):
    x = np.random.default_rng(4).standard_normal((3, 6, 4))  # continuous values: no ties
    report = gradcheck(TemporalPool(mode), x)
    assert report.errors["input"] < TOL and not report.kinks, str(report)


@pytest.mark.parametrize("mode", ["max", "mean", "last"])
def test_rnn_pool_linear_stack_gradcheck(mode):
    g = np.random.default_rng(5)
    model = Sequential(_rnn(3, 6, seed=5, learn_h0=True), TemporalPool(mode), Linear(6, 4, rng=6))
    x, labels = g.standard_normal((5, 8, 3)), g.integers(0, 4, 5)
    report = gradcheck(model, x, softmax_cross_entropy, labels)
    assert {"input", "0.Wx", "0.Wh", "0.b", "0.h0", "2.W", "2.b"} == set(report.errors)
    assert report.max_error < TOL, str(report)


def test_two_stacked_rnns_gradcheck():
    model = Sequential(_rnn(2, 4, seed=7), _rnn(4, 3, seed=8), TemporalPool("mean"))
    report = gradcheck(model, np.random.default_rng(9).standard_normal((2, 5, 2)))
    assert report.max_error < TOL, str(report)


# --- forward against the definition -------------------------------------------------------------
def test_forward_matches_a_per_sample_per_step_loop():
    rnn = _rnn(learn_h0=True)
    x = np.random.default_rng(10).standard_normal((4, 9, 3))
    h0 = np.tile(rnn.params["h0"], (4, 1))
    ref = _reference_forward(x, rnn.params["Wx"], rnn.params["Wh"], rnn.params["b"], h0)
    np.testing.assert_allclose(rnn(x), ref, rtol=0, atol=1e-14)


def test_float32_rnn_stays_float32():
    rnn = RNN(3, 4, rng=0, dtype=np.float32)
    out = rnn(np.ones((2, 5, 3)))
    assert out.dtype == np.float32
    assert rnn.backward(np.ones_like(out)).dtype == np.float32
    assert all(g.dtype == np.float32 for g in rnn.grads.values())


# --- the per-time-step record --------------------------------------------------------------------
def test_per_step_contributions_sum_to_the_gradient():
    rnn = _rnn(4, 6, seed=11)
    g = np.random.default_rng(11)
    x, dout = g.standard_normal((5, 12, 4)), g.standard_normal((5, 12, 6))
    rnn.forward(x)
    rnn.backward(dout)
    rec = rnn.record
    assert rec.dWx.shape == (12, 4, 6) and rec.dWh.shape == (12, 6, 6) and rec.db.shape == (12, 6)
    for key, per_step in (("Wx", rec.dWx), ("Wh", rec.dWh), ("b", rec.db)):
        full = rnn.grads[key]
        assert np.max(np.abs(per_step.sum(axis=0) - full)) <= 1e-12 * max(1.0, np.max(np.abs(full))), key


def test_record_matches_a_per_sample_reference_bptt():
    """Every field of the record against BPTT written one sequence and one step at a time."""
    rnn = _rnn(3, 4, seed=19, learn_h0=True)
    g = np.random.default_rng(19)
    x, dout = g.standard_normal((3, 5, 3)), g.standard_normal((3, 5, 4))
    hs = rnn.forward(x)
    dx_mine = rnn.backward(dout)
    Wx, Wh, h0 = rnn.params["Wx"], rnn.params["Wh"], rnn.params["h0"]
    dh, dx = np.zeros_like(hs), np.zeros_like(x)
    dWx, dWh, db = np.zeros((5, 3, 4)), np.zeros((5, 4, 4)), np.zeros((5, 4))
    for i in range(3):
        carry = np.zeros(4)
        for t in range(4, -1, -1):
            dh[i, t] = dout[i, t] + carry
            da = dh[i, t] * (1 - hs[i, t] ** 2)
            dWx[t] += np.outer(x[i, t], da)
            dWh[t] += np.outer(hs[i, t - 1] if t else h0, da)
            db[t] += da
            dx[i, t] = Wx @ da
            carry = Wh @ da
    rec = rnn.record
    for name, mine, ref in (("dh", rec.dh, dh), ("dWx", rec.dWx, dWx), ("dWh", rec.dWh, dWh), ("db", rec.db, db)):
        assert rel_error(mine, ref) < 1e-14, name
    np.testing.assert_allclose(rec.dh_norm(), np.sqrt((dh**2).sum(axis=(0, 2))), rtol=1e-14)
    assert rel_error(rnn.grads["Wx"], dWx.sum(axis=0)) < 1e-14
    assert rel_error(dx_mine, dx) < 1e-14


def test_per_step_contribution_is_the_gradient_of_that_steps_copy_of_Wh():
    """Give step s its own copy of Wh; dL/d(copy) by finite differences must equal record.dWh[s]."""
    rnn = _rnn(seed=12)
    g = np.random.default_rng(12)
    x, proj = g.standard_normal((3, 6, 3)), g.standard_normal((3, 6, 5))
    Wx, Wh, b = (rnn.params[k] for k in ("Wx", "Wh", "b"))
    rnn.forward(x)
    rnn.backward(proj)
    for s in (0, 3, 5):
        Wh_s = Wh.copy()

        def loss() -> float:
            h, total = np.zeros((3, 5)), 0.0
            for t in range(6):
                h = np.tanh(x[:, t] @ Wx + h @ (Wh_s if t == s else Wh) + b)  # noqa: B023
                total += float(np.sum(h * proj[:, t]))
            return total

        num, _ = numerical_gradient(loss, Wh_s)
        assert rel_error(rnn.record.dWh[s], num) < TOL


def test_record_dh_is_the_total_gradient_reaching_each_hidden_state():
    """dL/dh_t (direct + recurrent path) = gradient w.r.t. the initial state of the run restarted at t."""
    rnn = _rnn(seed=13)
    g = np.random.default_rng(13)
    x, proj = g.standard_normal((2, 7, 3)), g.standard_normal((2, 7, 5))
    hs = rnn.forward(x)
    rnn.backward(proj)
    dh = rnn.record.dh.copy()
    for t in range(7):
        h_t = hs[:, t].copy()

        def loss() -> float:
            rest = rnn.forward(x[:, t + 1:], h_t) if t < 6 else np.zeros((2, 0, 5))  # noqa: B023
            return float(np.sum(h_t * proj[:, t]) + np.sum(rest * proj[:, t + 1:]))  # noqa: B023

        num, _ = numerical_gradient(loss, h_t)
        assert rel_error(dh[:, t], num) < TOL, t
    np.testing.assert_array_equal(dh[:, -1], proj[:, -1])  # nothing comes after the last step


def test_record_modes():
    x = np.random.default_rng(14).standard_normal((2, 5, 3))
    light = RNN(3, 4, rng=0, record="dh")
    light.backward(np.ones_like(light(x)))
    assert light.record.dWh is None and light.record.dh.shape == (2, 5, 4)
    off = RNN(3, 4, rng=0, record=False)
    off.backward(np.ones_like(off(x)))
    assert off.record is None
    np.testing.assert_array_equal(off.grads["Wh"], light.grads["Wh"])


def test_backward_decay_obeys_the_singular_value_bound():
    """With the loss on h_T only, ‖dL/dh_{t-1}‖ ≤ σ_max(Wh) · max_i (1 − h_{t,i}²) · ‖dL/dh_t‖ per sequence."""
    for scale in (0.5, 1.0, 2.0):
        rnn = RNN(3, 8, rng=15, recurrent_init=scale)
        x = np.random.default_rng(15).standard_normal((4, 20, 3))
        hs = rnn(x)
        dout = np.zeros_like(hs)
        dout[:, -1] = 1.0
        rnn.backward(dout)
        sigma = np.linalg.norm(rnn.params["Wh"], 2)
        norms = np.linalg.norm(rnn.record.dh, axis=2)  # (N, T)
        bound = sigma * np.max(1.0 - hs**2, axis=2)[:, 1:] * norms[:, 1:]
        assert np.all(norms[:, :-1] <= bound * (1 + 1e-12))
        assert np.all(np.linalg.norm(rnn.dh0, axis=1) <= sigma * np.max(1 - hs[:, 0] ** 2, axis=1) * norms[:, 0])


# --- pooling over time: routing and ties ---------------------------------------------------------
def test_max_pool_routes_everything_to_the_argmax_and_ties_go_to_the_first():
    x = np.array([[[0.0, 2.0], [3.0, 2.0], [1.0, -1.0], [3.0, 2.0]]])  # (1, 4, 2): ties in both features
    pool = TemporalPool("max")
    np.testing.assert_array_equal(pool(x), [[3.0, 2.0]])
    np.testing.assert_array_equal(pool.argmax, [[1, 0]])
    dx = pool.backward(np.array([[5.0, 7.0]]))
    expected = np.zeros((1, 4, 2))
    expected[0, 1, 0], expected[0, 0, 1] = 5.0, 7.0
    np.testing.assert_array_equal(dx, expected)


def test_mean_pool_spreads_one_over_T():
    x = np.random.default_rng(16).standard_normal((2, 5, 3))
    pool = TemporalPool("mean")
    np.testing.assert_allclose(pool(x), x.sum(axis=1) / 5, rtol=1e-15)
    dout = np.random.default_rng(17).standard_normal((2, 3))
    dx = pool.backward(dout)
    for t in range(5):
        np.testing.assert_allclose(dx[:, t], dout / 5, rtol=1e-15)


# --- errors ------------------------------------------------------------------------------------------
def test_rnn_bad_input_raises_clear_errors():
    rnn = RNN(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"RNN\(3 -> 4\).*\(N, T, 3\).*\(2, 3\)"):
        rnn(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"RNN\(3 -> 4\).*\(N, T, 3\).*\(2, 5, 2\)"):
        rnn(np.ones((2, 5, 2)))
    with pytest.raises(ValueError, match=r"RNN\(3 -> 4\).*\(2, 0, 3\)"):
        rnn(np.ones((2, 0, 3)))
    with pytest.raises(ValueError, match="RNN.*complex"):
        rnn(np.ones((2, 5, 3), dtype=complex))
    with pytest.raises(ValueError, match="RNN.*NaN"):
        rnn(np.full((2, 5, 3), np.nan))
    with pytest.raises(ValueError, match=r"RNN.*h0 of shape \(2, 4\) or \(4,\), got \(3, 4\)"):
        rnn(np.ones((2, 5, 3)), np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="before forward"):
        RNN(3, 4).backward(np.ones((2, 5, 4)))
    rnn(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"RNN.*dout of shape \(2, 5, 4\), got \(2, 4\)"):
        rnn.backward(np.ones((2, 4)))
    for bad, error in ((0, ValueError), (-1, ValueError), (2.5, TypeError), (True, TypeError)):
        with pytest.raises(error, match=rf"RNN: hidden_size must be an integer >= 1, got {bad}"):
            RNN(3, bad)
    with pytest.raises(ValueError, match="RNN: recurrent_init must be one of 'orthogonal', 'xavier', got 'identity'"):
        RNN(3, 4, recurrent_init="identity")
    with pytest.raises(ValueError, match=r"RNN: recurrent_init \(a spectral radius\) must be a finite number"):
        RNN(3, 4, recurrent_init=-0.5)
    with pytest.raises(ValueError, match="RNN: record must be one of 'full', 'dh', False, got 'some'"):
        RNN(3, 4, record="some")
    with pytest.raises(TypeError, match="RNN: record must be one of 'full', 'dh', False, got 0"):
        RNN(3, 4, record=0)  # 0 == False, but it is not False


def test_temporal_pool_bad_input_raises_clear_errors():
    with pytest.raises(ValueError, match="TemporalPool: mode must be one of"):
        TemporalPool("min")
    pool = TemporalPool("max")
    with pytest.raises(ValueError, match=r"TemporalPool\(mode='max'\).*\(N, T, H\).*\(4, 3\)"):
        pool(np.ones((4, 3)))
    with pytest.raises(RuntimeError, match="before forward"):
        pool.backward(np.ones((4, 3)))
    pool(np.ones((2, 5, 3)))
    with pytest.raises(ValueError, match=r"dout of shape \(2, 3\), got \(2, 5, 3\)"):
        pool.backward(np.ones((2, 5, 3)))


# --- clipping ----------------------------------------------------------------------------------------
def test_clip_grad_norm_caps_the_joint_norm_and_keeps_the_direction():
    rnn = _rnn(seed=18)
    x = np.random.default_rng(18).standard_normal((3, 6, 3))
    rnn.backward(100 * np.ones_like(rnn(x)))
    before = {k: g.copy() for k, g in rnn.grads.items()}
    total = np.sqrt(sum(np.sum(g**2) for g in before.values()))
    assert clip_grad_norm(rnn, 1.0) == pytest.approx(total, rel=1e-12)
    after = np.sqrt(sum(np.sum(g**2) for g in rnn.grads.values()))
    assert after == pytest.approx(1.0, rel=1e-12)
    for k in before:
        np.testing.assert_allclose(rnn.grads[k], before[k] / total, rtol=1e-12)
    assert clip_grad_norm(rnn, 10.0) == pytest.approx(1.0, rel=1e-12)  # below the cap: unchanged
    np.testing.assert_allclose(rnn.grads["Wh"], before["Wh"] / total, rtol=1e-12)
    with pytest.raises(ValueError, match="clip_grad_norm: max_norm"):
        clip_grad_norm(rnn, 0.0)
    with pytest.raises(TypeError, match="clip_grad_norm"):
        clip_grad_norm(rnn.grads, 1.0)


# --- the memory task ------------------------------------------------------------------------------
def test_make_recall_task():
    x, y = make_recall_task(50, 7, 3, rng=0)
    assert x.shape == (50, 7, 3) and y.shape == (50,)
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)
    np.testing.assert_array_equal(x[:, 0].argmax(axis=1), y)
    with pytest.raises(ValueError, match="make_recall_task: T must be an integer >= 1, got 0"):
        make_recall_task(5, 0)


def test_moved_names_still_import_from_rnn():
    """clip_grad_norm moved to companion.nn.optim, make_recall_task to companion.nn.tasks."""
    from companion.nn import optim, rnn, tasks

    assert rnn.clip_grad_norm is optim.clip_grad_norm is clip_grad_norm
    assert rnn.make_recall_task is tasks.make_recall_task is make_recall_task


def _recall_accuracy(T: int, recurrent_init, seed: int = 0, steps: int = 200, K: int = 8) -> float:
    rng = np.random.default_rng(seed)
    model = Sequential(RNN(K, 32, rng=rng, recurrent_init=recurrent_init, record=False),
                       TemporalPool("last"), Linear(32, K, rng=rng))
    opt = Adam(model, lr=1e-2)
    for _ in range(steps):
        x, y = make_recall_task(64, T, K, rng=rng)
        _, dscores = softmax_cross_entropy(model(x), y)
        model.backward(dscores)
        opt.step()
    x, y = make_recall_task(1000, T, K, rng=seed + 1000)
    return float(np.mean(model(x).argmax(axis=1) == y))


@pytest.mark.slow
def test_recall_is_learned_for_short_sequences_and_fails_for_long_ones_when_gradients_vanish():
    """Same budget (200 Adam steps), spectral radius 0.8: T = 10 is solved, T = 40 stays near chance (1/8)."""
    assert _recall_accuracy(10, recurrent_init=0.8, seed=0) > 0.95
    for seed in (0, 1, 2):
        assert _recall_accuracy(40, recurrent_init=0.8, seed=seed) < 0.3


def _sgd_recall_accuracy(clip: float | None, seed: int, T: int = 20, K: int = 8, steps: int = 150) -> float:
    rng = np.random.default_rng(seed)
    model = Sequential(RNN(K, 32, rng=rng, record=False), TemporalPool("last"), Linear(32, K, rng=rng))
    model[0].params["Wh"] *= 2.0  # an exploding start: every singular value of Wh is 2
    opt = SGD(model, lr=0.05, momentum=0.9)
    for _ in range(steps):
        x, y = make_recall_task(64, T, K, rng=rng)
        _, dscores = softmax_cross_entropy(model(x), y)
        model.backward(dscores)
        if clip is not None:
            clip_grad_norm(model, clip)
        opt.step()
    x, y = make_recall_task(1000, T, K, rng=seed + 1000)
    return float(np.mean(model(x).argmax(axis=1) == y))


@pytest.mark.slow
def test_clipping_rescues_training_from_an_exploding_start():
    """SGD + momentum from Wh = 2Q on the T = 20 recall task: stuck at chance unclipped, learned clipped."""
    free = np.array([_sgd_recall_accuracy(None, seed) for seed in (0, 1, 2)])
    clipped = np.array([_sgd_recall_accuracy(1.0, seed) for seed in (0, 1, 2)])
    assert free.mean() < 0.3 and clipped.mean() > 0.6  # chance is 1/8
    assert np.all(clipped > free)


def test_matches_pytorch_rnn_when_available():
    """Optional oracle: PyTorch's nn.RNN (tanh) with the same weights gives the same states and gradients."""
    torch = pytest.importorskip("torch")
    rnn = _rnn(3, 5, seed=20)
    g = np.random.default_rng(20)
    x, h0, dout = g.standard_normal((4, 7, 3)), g.standard_normal((4, 5)), g.standard_normal((4, 7, 5))
    hs = rnn.forward(x, h0)
    dx = rnn.backward(dout)
    ref = torch.nn.RNN(3, 5, nonlinearity="tanh", batch_first=True).double()
    with torch.no_grad():
        ref.weight_ih_l0.copy_(torch.from_numpy(rnn.params["Wx"].T.copy()))
        ref.weight_hh_l0.copy_(torch.from_numpy(rnn.params["Wh"].T.copy()))
        ref.bias_ih_l0.copy_(torch.from_numpy(rnn.params["b"]))
        ref.bias_hh_l0.zero_()
    tx = torch.from_numpy(x).requires_grad_(True)
    th0 = torch.from_numpy(h0[None]).requires_grad_(True)
    out, _ = ref(tx, th0)
    out.backward(torch.from_numpy(dout))
    np.testing.assert_allclose(hs, out.detach().numpy(), rtol=0, atol=1e-13)
    assert rel_error(dx, tx.grad.numpy()) < 1e-12
    assert rel_error(rnn.dh0, th0.grad.numpy()[0]) < 1e-12
    assert rel_error(rnn.grads["Wx"], ref.weight_ih_l0.grad.numpy().T) < 1e-12
    assert rel_error(rnn.grads["Wh"], ref.weight_hh_l0.grad.numpy().T) < 1e-12
    assert rel_error(rnn.grads["b"], ref.bias_ih_l0.grad.numpy()) < 1e-12
