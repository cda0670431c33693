"""Numbers from a chapter's run into its text: the one idiom every chapter uses.

A chapter computes a number in a code cell and calls ``glue("key", value)``; the prose quotes it
as ``{glue:text}`key:.2f``` (myst-nb), so the text can never disagree with the run.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["glue"]


def glue(key: str, value: Any) -> None:
    """Record ``value`` under ``key`` for the ``{glue:text}`` role of the book's text.

    NumPy scalars become plain Python numbers first: NumPy 2 prints ``np.float64(1.5)``, which
    the role's format specification cannot read. Nothing is displayed in the cell. Where
    myst-nb is not installed (Colab, a plain Jupyter), the call does nothing: the numbers are
    still in the cell's variables, and only the built book renders the role.

    Parameters
    ----------
    key : str
        The name the text uses.
    value : number, str or numpy scalar
    """
    if not isinstance(key, str) or not key:
        raise TypeError(f"glue: key must be a non-empty string, got {key!r}")
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, np.ndarray):
        raise TypeError(f"glue: {key!r} is an array of shape {value.shape}; glue one number")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        return
    myst_glue(key, value, display=False)
