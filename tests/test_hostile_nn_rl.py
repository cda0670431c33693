"""Hostile input to every public name of companion.nn, companion.rl and companion.widgets.

Each case passes one bad thing — a wrong type, a value out of range, an empty array, a NaN, an
array of the wrong shape — and expects a TypeError (wrong type) or ValueError (wrong value)
whose message starts with the function or class the caller used, raised by the companion itself:
never an error from deep inside numpy or Gymnasium, never a value silently accepted.

The table is keyed by public name, and ``test_every_public_name_has_hostile_cases`` compares its
keys with the packages' ``__all__``: a new public name without cases here fails the suite.
Everything is tiny and nothing trains, so the module runs in a few seconds.
"""

from __future__ import annotations

import ast
import dataclasses
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pytest

import companion.nn as nn
import companion.rl as rl
import companion.widgets as widgets
from tests.conftest import ROOT

COMPANION = ROOT / "companion"
NAN = np.nan
T, V = TypeError, ValueError


# --- small valid things to be hostile around ------------------------------------------------------
def lin(i: int = 2, o: int = 3) -> nn.Linear:
    return nn.Linear(i, o, rng=0)


def net() -> nn.Sequential:
    return nn.Sequential(nn.Linear(2, 3, rng=0), nn.Tanh(), nn.Linear(3, 1, rng=0))


def after_forward(layer: nn.Module, x: np.ndarray) -> nn.Module:
    layer.forward(x)
    return layer


def q_net() -> nn.Sequential:
    return rl.mlp(4, 2, (3,), rng=0)


def policy() -> rl.GreedyPolicy:
    return rl.GreedyPolicy(q_net(), 4)


def train_result(**change: Any) -> rl.TrainResult:
    fields = dict(episode_returns=[1.0], episode_end_steps=[1], policy=policy(), config=rl.DQNConfig(), steps=1,
                  seconds=0.1, evaluations=[], best_return=1.0, solved_steps=None, solved_seconds=None)
    return rl.TrainResult(**{**fields, **change})


def buffer() -> rl.ReplayBuffer:
    return rl.ReplayBuffer(4, 2)


def line_plot(a):
    import matplotlib.figure

    fig = matplotlib.figure.Figure()
    fig.add_subplot().plot([0, 1], [0, a])
    return fig


def fit_args(**kw: Any) -> dict:
    model = net()
    args = dict(model=model, x=np.zeros((4, 2)), y=np.zeros((4, 1)), loss=nn.mse_loss, optimizer=nn.SGD(model, lr=0.1))
    return {**args, **kw}


@contextmanager
def env_var(name: str, value: str):
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            del os.environ[name]
        else:
            os.environ[name] = old


def with_env(name: str, value: str, fn: Callable[[], Any]) -> Callable[[], Any]:
    def run():
        with env_var(name, value):
            return fn()
    return run


X4 = np.zeros((1, 1, 4, 4))
W3 = np.zeros((2, 1, 3, 3))
THETA, MEANS = np.zeros(3), np.array([0.0, 1.0, 2.0])

# name -> [(label, thunk, error, who)]; ``who`` defaults to the name itself.
Case = tuple[str, Callable[[], Any], type[Exception], str | None]
CASES: dict[str, list[Case]] = {}


def cases(name: str, *rows: tuple) -> None:
    assert name not in CASES, name
    CASES[name] = [(label, fn, err, who[0] if who else None) for label, fn, err, *who in rows]


# ===================================== companion.nn ===============================================
cases("nn.Module",
      ("train mode a string", lambda: nn.Module().train("yes"), T, "Module.train"),
      ("train mode an int", lambda: nn.Module().train(1), T, "Module.train"))
cases("nn.Sequential",
      ("item not a module", lambda: nn.Sequential(lin(), 3), T),
      ("item a function", lambda: nn.Sequential(lambda x: x), T),
      ("forward NaN", lambda: net().forward(np.full((2, 2), NAN)), V, "Linear"),
      ("forward empty", lambda: net().forward(np.zeros((0, 2))), V, "Linear"),
      ("forward wrong shape", lambda: net().forward(np.zeros((2, 5))), V, "Linear"))
cases("nn.Linear",
      ("in_features a string", lambda: nn.Linear("3", 2), T),
      ("in_features zero", lambda: nn.Linear(0, 2), V),
      ("out_features a float", lambda: nn.Linear(2, 2.0), T),
      ("rng a float", lambda: nn.Linear(2, 2, rng=1.5), T),
      ("rng negative", lambda: nn.Linear(2, 2, rng=-1), V),
      ("init unknown", lambda: nn.Linear(2, 2, init="glorot"), V),
      ("init a list", lambda: nn.Linear(2, 2, init=[1.0]), T),
      ("init a negative std", lambda: nn.Linear(2, 2, init=-1.0), V),
      ("bias an int", lambda: nn.Linear(2, 2, bias=1), T),
      ("dtype integer", lambda: nn.Linear(2, 2, dtype=np.int64), V),
      ("dtype nonsense", lambda: nn.Linear(2, 2, dtype="nope"), T),
      ("forward NaN", lambda: lin().forward(np.full((2, 2), NAN)), V),
      ("forward empty", lambda: lin().forward(np.zeros((0, 2))), V),
      ("forward wrong shape", lambda: lin().forward(np.zeros((2, 5))), V),
      ("forward strings", lambda: lin().forward(np.array([["a", "b"]])), V),
      ("forward None", lambda: lin().forward(None), V),
      ("backward wrong shape", lambda: after_forward(lin(), np.zeros((2, 2))).backward(np.zeros((2, 2))), V),
      ("backward NaN", lambda: after_forward(lin(), np.zeros((2, 2))).backward(np.full((2, 3), NAN)), V))
cases("nn.ReLU",
      ("grad_at_zero a string", lambda: nn.ReLU("0"), T),
      ("grad_at_zero above 1", lambda: nn.ReLU(2.0), V),
      ("grad_at_zero NaN", lambda: nn.ReLU(NAN), V),
      ("forward NaN", lambda: nn.ReLU().forward(np.array([NAN])), V),
      ("forward empty", lambda: nn.ReLU().forward(np.zeros((0, 3))), V),
      ("forward strings", lambda: nn.ReLU().forward(np.array(["a"])), V))
for _act in ("Sigmoid", "Tanh"):
    _cls = getattr(nn, _act)
    cases(f"nn.{_act}",
          ("forward NaN", lambda c=_cls: c().forward(np.array([1.0, NAN])), V),
          ("forward inf", lambda c=_cls: c().forward(np.array([np.inf])), V),
          ("forward empty", lambda c=_cls: c().forward(np.zeros(0)), V),
          ("forward strings", lambda c=_cls: c().forward(np.array(["a"])), V),
          ("backward wrong shape", lambda c=_cls: after_forward(c(), np.zeros((2, 3))).backward(np.zeros((3, 2))), V))
