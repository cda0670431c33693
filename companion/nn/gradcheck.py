"""Gradient checking by central differences in float64. Derived in: backprop-first-net.

One helper, used by every chapter and test: :func:`gradcheck` compares a module's
analytic gradients (from ``backward``) with finite differences for every parameter
(biases included) and for the input, and reports where a difference crossed a kink
(ReLU at 0, max-pooling ties), where finite differences are not valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from companion._checks import (as_float_array, as_rng, check_bool, check_callable, check_instance,
                              check_nonempty, check_number, check_positive)
from companion._deprecation import seed_as_rng
from companion.nn.layers import Dropout
from companion.nn.module import Module

__all__ = ["rel_error", "numerical_gradient", "GradcheckReport", "gradcheck"]


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``‖a − b‖ / (‖a‖ + ‖b‖)``: 0 when equal (both zero included), 1 when unrelated.

    Parameters
    ----------
    a, b : array_like of real numbers
        Finite, non-empty and of the same shape (no broadcasting: comparing a gradient of
        shape (3,) with one of shape (1, 3) is refused rather than silently averaged).

    Returns
    -------
    float
        In [0, 1].
    """
    who = "rel_error"
    a = check_nonempty(as_float_array(a, who, "a", dtype=np.float64), who, "a")
    b = check_nonempty(as_float_array(b, who, "b", dtype=np.float64), who, "b")
    if a.shape != b.shape:
        raise ValueError(f"{who}: a has shape {a.shape} but b has shape {b.shape}; expected the same shape")
    return _rel_error(a, b)


def _rel_error(a: np.ndarray, b: np.ndarray) -> float:
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0


def _scalar(value: object, who: str) -> float:
    """What ``f()`` returned, as a finite float (a real number or a 0-d/1-element real array)."""
    arr = np.asarray(value) if isinstance(value, (np.ndarray, np.generic)) else None
    real = isinstance(value, (int, float)) and not isinstance(value, bool)
    if not (real or (arr is not None and arr.size == 1 and arr.dtype.kind in "iuf")):
        raise TypeError(f"{who}: f() must return a number, got {type(value).__name__}")
    v = float(value if real else arr.reshape(()))
    if not np.isfinite(v):
        raise ValueError(f"{who}: f() returned {v}, not a finite number")
    return v


