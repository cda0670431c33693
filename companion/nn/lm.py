"""Levenberg–Marquardt and gradient descent for fitting small networks by least squares.

Derived in: Backpropagation §10 (curve fitting, Q02/Q15), §11 (what makes LM fast, Q27)
and §12 (stopping criteria, Q21).

Backpropagation only supplies derivatives. Gradient descent uses one gradient per epoch;
Levenberg–Marquardt uses the Jacobian ``J`` of every residual with respect to every parameter
(one backward pass per output column in the batched form, or one per sample) and solves

    (JᵀJ + μI) δ = −Jᵀe

for the step ``δ``. ``μ`` is divided by ``mu_dec`` after a step that lowers the error and
multiplied by ``mu_inc`` after one that does not, as in MATLAB's ``trainlm``: large ``μ`` is a
short gradient-descent step, small ``μ`` a Gauss–Newton step.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from companion._checks import as_float_array, check_ndim
from companion.nn.layers import Dropout, Linear
from companion.nn.module import Module, Sequential
from companion.nn.optim import SGD

__all__ = ["flatten_params", "unflatten_params", "flatten_grads", "jacobian", "fit_curve", "FitHistory", "STOP_REASONS"]

STOP_REASONS = ("epochs", "time", "goal", "min_grad", "mu_max", "max_fail", "diverged")


def flatten_params(model: Module) -> np.ndarray:
    """All parameters of ``model`` as one float vector, in ``model.params`` order (a copy).

    Derived in: Backpropagation §10.
    """
    ps = list(model.params.values())
    return np.concatenate([p.ravel() for p in ps]) if ps else np.zeros(0)


def flatten_grads(model: Module) -> np.ndarray:
    """All gradients of ``model`` as one vector, in the same order as :func:`flatten_params`.

    Derived in: Backpropagation §10.
    """
    gs = list(model.grads.values())
    return np.concatenate([g.ravel() for g in gs]) if gs else np.zeros(0)


def unflatten_params(model: Module, theta: np.ndarray) -> None:
    """Write the vector ``theta`` back into ``model.params``, in place.

    Derived in: Backpropagation §10.

    Raises
    ------
    ValueError
        If ``theta`` is not a 1-D vector with ``model.num_params()`` entries.
    """
    theta = np.asarray(theta)
    n = model.num_params()
    if theta.shape != (n,):
        raise ValueError(f"unflatten_params: expected a vector of shape ({n},), got {theta.shape}")
    i = 0
    for p in model.params.values():
        p[...] = theta[i : i + p.size].reshape(p.shape)
        i += p.size


def _check_xy(who: str, model: Module, x: np.ndarray, y: np.ndarray | None) -> tuple[np.ndarray, np.ndarray | None]:
    x = as_float_array(x, who, "x")
    check_ndim(x, 2, who, "(N, in_features)", "x")
    if y is None:
        return x, None
    y = as_float_array(y, who, "y")
    out = model.forward(x)
    if y.shape != out.shape:
        hint = " (use y.reshape(-1, 1) for a single output)" if y.ndim == 1 else ""
        raise ValueError(
            f"{who}: the model maps x to shape {out.shape}, so y must have that shape, got {y.shape}{hint}"
        )
    return x, y


def _walk(m: Module):
    yield m
    for c in m.children():
        yield from _walk(c)


def _batched_ok(model: Module) -> bool:
    if not isinstance(model, Sequential):
        return False
    return all(isinstance(layer, Linear) or not layer.params for layer in model.layers)


def jacobian(model: Module, x: np.ndarray, *, method: str = "auto") -> np.ndarray:
    """Jacobian of the model's outputs with respect to all its parameters, by backpropagation.

    Derived in: Backpropagation §10.

    Row ``n * n_out + k`` holds ``∂ output[n, k] / ∂θ`` with ``θ = flatten_params(model)``,
    so that with residuals ``e = (model(x) − y).ravel()`` the Gauss–Newton gradient is ``Jᵀe``.

    Parameters
    ----------
    model : Module
        The network (put random layers such as Dropout in eval mode first).
    x : array of shape (N, in_features)
        The inputs.
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
    if method not in ("auto", "batched", "per_sample"):
        raise ValueError(f"{who}: method must be 'auto', 'batched' or 'per_sample', got {method!r}")
    x, _ = _check_xy(who, model, x, None)
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
                xin = layer._x  # the cached input of this layer (set by forward)
                s, size = offsets[(j, "W")]
                jac[rows, s : s + size] = (xin[:, :, None] * dout[:, None, :]).reshape(n, -1)
                if "b" in layer.params:
                    s, size = offsets[(j, "b")]
                    jac[rows, s : s + size] = dout
            dout = layer.backward(dout)
    return jac


