"""The core layers and losses (companion.nn.layers, companion.nn.losses), checked independently.

Gradients against central differences in float64 (companion.nn.gradcheck, relative error
< 1e-7 for every parameter, biases included, and the input); the numerically stable
functions against scipy.special; shapes swept with Hypothesis; bad input must raise a
ValueError naming the layer or function.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.special as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from companion.nn import (
    Dropout,
    Flatten,
    Linear,
    ReLU,
    Sequential,
    Sigmoid,
    Tanh,
    gradcheck,
    log_softmax,
    logsumexp,
    mse_loss,
    numerical_gradient,
    rel_error,
    sigmoid,
    softmax,
    softmax_cross_entropy,
)

TOL = 1e-7
ACTIVATIONS = [Sigmoid, Tanh, ReLU]


def away_from_zero(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Normal samples pushed at least 0.1 away from 0, so a ±1e-6 step never crosses ReLU's kink."""
    x = rng.standard_normal(shape)
    return np.where(x >= 0, x + 0.1, x - 0.1)


def assert_all_checked(report, model) -> None:
    assert set(report.errors) == {"input", *model.params}
    assert report.max_error < TOL, str(report)


# --- gradients of every layer ----------------------------------------------------------------
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradcheck(bias: bool) -> None:
    rng = np.random.default_rng(0)
    layer = Linear(4, 3, rng=rng, bias=bias)
    if bias:
        layer.params["b"][...] = rng.standard_normal(3)  # a non-zero bias is a stronger check
    report = gradcheck(layer, rng.standard_normal((5, 4)))
    assert_all_checked(report, layer)
    assert ("b" in report.errors) == bias


def test_linear_backward_formulas() -> None:
    """dW = xᵀ dout, db = Σ_n dout, dx = dout Wᵀ — the closed forms of Backpropagation §2."""
    rng = np.random.default_rng(1)
    layer = Linear(3, 2, rng=rng)
    x, dout = rng.standard_normal((6, 3)), rng.standard_normal((6, 2))
    layer(x)
    dx = layer.backward(dout)
    np.testing.assert_allclose(layer.grads["W"], x.T @ dout)
    np.testing.assert_allclose(layer.grads["b"], dout.sum(axis=0))
    np.testing.assert_allclose(dx, dout @ layer.params["W"].T)


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_gradcheck(act: type) -> None:
    rng = np.random.default_rng(2)
    report = gradcheck(act(), away_from_zero(rng, (4, 5)))
    assert report.errors["input"] < TOL and not report.kinks


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_values_against_reference(act: type) -> None:
    x = np.linspace(-5, 5, 101)
    ref = {Sigmoid: sp.expit(x), Tanh: np.tanh(x), ReLU: np.where(x > 0, x, 0.0)}[act]
    np.testing.assert_allclose(act()(x), ref, rtol=1e-15, atol=1e-300)


def test_dropout_eval_mode_is_identity_and_gradchecks() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((6, 4))
    d = Dropout(0.5, rng=0).eval()
    np.testing.assert_array_equal(d(x), x)
    np.testing.assert_array_equal(d.backward(x), x)
    report = gradcheck(d, x)
    assert report.errors["input"] < TOL


def test_dropout_with_a_fixed_mask_gradchecks() -> None:
    """In training mode, re-seed before every forward so each evaluation sees the same mask."""
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 4))
    proj = rng.standard_normal((6, 4))
    d = Dropout(0.3)

    def forward() -> np.ndarray:
        d.rng = np.random.default_rng(123)
        return d.forward(x)

    forward()
    analytic = d.backward(proj)
    numeric, kink = numerical_gradient(lambda: float(np.sum(forward() * proj)), x)
    assert not kink.any()
    assert rel_error(analytic, numeric) < TOL
    mask = forward() / x
    assert set(np.round(np.unique(mask), 12)) <= {0.0, round(1 / 0.7, 12)}


