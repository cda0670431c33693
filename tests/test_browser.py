"""A real browser on the built book: the static slider moves and swaps the figure, math renders,
and the page requests nothing outside 127.0.0.1.

Uses Debian's Chromium (``apt-get install chromium``) driven by Playwright's Python package;
``playwright install`` is never run (it downloads a browser). Skipped, with the install command,
when no Chromium is on the machine.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import urlparse

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
# Flags for a sandboxed, offline machine (no background connections to Google's hosts).
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOT = Path(__file__).resolve().parents[1] / "book" / "images" / "built-page.png"


@pytest.fixture(scope="module")
def site(built_book: Path):
    handler = functools.partial(_QuietHandler, directory=str(built_book / "html"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep pytest's output readable
        pass


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no Chromium found: install Debian's with `apt-get install chromium` (or set CHROMIUM=/path)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, timeout=60_000)
        yield b
        b.close()


PAGE = os.environ.get("GS_SLIDER_PAGE", "01-backprop")


def test_static_slider_swaps_the_figure_offline(site: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    page.goto(f"{site}/book/{PAGE}.html", wait_until="load")
    control = page.locator(".gs-slider").first
    control.scroll_into_view_if_needed()
    image = control.locator("img.gs-slider-frame")
    readout = control.locator("output").first
    rng = control.locator('input[type="range"]').first
    before_src, before_label = image.get_attribute("src"), readout.inner_text()
    before_alt, before_said = image.get_attribute("alt"), rng.get_attribute("aria-valuetext")
    assert before_said.endswith(f"= {before_label}") and before_said in before_alt

    rng.focus()
    page.keyboard.press("ArrowRight")  # as a reader would: one step up
    after_src, after_label = image.get_attribute("src"), readout.inner_text()
    assert after_label != before_label, "the value read-out did not follow the slider"
    # a screen reader hears the new value, and the figure's alt text names it
    after_said = rng.get_attribute("aria-valuetext")
    assert after_said.endswith(f"= {after_label}"), f"aria-valuetext did not follow: {after_said!r}"
    assert after_said in image.get_attribute("alt") and image.get_attribute("alt") != before_alt
    assert after_src != before_src and after_src.startswith("data:image/png;base64,"), "the figure did not change"
    assert image.evaluate("img => img.complete && img.naturalWidth > 0"), "the new frame is not a drawable image"

    rng.fill("0")  # jump to the first value
    assert image.get_attribute("src") not in (after_src, None)

    # MathJax (served from the site itself) typeset the page's math.
    page.wait_for_selector("mjx-container", timeout=20_000)
    if os.environ.get("GS_SCREENSHOT"):
        SCREENSHOT.parent.mkdir(exist_ok=True)
        rng.fill("3")
        page.screenshot(path=str(SCREENSHOT))  # the README's picture of a built page

    outside = [u for u in requested if urlparse(u).scheme in ("http", "https")
               and urlparse(u).hostname != "127.0.0.1"]
    assert not outside, f"the page requested resources outside 127.0.0.1: {outside}"
    assert not errors, f"JavaScript errors on the page: {errors}"
    page.close()
