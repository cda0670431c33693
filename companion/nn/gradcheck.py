"""Gradient checking by central differences in float64. Derived in: Backpropagation §1.

One helper, used by every chapter and test: :func:`gradcheck` compares a module's
analytic gradients (from ``backward``) with finite differences for every parameter
(biases included) and for the input, and reports where a difference crossed a kink
(ReLU at 0, max-pooling ties), where finite differences are not valid.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from companion.nn.module import Module


def rel_error(a: np.ndarray, b: np.ndarray) -> float:
    """``‖a − b‖ / max(‖a‖ + ‖b‖, 1e-300)``: 0 when equal, 1 when unrelated."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    denom = np.linalg.norm(a) + np.linalg.norm(b)
    return float(np.linalg.norm(a - b) / denom) if denom > 0 else 0.0


def numerical_gradient(
    f: Callable[[], float], x: np.ndarray, eps: float = 1e-6
) -> tuple[np.ndarray, np.ndarray]:
    """Central differences of the scalar ``f()`` with respect to ``x``, perturbed in place.

    Returns ``(grad, kink)``: ``kink[i]`` is True where the one-sided differences
    disagree, i.e. the step ``±eps`` crossed a point where ``f`` is not differentiable.
    """
    if x.dtype != np.float64:
        raise ValueError(f"numerical_gradient needs float64 arrays, got {x.dtype}")
    f0 = f()
    grad = np.zeros_like(x)
    kink = np.zeros(x.shape, dtype=bool)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
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
    seed: int = 0,
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
        The input; float64.
    loss, target : optional
        A loss returning ``(value, dpred)`` such as :func:`softmax_cross_entropy`.
    eps : float
        Finite-difference step.
    tol : float
        The report's ``ok`` is ``max error < tol``.
    check_input : bool
        Also check dL/dx.
    seed : int
        Seed of the random projection ``R``.

    Returns
    -------
    GradcheckReport
        ``report.errors["0.W"]`` etc.; ``report.ok``; ``print(report)`` for a table.

    Notes
    -----
    Dropout and other random layers must be in eval mode (or re-seeded) so that every
    evaluation sees the same function. Training-mode dropout is detected and refused.
    """
    x = np.array(x, dtype=np.float64)  # a private copy we may perturb
    for k, p in model.params.items():
        if p.dtype != np.float64:
            raise ValueError(f"gradcheck: parameter {k!r} is {p.dtype}; build the model with float64")
    if any(type(m).__name__ == "Dropout" and m.training and m.p > 0 for m in _walk(model)):
        raise ValueError("gradcheck: the model has Dropout in training mode; call model.eval() first")

    out = model.forward(x)
    if loss is None:
        proj = np.random.default_rng(seed).standard_normal(out.shape)

        def scalar_and_dout(o: np.ndarray) -> tuple[float, np.ndarray]:
            return float(np.sum(o * proj)), proj
    else:
        if target is None:
            raise ValueError("gradcheck: a loss needs a target")

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
        errors[name] = rel_error(ana[~kink], num[~kink])
        if kink.any():
            kinks[name] = [tuple(int(j) for j in i) for i in np.argwhere(kink)]
    model.forward(x)  # leave the caches as they were after the analytic pass
    return GradcheckReport(errors, kinks, tol)


def _walk(m: Module):
    yield m
    for c in m.children():
        yield from _walk(c)
