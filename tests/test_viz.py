"""Figures and bertviz documents, checked on their data without Streamlit or a browser.

Expected values are written out by hand on small matrices, not recomputed with the code under test.
"""

import json
import math
import re

import numpy as np
import plotly.io as pio
import pytest

from attention_explorer.models.core.analysis import head_entropy
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind, ScoreBreakdown
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.viz import bertviz_views, heatmap, matrices
from attention_explorer.viz import seq2seq as viz_seq2seq

INVISIBLE = re.compile("[\u200b\u2060]")


def one_hot_capture(n_layers: int, n_heads: int, tokens: list[str]) -> AttentionCapture:
    """Head (l, h) sends every query's whole weight to key (l + h) % n: a pattern to find in any figure."""
    n = len(tokens)
    w = np.zeros((n_layers, n_heads, n, n), dtype=np.float32)
    for layer in range(n_layers):
        for head in range(n_heads):
            w[layer, head, :, (layer + head) % n] = 1.0
    return AttentionCapture(tokens, tokens, w, AttentionKind.SELF, "one-hot")


@pytest.fixture(scope="module")
def cat(bundled) -> AttentionCapture:
    return pretrained.capture(bundled, "the cat sat on the mat")


def test_head_heatmap_shows_whole_percents_and_keeps_repeated_tokens_as_rows():
    w = np.array([[[[0.123, 0.877, 0.0], [0.5, 0.25, 0.25], [0.0, 0.004, 0.996]]]], dtype=np.float32)
    cap = AttentionCapture(["the", "cat", "the"], ["the", "cat", "the"], w, "self", "t")
    trace = heatmap.head_heatmap(cap, 0, 0).data[0]
    np.testing.assert_array_equal(trace.z, [[12, 88, 0], [50, 25, 25], [0, 0, 100]])
    assert trace.z.dtype == np.uint8 and (trace.zmin, trace.zmax) == (0, 100)
    assert len(set(trace.y)) == 3 and [INVISIBLE.sub("", y) for y in trace.y] == ["the", "cat", "the"]


def test_head_heatmap_of_a_real_capture_puts_the_first_token_on_top(cat):
    fig = heatmap.head_heatmap(cat, 2, 5)
    assert fig.layout.yaxis.autorange == "reversed"
    assert INVISIBLE.sub("", fig.data[0].y[0]) == "[CLS]" and len(fig.data[0].y) == 8


def test_labels_escape_markup_and_stay_short_for_many_repeats():
    labels = heatmap.axis_labels(["<b>", "a&b"] + ["the"] * 600, numbered=False)
    assert labels[:2] == ["&lt;b&gt;", "a&amp;b"]
    assert len(set(labels)) == len(labels)
    assert max(len(label) for label in labels) <= len("the") + 10  # log2(600) suffix characters, not 600


def test_heads_grid_tiles_every_head_where_a_click_maps_back():
    cap = one_hot_capture(3, 4, ["a", "b", "c", "d", "e"])
    grid, points = heatmap.heads_grid(cap, cells=32).data
    n = 5
    assert grid.z.shape == (3 * (n + 1) - 1, 4 * (n + 1) - 1)
    # layer 2, head 3 sends everything to key (2 + 3) % 5 = 0: column 0 of its tile is 100, the rest 0
    tile = grid.z[2 * (n + 1) : 2 * (n + 1) + n, 3 * (n + 1) : 3 * (n + 1) + n]
    assert (tile[:, 0] == 100).all() and (tile[:, 1:] == 0).all()
    assert (grid.z[n, :] == 101).all()  # the gap row between layers is background
    assert heatmap.grid_head(2 * 4 + 3, 4) == (2, 3)
    assert [tuple(c) for c in points.customdata][2 * 4 + 3] == (2, 3)
    assert points.marker.opacity == 0


def test_pooling_by_hand():
    identity = np.eye(4, dtype=np.float32)[None, None]
    np.testing.assert_allclose(heatmap.pool_rows(identity, 2)[0, 0], [[1.0, 0.0], [0.0, 1.0]])
    uniform = np.full((1, 1, 4, 4), 0.25, dtype=np.float32)
    np.testing.assert_allclose(heatmap.pool_rows(uniform, 2)[0, 0], [[0.5, 0.5], [0.5, 0.5]])


def test_pooling_keeps_rows_stochastic_and_bounds_the_grid(bundled):
    long = pretrained.capture(bundled, "word " * 600)
    pooled = heatmap.pool_rows(long.weights, 32)
    assert pooled.shape == (6, 12, 32, 32)
    np.testing.assert_allclose(pooled.sum(-1), 1.0, atol=1e-4)
    assert heatmap.heads_grid(long, cells=32).data[0].z.size < 6 * 12 * 33 * 33


def test_score_figure_plots_the_three_steps():
    b = ScoreBreakdown(1, 2, 0, ("a", "b"), 4, np.array([2.0, 0.0]), np.array([1.0, 0.0]), np.array([0.731, 0.269]))
    fig = heatmap.score_figure(b)
    assert [t.name for t in fig.data] == ["q·k", "q·k / √4", "softmax weight"]
    assert list(fig.data[0].y) == [2.0, 0.0] and list(fig.data[2].y) == [0.731, 0.269]
    assert "layer 1 · head 2" in fig.layout.title.text


def test_figures_built_without_plotly_checks_are_what_the_checks_accept(cat):
    """head_heatmap, heads_grid and score_figure skip Plotly's validation for speed: rebuilding each with it
    must neither raise (a misspelt or misplaced property would) nor change the JSON sent."""
    import plotly.graph_objects as go

    n = len(cat.key_tokens)
    b = ScoreBreakdown(0, 1, 2, tuple(cat.key_tokens), 64, np.arange(n * 1.0), np.arange(n) / 8, np.full(n, 1 / n))
    for fig in (heatmap.head_heatmap(cat, 0, 0), heatmap.heads_grid(cat), heatmap.score_figure(b)):
        checked = go.Figure(fig.to_dict())  # validated: raises on anything Plotly does not know, names written out
        sent = json.loads(pio.to_json(fig.to_dict(), validate=False))
        assert sent == json.loads(pio.to_json(checked.to_dict(), validate=False))
    # the scale sent runs from white to dark blue (plotly.js's own "Blues" runs the other way)
    scale = json.loads(pio.to_json(heatmap.head_heatmap(cat, 0, 0).to_dict(), validate=False))["data"][0]["colorscale"]
    assert scale[0] == [0.0, "rgb(247,251,255)"] and scale[-1] == [1.0, "rgb(8,48,107)"]


def test_head_entropy_by_hand():
    uniform = np.full((1, 1, 3, 4), 0.25)
    one_hot = np.zeros((1, 1, 3, 4))
    one_hot[..., 0] = 1.0
    assert head_entropy(uniform)[0, 0] == pytest.approx(math.log(4))
    assert head_entropy(one_hot)[0, 0] == pytest.approx(0.0, abs=1e-9)
    fig = heatmap.entropy_heatmap(np.array([[0.0, math.log(4)]]))
    assert list(fig.data[0].z[0]) == [0.0, 1.39] and list(fig.data[0].x) == ["h0", "h1"]


def test_bytes_per_weight_sent_for_a_heatmap_is_at_most_two(bundled):
    long = pretrained.capture(bundled, "word " * 600)
    spec = pio.to_json(heatmap.head_heatmap(long, 0, 0), validate=False)
    assert len(spec.encode()) / 512**2 <= 2.0


def test_alignment_heatmap_outlines_gold_pairs_on_their_cells():
    w = np.array([[[[0.9, 0.1, 0.0], [0.2, 0.7, 0.1]]]], dtype=np.float32)
    cap = AttentionCapture(["pomme", "verte"], ["green", "apple", "</s>"], w, AttentionKind.ALIGNMENT, "t")
    fig = viz_seq2seq.alignment_heatmap(cap, [(1, 0), (0, 1)])
    heat, gold = fig.data
    np.testing.assert_array_equal(heat.z, [[90, 10, 0], [20, 70, 10]])
    assert list(zip(gold.x, gold.y, strict=True)) == [("apple", "pomme"), ("green", "verte")]
    assert len(viz_seq2seq.alignment_heatmap(cap).data) == 1  # no gold: no outline trace


def test_step_figure_draws_scores_and_weights_for_one_step():
    fig = viz_seq2seq.step_figure(("a", "b"), np.array([1.0, -1.0]), np.array([0.88, 0.12]), "<b>x</b>", 3)
    assert [t.name for t in fig.data] == ["e(t, i)", "α(t, i)"]
    assert list(fig.data[1].y) == [0.88, 0.12]
    assert "step 3" in fig.layout.title.text and "&lt;b&gt;" in fig.layout.title.text  # markup stays text


