"""2-D convolution and max-pooling as forward/backward pairs, on ``(N, C, H, W)`` arrays.

Derived in: CNN filters §1 (a sliding window with shared weights; the naive loop),
§2 (im2col: the whole layer as one matrix product) and §3 (the backward pass: dW a
correlation of the input with dout, dx a full convolution of dout with the flipped kernel,
db a sum over positions); max-pooling in §6.

"Convolution" here is what deep-learning libraries compute, a cross-correlation
(the kernel is not flipped): ``y[n, o, i, j] = b[o] + Σ_{c,u,v} W[o, c, u, v] · x[n, c, s·i + u, s·j + v]``
on the zero-padded input, with PyTorch's layouts ``W (out, in, kh, kw)`` and ``b (out,)``.
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array, check_ndim
from companion.nn.module import Module

__all__ = ["Conv2d", "MaxPool2d", "conv2d_naive", "conv2d_backward_naive", "im2col", "col2im", "conv_output_size"]


def _pair(v: int | tuple[int, int], who: str, name: str, minimum: int) -> tuple[int, int]:
    t = (v, v) if isinstance(v, (int, np.integer)) else tuple(v)
    if len(t) != 2 or not all(isinstance(a, (int, np.integer)) and not isinstance(a, bool) and a >= minimum for a in t):
        raise ValueError(f"{who}: {name} must be an integer >= {minimum} or a pair of them, got {v!r}")
    return int(t[0]), int(t[1])


def conv_output_size(size: int, kernel: int, stride: int = 1, padding: int = 0) -> int:
    """``⌊(size + 2·padding − kernel) / stride⌋ + 1``: positions a window visits along one axis.

    Derived in: CNN filters §1.
    """
    return (size + 2 * padding - kernel) // stride + 1


def _check_input(x: np.ndarray, who: str, channels: int, kh: int, kw: int, padding: tuple[int, int],
                 dtype: np.dtype | None = None) -> np.ndarray:
    x = as_float_array(x, who, dtype=dtype)
    check_ndim(x, 4, who, f"(N, {channels}, H, W)")
    if x.shape[1] != channels:
        raise ValueError(f"{who}: expected input of shape (N, {channels}, H, W), got {x.shape}")
    h, w = x.shape[2] + 2 * padding[0], x.shape[3] + 2 * padding[1]
    if h < kh or w < kw:
        raise ValueError(f"{who}: the padded input is {h}×{w}, smaller than the {kh}×{kw} window (input {x.shape})")
    return x


def _pad(x: np.ndarray, padding: tuple[int, int]) -> np.ndarray:
    ph, pw = padding
    return np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw))) if ph or pw else x


def im2col(x: np.ndarray, kh: int, kw: int, stride: int | tuple[int, int] = 1,
           padding: int | tuple[int, int] = 0) -> np.ndarray:
    """Every ``kh×kw`` window of every channel as one row: shape ``(N·Ho·Wo, C·kh·kw)``.

    Derived in: CNN filters §2. Row ``(n·Ho + i)·Wo + j`` holds the window under output
    position ``(i, j)`` of image ``n``, flattened in ``(c, u, v)`` order — the order of
    ``W.reshape(out, -1)``, so a convolution is ``im2col(x) @ W.reshape(out, -1).T``.

    Built with ``kh·kw`` strided slices (numpy stride tricks: each slice is a view of the
    input shifted by ``(u, v)``), each copied into its place in the output; this measured
    faster than reshaping one ``sliding_window_view`` (see ``benchmarks/bench_conv.py``).
    """
    sh, sw = _pair(stride, "im2col", "stride", 1)
    xp = _pad(x, _pair(padding, "im2col", "padding", 0))
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

    Derived in: CNN filters §3. A pixel covered by several windows receives the sum of their
    contributions; that sum is why, at stride 1, ``dx`` is a *full* convolution of ``dout``
    with the flipped kernel. Returns an array of shape ``x_shape`` (padding cropped off).
    """
    sh, sw = _pair(stride, "col2im", "stride", 1)
    ph, pw = _pair(padding, "col2im", "padding", 0)
    n, c, h, w = x_shape
    ho, wo = conv_output_size(h, kh, sh, ph), conv_output_size(w, kw, sw, pw)
    cols6 = cols.reshape(n, ho, wo, c, kh, kw)
    dxp = np.zeros((n, h + 2 * ph, w + 2 * pw, c), dtype=cols.dtype)  # channels last, like cols
    for u in range(kh):
        for v in range(kw):
            dxp[:, u:u + sh * ho:sh, v:v + sw * wo:sw, :] += cols6[:, :, :, :, u, v]
    return dxp[:, ph:ph + h, pw:pw + w, :].transpose(0, 3, 1, 2)


