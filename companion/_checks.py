"""Input validation shared by the companion: clear, early errors that name the problem.

A reader should see "Linear(3 -> 4): expected input of shape (N, 3), got (5, 2)",
never a bare numpy broadcasting error from deep inside a backward pass.
"""

from __future__ import annotations

from typing import Any

import numpy as np


def as_float_array(x: Any, who: Any, name: str = "input", *, dtype: Any = None) -> np.ndarray:
    """Return ``x`` as a real floating-point array, or raise a ValueError naming ``who``.

    Integer and boolean arrays are converted (to ``dtype`` or float64); complex,
    object and string arrays are rejected, as are NaN and infinity. ``who`` is anything
    whose ``str`` names the caller (a layer passes itself: its repr is built only for an
    error message, not on every call).
    """
    if type(x) is np.ndarray and x.dtype.kind == "f" and (dtype is None or x.dtype == dtype):
        arr = x  # the common case inside a network: nothing to convert
    else:
        try:
            arr = np.asarray(x)
        except Exception as exc:  # ragged lists and the like
            raise ValueError(f"{who}: {name} could not be turned into an array ({exc})") from None
        if arr.dtype.kind not in "biuf":
            raise ValueError(f"{who}: {name} must hold real numbers, got dtype {arr.dtype}")
        target = np.dtype(dtype) if dtype is not None else (arr.dtype if arr.dtype.kind == "f" else np.float64)
        arr = arr.astype(target, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{who}: {name} contains NaN or infinity")
    return arr


def check_ndim(arr: np.ndarray, ndim: int, who: Any, layout: str, name: str = "input") -> None:
    """Raise a ValueError unless ``arr`` has ``ndim`` dimensions (``layout`` names them)."""
    if arr.ndim != ndim:
        raise ValueError(f"{who}: expected {name} of shape {layout}, got an array of shape {arr.shape}")


def check_same_shape(a: np.ndarray, b: np.ndarray, who: str, names: tuple[str, str]) -> None:
    """Raise a ValueError unless ``a`` and ``b`` have the same shape."""
    if a.shape != b.shape:
        raise ValueError(f"{who}: {names[0]} has shape {a.shape} but {names[1]} has shape {b.shape}")


def check_class_labels(scores: np.ndarray, labels: Any, who: str) -> np.ndarray:
    """Validate integer class ``labels`` against ``(N, C)`` ``scores``; return them as an array.

    Labels outside ``[0, C)`` usually mean an output layer of the wrong size (Q20), so the
    message says so instead of letting an index error or a silent mis-score happen later.
    """
    labels = np.asarray(labels)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{who}: labels must be integer class indices, got dtype {labels.dtype}")
    n, c = scores.shape
    if labels.shape != (n,):
        raise ValueError(
            f"{who}: scores have shape {scores.shape}, so labels must have shape ({n},), got {labels.shape}"
        )
    if n == 0:
        raise ValueError(f"{who}: empty batch")
    if labels.min() < 0 or labels.max() >= c:
        raise ValueError(
            f"{who}: labels run from {labels.min()} to {labels.max()} but scores have {c} column(s); "
            f"expected labels in [0, {c}) (is the output layer the right size?)"
        )
    return labels


def check_number(value: Any, name: str, who: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float, or raise naming ``name``: TypeError unless it is a real
    number (bools and strings are not), ValueError unless it is finite and in range
    (``low``/``high`` inclusive unless ``low_open``/``high_open``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be a number, got {value!r}")
    v = float(value)
    ok = np.isfinite(v)
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        lo = "" if low is None else f"{'(' if low_open else '['}{low:g}"
        hi = "" if high is None else f"{high:g}{')' if high_open else ']'}"
        where = f"in {lo or '(-inf'}, {hi or 'inf)'}"
        raise ValueError(f"{who}: {name} must be a finite number {where}, got {value!r}")
    return v


def check_positive(value: Any, name: str, who: Any) -> float:
    """A finite number > 0 (seconds, Hz, thresholds)."""
    return check_number(value, name, who, low=0.0, low_open=True)


def check_non_negative(value: Any, name: str, who: Any) -> float:
    """A finite number >= 0 (margins, rates, amplitudes)."""
    return check_number(value, name, who, low=0.0)


def check_frequency(value: Any, name: str, who: Any, fs: float) -> float:
    """A frequency strictly between 0 and the Nyquist frequency ``fs / 2``."""
    return check_number(value, f"{name} (Hz, below fs/2 = {fs / 2:g})", who, low=0.0, high=fs / 2,
                        low_open=True, high_open=True)


def check_pair(value: Any, name: str, who: Any, *, low: float = 0.0, low_open: bool = False) -> tuple[float, float]:
    """A pair ``(a, b)`` of finite numbers with ``low <= a <= b`` (a range such as a band)."""
    if isinstance(value, (str, bytes)) or not hasattr(value, "__len__") or len(value) != 2:
        raise TypeError(f"{who}: {name} must be a pair (low, high), got {value!r}")
    a = check_number(value[0], f"{name}[0]", who, low=low, low_open=low_open)
    b = check_number(value[1], f"{name}[1]", who, low=low, low_open=low_open)
    if a > b:
        raise ValueError(f"{who}: {name} must be (low, high) with low <= high, got {value!r}")
    return a, b


def check_int(value: Any, name: str, who: Any, *, low: int = 1) -> int:
    """An integer (not a bool) >= ``low``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{who}: {name} must be an integer, got {value!r}")
    if value < low:
        raise ValueError(f"{who}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


def check_bool(value: Any, name: str, who: Any) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")
    return bool(value)
