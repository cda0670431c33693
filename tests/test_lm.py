"""Levenberg–Marquardt and the least-squares fitting loop (companion.nn.lm)."""

from __future__ import annotations

import numpy as np
import pytest

from companion.nn import Dropout, Linear, ReLU, Sequential, Sigmoid, Tanh
from companion.nn.lm import STOP_REASONS, fit_curve, flatten_params, jacobian, unflatten_params


def tanh_net(seed: int = 0, hidden: int = 8, n_in: int = 1, n_out: int = 1) -> Sequential:
    rng = np.random.default_rng(seed)
    return Sequential(Linear(n_in, hidden, rng=rng), Tanh(), Linear(hidden, n_out, rng=rng))


def curve(n: int = 60, seed: int | None = None, noise: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    x = np.linspace(-3, 3, n)[:, None]
    y = np.sin(x) + 0.2 * x
    if seed is not None:
        y = y + noise * np.random.default_rng(seed).standard_normal(y.shape)
    return x, y


def fd_jacobian(model: Sequential, x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central differences of every output with respect to every parameter (the reference)."""
    theta = flatten_params(model)
    cols = []
    for i in range(theta.size):
        t = theta.copy()
        t[i] += eps
        unflatten_params(model, t)
        plus = model.forward(x).ravel()
        t[i] -= 2 * eps
        unflatten_params(model, t)
        minus = model.forward(x).ravel()
        cols.append((plus - minus) / (2 * eps))
    unflatten_params(model, theta)
    return np.stack(cols, axis=1)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(a - b) / (np.linalg.norm(a) + np.linalg.norm(b)))


# --- flatten / unflatten ------------------------------------------------------------------
def test_flatten_unflatten_round_trip_and_in_place() -> None:
    net = tanh_net(hidden=5)
    w_ref = net.params["0.W"]
    theta = flatten_params(net)
    assert theta.shape == (net.num_params(),) == (5 + 5 + 5 + 1,)
    unflatten_params(net, np.arange(theta.size, dtype=float))
    assert net.params["0.W"] is w_ref  # written in place: optimisers' references stay valid
    np.testing.assert_array_equal(flatten_params(net), np.arange(theta.size))
    with pytest.raises(ValueError, match=r"unflatten_params: expected a vector of shape \(16,\), got \(15,\)"):
        unflatten_params(net, np.zeros(15))


# --- the Jacobian ---------------------------------------------------------------------------
@pytest.mark.parametrize("method", ["batched", "per_sample"])
@pytest.mark.parametrize("act", [Tanh, Sigmoid])
def test_jacobian_matches_finite_differences(method: str, act: type) -> None:
    rng = np.random.default_rng(1)
    net = Sequential(Linear(3, 6, rng=rng), act(), Linear(6, 4, rng=rng), act(), Linear(4, 2, rng=rng))
    x = rng.standard_normal((7, 3))
    jac = jacobian(net, x, method=method)
    assert jac.shape == (7 * 2, net.num_params())
    assert rel(jac, fd_jacobian(net, x)) < 1e-7


def test_jacobian_relu_and_no_bias_layer() -> None:
    rng = np.random.default_rng(2)
    net = Sequential(Linear(2, 5, rng=rng, bias=False), ReLU(), Linear(5, 1, rng=rng))
    x = rng.standard_normal((9, 2))
    assert rel(jacobian(net, x, method="batched"), fd_jacobian(net, x)) < 1e-7


def test_jacobian_auto_falls_back_to_per_sample_for_nested_models() -> None:
    rng = np.random.default_rng(3)
    inner = Sequential(Linear(2, 4, rng=rng), Tanh())
    net = Sequential(inner, Linear(4, 1, rng=rng))
    x = rng.standard_normal((5, 2))
    assert rel(jacobian(net, x), fd_jacobian(net, x)) < 1e-7
    with pytest.raises(ValueError, match="jacobian: method='batched' needs a Sequential of Linear"):
        jacobian(net, x, method="batched")


def test_jacobian_times_residual_is_backprop_gradient() -> None:
    """Jᵀe · 2/N equals the gradient of the MSE from one ordinary backward pass."""
    from companion.nn import mse_loss
    from companion.nn.lm import flatten_grads

    net = tanh_net(seed=4)
    x, y = curve(20)
    e = (net(x) - y).ravel()
    _, dpred = mse_loss(net(x), y)
    net.zero_grad()
    net.backward(dpred)
    assert rel(jacobian(net, x).T @ e * 2 / e.size, flatten_grads(net)) < 1e-12


def test_jacobian_bad_input_names_function() -> None:
    net = tanh_net()
    with pytest.raises(ValueError, match=r"jacobian: expected x of shape \(N, in_features\)"):
        jacobian(net, np.zeros(5))
    with pytest.raises(ValueError, match="jacobian: method must be"):
        jacobian(net, np.zeros((5, 1)), method="fd")


# --- one LM step against the textbook formula; linear least squares -----------------------
def test_one_lm_epoch_is_the_damped_gauss_newton_step() -> None:
    net = tanh_net(seed=5)
    x, y = curve(30)
    theta0 = flatten_params(net)
    jac = fd_jacobian(net, x)  # independent of the companion's backprop Jacobian
    e = (net(x) - y).ravel()
    mu = 1.0
    expected = theta0 + np.linalg.solve(jac.T @ jac + mu * np.eye(theta0.size), -jac.T @ e)
    hist = fit_curve(net, x, y, "lm", epochs=1, mu=mu)
    assert hist.mu == [1.0, 0.1]  # success: μ divided by 10
    assert hist.loss[1] < hist.loss[0]
    assert rel(flatten_params(net), expected) < 1e-7


def test_lm_on_a_linear_model_reaches_the_least_squares_solution() -> None:
    rng = np.random.default_rng(6)
    x = rng.standard_normal((40, 3))
    y = x @ np.array([[1.5], [-2.0], [0.5]]) + 0.7 + 0.1 * rng.standard_normal((40, 1))
    net = Sequential(Linear(3, 1, rng=rng))
    fit_curve(net, x, y, "lm", epochs=20, mu=1e-6, min_grad=1e-12)
    coef, *_ = np.linalg.lstsq(np.hstack([x, np.ones((40, 1))]), y, rcond=None)
    np.testing.assert_allclose(net.params["0.W"], coef[:3], rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(net.params["0.b"], coef[3], rtol=1e-8, atol=1e-10)


# --- learning claims ------------------------------------------------------------------------
def test_lm_reaches_goal_in_fewer_epochs_than_gradient_descent() -> None:
    x, y = curve(60)
    goal = 1e-3
    lm = fit_curve(tanh_net(seed=0), x, y, "lm", epochs=500, goal=goal)
    gd = fit_curve(tanh_net(seed=0), x, y, "gd", lr=0.05, momentum=0.9, epochs=3000, goal=goal)
    assert lm.stop_reason == "goal" and lm.loss[-1] <= goal
    assert lm.epochs < 200
    gd_epochs = gd.epochs_to(goal)
    assert gd_epochs is None or gd_epochs > 10 * lm.epochs
    assert lm.loss[0] == pytest.approx(gd.loss[0])  # same start: same seed, same model


def test_fit_with_eval_mode_dropout_and_progress_bar(capsys: pytest.CaptureFixture[str]) -> None:
    x, y = curve(30)
    rng = np.random.default_rng(0)
    net = Sequential(Linear(1, 8, rng=rng), Tanh(), Dropout(0.5), Linear(8, 1, rng=rng)).eval()
    h = fit_curve(net, x, y, "lm", epochs=5, progress=True)
    assert h.epochs == 5 and h.loss[-1] < h.loss[0]
    assert "fit_curve (lm)" in capsys.readouterr().err


def test_fit_is_reproducible() -> None:
    x, y = curve(30)
    a = fit_curve(tanh_net(seed=9), x, y, "lm", epochs=30)
    b = fit_curve(tanh_net(seed=9), x, y, "lm", epochs=30)
    assert a.loss == b.loss and a.mu == b.mu


# --- every stopping criterion, with its reason ------------------------------------------------
def test_stop_epochs() -> None:
    x, y = curve(30)
    for method in ("lm", "gd"):
        h = fit_curve(tanh_net(), x, y, method, epochs=3)
        assert h.stop_reason == "epochs" and h.epochs == 3 and len(h.loss) == 4


def test_stop_goal() -> None:
    x, y = curve(30)
    h = fit_curve(tanh_net(), x, y, "lm", epochs=1000, goal=1e-2)
    assert h.stop_reason == "goal"
    assert h.loss[-1] <= 1e-2 < min(h.loss[:-1])


def test_stop_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The time criterion, on a fake clock that advances 10 ms per reading: deterministic on
    a busy machine, and it still fails if ``time_limit`` is ignored or checked late."""
    import types

    from companion.nn import lm

    ticks = iter(range(10**6))
    monkeypatch.setattr(lm, "time", types.SimpleNamespace(perf_counter=lambda: 0.01 * next(ticks)))
    x, y = curve(30)
    h = fit_curve(tanh_net(), x, y, "gd", epochs=10**9, time_limit=0.05)
    assert h.stop_reason == "time"
    # readings 0.01, 0.02, … of the fake clock after the start: the first one ≥ 0.05 (epoch 4) ends it
    fake_readings = np.array(h.elapsed)
    assert h.epochs == 4 and np.allclose(fake_readings, 0.01 * np.arange(1, 6))


def test_stop_min_grad() -> None:
    x, y = curve(30)
    h = fit_curve(tanh_net(), x, y, "lm", epochs=1000, min_grad=1e-3)
    assert h.stop_reason == "min_grad"
    assert h.grad_norm[-1] < 1e-3 <= min(h.grad_norm[:-1])


def test_stop_mu_max() -> None:
    """At a minimum no step lowers the error any more, so μ climbs past its ceiling."""
    rng = np.random.default_rng(7)
    x = rng.standard_normal((30, 2))
    y = x @ np.array([[1.0], [-1.0]]) + 0.1 * rng.standard_normal((30, 1))
    # A linear model: Gauss–Newton is exact, so after a few steps nothing improves further.
    h = fit_curve(Sequential(Linear(2, 1, rng=rng)), x, y, "lm", epochs=2000, min_grad=0.0, mu_max=1e6)
    assert h.stop_reason == "mu_max" and h.epochs < 50
    assert h.mu[-1] > 1e6 >= max(h.mu[:-1])


def test_stop_max_fail_restores_best_validation_weights() -> None:
    x, y = curve(16, seed=0, noise=0.3)  # few noisy points, many parameters: it will overfit
    xv, yv = curve(61, seed=1, noise=0.3)
    net = tanh_net(seed=0, hidden=20)
    h = fit_curve(net, x, y, "lm", epochs=500, x_val=xv, y_val=yv, max_fail=6)
    assert h.stop_reason == "max_fail"
    best = int(np.argmin(h.val_loss))
    assert h.best_epoch == best == h.epochs - 6
    assert np.mean((net(xv) - yv) ** 2) == pytest.approx(h.val_loss[best], rel=1e-12)
    assert h.loss[-1] < h.loss[best]  # training error kept falling while validation rose


def test_stop_diverged() -> None:
    x, y = curve(30)
    h = fit_curve(tanh_net(), x, y, "gd", lr=1e3, epochs=100)
    assert h.stop_reason == "diverged" and not np.isfinite(h.loss[-1])


def test_stop_reasons_are_documented() -> None:
    assert set(STOP_REASONS) == {"epochs", "time", "goal", "min_grad", "mu_max", "max_fail", "diverged"}


# --- bad input ----------------------------------------------------------------------------------
def test_fit_bad_input() -> None:
    net = tanh_net()
    x, y = curve(10)
    msg = r"fit_curve: the model maps x to shape \(10, 1\), so y must .* got \(10,\).*reshape"
    with pytest.raises(ValueError, match=msg):
        fit_curve(net, x, y.ravel())
    with pytest.raises(ValueError, match="fit_curve: method must be one of 'lm', 'gd', got 'adam'"):
        fit_curve(net, x, y, "adam")
    with pytest.raises(ValueError, match="fit_curve: give both x_val and y_val"):
        fit_curve(net, x, y, x_val=x)
    with pytest.raises(ValueError, match=r"fit_curve: mu_inc must be a finite number in \[1, inf\), got 0.5"):
        fit_curve(net, x, y, mu_inc=0.5)
    with pytest.raises(TypeError, match="fit_curve: epochs must be an integer >= 0, got 10.0"):
        fit_curve(net, x, y, epochs=10.0)
    with pytest.raises(ValueError, match=r"Linear\(1 -> 8\): expected input of shape \(N, 1\), got \(10, 2\)"):
        fit_curve(net, np.zeros((10, 2)), y)
    with pytest.raises(ValueError, match=r"fit_curve: time_limit must be a number in \[0, inf\], got -1.0"):
        fit_curve(net, x, y, time_limit=-1.0)
    with pytest.raises(ValueError, match=r"fit_curve: time_limit must be a number in \[0, inf\], got nan"):
        fit_curve(net, x, y, time_limit=np.nan)
    with pytest.raises(ValueError, match=r"fit_curve: the model has Dropout in training mode.*model.eval\(\)"):
        fit_curve(Sequential(Linear(1, 4, rng=0), Dropout(0.5), Linear(4, 1, rng=0)), x, y)
    f32 = Sequential(Linear(1, 2, rng=0, dtype=np.float32))
    with pytest.raises(ValueError, match="fit_curve: parameter '0.W' is float32"):
        fit_curve(f32, x, np.zeros((10, 2)))
