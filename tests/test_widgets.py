"""companion.widgets.slider: static frames for the HTML, live ipywidgets with a kernel."""

from __future__ import annotations

import base64
import io
import json
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from companion import widgets  # noqa: E402
from companion.widgets import slider  # noqa: E402

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def line_plot(a, b=1.0):
    fig, ax = plt.subplots(figsize=(3, 2))
    x = np.linspace(0, 1, 50)
    ax.plot(x, b * x**a)
    ax.set_ylim(0, 3)
    return fig


@pytest.fixture(autouse=True)
def static_mode(monkeypatch):
    monkeypatch.setenv("COMPANION_WIDGETS", "static")


def _payload(html: str) -> dict:
    m = re.search(r'<script type="application/json" class="gs-slider-data">(.*?)</script>', html, re.S)
    assert m, "no frame data in the slider's HTML"
    return json.loads(m.group(1))


def test_static_html_holds_one_distinct_png_per_combination():
    s = slider(line_plot, a=[0.5, 1, 2], b=[1.0, 2.0])
    bundle = s._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    data = _payload(bundle["text/html"])
    assert data["names"] == ["a", "b"]
    assert sorted(data["frames"]) == sorted(f"{i}_{j}" for i in range(3) for j in range(2))
    pngs = [base64.b64decode(v) for v in data["frames"].values()]
    assert all(p.startswith(PNG_MAGIC) for p in pngs)
    assert len(set(pngs)) == 6, "each parameter combination must draw a different figure"
    assert bundle["text/html"].count('type="range"') == 2
    assert plt.get_fignums() == [], "rendering frames must not leave figures open"


def math_plot(k, wide=False):
    """Math text and log ticks (parsed once per renderer), two figure sizes in one slider."""
    fig, ax = plt.subplots(figsize=(4 if wide else 3, 2))
    ax.semilogy(np.arange(1, 20), np.exp(-k * np.arange(1, 20)), label=r"$e^{-k t}$, $\|\delta_t\|$")
    ax.set(xlabel=r"$t$", ylabel=r"$\|\delta_t\| / \|\delta_T\|$", title=f"k = {k}")
    ax.legend()
    return fig


def test_frames_have_the_pixels_savefig_draws():
    """Frames are drawn in memory by a renderer shared across frames: the pixels must be
    those of ``savefig`` at the slider's dpi, whatever the order and size of the frames."""
    from PIL import Image

    s = slider(math_plot, k=[0.5, 1.0, 2.0], wide=[False, True], dpi=80)
    s.frame_png(k=0.5, wide=False)
    s.frame_png(k=1.0, wide=True)
    s.frame_png(k=2.0, wide=False)
    assert len(s._renderers) == 2  # one renderer per frame size, reused
    frames = s.frames()
    assert s._renderers == {}  # released once every frame is made
    for (i, j), b64 in frames.items():
        fig = math_plot(s.params["k"][i], s.params["wide"][j])
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
        plt.close(fig)
        want = Image.open(io.BytesIO(buf.getvalue())).convert("RGB")
        want = want.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        got = Image.open(io.BytesIO(base64.b64decode(b64))).convert("RGB")
        assert got.size == want.size == ((320, 160) if j else (240, 160))
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want.convert("RGB")))


def test_frames_are_those_of_the_plot_function():
    s = slider(line_plot, a=[0.5, 2])
    data = _payload(s.to_html())
    assert base64.b64decode(data["frames"]["1"]) == s.frame_png(a=2)
    assert base64.b64decode(data["frames"]["0"]) == s.frame_png(a=0.5)


def test_initial_value_defaults_to_the_middle_and_can_be_set():
    html = slider(line_plot, a=[1, 2, 3]).to_html()
    assert 'value="1"' in html and "<output" in html
    html = slider(line_plot, a=[1, 2, 3], initial={"a": 3}).to_html()
    assert 'value="2"' in html


