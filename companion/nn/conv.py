"""2-D convolution and max-pooling as forward/backward pairs, on ``(N, C, H, W)`` arrays.

Derived in: cnn-sliding-window (a sliding window with shared weights; the naive loop),
cnn-im2col (im2col: the whole layer as one matrix product), cnn-backward (the backward pass:
dW a correlation of the input with dout, dx a full convolution of dout with the kernel, that
is a cross-correlation with the flipped kernel, db a sum over positions) and cnn-maxpool
(max-pooling).

"Convolution" here is what deep-learning libraries compute, a cross-correlation
(the kernel is not flipped): ``y[n, o, i, j] = b[o] + Σ_{c,u,v} W[o, c, u, v] · x[n, c, s·i + u, s·j + v]``
on the zero-padded input, with PyTorch's layouts ``W (out, in, kh, kw)`` and ``b (out,)``.
"""

from __future__ import annotations

import numpy as np

from companion._checks import (as_float_array, as_rng, check_float_dtype, check_instance, check_int, check_ndim,
                              check_nonempty, is_int)
from companion.nn.module import Module

__all__ = ["Conv2d", "MaxPool2d", "conv2d_naive", "conv2d_backward_naive", "im2col", "col2im", "conv_output_size"]


def _pair(v: int | tuple[int, int], who: str, name: str, minimum: int) -> tuple[int, int]:
    """An integer >= ``minimum``, or a pair of them, as a pair (TypeError / ValueError naming ``name``)."""
    if is_int(v):
        n = check_int(v, name, who, low=minimum)
        return n, n
    if not isinstance(v, (tuple, list)):
        raise TypeError(f"{who}: {name} must be an integer >= {minimum} or a pair of them, got {v!r}")
    if len(v) != 2:
        raise ValueError(f"{who}: {name} must be an integer >= {minimum} or a pair of them, got {v!r}")
    return check_int(v[0], f"{name}[0]", who, low=minimum), check_int(v[1], f"{name}[1]", who, low=minimum)


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """``⌊(size + 2·padding − kernel) / stride⌋ + 1``: positions a window visits along one axis.

    Derived in: cnn-sliding-window.

    Parameters
    ----------
    size, kernel : int
        Length of the input along the axis, and of the window (>= 1).
    stride : int
        Step of the window (>= 1).
    padding : int
        Zeros added on each side (>= 0).

    Returns
    -------
    int
        At least 1: a window larger than the padded input is a ValueError.
    """
    who = "conv_output_size"
    size, kernel = check_int(size, "size", who), check_int(kernel, "kernel", who)
    stride, padding = check_int(stride, "stride", who), check_int(padding, "padding", who, low=0)
    if size + 2 * padding < kernel:
        raise ValueError(f"{who}: the padded length {size + 2 * padding} is smaller than the kernel ({kernel})")
    return _out_size(size, kernel, stride, padding)


def _out_size(size: int, kernel: int, stride: int, padding: int) -> int:
    return (size + 2 * padding - kernel) // stride + 1


def _check_input(x: np.ndarray, who: str, channels: int, kh: int, kw: int, padding: tuple[int, int],
                 dtype: np.dtype | None = None, name: str = "input") -> np.ndarray:
    x = as_float_array(x, who, name, dtype=dtype)
    check_ndim(x, 4, who, f"(N, {channels}, H, W)", name)
    if x.shape[1] != channels:
        raise ValueError(f"{who}: expected {name} of shape (N, {channels}, H, W), got {x.shape}")
    check_nonempty(x, who, name)
    h, w = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if h < kh or w < kw:
        raise ValueError(f"{who}: the padded input is {h}×{w}, smaller than the {kh}×{kw} window (input {x.shape})")
    return x


def _check_kernel(W: np.ndarray, who: str) -> np.ndarray:
    W = as_float_array(W, who, "W")
    check_ndim(W, 4, who, "(O, C, kh, kw)", "W")
    check_nonempty(W, who, "W")
    return W


