"""When long training shows a progress bar: one rule for every trainer.

``progress=None`` (the default) shows a tqdm bar when a reader runs the code (Jupyter, Binder,
Colab, a script) and none while the book is built (``COMPANION_WIDGETS=static``, set by the
build), where a bar would only be stderr noise in the page. ``True``/``False`` force it.
"""

from __future__ import annotations

import os


def show_progress(progress: bool | None, who: str) -> bool:
    """Resolve a trainer's ``progress`` argument to whether its bar is shown."""
    if progress is None:
        return os.environ.get("COMPANION_WIDGETS", "").strip().lower() != "static"
    if not isinstance(progress, bool):
        raise TypeError(f"{who}: progress must be True, False or None, got {type(progress).__name__}")
    return progress
