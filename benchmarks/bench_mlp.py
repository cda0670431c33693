"""Benchmark: one training step of a two-layer MLP (softmax loss, SGD) at two sizes:
batch 64, 64 -> 128 ReLU -> 10, and batch 256, 784 -> 256 ReLU -> 10 (MNIST-sized).

Compares, in float64 and float32:

- ``companion``: ``Sequential(Linear, ReLU, Linear)`` + ``softmax_cross_entropy`` + ``SGD.step``;
- ``companion, no input gradient``: the same with ``backward(..., input_grad=False)``, which
  skips dL/dx of the data as frameworks do (the vectorised numpy step does not compute it
  either);
- ``numpy, vectorised``: the same step written directly in numpy (no modules, no checks) — the
  floor for any numpy implementation;
- ``numpy, naive loop``: a plain-numpy step written the way a first hand-written backprop often
  is, one sample at a time with outer products;
- ``torch``: PyTorch on the CPU, only when ``import torch`` works (never a dependency).

A second table times forward + backward alone (no loss, no update) from a fixed dL/dscores:
the companion's own overhead against the same products and elementwise work in bare numpy,
with the target ≤ 1.2× in float64 for ``companion, no input gradient``.

Before timing, every implementation takes one step from the same weights and must produce the
same updated weights (so the timings compare equal work). Speeds are reported as ratios against
the vectorised numpy step measured in the same run. Writes ``benchmarks/results/mlp.json``.

Run: ``python benchmarks/bench_mlp.py`` (well under a minute). Single-threaded unless
``BENCH_THREADS`` says otherwise (numpy's BLAS and torch alike).
"""

from __future__ import annotations

import json
import os
import platform
import time
from pathlib import Path

# Single-threaded by default (override with BENCH_THREADS=n): on a small shared machine a second
# BLAS thread mostly waits for a core and makes ratios noisy. Must be set before numpy loads BLAS.
THREADS = os.environ.get("BENCH_THREADS", "1")
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, THREADS)

import numpy as np  # noqa: E402

from companion.nn import SGD, Linear, ReLU, Sequential, softmax_cross_entropy  # noqa: E402

SHAPES = [(64, 64, 128, 10), (256, 784, 256, 10)]  # batch, inputs, hidden units, classes
BATCH, D_IN, HIDDEN, D_OUT = SHAPES[0]  # set per shape by main()
LR, REPEATS, STEPS = 0.1, 9, 50


def initial_weights(dtype: type) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "W1": (rng.standard_normal((D_IN, HIDDEN)) * np.sqrt(2 / D_IN)).astype(dtype),
        "b1": (0.1 * rng.standard_normal(HIDDEN)).astype(dtype),
        "W2": (rng.standard_normal((HIDDEN, D_OUT)) * np.sqrt(1 / HIDDEN)).astype(dtype),
        "b2": (0.1 * rng.standard_normal(D_OUT)).astype(dtype),
    }


def make_companion(w: dict[str, np.ndarray], dtype: type, input_grad: bool = True):
    net = Sequential(Linear(D_IN, HIDDEN, dtype=dtype), ReLU(), Linear(HIDDEN, D_OUT, dtype=dtype))
    for key, name in (("0.W", "W1"), ("0.b", "b1"), ("2.W", "W2"), ("2.b", "b2")):
        net.params[key][...] = w[name]
    opt = SGD(net, lr=LR)

    def step(x: np.ndarray, y: np.ndarray) -> None:
        _, dscores = softmax_cross_entropy(net(x), y)
        net.backward(dscores, input_grad=input_grad)
        opt.step()

    def weights() -> dict[str, np.ndarray]:
        p = net.params
        return {"W1": p["0.W"], "b1": p["0.b"], "W2": p["2.W"], "b2": p["2.b"]}

    return step, weights


def make_companion_no_dx(w: dict[str, np.ndarray], dtype: type):
    return make_companion(w, dtype, input_grad=False)


def make_vectorised(w: dict[str, np.ndarray], dtype: type):
    w = {k: v.copy() for k, v in w.items()}

    def step(x: np.ndarray, y: np.ndarray) -> None:
        z1 = x @ w["W1"] + w["b1"]
        h1 = np.maximum(z1, 0)
        s = h1 @ w["W2"] + w["b2"]
        s = s - s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        p[np.arange(len(y)), y] -= 1
        ds = p / len(y)
        dh1 = ds @ w["W2"].T
        dz1 = dh1 * (z1 > 0)
        w["W2"] -= LR * (h1.T @ ds)
        w["b2"] -= LR * ds.sum(axis=0)
        w["W1"] -= LR * (x.T @ dz1)
        w["b1"] -= LR * dz1.sum(axis=0)

    return step, lambda: w


