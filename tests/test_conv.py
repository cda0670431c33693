"""Conv2d and MaxPool2d: gradient checks, independent references (naive loops, scipy.signal),
shape errors, and a seeded learning test on the real 8×8 digits."""

from __future__ import annotations


import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import convolve, correlate

from companion.nn import (
    Conv2d,
    MaxPool2d,
    Sequential,
    col2im,
    conv2d_backward_naive,
    conv2d_naive,
    gradcheck,
    im2col,
    numerical_gradient,
    rel_error,
    softmax_cross_entropy,
)


def _conv_with_bias(cin: int, cout: int, k, stride, padding, seed: int = 0) -> Conv2d:
    conv = Conv2d(cin, cout, k, stride=stride, padding=padding, rng=seed)
    conv.params["b"][...] = np.random.default_rng(seed + 100).normal(size=cout)  # a non-zero bias
    return conv


def _scipy_conv(x: np.ndarray, W: np.ndarray, b: np.ndarray, stride: int, padding: int) -> np.ndarray:
    """The layer, computed with scipy.signal.correlate (an independent implementation)."""
    xp = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    out = np.stack([
        np.stack([sum(correlate(xp[n, c], W[o, c], mode="valid") for c in range(x.shape[1])) + b[o]
                  for o in range(W.shape[0])])
        for n in range(x.shape[0])
    ])
    return out[:, :, ::stride, ::stride]


# --- gradient checks (float64, central differences) ---------------------------------------
@pytest.mark.parametrize("stride", [1, 2])
@pytest.mark.parametrize("padding", [0, 1])
@pytest.mark.parametrize("cin,cout", [(1, 2), (3, 4)])
def test_conv2d_gradcheck(stride: int, padding: int, cin: int, cout: int) -> None:
    conv = _conv_with_bias(cin, cout, 3, stride, padding)
    x = np.random.default_rng(1).normal(size=(2, cin, 7, 6))  # non-square, odd sizes
    report = gradcheck(conv, x)
    assert set(report.errors) == {"input", "W", "b"}
    for name, err in report.errors.items():
        assert err < 1e-7, (name, err)
    assert not report.kinks  # a convolution is linear: no kinks anywhere


def test_conv2d_gradcheck_rectangular_kernel_and_tuple_stride() -> None:
    conv = _conv_with_bias(2, 3, (2, 3), (2, 1), (1, 0))
    x = np.random.default_rng(2).normal(size=(3, 2, 6, 7))
    report = gradcheck(conv, x)
    assert report.ok and report.max_error < 1e-7, str(report)


def test_cnn_gradcheck_with_softmax_loss() -> None:
    from companion.nn import Flatten, Linear, ReLU

    rng = np.random.default_rng(3)
    net = Sequential(Conv2d(2, 3, 3, padding=1, rng=rng), ReLU(), MaxPool2d(2), Flatten(),
                     Linear(3 * 3 * 3, 4, rng=rng))
    net[0].params["b"][...] = rng.normal(size=3)
    x = rng.normal(size=(5, 2, 6, 6))
    report = gradcheck(net, x, softmax_cross_entropy, rng.integers(0, 4, size=5))
    for name, err in report.errors.items():
        assert err < 1e-7, (name, err)
    assert set(report.errors) == {"input", "0.W", "0.b", "4.W", "4.b"}


