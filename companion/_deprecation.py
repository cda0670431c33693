"""Deprecation shims: an old public name or argument keeps working and warns once per process.

Public names are a promise to readers (their notebooks import them), so nothing is renamed
without one of these. Each shim names what to use instead and the version it goes in.
"""

from __future__ import annotations

import warnings

from companion._checks import check_int

_WARNED: set[str] = set()


def warn_deprecated(key: str, message: str, *, stacklevel: int = 3) -> None:
    """Warn with a ``DeprecationWarning`` the first time ``key`` is used in this process."""
    if key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)


def seed_as_rng(seed: object, rng: object, who: str, *, old: str = "seed", new: str = "rng") -> object:
    """The ``rng`` to use when a caller may still pass the old ``seed=`` spelling.

    ``seed=None`` (not given) returns ``rng`` unchanged; an integer seed warns once (``rng=``
    takes the same integer) and replaces ``rng``. Anything else is the TypeError or ValueError
    ``seed`` would have raised. ``old``/``new`` name the pair when it is not seed/rng.
    """
    if seed is None:
        return rng
    warn_deprecated(f"{who}.{old}", f"{who}({old}=...) is deprecated: pass {new}=... (a numpy Generator or "
                                    "an int seed; the same int gives the same result)", stacklevel=4)
    return check_int(seed, old, who, low=0)
