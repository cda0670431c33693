"""One helper that turns a plotting function of a few parameters into a slider control.

:func:`slider` returns a control that is

- **live** with a kernel (Jupyter, Binder, Colab): ipywidgets sliders that call the
  plotting function again on every move;
- **static** in the built HTML (no kernel, no network): an ``<input type="range">`` per
  parameter that swaps figures precomputed when the book was built. The page loads
  nothing from the internet: frames are inline PNGs, the script is inline.

The mode is chosen once per kernel: ``COMPANION_WIDGETS=static`` (the book build sets it,
see ``book/_ext/companion_build.py``) or ``live``; otherwise live inside an IPython kernel
with ipywidgets installed, static elsewhere. Building the book never creates an ipywidget,
so the book build cannot hit nbclient's widget stall (nbclient issue #312).

Page weight: one frame is one PNG with a 256-colour palette; at the default 6×3.6 in and
100 dpi (the resolution of the book's other figures, matplotlib's default) a line plot costs
about 10–25 KiB.
``max_frames`` (default 40) caps the product of the parameter grids.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
import io
import itertools
import json
import os
from typing import Any, Callable, Sequence

import numpy as np

from companion._checks import check_callable, check_instance, check_int, check_str

__all__ = ["slider", "Slider", "mode"]

_COUNTER = 0  # sliders rendered in this process, for unique element ids
Figure = Any  # matplotlib.figure.Figure; kept loose so importing this module stays cheap


def mode() -> str:
    """``"static"`` or ``"live"``: how :func:`slider` renders in this process."""
    env = os.environ.get("COMPANION_WIDGETS", "").strip().lower()
    if env in ("static", "live"):
        return env
    if env:
        raise ValueError(f"mode: the environment variable COMPANION_WIDGETS must be 'static', 'live' or unset, "
                         f"got {env!r}")
    try:
        from IPython import get_ipython

        ip = get_ipython()
        import ipywidgets  # noqa: F401
    except ImportError:
        return "static"
    return "live" if ip is not None and getattr(ip, "kernel", None) is not None else "static"


def _script_json(data: Any) -> str:
    """JSON that is safe inside a ``<script>`` element: ``<``, ``>`` and ``&`` as JSON escapes,
    so a label containing ``</script>`` cannot end the element (JSON.parse reads it back)."""
    return json.dumps(data).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _format(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return f"{float(v):.4g}"
    return str(v)


def _checked(who: str, plot: Any, params: Any, initial: Any, dpi: Any, max_frames: Any,
             description: Any) -> tuple[dict[str, list[Any]], dict[str, Any]]:
    """The grids and the complete initial values, or a TypeError/ValueError naming ``who``."""
    check_callable(plot, "plot", who, "(**params) -> Figure")
    check_int(dpi, "dpi", who, low=20, high=300)  # page weight grows with its square
    check_int(max_frames, "max_frames", who)
    check_str(description, "description", who)
    check_instance(params, dict, "params", who, "a dict of name -> sequence of values")
    if not params:
        raise ValueError(f"{who}: give at least one parameter grid, e.g. slider(plot, lr=[0.01, 0.1])")
    grids: dict[str, list[Any]] = {}
    for name, values in params.items():
        check_str(name, "every parameter name", who)
        if isinstance(values, (str, bytes)) or not hasattr(values, "__len__"):
            raise TypeError(f"{who}: {name} must be a sequence of values, got {values!r}")
        vals = list(values)
        if not vals:
            raise ValueError(f"{who}: {name} has no values")
        for i, v in enumerate(vals):
            if isinstance(v, (float, np.floating)) and not np.isfinite(v):
                raise ValueError(f"{who}: {name}[{i}] is {v}; every value of a grid must be finite")
        grids[name] = vals
    n_frames = int(np.prod([len(v) for v in grids.values()]))
    if n_frames > max_frames:
        raise ValueError(
            f"{who}: {n_frames} combinations of values exceed max_frames={max_frames}; each is one PNG in the page "
            "(use fewer values or raise max_frames)"
        )
    initial = dict(check_instance(initial, dict, "initial", who, "a dict of name -> value", none_ok=True) or {})
    unknown = set(initial) - set(grids)
    if unknown:
        raise ValueError(f"{who}: initial names unknown parameters {sorted(unknown, key=str)}")
    for name, vals in grids.items():
        if name in initial:
            if not any(initial[name] is v or _equal(initial[name], v) for v in vals):
                raise ValueError(f"{who}: initial {name}={initial[name]!r} is not one of its values {vals}")
        else:
            initial[name] = vals[(len(vals) - 1) // 2]
    return grids, initial


def _equal(a: Any, b: Any) -> bool:
    """``a == b`` as one bool (False where == is elementwise or fails, as for arrays)."""
    try:
        return bool(a == b)
    except Exception:
        return False


def _frame_canvas(fig: Figure, renderers: dict[tuple[int, int, float], Any]) -> Any:
    """An Agg canvas for ``fig`` whose renderer, one per pixel size and dpi, is kept in
    ``renderers`` and shared by the frames of a slider.

    matplotlib caches parsed math text and text extents per renderer; a new canvas per frame
    started those caches empty, and parsing the same ``$10^{-2}$`` tick labels and math
    legends again was half the time of a frame with math text.
    """
    return _frame_canvas_class()(fig, renderers)


@functools.cache
def _frame_canvas_class() -> type:
    from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg

    class FrameCanvas(FigureCanvasAgg):
        def __init__(self, fig: Figure, renderers: dict[tuple[int, int, float], Any]) -> None:
            super().__init__(fig)
            self._renderers = renderers

        def get_renderer(self) -> RendererAgg:
            w, h = self.get_width_height(physical=True)
            key = (w, h, float(self.figure.dpi))
            if key not in self._renderers:
                self._renderers[key] = RendererAgg(w, h, self.figure.dpi)
            self.renderer = self._renderers[key]
            return self.renderer

    return FrameCanvas


class Slider:
    """A plotting function and a grid of parameter values; displays itself (see :func:`slider`).

    Parameters
    ----------
    plot : callable
        ``plot(**values) -> Figure`` (or None, drawing on pyplot's current figure).
    params : dict of str to sequence
        The values each parameter takes.
    initial : dict of str to value
        The value each slider starts at, one of its grid's values (missing names: the middle).
    dpi : int
        Resolution of the precomputed frames, in [20, 300].
    max_frames : int
        Refuse grids with more combinations than this (>= 1).
    description : str
        Alt text of the figure.
    """

    def __init__(
        self,
        plot: Callable[..., Figure],
        params: dict[str, Sequence[Any]],
        initial: dict[str, Any],
        dpi: int,
        max_frames: int,
        description: str,
    ) -> None:
        params, initial = _checked("Slider", plot, params, initial, dpi, max_frames, description)
        self.plot, self.params, self.initial = plot, params, initial
        self.dpi, self.max_frames, self.description = int(dpi), int(max_frames), description
        self._frames: dict[tuple[int, ...], str] | None = None
        self._renderers: dict[tuple[int, int, float], Any] = {}  # see _frame_canvas

    # --- rendering --------------------------------------------------------------------
    def _figure(self, **kwargs: Any) -> Figure:
        import matplotlib.pyplot as plt
        from matplotlib.figure import Figure as MplFigure

        before = set(plt.get_fignums())
        fig = self.plot(**kwargs)
        if fig is None:  # the function drew on pyplot's current figure
            fig = plt.gcf()
        if not isinstance(fig, MplFigure):
            raise TypeError(
                f"slider: the plotting function must return a matplotlib Figure or None, got {type(fig).__name__}"
            )
        for num in set(plt.get_fignums()) - before:  # never let pyplot display it a second time
            if plt.figure(num) is not fig:
                plt.close(num)
        return fig

    def frame_png(self, **kwargs: Any) -> bytes:
        """The PNG bytes of one frame (the plotting function called with one value per parameter)."""
        if set(kwargs) != set(self.params):
            missing, extra = sorted(set(self.params) - set(kwargs)), sorted(set(kwargs) - set(self.params))
            raise TypeError(f"Slider.frame_png: give exactly one value per parameter {sorted(self.params)}; "
                            f"missing {missing}, unknown {extra}")
        import matplotlib.pyplot as plt

        from PIL import Image  # matplotlib's own dependency

        fig = self._figure(**kwargs)
        fig.set_dpi(self.dpi)
        # Drawn in memory (the pixels of savefig(dpi=...), without a PNG to decode again), by
        # a renderer shared by every frame of this slider.
        canvas = _frame_canvas(fig, self._renderers)
        canvas.draw()
        rgba = Image.frombuffer("RGBA", canvas.get_width_height(), canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        image = rgba.convert("RGB")
        plt.close(fig)
        # A 256-colour palette (no dithering) holds a plot's few colours and its colour maps:
        # a third of the RGBA size, so frames at the static figures' resolution weigh less
        # than the old low-resolution ones and a page of sliders stays light.
        palette = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        out = io.BytesIO()
        palette.save(out, format="PNG")  # (optimize=True would cost 3× the time for ~0 bytes)
        return out.getvalue()

    def frames(self) -> dict[tuple[int, ...], str]:
        """Every frame of the grid as a base64 PNG, keyed by the index of each value."""
        if self._frames is None:
            names = list(self.params)
            self._frames = {}
            for idx in itertools.product(*(range(len(self.params[n])) for n in names)):
                kwargs = {n: self.params[n][i] for n, i in zip(names, idx)}
                self._frames[idx] = base64.b64encode(self.frame_png(**kwargs)).decode("ascii")
            self._renderers.clear()  # their pixel buffers are not needed once every frame is made
        return self._frames

    def _initial_index(self) -> tuple[int, ...]:
        return tuple(next(i for i, v in enumerate(vals) if self.initial[n] is v or _equal(self.initial[n], v))
                     for n, vals in self.params.items())

    def _alt(self, index: tuple[int, ...]) -> str:
        """Alt text of one frame: the description, then the value of every slider."""
        shown = ", ".join(f"{n} = {_format(vals[i])}" for (n, vals), i in zip(self.params.items(), index))
        return f"{self.description or 'figure controlled by the sliders above'}: {shown}"

    def to_html(self) -> str:
        """The static control: range inputs, a value read-out and the precomputed frames."""
        global _COUNTER
        _COUNTER += 1
        frames = self.frames()
        start = self._initial_index()
        data = {
            "names": list(self.params),
            "labels": {n: [_format(v) for v in vals] for n, vals in self.params.items()},
            "frames": {"_".join(map(str, k)): v for k, v in frames.items()},
            "alt": self.description or "figure controlled by the sliders above",
        }
        # Deterministic id (two builds give the same HTML), unique within a kernel.
        uid = f"gs-slider-{_COUNTER}-" + hashlib.sha1(json.dumps(data).encode()).hexdigest()[:10]
        rows = []
        for j, (name, vals) in enumerate(self.params.items()):
            rows.append(
                f'<label style="display:flex;gap:.6em;align-items:center;margin:.2em 0">'
                f'<span style="min-width:8em"><code>{html.escape(name)}</code></span>'
                f'<input type="range" min="0" max="{len(vals) - 1}" step="1" value="{start[j]}" '
                f'data-gs-param="{html.escape(name)}" aria-label="{html.escape(name)}" '
                f'aria-valuetext="{html.escape(f"{name} = {_format(vals[start[j]])}")}" style="flex:1">'
                f'<output style="min-width:5em">{html.escape(_format(vals[start[j]]))}</output></label>'
            )
        alt = html.escape(self._alt(start))
        first = frames[start]
        return (
            f'<div class="gs-slider" id="{uid}">'
            + "".join(rows)
            + f'<img class="gs-slider-frame" alt="{alt}" style="max-width:100%" src="data:image/png;base64,{first}">'
            + f'<script type="application/json" class="gs-slider-data">{_script_json(data)}</script>'
            + "<script>(function(){"
            f'var root=document.getElementById("{uid}");'
            'var d=JSON.parse(root.querySelector(".gs-slider-data").textContent);'
            'var inputs=root.querySelectorAll("input[data-gs-param]");'
            'var img=root.querySelector("img.gs-slider-frame");'
            "function update(){var key=[],shown=[];inputs.forEach(function(inp,j){key.push(inp.value);"
            "var v=d.labels[d.names[j]][+inp.value];inp.nextElementSibling.textContent=v;"
            'var said=d.names[j]+" = "+v;inp.setAttribute("aria-valuetext",said);shown.push(said);});'
            'img.src="data:image/png;base64,"+d.frames[key.join("_")];'
            'img.alt=d.alt+": "+shown.join(", ");}'
            'inputs.forEach(function(inp){inp.addEventListener("input",update);});'
            "})();</script></div>"
        )

    # --- display ------------------------------------------------------------------------
    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        if mode() == "live":
            return self.widget()._repr_mimebundle_(include=include, exclude=exclude)
        text = f"<slider over {', '.join(self.params)}: {len(self.frames())} precomputed frames>"
        return {"text/html": self.to_html(), "text/plain": text}

    def widget(self) -> Any:
        """The live ipywidgets control (built only when asked for, never at book build time)."""
        import ipywidgets as w
        import matplotlib.pyplot as plt
        from IPython.display import display

        out = w.Output()
        controls = {
            n: w.SelectionSlider(options=[(_format(v), v) for v in vals], value=self.initial[n], description=n,
                                 continuous_update=False, style={"description_width": "initial"})
            for n, vals in self.params.items()
        }

        def redraw(_: Any = None) -> None:
            with out:
                out.clear_output(wait=True)
                fig = self._figure(**{n: c.value for n, c in controls.items()})
                display(fig)
                plt.close(fig)

        for c in controls.values():
            c.observe(redraw, names="value")
        redraw()
        return w.VBox([*controls.values(), out])

    def __repr__(self) -> str:
        return f"Slider({', '.join(f'{n}: {len(v)} values' for n, v in self.params.items())})"


def slider(
    plot: Callable[..., Figure],
    *,
    initial: dict[str, Any] | None = None,
    dpi: int = 100,
    max_frames: int = 40,
    description: str = "",
    **params: Sequence[Any],
) -> Slider:
    """Turn ``plot(**params) -> Figure`` into a slider control, live or static.

    Parameters
    ----------
    plot : callable
        Called with one keyword argument per parameter; returns a matplotlib Figure
        (or draws on pyplot's current figure and returns None). It should be a pure
        function of its arguments: the static HTML shows one precomputed frame per
        combination of values.
    initial : dict, optional
        The value each slider starts at (default: the middle of each grid).
    dpi : int
        Resolution of the precomputed frames (page weight grows with its square); the
        default, 100, is that of the book's static figures.
    max_frames : int
        Refuse grids with more combinations than this (each is one PNG in the page).
    description : str
        Alt text of the figure, for screen readers; the static page adds the values shown
        ("…: lr = 0.1") and keeps them current as the sliders move.
    **params : sequences
        The values each parameter takes, e.g. ``lr=[0.01, 0.1, 1.0]``.

    Returns
    -------
    Slider
        Display it (last expression of a cell). With a kernel it becomes ipywidgets
        sliders; in the built HTML a range input swapping precomputed frames.

    Examples
    --------
    >>> def plot(lr):
    ...     fig, ax = plt.subplots()
    ...     ax.plot(train(lr).loss)
    ...     return fig
    >>> slider(plot, lr=[0.01, 0.1, 1.0])  # doctest: +SKIP
    """
    grids, initial = _checked("slider", plot, params, initial, dpi, max_frames, description)
    return Slider(plot, grids, initial, dpi, max_frames, description)
