"""The BERT page in a real browser (Debian's Chromium, headless) with every non-loopback request cut.

Proves what AppTest cannot: bertviz's JavaScript draws and reacts with no CDN, script text typed by a
user never runs, a 512-token input draws, and a click on the all-heads grid opens that head.
"""

from __future__ import annotations

import pytest
from playwright import sync_api as playwright  # a missing Playwright fails the suite: never a silent skip

from tests import browser_support as bs

pytestmark = pytest.mark.browser

if bs.chromium_path() is None:  # not a skip: a missing browser must fail loudly, in CI above all
    raise RuntimeError("Chromium not found: install Debian's chromium (apt-get install chromium) to run these tests")


def open_page(server, browser, title: str):
    """A page opened as a newcomer does (home, then its entry in the sidebar), network cut, dialogs recorded.

    The page gets `blocked` (URLs that tried to leave loopback) and `dialogs` (alert/confirm texts).
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.blocked = bs.cut_network(context)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(server)
    page.locator("[data-testid='stSidebarNavLink']", has_text=title).click()
    return context, page


@pytest.fixture
def page(server, browser):
    """The BERT page with the example sentence drawn."""
    context, page = open_page(server, browser, "Pretrained Transformers")
    bs.show_section(page, "bertviz")  # built on request; the choice stays for the sentences typed next
    bs.wait_drawn(page, "cat", 14)
    yield page
    context.close()


def frames(page):
    """The bertviz frames as [head view, model view] (the head view is the one with a layer menu)."""
    subframes = [f for f in page.frames if f != page.main_frame and f.locator("#copy").count() == 0]  # not copy-link
    return sorted(subframes, key=lambda f: f.locator("select#layer").count() == 0)


def test_every_view_draws_with_no_network(page):
    head, model = frames(page)
    assert head.locator("line").count() == 12 * 14 * 14
    assert model.locator("line").count() == 6 * 12 * 14 * 14
    assert head.evaluate("d3.version") == "5.7.0"
    assert page.locator(".js-plotly-plot").count() == 2  # the head heatmap and the all-heads grid
    # every other section draws when chosen: its charts (and only the bertviz section has frames)
    for section, charts, painted in (
        ("How a score is made", 3, ".bars path"),
        ("What each head does", 3, ".hm image"),
        ("Rollout", 4, ".hm image"),
    ):
        bs.show_section(page, section)
        page.wait_for_function(
            """([charts, painted]) => !document.querySelector('[data-testid="stStatusWidget"]')
              && document.querySelectorAll('.js-plotly-plot').length === charts
              && document.querySelectorAll(`.js-plotly-plot ${painted}`).length > 0
              && !document.querySelector('[data-testid="stMain"] iframe')""",
            arg=[charts, painted],
            timeout=60_000,
            polling=100,
        )
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == []


def test_bertviz_views_react_to_hover_and_clicks(page):
    head, model = frames(page)
    # hover "cat" on the left: only its arcs (one per head per key) stay visible
    head.locator("#left text", has_text="cat").first.hover()
    assert head.locator("line[visibility='visible']").count() == 12 * 14
    # click the first head's square: its arcs go transparent, the others stay
    head.locator("svg > g > rect").first.click()
    opacities = head.evaluate(
        "[...document.querySelectorAll('.headAttention')].map(g => "
        "Math.max(...[...g.querySelectorAll('line')].map(l => +l.getAttribute('stroke-opacity'))))"
    )
    assert opacities[0] == 0 and all(o > 0 for o in opacities[1:])
    # model view: clicking a thumbnail opens its detail panel with the tokens
    model.locator("rect[style*='opacity: 0']").nth(13).click()
    assert model.locator("text.detail", has_text="Layer 1, Head 1").count() == 1
    assert page.blocked == []


def test_script_text_is_shown_as_tokens_and_never_runs(page):
    attack = "</script><img src=x onerror=alert(1)> <svg onload=alert(2)> javascript:alert(3) <b>cat</b>"
    bs.submit_text(page, attack)
    bs.wait_drawn(page, "script", bs.token_count(attack))
    page.wait_for_timeout(500)
    assert page.dialogs == []
    for doc in [page.main_frame, *frames(page)]:
        assert doc.locator("img[src='x'], svg[onload]").count() == 0
    head_tokens = frames(page)[0].locator("#left text").all_text_contents()
    assert {"<", "/", "script", ">", "alert", "(", "cat"} <= set(head_tokens)
    assert page.blocked == []


def test_emoji_right_to_left_and_control_characters_render(page):
    text = "cat 😀 👩‍👩‍👧 שלום عالم zero​width bell tab\there"
    bs.submit_text(page, text)
    bs.wait_drawn(page, "ש", bs.token_count(text))
    assert page.locator("[data-testid='stException']").count() == 0
    head_tokens = frames(page)[0].locator("#left text").all_text_contents()
    assert {"cat", "[UNK]", "ש", "ع", "zero", "bell"} <= set(head_tokens)
    assert page.dialogs == [] and page.blocked == []


def test_a_512_token_input_draws_every_view(page):
    text = " ".join(["the", "fish", "swam", "past", "a", "reef", "."] * 100)
    bs.submit_text(page, text)
    bs.wait_drawn(page, "fish", 512, timeout_ms=60_000)
    assert page.get_by_text("Showing the first 512 tokens").count() == 1
    head, model = frames(page)
    window = bs.expected_lines(512)
    assert [head.locator("line").count(), model.locator("line").count()] == window
    assert page.blocked == []


def test_clicking_a_tile_in_the_grid_opens_that_head(page):
    grid = page.locator(".js-plotly-plot").nth(1)
    # the invisible scatter point over layer 2, head 5 (points are laid out layer by layer); Plotly
    # takes clicks on its drag layer and finds the point under the mouse, so click where it is
    box = grid.locator(".scatterlayer .point").nth(2 * 12 + 5).bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_role("heading", name="Layer 2, head 5").wait_for(timeout=20_000)
    assert page.blocked == []


@pytest.fixture
def seq2seq_page(server, browser):
    context, page = open_page(server, browser, "Seq2seq + Bahdanau attention")
    page.wait_for_function(bs.SEQ2SEQ_DRAWN_JS, arg="pomme", timeout=60_000, polling=100)
    yield page
    context.close()


def test_seq2seq_page_draws_alignment_and_steps(seq2seq_page):
    page = seq2seq_page
    assert page.get_by_text("pomme verte").count() >= 1
    page.get_by_role("button", name="Random long", exact=True).click()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')][0]?.querySelectorAll('.ytick').length > 20",
        timeout=30_000,
    )
    assert page.get_by_text("Test sentence. Reference:").count() == 1
    assert page.blocked == [] and page.dialogs == []


def test_seq2seq_page_shows_script_text_as_words(seq2seq_page):
    page = seq2seq_page
    box = page.get_by_role("textbox", name="English sentence")
    box.fill("<img src=x onerror=alert(1)> the cat sleeps")
    box.press("Enter")
    page.get_by_text("Never seen in training").wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    assert page.locator("img[src='x']").count() == 0
    assert page.dialogs == [] and page.blocked == []


def test_transformer_page_draws_encoder_decoder_bertviz_offline(server, browser):
    ready = """() => !document.querySelector('[data-testid="stStatusWidget"]')
        && document.querySelectorAll('[data-testid="stMain"] iframe').length === 2
        && [...document.querySelectorAll('[data-testid="stMain"] iframe')].every(f => f.contentDocument
             && f.contentDocument.querySelectorAll('line').length > 0)"""
    idle = """() => !document.querySelector('[data-testid="stStatusWidget"]')"""
    context, page = open_page(server, browser, "Transformer attentions")
    page.get_by_text("bertviz encoder-decoder views").wait_for(timeout=60_000)
    page.get_by_text("Encoder-decoder cross-attention").click()  # the page's choice: bertviz must start on it
    # the radio's rerun must finish first: an expander clicked while it runs can be drawn closed again by it
    page.wait_for_timeout(500)
    page.wait_for_function(idle, timeout=60_000, polling=100)
    page.get_by_text("bertviz encoder-decoder views").click()  # drawn on request
    page.wait_for_function(ready, timeout=60_000, polling=100)
    head = frames(page)[0]
    assert head.locator("#filter option").all_text_contents() == ["Encoder", "Decoder", "Cross"]
    assert head.locator("#filter").input_value() == "2"  # the menu follows the page: cross-attention
    assert "apple" in head.locator("#right text").all_text_contents()  # French on the left, English on the right
    assert "pomme" in head.locator("#left text").all_text_contents()
    head.select_option("#filter", "0")  # the menu still switches
    page.wait_for_timeout(300)
    assert "pomme" not in head.locator("#left text").all_text_contents()
    page.get_by_text("Integrity: does the decoder read only the past?").click()  # checked on request
    metric = page.locator("[data-testid='stMetric']", has_text="Causal mask")
    metric.wait_for(timeout=30_000)
    assert "holds" in metric.inner_text()
    assert page.blocked == [] and page.dialogs == []
    context.close()


@pytest.mark.parametrize(
    "link, n_charts",
    [("Positional encoding", 4), ("Scaled dot-product playground", 6), ("RNN vs Transformer", 2)],
)
def test_teaching_pages_draw_offline(server, browser, link, n_charts):
    ready = f"""() => !document.querySelector('[data-testid="stStatusWidget"]')
        && document.querySelectorAll('.js-plotly-plot .hm image').length >= {n_charts}"""
    context, page = open_page(server, browser, link)
    page.wait_for_function(ready, timeout=60_000, polling=100)
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []
    context.close()


def test_the_export_buttons_download_the_weights(page):
    bs.show_section(page, "Export")
    with page.expect_download() as info:
        page.get_by_role("button", name="This head as CSV").click()
    lines = open(info.value.path(), encoding="utf-8").read().splitlines()  # noqa: SIM115
    assert lines[0] == "layer,head,query_index,query_token,key_index,key_token,weight"
    assert len(lines) == 1 + 14 * 14 and info.value.suggested_filename == "attention_L0_H0.csv"
    rows = [line.split(",") for line in lines[1:]]
    for q in range(14):  # each query's weights sum to 1
        assert abs(sum(float(r[6]) for r in rows if r[2] == str(q)) - 1) < 1e-4
    with page.expect_download() as info:
        page.get_by_role("button", name="All heads as JSON").click()
    import json

    data = json.loads(open(info.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert data["shape"] == {"layer": 6, "head": 12, "query": 14, "key": 14}
    assert page.blocked == []


# Records every "Page not found" text that appears while the page loads, even one that is closed again.
WATCH_NOT_FOUND = """
window.__notFound = [];
new MutationObserver(() => {
  const text = document.body ? document.body.innerText : '';
  if (/page not found/i.test(text)) window.__notFound.push(text.slice(0, 200));
}).observe(document, {subtree: true, childList: true, characterData: true});
"""


@pytest.mark.parametrize(
    "path, title, command",
    [
        ("bert", "Pretrained Transformers", bs.APP_COMMAND),  # `attention-explorer run`: models load as it starts
        ("seq2seq", "RNN encoder-decoder", None),  # `streamlit run app.py`
    ],
)
def test_a_deep_link_is_the_first_request_to_a_fresh_server(browser, path, title, command):
    with bs.streamlit_server(command=command) as url:
        context = browser.new_context(viewport={"width": 1280, "height": 720})
        blocked = bs.cut_network(context)
        context.add_init_script(WATCH_NOT_FOUND)
        page = context.new_page()
        page.goto(f"{url}/{path}")
        try:
            page.get_by_role("heading", name=title).first.wait_for(timeout=90_000)
        except playwright.TimeoutError:
            raise AssertionError(
                f"no {title!r} heading; the page:\n{page.inner_text('body')[:2000]}\nthe server's log:\n{url.log()}"
            ) from None
        page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=90_000)
        page.wait_for_timeout(1000)
        assert page.evaluate("window.__notFound") == []
        assert page.url.rstrip("/").endswith(f"/{path}")
        assert page.locator("[data-testid='stSidebarNav']").get_by_text("Pretrained Transformers").count() == 1
        assert blocked == []
        context.close()


def test_the_transformer_grid_opens_the_clicked_head(server, browser):
    context, page = open_page(server, browser, "Transformer attentions")
    page.get_by_text("All layers and heads").wait_for(timeout=60_000)
    grid = page.locator(".js-plotly-plot").nth(1)
    grid.locator(".scatterlayer .point").first.wait_for(timeout=60_000)
    box = grid.locator(".scatterlayer .point").nth(1 * 4 + 2).bounding_box()  # layer 1, head 2 (4 heads a layer)
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    # the link gets each changed control in its own message: wait for both, or fail on the wrong head
    page.wait_for_function(
        "() => { const q = new URL(location.href).searchParams; return q.get('layer') + q.get('head') === '12' }",
        timeout=20_000,
    )
    assert page.blocked == [] and page.dialogs == []
    context.close()


def test_every_route_step_opens_its_page_on_the_prepared_example(server, browser):
    from attention_explorer.pages.shared.route import ROUTE

    context, page = open_page(server, browser, "Home")
    for number, step in enumerate(ROUTE, start=1):
        page.goto(server)
        page.get_by_role("link", name=f"Open step {number}", exact=True).click()  # not "Open step 10"
        page.wait_for_function(
            "() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && document.querySelector('h1')",
            timeout=60_000,
        )
        page.wait_for_timeout(500)
        for name in step.query:  # every choice of the example is in the link (the sentence may be the default)
            assert f"{name}=" in page.url or name == "text", (step.title, page.url)
        if "text" in step.query:
            # the heading is drawn before the sentence box; wait for the box to hold the example
            playwright.expect(page.get_by_role("textbox").first).to_have_value(step.query["text"], timeout=60_000)
        assert page.locator("[data-testid='stException']").count() == 0, step.title
    assert page.blocked == [] and page.dialogs == []
    context.close()


def test_projector_mode_enlarges_type_and_is_kept_in_the_link(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    blocked = bs.cut_network(context)
    page = context.new_page()
    page.goto(f"{server}/seq2seq?projector=1")
    page.get_by_role("heading", name="RNN encoder-decoder").first.wait_for(timeout=60_000)
    page.wait_for_function("() => document.querySelectorAll('.js-plotly-plot .ytick text').length > 0", timeout=60_000)
    size = page.evaluate("parseFloat(getComputedStyle(document.querySelector('.stApp p')).fontSize)")
    tick = page.evaluate("parseFloat(document.querySelector('.js-plotly-plot .ytick text').style.fontSize)")
    assert size >= 18 and tick >= 18, (size, tick)
    page.locator("[data-testid='stSidebarNavLink']", has_text="Positional encoding").click()
    page.wait_for_function("() => location.pathname.endsWith('/positions')", timeout=30_000)
    page.wait_for_function("() => location.search.includes('projector=1')", timeout=30_000)
    assert blocked == []
    context.close()


# ---- every kind of Transformer, the GPT page and the fine-tuned BERT --------------------------------------------

IDLE = "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"


def idle_and(condition: str) -> str:
    """A page-ready test: the script run is over and `condition` (a JS expression) holds."""
    return f"() => !document.querySelector('[data-testid=\"stStatusWidget\"]') && ({condition})"


FRAMES_DRAWN = """(n) => !document.querySelector('[data-testid="stStatusWidget"]')
    && document.querySelectorAll('[data-testid="stMain"] iframe').length === n
    && [...document.querySelectorAll('[data-testid="stMain"] iframe')].every(f => f.contentDocument
         && f.contentDocument.querySelectorAll('line').length > 0)"""


def open_path(server, browser, path: str):
    """A page opened by its URL, network cut, dialogs recorded (as `open_page`)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.blocked = bs.cut_network(context)
    page.dialogs = []
    page.on("dialog", lambda d: (page.dialogs.append(d.message), d.dismiss()))
    page.goto(f"{server}/{path}")
    return context, page


def test_the_gpt_page_draws_offline(server, browser):
    context, page = open_path(server, browser, "gpt")
    ready = idle_and(
        "document.querySelectorAll('.js-plotly-plot .bars path').length > 0"
        " && document.querySelectorAll('.js-plotly-plot .hm image').length >= 3"
    )
    page.wait_for_function(ready, timeout=120_000, polling=100)
    assert page.get_by_text("the old king will →").count() == 1
    box = page.get_by_role("textbox", name="Prompt")
    box.fill("<img src=x onerror=alert(1)> the cat")
    box.press("Enter")
    page.get_by_text("Never seen in training").wait_for(timeout=60_000)
    page.wait_for_function(IDLE, timeout=60_000)
    assert page.locator("img[src='x']").count() == 0 and page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []
    context.close()


def choose_model(page, option: str, folder=None) -> None:
    page.locator("[data-testid='stSidebar']").get_by_text(option).click()
    if folder is not None:
        box = page.get_by_role("textbox", name="Model directory")
        box.fill(str(folder))
        box.press("Enter")


def test_the_pretrained_page_draws_a_decoder_and_its_bertviz_views(server, browser):
    context, page = open_path(server, browser, "bert?show=bertviz")
    page.wait_for_function(FRAMES_DRAWN, arg=2, timeout=120_000, polling=100)
    choose_model(page, "Trained here: GPT")
    page.get_by_role("heading", name="Step by step").wait_for(timeout=60_000)
    page.wait_for_function(FRAMES_DRAWN, arg=2, timeout=120_000, polling=100)
    head = frames(page)[0]
    assert head.locator("line").count() > 0 and head.evaluate("d3.version") == "5.7.0"
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []
    context.close()


