"""Gradients & Signals — the companion package of the book.

Every function a chapter leans on lives here, with a docstring naming the section
of the book that derives it. Sub-packages (imported on first use):

- :mod:`companion.nn` — layers as forward/backward pairs, losses, gradient checking,
  optimisers and training loops (chapters 1–4);
- :mod:`companion.rl` — policy gradients and DQN on Gymnasium (chapters 5–6);
- :mod:`companion.dsp` — WAV reading, spectra, peaks, EEG blink removal (chapters 7–8);
- :mod:`companion.widgets` — the slider helper every chapter uses;
- :mod:`companion.book` — ``glue``, the numbers of a run into the chapter's text;
- :mod:`companion.data` — small real data sets shipped with the package.
"""

import importlib
from typing import Any

from companion._version import VersionMismatchError, __version__, require

__all__ = ["__version__", "require", "VersionMismatchError", "nn", "rl", "dsp", "widgets", "data", "book"]

_SUBMODULES = {"nn", "rl", "dsp", "widgets", "data", "book"}


def __getattr__(name: str) -> Any:
    # `companion.widgets.slider(...)` works after a bare `import companion`, while
    # heavy sub-packages (Gymnasium for rl) load only when a chapter uses them.
    if name in _SUBMODULES:
        return importlib.import_module(f"companion.{name}")
    raise AttributeError(f"module 'companion' has no attribute {name!r}")
