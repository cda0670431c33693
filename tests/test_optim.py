"""Tests of companion.nn.optim: SGD (with and without momentum, weight decay) and Adam.

Each optimiser is run step by step on a tiny model and compared with the update formulas
written out by hand here, from a gradient computed in closed form (not by the model).
"""

from __future__ import annotations

import numpy as np
import pytest

from companion.nn import SGD, Adam, Linear, Sequential, Tanh, mse_loss

X = np.array([[1.0, -2.0], [0.5, 3.0], [-1.5, 0.25]])
Y = np.array([[0.5], [-1.0], [2.0]])
W0 = np.array([[0.3], [-0.2]])
B0 = np.array([0.1])


def tiny() -> Linear:
    model = Linear(2, 1, rng=0)
    model.params["W"][...] = W0
    model.params["b"][...] = B0
    return model


def closed_form_grad(w: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """MSE over N samples of one output: L = (1/N) Σ (x w + b − y)², so dL/dw = (2/N) xᵀr, dL/db = (2/N) Σ r."""
    r = X @ w + b - Y
    n = X.shape[0]
    return 2.0 * X.T @ r / n, 2.0 * r.sum(axis=0) / n


def backward_step(model: Linear) -> None:
    model.zero_grad()
    _, d = mse_loss(model(X), Y)
    model.backward(d)


def test_model_gradient_is_the_closed_form():
    model = tiny()
    backward_step(model)
    dw, db = closed_form_grad(W0, B0)
    np.testing.assert_allclose(model.grads["W"], dw, rtol=1e-13)
    np.testing.assert_allclose(model.grads["b"], db, rtol=1e-13)


@pytest.mark.parametrize("lr", [0.01, 0.1, 0.3])
def test_plain_sgd_step_by_step(lr):
    model = tiny()
    opt = SGD(model, lr=lr)
    w, b = W0.copy(), B0.copy()
    for _ in range(6):
        backward_step(model)
        dw, db = closed_form_grad(w, b)
        w, b = w - lr * dw, b - lr * db  # every parameter at once, from the same gradient
        opt.step()
        np.testing.assert_allclose(model.params["W"], w, rtol=1e-12)
        np.testing.assert_allclose(model.params["b"], b, rtol=1e-12)  # the bias moves like a weight


@pytest.mark.parametrize("momentum", [0.5, 0.9])
def test_momentum_sgd_step_by_step(momentum):
    lr = 0.05
    model = tiny()
    opt = SGD(model, lr=lr, momentum=momentum)
    w, b = W0.copy(), B0.copy()
    vw, vb = np.zeros_like(w), np.zeros_like(b)
    for _ in range(6):
        backward_step(model)
        dw, db = closed_form_grad(w, b)
        vw, vb = momentum * vw + dw, momentum * vb + db
        w, b = w - lr * vw, b - lr * vb
        opt.step()
        np.testing.assert_allclose(model.params["W"], w, rtol=1e-12)
        np.testing.assert_allclose(model.params["b"], b, rtol=1e-12)


def test_weight_decay_adds_lambda_theta():
    lr, wd = 0.1, 0.01
    model = tiny()
    opt = SGD(model, lr=lr, weight_decay=wd)
    w, b = W0.copy(), B0.copy()
    for _ in range(3):
        backward_step(model)
        dw, db = closed_form_grad(w, b)
        w, b = w - lr * (dw + wd * w), b - lr * (db + wd * b)
        opt.step()
    np.testing.assert_allclose(model.params["W"], w, rtol=1e-12)
    np.testing.assert_allclose(model.params["b"], b, rtol=1e-12)


def test_momentum_on_a_constant_gradient_matches_the_geometric_series():
    """With a constant gradient g, after t steps θ moved by −lr·g·Σ_{k≤t}(1−μ^k)/(1−μ)."""
    lr, mu, t = 0.1, 0.8, 7
    rng = np.random.default_rng(0)
    model = Linear(3, 2, rng=0)
    x, proj = rng.standard_normal((4, 3)), rng.standard_normal((4, 2))
    w0, b0 = model.params["W"].copy(), model.params["b"].copy()
    opt = SGD(model, lr=lr, momentum=mu)
    for _ in range(t):
        model(x)
        model.backward(proj)  # L = Σ out ⊙ proj is linear in θ: its gradient never changes
        opt.step()
    factor = (t - mu * (1 - mu**t) / (1 - mu)) / (1 - mu)
    np.testing.assert_allclose(model.params["W"], w0 - lr * factor * (x.T @ proj), rtol=1e-12)
    np.testing.assert_allclose(model.params["b"], b0 - lr * factor * proj.sum(axis=0), rtol=1e-12)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.9)])
def test_adam_step_by_step(betas):
    lr, eps = 0.01, 1e-8
    b1, b2 = betas
    model = tiny()
    opt = Adam(model, lr=lr, betas=betas, eps=eps)
    theta = {"W": W0.copy(), "b": B0.copy()}
    m = {k: np.zeros_like(v) for k, v in theta.items()}
    v = {k: np.zeros_like(v) for k, v in theta.items()}
    for t in range(1, 8):
        backward_step(model)
        g = dict(zip(("W", "b"), closed_form_grad(theta["W"], theta["b"]), strict=True))
        for k in theta:
            m[k] = b1 * m[k] + (1 - b1) * g[k]
            v[k] = b2 * v[k] + (1 - b2) * g[k] ** 2
            m_hat, v_hat = m[k] / (1 - b1**t), v[k] / (1 - b2**t)
            theta[k] = theta[k] - lr * m_hat / (np.sqrt(v_hat) + eps)
        opt.step()
        for k in theta:
            np.testing.assert_allclose(model.params[k], theta[k], rtol=1e-12, err_msg=f"{k} at step {t}")