# --- forward against independent references -------------------------------------------------
@pytest.mark.parametrize("stride,padding", [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
def test_im2col_forward_equals_naive_loop_and_scipy(stride: int, padding: int) -> None:
    rng = np.random.default_rng(4)
    conv = _conv_with_bias(3, 5, 3, stride, padding, seed=5)
    x = rng.normal(size=(4, 3, 9, 8))
    y = conv(x)
    W, b = conv.params["W"], conv.params["b"]
    np.testing.assert_allclose(y, conv2d_naive(x, W, b, stride, padding), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y, _scipy_conv(x, W, b, stride, padding), rtol=1e-12, atol=1e-12)


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 3), cin=st.integers(1, 3), cout=st.integers(1, 3), kh=st.integers(1, 4), kw=st.integers(1, 4),
    extra_h=st.integers(0, 5), extra_w=st.integers(0, 5), stride=st.integers(1, 3), padding=st.integers(0, 2),
)
def test_forward_and_backward_match_naive_on_random_shapes(n, cin, cout, kh, kw, extra_h, extra_w, stride, padding):
    rng = np.random.default_rng(n + 10 * cin + 100 * kh)
    h, w = max(kh - 2 * padding, 1) + extra_h, max(kw - 2 * padding, 1) + extra_w
    conv = Conv2d(cin, cout, (kh, kw), stride=stride, padding=padding, rng=rng)
    conv.params["b"][...] = rng.normal(size=cout)
    x = rng.normal(size=(n, cin, h, w))
    y = conv(x)
    W, b = conv.params["W"], conv.params["b"]
    np.testing.assert_allclose(y, conv2d_naive(x, W, b, stride, padding), rtol=1e-11, atol=1e-11)
    dout = rng.normal(size=y.shape)
    dx = conv.backward(dout)
    dx_n, dW_n, db_n = conv2d_backward_naive(x, W, dout, stride, padding)
    np.testing.assert_allclose(dx, dx_n, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(conv.grads["W"], dW_n, rtol=1e-11, atol=1e-11)
    np.testing.assert_allclose(conv.grads["b"], db_n, rtol=1e-11, atol=1e-11)


def test_naive_backward_matches_finite_differences() -> None:
    """The teaching reference is itself checked, independently of the layer."""
    rng = np.random.default_rng(6)
    x, W, b = rng.normal(size=(2, 2, 5, 6)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    stride, padding = 2, 1
    dout = rng.normal(size=conv2d_naive(x, W, b, stride, padding).shape)
    dx, dW, db = conv2d_backward_naive(x, W, dout, stride, padding)

    def f() -> float:
        return float(np.sum(conv2d_naive(x, W, b, stride, padding) * dout))

    for analytic, arr in ((dx, x), (dW, W), (db, b)):
        numeric, kink = numerical_gradient(f, arr)
        assert not kink.any()
        assert rel_error(analytic, numeric) < 1e-7


def test_backward_is_correlation_and_full_convolution_with_flipped_kernel() -> None:
    """dW = x ⋆ dout (valid correlation); dx = dout ∗ W (full convolution = correlation with the flipped kernel)."""
    rng = np.random.default_rng(7)
    conv = _conv_with_bias(2, 3, 3, 1, 0)
    x = rng.normal(size=(2, 2, 6, 7))
    dout = rng.normal(size=conv(x).shape)
    dx = conv.backward(dout)
    W = conv.params["W"]
    dW_ref = np.array([[sum(correlate(x[n, c], dout[n, o], mode="valid") for n in range(2)) for c in range(2)]
                       for o in range(3)])
    dx_ref = np.array([[sum(convolve(dout[n, o], W[o, c], mode="full") for o in range(3)) for c in range(2)]
                       for n in range(2)])
    np.testing.assert_allclose(conv.grads["W"], dW_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(conv.grads["b"], dout.sum(axis=(0, 2, 3)), rtol=1e-12)


def test_col2im_is_the_adjoint_of_im2col() -> None:
    """<im2col(x), c> = <x, col2im(c)> for all x, c: the defining property of the backward scatter."""
    rng = np.random.default_rng(8)
    for stride, padding in [(1, 0), (2, 1), (1, 2)]:
        x = rng.normal(size=(2, 3, 7, 5))
        cols = im2col(x, 3, 2, stride, padding)
        c = rng.normal(size=cols.shape)
        lhs = np.sum(cols * c)
        rhs = np.sum(x * col2im(c, x.shape, 3, 2, stride, padding))
        assert abs(lhs - rhs) < 1e-10 * (abs(lhs) + 1)


def test_weights_are_shared_across_positions() -> None:
    """Moving a pattern moves the response and leaves it unchanged (translation equivariance)."""
    rng = np.random.default_rng(9)
    conv = Conv2d(1, 2, 3, rng=rng)
    x = np.zeros((1, 1, 9, 9))
    x[0, 0, 1:4, 1:4] = rng.normal(size=(3, 3))
    shifted = np.roll(x, (3, 2), axis=(2, 3))
    np.testing.assert_allclose(conv(shifted)[0, :, 3:, 2:], conv(x)[0, :, :-3, :-2], atol=1e-14)


def test_conv2d_float32() -> None:
    conv = Conv2d(2, 3, 3, rng=0, dtype=np.float32)
    y = conv(np.ones((1, 2, 5, 5)))
    assert y.dtype == np.float32
    assert conv.backward(np.ones_like(y)).dtype == np.float32
    assert conv.grads["W"].dtype == np.float32


# --- max-pooling --------------------------------------------------------------------------------
@pytest.mark.parametrize("k,stride", [(2, None), (2, 1), (3, 2), (2, 3)])
def test_maxpool_gradcheck_and_forward(k: int, stride: int | None) -> None:
    x = np.random.default_rng(10).normal(size=(2, 3, 7, 8))
    pool = MaxPool2d(k, stride)
    y = pool(x)
    s = k if stride is None else stride
    ho, wo = (7 - k) // s + 1, (8 - k) // s + 1
    ref = np.empty((2, 3, ho, wo))
    for i in range(ho):
        for j in range(wo):
            ref[:, :, i, j] = x[:, :, i * s:i * s + k, j * s:j * s + k].max(axis=(2, 3))
    np.testing.assert_array_equal(y, ref)
    report = gradcheck(pool, x)
    assert report.errors["input"] < 1e-7 and not report.kinks


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 2), c=st.integers(1, 3), h=st.integers(1, 7), w=st.integers(1, 7),
       kh=st.integers(1, 3), kw=st.integers(1, 3), sh=st.integers(1, 3), sw=st.integers(1, 3))
def test_maxpool_matches_loop_on_random_shapes(n, c, h, w, kh, kw, sh, sw) -> None:
    if h < kh or w < kw:
        return
    rng = np.random.default_rng(h * 7 + w)
    x = rng.normal(size=(n, c, h, w))
    pool = MaxPool2d((kh, kw), (sh, sw))
    y = pool(x)
    dout = rng.normal(size=y.shape)
    dx = pool.backward(dout)
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    assert y.shape == (n, c, ho, wo)
    dx_ref = np.zeros_like(x)
    for a in range(n):
        for b in range(c):
            for i in range(ho):
                for j in range(wo):
                    win = x[a, b, i * sh:i * sh + kh, j * sw:j * sw + kw]
                    assert y[a, b, i, j] == win.max()
                    u, v = np.unravel_index(np.argmax(win), win.shape)
                    dx_ref[a, b, i * sh + u, j * sw + v] += dout[a, b, i, j]
    np.testing.assert_allclose(dx, dx_ref, rtol=1e-14, atol=1e-14)


def test_maxpool_routes_gradient_to_argmax() -> None:
    rng = np.random.default_rng(11)
    x = rng.normal(size=(3, 2, 6, 6))
    pool = MaxPool2d(2)
    y = pool(x)
    dout = rng.normal(size=y.shape)
    dx = pool.backward(dout)
    for n in range(3):
        for c in range(2):
            for i in range(3):
                for j in range(3):
                    win, dwin = x[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2], dx[n, c, 2 * i:2 * i + 2, 2 * j:2 * j + 2]
                    expected = np.zeros((2, 2))
                    expected[np.unravel_index(np.argmax(win), (2, 2))] = dout[n, c, i, j]
                    np.testing.assert_array_equal(dwin, expected)
    assert np.count_nonzero(dx) == dout.size  # one winner per window


def test_maxpool_overlapping_windows_add_up() -> None:
    x = np.zeros((1, 1, 3, 3))
    x[0, 0, 1, 1] = 5.0  # the maximum of all four overlapping 2×2 windows
    pool = MaxPool2d(2, stride=1)
    pool(x)
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    assert dx[0, 0, 1, 1] == 4.0 and dx.sum() == 4.0


def test_maxpool_ties_go_to_the_first_in_row_major_order_and_are_reported_as_kinks() -> None:
    x = np.ones((1, 1, 4, 4))
    pool = MaxPool2d(2)
    pool(x)
    dx = pool.backward(np.full((1, 1, 2, 2), 3.0))
    expected = np.zeros((4, 4))
    expected[::2, ::2] = 3.0  # the top-left element of each window
    np.testing.assert_array_equal(dx[0, 0], expected)
    assert gradcheck(pool, x).kinks["input"]  # finite differences cross the tie: flagged, not trusted


def test_maxpool_uncovered_border_gets_zero_gradient() -> None:
    x = np.random.default_rng(12).normal(size=(1, 1, 5, 5))
    pool = MaxPool2d(2)  # rows/cols 4 are never in a window
    pool(x)
    dx = pool.backward(np.ones((1, 1, 2, 2)))
    assert not dx[0, 0, 4, :].any() and not dx[0, 0, :, 4].any()


# --- errors ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "x, match",
    [
        (np.zeros((2, 3, 5)), r"Conv2d\(3 -> 4.*expected input of shape \(N, 3, H, W\).*\(2, 3, 5\)"),
        (np.zeros((2, 2, 5, 5)), r"expected input of shape \(N, 3, H, W\), got \(2, 2, 5, 5\)"),
        (np.zeros((2, 3, 2, 5)), r"padded input is 2×5, smaller than the 3×3 window"),
        (np.full((1, 3, 5, 5), np.nan), r"NaN"),
        (np.zeros((1, 3, 5, 5), dtype=complex), r"real numbers"),
    ],
)
def test_conv2d_bad_input(x: np.ndarray, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        Conv2d(3, 4, 3)(x)


def test_conv2d_bad_arguments_and_dout() -> None:
    for kwargs, match in [
        (dict(in_channels=0, out_channels=1, kernel_size=3), "Conv2d: in_channels must be an integer >= 1, got 0"),
        (dict(in_channels=1, out_channels=1, kernel_size=0), "kernel_size must be an integer >= 1"),
        (dict(in_channels=1, out_channels=1, kernel_size=3, stride=0), "stride must be an integer >= 1"),
        (dict(in_channels=1, out_channels=1, kernel_size=3, padding=-1), "padding must be an integer >= 0"),
        (dict(in_channels=1, out_channels=1, kernel_size=(3, 3, 3)), "kernel_size must be"),
        (dict(in_channels=1, out_channels=1, kernel_size=(3, 0)), r"kernel_size\[1\] must be an integer >= 1, got 0"),
    ]:
        with pytest.raises(ValueError, match=match):
            Conv2d(**kwargs)
    for kwargs, match in [
        (dict(in_channels=1.0, out_channels=1, kernel_size=3), "Conv2d: in_channels must be an integer >= 1, got 1.0"),
        (dict(in_channels=1, out_channels=1, kernel_size=True), "Conv2d: kernel_size must be an integer >= 1"),
        (dict(in_channels=1, out_channels=1, kernel_size="3"), "Conv2d: kernel_size must be an integer >= 1"),
        (dict(in_channels=1, out_channels=1, kernel_size=3, dtype="int"), None),
    ]:
        with pytest.raises(ValueError if match is None else TypeError, match=match or "Conv2d: dtype"):
            Conv2d(**kwargs)
    conv = Conv2d(1, 2, 3)
    with pytest.raises(RuntimeError, match="backward called before forward"):
        conv.backward(np.zeros((1, 2, 3, 3)))
    conv(np.zeros((1, 1, 5, 5)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(1, 2, 3, 3\), got \(1, 2, 4, 4\)"):
        conv.backward(np.zeros((1, 2, 4, 4)))


def test_maxpool_bad_input() -> None:
    with pytest.raises(ValueError, match=r"MaxPool2d.*expected input of shape \(N, C, H, W\)"):
        MaxPool2d(2)(np.zeros((4, 4)))
    with pytest.raises(ValueError, match=r"input is 1×4, smaller than the 2×2 window"):
        MaxPool2d(2)(np.zeros((1, 1, 1, 4)))
    with pytest.raises(ValueError, match="kernel_size must be"):
        MaxPool2d(0)
    pool = MaxPool2d(2)
    with pytest.raises(RuntimeError, match="before forward"):
        pool.backward(np.zeros((1, 1, 1, 1)))
    pool(np.zeros((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"expected dout of shape \(1, 1, 2, 2\), got \(1, 1, 4, 4\)"):
        pool.backward(np.zeros((1, 1, 4, 4)))


# --- learning on real digits -------------------------------------------------------------------
def test_small_cnn_learns_the_digits() -> None:
    """conv → ReLU → max-pool → linear: ≥ 97 % on the held-out digits (seeded). How fast it
    trains is measured in benchmarks/bench_conv.py, never asserted here."""
    from companion.nn.cnn import train_digits_cnn

    run = train_digits_cnn(rng=0)
    print(f"\ndigits CNN: test accuracy {run.test_accuracy[-1]:.4f} after {len(run.test_accuracy) - 1} epochs")
    assert run.test_accuracy[0] < 0.3  # random filters: near chance (0.1) before training
    assert run.test_accuracy[-1] >= 0.97


def test_matches_pytorch() -> None:
    """Oracle: torch.nn.functional.conv2d / max_pool2d forward and autograd backward."""
    torch = pytest.importorskip("torch")  # a failure under CI=true
    rng = np.random.default_rng(13)
    for stride, padding in [(1, 0), (2, 1)]:
        conv = _conv_with_bias(3, 4, 3, stride, padding)
        x = rng.normal(size=(2, 3, 8, 7))
        y = conv(x)
        dout = rng.normal(size=y.shape)
        dx = conv.backward(dout)
        xt = torch.tensor(x, requires_grad=True)
        Wt = torch.tensor(conv.params["W"], requires_grad=True)
        bt = torch.tensor(conv.params["b"], requires_grad=True)
        yt = torch.nn.functional.conv2d(xt, Wt, bt, stride=stride, padding=padding)
        yt.backward(torch.tensor(dout))
        np.testing.assert_allclose(y, yt.detach().numpy(), rtol=1e-12, atol=1e-12)
        for ours, theirs in ((dx, xt), (conv.grads["W"], Wt), (conv.grads["b"], bt)):
            np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=1e-12, atol=1e-12)
    pool = MaxPool2d(2, stride=1)
    x = rng.normal(size=(2, 3, 6, 5))
    y = pool(x)
    dout = rng.normal(size=y.shape)
    xt = torch.tensor(x, requires_grad=True)
    yt = torch.nn.functional.max_pool2d(xt, 2, stride=1)
    yt.backward(torch.tensor(dout))
    np.testing.assert_array_equal(y, yt.detach().numpy())
    np.testing.assert_allclose(pool.backward(dout), xt.grad.numpy(), rtol=1e-12, atol=1e-12)
