"""A vanilla (tanh) RNN with an explicit BPTT loop that keeps a per-time-step record, and pooling
over time.

Derived in: bptt-loop (the RNN and BPTT as a loop), bptt-record (the per-time-step record),
bptt-vanishing (vanishing/exploding: the rate ``σ_max(Wh) · max tanh'``) and bptt-pooling
(pooling over time). Gradient-norm clipping lives in :mod:`companion.nn.optim` and the recall
task in :mod:`companion.nn.tasks`; both are re-exported here, where they used to be.

The cell is ``a_t = x_t Wx + h_{t-1} Wh + b``, ``h_t = tanh(a_t)``, for ``t = 1 … T`` from an
initial state ``h_0``. The layer returns every hidden state, ``(N, T, H)``; what comes after it
(a pooling over time, a head on the last step) decides which states the loss sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from companion._checks import (as_float_array, as_rng, check_bool, check_choice, check_float_dtype, check_int,
                              check_ndim, check_number)
from companion.nn.layers import Init, init_weights
from companion.nn.module import Module
from companion.nn.optim import clip_grad_norm  # noqa: F401 (re-exported: it lived here)
from companion.nn.tasks import make_recall_task  # noqa: F401 (re-exported: it lived here)

__all__ = ["RNN", "BPTTRecord", "TemporalPool", "clip_grad_norm", "make_recall_task"]
RECURRENT_INITS = ("orthogonal", "xavier")


@dataclass
class BPTTRecord:
    """What one backward pass of :class:`RNN` saw at every time step. Derived in: bptt-record.

    Attributes
    ----------
    dh : array (N, T, H)
        ``dL/dh_t``, the *total* gradient reaching hidden state ``h_t``: the gradient from the
        layers above at step ``t`` (``dout[:, t]``) plus the recurrent path from ``h_{t+1}``.
    da : array (N, T, H)
        ``dL/da_t = dL/dh_t ⊙ (1 − h_t²)``, the gradient at the pre-activation.
    dWx, dWh, db : arrays (T, D, H), (T, H, H), (T, H) or None
        Step ``t``'s contribution to each parameter gradient: ``x_tᵀ da_t``, ``h_{t-1}ᵀ da_t``,
        ``Σ_n da_t``. Summed over ``t`` they equal ``grads["Wx"]``, ``grads["Wh"]``, ``grads["b"]``.
        None when the RNN was built with ``record="dh"`` (the cheaper record).
    dh0 : array (N, H)
        ``dL/dh_0``, the gradient reaching the initial state.
    """

    dh: np.ndarray
    da: np.ndarray
    dWx: np.ndarray | None
    dWh: np.ndarray | None
    db: np.ndarray | None
    dh0: np.ndarray

    def __post_init__(self) -> None:
        who = "BPTTRecord"
        self.dh = as_float_array(self.dh, who, "dh")
        check_ndim(self.dh, 3, who, "(N, T, H)", "dh")
        n, T, H = self.dh.shape
        self.da = as_float_array(self.da, who, "da")
        self.dh0 = as_float_array(self.dh0, who, "dh0")
        for name, arr, shape in (("da", self.da, (n, T, H)), ("dh0", self.dh0, (n, H))):
            if arr.shape != shape:
                raise ValueError(f"{who}: dh has shape {self.dh.shape}, so {name} must have shape {shape}, "
                                 f"got {arr.shape}")
        steps = {"dWx": self.dWx, "dWh": self.dWh, "db": self.db}
        if any(v is None for v in steps.values()) and any(v is not None for v in steps.values()):
            raise ValueError(f"{who}: give all of dWx, dWh and db (the full record) or none of them")
        for name, v in steps.items():
            if v is not None:
                arr = as_float_array(v, who, name)
                if arr.ndim < 2 or arr.shape[0] != T or arr.shape[-1] != H:
                    raise ValueError(f"{who}: {name} must hold one entry per time step, shape ({T}, ..., {H}), "
                                     f"got {arr.shape}")
                setattr(self, name, arr)

    def dh_norm(self) -> np.ndarray:
        """``‖dL/dh_t‖`` for each ``t`` (Frobenius norm over batch and hidden units), shape ``(T,)``."""
        return np.sqrt(np.sum(self.dh**2, axis=(0, 2)))


def _check_recurrent_init(init: object, who: str) -> str | float:
    if isinstance(init, str):
        return check_choice(init, "recurrent_init", who, RECURRENT_INITS)
    if isinstance(init, (bool, np.bool_)) or not isinstance(init, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: recurrent_init must be 'orthogonal', 'xavier' or a number >= 0 "
                        f"(the spectral radius), got {init!r}")
    return check_number(init, "recurrent_init (a spectral radius)", who, low=0.0)


def _recurrent_init(rng: np.random.Generator, hidden: int, init: str | float) -> np.ndarray:
    if init == "orthogonal":
        q, r = np.linalg.qr(rng.standard_normal((hidden, hidden)))
        return q * np.sign(np.diag(r))  # Haar-distributed orthogonal matrix
    if init == "xavier":
        return init_weights(rng, hidden, hidden, "xavier")
    # Gaussian entries of std init/sqrt(H): spectral radius ≈ init for large H (circular law).
    return rng.normal(0.0, float(init) / np.sqrt(hidden), size=(hidden, hidden))


class RNN(Module):
    """Tanh RNN on ``(N, T, D)`` inputs returning all hidden states ``(N, T, H)``.

    Derived in: bptt-loop (forward, BPTT loop) and bptt-record (the record).

    Parameters
    ----------
    input_size, hidden_size : int
        ``D`` and ``H``.
    rng : numpy Generator, int or None
        Source of the initial weights.
    init : str, float or callable
        Initialisation of ``Wx`` (see :func:`companion.nn.init_weights`); default Xavier.
    recurrent_init : "orthogonal", "xavier" or float
        Initialisation of ``Wh``: a random orthogonal matrix (all singular values 1), Xavier, or a
        float ``r`` for Gaussian entries with spectral radius ≈ ``r``.
    learn_h0 : bool
        If True, the initial state is a parameter ``params["h0"]`` of shape ``(H,)`` (zeros at
        first), shared by every sequence, with its gradient in ``grads["h0"]`` — so
        :func:`~companion.nn.gradcheck` covers it. If False (default) the initial state is zeros.
    record : "full", "dh" or False
        What ``backward`` keeps in :attr:`record`: ``"full"`` (default) the per-step gradients
        ``dh``, ``da`` and each step's contribution to ``dWx``, ``dWh``, ``db``; ``"dh"`` only
        ``dh``, ``da``, ``dh0``; False nothing.
    dtype : numpy dtype
        float64 by default.

    Notes
    -----
    **Initial state.** ``forward(x, h0=None)`` also takes an explicit initial state of shape
    ``(N, H)`` or ``(H,)`` (broadcast over the batch); it overrides ``params["h0"]`` (whose gradient
    is then zero, as it was not used). After
    ``backward``, :attr:`dh0` holds ``dL/dh_0`` with shape ``(N, H)`` whichever way ``h0`` came in.

    **Record.** After ``backward``, :attr:`record` is a :class:`BPTTRecord`. The input ``dout`` of
    ``backward`` is only the gradient from the layers above (the direct path); ``record.dh`` adds
    the recurrent path, which is what vanishes or explodes.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        *,
        rng: np.random.Generator | int | None = None,
        init: Init = "xavier",
        recurrent_init: str | float = "orthogonal",
        learn_h0: bool = False,
        record: Literal["full", "dh"] | bool = "full",
        dtype: type = np.float64,
    ) -> None:
        super().__init__()
        who = "RNN"
        self.input_size = check_int(input_size, "input_size", who)
        self.hidden_size = check_int(hidden_size, "hidden_size", who)
        self.record_mode = check_choice(record, "record", who, ("full", "dh", False))
        recurrent_init = _check_recurrent_init(recurrent_init, who)
        learn_h0 = check_bool(learn_h0, "learn_h0", who)
        dtype = check_float_dtype(dtype, "dtype", who)
        g = as_rng(rng, "rng", who)
        D, H = self.input_size, self.hidden_size
        self.params["Wx"] = init_weights(g, D, H, init, who=who).astype(dtype)
        self.params["Wh"] = _recurrent_init(g, H, recurrent_init).astype(dtype)
        self.params["b"] = np.zeros(H, dtype=dtype)
        if learn_h0:
            self.params["h0"] = np.zeros(H, dtype=dtype)
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.record: BPTTRecord | None = None
        self.dh0: np.ndarray | None = None
        self._cache: tuple[np.ndarray, np.ndarray, np.ndarray, bool] | None = None

    # ------------------------------------------------------------------------------------
    def _h0(self, h0: np.ndarray | None, n: int) -> tuple[np.ndarray, bool]:
        """The initial state as an (N, H) array, and whether it came from ``params["h0"]``."""
        H, dtype = self.hidden_size, self.params["Wh"].dtype
        if h0 is None:
            if "h0" in self.params:
                return np.broadcast_to(self.params["h0"], (n, H)).copy(), True
            return np.zeros((n, H), dtype=dtype), False
        h0 = as_float_array(h0, repr(self), "h0", dtype=dtype)
        if h0.shape == (H,):
            return np.broadcast_to(h0, (n, H)).copy(), False
        if h0.shape != (n, H):
            raise ValueError(f"{self!r}: expected h0 of shape ({n}, {H}) or ({H},), got {h0.shape}")
        return h0, False

    def forward(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        """All hidden states ``h_1 … h_T`` as an ``(N, T, H)`` array. Derived in: bptt-loop."""
        Wx, Wh, b = self.params["Wx"], self.params["Wh"], self.params["b"]
        x = as_float_array(x, self, dtype=Wx.dtype)
        check_ndim(x, 3, repr(self), f"(N, T, {self.input_size})")
        n, T, d = x.shape
        if d != self.input_size or n == 0 or T == 0:
            raise ValueError(
                f"{self!r}: expected input of shape (N, T, {self.input_size}) with N, T >= 1, got {x.shape}"
            )
        h_init, from_param = self._h0(h0, n)
        xw = x @ Wx + b  # the input part of every step at once: (N, T, H)
        hs = np.empty((n, T, self.hidden_size), dtype=Wx.dtype)
        h = h_init
        for t in range(T):
            h = np.tanh(xw[:, t] + h @ Wh)
            hs[:, t] = h
        self._cache = (x, h_init, hs, from_param)
        return hs

    def __call__(self, x: np.ndarray, h0: np.ndarray | None = None) -> np.ndarray:
        return self.forward(x, h0)

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """BPTT: one explicit loop from ``t = T`` down to 1, vectorised over the batch; returns dL/dx.

        Derived in: bptt-loop. ``dout`` is ``(N, T, H)``: the gradient of the loss
        with respect to each returned hidden state through the layers above only.
        """
        if self._cache is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        x, h_init, hs, from_param = self._cache
        Wx, Wh = self.params["Wx"], self.params["Wh"]
        dout = as_float_array(dout, self, "dout", dtype=Wx.dtype)
        if dout.shape != hs.shape:
            raise ValueError(f"{self!r}: expected dout of shape {hs.shape}, got {dout.shape}")
        n, T, H = hs.shape
        dh_all = np.empty_like(hs)
        da_all = np.empty_like(hs)
        dWx, dWh = np.zeros_like(Wx), np.zeros_like(Wh)
        dh_next = np.zeros((n, H), dtype=hs.dtype)  # gradient reaching h_t from step t+1
        WhT = Wh.T
        for t in range(T - 1, -1, -1):
            dh = dout[:, t] + dh_next  # direct path + recurrent path
            da = dh * (1.0 - hs[:, t] ** 2)  # through tanh
            dh_all[:, t], da_all[:, t] = dh, da
            h_prev = hs[:, t - 1] if t > 0 else h_init
            dWx += x[:, t].T @ da  # the weights are shared: their gradient sums over the steps
            dWh += h_prev.T @ da
            dh_next = da @ WhT  # on to h_{t-1}
        self.dh0 = dh_next
        # Small products per step rather than one (H, N*T) @ (N*T, H) product: a long inner
        # dimension makes BLAS go multi-threaded, which is much slower on a busy machine.
        self._set_grad("Wx", dWx)
        self._set_grad("Wh", dWh)
        self._set_grad("b", da_all.sum(axis=(0, 1)))
        if "h0" in self.params:
            self._set_grad("h0", dh_next.sum(axis=0) if from_param else np.zeros(H))
        if self.record_mode:
            # Computed apart from the loop's sums (the tests check that they agree to 1e-12).
            per_step = self.record_mode == "full"
            steps: dict[str, np.ndarray | None] = {"dWx": None, "dWh": None, "db": None}
            if per_step:
                h_prev_all = np.concatenate([h_init[:, None, :], hs[:, :-1]], axis=1)  # h_{t-1} for every t
                da_t = da_all.transpose(1, 0, 2)  # (T, N, H)
                steps["dWx"] = x.transpose(1, 2, 0) @ da_t  # (T, D, N) @ (T, N, H): one product per step
                steps["dWh"] = h_prev_all.transpose(1, 2, 0) @ da_t
                steps["db"] = da_all.sum(axis=0)
            self.record = BPTTRecord(dh=dh_all, da=da_all, dh0=dh_next, **steps)
        return da_all @ Wx.T if input_grad else None

    def __repr__(self) -> str:
        return f"RNN({self.input_size} -> {self.hidden_size})"


class TemporalPool(Module):
    """Pool ``(N, T, H) -> (N, H)`` over time. Derived in: bptt-pooling (Q16).

    Parameters
    ----------
    mode : "max", "mean" or "last"
        ``"max"``: per sequence and feature, the largest value over ``t``; backward routes the
        whole gradient to that one step (zero elsewhere). **Ties** go to the *first* maximal step
        (``numpy.argmax``), so exactly one step per feature receives the gradient.
        ``"mean"``: the average over ``t``; backward gives every step ``dout / T``.
        ``"last"``: ``h_T``; backward gives the last step ``dout`` and the others zero.

    Attributes
    ----------
    argmax : array (N, H) of int or None
        After a forward pass in max mode, the step each output came from.
    """

    MODES = ("max", "mean", "last")

    def __init__(self, mode: Literal["max", "mean", "last"] = "max") -> None:
        super().__init__()
        self.mode = check_choice(mode, "mode", "TemporalPool", self.MODES)
        self.argmax: np.ndarray | None = None
        self._shape: tuple[int, int, int] | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        x = as_float_array(x, self)
        check_ndim(x, 3, repr(self), "(N, T, H)")
        if 0 in x.shape:
            raise ValueError(f"{self!r}: expected a non-empty input of shape (N, T, H), got {x.shape}")
        self._shape = x.shape
        self._dtype = x.dtype
        if self.mode == "max":
            self.argmax = np.argmax(x, axis=1)  # first maximal step on ties
            return np.take_along_axis(x, self.argmax[:, None, :], axis=1)[:, 0]
        if self.mode == "mean":
            return x.mean(axis=1)
        return x[:, -1].copy()

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        if self._shape is None:
            raise RuntimeError(f"{self!r}: backward called before forward")
        n, T, H = self._shape
        dout = as_float_array(dout, self, "dout", dtype=self._dtype)
        if dout.shape != (n, H):
            raise ValueError(f"{self!r}: expected dout of shape {(n, H)}, got {dout.shape}")
        if not input_grad:
            return None
        if self.mode == "mean":
            return np.broadcast_to(dout[:, None, :] / T, self._shape).copy()
        dx = np.zeros(self._shape, dtype=self._dtype)
        if self.mode == "max":
            np.put_along_axis(dx, self.argmax[:, None, :], dout[:, None, :], axis=1)
        else:
            dx[:, -1] = dout
        return dx

    def __repr__(self) -> str:
        return f"TemporalPool(mode={self.mode!r})"
