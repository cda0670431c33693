"""Renamed keyword arguments: the old name keeps working and warns once per process.

``@renamed(f_max="fmax")`` on a function turns a call with ``f_max=...`` into one with
``fmax=...`` after a ``DeprecationWarning`` (once, through
:func:`companion._deprecation.warn_deprecated`); passing both names is a TypeError.
"""

from __future__ import annotations

import functools
from typing import Any, Callable, TypeVar

from companion._deprecation import warn_deprecated

__all__ = ["renamed"]

F = TypeVar("F", bound=Callable[..., Any])


def renamed(who: str | None = None, **old_to_new: str) -> Callable[[F], F]:
    """Decorate a function whose keywords ``old_to_new`` were renamed; ``who`` names it in messages
    (default: the function's ``__name__``)."""

    def decorate(fn: F) -> F:
        name = who or fn.__name__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            for old, new in old_to_new.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{name}: got both {old}= (the old name) and {new}=; pass {new}= only")
                    warn_deprecated(f"{name}({old}=)", f"{name}({old}=...) is deprecated: the argument is "
                                                       f"called {new} now; pass {new}=...")
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate
