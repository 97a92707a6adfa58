"""What a class sees at the widths it uses: a laptop (1024 px) and a projector (1280×720), light and dark.

Headless Chromium, every request outside loopback cut (see browser_support).
"""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright

from tests import browser_support as bs

pytestmark = pytest.mark.browser


def open_bert(server, browser, width: int, height: int, scheme: str = "light", bertviz: bool = True):
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    blocked = bs.cut_network(context)
    page = context.new_page()
    page.goto(f"{server}/bert" + ("?show=bertviz" if bertviz else ""))  # the bertviz views are drawn on request
    bs.wait_drawn(page, "cat", 14, bertviz=bertviz)
    return context, page, blocked


def luminance(css_colour: str) -> float:
    """Relative luminance (0 black … 1 white) of 'rgb(r, g, b)' / 'rgba(…)'."""
    parts = css_colour[css_colour.index("(") + 1 : css_colour.index(")")].split(",")
    r, g, b = (int(float(p)) / 255 for p in parts[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


@pytest.mark.parametrize("width", [1024, 1400])
def test_every_head_of_the_model_view_can_be_reached(server, browser, width):
    """bertviz draws the model view 970 px wide, wider than the column at these widths: it must fit, not clip."""
    context, page, blocked = open_bert(server, browser, width, 800)
    frame_element = page.locator('[data-testid="stMain"] iframe').nth(1)
    model = frame_element.content_frame
    last_head = model.locator("rect[style*='opacity: 0']").nth(11)  # layer 0, head 11 (12 heads a row)
    box, frame_box = last_head.bounding_box(), frame_element.bounding_box()
    assert box is not None and frame_box is not None
    assert frame_box["x"] <= box["x"] and box["x"] + box["width"] <= frame_box["x"] + frame_box["width"] + 1
    last_head.click()  # and it answers: its detail panel opens
    assert model.locator("text.detail", has_text="Layer 0, Head 11").count() == 1
    assert blocked == []
    context.close()


def test_dark_theme_follows_the_system_and_charts_stay_readable(server, browser):
    context, page, blocked = open_bert(server, browser, 1280, 720, scheme="dark")
    background = page.evaluate("getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    assert luminance(background) < 0.2  # the app is dark
    tick = page.locator(".js-plotly-plot .ytick text").first
    fill = tick.evaluate("t => getComputedStyle(t).fill")
    assert luminance(fill) > 0.5  # axis labels light on the dark page
    assert blocked == []
    context.close()


def test_the_query_menu_follows_a_new_sentence(server, browser):
    """The 'Query token' menu showed the old sentence's token after a new sentence (same positions)."""
    context, page, blocked = open_bert(server, browser, 1280, 900, bertviz=False)  # on "How a score is made"
    menu = page.locator("[data-testid='stSelectbox']").filter(has_text="Query token")
    assert "1: the" in menu.inner_text() + menu.locator("input").first.input_value()
    bs.submit_text(page, "a robot walks into the old bar")
    bs.wait_drawn(page, "robot", bs.token_count("a robot walks into the old bar"), bertviz=False)
    playwright.expect(menu).to_have_count(1)  # the old sentence's menu is gone once the run has finished
    shown = menu.inner_text() + " " + menu.locator("input").first.input_value()
    assert "1: a" in shown and "the" not in shown
    assert blocked == []
    context.close()


# Labels a person cannot read whole at this width: a button's text cut ("Same sentence …"), or an empty
# picker's placeholder wider than its box ("A construction the models le").
CUT_LABELS_JS = r"""() => {
  const main = document.querySelector('[data-testid="stMain"]');
  const cut = [];
  for (const e of main.querySelectorAll('button, button *'))
    if (e.textContent.trim() && e.scrollWidth > e.clientWidth + 1) cut.push(e.textContent.trim());
  const ctx = document.createElement('canvas').getContext('2d');
  for (const input of main.querySelectorAll('input[placeholder]')) {
    if (input.value || !input.placeholder) continue;
    const style = getComputedStyle(input);
    ctx.font = style.font;
    const select = input.closest('[data-baseweb="select"]');  // its arrow takes the box's last 40 px
    const right = (select || input).getBoundingClientRect().right - (select ? 40 : parseFloat(style.paddingRight));
    const room = right - input.getBoundingClientRect().left - parseFloat(style.paddingLeft);
    if (ctx.measureText(input.placeholder).width > room) cut.push(input.placeholder);
  }
  return [...new Set(cut)];
}"""


def test_every_label_fits_at_a_laptops_width(server, browser):
    """At 1024 px every page's buttons and empty pickers show their whole label."""
    context = browser.new_context(viewport={"width": 1024, "height": 768})
    blocked = bs.cut_network(context)
    page = context.new_page()
    cut: dict[str, list[str]] = {}
    for path in bs.PAGES:
        page.goto(f"{server}/{path}")
        page.locator("h1").first.wait_for(timeout=90_000)
        bs.settled(page)
        if labels := page.evaluate(CUT_LABELS_JS):
            cut[path] = labels
    assert cut == {}
    assert blocked == []
    context.close()