def test_static_html_is_accessible_without_javascript():
    """The default frame is an <img> in the HTML itself, its alt text and each range's
    aria-valuetext name the values shown; frames are drawn at the static figures' 100 dpi."""
    s = slider(line_plot, a=[0.5, 2.0], b=[1, 2, 3], initial={"a": 2.0, "b": 1},
               description="A line whose slope the sliders set")
    page = s.to_html()
    img = re.search(r'<img class="gs-slider-frame" alt="([^"]*)"[^>]*src="data:image/png;base64,([^"]+)"', page)
    assert img, "no default frame in the HTML"
    assert img.group(1) == "A line whose slope the sliders set: a = 2, b = 1"
    assert base64.b64decode(img.group(2)) == s.frame_png(a=2.0, b=1)
    assert re.findall(r'aria-valuetext="([^"]*)"', page) == ["a = 2", "b = 1"]
    assert s.dpi == 100
    png = base64.b64decode(img.group(2))
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (300, 200)  # line_plot's 3×2 in at 100 dpi
    assert png[25] == 3  # colour type 3: a palette PNG, a third of the RGBA size
    assert _payload(page)["alt"] == "A line whose slope the sliders set"


def test_html_is_deterministic_and_loads_nothing_remote():
    h1 = slider(line_plot, a=[1, 2]).to_html()
    h2 = slider(line_plot, a=[1, 2]).to_html()
    strip = lambda h: re.sub(r"gs-slider-\d+-", "gs-slider-", h)  # noqa: E731
    assert strip(h1) == strip(h2)
    assert not re.search(r"(src|href)=\"(https?:)?//", h1)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({}, "at least one parameter"),
        ({"a": []}, "has no values"),
        ({"a": 3}, "sequence of values"),
        ({"a": list(range(50))}, "max_frames"),
        ({"a": [1, 2], "initial": {"a": 5}}, "not one of its values"),
        ({"a": [1, 2], "initial": {"z": 1}}, "unknown parameters"),
    ],
)
def test_bad_arguments_are_named(kwargs, message):
    with pytest.raises((ValueError, TypeError), match=message):
        slider(line_plot, **kwargs)


def test_plot_must_return_a_figure():
    with pytest.raises(TypeError, match="Figure"):
        slider(lambda a: 42, a=[1, 2]).to_html()
    with pytest.raises(TypeError, match="callable"):
        slider("not a function", a=[1])


def test_mode_follows_the_environment(monkeypatch):
    assert widgets.mode() == "static"
    monkeypatch.setenv("COMPANION_WIDGETS", "live")
    assert widgets.mode() == "live"
    monkeypatch.setenv("COMPANION_WIDGETS", "sometimes")
    with pytest.raises(ValueError, match="COMPANION_WIDGETS"):
        widgets.mode()
    monkeypatch.delenv("COMPANION_WIDGETS")
    assert widgets.mode() == "static"  # no IPython kernel in a test process


def test_live_mode_builds_sliders_that_redraw(monkeypatch):
    monkeypatch.setenv("COMPANION_WIDGETS", "live")
    calls = []

    def plot(a):
        calls.append(a)
        return line_plot(a)

    s = slider(plot, a=[1, 2, 3])
    bundle = s._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    box = s.widget()
    control = box.children[0]
    assert calls[-1] == 2  # drawn once at the initial value
    control.value = 3
    assert calls[-1] == 3, "moving the slider must call the plotting function with the new value"
    plt.close("all")


def test_a_label_cannot_break_out_of_the_inline_script():
    """A value or description containing '</script>' stays inside the JSON block."""
    def plot(label):
        fig, ax = plt.subplots()
        ax.set_title(str(label))
        return fig

    s = slider(plot, label=["a</script><script>alert(1)</script>", "b & <c>"])
    page = s.to_html()
    assert page.count("</script>") == page.count("<script")           # every element closed once
    assert "alert(1)</script>" not in page
    data = _payload(page)                                                # parsed back whole
    assert "a</script><script>alert(1)</script>" in json.dumps(data, ensure_ascii=False)


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(dpi=0), ValueError, r"slider: dpi must be an integer in \[20, 300\], got 0"),
    (dict(dpi=2000), ValueError, r"slider: dpi must be an integer in \[20, 300\], got 2000"),
    (dict(dpi=72.5), TypeError, r"slider: dpi must be an integer in \[20, 300\], got 72.5"),
    (dict(dpi=True), TypeError, "slider: dpi must be an integer"),
    (dict(max_frames=0), ValueError, "slider: max_frames must be an integer >= 1, got 0"),
    (dict(description=None), TypeError, "slider: description must be a string"),
    (dict(initial=[("a", 1)]), TypeError, "slider: initial must be a dict"),
])
def test_slider_options_are_checked_when_it_is_made(kwargs, error, message):
    with pytest.raises(error, match=message):
        slider(line_plot, a=[1, 2], **kwargs)
