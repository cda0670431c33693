"""Optimisers that update a module's parameters in place from its gradients, and gradient clipping.

Derived in: batch-learning-rate (SGD, momentum), batch-stuck-at-chance (Adam) and bptt-clipping
(gradient-norm clipping). Levenberg–Marquardt, which needs the Jacobian rather than the gradient,
lives in :mod:`companion.nn.lm`.
"""

from __future__ import annotations

import numpy as np

from companion._checks import check_instance, check_number, check_positive, check_probability
from companion.nn.module import Module

__all__ = ["Optimizer", "SGD", "Adam", "clip_grad_norm"]


class Optimizer:
    """Base class: ``step()`` updates ``model.params`` in place; ``zero_grad()`` clears grads.

    Parameters
    ----------
    model : Module
        The network whose ``params`` are updated from its ``grads``.
    lr : float
        Learning rate, a finite number > 0.
    """

    def __init__(self, model: Module, lr: float) -> None:
        who = type(self).__name__
        check_instance(model, Module, "model", who, "a companion.nn Module")
        self.model, self.lr = model, check_positive(lr, "lr", who)
        self.state: dict[str, dict[str, np.ndarray]] = {}

    def zero_grad(self) -> None:
        self.model.zero_grad()

    def step(self) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class SGD(Optimizer):
    """``v ← μ v + g``; ``θ ← θ − lr · v`` (PyTorch's form; μ = 0 is plain gradient descent).

    Every parameter — weights and biases alike — moves at once, along the negative gradient
    (Q18).

    Parameters
    ----------
    model : Module
    lr : float
        Learning rate (> 0).
    momentum : float
        μ in [0, 1).
    weight_decay : float
        L2 penalty coefficient (>= 0), added to the gradient as ``weight_decay · θ``.
    """

    def __init__(self, model: Module, lr: float = 0.1, momentum: float = 0.0, weight_decay: float = 0.0) -> None:
        super().__init__(model, lr)
        self.momentum = check_probability(momentum, "momentum", "SGD", high_open=True)
        self.weight_decay = check_number(weight_decay, "weight_decay", "SGD", low=0.0)

    def step(self) -> None:
        grads = self.model.grads
        for k, p in self.model.params.items():
            g = grads[k] + self.weight_decay * p if self.weight_decay else grads[k]
            if self.momentum:
                state = self.state.setdefault(k, {})
                if "v" not in state:  # (a setdefault default would allocate on every step)
                    state["v"] = np.zeros_like(p)
                v = state["v"]
                v *= self.momentum
                v += g
                g = v
            p -= self.lr * g


class Adam(Optimizer):
    """Adam (Kingma & Ba, 2015) with bias correction, as in PyTorch's default settings.

    Parameters
    ----------
    model : Module
    lr : float
        Learning rate (> 0).
    betas : pair of float
        Decay rates of the first and second moment estimates, each in [0, 1).
    eps : float
        Added to the denominator (> 0: ``eps = 0`` divides 0 by 0 on a zero gradient).
    """

    def __init__(
        self, model: Module, lr: float = 1e-3, betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8
    ) -> None:
        super().__init__(model, lr)
        if not isinstance(betas, (tuple, list)):
            raise TypeError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        if len(betas) != 2:
            raise ValueError(f"Adam: betas must be a pair (beta1, beta2), got {betas!r}")
        self.b1 = check_probability(betas[0], "beta1", "Adam", high_open=True)
        self.b2 = check_probability(betas[1], "beta2", "Adam", high_open=True)
        self.eps = check_positive(eps, "eps", "Adam")
        self.t = 0

    def step(self) -> None:
        self.t += 1
        params, grads = self.model.params, self.model.grads
        b1, b2 = self.b1, self.b2
        c1, c2 = 1.0 - b1**self.t, 1.0 - b2**self.t
        # All parameters of one dtype are updated as one flat vector: the same arithmetic,
        # element by element, in a tenth of the numpy calls for a small network.
        for keys, m, v in self._flat_moments(params):
            g = grads[keys[0]].ravel() if len(keys) == 1 else np.concatenate([grads[k].ravel() for k in keys])
            m *= b1
            m += (1.0 - b1) * g
            v *= b2
            v += (1.0 - b2) * g * g
            update = self.lr * (m / c1) / (np.sqrt(v / c2) + self.eps)
            start = 0
            for k in keys:
                p = params[k]
                p -= update[start:start + p.size].reshape(p.shape)
                start += p.size

    def _flat_moments(self, params: dict[str, np.ndarray]) -> list[tuple[list[str], np.ndarray, np.ndarray]]:
        """``(keys, m, v)`` per dtype: flat moment vectors of which ``state[k]["m"]`` and
        ``state[k]["v"]`` are views. Rebuilt, keeping every moment so far, when the model's
        parameters change (a layer added, a shape changed)."""
        layout = tuple((k, p.shape, p.dtype) for k, p in params.items())
        if getattr(self, "_layout", None) != layout:
            groups: dict[np.dtype, list[str]] = {}
            for k, p in params.items():
                groups.setdefault(p.dtype, []).append(k)
            self._groups = []
            for dtype, keys in groups.items():
                m = np.concatenate([self._moment(k, "m", params[k]) for k in keys]).astype(dtype, copy=False)
                v = np.concatenate([self._moment(k, "v", params[k]) for k in keys]).astype(dtype, copy=False)
                start = 0
                for k in keys:
                    shape, n = params[k].shape, params[k].size
                    self.state[k] = {"m": m[start:start + n].reshape(shape), "v": v[start:start + n].reshape(shape)}
                    start += n
                self._groups.append((keys, m, v))
            self._layout = layout
        return self._groups

    def _moment(self, key: str, name: str, p: np.ndarray) -> np.ndarray:
        """The moment ``name`` of parameter ``key`` so far, flat (zeros before its first step)."""
        old = self.state.get(key, {}).get(name)
        return old.ravel() if old is not None and old.shape == p.shape else np.zeros(p.size, p.dtype)


def clip_grad_norm(model: Module, max_norm: float) -> float:
    """Rescale all of ``model``'s gradients in place so their joint norm is at most ``max_norm``.

    Derived in: bptt-clipping. The direction of the gradient is kept; only its length
    is capped: ``g ← g · min(1, max_norm / ‖g‖)`` with ``‖g‖² = Σ_k ‖grads[k]‖²`` (as PyTorch's
    ``clip_grad_norm_``).

    Parameters
    ----------
    model : Module
        Its ``grads`` are rescaled in place.
    max_norm : float
        The cap, a finite number > 0.

    Returns
    -------
    float
        The total norm *before* clipping (log it to see how often clipping acts). A non-finite
        gradient gives a non-finite norm and leaves the gradients unchanged.
    """
    who = "clip_grad_norm"
    check_instance(model, Module, "model", who, "a companion.nn Module")
    max_norm = check_positive(max_norm, "max_norm", who)
    grads = list(model.grads.values())
    total = 0.0
    for g in grads:
        g64 = g.astype(np.float64, copy=False)
        total += float((g64 * g64).sum())
    total = float(np.sqrt(total))
    if total > max_norm:
        scale = max_norm / total
        for g in grads:
            g *= scale
    return total
