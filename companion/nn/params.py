"""A network's parameters and gradients as one flat vector, and back.

Derived in: backprop-curve-fit (least-squares methods such as Levenberg–Marquardt work on the
vector θ of all parameters, in ``model.params`` order).
"""

from __future__ import annotations

import numpy as np

from companion._checks import as_float_array, check_instance
from companion.nn.module import Module

__all__ = ["flatten_params", "flatten_grads", "unflatten_params"]


def flatten_params(model: Module) -> np.ndarray:
    """All parameters of ``model`` as one float vector, in ``model.params`` order (a copy).

    Derived in: backprop-curve-fit.

    Parameters
    ----------
    model : Module

    Returns
    -------
    array of shape (model.num_params(),)
    """
    return _concatenated(model, "params", "flatten_params")


def flatten_grads(model: Module) -> np.ndarray:
    """All gradients of ``model`` as one vector, in the same order as :func:`flatten_params`.

    Derived in: backprop-curve-fit.

    Parameters
    ----------
    model : Module

    Returns
    -------
    array of shape (model.num_params(),)
    """
    return _concatenated(model, "grads", "flatten_grads")


def _concatenated(model: Module, which: str, who: str) -> np.ndarray:
    """``model.params`` or ``model.grads`` (same keys, same order) raveled into one new vector."""
    check_instance(model, Module, "model", who, "a companion.nn Module")
    arrays = [a.ravel() for a in getattr(model, which).values()]
    return np.concatenate(arrays) if arrays else np.zeros(0)


def unflatten_params(model: Module, theta: np.ndarray) -> None:
    """Write the vector ``theta`` back into ``model.params``, in place.

    Derived in: backprop-curve-fit.

    Parameters
    ----------
    model : Module
    theta : array of shape (model.num_params(),)
        Finite real numbers, e.g. from :func:`flatten_params`.

    Raises
    ------
    TypeError
        If ``model`` is not a Module.
    ValueError
        If ``theta`` is not a finite 1-D vector with ``model.num_params()`` entries.
    """
    who = "unflatten_params"
    check_instance(model, Module, "model", who, "a companion.nn Module")
    theta = as_float_array(theta, who, "theta")
    n = model.num_params()
    if theta.shape != (n,):
        raise ValueError(f"{who}: expected a vector of shape ({n},), got {theta.shape}")
    i = 0
    for p in model.params.values():
        p[...] = theta[i : i + p.size].reshape(p.shape)
        i += p.size
