"""Input validation shared by the companion: clear, early errors that name the problem.

A reader should see "Linear(3 -> 4): expected input of shape (N, 3), got (5, 2)",
never a bare numpy broadcasting error from deep inside a backward pass.
"""

from __future__ import annotations

from contextvars import ContextVar
from typing import Any

import numpy as np

# True while a Sequential runs the layers after its first one (forward) or before its last
# one (backward): their inputs are arrays the previous layer made, from what the network
# checked at its door. Re-checking those for NaN and infinity was most of the companion's
# overhead over bare numpy (issue 11); an overflow inside the network still reaches the loss,
# which checks its scores.
BETWEEN_LAYERS: ContextVar[bool] = ContextVar("companion_between_layers", default=False)


def as_real_array(x: Any, who: Any, name: str = "input") -> np.ndarray:
    """``np.asarray(x)`` if it holds real numbers (bool, int or float), else a ValueError."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists and the like
        raise ValueError(f"{who}: {name} could not be turned into an array ({exc})") from None
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{who}: {name} must hold real numbers, got dtype {arr.dtype}")
    return arr


def as_float_array(x: Any, who: Any, name: str = "input", *, dtype: Any = None) -> np.ndarray:
    """Return ``x`` as a real floating-point array, or raise a ValueError naming ``who``.

    Integer and boolean arrays are converted (to ``dtype`` or float64); complex,
    object and string arrays are rejected, as are NaN and infinity. ``who`` is anything
    whose ``str`` names the caller (a layer passes itself: its repr is built only for an
    error message, not on every call). Between a Sequential's layers (``BETWEEN_LAYERS``)
    a float array of the right dtype is returned as it is, unchecked.
    """
    if type(x) is np.ndarray and x.dtype.kind == "f" and (dtype is None or x.dtype == dtype):
        if BETWEEN_LAYERS.get():
            return x  # made by the previous layer from input checked at the network's door
        arr = x  # the common case inside a network: nothing to convert
    else:
        arr = as_real_array(x, who, name)
        target = np.dtype(dtype) if dtype is not None else (arr.dtype if arr.dtype.kind == "f" else np.float64)
        arr = arr.astype(target, copy=False)
    if not np.isfinite(arr).all():
        raise ValueError(f"{who}: {name} contains NaN or infinity")
    return arr


def as_signal(x: Any, who: Any, name: str = "x") -> np.ndarray:
    """``x`` as a finite, C-contiguous float64 array of shape (n_samples,), or a ValueError."""
    arr = as_float_array(x, who, name, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{who}: expected {name} as a 1-D array of shape (n_samples,), "
                         f"got an array of shape {arr.shape}")
    return np.ascontiguousarray(arr)


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


def _or_none(text: str, none_ok: bool) -> str:
    return f"{text} or None" if none_ok else text


def check_number(value: Any, name: str, who: Any, *, low: float | None = None, high: float | None = None,
                 low_open: bool = False, high_open: bool = False, finite: bool = True,
                 none_ok: bool = False) -> float | None:
    """Return ``value`` as a float, or raise naming ``name``: TypeError unless it is a real
    number (bools and strings are not), ValueError unless it is finite and in range
    (``low``/``high`` inclusive unless ``low_open``/``high_open``).

    ``finite=False`` also accepts ±infinity when the range allows it (a time limit of
    ``inf``); NaN is always refused. ``none_ok=True`` lets None through (returned as None).
    """
    if value is None and none_ok:
        return None
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{who}: {name} must be {_or_none('a number', none_ok)}, got {value!r}")
    v = float(value)
    ok = np.isfinite(v) or (not finite and not np.isnan(v))
    if ok and low is not None:
        ok = v > low if low_open else v >= low
    if ok and high is not None:
        ok = v < high if high_open else v <= high
    if not ok:
        if finite:
            lo = "" if low is None else f"{'(' if low_open else '['}{low:g}"
            hi = "" if high is None else f"{high:g}{')' if high_open else ']'}"
            where = f"a finite number in {lo or '(-inf'}, {hi or 'inf)'}"
        else:
            lo = "[-inf" if low is None else f"{'(' if low_open else '['}{low:g}"
            hi = "inf]" if high is None else f"{high:g}{')' if high_open else ']'}"
            where = f"a number in {lo}, {hi}"
        raise ValueError(f"{who}: {name} must be {_or_none(where, none_ok)}, got {value!r}")
    return v


def check_positive(value: Any, name: str, who: Any, *, none_ok: bool = False) -> float | None:
    """A finite number > 0 (seconds, Hz, thresholds, learning rates)."""
    return check_number(value, name, who, low=0.0, low_open=True, none_ok=none_ok)


def check_non_negative(value: Any, name: str, who: Any) -> float:
    """A finite number >= 0 (margins, rates, amplitudes)."""
    return check_number(value, name, who, low=0.0)


def check_probability(value: Any, name: str, who: Any, *, high_open: bool = False) -> float:
    """A number in [0, 1] (or [0, 1) with ``high_open``): a probability, a discount, a decay rate."""
    return check_number(value, name, who, low=0.0, high=1.0, high_open=high_open)


def check_frequency(value: Any, name: str, who: Any, fs: float) -> float:
    """A frequency strictly between 0 and the Nyquist frequency ``fs / 2``."""
    return check_number(value, f"{name} (Hz, below fs/2 = {fs / 2:g})", who, low=0.0, high=fs / 2,
                        low_open=True, high_open=True)


def check_pair(value: Any, name: str, who: Any, *, low: float = 0.0, low_open: bool = False) -> tuple[float, float]:
    """A pair ``(a, b)`` of finite numbers with ``low <= a <= b`` (a range such as a band)."""
    # a sequence or 1-D array of two: not a set (no order), a string, or a 0-d array
    if (isinstance(value, (str, bytes, set, frozenset, dict)) or not hasattr(value, "__getitem__")
            or getattr(value, "ndim", 1) != 1 or len(value) != 2):
        raise TypeError(f"{who}: {name} must be a pair (low, high), got {value!r}")
    a = check_number(value[0], f"{name}[0]", who, low=low, low_open=low_open)
    b = check_number(value[1], f"{name}[1]", who, low=low, low_open=low_open)
    if a > b:
        raise ValueError(f"{who}: {name} must be (low, high) with low <= high, got {value!r}")
    return a, b


def is_int(value: Any) -> bool:
    """True for Python and numpy integers, False for bools (``True`` is not a count)."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def check_int(value: Any, name: str, who: Any, *, low: int | None = 1, high: int | None = None,
              none_ok: bool = False) -> int | None:
    """An integer (not a bool) in ``[low, high]`` (either end may be None: unbounded).

    TypeError for anything that is not an integer (``2.5``, ``"3"``, ``True``), ValueError for
    an integer out of range; both messages state the range. ``none_ok=True`` lets None through.
    """
    if value is None and none_ok:
        return None
    if low is not None and high is not None:
        want = f"an integer in [{low}, {high}]"
    elif low is not None:
        want = f"an integer >= {low}"
    elif high is not None:
        want = f"an integer <= {high}"
    else:
        want = "an integer"
    want = _or_none(want, none_ok)
    if not is_int(value):
        raise TypeError(f"{who}: {name} must be {want}, got {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{who}: {name} must be {want}, got {value!r}")
    return int(value)


