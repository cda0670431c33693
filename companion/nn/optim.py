"""Optimisers that update a module's parameters in place from its gradients.

Derived in: Batch gradients §3 (SGD, momentum), §4 (Adam). Levenberg–Marquardt, which
needs the Jacobian rather than the gradient, lives in :mod:`companion.nn.lm`.
"""

from __future__ import annotations

import numpy as np

from companion.nn.module import Module


def _check_number(value: object, what: str, *, positive: bool = False, lo: float = 0.0, hi: float = np.inf) -> None:
    """Raise ValueError unless ``value`` is a real number in range (bools and strings are refused)."""
    ok = isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool)
    ok = ok and bool(np.isfinite(value)) and (value > 0 if positive else lo <= value < hi)
    if not ok:
        want = "a positive number" if positive else f"a number in [{lo:g}, {hi:g})"
        raise ValueError(f"{what} must be {want}, got {value!r}")


class Optimizer:
    """Base class: ``step()`` updates ``model.params`` in place; ``zero_grad()`` clears grads."""

    def __init__(self, model: Module, lr: float) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"{type(self).__name__}: expected a Module, got {type(model).__name__}")
        _check_number(lr, f"{type(self).__name__}: lr", positive=True)
        self.model, self.lr = model, float(lr)
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def zero_grad(self) -> None:
        self.model.zero_grad()

    def step(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SGD(Optimizer):
    """``v ← μ v + g``; ``θ ← θ − lr · v`` (PyTorch's form; μ = 0 is plain gradient descent).

    Every parameter — weights and biases alike — moves at once, along the negative gradient
    (Q18).
    """

    def __init__(self, model: Module, lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(model, lr)
        _check_number(momentum, "SGD: momentum", lo=0.0, hi=1.0)
        _check_number(weight_decay, "SGD: weight_decay", lo=0.0)
        self.momentum, self.weight_decay = float(momentum), float(weight_decay)

    def step(self) -> None:
        grads = self.model.grads
        for k, p in self.model.params.items():
            g = grads[k] + self.weight_decay * p if self.weight_decay else grads[k]
            if self.momentum:
                v = self.state.setdefault(k, {}).setdefault("v", np.zeros_like(p))
                v *= self.momentum
                v += g
                g = v
            p -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, as in PyTorch's default settings."""

    def __init__(
        self, model: Module, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        b1, b2 = betas
        _check_number(b1, "Adam: beta1", lo=0.0, hi=1.0)
        _check_number(b2, "Adam: beta2", lo=0.0, hi=1.0)
        _check_number(eps, "Adam: eps", positive=True)  # eps = 0 divides 0 by 0 on a zero gradient
        self.b1, self.b2, self.eps = float(b1), float(b2), float(eps)
        self.t = 0

    def step(self) -> None:
        self.t += 1
        grads = self.model.grads
        c1, c2 = 1.0 - self.b1**self.t, 1.0 - self.b2**self.t
        for k, p in self.model.params.items():
            g = grads[k]
            s = self.state.setdefault(k, {"m": np.zeros_like(p), "v": np.zeros_like(p)})
            s["m"] *= self.b1
            s["m"] += (1.0 - self.b1) * g
            s["v"] *= self.b2
            s["v"] += (1.0 - self.b2) * g * g
            p -= self.lr * (s["m"] / c1) / (np.sqrt(s["v"] / c2) + self.eps)