@dataclass
class FitHistory:
    """What :func:`fit_curve` did, one entry per epoch (entry 0 is before the first update).

    Derived in: Backpropagation §12.

    Attributes
    ----------
    loss : list of float
        Training mean squared error after each epoch.
    val_loss : list of float
        Validation MSE after each epoch (empty without a validation set).
    grad_norm : list of float
        Norm of the gradient of the training MSE with respect to all parameters.
    mu : list of float
        Levenberg–Marquardt damping after each epoch (empty for gradient descent).
    elapsed : list of float
        Seconds since the start of the fit.
    stop_reason : str
        One of ``STOP_REASONS``: ``"epochs"``, ``"time"``, ``"goal"``, ``"min_grad"``,
        ``"mu_max"``, ``"max_fail"``, ``"diverged"``.
    best_epoch : int
        The epoch whose parameters the model holds at the end (the best validation
        epoch with a validation set, otherwise the last).
    method : str
        ``"lm"`` or ``"gd"``.
    """

    loss: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    grad_norm: list[float] = field(default_factory=list)
    mu: list[float] = field(default_factory=list)
    elapsed: list[float] = field(default_factory=list)
    stop_reason: str = ""
    best_epoch: int = 0
    method: str = ""

    @property
    def epochs(self) -> int:
        """Number of epochs run (updates attempted)."""
        return len(self.loss) - 1

    def epochs_to(self, goal: float) -> int | None:
        """First epoch at which the training MSE was ``<= goal`` (None if never)."""
        for i, v in enumerate(self.loss):
            if v <= goal:
                return i
        return None

    def __repr__(self) -> str:
        return (f"FitHistory(method={self.method!r}, epochs={self.epochs}, loss={self.loss[-1]:.3e}, "
                f"stop_reason={self.stop_reason!r})")