def test_quality_by_length_has_one_line_per_model():
    metrics = {
        "A": {
            "test": {
                "by_length": {
                    "1-10": {"exact_match": 0.9, "sentences": 5},
                    "11-20": {"exact_match": 0.5, "sentences": 4},
                }
            }
        },
        "B": {"test": {"by_length": {"1-10": {"exact_match": 0.4, "sentences": 5}}}},
    }
    fig = viz_seq2seq.quality_by_length(metrics, "exact_match")
    assert [t.name for t in fig.data] == ["A", "B"]
    assert list(fig.data[0].y) == [0.9, 0.5] and list(fig.data[0].x) == ["1-10", "11-20"]


def test_value_heatmap_prints_masked_cells_as_minus_infinity_and_centres_on_zero():
    m = np.array([[1.5, -np.inf], [-2.0, 0.25]])
    heat = matrices.value_heatmap(m, title="t", x_title="key", y_title="query", row_labels=["a", "b"]).data[0]
    assert heat.text.tolist() == [["1.50", "−∞"], ["-2.00", "0.25"]]
    assert np.isnan(heat.z[0][1]) and heat.zmid == 0
    big = matrices.value_heatmap(np.zeros((20, 20)), title="t", x_title="x", y_title="y")
    assert big.data[0].text is None  # 400 cells: numbers would not fit
    weights = matrices.value_heatmap(np.eye(2), title="t", x_title="x", y_title="y", diverging=False).data[0]
    assert weights.zmin == 0 and weights.zmid is None


def test_bertviz_document_carries_the_weights_as_bytes(cat):
    html = bertviz_views.bertviz_html(cat, "head")
    params = json.loads(re.search(r"window.AE_PARAMS = (\{.*?\});</script>", html).group(1))
    decoded = bertviz_views.decode_weights(params["attention"][0]["attn"])
    np.testing.assert_allclose(decoded, cat.weights, atol=0.5 / 255 + 1e-7)
    assert params["attention"][0]["left_text"] == list(cat.query_tokens)
    assert html.count("PYTHON_PARAMS") == 1  # bertviz's second marker, in a comment, is left alone
    assert html.count("AE_decode(window.AE_PARAMS)") == 1
    assert "v5.7.0" in html  # d3 inlined when no asset URL is given


def test_bertviz_bytes_decode_to_the_weights_by_hand():
    w = np.array([[[[1.0, 0.0], [0.5, 0.5]]]], dtype=np.float32)
    payload = bertviz_views.encode_weights(w)
    assert payload["shape"] == [1, 1, 2, 2]
    import base64

    assert list(base64.b64decode(payload["b64"])) == [255, 0, 128, 128]


def test_bertviz_document_payload_is_under_two_bytes_per_weight(bundled):
    cap = pretrained.capture(bundled, "word " * 40)
    for view in ("head", "model"):
        html = bertviz_views.bertviz_html(cap, view, asset_url="/app/static/vendor")
        payload = re.search(r"window.AE_PARAMS = (\{.*?\});</script>", html).group(1)
        assert len(payload.encode()) / cap.weights.size <= 2.0
        assert '<script src="/app/static/vendor/d3.v5.7.0.min.js">' in html
        assert f'<script src="/app/static/vendor/bertviz_{view}_view.js">' in html


def test_token_text_cannot_close_the_script():
    weights = np.full((1, 1, 2, 2), 0.5, dtype=np.float32)
    cap = AttentionCapture(
        ("</script><img src=x onerror=alert(1)>", "<!--"), ("</script>", "<!--"), weights, AttentionKind.SELF, "t"
    )
    html = bertviz_views.bertviz_html(cap, "model")
    assert "</script><img" not in html and "<!--" not in html
    assert "\\u003c/script\\u003e\\u003cimg" in html


def test_window_bounds_the_lines_drawn():
    assert bertviz_views.lines_drawn("head", 6, 12, 10) == 12 * 100
    assert bertviz_views.lines_drawn("model", 6, 12, 10) == 72 * 100
    assert bertviz_views.max_window("head", 6, 12, 512) == 45  # 12 × 45² = 24,300 ≤ 25,000 < 12 × 46²
    assert bertviz_views.max_window("model", 6, 12, 512) == 18  # 72 × 18² = 23,328 ≤ 25,000 < 72 × 19²
    assert bertviz_views.max_window("head", 6, 12, 8) == 8
    with pytest.raises(ValueError, match="outside"):
        bertviz_views.bertviz_html(AttentionCapture(("a",), ("a",), np.ones((1, 1, 1, 1)), "self", "t"), "head", 0, 5)