def _pad(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x


def im2col(x: np.ndarray, kh: int, kw: int, stride: int | tuple[int, int] = 1,
           padding: int | tuple[int, int] = 0) -> np.ndarray:
    """Every ``kh×kw`` window of every channel as one row: shape ``(N·Ho·Wo, C·kh·kw)``.

    Derived in: cnn-im2col. Row ``(n·Ho + i)·Wo + j`` holds the window under output
    position ``(i, j)`` of image ``n``, flattened in ``(c, u, v)`` order — the order of
    ``W.reshape(out, -1)``, so a convolution is ``im2col(x) @ W.reshape(out, -1).T``.

    Built with ``kh·kw`` strided slices (numpy stride tricks: each slice is a view of the
    input shifted by ``(u, v)``), each copied into its place in the output; this measured
    faster than reshaping one ``sliding_window_view`` (see ``benchmarks/bench_conv.py``).

    Parameters
    ----------
    x : array of shape (N, C, H, W)
        Finite, non-empty.
    kh, kw : int
        Window height and width (>= 1; the padded image must hold one window).
    stride, padding : int or (int, int)
        As for :class:`Conv2d`.

    Returns
    -------
    float array of shape (N·Ho·Wo, C·kh·kw)
    """
    who = "im2col"
    kh, kw = check_int(kh, "kh", who), check_int(kw, "kw", who)
    sh, sw = _pair(stride, who, "stride", 1)
    pad = _pair(padding, who, "padding", 0)
    x = as_float_array(x, who, "x")
    check_ndim(x, 4, who, "(N, C, H, W)", "x")
    x = _check_input(x, who, x.shape[1], kh, kw, pad, name="x")
    return _im2col(x, kh, kw, (sh, sw), pad)


def _im2col(x: np.ndarray, kh: int, kw: int, stride: tuple[int, int], padding: tuple[int, int]) -> np.ndarray:
    sh, sw = stride
    xp = _pad(x, padding)
    n, c, h, w = xp.shape
    ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
    cols = np.empty((n, ho, wo, c, kh, kw), dtype=xp.dtype)
    view = cols.transpose(0, 3, 4, 5, 1, 2)  # (N, C, kh, kw, Ho, Wo), a view of the same memory
    for u in range(kh):
        for v in range(kw):
            view[:, :, u, v] = xp[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw]
    return cols.reshape(n * ho * wo, c * kh * kw)


def col2im(cols: np.ndarray, x_shape: tuple[int, int, int, int], kh: int, kw: int,
           stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0) -> np.ndarray:
    """The adjoint of :func:`im2col`: add every row back onto the window it came from.

    Derived in: cnn-backward. A pixel covered by several windows receives the sum of their
    contributions; that sum is why, at stride 1, ``dx`` is a *full* convolution of ``dout``
    with the kernel (a cross-correlation with the flipped kernel). Returns an array of shape
    ``x_shape`` (padding cropped off).

    Parameters
    ----------
    cols : array of shape (N·Ho·Wo, C·kh·kw)
        Rows as :func:`im2col` makes them (finite).
    x_shape : (N, C, H, W)
        Shape of the image the rows came from (each >= 1).
    kh, kw : int
        Window height and width (>= 1).
    stride, padding : int or (int, int)
        As for :func:`im2col`.
    """
    who = "col2im"
    kh, kw = check_int(kh, "kh", who), check_int(kw, "kw", who)
    sh, sw = _pair(stride, who, "stride", 1)
    ph, pw = _pair(padding, who, "padding", 0)
    check_instance(x_shape, (tuple, list), "x_shape", who, "a shape (N, C, H, W)")
    if len(x_shape) != 4:
        raise ValueError(f"{who}: x_shape must be a shape (N, C, H, W), got {x_shape!r}")
    n, c, h, w = (check_int(v, f"x_shape[{i}]", who) for i, v in enumerate(x_shape))
    if h + 2 * ph < kh or w + 2 * pw < kw:
        raise ValueError(f"{who}: the padded image is {h + 2 * ph}×{w + 2 * pw}, smaller than the {kh}×{kw} window")
    ho, wo = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
    cols = as_float_array(cols, who, "cols")
    if cols.shape != (n * ho * wo, c * kh * kw):
        raise ValueError(f"{who}: for x_shape {tuple(x_shape)} and a {kh}×{kw} window, cols must have shape "
                         f"({n * ho * wo}, {c * kh * kw}) (N·Ho·Wo, C·kh·kw), got {cols.shape}")
    return _col2im(cols, (n, c, h, w), kh, kw, (sh, sw), (ph, pw))


def _col2im(cols: np.ndarray, x_shape: tuple[int, int, int, int], kh: int, kw: int, stride: tuple[int, int],
            padding: tuple[int, int]) -> np.ndarray:
    (sh, sw), (ph, pw) = stride, padding
    n, c, h, w = x_shape
    ho, wo = _out_size(h, kh, sh, ph), _out_size(w, kw, sw, pw)
    cols6 = cols.reshape(n, ho, wo, c, kh, kw)
    dxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)  # channels last, like cols
    for u in range(kh):
        for v in range(kw):
            dxp[:, u:u + sh * ho:sh, v:v + sw * wo:sw, :] += cols6[:, :, :, :, u, v]
    return dxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)