@pytest.fixture(scope="module")
def tiny_bart(tmp_path_factory):
    from tests.tiny_models import build

    return build("bart", tmp_path_factory.mktemp("browser") / "bart")


@pytest.fixture(scope="module")
def bart_server(tiny_bart):
    """A server whose owner allows the tiny BART's folder (local paths are refused by default)."""
    with bs.streamlit_server(env={"ATTENTION_EXPLORER_MODEL_ROOTS": str(tiny_bart.parent)}) as url:
        yield url


def test_the_pretrained_page_draws_an_encoder_decoder_in_bertviz_encoder_decoder_mode(bart_server, browser, tiny_bart):
    context, page = open_path(bart_server, browser, "bert?show=bertviz")
    page.wait_for_function(FRAMES_DRAWN, arg=2, timeout=120_000, polling=100)
    choose_model(page, "Local directory", tiny_bart)
    page.get_by_role("heading", name="Generated").wait_for(timeout=60_000)
    page.wait_for_function(FRAMES_DRAWN, arg=2, timeout=120_000, polling=100)
    head = frames(page)[0]
    assert head.locator("#filter option").all_text_contents() == ["Encoder", "Decoder", "Cross"]
    head.select_option("#filter", "2")  # cross-attention: output tokens on the left, input on the right
    page.wait_for_timeout(300)
    assert "cat" in head.locator("#right text").all_text_contents()
    assert page.blocked == [] and page.dialogs == []
    context.close()


def test_the_finetune_page_draws_offline(server, browser):
    context, page = open_path(server, browser, "finetune")
    ready = idle_and("document.querySelectorAll('.js-plotly-plot .hm image').length >= 4")
    page.wait_for_function(ready, timeout=120_000, polling=100)
    assert page.locator("[data-testid='stMetric']", has_text="The fine-tuned model says").count() == 1
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.blocked == [] and page.dialogs == []
    context.close()