def test_window_shows_the_chosen_tokens_only():
    cap = one_hot_capture(1, 1, ["a", "b", "c", "d"])
    html = bertviz_views.bertviz_html(cap, "head", 1, 3)
    params = json.loads(re.search(r"window.AE_PARAMS = (\{.*?\});</script>", html).group(1))
    assert params["attention"][0]["left_text"] == ["b", "c"]
    assert params["attention"][0]["attn"]["shape"] == [1, 1, 2, 2]


def test_assets_are_written_for_serving(tmp_path):
    bertviz_views.write_assets(tmp_path)
    assert "AE_decode(window.AE_PARAMS)" in (tmp_path / "bertviz_model_view.js").read_text(encoding="utf-8")
    assert "v5.7.0" in (tmp_path / "d3.v5.7.0.min.js").read_text(encoding="utf-8")[:200]
    assert "jQuery v3" in (tmp_path / "jquery.min.js").read_text(encoding="utf-8")[:200]


def test_rollout_on_a_two_layer_example_by_hand():
    from attention_explorer.models.core.analysis import attention_rollout

    # layer 0: token 1 reads token 0 only; layer 1: token 0 reads token 1 only (one head each)
    w = np.array([[[[1.0, 0.0], [1.0, 0.0]]], [[[0.0, 1.0], [0.0, 1.0]]]])
    raw = attention_rollout(w, residual=False)
    np.testing.assert_allclose(raw[0], [[1, 0], [1, 0]])
    np.testing.assert_allclose(raw[1], [[1, 0], [1, 0]])  # through layer 0, everything came from token 0
    res = attention_rollout(w)  # 0.5·A + 0.5·I: layer 0 → [[1, 0], [.5, .5]]; layer 1 → [[.5, .5], [0, 1]]
    np.testing.assert_allclose(res[0], [[1, 0], [0.5, 0.5]])
    np.testing.assert_allclose(res[1], [[0.75, 0.25], [0.5, 0.5]])
    with pytest.raises(ValueError, match="square"):
        attention_rollout(np.ones((1, 1, 2, 3)) / 3)


def test_a_model_name_with_markup_stays_text_in_figure_titles():
    w = np.full((1, 1, 2, 2), 0.5, dtype=np.float32)
    cap = AttentionCapture(("a", "b"), ("a", "b"), w, AttentionKind.SELF, "<b>evil</b>")
    assert "&lt;b&gt;evil" in heatmap.head_heatmap(cap, 0, 0).layout.title.text
    alignment = AttentionCapture(("a", "b"), ("a", "b"), w, AttentionKind.ALIGNMENT, "<i>x</i>")
    assert "<i>" not in viz_seq2seq.alignment_heatmap(alignment).layout.title.text


def test_literal_text_for_markdown_by_hand():
    from attention_explorer.viz.text import literal

    assert literal("[x](https://e.org)") == "\\[x\\]\\(https\\:\\/\\/e\\.org\\)"
    assert literal("_it_ $x$ :red[r]") == "\\_it\\_ \\$x\\$ \\:red\\[r\\]"
    assert literal("a\nb\x07c") == "a b\ufffdc" and literal("x" * 300, limit=10) == "x" * 9 + "…"


def test_long_inputs_number_their_labels_and_a_window_zooms_in():
    tokens = [f"w{i % 7}" for i in range(60)]
    w = np.full((1, 1, 60, 60), 1 / 60, dtype=np.float32)
    cap = AttentionCapture(tokens, tokens, w, AttentionKind.SELF, "t")
    full = heatmap.head_heatmap(cap, 0, 0).data[0]
    assert full.y[12] == "12·w5" and len(set(full.y)) == 60  # the position tells repeated words apart
    zoom = heatmap.head_heatmap(cap, 0, 0, window=(10, 20)).data[0]
    assert list(zoom.y) == [f"{i}·w{i % 7}" for i in range(10, 20)] and zoom.z.shape == (10, 10)
    assert (zoom.z == 2).all()  # 1/60 of the row is 2%, the model's own weight (not renormalised)
    short = heatmap.head_heatmap(one_hot_capture(1, 1, ["a", "b"]), 0, 0).data[0]
    assert list(short.y) == ["a", "b"]  # short inputs keep bare words
