"""Levenberg–Marquardt and gradient descent for fitting small networks by least squares.

Derived in: backprop-curve-fit (curve fitting, Q02/Q15), backprop-lm-fast (what makes LM fast, Q27)
and backprop-stopping (stopping criteria, Q21).

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

from companion._checks import (as_float_array, check_bool, check_choice, check_instance, check_int, check_ndim,
                              check_nonempty, check_number, check_positive, check_probability)
from companion.nn.jacobians import jacobian
from companion.nn.layers import Dropout
from companion.nn.module import Module
from companion.nn.optim import SGD
from companion.nn.params import flatten_grads, flatten_params, unflatten_params

# flatten_params, flatten_grads, unflatten_params and jacobian lived here: re-exported.
__all__ = ["flatten_params", "unflatten_params", "flatten_grads", "jacobian", "fit_curve", "FitHistory", "STOP_REASONS"]

STOP_REASONS = ("epochs", "time", "goal", "min_grad", "mu_max", "max_fail", "diverged")
METHODS = ("lm", "gd")


def _check_xy(who: str, model: Module, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    x = as_float_array(x, who, "x")
    check_ndim(x, 2, who, "(N, in_features)", "x")
    check_nonempty(x, who, "x")
    y = as_float_array(y, who, "y")
    out = model.forward(x)
    if y.shape != out.shape:
        hint = " (use y.reshape(-1, 1) for a single output)" if y.ndim == 1 else ""
        raise ValueError(
            f"{who}: the model maps x to shape {out.shape}, so y must have that shape, got {y.shape}{hint}"
        )
    return x, y


def _set_theta(model: Module, theta: np.ndarray) -> None:
    """Write a parameter vector back, unchecked: a trial step may leave the finite numbers."""
    i = 0
    for p in model.params.values():
        p[...] = theta[i : i + p.size].reshape(p.shape)
        i += p.size


@dataclass
class FitHistory:
    """What :func:`fit_curve` did, one entry per epoch (entry 0 is before the first update).

    Derived in: backprop-stopping.

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

    def __post_init__(self) -> None:
        who = "FitHistory"
        for name in ("loss", "val_loss", "grad_norm", "mu", "elapsed"):
            check_instance(getattr(self, name), list, name, who, "a list of float")
        check_choice(self.stop_reason, "stop_reason", who, ("", *STOP_REASONS))
        check_choice(self.method, "method", who, ("", *METHODS))
        check_int(self.best_epoch, "best_epoch", who, low=0)

    @property
    def epochs(self) -> int:
        """Number of epochs run (updates attempted); 0 for an empty history."""
        return max(len(self.loss) - 1, 0)

    def epochs_to(self, goal: float) -> int | None:
        """First epoch at which the training MSE was ``<= goal`` (None if never)."""
        goal = check_number(goal, "goal", "FitHistory.epochs_to")
        for i, v in enumerate(self.loss):
            if v <= goal:
                return i
        return None

    def __repr__(self) -> str:
        loss = f"{self.loss[-1]:.3e}" if self.loss else "none"
        return (f"FitHistory(method={self.method!r}, epochs={self.epochs}, loss={loss}, "
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

    Derived in: backprop-curve-fit (LM step), backprop-lm-fast (μ schedule) and backprop-stopping (stopping criteria).

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
    check_instance(model, Module, "model", who, "a companion.nn Module")
    method = check_choice(method, "method", who, METHODS)
    for k, p in model.params.items():
        if p.dtype != np.float64:
            raise ValueError(f"{who}: parameter {k!r} is {p.dtype}; least squares here needs float64")
    epochs = check_int(epochs, "epochs", who, low=0)
    time_limit = check_number(time_limit, "time_limit", who, low=0.0, finite=False)
    goal = check_number(goal, "goal", who, low=0.0)
    min_grad = check_number(min_grad, "min_grad", who, low=0.0)
    mu = check_positive(mu, "mu", who)
    mu_dec = check_number(mu_dec, "mu_dec", who, low=0.0, high=1.0, low_open=True)
    mu_inc = check_number(mu_inc, "mu_inc", who, low=1.0)
    mu_max = check_positive(mu_max, "mu_max", who)
    lr = check_positive(lr, "lr", who)
    momentum = check_probability(momentum, "momentum", who, high_open=True)
    max_fail = check_int(max_fail, "max_fail", who)
    progress = check_bool(progress, "progress", who)
    if (x_val is None) != (y_val is None):
        raise ValueError(f"{who}: give both x_val and y_val, or neither")
    if any(isinstance(m, Dropout) and m.training and m.p > 0 for m in model.modules()):
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
        unflatten_params(model, best_theta)  # the best validation epoch's parameters: finite
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
            _set_theta(model, theta + delta)
            new_loss, _ = _mse_and_residual(model, x, y)
            if np.isfinite(new_loss) and new_loss < loss:
                return new_loss, mu * mu_dec
        _set_theta(model, theta)
        if mu_inc == 1.0:  # a fixed μ cannot recover from a failed step in this epoch
            return loss, mu
        mu *= mu_inc
        if mu > mu_max:
            return loss, mu
