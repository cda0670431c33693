"""The `Module` protocol and `Sequential`. Derived in: backprop-first-net (layers as pairs).

A module is a forward/backward pair. ``forward`` caches what ``backward`` needs;
``backward(dout)`` returns dL/dx and *overwrites, in place*, the arrays in ``grads``.
``backward(dout, input_grad=False)`` skips dL/dx and returns None: frameworks do the same
when the input needs no gradient (a network's data), and for a first Linear or Conv2d layer
that saves a matrix product as large as the forward one.
Because the arrays are overwritten in place, a reference kept to ``grads["W"]`` changes
with the next backward pass or ``zero_grad()`` — keep ``.copy()`` to save a gradient
(batch-keeping-gradients, Q23).
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from companion._checks import BETWEEN_LAYERS, check_bool, check_instance


class Module:
    """Base class: ``forward``/``backward``, ``params``/``grads``, ``train()``/``eval()``.

    Subclasses fill ``self.params`` with arrays and ``self.grads`` with zero arrays of the
    same keys, shapes and dtypes, then implement ``forward`` and ``backward``.
    """

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}
        self.training: bool = True

    # --- the pair every layer implements -------------------------------------------
    def forward(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - interface
        raise NotImplementedError(f"{type(self).__name__} does not implement forward")

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:  # pragma: no cover
        """dL/dx from dL/dy (None when ``input_grad`` is False); fills ``grads``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement backward")

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)

    # --- mode and bookkeeping --------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Put the module (and its children) in training mode; ``train(False)`` is ``eval()``.

        ``mode`` must be True or False (a TypeError otherwise, as ``train("no")`` would train).
        """
        mode = check_bool(mode, "mode", f"{type(self).__name__}.train")
        self.training = mode
        for child in self.children():
            child.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout becomes the identity (batch-train-eval, Q24)."""
        return self.train(False)

    def children(self) -> Iterator["Module"]:
        """Direct sub-modules (none for a plain layer)."""
        return iter(())

    def modules(self) -> Iterator["Module"]:
        """This module and every module below it, depth first (as PyTorch's ``modules()``)."""
        yield self
        for child in self.children():
            yield from child.modules()

    def zero_grad(self) -> None:
        """Set every gradient to zero, in place (so saved references become zero too)."""
        for g in self.grads.values():
            g[...] = 0.0

    def _set_grad(self, key: str, value: np.ndarray) -> None:
        """Overwrite ``grads[key]`` in place (keeps optimisers' and users' references valid)."""
        self.grads[key][...] = value

    def num_params(self) -> int:
        """Total number of scalar parameters."""
        return int(sum(p.size for p in self.params.values()))

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Sequential(Module):
    """Layers applied in order; parameters are exposed as ``"0.W"``, ``"0.b"``, ``"2.W"``, …

    ``params`` and ``grads`` are views: the arrays are the layers' own, so an optimiser
    that updates ``params[...]`` in place updates the layers.
    """

    def __init__(self, *layers: Module) -> None:
        super().__init__()
        for i, layer in enumerate(layers):
            check_instance(layer, Module, f"item {i}", "Sequential", "a companion.nn Module")
        self.layers: list[Module] = list(layers)

    @property
    def params(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.params.items()}

    @params.setter
    def params(self, value: dict) -> None:  # Module.__init__ assigns {}; ignore it
        if value:
            raise AttributeError("Sequential.params is a view of its layers' parameters")

    @property
    def grads(self) -> dict[str, np.ndarray]:  # type: ignore[override]
        return {f"{i}.{k}": v for i, layer in enumerate(self.layers) for k, v in layer.grads.items()}

    @grads.setter
    def grads(self, value: dict) -> None:
        if value:
            raise AttributeError("Sequential.grads is a view of its layers' gradients")

    def children(self) -> Iterator[Module]:
        return iter(self.layers)

    def forward(self, x: np.ndarray) -> np.ndarray:
        """Apply the layers in order. The first layer checks the input (shape, dtype, NaN);
        the later ones skip re-checking their predecessor's fresh output for NaN and infinity
        (see ``companion._checks.BETWEEN_LAYERS``)."""
        if not self.layers:
            return x
        x = self.layers[0].forward(x)
        token = BETWEEN_LAYERS.set(True)
        try:
            for layer in self.layers[1:]:
                x = layer.forward(x)
        finally:
            BETWEEN_LAYERS.reset(token)
        return x

    def backward(self, dout: np.ndarray, *, input_grad: bool = True) -> np.ndarray | None:
        """Backpropagate through the layers in reverse; with ``input_grad=False`` the first
        layer skips dL/dx (the gradient of the network's input) and None is returned.

        The last layer checks ``dout``, which comes from outside; the others receive what the
        layer after them returned and skip the NaN check, as in :meth:`forward`."""
        if not self.layers:
            return dout
        first, *rest = self.layers
        if rest:
            dout = rest[-1].backward(dout)
            token = BETWEEN_LAYERS.set(True)
            try:
                for layer in reversed(rest[:-1]):
                    dout = layer.backward(dout)
                return self._backward_first(first, dout, input_grad)
            finally:
                BETWEEN_LAYERS.reset(token)
        return self._backward_first(first, dout, input_grad)

    @staticmethod
    def _backward_first(first: Module, dout: np.ndarray, input_grad: bool) -> np.ndarray | None:
        if input_grad:  # the plain call, so a reader's layer with ``backward(self, dout)`` still works
            return first.backward(dout)
        return first.backward(dout, input_grad=False)

    def zero_grad(self) -> None:
        for layer in self.layers:
            layer.zero_grad()

    def __getitem__(self, i: int) -> Module:
        return self.layers[i]

    def __len__(self) -> int:
        return len(self.layers)

    def __repr__(self) -> str:
        inner = ",\n  ".join(f"({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential(\n  {inner}\n)"