cases("nn.Dropout",
      ("p a string", lambda: nn.Dropout("0.5"), T),
      ("p one", lambda: nn.Dropout(1.0), V),
      ("p NaN", lambda: nn.Dropout(NAN), V),
      ("rng a string", lambda: nn.Dropout(0.5, rng="seed"), T),
      ("forward NaN", lambda: nn.Dropout(0.5, rng=0).forward(np.array([NAN])), V),
      ("forward empty", lambda: nn.Dropout(0.5, rng=0).forward(np.zeros((0, 2))), V))
cases("nn.Flatten",
      ("forward a scalar", lambda: nn.Flatten().forward(np.float64(1.0)), V),
      ("forward empty", lambda: nn.Flatten().forward(np.zeros((0, 2, 2))), V),
      ("forward NaN", lambda: nn.Flatten().forward(np.full((1, 2, 2), NAN)), V),
      ("backward wrong shape", lambda: after_forward(nn.Flatten(), np.zeros((2, 2, 2))).backward(np.zeros((2, 3))), V))
cases("nn.init_weights",
      ("rng a string", lambda: nn.init_weights("x", 2, 2, "he"), T),
      ("fan_in zero", lambda: nn.init_weights(0, 0, 2, "he"), V),
      ("fan_out a float", lambda: nn.init_weights(0, 2, 2.0, "he"), T),
      ("init unknown", lambda: nn.init_weights(0, 2, 2, "kaiming"), V),
      ("init None", lambda: nn.init_weights(0, 2, 2, None), T),
      ("init a negative std", lambda: nn.init_weights(0, 2, 2, -0.1), V),
      ("init callable of the wrong shape", lambda: nn.init_weights(0, 2, 2, lambda g, s: np.zeros(3)), V),
      ("init callable returning NaN", lambda: nn.init_weights(0, 2, 2, lambda g, s: np.full(s, NAN)), V))
cases("nn.nguyen_widrow",
      ("rng a float", lambda: nn.nguyen_widrow(0.5, 2, 3), T),
      ("fan_in zero", lambda: nn.nguyen_widrow(0, 0, 3), V),
      ("fan_out a float", lambda: nn.nguyen_widrow(0, 2, 3.0), T),
      ("active_range negative", lambda: nn.nguyen_widrow(0, 2, 3, active_range=-2.0), V),
      ("active_range a string", lambda: nn.nguyen_widrow(0, 2, 3, active_range="2"), T),
      ("input_range an array", lambda: nn.nguyen_widrow(0, 2, 3, input_range=np.ones(2)), T),
      ("input_range of the wrong size", lambda: nn.nguyen_widrow(0, 2, 3, input_range=(np.zeros(3), np.ones(3))), V),
      ("input_range with NaN", lambda: nn.nguyen_widrow(0, 2, 3, input_range=(np.zeros(2), np.array([1, NAN]))), V),
      ("input_range empty", lambda: nn.nguyen_widrow(0, 2, 3, input_range=(np.ones(2), np.ones(2))), V))
cases("nn.sigmoid",
      ("strings", lambda: nn.sigmoid(np.array(["a"])), V),
      ("NaN", lambda: nn.sigmoid(np.array([NAN])), V),
      ("empty", lambda: nn.sigmoid(np.zeros(0)), V),
      ("None", lambda: nn.sigmoid(None), V))
for _fn in ("softmax", "log_softmax", "logsumexp"):
    _f = getattr(nn, _fn)
    cases(f"nn.{_fn}",
          ("NaN", lambda f=_f: f(np.array([0.0, NAN])), V),
          ("empty", lambda f=_f: f(np.zeros((2, 0))), V),
          ("a scalar", lambda f=_f: f(np.float64(1.0)), V),
          ("axis out of range", lambda f=_f: f(np.zeros((2, 3)), axis=2), V),
          ("axis a float", lambda f=_f: f(np.zeros((2, 3)), axis=1.0), T),
          ("strings", lambda f=_f: f(np.array(["a", "b"])), V))
CASES["nn.logsumexp"].append(("keepdims a string", lambda: nn.logsumexp(np.zeros(3), keepdims="no"), T, None))
cases("nn.softmax_cross_entropy",
      ("scores NaN", lambda: nn.softmax_cross_entropy(np.full((2, 3), NAN), np.array([0, 1])), V),
      ("scores 1-D", lambda: nn.softmax_cross_entropy(np.zeros(3), np.array([0])), V),
      ("empty batch", lambda: nn.softmax_cross_entropy(np.zeros((0, 3)), np.zeros(0, int)), V),
      ("labels float", lambda: nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0.0, 1.0])), V),
      ("labels out of range", lambda: nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 3])), V),
      ("labels wrong shape", lambda: nn.softmax_cross_entropy(np.zeros((2, 3)), np.array([0, 1, 2])), V))
cases("nn.mse_loss",
      ("shapes differ", lambda: nn.mse_loss(np.zeros((3, 1)), np.zeros(3)), V),
      ("NaN", lambda: nn.mse_loss(np.zeros(2), np.array([0.0, NAN])), V),
      ("empty", lambda: nn.mse_loss(np.zeros(0), np.zeros(0)), V),
      ("strings", lambda: nn.mse_loss(np.zeros(1), np.array(["a"])), V))
cases("nn.huber_loss",
      ("shapes differ", lambda: nn.huber_loss(np.zeros((3, 1)), np.zeros(3)), V),
      ("NaN", lambda: nn.huber_loss(np.zeros(2), np.array([0.0, NAN])), V),
      ("empty", lambda: nn.huber_loss(np.zeros(0), np.zeros(0)), V),
      ("delta zero", lambda: nn.huber_loss(np.zeros(2), np.zeros(2), delta=0.0), V),
      ("delta negative", lambda: nn.huber_loss(np.zeros(2), np.zeros(2), delta=-1.0), V),
      ("delta a string", lambda: nn.huber_loss(np.zeros(2), np.zeros(2), delta="1"), T),
      ("delta NaN", lambda: nn.huber_loss(np.zeros(2), np.zeros(2), delta=NAN), V))
cases("nn.gradcheck",
      ("model a dict", lambda: nn.gradcheck({"W": np.zeros(2)}, np.zeros((1, 2))), T),
      ("x NaN", lambda: nn.gradcheck(lin(), np.full((1, 2), NAN)), V),
      ("x empty", lambda: nn.gradcheck(lin(), np.zeros((0, 2))), V),
      ("x wrong shape", lambda: nn.gradcheck(lin(), np.zeros((1, 5))), V, "Linear"),
      ("eps zero", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), eps=0.0), V),
      ("eps a string", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), eps="1e-6"), T),
      ("tol negative", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), tol=-1.0), V),
      ("check_input an int", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), check_input=1), T),
      ("rng a float", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), rng=0.5), T),
      ("loss not callable", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), "mse", np.zeros((1, 3))), T),
      ("a target without a loss", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), None, np.zeros((1, 3))), V),
      ("a loss without a target", lambda: nn.gradcheck(lin(), np.zeros((1, 2)), nn.mse_loss), V))
