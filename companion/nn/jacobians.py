"""The Jacobian of a network's outputs with respect to all its parameters, by backpropagation.

Derived in: backprop-curve-fit (the Jacobian that Levenberg–Marquardt needs) and backprop-lm-fast
(the batched form: one backward pass per output column, not one per sample).
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array, check_choice, check_instance, check_ndim, check_nonempty
from companion.nn.layers import Linear
from companion.nn.module import Module, Sequential
from companion.nn.params import flatten_grads

__all__ = ["jacobian", "JACOBIAN_METHODS"]

JACOBIAN_METHODS = ("auto", "batched", "per_sample")


def _batched_ok(model: Module) -> bool:
    if not isinstance(model, Sequential):
        return False
    return all(isinstance(layer, Linear) or not layer.params for layer in model.layers)


def jacobian(model: Module, x: np.ndarray, *, method: str = "auto") -> np.ndarray:
    """Jacobian of the model's outputs with respect to all its parameters, by backpropagation.

    Derived in: backprop-curve-fit.

    Row ``n * n_out + k`` holds ``∂ output[n, k] / ∂θ`` with ``θ = flatten_params(model)``,
    so that with residuals ``e = (model(x) − y).ravel()`` the Gauss–Newton gradient is ``Jᵀe``.

    Parameters
    ----------
    model : Module
        The network (put random layers such as Dropout in eval mode first).
    x : array of shape (N, in_features)
        The inputs: finite, N >= 1.
    method : {"auto", "batched", "per_sample"}
        ``"per_sample"`` runs one backward pass per sample and output (works for any
        Module). ``"batched"`` runs one backward pass per output column over the whole
        batch and forms each sample's weight gradient as the outer product ``x_n ⊗ δ_n``
        at every Linear layer (a Sequential of Linear layers and parameter-free layers
        only). ``"auto"`` picks ``"batched"`` when it applies.

    Returns
    -------
    array of shape (N * n_out, n_params)
        ``model.grads`` are left as they were; the forward caches hold ``x``.
    """
    who = "jacobian"
    check_instance(model, Module, "model", who, "a companion.nn Module")
    method = check_choice(method, "method", who, JACOBIAN_METHODS)
    x = as_float_array(x, who, "x")
    check_ndim(x, 2, who, "(N, in_features)", "x")
    check_nonempty(x, who, "x")
    batched = _batched_ok(model)
    if method == "batched" and not batched:
        raise ValueError(f"{who}: method='batched' needs a Sequential of Linear and parameter-free layers")
    if method == "auto":
        method = "batched" if batched else "per_sample"
    saved = {k: g.copy() for k, g in model.grads.items()}
    try:
        return _jacobian(model, x, method)
    finally:  # the caller's gradients survive
        for k, g in model.grads.items():
            g[...] = saved[k]


def _jacobian(model: Module, x: np.ndarray, method: str) -> np.ndarray:
    out = model.forward(x)
    if out.ndim != 2:
        raise ValueError(f"jacobian: expected model outputs of shape (N, n_out), got {out.shape}")
    n, k_out = out.shape
    jac = np.zeros((n * k_out, model.num_params()), dtype=np.float64)
    if method == "per_sample":
        for i in range(n):
            o = model.forward(x[i : i + 1])
            for k in range(k_out):
                dout = np.zeros_like(o)
                dout[0, k] = 1.0
                model.zero_grad()
                model.backward(dout)
                jac[i * k_out + k] = flatten_grads(model)
        model.forward(x)  # leave the caches as after a forward pass on the whole batch
        return jac
    # Batched: each sample's dout flows independently through the batch; only the
    # parameter gradients sum over samples, so rebuild them per sample at each Linear.
    offsets, i = {}, 0
    for j, layer in enumerate(model.layers):
        for key, p in layer.params.items():
            offsets[(j, key)] = (i, p.size)
            i += p.size
    for k in range(k_out):
        dout = np.zeros_like(out)
        dout[:, k] = 1.0
        rows = np.arange(n) * k_out + k
        for j in range(len(model.layers) - 1, -1, -1):
            layer = model.layers[j]
            if isinstance(layer, Linear):
                xin = layer.cached_input  # this layer's input, cached by the forward pass above
                s, size = offsets[(j, "W")]
                jac[rows, s : s + size] = (xin[:, :, None] * dout[:, None, :]).reshape(n, -1)
                if "b" in layer.params:
                    s, size = offsets[(j, "b")]
                    jac[rows, s : s + size] = dout
            dout = layer.backward(dout)
    return jac
