"""Record the machine the benchmarks ran on: benchmarks/results/machine.json.

Run by ``python3 tasks.py bench`` after the benchmark scripts; the book's performance page
states it next to the numbers.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata as md
import json
import os
import platform
from pathlib import Path

OUT = Path(__file__).resolve().parent / "results" / "machine.json"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def memory_gib() -> float | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        pass
    return None


def torch_version() -> str:
    try:
        return md.version("torch")
    except md.PackageNotFoundError:
        return "not installed"


def main() -> None:
    info = {
        "measured": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": memory_gib(),
        "system": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(),
        "numpy": md.version("numpy"),
        "scipy": md.version("scipy"),
        "torch": torch_version(),
    }
    OUT.parent.mkdir(exist_ok=True)
    OUT.write_text(json.dumps(info, indent=2) + "\n")
    print(json.dumps(info, indent=2))


if __name__ == "__main__":
    main()
