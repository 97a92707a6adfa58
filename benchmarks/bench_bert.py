"""Speed and size of the BERT page at 16, 128 and 512 tokens. Prints figures; asserts nothing.

    .venv/bin/python -m benchmarks.bench_bert            # everything, browser included
    .venv/bin/python -m benchmarks.bench_bert --no-browser

Columns:
  forward      bare forward pass of the eager model (no weights returned), median of repeats
  capture+fig  capture (forward returning weights, validation) + every figure and bertviz document
  ratio        capture+fig / forward
  bytes        what each view sends to the browser (Plotly JSON; bertviz document minus the served
               d3/jQuery files), and bytes per attention weight that view shows
  browser      in headless Chromium, network cut: the first page of a server started with `attention-explorer run`
               (timed from the moment it answers its health check, the browser starting alongside, and from
               the moment the command was launched: it imports its code before it listens); from pressing
               Enter to every view drawn (the page as it opens: head heatmap, all heads, how a score is made;
               then again with the bertviz section chosen); from pressing another layer, head or query token in
               its open menu to every view it changes drawn (the head heatmap and how a score is made), timed in
               the page's own clock (median of 5; each next to the classroom target it should meet)
"""

from __future__ import annotations

import argparse
import statistics
import time

import plotly.io as pio
import torch

from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained import scores as pretrained_scores
from attention_explorer.models.pretrained.loading import PretrainedBundle, default_model_dir, load_pretrained
from attention_explorer.viz import bertviz_views, heatmap

ASSET_URL = "/app/static/vendor"
WORDS = {16: "dog", 128: "bird", 512: "fish"}


def sentence(n_tokens: int, marker: str) -> str:
    """Text the bundled tokenizer turns into exactly n_tokens tokens (every word is one token)."""
    words = ["the", marker, "sat", "on", "a", "mat", "."]
    return " ".join((words * n_tokens)[: n_tokens - 2])


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def build_everything(bundle: PretrainedBundle, text: str) -> dict[str, str]:
    """What one page run computes for a new sentence, serialised as it is sent."""
    run = pretrained.run(bundle, text)
    cap = run.capture
    scores = pretrained_scores.score_breakdown(bundle, run, 0, 0, 1)
    out = {
        "head heatmap": pio.to_json(heatmap.head_heatmap(cap, 0, 0), validate=False),
        "all-heads grid": pio.to_json(heatmap.heads_grid(cap), validate=False),
        "score bars": pio.to_json(heatmap.score_figure(scores), validate=False),
    }
    for view in ("head", "model"):
        window = bertviz_views.max_window(view, cap.num_layers, cap.num_heads, len(cap.query_tokens))
        out[f"bertviz {view}"] = bertviz_views.bertviz_html(cap, view, 0, window, asset_url=ASSET_URL)
    return out


def weights_shown(view: str, n: int, layers: int = 6, heads: int = 12) -> int:
    if view == "head heatmap":
        return n * n
    if view == "all-heads grid":
        return layers * heads * n * n
    if view == "score bars":
        return n
    kind = view.split()[1]
    w = bertviz_views.max_window(kind, layers, heads, n)
    return layers * heads * w * w  # both bertviz views carry every layer of their window


HEAD_SHOWN = """(head) => !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('.js-plotly-plot .gtitle')].some((t) => t.textContent.includes(`head ${head} ·`))
  && [...document.querySelectorAll('.js-plotly-plot .gtitle')].some((t) => t.textContent.endsWith(`· head ${head}`))"""
LAYER_SHOWN = """(layer) => !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('.js-plotly-plot .gtitle')]
       .filter((t) => t.textContent.includes(`layer ${layer} · head`)).length >= 2"""
SCORE_SHOWN = """(position) => !document.querySelector('[data-testid="stStatusWidget"]')
  && [...document.querySelectorAll('.js-plotly-plot .gtitle')]
       .some((t) => t.textContent.includes(`(position ${position})`))"""
# Stamps, in the page's own clock, the first pointerdown (a person's press on the menu item) and the first animation
# frame at which `ready(arg)` holds: the time a person sees, without Playwright's own round trips (its click waits
# for the item to be visible, stable and hit, and its polling adds up to a poll interval; together 50-150 ms here).
WATCH_JS = """([ready, arg]) => {
  const shown = eval(ready);
  window.__pressedAt = null; window.__drawnAt = null;
  document.addEventListener('pointerdown', () => { window.__pressedAt = performance.now(); },
                            {capture: true, once: true});
  const tick = () => { if (window.__pressedAt !== null && shown(arg)) window.__drawnAt = performance.now();
                       else requestAnimationFrame(tick); };
  requestAnimationFrame(tick);
}"""


def open_menu(page, label: str) -> None:
    """Open the Streamlit selectbox labelled `label` (not timed: a person's click opens it at once)."""
    box = page.locator("[data-testid='stSelectbox']", has_text=label).first
    box.scroll_into_view_if_needed()  # a menu clicked at the window's edge does not open
    box.locator("input").click()