def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None,
                 stride: int = 1, padding: int = 0) -> np.ndarray:
    """The convolution as a loop over output positions: one window, one dot product each.

    Derived in: cnn-sliding-window. Slow and obviously right; the reference for :class:`Conv2d`.

    Parameters
    ----------
    x : array of shape (N, C, H, W)
    W : array of shape (O, C, kh, kw)
    b : array of shape (O,), optional
    stride, padding : int

    Returns
    -------
    array of shape (N, O, Ho, Wo)
        ``y[n, o, i, j] = b[o] + Σ W[o] ⊙ xpad[n, :, s·i : s·i + kh, s·j : s·j + kw]``.
    """
    who = "conv2d_naive"
    W = _check_kernel(W, who)
    o, c, kh, kw = W.shape
    stride, padding = check_int(stride, "stride", who), check_int(padding, "padding", who, low=0)
    x = _check_input(x, who, c, kh, kw, (padding, padding), name="x")
    if b is not None:
        b = as_float_array(b, who, "b")
        if b.shape != (o,):
            raise ValueError(f"{who}: W has {o} filter(s), so b must have shape ({o},), got {b.shape}")
    xp = _pad(x, (padding, padding))
    n = x.shape[0]
    ho, wo = conv_output_size(x.shape[2], kh, stride, padding), conv_output_size(x.shape[3], kw, stride, padding)
    y = np.zeros((n, o, ho, wo), dtype=np.result_type(x, W))
    for i in range(ho):
        for j in range(wo):
            window = xp[:, :, i * stride:i * stride + kh, j * stride:j * stride + kw]  # (N, C, kh, kw)
            for f in range(o):
                y[:, f, i, j] = np.sum(window * W[f], axis=(1, 2, 3))  # the same W[f] at every (i, j)
    if b is not None:
        y += b[None, :, None, None]
    return y