cases("nn.GradcheckReport",
      ("errors a list", lambda: nn.GradcheckReport([0.1]), T),
      ("an error NaN", lambda: nn.GradcheckReport({"W": NAN}), V),
      ("an error a string", lambda: nn.GradcheckReport({"W": "small"}), T),
      ("kinks a list", lambda: nn.GradcheckReport({"W": 0.0}, kinks=[]), T),
      ("tol zero", lambda: nn.GradcheckReport({"W": 0.0}, tol=0.0), V))
cases("nn.numerical_gradient",
      ("f not callable", lambda: nn.numerical_gradient(3.0, np.zeros(2)), T),
      ("x a list", lambda: nn.numerical_gradient(lambda: 0.0, [0.0, 1.0]), T),
      ("x float32", lambda: nn.numerical_gradient(lambda: 0.0, np.zeros(2, np.float32)), V),
      ("x NaN", lambda: nn.numerical_gradient(lambda: 0.0, np.array([NAN])), V),
      ("x empty", lambda: nn.numerical_gradient(lambda: 0.0, np.zeros(0)), V),
      ("eps zero", lambda: nn.numerical_gradient(lambda: 0.0, np.zeros(2), eps=0.0), V),
      ("f returns a string", lambda: nn.numerical_gradient(lambda: "0", np.zeros(2)), T),
      ("f returns NaN", lambda: nn.numerical_gradient(lambda: NAN, np.zeros(2)), V))
cases("nn.rel_error",
      ("shapes differ", lambda: nn.rel_error(np.zeros(3), np.zeros((1, 3))), V),
      ("NaN", lambda: nn.rel_error(np.array([NAN]), np.zeros(1)), V),
      ("empty", lambda: nn.rel_error(np.zeros(0), np.zeros(0)), V),
      ("strings", lambda: nn.rel_error(np.array(["a"]), np.zeros(1)), V))
cases("nn.SGD",
      ("model a dict", lambda: nn.SGD({}, lr=0.1), T),
      ("lr zero", lambda: nn.SGD(lin(), lr=0.0), V),
      ("lr a string", lambda: nn.SGD(lin(), lr="0.1"), T),
      ("lr NaN", lambda: nn.SGD(lin(), lr=NAN), V),
      ("momentum one", lambda: nn.SGD(lin(), momentum=1.0), V),
      ("weight_decay negative", lambda: nn.SGD(lin(), weight_decay=-1e-4), V))
cases("nn.Adam",
      ("betas a number", lambda: nn.Adam(lin(), betas=0.9), T),
      ("betas of length 1", lambda: nn.Adam(lin(), betas=(0.9,)), V),
      ("beta1 one", lambda: nn.Adam(lin(), betas=(1.0, 0.999)), V),
      ("beta2 a string", lambda: nn.Adam(lin(), betas=(0.9, "0.999")), T),
      ("eps zero", lambda: nn.Adam(lin(), eps=0.0), V),
      ("lr a bool", lambda: nn.Adam(lin(), lr=True), T))
cases("nn.Optimizer",
      ("model None", lambda: nn.Optimizer(None, 0.1), T),
      ("lr negative", lambda: nn.Optimizer(lin(), -0.1), V))
cases("nn.fit",
      ("model a function", lambda: nn.fit(**fit_args(model=lambda z: z)), T),
      ("x NaN", lambda: nn.fit(**fit_args(x=np.full((4, 2), NAN))), V),
      ("y NaN", lambda: nn.fit(**fit_args(y=np.full((4, 1), NAN))), V),
      ("x empty", lambda: nn.fit(**fit_args(x=np.zeros((0, 2)), y=np.zeros((0, 1)))), V),
      ("x and y of different lengths", lambda: nn.fit(**fit_args(y=np.zeros((3, 1)))), V),
      ("y strings", lambda: nn.fit(**fit_args(y=np.array(["a"] * 4))), V),
      ("loss not callable", lambda: nn.fit(**fit_args(loss="mse")), T),
      ("optimizer without step", lambda: nn.fit(**fit_args(optimizer=0.1)), T),
      ("epochs a string", lambda: nn.fit(**fit_args(), epochs="1"), T),
      ("epochs zero", lambda: nn.fit(**fit_args(), epochs=0), V),
      ("rng negative", lambda: nn.fit(**fit_args(), rng=-3), V),
      ("keep_grads an int", lambda: nn.fit(**fit_args(), keep_grads=1), T),
      ("progress None", lambda: nn.fit(**fit_args(), progress=None), T),
      ("diverge_factor NaN", lambda: nn.fit(**fit_args(), diverge_factor=NAN), V))
cases("nn.History",
      ("loss a string", lambda: nn.History(loss="high"), T),
      ("steps_per_epoch negative", lambda: nn.History(steps_per_epoch=-1), V),
      ("diverged an int", lambda: nn.History(diverged=0), T),
      ("seconds NaN", lambda: nn.History(seconds=NAN), V))
cases("nn.accuracy",
      ("scores NaN", lambda: nn.accuracy(np.full((2, 2), NAN), np.array([0, 1])), V),
      ("scores 1-D", lambda: nn.accuracy(np.zeros(2), np.array([0, 1])), V),
      ("empty", lambda: nn.accuracy(np.zeros((0, 2)), np.zeros(0, int)), V),
      ("labels float", lambda: nn.accuracy(np.zeros((2, 2)), np.zeros(2)), V))
cases("nn.iterate_minibatches",
      ("batch_size zero", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(3), 0), V),
      ("batch_size a float", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(3), 2.0), T),
      ("shuffle a string", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(3), shuffle="yes"), T),
      ("drop_last None", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(3), drop_last=None), T),
      ("rng a string", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(3), rng="0"), T),
      ("x empty", lambda: nn.iterate_minibatches(np.zeros((0, 1)), np.zeros(0)), V),
      ("x NaN", lambda: nn.iterate_minibatches(np.full((3, 1), NAN), np.zeros(3)), V),
      ("lengths differ", lambda: nn.iterate_minibatches(np.zeros((3, 1)), np.zeros(2)), V))
cases("nn.Conv2d",
      ("in_channels a string", lambda: nn.Conv2d("1", 2, 3), T),
      ("out_channels zero", lambda: nn.Conv2d(1, 0, 3), V),
      ("kernel_size of length 3", lambda: nn.Conv2d(1, 2, (3, 3, 3)), V),
      ("kernel_size a string", lambda: nn.Conv2d(1, 2, "3"), T),
      ("stride zero", lambda: nn.Conv2d(1, 2, 3, stride=0), V),
      ("padding negative", lambda: nn.Conv2d(1, 2, 3, padding=-1), V),
      ("padding a float", lambda: nn.Conv2d(1, 2, 3, padding=1.0), T),
      ("dtype integer", lambda: nn.Conv2d(1, 2, 3, dtype=int), V),
      ("rng a list", lambda: nn.Conv2d(1, 2, 3, rng=[0]), T),
      ("forward NaN", lambda: nn.Conv2d(1, 2, 3, rng=0).forward(np.full((1, 1, 4, 4), NAN)), V),
      ("forward empty", lambda: nn.Conv2d(1, 2, 3, rng=0).forward(np.zeros((0, 1, 4, 4))), V),
      ("forward wrong channels", lambda: nn.Conv2d(1, 2, 3, rng=0).forward(np.zeros((1, 2, 4, 4))), V),
      ("forward smaller than the window", lambda: nn.Conv2d(1, 2, 3, rng=0).forward(np.zeros((1, 1, 2, 4))), V))
cases("nn.MaxPool2d",
      ("kernel_size zero", lambda: nn.MaxPool2d(0), V),
      ("kernel_size a float", lambda: nn.MaxPool2d(2.0), T),
      ("stride a string", lambda: nn.MaxPool2d(2, stride="1"), T),
      ("forward 2-D", lambda: nn.MaxPool2d(2).forward(np.zeros((4, 4))), V),
      ("forward empty", lambda: nn.MaxPool2d(2).forward(np.zeros((0, 1, 4, 4))), V),
      ("forward NaN", lambda: nn.MaxPool2d(2).forward(np.full((1, 1, 4, 4), NAN)), V),
      ("forward smaller than the window", lambda: nn.MaxPool2d(2).forward(np.zeros((1, 1, 1, 4))), V))
cases("nn.conv2d_naive",
      ("x NaN", lambda: nn.conv2d_naive(np.full((1, 1, 4, 4), NAN), W3), V),
      ("x 3-D", lambda: nn.conv2d_naive(np.zeros((1, 4, 4)), W3), V),
      ("x empty", lambda: nn.conv2d_naive(np.zeros((0, 1, 4, 4)), W3), V),
      ("W 3-D", lambda: nn.conv2d_naive(X4, np.zeros((2, 3, 3))), V),
      ("W NaN", lambda: nn.conv2d_naive(X4, np.full((2, 1, 3, 3), NAN)), V),
      ("b wrong shape", lambda: nn.conv2d_naive(X4, W3, np.zeros(3)), V),
      ("stride zero", lambda: nn.conv2d_naive(X4, W3, stride=0), V),
      ("stride a float", lambda: nn.conv2d_naive(X4, W3, stride=1.0), T),
      ("padding negative", lambda: nn.conv2d_naive(X4, W3, padding=-1), V))
cases("nn.conv2d_backward_naive",
      ("dout wrong shape", lambda: nn.conv2d_backward_naive(X4, W3, np.zeros((1, 2, 3, 3))), V),
      ("dout NaN", lambda: nn.conv2d_backward_naive(X4, W3, np.full((1, 2, 2, 2), NAN)), V),
      ("x NaN", lambda: nn.conv2d_backward_naive(np.full((1, 1, 4, 4), NAN), W3, np.zeros((1, 2, 2, 2))), V),
      ("W 2-D", lambda: nn.conv2d_backward_naive(X4, np.zeros((3, 3)), np.zeros((1, 2, 2, 2))), V),
      ("stride a string", lambda: nn.conv2d_backward_naive(X4, W3, np.zeros((1, 2, 2, 2)), stride="1"), T))
cases("nn.im2col",
      ("x 3-D", lambda: nn.im2col(np.zeros((1, 4, 4)), 3, 3), V),
      ("x NaN", lambda: nn.im2col(np.full((1, 1, 4, 4), NAN), 3, 3), V),
      ("x empty", lambda: nn.im2col(np.zeros((0, 1, 4, 4)), 3, 3), V),
      ("kh zero", lambda: nn.im2col(X4, 0, 3), V),
      ("kw a float", lambda: nn.im2col(X4, 3, 2.5), T),
      ("window larger than the image", lambda: nn.im2col(X4, 5, 5), V),
      ("stride of length 3", lambda: nn.im2col(X4, 3, 3, stride=(1, 1, 1)), V))
cases("nn.col2im",
      ("cols wrong shape", lambda: nn.col2im(np.zeros((5, 9)), (1, 1, 4, 4), 3, 3), V),
      ("cols NaN", lambda: nn.col2im(np.full((4, 9), NAN), (1, 1, 4, 4), 3, 3), V),
      ("x_shape of length 3", lambda: nn.col2im(np.zeros((4, 9)), (1, 4, 4), 3, 3), V),
      ("x_shape a string", lambda: nn.col2im(np.zeros((4, 9)), "1144", 3, 3), T),
      ("x_shape with a zero", lambda: nn.col2im(np.zeros((4, 9)), (0, 1, 4, 4), 3, 3), V),
      ("kh zero", lambda: nn.col2im(np.zeros((4, 9)), (1, 1, 4, 4), 0, 3), V))
cases("nn.RNN",
      ("input_size a string", lambda: nn.RNN("3", 4), T),
      ("hidden_size zero", lambda: nn.RNN(3, 0), V),
      ("record 0 (not False)", lambda: nn.RNN(3, 4, record=0), T),
      ("record unknown", lambda: nn.RNN(3, 4, record="all"), V),
      ("recurrent_init negative", lambda: nn.RNN(3, 4, recurrent_init=-1.0), V),
      ("recurrent_init None", lambda: nn.RNN(3, 4, recurrent_init=None), T),
      ("learn_h0 an int", lambda: nn.RNN(3, 4, learn_h0=1), T),
      ("dtype integer", lambda: nn.RNN(3, 4, dtype=np.int32), V),
      ("forward NaN", lambda: nn.RNN(3, 4, rng=0).forward(np.full((2, 5, 3), NAN)), V),
      ("forward empty", lambda: nn.RNN(3, 4, rng=0).forward(np.zeros((2, 0, 3))), V),
      ("forward wrong shape", lambda: nn.RNN(3, 4, rng=0).forward(np.zeros((2, 3))), V),
      ("h0 wrong shape", lambda: nn.RNN(3, 4, rng=0).forward(np.zeros((2, 5, 3)), np.zeros((3, 4))), V),
      ("h0 NaN", lambda: nn.RNN(3, 4, rng=0).forward(np.zeros((2, 5, 3)), np.full(4, NAN)), V))
_DH = np.zeros((2, 3, 4))
cases("nn.BPTTRecord",
      ("dh 2-D", lambda: nn.BPTTRecord(np.zeros((2, 4)), np.zeros((2, 4)), None, None, None, np.zeros((2, 4))), V),
      ("da of another shape", lambda: nn.BPTTRecord(_DH, np.zeros((2, 3, 5)), None, None, None, np.zeros((2, 4))), V),
      ("dh NaN", lambda: nn.BPTTRecord(np.full((2, 3, 4), NAN), _DH, None, None, None, np.zeros((2, 4))), V),
      ("dh None", lambda: nn.BPTTRecord(None, _DH, None, None, None, np.zeros((2, 4))), V),
      ("only some per-step arrays", lambda: nn.BPTTRecord(_DH, _DH, np.zeros((3, 1, 4)), None, None,
                                                          np.zeros((2, 4))), V))