def make_naive(w: dict[str, np.ndarray], dtype: type):
    w = {k: v.copy() for k, v in w.items()}

    def step(x: np.ndarray, y: np.ndarray) -> None:
        grads = {k: np.zeros_like(v) for k, v in w.items()}
        n = len(y)
        for i in range(n):  # one sample at a time, as in many first implementations
            z1 = x[i] @ w["W1"] + w["b1"]
            h1 = np.maximum(z1, 0)
            s = h1 @ w["W2"] + w["b2"]
            p = np.exp(s - s.max())
            p /= p.sum()
            p[y[i]] -= 1
            ds = p / n
            grads["W2"] += np.outer(h1, ds)
            grads["b2"] += ds
            dz1 = (w["W2"] @ ds) * (z1 > 0)
            grads["W1"] += np.outer(x[i], dz1)
            grads["b1"] += dz1
        for k in w:
            w[k] -= LR * grads[k]

    return step, lambda: w


def make_torch(w: dict[str, np.ndarray], dtype: type):
    import torch  # optional oracle only

    torch.set_num_threads(int(os.environ["OMP_NUM_THREADS"]))
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    lin1, lin2 = torch.nn.Linear(D_IN, HIDDEN, dtype=tdtype), torch.nn.Linear(HIDDEN, D_OUT, dtype=tdtype)
    with torch.no_grad():  # torch stores W as (out, in)
        lin1.weight.copy_(torch.from_numpy(w["W1"].T.copy()))
        lin1.bias.copy_(torch.from_numpy(w["b1"]))
        lin2.weight.copy_(torch.from_numpy(w["W2"].T.copy()))
        lin2.bias.copy_(torch.from_numpy(w["b2"]))
    model = torch.nn.Sequential(lin1, torch.nn.ReLU(), lin2)
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    loss_fn = torch.nn.CrossEntropyLoss()

    def step(x: np.ndarray, y: np.ndarray) -> None:
        opt.zero_grad()
        loss_fn(model(torch.from_numpy(x)), torch.from_numpy(y)).backward()
        opt.step()

    def weights() -> dict[str, np.ndarray]:
        return {"W1": lin1.weight.detach().numpy().T, "b1": lin1.bias.detach().numpy(),
                "W2": lin2.weight.detach().numpy().T, "b2": lin2.bias.detach().numpy()}

    return step, weights


def forward_backward(dtype: type, x: np.ndarray, ds: np.ndarray, w: dict[str, np.ndarray]) -> dict[str, tuple]:
    """Forward + backward only (no loss, no update), from a fixed dL/dscores ``ds``: the
    issue's definition of the companion's overhead. Each entry is ``(run, gradients)``."""
    net = Sequential(Linear(D_IN, HIDDEN, dtype=dtype), ReLU(), Linear(HIDDEN, D_OUT, dtype=dtype))
    for key, name in (("0.W", "W1"), ("0.b", "b1"), ("2.W", "W2"), ("2.b", "b2")):
        net.params[key][...] = w[name]
    out: dict[str, tuple] = {}

    def companion(input_grad: bool):
        def run() -> None:
            net(x)
            net.backward(ds, input_grad=input_grad)
        return run

    def companion_grads() -> dict[str, np.ndarray]:
        g = net.grads
        return {"W1": g["0.W"], "b1": g["0.b"], "W2": g["2.W"], "b2": g["2.b"]}

    bare: dict[str, np.ndarray] = {}

    def numpy_run() -> None:
        z1 = x @ w["W1"] + w["b1"]
        h1 = np.maximum(z1, 0)
        _ = h1 @ w["W2"] + w["b2"]
        dz1 = (ds @ w["W2"].T) * (z1 > 0)
        bare.update(W2=h1.T @ ds, b2=ds.sum(axis=0), W1=x.T @ dz1, b1=dz1.sum(axis=0))

    out["numpy, vectorised"] = (numpy_run, lambda: bare)
    out["companion"] = (companion(True), companion_grads)
    out["companion, no input gradient"] = (companion(False), companion_grads)
    try:
        import torch
    except ImportError:
        return out
    tdtype = torch.float64 if dtype == np.float64 else torch.float32
    lin1, lin2 = torch.nn.Linear(D_IN, HIDDEN, dtype=tdtype), torch.nn.Linear(HIDDEN, D_OUT, dtype=tdtype)
    with torch.no_grad():
        lin1.weight.copy_(torch.from_numpy(w["W1"].T.copy()))
        lin1.bias.copy_(torch.from_numpy(w["b1"]))
        lin2.weight.copy_(torch.from_numpy(w["W2"].T.copy()))
        lin2.bias.copy_(torch.from_numpy(w["b2"]))
    model = torch.nn.Sequential(lin1, torch.nn.ReLU(), lin2)
    xt, dst = torch.from_numpy(x), torch.from_numpy(ds)

    def torch_run() -> None:
        for p in model.parameters():
            p.grad = None
        model(xt).backward(dst)  # the input needs no grad: torch skips dL/dx, as frameworks do

    out["torch (CPU)"] = (torch_run, lambda: {"W1": lin1.weight.grad.numpy().T, "b1": lin1.bias.grad.numpy(),
                                              "W2": lin2.weight.grad.numpy().T, "b2": lin2.bias.grad.numpy()})
    return out


