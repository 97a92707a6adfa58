"""The compare page in headless Chromium, network cut: a share link opened as the very first request to a freshly
started server restores the view, and both panels and their difference are drawn."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest
from playwright import sync_api as playwright

from tests import browser_support as bs

pytestmark = pytest.mark.browser

# Two panels, the difference, the rows' divergence, the heads' divergence: five Plotly charts, four heatmaps.
DRAWN = """
() => !document.querySelector('[data-testid="stStatusWidget"]')
  && document.querySelectorAll('.js-plotly-plot').length === 5
  && document.querySelectorAll('.js-plotly-plot .hm image').length === 4
  && document.querySelectorAll('.js-plotly-plot .bars path').length > 0
"""


def test_a_compare_link_opened_cold_restores_the_view_and_draws_both_panels_and_the_difference():
    link = {
        "a_text": "The keys to the cabinet are on the table.",
        "b_text": "The key to the cabinet is on the table.",
        "a_layer": "3",
        "a_head": "1",
        "b_layer": "3",
        "b_head": "layer",
    }
    with bs.streamlit_server() as server, playwright.sync_playwright() as p:
        browser = bs.launch(p)
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        context.grant_permissions(["clipboard-read", "clipboard-write"])
        blocked = bs.cut_network(context)
        page = context.new_page()
        page.goto(f"{server}/compare?{urlencode(link)}")  # the server's first request
        page.wait_for_function(DRAWN, timeout=150_000, polling=200)
        assert page.get_by_role("textbox", name="A: sentence").input_value() == link["a_text"]
        assert page.get_by_role("textbox", name="B: sentence").input_value() == link["b_text"]
        body = page.locator("body").inner_text()
        assert "Page not found" not in body
        titles = [t.text_content() for t in page.locator(".js-plotly-plot .gtitle").all()]
        assert any("layer 3, head 1" in (t or "") for t in titles)
        assert any("layer 3, mean of its heads" in (t or "") for t in titles)
        assert any("A − B" in (t or "") for t in titles)
        assert page.locator("[data-testid='stException']").count() == 0
        assert "b_head=layer" in page.url and "a_layer=3" in page.url  # the link still says what is shown
        # "Copy link" puts the address of exactly this view on the clipboard
        button = page.frame_locator('[data-testid="stSidebar"] iframe').locator("#copy")
        button.click()
        assert button.get_attribute("data-copied") == page.url
        assert page.evaluate("navigator.clipboard.readText()") == page.url
        assert blocked == []
        browser.close()