cases("nn.TemporalPool",
      ("mode unknown", lambda: nn.TemporalPool("min"), V),
      ("mode an int", lambda: nn.TemporalPool(3), T),
      ("forward 2-D", lambda: nn.TemporalPool().forward(np.zeros((4, 3))), V),
      ("forward empty", lambda: nn.TemporalPool().forward(np.zeros((2, 0, 3))), V),
      ("forward NaN", lambda: nn.TemporalPool().forward(np.full((1, 2, 3), NAN)), V))
cases("nn.clip_grad_norm",
      ("model a dict", lambda: nn.clip_grad_norm({"W": np.zeros(2)}, 1.0), T),
      ("max_norm zero", lambda: nn.clip_grad_norm(lin(), 0.0), V),
      ("max_norm a string", lambda: nn.clip_grad_norm(lin(), "1"), T),
      ("max_norm NaN", lambda: nn.clip_grad_norm(lin(), NAN), V))
cases("nn.make_recall_task",
      ("n zero", lambda: nn.make_recall_task(0, 3), V),
      ("T a float", lambda: nn.make_recall_task(2, 2.5), T),
      ("n_symbols one", lambda: nn.make_recall_task(2, 3, 1), V),
      ("rng a string", lambda: nn.make_recall_task(2, 3, rng="0"), T))
_CX, _CY = np.zeros((4, 2)), np.zeros((4, 1))
cases("nn.fit_curve",
      ("model a string", lambda: nn.fit_curve("net", _CX, _CY), T),
      ("method unknown", lambda: nn.fit_curve(net(), _CX, _CY, "adam"), V),
      ("method an int", lambda: nn.fit_curve(net(), _CX, _CY, 1), T),
      ("epochs negative", lambda: nn.fit_curve(net(), _CX, _CY, epochs=-1), V),
      ("epochs a float", lambda: nn.fit_curve(net(), _CX, _CY, epochs=10.0), T),
      ("time_limit NaN", lambda: nn.fit_curve(net(), _CX, _CY, time_limit=NAN), V),
      ("goal negative", lambda: nn.fit_curve(net(), _CX, _CY, goal=-1.0), V),
      ("mu zero", lambda: nn.fit_curve(net(), _CX, _CY, mu=0.0), V),
      ("mu_dec zero", lambda: nn.fit_curve(net(), _CX, _CY, mu_dec=0.0), V),
      ("mu_inc below 1", lambda: nn.fit_curve(net(), _CX, _CY, mu_inc=0.5), V),
      ("lr a string", lambda: nn.fit_curve(net(), _CX, _CY, "gd", lr="0.1"), T),
      ("momentum one", lambda: nn.fit_curve(net(), _CX, _CY, "gd", momentum=1.0), V),
      ("max_fail zero", lambda: nn.fit_curve(net(), _CX, _CY, max_fail=0), V),
      ("progress a string", lambda: nn.fit_curve(net(), _CX, _CY, progress="no"), T),
      ("x empty", lambda: nn.fit_curve(net(), np.zeros((0, 2)), np.zeros((0, 1))), V),
      ("x NaN", lambda: nn.fit_curve(net(), np.full((4, 2), NAN), _CY), V),
      ("y NaN", lambda: nn.fit_curve(net(), _CX, np.full((4, 1), NAN)), V),
      ("y wrong shape", lambda: nn.fit_curve(net(), _CX, np.zeros(4)), V),
      ("x_val without y_val", lambda: nn.fit_curve(net(), _CX, _CY, x_val=_CX), V))
cases("nn.FitHistory",
      ("loss a string", lambda: nn.FitHistory(loss="low"), T),
      ("stop_reason unknown", lambda: nn.FitHistory(stop_reason="bored"), V),
      ("method an int", lambda: nn.FitHistory(method=1), T),
      ("best_epoch negative", lambda: nn.FitHistory(best_epoch=-1), V),
      ("epochs_to a string", lambda: nn.FitHistory(loss=[1.0]).epochs_to("0.1"), T, "FitHistory.epochs_to"),
      ("epochs_to NaN", lambda: nn.FitHistory(loss=[1.0]).epochs_to(NAN), V, "FitHistory.epochs_to"))
cases("nn.jacobian",
      ("model a string", lambda: nn.jacobian("net", _CX), T),
      ("method unknown", lambda: nn.jacobian(net(), _CX, method="fast"), V),
      ("x NaN", lambda: nn.jacobian(net(), np.full((4, 2), NAN)), V),
      ("x empty", lambda: nn.jacobian(net(), np.zeros((0, 2))), V),
      ("x 1-D", lambda: nn.jacobian(net(), np.zeros(2)), V),
      ("x of the wrong width", lambda: nn.jacobian(net(), np.zeros((4, 5))), V, "Linear"),
      ("batched on a non-Sequential", lambda: nn.jacobian(lin(), _CX, method="batched"), V))
cases("nn.flatten_params",
      ("model a dict", lambda: nn.flatten_params({"W": np.zeros(2)}), T),
      ("model None", lambda: nn.flatten_params(None), T))
cases("nn.flatten_grads",
      ("model a list", lambda: nn.flatten_grads([np.zeros(2)]), T),
      ("model None", lambda: nn.flatten_grads(None), T))
cases("nn.unflatten_params",
      ("model a dict", lambda: nn.unflatten_params({}, np.zeros(0)), T),
      ("theta wrong shape", lambda: nn.unflatten_params(lin(), np.zeros(5)), V),
      ("theta NaN", lambda: nn.unflatten_params(lin(), np.full(9, NAN)), V),
      ("theta empty", lambda: nn.unflatten_params(lin(), np.zeros(0)), V),
      ("theta strings", lambda: nn.unflatten_params(lin(), np.array(["a"] * 9)), V))

# ===================================== companion.rl ===============================================
cases("rl.train_reinforce",
      ("seed negative", lambda: rl.train_reinforce(seed=-1), V),
      ("seed a float", lambda: rl.train_reinforce(seed=1.5), T),
      ("env_id an int", lambda: rl.train_reinforce(3, seed=0), T),
      ("env_id unknown", lambda: rl.train_reinforce("NoSuchEnv-v0", seed=0), V),
      ("config of the other trainer", lambda: rl.train_reinforce(seed=0, config=rl.DQNConfig()), T),
      ("lr NaN", lambda: rl.train_reinforce(seed=0, lr=NAN), V),
      ("hidden with a zero", lambda: rl.train_reinforce(seed=0, hidden=(0,)), V),
      ("activation unknown", lambda: rl.train_reinforce(seed=0, activation="gelu"), V),
      ("unknown hyper-parameter", lambda: rl.train_reinforce(seed=0, learning_rate=0.1), T),
      ("progress a string", lambda: rl.train_reinforce(seed=0, progress="yes"), T))