def conv2d_naive(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None,
                 stride: int = 1, padding: int = 0) -> np.ndarray:
    """The convolution as a loop over output positions: one window, one dot product each.

    Derived in: CNN filters §1. Slow and obviously right; the reference for :class:`Conv2d`.

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
    o, c, kh, kw = W.shape
    x = _check_input(x, "conv2d_naive", c, kh, kw, (padding, padding))
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
    """``(dx, dW, db)`` by the chain rule, one output position at a time. Derived in: CNN filters §3.

    Every position that used ``W[f]`` adds ``dout · window`` to ``dW[f]`` (shared weights:
    the gradients add up) and ``dout · W[f]`` to the window of ``dx`` it read.
    """
    o, c, kh, kw = W.shape
    x = _check_input(x, "conv2d_backward_naive", c, kh, kw, (padding, padding))
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

    Derived in: CNN filters §2 (forward: im2col + one matrix product) and §3 (backward).

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
        for name, v in (("in_channels", in_channels), ("out_channels", out_channels)):
            if not isinstance(v, (int, np.integer)) or isinstance(v, bool) or v < 1:
                raise ValueError(f"{who}: {name} must be a positive integer, got {v!r}")
        self.in_channels, self.out_channels = int(in_channels), int(out_channels)
        self.kernel_size = _pair(kernel_size, who, "kernel_size", 1)
        self.stride = _pair(stride, who, "stride", 1)
        self.padding = _pair(padding, who, "padding", 0)
        kh, kw = self.kernel_size
        gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
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
        ho = conv_output_size(h, kh, self.stride[0], self.padding[0])
        wo = conv_output_size(w, kw, self.stride[1], self.padding[1])
        self._x_shape, self._out_shape = x.shape, (n, self.out_channels, ho, wo)
        self._cols = im2col(x, kh, kw, self.stride, self.padding)  # (N·Ho·Wo, C·kh·kw)
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
        return col2im(dcols, self._x_shape, *self.kernel_size, self.stride, self.padding)

    def __repr__(self) -> str:
        k, s, p = self.kernel_size, self.stride, self.padding
        return (f"Conv2d({self.in_channels} -> {self.out_channels}, kernel={k[0]}×{k[1]}, "
                f"stride={s[0] if s[0] == s[1] else s}, padding={p[0] if p[0] == p[1] else p})")


class MaxPool2d(Module):
    """Max over ``k×k`` windows (stride ``k`` unless given); no parameters.

    Derived in: CNN filters §6. The backward pass routes each window's gradient to the
    position of its maximum (the arg-max, remembered by ``forward``); every other input in
    the window gets zero. Overlapping windows (stride < k) add their contributions.

    Ties: when several inputs of one window share the maximum, the whole gradient goes to
    the first of them in row-major order (``numpy.argmax``); the max is not differentiable
    there, and :func:`companion.nn.gradcheck` reports such points as kinks. Rows or columns
    that no window covers (when ``(H − k)`` is not a multiple of the stride) get zero gradient.
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
