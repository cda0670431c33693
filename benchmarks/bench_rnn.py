"""Forward + backward time of companion.nn.RNN for (N=32, T=100, D=16, H=64), float64.

References measured in the same run:
- a naive implementation looping over the samples as well as the time steps (same maths,
  checked to give the same gradients), i.e. what "vectorised over the batch" buys;
- PyTorch's ``nn.RNN`` (tanh, CPU, float64), only when ``import torch`` works.

Prints a table and writes ``benchmarks/results/rnn.json``. Ratios are reference time / companion
time (> 1: the companion is faster). Not part of the tests' pass/fail.
"""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path

import numpy as np

from companion.nn import RNN, rel_error
from timing import median_time  # benchmarks/timing.py

N, T, D, H = 32, 100, 16, 64


def naive_forward_backward(x, Wx, Wh, b, dout):
    """Per-sample, per-step forward and BPTT: the definition, with no vectorisation over the batch."""
    n, steps, _ = x.shape
    dWx, dWh, db = np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)
    dx = np.zeros_like(x)
    hs = np.zeros((n, steps, Wh.shape[0]))
    for i in range(n):
        h = np.zeros(Wh.shape[0])
        for t in range(steps):
            h = np.tanh(x[i, t] @ Wx + h @ Wh + b)
            hs[i, t] = h
        dh_next = np.zeros(Wh.shape[0])
        for t in range(steps - 1, -1, -1):
            da = (dout[i, t] + dh_next) * (1.0 - hs[i, t] ** 2)
            h_prev = hs[i, t - 1] if t > 0 else np.zeros(Wh.shape[0])
            dWx += np.outer(x[i, t], da)
            dWh += np.outer(h_prev, da)
            db += da
            dx[i, t] = Wx @ da
            dh_next = Wh @ da
    return hs, dx, dWx, dWh, db




def main() -> None:
    g = np.random.default_rng(0)
    x, dout = g.standard_normal((N, T, D)), g.standard_normal((N, T, H))
    rows: list[tuple[str, float]] = []

    models = {mode: RNN(D, H, rng=0, record=mode) for mode in ("full", "dh", False)}

    def run(model: RNN):
        def f():
            model.forward(x)
            return model.backward(dout)
        return f

    for mode, model in models.items():
        rows.append((f"companion RNN (record={mode!r})", median_time(run(model), 20)))

    # The naive reference must compute the same thing.
    ref = models["full"]
    dx = run(ref)()
    hs, dx_n, dWx_n, dWh_n, db_n = naive_forward_backward(x, ref.params["Wx"], ref.params["Wh"], ref.params["b"], dout)
    errs = [rel_error(a, b) for a, b in ((dx, dx_n), (ref.grads["Wx"], dWx_n), (ref.grads["Wh"], dWh_n),
                                         (ref.grads["b"], db_n), (ref.forward(x), hs))]
    assert max(errs) < 1e-12, errs
    naive = median_time(lambda: naive_forward_backward(x, ref.params["Wx"], ref.params["Wh"], ref.params["b"], dout), 3)
    rows.append(("naive per-sample loop", naive))

    torch_note = "torch not installed"
    try:
        import torch  # optional reference only
    except ImportError:
        torch = None
    if torch is not None:
        torch_note = f"torch {torch.__version__}, {torch.get_num_threads()} threads"
        trnn = torch.nn.RNN(D, H, nonlinearity="tanh", batch_first=True).double()
        with torch.no_grad():  # same weights as the companion's
            trnn.weight_ih_l0.copy_(torch.from_numpy(ref.params["Wx"].T))
            trnn.weight_hh_l0.copy_(torch.from_numpy(ref.params["Wh"].T))
            trnn.bias_ih_l0.copy_(torch.from_numpy(ref.params["b"]))
            trnn.bias_hh_l0.zero_()
        tx = torch.from_numpy(x).requires_grad_(True)
        tdout = torch.from_numpy(dout)

        def torch_step():
            trnn.zero_grad()
            tx.grad = None
            out, _ = trnn(tx)
            out.backward(tdout)

        torch_step()
        assert rel_error(trnn.weight_hh_l0.grad.numpy().T, ref.grads["Wh"]) < 1e-10
        rows.append((f"PyTorch nn.RNN (CPU, {torch.get_num_threads()} threads)", median_time(torch_step, 20)))
        default_threads = torch.get_num_threads()
        if default_threads != 1:  # on a busy machine one thread is often faster for sizes this small
            torch.set_num_threads(1)
            rows.append(("PyTorch nn.RNN (CPU, 1 thread)", median_time(torch_step, 20)))
            torch.set_num_threads(default_threads)

    base = rows[0][1]
    threads = os.environ.get("OPENBLAS_NUM_THREADS", "unset")
    print(f"RNN forward+backward, N={N} T={T} D={D} H={H}, float64 ({torch_note}; OPENBLAS_NUM_THREADS={threads})")
    print(f"{'implementation':<36} {'time (ms)':>10} {'ratio ref/companion':>20}")
    for name, t in rows:
        print(f"{name:<36} {1e3 * t:10.2f} {t / base:20.2f}")
    out = {
        "shape": {"N": N, "T": T, "D": D, "H": H},
        "dtype": "float64",
        "seconds": {name: t for name, t in rows},
        "ratio_to_companion_full_record": {name: t / base for name, t in rows},
        "max_rel_error_vs_naive": max(errs),
        "torch": torch_note,
        "machine": platform.platform(),
        "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS", "unset"),
        "numpy": np.__version__,
    }
    path = Path(__file__).parent / "results" / "rnn.json"
    path.parent.mkdir(exist_ok=True)
    path.write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
