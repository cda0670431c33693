"""Dense layers and activations as forward/backward pairs.

Derived in: backprop-by-hand (Linear), backprop-bias (Sigmoid), backprop-relu-zero (ReLU at zero),
backprop-init (initialisation); batch-train-eval (Dropout).
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from companion._checks import (BETWEEN_LAYERS, as_float_array, as_rng, check_bool, check_choice,
                              check_float_dtype, check_int, check_ndim, check_nonempty, check_number)
from companion.nn.module import Module

Init = str | float | Callable[[np.random.Generator, tuple[int, int]], np.ndarray]
INITS = ("xavier", "he", "lecun")


def init_weights(rng: np.random.Generator | int | None, fan_in: int, fan_out: int, init: Init, *,
                 who: str = "init_weights") -> np.ndarray:
    """Draw a ``(fan_in, fan_out)`` weight matrix. Derived in: backprop-init.

    Parameters
    ----------
    rng : numpy Generator, int or None
        Source of the weights (an int is a seed).
    fan_in, fan_out : int
        Sizes of the layer's input and output (>= 1).
    init : str, float or callable
        ``"xavier"`` (Glorot uniform, variance 2/(fan_in+fan_out), for tanh/sigmoid),
        ``"he"`` (normal, variance 2/fan_in, for ReLU), ``"lecun"`` (normal, variance 1/fan_in),
        a float >= 0 (normal with that standard deviation: the naive init of Q19 is ``1.0``), or
        a callable ``(rng, shape) -> array`` returning finite numbers of that shape.
    who : str
        The name error messages start with (a layer passes its own).

    Returns
    -------
    float64 array of shape (fan_in, fan_out)
    """
    gen = as_rng(rng, "rng", who)
    shape = (check_int(fan_in, "fan_in", who), check_int(fan_out, "fan_out", who))
    if callable(init):
        w = as_float_array(init(gen, shape), who, "the array returned by init(rng, shape)", dtype=np.float64)
        if w.shape != shape:
            raise ValueError(f"{who}: the init callable returned shape {w.shape}, expected {shape}")
        return w
    if not isinstance(init, str):
        std = check_number(init, "init (a standard deviation)", who, low=0.0)
        return gen.normal(0.0, std, size=shape)
    init = check_choice(init, "init", who, INITS)
    if init == "xavier":
        limit = np.sqrt(6.0 / (shape[0] + shape[1]))
        return gen.uniform(-limit, limit, size=shape)
    return gen.normal(0.0, np.sqrt((2.0 if init == "he" else 1.0) / shape[0]), size=shape)


def nguyen_widrow(rng: np.random.Generator | int | None, fan_in: int, fan_out: int, *,
                  input_range: tuple[np.ndarray, np.ndarray] | None = None,
                  active_range: float = 2.0) -> tuple[np.ndarray, np.ndarray]:
    """Nguyen–Widrow weights and biases for a tanh layer: ``(W, b)``, ``W`` of shape
    ``(fan_in, fan_out)``. Derived in: backprop-init-measured.

    MATLAB's ``initnw`` (Nguyen and Widrow 1990): each unit's weight row is a random direction
    of length ``β = 0.7 · fan_out^(1/fan_in)``, the biases are spaced evenly over ``±β`` (signed
    by each row's first weight), so the units' active regions tile the input range instead of
    piling up; then both are multiplied by the half-width of the activation's active input
    range (``active_range``, 2 for tanh/``tansig``) and rescaled so each input's
    ``[min, max]`` maps onto ``[-1, 1]``. A single unit gets bias 0.

    Parameters
    ----------
    rng : numpy Generator, int or None
        Source of the random directions.
    fan_in, fan_out : int
        Inputs and units of the layer (>= 1).
    input_range : (array, array), optional
        Each input's smallest and largest value, shape ``(fan_in,)`` each (default: ``[-1, 1]``).
    active_range : float
        Half-width of the input range where the activation is not saturated (> 0).

    Returns
    -------
    W : float64 array (fan_in, fan_out)
    b : float64 array (fan_out,)
    """
    who = "nguyen_widrow"
    gen = as_rng(rng, "rng", who)
    n, m = check_int(fan_in, "fan_in", who), check_int(fan_out, "fan_out", who)
    half = check_number(active_range, "active_range", who, low=0.0, low_open=True)
    if input_range is None:
        low, high = -np.ones(n), np.ones(n)
    else:
        if not isinstance(input_range, (tuple, list)) or len(input_range) != 2:
            raise TypeError(f"{who}: input_range must be a pair (low, high) of arrays, got {input_range!r}")
        low = as_float_array(input_range[0], who, "input_range[0]", dtype=np.float64).reshape(-1)
        high = as_float_array(input_range[1], who, "input_range[1]", dtype=np.float64).reshape(-1)
        if low.shape != (n,) or high.shape != (n,):
            raise ValueError(f"{who}: input_range needs {n} lows and {n} highs, got {low.shape} and {high.shape}")
        if not np.all(high > low):
            raise ValueError(f"{who}: input_range must have high > low for every input")
    beta = 0.7 * m ** (1.0 / n)
    rows = gen.uniform(-1.0, 1.0, (m, n))
    w = beta * rows / np.linalg.norm(rows, axis=1, keepdims=True)
    b = beta * np.linspace(-1.0, 1.0, m) * np.sign(w[:, 0]) if m > 1 else np.zeros(1)
    w, b = half * w, half * b
    scale = 2.0 / (high - low)  # x ↦ scale·(x − low) − 1 takes [low, high] to [−1, 1]
    return (w * scale).T, b - w @ (scale * low + 1.0)


class Linear(Module):
    """Affine layer ``y = x @ W + b`` with ``W`` of shape ``(in, out)``, ``b`` of shape ``(out,)``.

    Derived in: backprop-by-hand: ``dW = xᵀ dout``, ``db = Σ_n dout``, ``dx = dout Wᵀ``.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output.
    rng : numpy Generator, int or None
        Source of the initial weights (an int is a seed; None draws fresh entropy).
    init : str, float or callable
        Weight initialisation, see :func:`init_weights`. Biases start at zero.
    bias : bool
        Without a bias the layer is ``y = x @ W`` (one of the bugs of Q26).
    dtype : numpy dtype
        float64 by default (gradient checks need it); float32 for speed.
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        *,
        rng: np.random.Generator | int | None = None,
        init: Init = "xavier",
        bias: bool = True,
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        who = "Linear"
        self.in_features = check_int(in_features, "in_features", who)
        self.out_features = check_int(out_features, "out_features", who)
        bias = check_bool(bias, "bias", who)
        dtype = check_float_dtype(dtype, "dtype", who)
        self.params["W"] = init_weights(rng, self.in_features, self.out_features, init, who=who).astype(dtype)
        self.grads["W"] = np.zeros_like(self.params["W"])
        if bias:
            self.params["b"] = np.zeros(self.out_features, dtype=dtype)
            self.grads["b"] = np.zeros_like(self.params["b"])
        self._x: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        W = self.params["W"]
        x_in = x
        x = as_float_array(x, self, dtype=W.dtype)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            check_ndim(x, 2, self, f"(N, {self.in_features})")
            raise ValueError(f"{self!r}: expected input of shape (N, {self.in_features}), got {x.shape}")
        check_nonempty(x, self)
        # A copy of what backward needs: a caller who reuses or zeroes its input array after
        # forward must not change dW. Between a Sequential's layers the input is the previous
        # layer's fresh output, which no caller holds.
        self._x = x if x is not x_in or BETWEEN_LAYERS.get() else x.copy()
        y = x @ W
        if "b" in self.params:
            y += self.params["b"]  # in place: y is a new array
        return y

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._x is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout", dtype=self.params["W"].dtype)
        if dout.shape != (self._x.shape[0], self.out_features):
            raise ValueError(
                f"{self!r}: expected dout of shape {(self._x.shape[0], self.out_features)}, got {dout.shape}"
            )
        np.matmul(self._x.T, dout, out=self.grads["W"])  # in place: references stay valid
        if "b" in self.params:
            np.sum(dout, axis=0, out=self.grads["b"])
        return dout @ self.params["W"].T if input_grad else None

    @property
    def cached_input(self) -> np.ndarray | None:
        """The input of the last forward pass, which ``backward`` uses (None before any)."""
        return self._x

    def __repr__(self) -> str:
        return f"Linear({self.in_features} -> {self.out_features})"


class _Elementwise(Module):
    """An activation applied element by element; subclasses give ``f`` and ``f'``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_nonempty(as_float_array(x, self), self)
        self._x = x
        self._y = self._f(x)
        return self._y

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if getattr(self, "_x", None) is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout", dtype=self._x.dtype)
        if dout.shape != self._x.shape:
            raise ValueError(f"{self!r}: expected dout of shape {self._x.shape}, got {dout.shape}")
        return dout * self._df() if input_grad else None

    def _f(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError

    def _df(self) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError


class ReLU(_Elementwise):
    """``max(0, x)``. Derived in: backprop-relu-zero (Q25).

    The derivative at exactly 0 is a convention: ``grad_at_zero`` (0, ½ or 1 all
    give the same training curves, because an exact zero pre-activation is rare).
    """

    def __init__(self, grad_at_zero: float = 0.0) -> None:
        super().__init__()
        self.grad_at_zero = check_number(grad_at_zero, "grad_at_zero", "ReLU", low=0.0, high=1.0)

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0.0)

    def _df(self) -> np.ndarray:
        x = self._x
        if not self.grad_at_zero:
            return x > 0  # a boolean mask: dout * mask is one pass, as in bare numpy
        slope = (x > 0).astype(x.dtype)
        slope[x == 0] = self.grad_at_zero  # exact zeros are rare
        return slope

    def __repr__(self) -> str:
        return f"ReLU(grad_at_zero={self.grad_at_zero:g})"


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function ``1 / (1 + e^{-x})``, finite and warning-free for any finite input (e.g. ±1e4).

    Parameters
    ----------
    x : array_like of real numbers
        Finite and non-empty; integers are promoted to float64.

    Returns
    -------
    array of the shape of ``x``, values in [0, 1]
    """
    return _sigmoid(check_nonempty(as_float_array(x, "sigmoid", "x"), "sigmoid", "x"))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """:func:`sigmoid` of an array already checked (float, finite)."""
    z = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1.0 / (1.0 + z), z / (1.0 + z))