def test_gradcheck_refuses_training_mode_dropout() -> None:
    with pytest.raises(ValueError, match="Dropout in training mode"):
        gradcheck(Sequential(Linear(2, 2, rng=0), Dropout(0.5)), np.ones((3, 2)))


def test_inverted_dropout_keeps_the_expectation() -> None:
    """E[mask] = (1 − p) · 1/(1 − p) = 1: each output's mean over many draws is its input."""
    p, n = 0.4, 200_000
    d = Dropout(p, rng=5)
    x = np.full((n, 1), 3.0)
    y = d(x)
    dropped = np.mean(y == 0.0)
    # Binomial counts: standard error sqrt(p(1 − p)/n) ≈ 0.0011; allow 5 standard errors.
    se = np.sqrt(p * (1 - p) / n)
    assert abs(dropped - p) < 5 * se
    # mean(y) = 3 · kept/(n(1 − p)), whose standard error is 3 · se/(1 − p).
    assert abs(y.mean() - 3.0) < 5 * 3.0 * se / (1 - p)
    np.testing.assert_allclose(np.unique(y), [0.0, 3.0 / (1 - p)])
    # backward applies the same mask to the incoming gradient
    np.testing.assert_array_equal(d.backward(np.ones_like(x)), y / 3.0)


def test_flatten_gradcheck_in_a_stack() -> None:
    rng = np.random.default_rng(6)
    net = Sequential(Flatten(), Linear(12, 3, rng=rng), Tanh(), Linear(3, 2, rng=rng))
    x = rng.standard_normal((4, 3, 2, 2))
    report = gradcheck(net, x)
    assert_all_checked(report, net)
    assert net.backward(np.ones((4, 2))).shape == x.shape


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_sequential_stack_gradcheck_with_both_losses(act: type) -> None:
    rng = np.random.default_rng(7)
    net = Sequential(Linear(3, 6, rng=rng), act(), Linear(6, 5, rng=rng), act(), Linear(5, 4, rng=rng))
    for layer in net.layers:
        if "b" in layer.params:
            layer.params["b"][...] = 0.1 * rng.standard_normal(layer.params["b"].shape)
    x = rng.standard_normal((8, 3))
    report = gradcheck(net, x, softmax_cross_entropy, rng.integers(0, 4, 8))
    assert_all_checked(report, net)
    report = gradcheck(net, x, mse_loss, rng.standard_normal((8, 4)))
    assert_all_checked(report, net)
    assert set(net.params) == {"0.W", "0.b", "2.W", "2.b", "4.W", "4.b"}


@settings(max_examples=25, deadline=None, derandomize=True)
@given(n=st.integers(1, 6), d_in=st.integers(1, 5), d_out=st.integers(1, 5), seed=st.integers(0, 2**16))
def test_linear_tanh_gradcheck_over_shapes(n: int, d_in: int, d_out: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    net = Sequential(Linear(d_in, d_out, rng=rng), Tanh())
    net.layers[0].params["b"][...] = rng.standard_normal(d_out)
    report = gradcheck(net, rng.standard_normal((n, d_in)))
    assert_all_checked(report, net)
    assert net(rng.standard_normal((n, d_in))).shape == (n, d_out)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=4), seed=st.integers(0, 2**16))