cases("rl.ReinforceConfig",
      ("total_steps zero", lambda: rl.ReinforceConfig(total_steps=0), V),
      ("lr a string", lambda: rl.ReinforceConfig(lr="0.01"), T),
      ("baseline an int", lambda: rl.ReinforceConfig(baseline=1), T),
      ("gamma NaN", lambda: rl.ReinforceConfig(gamma=NAN), V),
      ("replace with a bad value", lambda: dataclasses.replace(rl.ReinforceConfig(), episodes_per_batch=0), V))
cases("rl.reward_to_go",
      ("2-D", lambda: rl.reward_to_go(np.ones((2, 3))), V),
      ("NaN", lambda: rl.reward_to_go(np.array([1.0, NAN])), V),
      ("empty", lambda: rl.reward_to_go(np.zeros(0)), V),
      ("gamma above 1", lambda: rl.reward_to_go(np.ones(3), 1.5), V),
      ("gamma a string", lambda: rl.reward_to_go(np.ones(3), "0.9"), T),
      ("strings", lambda: rl.reward_to_go(np.array(["a"])), V))
cases("rl.leave_one_out_baseline",
      ("no episodes", lambda: rl.leave_one_out_baseline([]), V),
      ("a string", lambda: rl.leave_one_out_baseline("123"), T),
      ("an episode 2-D", lambda: rl.leave_one_out_baseline([np.ones((2, 2))]), V),
      ("an episode NaN", lambda: rl.leave_one_out_baseline([np.array([NAN])]), V),
      ("an episode empty", lambda: rl.leave_one_out_baseline([np.ones(2), np.zeros(0)]), V))
cases("rl.train_dqn",
      ("seed a string", lambda: rl.train_dqn(seed="0"), T),
      ("seed negative", lambda: rl.train_dqn(seed=-5), V),
      ("env_id None", lambda: rl.train_dqn(None, seed=0), T),
      ("env_id unknown", lambda: rl.train_dqn("CartPole-v9000", seed=0), V),
      ("config a dict", lambda: rl.train_dqn(seed=0, config={"lr": 0.1}), T),
      ("batch_size a float", lambda: rl.train_dqn(seed=0, batch_size=2.5), T),
      ("gamma above 1", lambda: rl.train_dqn(seed=0, gamma=1.01), V),
      ("loss unknown", lambda: rl.train_dqn(seed=0, loss="l1"), V),
      ("max_grad_norm zero", lambda: rl.train_dqn(seed=0, max_grad_norm=0.0), V),
      ("double an int", lambda: rl.train_dqn(seed=0, double=1), T),
      ("unknown hyper-parameter", lambda: rl.train_dqn(seed=0, epsilon=0.1), T))
cases("rl.DQNConfig",
      ("batch_size zero", lambda: rl.DQNConfig(batch_size=0), V),
      ("hidden a number", lambda: rl.DQNConfig(hidden=64), T),
      ("eps_end NaN", lambda: rl.DQNConfig(eps_end=NAN), V),
      ("stop_return a string", lambda: rl.DQNConfig(stop_return="500"), T),
      ("replace with a bad type", lambda: dataclasses.replace(rl.DQNConfig(), learning_starts=1.5), T))
cases("rl.ReplayBuffer",
      ("capacity zero", lambda: rl.ReplayBuffer(0, 2), V),
      ("capacity a float", lambda: rl.ReplayBuffer(1.5, 2), T),
      ("obs_dim zero", lambda: rl.ReplayBuffer(4, 0), V),
      ("add obs wrong shape", lambda: buffer().add(np.zeros(3), 0, 1.0, np.zeros(2), False), V, "ReplayBuffer.add"),
      ("add obs NaN", lambda: buffer().add(np.full(2, NAN), 0, 1.0, np.zeros(2), False), V, "ReplayBuffer.add"),
      ("add action negative", lambda: buffer().add(np.zeros(2), -1, 1.0, np.zeros(2), False), V, "ReplayBuffer.add"),
      ("add action a float", lambda: buffer().add(np.zeros(2), 1.0, 1.0, np.zeros(2), False), T, "ReplayBuffer.add"),
      ("add reward NaN", lambda: buffer().add(np.zeros(2), 0, NAN, np.zeros(2), False), V, "ReplayBuffer.add"),
      ("add terminated an int", lambda: buffer().add(np.zeros(2), 0, 1.0, np.zeros(2), 1), T, "ReplayBuffer.add"),
      ("sample empty buffer", lambda: buffer().sample(2, np.random.default_rng(0)), V, "ReplayBuffer.sample"),
      ("sample batch_size zero", lambda: buffer().sample(0, 0), V, "ReplayBuffer.sample"),
      ("sample rng a string", lambda: buffer().sample(2, "rng"), T, "ReplayBuffer.sample"))
cases("rl.linear_epsilon",
      ("step negative", lambda: rl.linear_epsilon(-1), V),
      ("step a float", lambda: rl.linear_epsilon(1.5), T),
      ("start above 1", lambda: rl.linear_epsilon(0, start=2.0), V),
      ("end NaN", lambda: rl.linear_epsilon(0, end=NAN), V),
      ("decay_steps negative", lambda: rl.linear_epsilon(0, decay_steps=-1), V),
      ("decay_steps a string", lambda: rl.linear_epsilon(0, decay_steps="100"), T))
for _q in ("q_loss_gather", "q_loss_onehot"):
    _f = getattr(rl, _q)
    cases(f"rl.{_q}",
          ("q NaN", lambda f=_f: f(np.full((2, 2), NAN), np.array([0, 1]), np.zeros(2)), V),
          ("q 1-D", lambda f=_f: f(np.zeros(2), np.array([0, 1]), np.zeros(2)), V),
          ("empty batch", lambda f=_f: f(np.zeros((0, 2)), np.zeros(0, int), np.zeros(0)), V),
          ("actions float", lambda f=_f: f(np.zeros((2, 2)), np.array([0.0, 1.0]), np.zeros(2)), V),
          ("actions out of range", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 2]), np.zeros(2)), V),
          ("targets wrong shape", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(3)), V),
          ("targets NaN", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.array([0.0, NAN])), V),
          ("loss unknown", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2), loss="l1"), V),
          ("loss an int", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2), loss=2), T),
          ("huber_delta zero", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2), huber_delta=0.0), V),
          ("huber_delta with mse_loss",
           lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2), loss=nn.mse_loss, huber_delta=2.0), T),
          ("loss returns a float", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2),
                                                  loss=lambda p, t: 0.0), T),
          ("loss returns dpred of another shape", lambda f=_f: f(np.zeros((2, 2)), np.array([0, 1]), np.zeros(2),
                                                                 loss=lambda p, t: (0.0, np.zeros(3))), V))
