"""companion.book.glue: numbers reach the text as plain Python scalars, or a clear error."""

from __future__ import annotations

import numpy as np
import pytest

from companion.book import glue


def test_numpy_scalars_are_glued_as_python_numbers(monkeypatch) -> None:
    import myst_nb

    seen = {}
    monkeypatch.setattr(myst_nb, "glue", lambda key, value, display: seen.update({key: (value, display)}))
    glue("mean", np.float64(1.5))
    glue("count", np.int64(3))
    glue("name", "Huber")
    assert seen == {"mean": (1.5, False), "count": (3, False), "name": ("Huber", False)}
    assert type(seen["mean"][0]) is float and type(seen["count"][0]) is int
    assert format(seen["mean"][0], ".1f") == "1.5"       # what {glue:text}`mean:.1f` does


def test_glue_refuses_arrays_and_bad_keys() -> None:
    with pytest.raises(TypeError, match=r"glue: 'v' is an array of shape \(3,\); glue one number"):
        glue("v", np.zeros(3))
    with pytest.raises(TypeError, match="glue: key must be a non-empty string"):
        glue("", 1.0)


def test_without_myst_nb_glue_does_nothing(monkeypatch) -> None:
    import builtins

    real_import = builtins.__import__

    def no_myst_nb(name, *args, **kwargs):
        if name == "myst_nb":
            raise ImportError("no myst_nb here (Colab)")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_myst_nb)
    assert glue("x", 1.0) is None
