"""One SGD training step of a two-layer MLP (batch 64, 64 -> 128 -> 10, ReLU, softmax cross-entropy).

Timed, in float64 and float32:
- ``companion step``: ``zero_grad``, forward, ``softmax_cross_entropy``, backward, ``SGD.step()``;
- ``companion fit``: the same step through :func:`companion.nn.fit` (one epoch of one batch), i.e.
  the step plus the History bookkeeping (per-array gradient norms);
- ``numpy vectorised``: the same maths written as one plain-numpy function (no layers, no checks):
  the floor the companion's overhead is measured against;
- ``numpy naive``: the same maths written naively, one sample at a time (online accumulation);
- ``torch``: PyTorch CPU (``nn.Sequential`` + ``CrossEntropyLoss`` + ``optim.SGD``), only when
  ``import torch`` works. Never a dependency.

Before timing, every implementation's gradients are checked against the companion's on the
same batch (relative error < 1e-10 in float64). Ratios are reference time / companion-step time
(> 1: the companion is faster). Prints a table and writes ``benchmarks/results/train.json``.

Single-threaded unless the environment says otherwise: on a shared machine a multi-threaded BLAS
spinning on busy cores makes these small matrix products 10-100x slower and the timings noise.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # before numpy is imported

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from companion.nn import SGD, Linear, ReLU, Sequential, fit, rel_error, softmax_cross_entropy  # noqa: E402

FIT_EPOCHS = 20  # steps per fit() call when timing fit, so its per-call set-up is amortised
REPEATS = 15

N, D, H, C = 64, 64, 128, 10
LR = 0.1


def make_model(dtype) -> Sequential:
    rng = np.random.default_rng(0)
    return Sequential(Linear(D, H, rng=rng, init="he", dtype=dtype), ReLU(), Linear(H, C, rng=rng, dtype=dtype))


def numpy_grads(x, y, W1, b1, W2, b2):
    """Forward and backward of the MLP in plain numpy, the whole batch at once."""
    z = x @ W1 + b1
    h = np.maximum(z, 0)
    s = h @ W2 + b2
    s = s - s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    n = x.shape[0]
    loss = -np.log(p[np.arange(n), y]).mean()
    ds = p
    ds[np.arange(n), y] -= 1
    ds /= n
    dW2, db2 = h.T @ ds, ds.sum(axis=0)
    dz = (ds @ W2.T) * (z > 0)
    return loss, x.T @ dz, dz.sum(axis=0), dW2, db2


def numpy_naive_grads(x, y, W1, b1, W2, b2):
    """The same gradients, one sample at a time, accumulated (the textbook loop)."""
    gW1, gb1, gW2, gb2 = (np.zeros_like(a) for a in (W1, b1, W2, b2))
    n = x.shape[0]
    total = 0.0
    for i in range(n):
        z = x[i] @ W1 + b1
        h = np.maximum(z, 0)
        s = h @ W2 + b2
        s = s - s.max()
        p = np.exp(s) / np.exp(s).sum()
        total += -np.log(p[y[i]])
        ds = p.copy()
        ds[y[i]] -= 1
        ds /= n
        gW2 += np.outer(h, ds)
        gb2 += ds
        dz = (W2 @ ds) * (z > 0)
        gW1 += np.outer(x[i], dz)
        gb1 += dz
    return total / n, gW1, gb1, gW2, gb2


def best_times(impls: dict, repeats: int) -> dict[str, float]:
    """Per implementation ``(fn, number)``: the best over ``repeats`` of the mean time of ``number``
    calls (seconds per call). The implementations take turns, so a change in machine load hits all."""
    best = dict.fromkeys(impls, np.inf)
    for _ in range(repeats):
        for name, (fn, number) in impls.items():
            t0 = time.perf_counter()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (time.perf_counter() - t0) / number)
    return best


def torch_step(dtype, params: dict, x: np.ndarray, y: np.ndarray):
    """A PyTorch step on the same weights and batch, and its gradients in the companion's layout,
    or ``(None, None)`` when torch cannot be imported."""
    try:
        import torch
    except Exception:  # not installed, or broken: PyTorch is optional
        return None, None
    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    net = torch.nn.Sequential(torch.nn.Linear(D, H), torch.nn.ReLU(), torch.nn.Linear(H, C)).to(tdtype)
    with torch.no_grad():  # torch stores W as (out, in): the transpose of the companion's
        for i in (0, 2):
            net[i].weight.copy_(torch.from_numpy(params[f"{i}.W"].T.copy()))
            net[i].bias.copy_(torch.from_numpy(params[f"{i}.b"].copy()))
    opt = torch.optim.SGD(net.parameters(), lr=LR)
    lossf = torch.nn.CrossEntropyLoss()
    tx, ty = torch.from_numpy(x), torch.from_numpy(y)

    opt.zero_grad()
    lossf(net(tx), ty).backward()
    grads = [net[0].weight.grad.numpy().T, net[0].bias.grad.numpy(),
             net[2].weight.grad.numpy().T, net[2].bias.grad.numpy()]
    grads = [g.astype(np.float64) for g in grads]

    def step():
        opt.zero_grad()
        lossf(net(tx), ty).backward()
        opt.step()

    return step, grads


def run(dtype) -> dict:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((N, D)).astype(dtype)
    y = rng.integers(0, C, N)
    model = make_model(dtype)
    opt = SGD(model, lr=LR)
    P = model.params

    # --- the implementations agree (float64 is the meaningful check) ---
    model.zero_grad()
    _, d = softmax_cross_entropy(model(x), y)
    model.backward(d)
    ref = [model.grads[k].astype(np.float64) for k in ("0.W", "0.b", "2.W", "2.b")]
    args = [P[k].astype(np.float64) for k in ("0.W", "0.b", "2.W", "2.b")]
    x64 = x.astype(np.float64)
    errors = {
        "numpy vectorised": max(rel_error(a, b) for a, b in zip(numpy_grads(x64, y, *args)[1:], ref, strict=True)),
        "numpy naive": max(rel_error(a, b) for a, b in zip(numpy_naive_grads(x64, y, *args)[1:], ref, strict=True)),
    }
    tstep, tgrads = torch_step(dtype, P, x, y)
    if tgrads is not None:
        errors["torch"] = max(rel_error(a, b) for a, b in zip(tgrads, ref, strict=True))
    if dtype == np.float64:
        assert max(errors.values()) < 1e-10, errors

    def companion_step():
        model.zero_grad()
        _, d = softmax_cross_entropy(model(x), y)
        model.backward(d)
        opt.step()

    def companion_fit():  # FIT_EPOCHS full-batch steps; timed per step below
        fit(model, x, y, softmax_cross_entropy, opt, epochs=FIT_EPOCHS, shuffle=False)

    W1, b1, W2, b2 = (P[k].copy() for k in ("0.W", "0.b", "2.W", "2.b"))

    def numpy_step():
        _, gW1, gb1, gW2, gb2 = numpy_grads(x, y, W1, b1, W2, b2)
        W1[...] -= LR * gW1
        b1[...] -= LR * gb1
        W2[...] -= LR * gW2
        b2[...] -= LR * gb2

    def naive_step():
        _, gW1, gb1, gW2, gb2 = numpy_naive_grads(x, y, W1, b1, W2, b2)
        W1[...] -= LR * gW1
        b1[...] -= LR * gb1
        W2[...] -= LR * gW2
        b2[...] -= LR * gb2

    impls = {"companion step": (companion_step, 50), "companion fit": (companion_fit, 3),
             "numpy vectorised": (numpy_step, 50), "numpy naive": (naive_step, 3)}
    if tstep is not None:
        impls["torch"] = (tstep, 50)
    times = best_times(impls, repeats=REPEATS)
    times["companion fit"] /= FIT_EPOCHS
    base = times["companion step"]
    return {
        name: {"microseconds_per_step": round(t * 1e6, 1), "ratio_vs_companion_step": round(t / base, 3),
               **({"max_rel_error_vs_companion": errors[name]} if name in errors else {})}
        for name, t in times.items()
    }


def main() -> None:
    results = {
        "setup": f"batch {N}, {D} -> {H} -> {C} MLP, ReLU, softmax cross-entropy, SGD lr={LR}; best of {REPEATS}",
        "python": platform.python_version(),
        "numpy": np.__version__,
        "threads_env": {k: os.environ.get(k, "") for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
    }
    for dtype in (np.float64, np.float32):
        name = np.dtype(dtype).name
        res = run(dtype)
        results[name] = res
        print(f"\n{name}: one training step")
        print(f"{'implementation':18s} {'us/step':>10s} {'time / companion step':>22s}")
        for impl, r in res.items():
            print(f"{impl:18s} {r['microseconds_per_step']:10.1f} {r['ratio_vs_companion_step']:22.3f}")
    out = Path(__file__).resolve().parent / "results" / "train.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