cases("rl.evaluate",
      ("policy not callable", lambda: rl.evaluate(3, "CartPole-v1", 1), T),
      ("env_id an int", lambda: rl.evaluate(lambda o: 0, 1, 1), T),
      ("env_id unknown", lambda: rl.evaluate(lambda o: 0, "NoSuchEnv-v0", 1), V),
      ("episodes zero", lambda: rl.evaluate(lambda o: 0, "CartPole-v1", 0), V),
      ("episodes a float", lambda: rl.evaluate(lambda o: 0, "CartPole-v1", 1.0), T),
      ("seed negative", lambda: rl.evaluate(lambda o: 0, "CartPole-v1", 1, seed=-1), V),
      ("the policy returns a float", lambda: rl.evaluate(lambda o: 0.5, "CartPole-v1", 1), T),
      ("the policy returns -1", lambda: rl.evaluate(lambda o: -1, "CartPole-v1", 1), V))
cases("rl.make_env",
      ("env_id an int", lambda: rl.make_env(3), T),
      ("env_id unknown", lambda: rl.make_env("NoSuchEnv-v0"), V),
      ("a continuous action space", lambda: rl.make_env("Pendulum-v1"), V),
      ("who not a string", lambda: rl.make_env("CartPole-v1", who=3), T))
cases("rl.GreedyPolicy",
      ("net a string", lambda: rl.GreedyPolicy("net", 4), T),
      ("obs_dim zero", lambda: rl.GreedyPolicy(q_net(), 0), V),
      ("obs_dim a float", lambda: rl.GreedyPolicy(q_net(), 4.0), T),
      ("snapshot obs_dim a float", lambda: rl.GreedyPolicy.snapshot(q_net(), 2.5), T, "GreedyPolicy.snapshot"),
      ("call NaN", lambda: policy()(np.full(4, NAN)), V),
      ("call wrong shape", lambda: policy()(np.zeros(3)), V),
      ("batch empty", lambda: policy().batch(np.zeros((0, 4))), V, "GreedyPolicy.batch"),
      ("batch wrong shape", lambda: policy().batch(np.zeros((2, 3))), V, "GreedyPolicy.batch"))
cases("rl.mlp",
      ("obs_dim zero", lambda: rl.mlp(0, 2), V),
      ("obs_dim a string", lambda: rl.mlp("4", 2), T),
      ("n_actions a float", lambda: rl.mlp(4, 2.0), T),
      ("hidden with a zero", lambda: rl.mlp(4, 2, (0,)), V),
      ("hidden a number", lambda: rl.mlp(4, 2, 64), T),
      ("activation unknown", lambda: rl.mlp(4, 2, activation="gelu"), V),
      ("activation None", lambda: rl.mlp(4, 2, activation=None), T),
      ("rng a string", lambda: rl.mlp(4, 2, rng="0"), T))
cases("rl.TrainResult",
      ("steps negative", lambda: train_result(steps=-1), V),
      ("policy a string", lambda: train_result(policy="greedy"), T),
      ("config a dict", lambda: train_result(config={}), T),
      ("one end step per return", lambda: train_result(episode_end_steps=[]), V),
      ("seconds NaN", lambda: train_result(seconds=NAN), V),
      ("solved_steps a float", lambda: train_result(solved_steps=1.0), T))
for _b in ("bandit_objective", "bandit_gradient"):
    _f = getattr(rl, _b)
    cases(f"rl.{_b}",
          ("lengths differ", lambda f=_f: f(np.zeros(3), np.zeros(4)), V),
          ("NaN", lambda f=_f: f(np.array([0.0, NAN]), np.zeros(2)), V),
          ("one arm", lambda f=_f: f(np.zeros(1), np.zeros(1)), V),
          ("empty", lambda f=_f: f(np.zeros(0), np.zeros(0)), V),
          ("strings", lambda f=_f: f(np.array(["a", "b"]), np.zeros(2)), V))
cases("rl.score_function_samples",
      ("n_samples zero", lambda: rl.score_function_samples(THETA, MEANS, 0), V),
      ("n_samples a float", lambda: rl.score_function_samples(THETA, MEANS, 1.5), T),
      ("reward_std negative", lambda: rl.score_function_samples(THETA, MEANS, 2, reward_std=-1.0), V),
      ("baseline NaN", lambda: rl.score_function_samples(THETA, MEANS, 2, baseline=NAN), V),
      ("rng a float", lambda: rl.score_function_samples(THETA, MEANS, 2, rng=0.5), T),
      ("theta NaN", lambda: rl.score_function_samples(np.full(3, NAN), MEANS, 2), V))
cases("rl.bandit_ascent",
      ("lr zero", lambda: rl.bandit_ascent(THETA, MEANS, lr=0.0, steps=1, n_samples=1), V),
      ("steps negative", lambda: rl.bandit_ascent(THETA, MEANS, lr=0.1, steps=-1, n_samples=1), V),
      ("steps a float", lambda: rl.bandit_ascent(THETA, MEANS, lr=0.1, steps=1.0, n_samples=1), T),
      ("n_samples zero", lambda: rl.bandit_ascent(THETA, MEANS, lr=0.1, steps=1, n_samples=0), V),
      ("baseline an int", lambda: rl.bandit_ascent(THETA, MEANS, lr=0.1, steps=1, n_samples=1, baseline=1), T),
      ("theta0 and means of different lengths",
       lambda: rl.bandit_ascent(np.zeros(2), MEANS, lr=0.1, steps=1, n_samples=1), V))

# ===================================== companion.widgets ==========================================
cases("widgets.slider",
      ("plot not callable", lambda: widgets.slider(3, a=[1]), T),
      ("dpi too low", lambda: widgets.slider(line_plot, a=[1], dpi=10), V),
      ("dpi a string", lambda: widgets.slider(line_plot, a=[1], dpi="72"), T),
      ("max_frames zero", lambda: widgets.slider(line_plot, a=[1], max_frames=0), V),
      ("description None", lambda: widgets.slider(line_plot, a=[1], description=None), T),
      ("no parameter", lambda: widgets.slider(line_plot), V),
      ("a grid empty", lambda: widgets.slider(line_plot, a=[]), V),
      ("a grid a number", lambda: widgets.slider(line_plot, a=3), T),
      ("a grid with NaN", lambda: widgets.slider(line_plot, a=[1.0, NAN]), V),
      ("initial not a value", lambda: widgets.slider(line_plot, a=[1, 2], initial={"a": 5}), V),
      ("initial a number", lambda: widgets.slider(line_plot, a=[1, 2], initial=5), T))
cases("widgets.Slider",
      ("plot not callable", lambda: widgets.Slider(3, {"a": [1]}, {}, 72, 40, ""), T),
      ("params a list", lambda: widgets.Slider(line_plot, [("a", [1])], {}, 72, 40, ""), T),
      ("no parameter", lambda: widgets.Slider(line_plot, {}, {}, 72, 40, ""), V),
      ("dpi too high", lambda: widgets.Slider(line_plot, {"a": [1]}, {}, 1000, 40, ""), V),
      ("a grid with inf", lambda: widgets.Slider(line_plot, {"a": [np.inf]}, {}, 72, 40, ""), V),
      ("frame_png with an unknown name",
       lambda: widgets.Slider(line_plot, {"a": [1]}, {}, 72, 40, "").frame_png(b=1), T, "Slider.frame_png"))