def browser_times(sizes: list[int]) -> dict[str, float]:
    """Seconds, in headless Chromium with the network cut, from the action to everything it changes drawn."""
    from playwright.sync_api import sync_playwright

    from tests import browser_support as bs

    out: dict[str, float] = {}
    with bs.streamlit_server(command=bs.APP_COMMAND) as url, sync_playwright() as p:  # the README's run command
        browser = bs.launch(p)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        blocked = bs.cut_network(context)
        page = context.new_page()
        t0 = time.perf_counter()
        page.goto(f"{url}/bert")  # the first page a fresh server serves, the model loaded on the way
        bs.wait_drawn(page, "cat", 14, bertviz=False)
        out["first page after server start"] = time.perf_counter() - t0
        out["… counted from launching the command"] = time.perf_counter() - url.launched

        def enter(n: int, bertviz: bool) -> float:
            runs = []
            for marker in (WORDS[n], "cow", WORDS[n]):  # alternate so every press is a new sentence
                t0 = time.perf_counter()
                bs.submit_text(page, sentence(n, marker))
                bs.wait_drawn(page, marker, n, bertviz=bertviz)
                runs.append(time.perf_counter() - t0)
            return statistics.median(runs)

        for n in sizes:  # the page as it opens: head heatmap, all heads, how a score is made
            out[f"Enter → every view drawn, {n} tokens"] = enter(n, bertviz=False)
        bs.submit_text(page, sentence(128, "bird"))
        bs.wait_drawn(page, "bird", 128, bertviz=False)
        for what, label, options, ready in (
            ("layer", "Layer", ("3", "1", "4", "2", "5"), LAYER_SHOWN),
            ("head", "Head", ("3", "7", "4", "9", "2"), HEAD_SHOWN),
            ("query token", "Query token", ("3: sat", "4: on", "5: a", "2: bird", "6: mat"), SCORE_SHOWN),
        ):
            runs = []
            for option in options:
                open_menu(page, label)
                item = page.get_by_role("option", name=option, exact=True)
                item.wait_for()
                page.evaluate(WATCH_JS, [ready, option.split(":")[0]])
                item.click()
                page.wait_for_function("() => window.__drawnAt !== null", timeout=120_000, polling=20)
                runs.append(page.evaluate("() => window.__drawnAt - window.__pressedAt") / 1000)
            out[f"change the {what}, 128 tokens"] = statistics.median(runs)
        bs.show_section(page, "bertviz")
        bs.wait_drawn(page, "bird", 128)
        for n in sizes:  # with the bertviz views chosen: two frames drawing one SVG line per weight
            out[f"Enter → drawn with bertviz, {n} tokens"] = enter(n, bertviz=True)
        if blocked:
            raise RuntimeError(f"the page asked the network for {blocked}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true", help="skip the headless-Chromium timing")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()

    torch.set_num_threads(2)
    bundle = load_pretrained(default_model_dir())
    sizes = [16, 128, 512]
    print(f"model {bundle.name}, torch {torch.__version__}, {torch.get_num_threads()} threads\n")
    print(f"{'tokens':>6} {'forward':>9} {'capture+fig':>12} {'ratio':>6}")
    for n in sizes:
        text = sentence(n, WORDS[n])
        enc = bundle.tokenizer(text, return_tensors="pt")
        assert enc["input_ids"].shape[1] == n, enc["input_ids"].shape

        def forward(enc=enc):
            with torch.inference_mode():
                bundle.model(**enc)

        t_fwd = median_time(forward, args.repeats)
        t_all = median_time(lambda text=text: build_everything(bundle, text), args.repeats)
        print(f"{n:>6} {t_fwd * 1000:>7.1f}ms {t_all * 1000:>10.1f}ms {t_all / t_fwd:>6.2f}")

    print(f"\n{'tokens':>6} {'view':<16} {'bytes':>11} {'weights':>11} {'bytes/weight':>13}")
    for n in sizes:
        for view, payload in build_everything(bundle, sentence(n, WORDS[n])).items():
            size = len(payload.encode())
            shown = weights_shown(view, n)
            print(f"{n:>6} {view:<16} {size:>11,} {shown:>11,} {size / shown:>13.2f}")

    if not args.no_browser:
        targets = {
            "first page after server start": 5.0,
            "Enter → every view drawn, 128 tokens": 1.0,
            "Enter → every view drawn, 512 tokens": 2.5,
            "change the layer, 128 tokens": 0.3,
            "change the head, 128 tokens": 0.3,
            "change the query token, 128 tokens": 0.3,
        }
        print(f"\n{'in the browser (medians)':<40} {'seconds':>8} {'target':>7}")
        for what, t in browser_times(sizes).items():
            goal = targets.get(what)
            print(f"{what:<40} {t:>8.2f} {'' if goal is None else f'≤ {goal:g}':>7}")


if __name__ == "__main__":
    main()
