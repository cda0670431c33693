"""Robust scale: the median absolute deviation as a standard deviation.

A leaf module: the blink removal (:mod:`companion.dsp.wavelets`) and the event finder
(:mod:`companion.dsp.events`) both measure noise with it, and a few huge values (a blink,
an event) barely move it.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from companion._checks import as_float_array

__all__ = ["MAD_TO_SIGMA", "mad_sigma"]

MAD_TO_SIGMA = 1.4826  # 1 / Phi^-1(3/4): the MAD of a Gaussian times this is its sigma


def mad_sigma(c: Any) -> float:
    """Robust standard deviation: ``1.4826 * median(|c - median(c)|)``.

    A few huge values (a blink's coefficients) barely move it. Empty input gives 0.

    Parameters
    ----------
    c : array_like
        Real, finite values (any shape; all of them are used).

    Returns
    -------
    float

    Derived in: eeg-blink-removal
    """
    c = as_float_array(c, "mad_sigma", "c", dtype=np.float64)
    if c.size == 0:
        return 0.0
    return float(MAD_TO_SIGMA * np.median(np.abs(c - np.median(c))))