cases("widgets.mode",
      ("COMPANION_WIDGETS unknown", with_env("COMPANION_WIDGETS", "sometimes", widgets.mode), V),
      ("COMPANION_WIDGETS a number", with_env("COMPANION_WIDGETS", "1", widgets.mode), V))

PACKAGES = {"nn": nn, "rl": rl, "widgets": widgets}
ALL = [(name, label, fn, err, who or name.split(".", 1)[1])
       for name, rows in CASES.items() for label, fn, err, who in rows]


def test_every_public_name_has_hostile_cases() -> None:
    public = {f"{p}.{n}" for p, mod in PACKAGES.items() for n in mod.__all__}
    assert set(CASES) == public, (f"public names without hostile cases: {sorted(public - set(CASES))}; "
                                  f"cases for names that are not public: {sorted(set(CASES) - public)}")
    for name, rows in CASES.items():
        assert rows, name


@pytest.mark.parametrize(("name", "label", "fn", "error", "who"), ALL, ids=[f"{n}: {lab}" for n, lab, *_ in ALL])
def test_hostile_input_is_refused_by_name(name: str, label: str, fn: Callable[[], Any], error: type, who: str) -> None:
    with pytest.raises((TypeError, ValueError)) as info:
        fn()
    message = str(info.value)
    assert type(info.value) is error, f"{type(info.value).__name__} (expected {error.__name__}): {message}"
    assert message.startswith(who), f"the message does not start with {who!r}: {message}"
    raised_in = Path(str(info.traceback[-1].path)).resolve()
    assert COMPANION in raised_in.parents, f"raised from {raised_in}, not by the companion: {message}"


# --- RL configurations: every field checked before an environment is made -------------------------
def _bad_values(default: Any) -> list[tuple[Any, type]]:
    """A wrong type and (where the type has a range) a wrong value for a field with this default."""
    if isinstance(default, bool):
        return [(1, T), ("yes", T)]
    if isinstance(default, int):
        return [(2.5, T), (-1, V)]
    if isinstance(default, float) or default is None:
        return [("1", T), (NAN, V)]
    if isinstance(default, str):
        return [(3, T), ("no-such-choice", V)]
    if isinstance(default, tuple):
        return [("64", T), ((0,), V)]
    if callable(default):  # a loss: anything not callable, or an unknown old string spelling
        return [(3, T), ("no-such-choice", V)]
    raise AssertionError(f"no bad values for a default of {default!r}")


CONFIG_CASES = [(trainer, cls, f.name, bad, err)
                for trainer, cls in (("train_dqn", rl.DQNConfig), ("train_reinforce", rl.ReinforceConfig))
                for f in dataclasses.fields(cls) for bad, err in _bad_values(f.default)]


@pytest.mark.parametrize(("trainer", "cls", "field", "bad", "error"), CONFIG_CASES,
                         ids=[f"{t}-{f}={b!r}" for t, _, f, b, _ in CONFIG_CASES])
def test_every_config_field_is_checked_before_an_environment_is_made(monkeypatch, trainer, cls, field, bad, error):
    import gymnasium

    def no_env(*args, **kwargs):
        raise AssertionError("an environment was made before the configuration was checked")

    monkeypatch.setattr(gymnasium, "make", no_env)
    with pytest.raises(error, match=rf"^{trainer}: {field}(\[0\])? must be"):
        getattr(rl, trainer)(seed=0, **{field: bad})
    with pytest.raises(error, match=rf"^{cls.__name__}: {field}(\[0\])? must be"):
        cls(**{field: bad})


def test_config_lists_become_tuples() -> None:
    cfg = rl.DQNConfig(hidden=[8, 8])
    assert cfg.hidden == (8, 8) and hash(cfg) == hash(rl.DQNConfig(hidden=(8, 8)))


# --- one module per job: nothing private is imported across modules ---------------------------------
def test_no_private_names_are_imported_across_modules() -> None:
    """The whole package (nn, rl, dsp, data, widgets): a private helper another module needs
    moves to a shared private module (``_checks``, ``dsp/_args``) under a public name."""
    files = sorted(COMPANION.rglob("*.py"))
    offenders = []
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("companion"):
                offenders += [f"{path.relative_to(COMPANION)}: from {node.module} import {a.name}"
                              for a in node.names if a.name.startswith("_") and not a.name.startswith("__")]
    assert not offenders, offenders


def test_moved_names_keep_their_old_homes() -> None:
    from companion.nn import jacobians, lm, optim, params, rnn, tasks

    assert rnn.clip_grad_norm is optim.clip_grad_norm is nn.clip_grad_norm
    assert rnn.make_recall_task is tasks.make_recall_task is nn.make_recall_task
    for name in ("flatten_params", "flatten_grads", "unflatten_params"):
        assert getattr(lm, name) is getattr(params, name) is getattr(nn, name)
    assert lm.jacobian is jacobians.jacobian is nn.jacobian


# --- the shared validators themselves ------------------------------------------------------------------
def test_as_rng_accepts_what_numpy_does_and_names_the_parameter() -> None:
    from companion._checks import as_rng

    g = np.random.default_rng(1)
    assert as_rng(g, "rng", "f") is g  # passed through: the caller's draws advance it
    for seed in (5, np.int64(5), np.random.SeedSequence(5), np.random.PCG64(5)):
        assert as_rng(seed, "rng", "f").random() == np.random.default_rng(5).random()
    assert isinstance(as_rng(None, "rng", "f"), np.random.Generator)
    for bad in (True, 1.5, "5", np.random.RandomState(0), [5]):
        with pytest.raises(TypeError, match="^f: rng must be a numpy Generator, an integer seed >= 0"):
            as_rng(bad, "rng", "f")
    with pytest.raises(ValueError, match="^f: seed must be a numpy Generator, an integer seed >= 0.*got -1"):
        as_rng(-1, "seed", "f")


def test_check_int_and_check_choice_tell_kinds_apart() -> None:
    from companion._checks import check_choice, check_int

    assert check_int(np.int32(3), "n", "f") == 3 and type(check_int(np.int32(3), "n", "f")) is int
    assert check_int(None, "n", "f", none_ok=True) is None
    with pytest.raises(TypeError, match=r"^f: n must be an integer in \[1, 3\], got True"):
        check_int(True, "n", "f", high=3)
    with pytest.raises(ValueError, match=r"^f: n must be an integer in \[1, 3\], got 4"):
        check_int(4, "n", "f", high=3)
    assert check_choice(False, "record", "f", ("full", False)) is False
    with pytest.raises(TypeError, match="^f: record must be one of 'full', False, got 0"):
        check_choice(0, "record", "f", ("full", False))
    assert check_choice(np.str_("full"), "record", "f", ("full", False)) == "full"