class Sigmoid(_Elementwise):
    """``1 / (1 + e^{-x})``; derivative ``y (1 - y)``. Derived in: backprop-bias."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return _sigmoid(x)

    def _df(self) -> np.ndarray:
        return self._y * (1.0 - self._y)


class Tanh(_Elementwise):
    """``tanh(x)``; derivative ``1 - y²``. Derived in: backprop-init (saturation)."""

    def _f(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def _df(self) -> np.ndarray:
        return 1.0 - self._y**2


class Dropout(Module):
    """Inverted dropout: in training, zero each unit with probability ``p`` and scale the
    survivors by ``1/(1-p)``; in eval mode, the identity. Derived in: batch-train-eval.

    Parameters
    ----------
    p : float
        Probability of dropping a unit, in [0, 1).
    rng : numpy Generator, int or None
        Source of the masks (an int is a seed).
    """

    def __init__(self, p: float = 0.5, *, rng: np.random.Generator | int | None = None) -> None:
        super().__init__()
        self.p = check_number(p, "p", "Dropout", low=0.0, high=1.0, high_open=True)
        self.rng = as_rng(rng, "rng", "Dropout")
        self._mask: np.ndarray | None = None
        self._shape: tuple[int, ...] | None = None  # of the last input; None before any forward

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = check_nonempty(as_float_array(x, self), self)
        self._shape = x.shape
        if not self.training or self.p == 0.0:
            self._mask = None
            return x
        self._mask = (self.rng.random(x.shape) >= self.p).astype(x.dtype) / (1.0 - self.p)
        return x * self._mask

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout")
        if dout.shape != self._shape:
            raise ValueError(f"{self!r}: expected dout of shape {self._shape}, got {dout.shape}")
        if not input_grad:
            return None
        return dout if self._mask is None else dout * self._mask

    def __repr__(self) -> str:
        return f"Dropout(p={self.p:g})"


class Flatten(Module):
    """``(N, ...) -> (N, prod(...))``; backward restores the shape."""

    def __init__(self) -> None:
        super().__init__()
        self._shape: tuple[int, ...] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, self)
        if x.ndim < 1:
            raise ValueError(f"{self!r}: expected input of shape (N, ...), got a scalar")
        check_nonempty(x, self)
        self._shape = x.shape
        return x.reshape(x.shape[0], -1)

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        dout = as_float_array(dout, self, "dout")
        flat = (self._shape[0], int(np.prod(self._shape[1:], dtype=np.int64)))
        if dout.shape != flat:
            raise ValueError(f"{self!r}: expected dout of shape {flat}, got {dout.shape}")
        return dout.reshape(self._shape) if input_grad else None