def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of the scalar ``f()`` with respect to ``x``, perturbed in place.

    Parameters
    ----------
    f : callable
        ``f() -> float``, reading ``x`` (a parameter array of a model, say).
    x : float64 numpy array
        Finite and non-empty; each element is moved by ``±eps`` and put back.
    eps : float
        The step, a finite number > 0.

    Returns
    -------
    grad : array of the shape of ``x``
    kink : bool array of the shape of ``x``
        True where the one-sided differences disagree, i.e. the step ``±eps`` crossed a point
        where ``f`` is not differentiable.
    """
    who = "numerical_gradient"
    check_callable(f, "f", who, "() -> float")
    check_instance(x, np.ndarray, "x", who, "a numpy array (it is perturbed in place)")
    if x.dtype != np.float64:
        raise ValueError(f"{who}: x must be a float64 array, got {x.dtype}")
    as_float_array(x, who, "x")  # finite
    check_nonempty(x, who, "x")
    eps = check_positive(eps, "eps", who)
    f0 = _scalar(f(), who)
    grad = np.zeros_like(x)
    kink = np.zeros(x.shape, dtype=bool)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        try:
            x[i] = old + eps
            fp = _scalar(f(), who)
            x[i] = old - eps
            fm = _scalar(f(), who)
        finally:
            x[i] = old
        grad[i] = (fp - fm) / (2 * eps)
        forward, backward = (fp - f0) / eps, (f0 - fm) / eps
        # On a smooth function the two one-sided slopes differ by ~eps·f''; a kink makes
        # them differ by the jump in slope, which is O(1).
        kink[i] = abs(forward - backward) > 1e-4 * max(1.0, abs(forward), abs(backward))
    return grad, kink


@dataclass
class GradcheckReport:
    """Relative error per checked array (``"input"`` and every parameter key).

    ``errors`` exclude the elements where the finite difference crossed a kink;
    ``kinks`` lists those elements' indices per array.
    """

    errors: dict[str, float]
    kinks: dict[str, list[tuple[int, ...]]] = field(default_factory=dict)
    tol: float = 1e-7

    def __post_init__(self) -> None:
        who = "GradcheckReport"
        check_instance(self.errors, dict, "errors", who, "a dict of array name -> relative error")
        for k, e in self.errors.items():
            check_number(e, f"errors[{k!r}]", who, low=0.0)
        check_instance(self.kinks, dict, "kinks", who, "a dict of array name -> list of indices")
        self.tol = check_positive(self.tol, "tol", who)

    @property
    def max_error(self) -> float:
        return max(self.errors.values()) if self.errors else 0.0

    @property
    def ok(self) -> bool:
        return self.max_error < self.tol

    def __str__(self) -> str:
        lines = [f"{'array':<12} {'rel. error':>11}  kinks crossed"]
        for k, e in self.errors.items():
            n = len(self.kinks.get(k, []))
            lines.append(f"{k:<12} {e:11.2e}  {n if n else ''}")
        lines.append(f"{'PASS' if self.ok else 'FAIL'} (max {self.max_error:.2e}, tolerance {self.tol:g})")
        return "\n".join(lines)

    _repr_pretty_ = lambda self, p, cycle: p.text(str(self))  # noqa: E731


def gradcheck(
    model: Module,
    x: np.ndarray,
    loss: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]] | None = None,
    target: np.ndarray | None = None,
    *,
    eps: float = 1e-6,
    tol: float = 1e-7,
    check_input: bool = True,
    rng: np.random.Generator | int | None = 0,
    seed: int | None = None,
) -> GradcheckReport:
    """Compare ``model.backward`` with central differences, for every parameter and the input.

    The scalar checked is ``loss(model(x), target)[0]`` when a loss is given, otherwise
    ``Σ model(x) ⊙ R`` for a fixed random ``R`` (so ``dout = R``: every output element is
    exercised with a different weight).

    Parameters
    ----------
    model : Module
        Its parameters must be float64 (they are perturbed in place, then restored).
    x : array
        The input: finite real numbers, non-empty (copied as float64).
    loss, target : optional
        A loss returning ``(value, dpred)`` such as :func:`softmax_cross_entropy`, and its target.
    eps : float
        Finite-difference step.
    tol : float
        The report's ``ok`` is ``max error < tol``.
    check_input : bool
        Also check dL/dx.
    rng : numpy Generator, int or None
        Source of the random projection ``R`` (default: the fixed seed 0, so a report is
        reproducible).
    seed : int, optional
        Deprecated spelling of ``rng`` (an int seed).

    Returns
    -------
    GradcheckReport
        ``report.errors["0.W"]`` etc.; ``report.ok``; ``print(report)`` for a table.

    Notes
    -----
    Dropout and other random layers must be in eval mode (or re-seeded) so that every
    evaluation sees the same function. Training-mode dropout is detected and refused.
    """
    who = "gradcheck"
    check_instance(model, Module, "model", who, "a companion.nn Module")
    x = np.array(check_nonempty(as_float_array(x, who, "x"), who, "x"), dtype=np.float64)  # a copy to perturb
    check_callable(loss, "loss", who, "(pred, target) -> (value, dpred)", none_ok=True)
    eps = check_positive(eps, "eps", who)
    tol = check_positive(tol, "tol", who)
    check_input = check_bool(check_input, "check_input", who)
    rng = seed_as_rng(seed, rng, who)
    gen = as_rng(rng, "rng", who)
    for k, p in model.params.items():
        if p.dtype != np.float64:
            raise ValueError(f"{who}: parameter {k!r} is {p.dtype}; build the model with float64")
    if any(isinstance(m, Dropout) and m.training and m.p > 0 for m in model.modules()):
        raise ValueError(f"{who}: the model has Dropout in training mode; call model.eval() first")

    out = model.forward(x)
    if loss is None:
        if target is not None:
            raise ValueError(f"{who}: a target needs a loss (without one the check uses a random projection)")
        proj = gen.standard_normal(out.shape)

        def scalar_and_dout(o: np.ndarray) -> tuple[float, np.ndarray]:
            return float(np.sum(o * proj)), proj
    else:
        if target is None:
            raise ValueError(f"{who}: a loss needs a target")

        def scalar_and_dout(o: np.ndarray) -> tuple[float, np.ndarray]:
            return loss(o, target)

    _, dout = scalar_and_dout(out)
    model.zero_grad()
    dx = model.backward(dout)
    analytic = {k: g.copy() for k, g in model.grads.items()}
    if check_input:
        analytic = {"input": np.asarray(dx, dtype=np.float64), **analytic}

    def f() -> float:
        return scalar_and_dout(model.forward(x))[0]

    errors, kinks = {}, {}
    targets = {"input": x} if check_input else {}
    targets.update(model.params)
    for name, arr in targets.items():
        num, kink = numerical_gradient(f, arr, eps)
        ana = analytic[name]
        errors[name] = _rel_error(ana[~kink], num[~kink])
        if kink.any():
            kinks[name] = [tuple(int(j) for j in i) for i in np.argwhere(kink)]
    model.forward(x)  # leave the caches as they were after the analytic pass
    return GradcheckReport(errors, kinks, tol)