def test_activations_any_shape(shape: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = away_from_zero(rng, tuple(shape))
    for act in ACTIVATIONS:
        layer = act()
        assert layer(x).shape == x.shape
        assert gradcheck(layer, x).errors["input"] < TOL


@settings(max_examples=25, deadline=None, derandomize=True)
@given(n=st.integers(1, 6), c=st.integers(2, 6), seed=st.integers(0, 2**16))
def test_softmax_cross_entropy_gradient_over_shapes(n: int, c: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    scores, labels = rng.standard_normal((n, c)), rng.integers(0, c, n)
    loss, dscores = softmax_cross_entropy(scores, labels)
    num, _ = numerical_gradient(lambda: softmax_cross_entropy(scores, labels)[0], scores)
    assert rel_error(dscores, num) < TOL
    # the closed form: (softmax − one-hot)/N; and the loss equals scipy's log_softmax average
    onehot = np.eye(c)[labels]
    np.testing.assert_allclose(dscores, (sp.softmax(scores, axis=1) - onehot) / n, atol=1e-15)
    assert loss == pytest.approx(-np.mean(sp.log_softmax(scores, axis=1)[np.arange(n), labels]), rel=1e-12)


@settings(max_examples=25, deadline=None, derandomize=True)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 2**16))
def test_mse_loss_gradient_over_shapes(shape: list[int], seed: int) -> None:
    rng = np.random.default_rng(seed)
    pred, target = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dpred = mse_loss(pred, target)
    assert loss == pytest.approx(np.sum((pred - target) ** 2) / pred.size, rel=1e-12)
    num, _ = numerical_gradient(lambda: mse_loss(pred, target)[0], pred)
    assert rel_error(dpred, num) < TOL


# --- numerical stability at ±1e4 (pytest turns any numpy warning into an error) ------------------
def test_stable_functions_at_extremes() -> None:
    big = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]])
    np.testing.assert_allclose(logsumexp(big, axis=1), sp.logsumexp(big, axis=1), rtol=1e-15)
    # log_softmax = x − logsumexp(x) rounds at the scale of 1e4: one ulp there is 1.8e-12
    np.testing.assert_allclose(log_softmax(big, axis=1), sp.log_softmax(big, axis=1), rtol=1e-15, atol=1e-11)
    np.testing.assert_allclose(softmax(big, axis=1), sp.softmax(big, axis=1), rtol=1e-11)
    s = sigmoid(np.array([-1e4, -50.0, 0.0, 50.0, 1e4]))
    np.testing.assert_allclose(s, sp.expit([-1e4, -50.0, 0.0, 50.0, 1e4]), rtol=1e-15, atol=0)
    assert np.all(np.isfinite(s))
    loss, d = softmax_cross_entropy(big, np.array([1, 0, 2]))
    # row 0: label 1 scores 2e4 below the max, so its loss is 2e4; row 1: ln 3; row 2: 2e4 + ln 2
    assert loss == pytest.approx((2e4 + np.log(3) + 2e4 + np.log(2)) / 3, rel=1e-12)
    assert np.all(np.isfinite(d))
    for act in (Sigmoid(), Tanh(), ReLU()):
        y = act(big)
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(act.backward(np.ones_like(big))))


# --- ReLU at zero ------------------------------------------------------------------------------
@pytest.mark.parametrize("g0", [0.0, 0.5, 1.0])
def test_relu_grad_at_zero_is_the_convention(g0: float) -> None:
    r = ReLU(grad_at_zero=g0)
    r(np.array([-2.0, -0.0, 0.0, 3.0]))
    np.testing.assert_array_equal(r.backward(np.ones(4)), [0.0, g0, g0, 1.0])


def test_gradcheck_reports_relu_kinks() -> None:
    x = np.array([[-1.0, 0.0, 2.0]])
    report = gradcheck(ReLU(), x)
    assert report.kinks == {"input": [(0, 1)]}
    assert report.errors["input"] < TOL  # the smooth elements still agree


# --- dtypes --------------------------------------------------------------------------------------
def test_float32_layers_stay_float32() -> None:
    layer = Linear(3, 2, rng=0, dtype=np.float32)
    y = layer(np.ones((4, 3)))
    assert y.dtype == np.float32 and layer.params["W"].dtype == layer.grads["W"].dtype == np.float32
    assert layer.backward(np.ones((4, 2))).dtype == np.float32
    assert Tanh()(y).dtype == np.float32
    with pytest.raises(ValueError, match="gradcheck: parameter 'W' is float32"):
        gradcheck(layer, np.ones((4, 3)))


def test_integer_input_is_promoted_to_float64() -> None:
    assert Linear(2, 2, rng=0)(np.array([[1, 2]])).dtype == np.float64