def conv2d_backward_naive(x: np.ndarray, W: np.ndarray, dout: np.ndarray, stride: int = 1,
                          padding: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(dx, dW, db)`` by the chain rule, one output position at a time. Derived in: cnn-backward.

    Every position that used ``W[f]`` adds ``dout · window`` to ``dW[f]`` (shared weights:
    the gradients add up) and ``dout · W[f]`` to the window of ``dx`` it read.

    Parameters
    ----------
    x, W, stride, padding
        As for :func:`conv2d_naive`.
    dout : array of shape (N, O, Ho, Wo)
        dL/dy, the shape of :func:`conv2d_naive`'s output.

    Returns
    -------
    dx, dW, db : arrays shaped like ``x``, ``W`` and ``(O,)``
    """
    who = "conv2d_backward_naive"
    W = _check_kernel(W, who)
    o, c, kh, kw = W.shape
    stride, padding = check_int(stride, "stride", who), check_int(padding, "padding", who, low=0)
    x = _check_input(x, who, c, kh, kw, (padding, padding), name="x")
    ho, wo = conv_output_size(x.shape[2], kh, stride, padding), conv_output_size(x.shape[3], kw, stride, padding)
    dout = as_float_array(dout, who, "dout")
    if dout.shape != (x.shape[0], o, ho, wo):
        raise ValueError(f"{who}: for x of shape {x.shape} and W of shape {W.shape}, dout must have shape "
                         f"{(x.shape[0], o, ho, wo)}, got {dout.shape}")
    xp = _pad(x, (padding, padding))
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for i in range(dout.shape[2]):
        for j in range(dout.shape[3]):
            rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
            for f in range(o):
                g = dout[:, f, i, j][:, None, None, None]  # (N, 1, 1, 1)
                dW[f] += np.sum(g * xp[:, :, rows, cols], axis=0)
                dxp[:, :, rows, cols] += g * W[f]
    dx = dxp[:, :, padding:padding + x.shape[2], padding:padding + x.shape[3]]
    return dx, dW, dout.sum(axis=(0, 2, 3))


class Conv2d(Module):
    """2-D convolution (cross-correlation) with ``W (out, in, kh, kw)`` and ``b (out,)``.

    Derived in: cnn-im2col (forward: im2col + one matrix product) and cnn-backward (backward).

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int or (int, int)
    stride : int or (int, int)
        Step of the window (1: every position; 2: every other one).
    padding : int or (int, int)
        Zeros added on each side of the image before sliding.
    rng : numpy Generator, int or None
        Source of the initial weights: He normal, std ``sqrt(2 / (in·kh·kw))``; biases zero.
    dtype : numpy dtype
        float64 by default (gradient checks need it).
    """

    def __init__(self, in_channels: int, out_channels: int, kernel_size: int | tuple[int, int],
                 stride: int | tuple[int, int] = 1, padding: int | tuple[int, int] = 0, *,
                 rng: np.random.Generator | int | None = None, dtype: type = np.float64) -> None:
        super().__init__()
        who = "Conv2d"
        self.in_channels = check_int(in_channels, "in_channels", who)
        self.out_channels = check_int(out_channels, "out_channels", who)
        self.kernel_size = _pair(kernel_size, who, "kernel_size", 1)
        self.stride = _pair(stride, who, "stride", 1)
        self.padding = _pair(padding, who, "padding", 0)
        dtype = check_float_dtype(dtype, "dtype", who)
        kh, kw = self.kernel_size
        gen = as_rng(rng, "rng", who)
        fan_in = self.in_channels * kh * kw
        shape = (self.out_channels, self.in_channels, kh, kw)
        self.params["W"] = gen.normal(0.0, np.sqrt(2.0 / fan_in), size=shape).astype(dtype)
        self.params["b"] = np.zeros(self.out_channels, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self._cols: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        kh, kw = self.kernel_size
        x = _check_input(x, repr(self), self.in_channels, kh, kw, self.padding, self.params["W"].dtype)
        n, _, h, w = x.shape
        ho = _out_size(h, kh, self.stride[0], self.padding[0])
        wo = _out_size(w, kw, self.stride[1], self.padding[1])
        self._x_shape, self._out_shape = x.shape, (n, self.out_channels, ho, wo)
        self._cols = _im2col(x, kh, kw, self.stride, self.padding)  # (N·Ho·Wo, C·kh·kw)
        y = self._cols @ self.params["W"].reshape(self.out_channels, -1).T + self.params["b"]
        return np.ascontiguousarray(y.reshape(n, ho, wo, self.out_channels).transpose(0, 3, 1, 2))

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._cols is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout", dtype=self.params["W"].dtype)
        if dout.shape != self._out_shape:
            raise ValueError(f"{self!r}: expected dout of shape {self._out_shape}, got {dout.shape}")
        d = dout.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)  # (N·Ho·Wo, out)
        self._set_grad("b", d.sum(axis=0))  # the bias is added at every position: sum over them
        self._set_grad("W", (d.T @ self._cols).reshape(self.params["W"].shape))  # correlation of x with dout
        if not input_grad:
            return None
        dcols = d @ self.params["W"].reshape(self.out_channels, -1)
        return _col2im(dcols, self._x_shape, *self.kernel_size, self.stride, self.padding)

    def __repr__(self) -> str:
        k, s, p = self.kernel_size, self.stride, self.padding
        return (f"Conv2d({self.in_channels} -> {self.out_channels}, kernel={k[0]}×{k[1]}, "
                f"stride={s[0] if s[0] == s[1] else s}, padding={p[0] if p[0] == p[1] else p})")


class MaxPool2d(Module):
    """Max over ``k×k`` windows (stride ``k`` unless given); no parameters.

    Derived in: cnn-maxpool. The backward pass routes each window's gradient to the
    position of its maximum (the arg-max, remembered by ``forward``); every other input in
    the window gets zero. Overlapping windows (stride < k) add their contributions.

    Ties: when several inputs of one window share the maximum, the whole gradient goes to
    the first of them in row-major order (``numpy.argmax``); the max is not differentiable
    there, and :func:`companion.nn.gradcheck` reports such points as kinks. Rows or columns
    that no window covers (when ``(H − k)`` is not a multiple of the stride) get zero gradient.

    Parameters
    ----------
    kernel_size : int or (int, int)
        Window size (>= 1).
    stride : int, (int, int) or None
        Step of the window (>= 1); None: the window size (no overlap).
    """

    def __init__(self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None) -> None:
        super().__init__()
        self.kernel_size = _pair(kernel_size, "MaxPool2d", "kernel_size", 1)
        self.stride = self.kernel_size if stride is None else _pair(stride, "MaxPool2d", "stride", 1)
        self._index: np.ndarray | None = None
        self._base_key: tuple | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        kh, kw = self.kernel_size
        sh, sw = self.stride
        x = as_float_array(x, self)
        check_ndim(x, 4, repr(self), "(N, C, H, W)")
        check_nonempty(x, self)
        n, c, h, w = x.shape
        if h < kh or w < kw:
            raise ValueError(f"{self!r}: the input is {h}×{w}, smaller than the {kh}×{kw} window (input {x.shape})")
        ho, wo = (h - kh) // sh + 1, (w - kw) // sw + 1
        # One strided slice per offset (u, v) of the window: a running max, and the flat offset
        # u·W + v of where it was found. A strict ">" keeps the first maximum in row-major
        # order when values tie.
        y = x[:, :, : sh * (ho - 1) + 1 : sh, : sw * (wo - 1) + 1 : sw]
        off = np.zeros(y.shape, dtype=np.intp)
        for k in range(1, kh * kw):
            u, v = divmod(k, kw)
            s = x[:, :, u : u + sh * (ho - 1) + 1 : sh, v : v + sw * (wo - 1) + 1 : sw]
            better = s > y
            y = np.where(better, s, y)
            off = np.where(better, u * w + v, off)
        if kh * kw == 1:
            y = y.copy()
        key = (x.shape, self.stride)
        if self._base_key != key:  # flat index of each window's top-left corner, cached per shape
            nc = np.arange(n * c, dtype=np.intp).reshape(n, c, 1, 1)
            corner = (np.arange(ho) * sh)[:, None] * w + (np.arange(wo) * sw)[None, :]
            self._base, self._base_key = nc * (h * w) + corner, key
        self._index = (self._base + off).ravel()
        self._x_shape, self._out_shape = x.shape, y.shape
        return y

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._index is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout")
        if dout.shape != self._out_shape:
            raise ValueError(f"{self!r}: expected dout of shape {self._out_shape}, got {dout.shape}")
        if not input_grad:
            return None
        dx = np.bincount(self._index, weights=dout.ravel(), minlength=int(np.prod(self._x_shape)))
        return dx.reshape(self._x_shape).astype(dout.dtype, copy=False)

    def __repr__(self) -> str:
        k, s = self.kernel_size, self.stride
        return f"MaxPool2d(kernel={k[0]}×{k[1]}, stride={s[0] if s[0] == s[1] else s})"