def _mse_and_residual(model: Module, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """Training MSE and residual vector; ``(inf, nan…)`` once the parameters have blown up."""
    if not all(np.all(np.isfinite(p)) for p in model.params.values()):
        return np.inf, np.full(y.size, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            out = model.forward(x)
        except ValueError:  # x was checked up front: a layer met an overflowed (inf) activation
            return np.inf, np.full(y.size, np.nan)
        e = (out - y).ravel()
        loss = float(np.mean(e * e))
    return (loss, e) if np.isfinite(loss) else (np.inf, e)


def fit_curve(
    model: Module,
    x: np.ndarray,
    y: np.ndarray,
    method: str = "lm",
    *,
    epochs: int = 1000,
    time_limit: float = np.inf,
    goal: float = 0.0,
    min_grad: float = 1e-7,
    mu: float = 1e-3,
    mu_dec: float = 0.1,
    mu_inc: float = 10.0,
    mu_max: float = 1e10,
    lr: float = 0.01,
    momentum: float = 0.0,
    x_val: np.ndarray | None = None,
    y_val: np.ndarray | None = None,
    max_fail: int = 6,
    progress: bool = False,
) -> FitHistory:
    """Fit ``model`` to ``(x, y)`` by least squares with Levenberg–Marquardt or gradient descent.

    Derived in: Backpropagation §10 (LM step), §11 (μ schedule) and §12 (stopping criteria).

    The model is trained in place on the mean squared error over all outputs, full batch.
    Training stops at the first criterion met, recorded in ``history.stop_reason``.

    Parameters
    ----------
    model : Module
        float64 parameters; its output for ``x`` must have the shape of ``y``.
    x, y : arrays of shape (N, in_features) and (N, n_out)
        Training data.
    method : {"lm", "gd"}
        Levenberg–Marquardt, or full-batch gradient descent (SGD with ``lr``, ``momentum``).
    epochs : int
        Stop after this many epochs (``"epochs"``).
    time_limit : float
        Stop when this many seconds have passed (``"time"``).
    goal : float
        Stop when the training MSE is ``<= goal`` (``"goal"``).
    min_grad : float
        Stop when the gradient norm of the training MSE falls below this (``"min_grad"``).
    mu, mu_dec, mu_inc, mu_max : float
        LM only: initial damping, factor after a successful step (< 1), factor after a
        failed step (> 1), and the ceiling: ``μ > mu_max`` stops (``"mu_max"``).
    lr, momentum : float
        Gradient descent only.
    x_val, y_val : arrays, optional
        A validation set. Its MSE is tracked; ``max_fail`` epochs in a row without a new
        best stop training (``"max_fail"``), and the model is left with the parameters
        of the best validation epoch.
    max_fail : int
        See ``x_val``.
    progress : bool
        Show a tqdm progress bar over epochs (chapters pass False).

    Returns
    -------
    FitHistory
        Per-epoch loss, validation loss, gradient norm, μ and time; the stop reason.
        A non-finite loss (gradient descent with too large a rate) stops with ``"diverged"``.
    """
    who = "fit_curve"
    if method not in ("lm", "gd"):
        raise ValueError(f"{who}: method must be 'lm' or 'gd', got {method!r}")
    for k, p in model.params.items():
        if p.dtype != np.float64:
            raise ValueError(f"{who}: parameter {k!r} is {p.dtype}; least squares here needs float64")
    if not isinstance(epochs, (int, np.integer)) or epochs < 0:
        raise ValueError(f"{who}: epochs must be a non-negative integer, got {epochs!r}")
    if not 0.0 < mu_dec <= 1.0 or mu_inc < 1.0 or mu <= 0.0 or mu_max <= 0.0:
        raise ValueError(f"{who}: need mu > 0, mu_max > 0, 0 < mu_dec <= 1 and mu_inc >= 1; "
                         f"got mu={mu}, mu_dec={mu_dec}, mu_inc={mu_inc}, mu_max={mu_max}")
    if (x_val is None) != (y_val is None):
        raise ValueError(f"{who}: give both x_val and y_val, or neither")
    if not isinstance(max_fail, (int, np.integer)) or max_fail < 1:
        raise ValueError(f"{who}: max_fail must be a positive integer, got {max_fail!r}")
    if not time_limit >= 0:
        raise ValueError(f"{who}: time_limit must be >= 0 seconds, got {time_limit!r}")
    if any(isinstance(m, Dropout) and m.training and m.p > 0 for m in _walk(model)):
        raise ValueError(f"{who}: the model has Dropout in training mode, so the fitted function is random; "
                         "call model.eval() first")
    x, y = _check_xy(who, model, x, y)
    has_val = x_val is not None
    if has_val:
        x_val, y_val = _check_xy(who + " (validation set)", model, x_val, y_val)

    hist = FitHistory(method=method)
    n_res = y.size
    opt = SGD(model, lr=lr, momentum=momentum) if method == "gd" else None
    t0 = time.perf_counter()
    best_val, best_theta, fails = np.inf, None, 0

    def gradient(e: np.ndarray) -> np.ndarray:  # of the MSE, by one backward pass
        model.zero_grad()
        model.backward(2.0 * e.reshape(y.shape) / n_res)
        return flatten_grads(model)

    def record(loss: float, gnorm: float) -> bool:
        """Append one epoch; return True when the validation criterion says stop."""
        nonlocal best_val, best_theta, fails
        hist.loss.append(loss)
        hist.grad_norm.append(gnorm)
        hist.elapsed.append(time.perf_counter() - t0)
        if method == "lm":
            hist.mu.append(mu)
        if not has_val:
            hist.best_epoch = len(hist.loss) - 1
            return False
        v, _ = _mse_and_residual(model, x_val, y_val)
        hist.val_loss.append(v)
        if v < best_val:
            best_val, best_theta, fails = v, flatten_params(model), 0
            hist.best_epoch = len(hist.loss) - 1
        else:
            fails += 1
        return fails >= max_fail

    loss, e = _mse_and_residual(model, x, y)
    g = gradient(e)
    val_stop = record(loss, float(np.linalg.norm(g)))
    bar = None
    if progress:
        from tqdm.auto import tqdm

        bar = tqdm(total=epochs, desc=f"fit_curve ({method})")
    reason = ""
    while not reason:
        # Criteria are checked on the state just recorded, in MATLAB's order of precedence.
        if hist.loss[-1] <= goal:
            reason = "goal"
        elif not np.isfinite(hist.loss[-1]):
            reason = "diverged"
        elif hist.epochs >= epochs:
            reason = "epochs"
        elif hist.elapsed[-1] >= time_limit:
            reason = "time"
        elif hist.grad_norm[-1] < min_grad:
            reason = "min_grad"
        elif method == "lm" and mu > mu_max:
            reason = "mu_max"
        elif val_stop:
            reason = "max_fail"
        if reason:
            break
        if method == "gd":
            opt.step()  # grads hold the gradient of the current loss
            loss, e = _mse_and_residual(model, x, y)
            g = gradient(e) if np.isfinite(loss) else np.full_like(g, np.nan)
        else:
            loss, mu = _lm_epoch(model, x, y, e, loss, mu, mu_dec, mu_inc, mu_max)
            loss, e = _mse_and_residual(model, x, y)
            g = gradient(e)
        val_stop = record(loss, float(np.linalg.norm(g)))
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    hist.stop_reason = reason
    if has_val and best_theta is not None:
        unflatten_params(model, best_theta)
        model.forward(x)
    return hist


def _lm_epoch(
    model: Module, x: np.ndarray, y: np.ndarray, e: np.ndarray, loss: float,
    mu: float, mu_dec: float, mu_inc: float, mu_max: float,
) -> tuple[float, float]:
    """One LM epoch: raise μ until a step lowers the error (or μ passes mu_max).

    The Jacobian and JᵀJ are computed once and reused for every trial μ.
    Returns the new loss and μ; the parameters are updated in place only on success.
    """
    jac = jacobian(model, x)
    jtj, jte = jac.T @ jac, jac.T @ e
    theta = flatten_params(model)
    eye = np.eye(theta.size)
    while True:
        try:
            delta = np.linalg.solve(jtj + mu * eye, -jte)
        except np.linalg.LinAlgError:  # pragma: no cover - singular only for mu ≈ 0
            delta = None
        if delta is not None:
            unflatten_params(model, theta + delta)
            new_loss, _ = _mse_and_residual(model, x, y)
            if np.isfinite(new_loss) and new_loss < loss:
                return new_loss, mu * mu_dec
        unflatten_params(model, theta)
        if mu_inc == 1.0:  # a fixed μ cannot recover from a failed step in this epoch
            return loss, mu
        mu *= mu_inc
        if mu > mu_max:
            return loss, mu