# --- bad input: a ValueError naming the layer, the expected and the received shape/dtype -------
def test_linear_bad_input() -> None:
    layer = Linear(3, 4, rng=0)
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): expected input of shape \(N, 3\), got \(5, 2\)"):
        layer(np.zeros((5, 2)))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): expected input of shape \(N, 3\).*\(3,\)"):
        layer(np.zeros(3))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): input must hold real numbers, got dtype complex128"):
        layer(np.zeros((2, 3), dtype=complex))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): input contains NaN"):
        layer(np.full((2, 3), np.nan))
    layer(np.zeros((5, 3)))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): expected dout of shape \(5, 4\), got \(5, 3\)"):
        layer.backward(np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Linear: in_features must be an integer >= 1, got 0"):
        Linear(0, 2)
    with pytest.raises(TypeError, match="Linear: out_features must be an integer >= 1, got 2.5"):
        Linear(2, 2.5)
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): input is empty \(shape \(0, 3\)\)"):
        layer(np.zeros((0, 3)))
    with pytest.raises(RuntimeError, match=r"Linear\(3 -> 4\): backward called before forward"):
        Linear(3, 4, rng=0).backward(np.zeros((1, 4)))


@pytest.mark.parametrize("act", ACTIVATIONS)
def test_activation_bad_input(act: type) -> None:
    layer = act()
    name = repr(layer).split("(")[0]
    with pytest.raises(ValueError, match=rf"{name}.*: input must hold real numbers, got dtype <U1"):
        layer(np.array(["a"]))
    layer(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=rf"{name}.*: expected dout of shape \(2, 3\), got \(3, 2\)"):
        layer.backward(np.zeros((3, 2)))


def test_dropout_bad_p() -> None:
    with pytest.raises(ValueError, match=r"Dropout: p must be a finite number in \[0, 1\), got 1.0"):
        Dropout(1.0)
    with pytest.raises(TypeError, match="Dropout: p must be a number, got '0.5'"):
        Dropout("0.5")


def test_sequential_rejects_non_modules() -> None:
    with pytest.raises(TypeError, match="Sequential: item 1 must be a companion.nn Module, got function"):
        Sequential(Linear(2, 2), lambda x: x)


def test_softmax_cross_entropy_bad_input() -> None:
    scores = np.zeros((3, 4))
    expected = (r"softmax_cross_entropy: labels run from 0 to 4 but scores have 4 column\(s\); "
                r"expected labels in \[0, 4\)")
    with pytest.raises(ValueError, match=expected):
        softmax_cross_entropy(scores, np.array([0, 1, 4]))
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .*expected labels in \[0, 4\)"):
        softmax_cross_entropy(scores, np.array([0, -1, 2]))
    msg = "softmax_cross_entropy: labels must be integer class indices, got dtype float64"
    with pytest.raises(ValueError, match=msg):
        softmax_cross_entropy(scores, np.array([0.0, 1.0, 2.0]))
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: .* labels must have shape \(3,\), got \(3, 1\)"):
        softmax_cross_entropy(scores, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match=r"softmax_cross_entropy: expected scores of shape \(N, C\).*\(4,\)"):
        softmax_cross_entropy(np.zeros(4), np.array([0]))


def test_mse_loss_bad_input() -> None:
    with pytest.raises(ValueError, match=r"mse_loss: pred has shape \(4, 1\) but target has shape \(4,\)"):
        mse_loss(np.zeros((4, 1)), np.zeros(4))
    with pytest.raises(ValueError, match="mse_loss: target must hold real numbers"):
        mse_loss(np.zeros(2), np.array(["a", "b"]))


def test_flatten_bad_dout_names_the_layer() -> None:
    f = Flatten()
    f(np.zeros((2, 3, 4)))
    with pytest.raises(ValueError, match=r"Flatten.*expected dout of shape \(2, 12\), got \(2, 5\)"):
        f.backward(np.zeros((2, 5)))


def test_dropout_bad_dout_names_the_layer() -> None:
    d = Dropout(0.5, rng=0)
    d(np.ones((2, 3)))
    with pytest.raises(ValueError, match=r"Dropout.*expected dout of shape \(2, 3\), got \(2, 5\)"):
        d.backward(np.zeros((2, 5)))