def seconds_per_step(steps: dict[str, tuple], x: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """Best time per step of each implementation; the implementations take turns in every
    round, so a burst of load on a shared machine hits them all alike."""
    best = {name: np.inf for name in steps}
    for _ in range(REPEATS):
        for name, (step, n) in steps.items():
            t0 = time.perf_counter()
            for _ in range(n):
                step(x, y)
            best[name] = min(best[name], (time.perf_counter() - t0) / n)
    return best


def table(title: str, times: dict[str, float]) -> dict[str, dict[str, float]]:
    """Print one table of times against the vectorised numpy reference; return it for the JSON."""
    ref = times["numpy, vectorised"]
    print(f"{title}:\n{'implementation':30} {'µs/step':>10} {'× numpy, vectorised':>20}")
    for name, t in times.items():
        print(f"{name:30} {1e6 * t:10.1f} {t / ref:20.2f}")
    return {name: {"us_per_step": 1e6 * t, "ratio_to_numpy_vectorised": t / ref} for name, t in times.items()}


def main() -> None:
    global BATCH, D_IN, HIDDEN, D_OUT
    makers = {"numpy, vectorised": make_vectorised, "companion": make_companion,
              "companion, no input gradient": make_companion_no_dx, "numpy, naive loop": make_naive}
    try:
        import torch  # noqa: F401

        makers["torch (CPU)"] = make_torch
    except ImportError:
        print("PyTorch not installed: skipping the torch comparison")

    rng = np.random.default_rng(1)
    results: dict[str, dict] = {}
    print(f"BLAS/torch threads: {os.environ['OPENBLAS_NUM_THREADS']}, cpus: {os.cpu_count()}")
    for BATCH, D_IN, HIDDEN, D_OUT in SHAPES:
        shape = f"batch {BATCH}, {D_IN}-{HIDDEN}-{D_OUT}"
        print(f"\none SGD step, {shape}, ReLU, softmax cross-entropy")
        for dtype in (np.float64, np.float32):
            x = rng.standard_normal((BATCH, D_IN)).astype(dtype)
            y = rng.integers(0, D_OUT, BATCH)
            w0 = initial_weights(dtype)
            # Same work: one step from the same weights must give the same weights everywhere.
            ref_step, ref_w = make_vectorised(w0, dtype)
            ref_step(x, y)
            tol = 1e-12 if dtype == np.float64 else 2e-5
            for name, make in makers.items():
                step, weights = make(w0, dtype)
                step(x, y)
                for k, v in ref_w().items():
                    err = np.max(np.abs(weights()[k] - v)) / max(np.max(np.abs(v)), 1e-30)
                    if err > tol:
                        raise AssertionError(
                            f"{name} ({np.dtype(dtype).name}): {k} differs from the reference by {err:.1e}"
                        )
            dname = np.dtype(dtype).name
            runs = {name: (make(w0, dtype)[0], max(1, STEPS // 10) if "naive" in name else STEPS)
                    for name, make in makers.items()}
            times = seconds_per_step(runs, x, y)
            results[f"training step, {shape}, {dname}"] = table(f"training step, {dname}", times)
            # forward + backward only: the same gradients everywhere, then the timings
            ds = (rng.standard_normal((BATCH, D_OUT)) / BATCH).astype(dtype)
            fb = forward_backward(dtype, x, ds, w0)
            for run_fb, _ in fb.values():
                run_fb()
            ref_g = fb["numpy, vectorised"][1]()
            for name, (_, grads) in fb.items():
                for k, v in ref_g.items():
                    err = np.max(np.abs(grads()[k] - v)) / max(np.max(np.abs(v)), 1e-30)
                    if err > tol:
                        raise AssertionError(f"forward+backward {name} ({dname}): d{k} differs by {err:.1e}")
            fb_times = seconds_per_step({name: (lambda x_, y_, f=f: f(), STEPS) for name, (f, _) in fb.items()}, x, y)
            results[f"forward + backward, {shape}, {dname}"] = table(f"forward + backward, {dname}", fb_times)
    out = Path(__file__).resolve().parent / "results" / "mlp.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"shapes": [list(s) for s in SHAPES], "python": platform.python_version(),
            "numpy": np.__version__, "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
            "cpus": os.cpu_count(),
            "target": "forward + backward: companion, no input gradient <= 1.2x numpy, vectorised (float64)"}
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
