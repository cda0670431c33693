"""Neural-network layers as forward/backward pairs (float64 by default).

Read ``companion/nn/module.py`` first: it is the whole protocol. Then ``layers``,
``losses``, ``gradcheck`` and ``optim`` (optimisers and gradient clipping); ``train`` (the
training loop), ``conv`` and ``rnn`` (layers), ``tasks`` (data generators), ``params``,
``jacobians`` and ``lm`` (least squares).
"""

from companion.nn.conv import Conv2d, MaxPool2d, col2im, conv2d_backward_naive, conv2d_naive, im2col
from companion.nn.gradcheck import GradcheckReport, gradcheck, numerical_gradient, rel_error
from companion.nn.layers import Dropout, Flatten, Linear, ReLU, Sigmoid, Tanh, init_weights, nguyen_widrow, sigmoid
from companion.nn.jacobians import jacobian
from companion.nn.lm import FitHistory, fit_curve
from companion.nn.losses import log_softmax, logsumexp, huber_loss, mse_loss, softmax, softmax_cross_entropy
from companion.nn.module import Module, Sequential
from companion.nn.optim import SGD, Adam, Optimizer, clip_grad_norm
from companion.nn.params import flatten_grads, flatten_params, unflatten_params
from companion.nn.rnn import RNN, BPTTRecord, TemporalPool
from companion.nn.tasks import make_recall_task
from companion.nn.train import History, accuracy, fit, iterate_minibatches

__all__ = [
    "Module", "Sequential", "Linear", "ReLU", "Sigmoid", "Tanh", "Dropout", "Flatten", "init_weights", "nguyen_widrow",
    "sigmoid", "softmax", "log_softmax", "logsumexp", "softmax_cross_entropy", "mse_loss", "huber_loss",
    "gradcheck", "GradcheckReport", "numerical_gradient", "rel_error", "SGD", "Adam", "Optimizer",
    "fit", "History", "accuracy", "iterate_minibatches",
    "Conv2d", "MaxPool2d", "conv2d_naive", "conv2d_backward_naive", "im2col", "col2im",
    "RNN", "BPTTRecord", "TemporalPool", "clip_grad_norm", "make_recall_task",
    "fit_curve", "FitHistory", "jacobian", "flatten_params", "unflatten_params", "flatten_grads",
]