def _adam_by_hand(params, grads, m, v, t, lr=1e-2, b1=0.9, b2=0.999, eps=1e-8):
    """One Adam step, parameter by parameter, in the optimiser's own order of operations."""
    for k, p in params.items():
        g = grads[k]
        m[k] = b1 * m.get(k, np.zeros_like(p)) + (1.0 - b1) * g
        v[k] = b2 * v.get(k, np.zeros_like(p)) + (1.0 - b2) * g * g
        p -= lr * (m[k] / (1.0 - b1**t)) / (np.sqrt(v[k] / (1.0 - b2**t)) + eps)


def test_adam_updates_mixed_dtypes_exactly_and_keeps_moments_when_the_model_grows():
    """Adam updates each dtype's parameters as one flat vector: the result must be bit for bit
    the per-parameter formula, float32 parameters must stay float32, and a layer added after
    some steps starts from zero moments while the others keep theirs."""
    rng = np.random.default_rng(4)
    model = Sequential(Linear(3, 5, rng=0, dtype=np.float32), Tanh(), Linear(5, 2, rng=1))
    ref = {k: p.copy() for k, p in model.params.items()}
    m, v = {}, {}
    opt = Adam(model, lr=1e-2)
    for t in range(1, 9):
        if t == 5:  # the model grows: a new last layer
            model.layers.append(Linear(2, 1, rng=2))
            ref.update({k: p.copy() for k, p in model.params.items() if k not in ref})
        out = model(rng.normal(size=(4, 3)))
        model.backward(np.ones_like(out))
        _adam_by_hand(ref, model.grads, m, v, t)
        opt.step()
        for k, p in model.params.items():
            assert p.dtype == ref[k].dtype
            np.testing.assert_array_equal(p, ref[k], err_msg=f"{k} at step {t}")
            np.testing.assert_array_equal(opt.state[k]["m"], m[k], err_msg=f"m of {k} at step {t}")


def test_adam_first_step_moves_every_parameter_by_about_lr():
    """At t = 1 the bias-corrected m̂ = g and v̂ = g², so the step is lr·g/(|g| + eps) ≈ lr·sign(g)."""
    lr = 0.003
    model = Sequential(Linear(2, 4, rng=0), Tanh(), Linear(4, 1, rng=1))
    before = {k: p.copy() for k, p in model.params.items()}
    _, d = mse_loss(model(X), Y)
    model.backward(d)
    grads = {k: g.copy() for k, g in model.grads.items()}
    Adam(model, lr=lr).step()
    for k, p in model.params.items():
        g = grads[k]
        np.testing.assert_allclose(p - before[k], -lr * g / (np.abs(g) + 1e-8), rtol=1e-12, atol=1e-15)
        big = np.abs(g) > 1e-4
        np.testing.assert_allclose(np.abs(p - before[k])[big], lr, rtol=1e-4)
    assert set(model.params) == {"0.W", "0.b", "2.W", "2.b"}  # biases included


def test_sequential_biases_updated_like_weights():
    lr = 0.2
    model = Sequential(Linear(2, 3, rng=0), Tanh(), Linear(3, 1, rng=1))
    model.params["0.b"][...] = [0.1, -0.2, 0.3]
    before = {k: p.copy() for k, p in model.params.items()}
    _, d = mse_loss(model(X), Y)
    model.backward(d)
    grads = {k: g.copy() for k, g in model.grads.items()}
    SGD(model, lr=lr).step()
    for k in before:
        np.testing.assert_allclose(model.params[k], before[k] - lr * grads[k], rtol=1e-13)
        assert not np.array_equal(model.params[k], before[k]), k


@pytest.mark.parametrize(("lr", "error"), [(0.0, ValueError), (-0.1, ValueError), (np.nan, ValueError),
                                           (np.inf, ValueError), ("0.1", TypeError), (True, TypeError)])
def test_bad_learning_rates_rejected(lr, error):
    message = r"must be a finite number in \(0, inf\)" if error is ValueError else "must be a number"
    with pytest.raises(error, match=f"SGD: lr {message}"):
        SGD(tiny(), lr=lr)
    with pytest.raises(error, match=f"Adam: lr {message}"):
        Adam(tiny(), lr=lr)


@pytest.mark.parametrize("momentum", [-0.1, 1.0, 1.5])
def test_bad_momentum_rejected(momentum):
    with pytest.raises(ValueError, match=r"SGD: momentum must be a finite number in \[0, 1\)"):
        SGD(tiny(), lr=0.1, momentum=momentum)


@pytest.mark.parametrize(("decay", "error"), [(-1.0, ValueError), (np.nan, ValueError), ("0", TypeError)])
def test_bad_weight_decay_rejected(decay, error):
    with pytest.raises(error, match="SGD: weight_decay must be"):
        SGD(tiny(), lr=0.1, weight_decay=decay)


@pytest.mark.parametrize("eps", [0.0, -1e-8, np.nan])
def test_bad_adam_eps_rejected(eps):
    with pytest.raises(ValueError, match=r"Adam: eps must be a finite number in \(0, inf\)"):
        Adam(tiny(), lr=0.1, eps=eps)


@pytest.mark.parametrize("betas", [(1.0, 0.999), (0.9, 1.0), (-0.1, 0.9), (0.9, -0.5)])
def test_bad_betas_rejected(betas):
    with pytest.raises(ValueError, match=r"Adam: beta[12] must be a finite number in \[0, 1\)"):
        Adam(tiny(), lr=0.1, betas=betas)


def test_optimizer_needs_a_module():
    with pytest.raises(TypeError, match="SGD: model must be a companion.nn Module, got dict"):
        SGD({"W": np.zeros(2)}, lr=0.1)