# --- skipping the input gradient (input_grad=False) -------------------------------------------
@pytest.mark.parametrize("first", ["linear", "conv", "rnn"])
def test_input_grad_false_skips_dx_and_changes_no_parameter_gradient(first: str) -> None:
    """Frameworks skip dL/dx when the input needs no gradient; so can the companion, opt-in.
    Every parameter gradient is bit-for-bit the one of the full backward pass."""
    from companion.nn import RNN, Conv2d, Flatten, TemporalPool

    rng = np.random.default_rng(0)
    if first == "linear":
        net, x = Sequential(Linear(5, 7, rng=1), ReLU(), Linear(7, 3, rng=2)), rng.normal(size=(4, 5))
    elif first == "conv":
        net, x = Sequential(Conv2d(2, 3, 3, padding=1, rng=1), ReLU(), Flatten(), Linear(48, 3, rng=2)), \
            rng.normal(size=(4, 2, 4, 4))
    else:
        net, x = Sequential(RNN(3, 5, rng=1), TemporalPool("max"), Linear(5, 3, rng=2)), rng.normal(size=(4, 6, 3))
    dout = rng.normal(size=(4, 3))
    net(x)
    dx = net.backward(dout)
    full = {k: g.copy() for k, g in net.grads.items()}
    net.zero_grad()
    net(x)
    assert dx.shape == x.shape
    assert net.backward(dout, input_grad=False) is None
    for k, g in net.grads.items():
        np.testing.assert_array_equal(g, full[k], err_msg=k)


def test_linear_keeps_its_own_copy_of_the_input() -> None:
    """Zeroing (or reusing) the input array after forward must not change dW."""
    lin = Linear(3, 2, rng=0)
    x = np.arange(6.0).reshape(2, 3)
    dout = np.ones((2, 2))
    lin(x)
    lin.backward(dout)
    expected = lin.grads["W"].copy()
    lin(x)
    x[...] = 0.0
    lin.backward(dout)
    np.testing.assert_array_equal(lin.grads["W"], expected)


def test_sequential_checks_at_its_door_and_the_loss_catches_an_inner_overflow() -> None:
    """A Sequential checks its input (first layer) and dout (last layer) for NaN; its inner
    layers skip the re-check, so a NaN made inside (diverged weights) is caught by the loss."""
    from companion._checks import BETWEEN_LAYERS

    net = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    x = np.ones((5, 3))
    with pytest.raises(ValueError, match=r"Linear\(3 -> 4\): input contains NaN"):
        net(np.where(np.eye(5, 3) > 0, np.nan, x))
    net(x)
    with pytest.raises(ValueError, match=r"Linear\(4 -> 2\): dout contains NaN"):
        net.backward(np.full((5, 2), np.inf))
    assert BETWEEN_LAYERS.get() is False  # reset after an error, too
    net.params["2.W"][0, 0] = np.nan  # as after a diverged update
    scores = net(x)
    assert np.isnan(scores).any()
    with pytest.raises(ValueError, match="scores contains NaN"):
        softmax_cross_entropy(scores, np.zeros(5, dtype=int))
    # A layer called on its own still checks everything.
    with pytest.raises(ValueError, match=r"ReLU\(grad_at_zero=0\): input contains NaN"):
        ReLU()(np.array([[np.nan]]))
    assert BETWEEN_LAYERS.get() is False


def test_sequential_keeps_its_own_copy_of_the_input_and_nests() -> None:
    """Zeroing the network's input after forward must not change dW; a Sequential inside a
    Sequential gives the same gradients as the flat one."""
    rng = np.random.default_rng(3)
    x, dout = rng.normal(size=(4, 3)), rng.normal(size=(4, 2))
    flat = Sequential(Linear(3, 5, rng=0), Tanh(), Linear(5, 2, rng=1))
    nested = Sequential(Sequential(Linear(3, 5, rng=0), Tanh()), Sequential(Linear(5, 2, rng=1)))
    flat(x)
    flat.backward(dout)
    for net in (nested, Sequential(Linear(3, 5, rng=0), Tanh(), Linear(5, 2, rng=1))):
        x_used = x.copy()
        net(x_used)
        x_used[...] = 0.0
        net.backward(dout)
        for got, want in zip(net.grads.values(), flat.grads.values()):
            np.testing.assert_array_equal(got, want)


