"""Figures and bertviz documents, checked on their data without Streamlit or a browser."""

import json
import re

import numpy as np
import plotly.io as pio
import pytest

from models import bert
from models.capture import AttentionCapture, AttentionKind
from viz import bertviz_views, heatmap

INVISIBLE = re.compile("[\u200b\u2060]")


@pytest.fixture(scope="module")
def cat(bundled) -> AttentionCapture:
    return bert.capture(bundled, "the cat sat on the mat")


def test_head_heatmap_keeps_repeated_tokens_as_separate_rows(cat):
    fig = heatmap.head_heatmap(cat, 2, 5)
    trace = fig.data[0]
    assert len(trace.y) == 8 and len(set(trace.y)) == 8  # "the" twice: 8 rows, not 7
    assert [INVISIBLE.sub("", label) for label in trace.y] == list(cat.query_tokens)
    np.testing.assert_array_equal(trace.z, np.rint(cat.weights[2, 5] * 100).astype(np.uint8))
    assert trace.z.dtype == np.uint8 and (trace.zmin, trace.zmax) == (0, 100)
    assert fig.layout.yaxis.autorange == "reversed"  # first token at the top


def test_labels_escape_markup_and_stay_short_for_many_repeats():
    labels = heatmap.axis_labels(["<b>", "a&b"] + ["the"] * 600)
    assert labels[:2] == ["&lt;b&gt;", "a&amp;b"]
    assert len(set(labels)) == len(labels)
    assert max(len(label) for label in labels) <= len("the") + 10  # log2(600) suffix characters, not 600


def test_heads_grid_tiles_every_head_and_clicks_map_back(cat):
    fig = heatmap.heads_grid(cat, cells=32)
    grid, points = fig.data
    n = len(cat.query_tokens)
    assert grid.z.shape == (6 * (n + 1) - 1, 12 * (n + 1) - 1)
    # the tile for layer 3, head 7 is that head's matrix in percent
    tile = grid.z[3 * (n + 1) : 3 * (n + 1) + n, 7 * (n + 1) : 7 * (n + 1) + n]
    np.testing.assert_array_equal(tile, heatmap.to_percent(cat.weights[3, 7]))
    assert [tuple(c) for c in points.customdata] == [heatmap.grid_head(i, 12) for i in range(72)]
    assert heatmap.grid_head(29, 12) == (2, 5)
    assert points.marker.opacity == 0


def test_pooling_keeps_rows_stochastic_and_bounds_the_grid(bundled):
    long = bert.capture(bundled, "word " * 600)
    pooled = heatmap.pool_rows(long.weights, 32)
    assert pooled.shape == (6, 12, 32, 32)
    np.testing.assert_allclose(pooled.sum(-1), 1.0, atol=1e-4)
    fig = heatmap.heads_grid(long, cells=32)
    assert fig.data[0].z.size < 6 * 12 * 33 * 33


def test_score_figure_plots_the_three_steps(bundled):
    b = bert.score_breakdown(bundled, bert.run(bundled, "the cat sat on the mat"), 1, 2, 2)
    fig = heatmap.score_figure(b)
    assert [t.name for t in fig.data] == ["q·k", f"q·k / √{b.d_head}", "softmax weight"]
    np.testing.assert_allclose(fig.data[2].y, b.weights)
    assert len(set(fig.data[0].x)) == len(b.tokens)


def test_bytes_per_weight_sent_for_a_heatmap_is_at_most_two(bundled):
    long = bert.capture(bundled, "word " * 600)
    spec = pio.to_json(heatmap.head_heatmap(long, 0, 0), validate=False)
    assert len(spec.encode()) / 512**2 <= 2.0


def test_bertviz_document_carries_the_weights_as_bytes(cat):
    html = bertviz_views.bertviz_html(cat, "head")
    params = json.loads(re.search(r"window.AE_PARAMS = (\{.*?\});</script>", html).group(1))
    decoded = bertviz_views.decode_weights(params["attention"][0]["attn"])
    np.testing.assert_allclose(decoded, cat.weights, atol=0.5 / 255 + 1e-7)
    assert params["attention"][0]["left_text"] == list(cat.query_tokens)
    assert html.count("PYTHON_PARAMS") == 1  # bertviz's second marker, in a comment, is left alone
    assert html.count("AE_decode(window.AE_PARAMS)") == 1
    assert "v5.7.0" in html  # d3 inlined when no asset URL is given


def test_bertviz_document_payload_is_under_two_bytes_per_weight(bundled):
    cap = bert.capture(bundled, "word " * 40)
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
    for view in ("head", "model"):
        w = bertviz_views.max_window(view, 6, 12, 512)
        assert bertviz_views.lines_drawn(view, 6, 12, w) <= bertviz_views.MAX_LINES
        assert bertviz_views.lines_drawn(view, 6, 12, w + 1) > bertviz_views.MAX_LINES
    assert bertviz_views.max_window("head", 6, 12, 8) == 8
    with pytest.raises(ValueError, match="outside"):
        bertviz_views.bertviz_html(AttentionCapture(("a",), ("a",), np.ones((1, 1, 1, 1)), "self", "t"), "head", 0, 5)


def test_assets_are_written_for_serving(tmp_path):
    bertviz_views.write_assets(tmp_path)
    assert "AE_decode(window.AE_PARAMS)" in (tmp_path / "bertviz_model_view.js").read_text(encoding="utf-8")
    assert "v5.7.0" in (tmp_path / "d3.v5.7.0.min.js").read_text(encoding="utf-8")[:200]
    assert "jQuery v3" in (tmp_path / "jquery.min.js").read_text(encoding="utf-8")[:200]