def check_int_tuple(value: Any, name: str, who: Any, *, low: int = 1) -> tuple[int, ...]:
    """A tuple or list of integers >= ``low`` (layer widths, shapes), returned as a tuple."""
    if not isinstance(value, (tuple, list)):
        raise TypeError(f"{who}: {name} must be a tuple of integers >= {low}, got {value!r}")
    return tuple(check_int(v, f"{name}[{i}]", who, low=low) for i, v in enumerate(value))


def check_bool(value: Any, name: str, who: Any) -> bool:
    """True or False (numpy bools too); 0, 1, "yes" and None are refused with a TypeError."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{who}: {name} must be True or False, got {value!r}")
    return bool(value)


def _same_kind(value: Any, choice: Any) -> bool:
    if isinstance(choice, (bool, np.bool_)) or isinstance(value, (bool, np.bool_)):
        return isinstance(choice, (bool, np.bool_)) and isinstance(value, (bool, np.bool_))
    if isinstance(choice, str):
        return isinstance(value, str)
    return isinstance(value, type(choice))


def check_choice(value: Any, name: str, who: Any, choices: tuple) -> Any:
    """One of ``choices`` (returned as the choice itself), compared by kind and value: ``0`` is
    not ``False``. ValueError for a wrong value of the right kind, TypeError otherwise."""
    for c in choices:
        if _same_kind(value, c) and value == c:
            return c
    err = ValueError if any(_same_kind(value, c) for c in choices) else TypeError
    raise err(f"{who}: {name} must be one of {', '.join(repr(c) for c in choices)}, got {value!r}")


def check_instance(value: Any, types: type | tuple[type, ...], name: str, who: Any, what: str,
                   *, none_ok: bool = False) -> Any:
    """``value`` itself if it is an instance of ``types`` (``what`` describes them), else a TypeError."""
    if (value is None and none_ok) or isinstance(value, types):
        return value
    raise TypeError(f"{who}: {name} must be {_or_none(what, none_ok)}, got {type(value).__name__}")


def check_str(value: Any, name: str, who: Any) -> str:
    """A string (names, labels, ids)."""
    return check_instance(value, str, name, who, "a string")


def check_callable(value: Any, name: str, who: Any, signature: str = "", *, none_ok: bool = False) -> Any:
    """A callable (``signature`` describes what it is called with, for the message)."""
    if (value is None and none_ok) or callable(value):
        return value
    what = f"callable{' ' + signature if signature else ''}"
    raise TypeError(f"{who}: {name} must be {_or_none(what, none_ok)}, got {type(value).__name__}")


def check_float_dtype(dtype: Any, name: str, who: Any) -> np.dtype:
    """A floating-point numpy dtype (``np.float64``, ``"float32"``, …) as a ``numpy.dtype``."""
    if dtype is None:  # np.dtype(None) would silently be float64
        raise TypeError(f"{who}: {name} must be a floating-point dtype such as np.float64, got None")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise TypeError(f"{who}: {name} must be a floating-point dtype such as np.float64, got {dtype!r}") from None
    if dt.kind != "f":
        raise ValueError(f"{who}: {name} must be a floating-point dtype such as np.float64 or np.float32, got {dt}")
    return dt


def check_axis(axis: Any, ndim: int, name: str, who: Any) -> int:
    """An axis of an array with ``ndim`` dimensions (negative counts from the end), as ``0..ndim-1``."""
    if not is_int(axis):
        raise TypeError(f"{who}: {name} must be an integer, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise ValueError(f"{who}: {name}={axis} is out of range for an array with {ndim} dimension(s)")
    return int(axis) % ndim


def check_nonempty(arr: np.ndarray, who: Any, name: str = "input") -> np.ndarray:
    """``arr`` unless it has no elements (a ValueError naming ``name`` and its shape)."""
    if arr.size == 0:
        raise ValueError(f"{who}: {name} is empty (shape {arr.shape})")
    return arr


def as_rng(rng: Any, name: str, who: Any) -> np.random.Generator:
    """A numpy ``Generator`` from what a caller may pass as ``rng``.

    A Generator passes through (and is advanced by the caller's draws); None (fresh entropy),
    an integer seed >= 0, a ``SeedSequence`` or a ``BitGenerator`` go to
    ``numpy.random.default_rng``. Anything else (a float, a bool, a legacy ``RandomState``) is
    a TypeError naming ``name``; a negative seed is a ValueError.
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(rng)
    want = "a numpy Generator, an integer seed >= 0, a SeedSequence, a BitGenerator or None"
    if not is_int(rng):
        raise TypeError(f"{who}: {name} must be {want}, got {rng!r}")
    if rng < 0:
        raise ValueError(f"{who}: {name} must be {want}, got {rng!r}")
    return np.random.default_rng(int(rng))