def test_finite_check_refuses_nan_and_inf_and_allows_large_finite_values() -> None:
    from companion._checks import as_float_array

    with pytest.raises(ValueError, match="contains NaN or infinity"):
        as_float_array(np.array([np.inf, -np.inf, 1.0]), "t")          # both signs of infinity
    with pytest.raises(ValueError, match="contains NaN or infinity"):
        as_float_array(np.array([1.0, np.nan]), "t")
    big = np.full(4, 1e308)                                             # finite, however large
    assert as_float_array(big, "t") is big


def test_a_readers_layer_with_the_old_backward_signature_still_works() -> None:
    """Readers subclass layers with ``def backward(self, dout)``; Sequential must keep calling
    them as before (the keyword goes only to a first layer asked to skip dL/dx)."""

    class MyLinear(Linear):
        def backward(self, dout):
            return super().backward(dout)

    net = Sequential(MyLinear(3, 4, rng=0), ReLU(), MyLinear(4, 2, rng=1))
    x = np.random.default_rng(0).normal(size=(5, 3))
    net(x)
    assert net.backward(np.ones((5, 2))).shape == (5, 3)


def test_nguyen_widrow_tiles_the_input_range_with_active_regions():
    """MATLAB's initnw: rows of length 2β (β = 0.7 m^(1/n)) on [-1, 1] inputs, biases evenly
    spaced over ±2β, and a [min, max] input range mapped onto [-1, 1] exactly."""
    from companion.nn import nguyen_widrow

    n, m = 3, 20
    W, b = nguyen_widrow(0, n, m)
    beta = 0.7 * m ** (1 / n)
    assert W.shape == (n, m) and b.shape == (m,)
    np.testing.assert_allclose(np.linalg.norm(W, axis=0), 2 * beta, rtol=1e-12)
    np.testing.assert_allclose(np.abs(b), 2 * beta * np.abs(np.linspace(-1, 1, m)), rtol=1e-12)
    assert np.array_equal(np.sign(b[b != 0]), (np.sign(np.linspace(-1, 1, m)) * np.sign(W[0]))[b != 0])
    # on inputs in [low, high], the layer computes what the [-1, 1] layer computes on rescaled inputs
    low, high = np.array([0.0, -5.0, 10.0]), np.array([1.0, 5.0, 30.0])
    Ws, bs = nguyen_widrow(7, n, m, input_range=(low, high))
    W1, b1 = nguyen_widrow(7, n, m)
    x = np.random.default_rng(1).uniform(low, high, (50, n))
    np.testing.assert_allclose(x @ Ws + bs, (2 * (x - low) / (high - low) - 1) @ W1 + b1, rtol=1e-12, atol=1e-12)
    assert np.array_equal(nguyen_widrow(0, 4, 1)[1], np.zeros(1))  # one unit: bias 0
    with pytest.raises(ValueError, match="nguyen_widrow: input_range must have high > low"):
        nguyen_widrow(0, 2, 3, input_range=(np.zeros(2), np.array([1.0, 0.0])))
    with pytest.raises(ValueError, match="nguyen_widrow: input_range needs 2 lows"):
        nguyen_widrow(0, 2, 3, input_range=(np.zeros(3), np.ones(3)))
    with pytest.raises(TypeError, match="nguyen_widrow: input_range must be a pair"):
        nguyen_widrow(0, 2, 3, input_range=np.ones(2))
    with pytest.raises(ValueError, match="nguyen_widrow: active_range"):
        nguyen_widrow(0, 2, 3, active_range=0.0)
