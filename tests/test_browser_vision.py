"""The attention-pooling and Vision Transformer pages in a real browser (Debian's Chromium, headless), network cut.

Proves what AppTest cannot: every figure draws with no network, the query box and slider move together,
training runs from its button, a click on a patch of the digit chooses that patch, a misclassified digit
opens with one click, and a digit painted cell by cell into the grid is classified.
"""

from __future__ import annotations

import pytest

from tests import browser_support as bs

pytestmark = pytest.mark.browser

if bs.chromium_path() is None:  # not a skip: a missing browser must fail loudly, in CI above all
    raise RuntimeError("Chromium not found: install Debian's chromium (apt-get install chromium) to run these tests")

IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
# the text of every drawn Plotly title, in page order (Plotly draws titles as SVG text)
TITLES_JS = "() => [...document.querySelectorAll('.js-plotly-plot')].map(d => d.layout?.title?.text || '')"


def open_page(server, browser, name: str, n_charts: int):
    """A page opened from the home page through the sidebar, network cut, dialogs recorded, charts drawn."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.blocked = bs.cut_network(context)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.locator("[data-testid='stSidebarNav']").get_by_text(name, exact=True).click()
    wait_charts(page, n_charts)
    return context, page


def wait_charts(page, n: int, timeout_ms: float = 90_000) -> None:
    """Until the script run is over and at least n Plotly charts have drawn their traces."""
    page.wait_for_function(
        f"""() => !document.querySelector('[data-testid="stStatusWidget"]')
            && [...document.querySelectorAll('.js-plotly-plot')]
                 .filter(d => d._fullLayout && d.querySelector('.main-svg')).length >= {n}""",
        timeout=timeout_ms,
        polling=100,
    )


def wait_title(page, text: str, timeout_ms: float = 60_000) -> None:
    page.wait_for_function(f"() => ({TITLES_JS})().some(t => t.includes({text!r}))", timeout=timeout_ms, polling=100)


def metric(page, label: str) -> str:
    return (
        page.locator("[data-testid='stMetric']", has_text=label).locator("[data-testid='stMetricValue']").inner_text()
    )


@pytest.fixture
def pooling_page(server, browser):
    context, page = open_page(server, browser, "Attention pooling", 5)
    yield page
    context.close()


@pytest.fixture
def vit_page(server, browser):
    context, page = open_page(server, browser, "Vision Transformer", 10)
    yield page
    context.close()


def test_pooling_page_draws_and_follows_a_typed_query_offline(pooling_page):
    page = pooling_page
    assert page.locator(".js-plotly-plot .hm image").count() >= 1  # the weight matrix is painted
    box = page.get_by_label("or type it")
    box.fill("1.25")
    box.press("Enter")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"stMetricValue\"]')].some(m => m.innerText === '1.250')",
        timeout=30_000,
    )
    wait_title(page, "query x = 1.250")
    assert page.get_by_role("slider", name="Drag the query x").get_attribute("aria-valuetext") == "1.25"
    # the width slider by keyboard, as a person without a mouse would: one step right of σ = 1 is 1.5
    page.get_by_role("slider", name="Kernel width σ").press("ArrowRight")
    wait_title(page, "σ = 1.5")
    page.get_by_role("button", name="Train w by gradient descent").click()
    wait_title(page, "Prediction with the learned w")
    assert float(metric(page, "Loss after")) < float(metric(page, "Loss before"))
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []


def test_vit_page_draws_every_view_offline(vit_page):
    page = vit_page
    titles = page.evaluate(TITLES_JS)
    assert any("Predicted" in t for t in titles) and any("[CLS] attention over the patches" in t for t in titles)
    assert page.locator(".js-plotly-plot .hm image").count() >= 10  # digit, overlays, heatmaps are painted
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []


def test_clicking_a_patch_chooses_it(vit_page):
    page = vit_page
    picker = page.locator(".js-plotly-plot", has_text="Click a patch")
    # the invisible scatter point over patch p(0,3) (points run row by row); Plotly takes clicks on its drag
    # layer and finds the point under the mouse, so click where it is
    picker.scroll_into_view_if_needed()
    box = picker.locator(".scatterlayer .point").nth(3).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    wait_title(page, "Where p(0,3) looks in layer 0")
    assert page.blocked == [] and page.dialogs == []


def test_a_misclassified_digit_is_one_click_away(vit_page):
    page = vit_page
    pills = page.locator("[data-testid='stButtonGroup'] button")
    first = pills.first.inner_text()  # "#11: 2 → 8"
    pills.first.click()
    index = first.split(":")[0].lstrip("#")
    wait_title(page, f"Test digit #{index}")
    wait_title(page, "✗")
    assert page.blocked == [] and page.dialogs == []


# the drawing as the digit figure shows it (Plotly holds it decoded in _fullData), or null before it is drawn
DRAWN_JS = """() => {
  const d = [...document.querySelectorAll('.js-plotly-plot')]
    .find(d => (d.layout?.title?.text || '').includes('Your drawing'));
  return d && d._fullData ? d._fullData[0].z.map(row => Array.from(row)) : null;
}"""


def paint(page, editor, row: int, col: int, value: int) -> None:
    """Type a value into one cell of the data editor as a person does: click the cell, Enter, type, Enter."""
    box = editor.bounding_box()
    row_px, index_px = 35, 51  # glide-data-grid's row (and header) height, and the width of the index column
    x = box["x"] + index_px + (col + 0.5) * (box["width"] - index_px) / 8  # eight equal columns
    y = box["y"] + row_px + (row + 0.5) * row_px
    page.mouse.click(x, y)
    page.wait_for_timeout(150)
    page.keyboard.press("Enter")  # Enter on the selected cell opens its editor
    cell_editor = page.locator("input.gdg-input")
    cell_editor.wait_for(timeout=10_000)
    cell_editor.fill(str(value))
    page.keyboard.press("Enter")
    cell_editor.wait_for(state="detached", timeout=10_000)


def test_a_digit_painted_in_the_grid_is_classified(vit_page):
    page = vit_page
    page.get_by_text("Draw one").click()
    editor = page.locator("[data-testid='stDataFrame']")
    one_grid = f"() => ({IDLE})() && document.querySelectorAll('[data-testid=\"stDataFrame\"]').length === 1"
    page.wait_for_function(one_grid, timeout=30_000)
    page.get_by_role("button", name="Clear").click()
    page.get_by_text("The drawing is empty").wait_for(timeout=30_000)
    page.wait_for_function(one_grid, timeout=30_000)  # the old grid (another key) is gone once the run is over
    for row in range(6, 0, -1):  # a vertical stroke, a "1", bottom up (Enter moves the selection down)
        paint(page, editor, row, 4, 16)
    assert page.get_by_text("The drawing is empty").count() == 1  # nothing is read before the button
    page.wait_for_timeout(500)  # a person's pause; the grid hands its last edit to the form a moment after Enter
    page.get_by_role("button", name="Classify this drawing").click()
    wait_title(page, "Your drawing")
    wait_charts(page, 10)
    image = page.evaluate(
        "() => [...document.querySelectorAll('.js-plotly-plot')]"
        ".find(d => (d.layout?.title?.text || '').includes('Your drawing'))._fullData[0].z.map(row => Array.from(row))"
    )
    painted = {(r, c) for r in range(8) for c in range(8) if image[r][c]}
    assert painted == {(r, 4) for r in range(1, 7)}
    assert all(image[r][4] == 16 for r in range(1, 7))
    assert any("Predicted" in t for t in page.evaluate(TITLES_JS))
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []
