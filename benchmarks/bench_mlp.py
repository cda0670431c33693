"""Benchmark: one training step of a two-layer MLP (batch 64, 64 -> 128 ReLU -> 10, softmax loss, SGD).

Compares, in float64 and float32:

- ``companion``: ``Sequential(Linear, ReLU, Linear)`` + ``softmax_cross_entropy`` + ``SGD.step``;
- ``numpy, vectorised``: the same step written directly in numpy (no modules, no checks) — the
  floor for any numpy implementation;
- ``numpy, naive loop``: a plain-numpy step written the way a first hand-written backprop often
  is, one sample at a time with outer products;
- ``torch``: PyTorch on the CPU, only when ``import torch`` works (never a dependency).

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

BATCH, D_IN, HIDDEN, D_OUT, LR = 64, 64, 128, 10, 0.1
REPEATS, STEPS = 9, 50


def initial_weights(dtype: type) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    return {
        "W1": (rng.standard_normal((D_IN, HIDDEN)) * np.sqrt(2 / D_IN)).astype(dtype),
        "b1": (0.1 * rng.standard_normal(HIDDEN)).astype(dtype),
        "W2": (rng.standard_normal((HIDDEN, D_OUT)) * np.sqrt(1 / HIDDEN)).astype(dtype),
        "b2": (0.1 * rng.standard_normal(D_OUT)).astype(dtype),
    }


def make_companion(w: dict[str, np.ndarray], dtype: type):
    net = Sequential(Linear(D_IN, HIDDEN, dtype=dtype), ReLU(), Linear(HIDDEN, D_OUT, dtype=dtype))
    for key, name in (("0.W", "W1"), ("0.b", "b1"), ("2.W", "W2"), ("2.b", "b2")):
        net.params[key][...] = w[name]
    opt = SGD(net, lr=LR)

    def step(x: np.ndarray, y: np.ndarray) -> None:
        _, dscores = softmax_cross_entropy(net(x), y)
        net.backward(dscores)
        opt.step()

    def weights() -> dict[str, np.ndarray]:
        p = net.params
        return {"W1": p["0.W"], "b1": p["0.b"], "W2": p["2.W"], "b2": p["2.b"]}

    return step, weights


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


def main() -> None:
    makers = {"numpy, vectorised": make_vectorised, "companion": make_companion, "numpy, naive loop": make_naive}
    try:
        import torch  # noqa: F401

        makers["torch (CPU)"] = make_torch
    except ImportError:
        print("PyTorch not installed: skipping the torch comparison")

    rng = np.random.default_rng(1)
    results: dict[str, dict] = {}
    print(f"one SGD step, batch {BATCH}, {D_IN} -> {HIDDEN} ReLU -> {D_OUT}, softmax cross-entropy")
    print(f"BLAS/torch threads: {os.environ['OPENBLAS_NUM_THREADS']}, cpus: {os.cpu_count()}")
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
        runs = {name: (make(w0, dtype)[0], STEPS // 5 if "naive" in name else STEPS) for name, make in makers.items()}
        times = seconds_per_step(runs, x, y)
        ref = times["numpy, vectorised"]
        print(f"\n{dname}:\n{'implementation':20} {'µs/step':>10} {'× numpy, vectorised':>20}")
        for name, t in times.items():
            print(f"{name:20} {1e6 * t:10.1f} {t / ref:20.2f}")
        results[dname] = {name: {"us_per_step": 1e6 * t, "ratio_to_numpy_vectorised": t / ref}
                          for name, t in times.items()}
    out = Path(__file__).resolve().parent / "results" / "mlp.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"batch": BATCH, "sizes": [D_IN, HIDDEN, D_OUT], "python": platform.python_version(),
            "numpy": np.__version__, "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
            "cpus": os.cpu_count()}
    out.write_text(json.dumps({"meta": meta, "results": results}, indent=2) + "\n")
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
