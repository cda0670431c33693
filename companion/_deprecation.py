"""Deprecation shims: an old public name or argument keeps working and warns once per process.

Public names are a promise to readers (their notebooks import them), so nothing is renamed
without one of these. Each shim names what to use instead and the version it goes in.
"""

from __future__ import annotations

import warnings

_WARNED: set[str] = set()


def warn_deprecated(key: str, message: str, *, stacklevel: int = 3) -> None:
    """Warn with a ``DeprecationWarning`` the first time ``key`` is used in this process."""
    if key in _WARNED:
        return
    _WARNED.add(key)
    warnings.warn(message, DeprecationWarning, stacklevel=stacklevel)
