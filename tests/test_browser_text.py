"""What a person types stays text in a real browser: on every page with a text box, hostile strings typed in
headless Chromium (network cut) open no dialog, run no script, and render no link, image or formatting."""

from __future__ import annotations

import re

import pytest
from playwright import sync_api as playwright

from tests import browser_support as bs

pytestmark = pytest.mark.browser
PAYLOADS = [
    "<img src=x onerror=alert(1)> <script>alert(2)</script> <b id=bold>bold</b>",
    "[Click here to fix your model](https://example.org/login) ![x](https://example.org/x.png)",
    "_it_ **strong** :red[red] $x^2$ # heading https://example.org",
    "\u202eevil\u202c שלום 😀 \u200b\x07",
]
# What the payloads would produce if they were rendered instead of shown as text: (selector, its text).
LIVE = [
    # a link TO example.org; the app's own links may carry the typed text, encoded, in their query string
    (
        "img[src='x'], img[src*='example.org'], a[href^='https://example.org'], a[href^='http://example.org'], b#bold",
        None,
    ),
    ("em", "it"),
    ("strong", "strong"),
    # "# heading https://…" rendered: a heading that starts with it (a translation shown as the page's own
    # heading may hold the copied word "heading" further in, as text)
    ("h1, h2, h3, h4", re.compile(r"^\s*heading")),
    (".katex", None),
    ("span[style*='color'], span[class*='red']", "red"),
]


def live_elements(page) -> list[str]:
    """Every (selector, frame) where typed text became live HTML, in the page and its frames (bertviz)."""
    for _ in range(5):  # frames are replaced while a view redraws: read them again once they settle
        try:
            return [
                f"{selector} in {frame.url[:60]}"
                for frame in page.frames
                for selector, text in LIVE
                if (frame.locator(selector, has_text=text) if text else frame.locator(selector)).count()
            ]
        except playwright.Error:
            page.wait_for_timeout(500)
    raise AssertionError("the page's frames never settled")


@pytest.mark.parametrize("path", bs.PAGES)
def test_typed_text_never_becomes_live_html(server, browser, path):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    blocked = bs.cut_network(context)
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/{path}")
    page.locator("h1").first.wait_for(timeout=90_000)
    bs.settled(page)
    if path == "playground":  # the text box appears once a BERT head is the source
        page.get_by_text("A sentence through a BERT head").click()
        bs.settled(page)
    boxes = page.get_by_role("textbox")
    try:
        boxes.first.wait_for(timeout=15_000)
    except playwright.TimeoutError:
        pytest.skip(f"/{path} has no text box")  # nothing to type into
    for payload in PAYLOADS:
        box = boxes.first
        box.fill(payload)
        box.press("Enter")
        bs.settled(page)
        assert live_elements(page) == [], (path, payload)
        assert page.locator("[data-testid='stException']").count() == 0, (path, payload)
    assert dialogs == [] and blocked == []
    context.close()
