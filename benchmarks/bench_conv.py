"""Conv2d forward + backward: the naive loop, the im2col layer, and PyTorch (when installed).

Prints a table and writes ``benchmarks/results/conv.json``. Every time is the best of a few
repeats of one forward and one backward pass (dx, dW and db), in float64 and in float32,
measured in this same run; ratios are against the im2col layer. PyTorch is an optional
reference only (``torch.nn.functional.conv2d`` on the CPU with autograd), never a dependency.

Both sides run on one thread (``OPENBLAS_NUM_THREADS=1`` unless already set, and
``torch.set_num_threads(1)``): on a shared two-core machine a multi-threaded BLAS spends
most of its time waiting, and one thread each is the like-for-like comparison.

Run: ``python benchmarks/bench_conv.py``  (about a minute).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy is imported

import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from companion.nn import Conv2d, conv2d_backward_naive, conv2d_naive  # noqa: E402

SHAPES = [  # (name, N, C_in, C_out, H = W, k, padding)
    ("N=64, 1->8, 8x8, 3x3", 64, 1, 8, 8, 3, 1),
    ("N=32, 8->16, 28x28, 3x3", 32, 8, 16, 28, 3, 1),
]


def best_time(fn, repeats: int, budget: float = 8.0) -> float:
    """Minimum wall time of ``fn()`` over ``repeats`` calls (fewer if they exceed ``budget`` seconds)."""
    fn()  # warm-up
    times, start = [], time.perf_counter()
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return min(times)


def torch_fns(x: np.ndarray, W: np.ndarray, b: np.ndarray, padding: int, dout: np.ndarray):
    try:
        import torch
    except ImportError:
        return None, None
    torch.set_num_threads(1)
    xt = torch.tensor(x, requires_grad=True)
    Wt, bt = torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)
    dt = torch.tensor(dout)

    def step() -> None:
        for t in (xt, Wt, bt):
            t.grad = None
        y = torch.nn.functional.conv2d(xt, Wt, bt, padding=padding)
        y.backward(dt)

    return step, torch.__version__


def main() -> None:
    rng = np.random.default_rng(0)
    rows = []
    torch_version = None
    for name, n, cin, cout, hw, k, pad in SHAPES:
        for dtype in (np.float64, np.float32):
            x = rng.normal(size=(n, cin, hw, hw)).astype(dtype)
            conv = Conv2d(cin, cout, k, padding=pad, rng=1, dtype=dtype)
            dout = rng.normal(size=conv(x).shape).astype(dtype)
            W, b = conv.params["W"], conv.params["b"]

            def layer(conv=conv, x=x, dout=dout) -> None:
                conv.forward(x)
                conv.backward(dout)

            t_im2col = best_time(layer, 20)
            row = {"shape": name, "dtype": np.dtype(dtype).name, "im2col_s": t_im2col}
            if dtype == np.float64:  # the loop is slow; once is enough
                def naive(x=x, W=W, b=b, dout=dout, pad=pad) -> None:
                    conv2d_naive(x, W, b, 1, pad)
                    conv2d_backward_naive(x, W, dout, 1, pad)

                row["naive_s"] = best_time(naive, 3, budget=20.0)
            step, version = torch_fns(x, W, b, pad, dout)
            if step is not None:
                torch_version = version
                row["torch_s"] = best_time(step, 20)
            rows.append(row)

    tv = torch_version or "not installed"
    print(f"Conv2d forward + backward, best of repeats (numpy {np.__version__}, torch {tv})")
    print(f"{'shape':<26}{'dtype':<9}{'naive':>10}{'im2col':>10}{'torch':>10}{'naive/im2col':>14}{'im2col/torch':>14}")
    for r in rows:
        naive = f"{r['naive_s'] * 1e3:8.2f}ms" if "naive_s" in r else f"{'-':>10}"
        torch_t = f"{r['torch_s'] * 1e3:8.2f}ms" if "torch_s" in r else f"{'-':>10}"
        ratio_n = f"{r['naive_s'] / r['im2col_s']:13.1f}x" if "naive_s" in r else f"{'-':>14}"
        ratio_t = f"{r['im2col_s'] / r['torch_s']:13.2f}x" if "torch_s" in r else f"{'-':>14}"
        print(f"{r['shape']:<26}{r['dtype']:<9}{naive}{r['im2col_s'] * 1e3:8.2f}ms{torch_t}{ratio_n}{ratio_t}")
        if "naive_s" in r:
            r["naive_over_im2col"] = r["naive_s"] / r["im2col_s"]
        if "torch_s" in r:
            r["im2col_over_torch"] = r["im2col_s"] / r["torch_s"]
    out = Path(__file__).parent / "results" / "conv.json"
    out.parent.mkdir(exist_ok=True)
    meta = {"numpy": np.__version__, "torch": torch_version, "python": platform.python_version(),
            "machine": platform.machine(), "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS"),
            "note": "numpy and torch on 1 thread each; times are wall-clock minima"}
    out.write_text(json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
