"""Figures for generation, for two models side by side, and the measures behind them — checked by hand."""

import json
import math

import numpy as np
import pytest

from attention_explorer.models.core.analysis import head_divergence, js_divergence, previous_token_weight
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind, ScoreBreakdown
from attention_explorer.models.pretrained.steps import GenerationStep
from attention_explorer.viz import bertviz_views, compare, generation, heatmap

STEPS = (
    GenerationStep("cat", 0.6, (("cat", 0.6), ("dog", 0.3), ("<b>", 0.1))),
    GenerationStep(".", 0.9, ((".", 0.9), ("?", 0.05))),
)


def test_next_token_figure_lists_candidates_best_first_with_the_chosen_one_dark():
    fig = generation.next_token_figure(STEPS[0], "after <script>")
    bar = fig.data[0]
    assert list(bar.y) == ["cat", "dog", "&lt;b&gt;"] and list(bar.x) == [0.6, 0.3, 0.1]
    assert list(bar.marker.color) == [generation.CHOSEN, generation.OTHER, generation.OTHER]
    assert fig.layout.yaxis.autorange == "reversed"  # the first candidate on top
    assert "<script>" not in fig.layout.title.text and "&lt;script&gt;" in fig.layout.title.text


def test_generation_figure_has_one_bar_per_generated_token_with_its_runners_up():
    fig = generation.generation_figure(STEPS, highlight=1)
    bar = fig.data[0]
    assert list(bar.x) == ["cat", "."] and list(bar.y) == [0.6, 0.9]
    assert "dog: 30.0%" in bar.customdata[0][0] and "&lt;b&gt;: 10.0%" in bar.customdata[0][0]
    assert list(bar.marker.color) == [generation.OTHER, generation.CHOSEN]
    with pytest.raises(ValueError, match="Nothing"):
        generation.generation_figure(())


def test_row_figure_draws_one_row_and_shows_its_title_as_text():
    fig = generation.row_figure(["<s>", "the", "the"], np.array([0.2, 0.5, 0.3]), "row of “<b>x</b>”")
    assert len(set(fig.data[0].x)) == 3  # repeated tokens stay apart
    np.testing.assert_allclose(fig.data[0].y, [0.2, 0.5, 0.3])
    assert "<b>" not in fig.layout.title.text


def test_previous_token_heatmap_marks_heads_over_the_threshold():
    fig = generation.previous_token_heatmap(np.array([[0.9, 0.2], [0.51, 0.5]]))
    assert [list(r) for r in fig.data[0].text] == [["★", ""], ["★", ""]]


def test_previous_token_weight_by_hand():
    w = np.zeros((1, 2, 3, 3))
    w[0, 0] = [[1, 0, 0], [1, 0, 0], [0, 1, 0]]  # every query on the token before it
    w[0, 1] = [[1, 0, 0], [0.5, 0.5, 0], [0.2, 0.2, 0.6]]  # weights on the previous token: 0.5 and 0.2
    np.testing.assert_allclose(previous_token_weight(w), [[1.0, 0.35]])
    with pytest.raises(ValueError):
        previous_token_weight(np.ones((1, 1, 1, 1)))


def test_js_divergence_by_hand():
    p, q = np.array([1.0, 0.0]), np.array([0.5, 0.5])
    # m = (0.75, 0.25); KL(p‖m) = ln(4/3); KL(q‖m) = ½ ln(2/3) + ½ ln 2
    expected = 0.5 * math.log(4 / 3) + 0.5 * (0.5 * math.log(2 / 3) + 0.5 * math.log(2))
    assert js_divergence(p, q) == pytest.approx(expected, abs=1e-12)
    assert js_divergence(q, p) == pytest.approx(expected, abs=1e-12)  # symmetric
    assert js_divergence(q, q) == pytest.approx(0.0, abs=1e-12)  # identical rows
    assert js_divergence(np.array([1.0, 0.0]), np.array([0.0, 1.0])) == pytest.approx(math.log(2))  # the bound
    rng = np.random.default_rng(0)
    a, b = rng.dirichlet(np.ones(7), size=50), rng.dirichlet(np.ones(7) * 0.1, size=50)
    d = js_divergence(a, b)
    assert d.shape == (50,) and (d >= 0).all() and (d <= math.log(2)).all()
    np.testing.assert_allclose(d, js_divergence(b, a), atol=1e-12)


def test_head_divergence_is_zero_for_identical_captures_and_locates_a_changed_head():
    rng = np.random.default_rng(1)
    a = rng.dirichlet(np.ones(5), size=(2, 3, 5))  # [layer, head, query, key]
    b = a.copy()
    b[1, 2] = np.eye(5)  # one head changed
    d = head_divergence(a, b)
    assert d.shape == (2, 3) and np.unravel_index(d.argmax(), d.shape) == (1, 2)
    np.testing.assert_allclose(np.delete(d.ravel(), 5), 0, atol=1e-12)
    np.testing.assert_allclose(head_divergence(a, a), 0, atol=1e-12)
    with pytest.raises(ValueError, match="one shape"):
        head_divergence(a, a[:, :2])


def test_first_row_figures_side_by_side_show_each_models_weights():
    rows = [np.array([[0.5, 0.5], [1.0, 0.0]]), np.array([[0.0, 1.0], [0.25, 0.75]])]
    fig = compare.first_row_figure(["[CLS]", "hi"], rows, ["pretrained", "fine-tuned"], layer=3)
    np.testing.assert_array_equal(fig.data[0].z, [[50, 50], [100, 0]])
    np.testing.assert_array_equal(fig.data[1].z, [[0, 100], [25, 75]])
    assert [a.text for a in fig.layout.annotations] == [
        "pretrained",
        "fine-tuned",
    ] and "layer 3" in fig.layout.title.text
    # side by side on one shared head axis: each panel its own x axis and its own part of the width
    assert [(t.xaxis, t.yaxis) for t in fig.data] == [("x", "y"), ("x2", "y")]
    left, right = fig.layout.xaxis.domain, fig.layout.xaxis2.domain
    assert 0 <= left[0] < left[1] < right[0] < right[1] <= 1
    assert [a.x for a in fig.layout.annotations] == [sum(left) / 2, sum(right) / 2]  # titles over their panels


def test_divergence_and_prediction_figures():
    fig = compare.divergence_heatmap(np.array([[0.1, 0.0], [0.2, 0.6931]]))
    assert list(fig.data[0].y) == ["L0", "L1"] and fig.data[0].z[1][1] == pytest.approx(0.6931)
    pred = compare.prediction_figure(["statement", "question"], np.array([0.2, 0.8])).data[0]
    assert list(pred.marker.color) == ["#9ecae1", "#08519c"] and list(pred.text) == ["20.0%", "80.0%"]


def test_score_figure_names_a_query_that_is_not_among_the_keys():
    b = ScoreBreakdown(0, 0, 4, ("a", "b"), 2, np.zeros(2), np.zeros(2), np.full(2, 0.5))
    assert "“chat”" in heatmap.score_figure(b, query_token="chat").layout.title.text


def test_encoder_decoder_window_cuts_input_and_output_axes_apart():
    src, tgt = ["a", "b", "c", "d"], ["x", "y"]
    enc = np.full((1, 1, 4, 4), 0.25, dtype=np.float32)
    dec = np.array([[[[1.0, 0.0], [0.5, 0.5]]]], dtype=np.float32)
    cross = np.full((1, 1, 2, 4), 0.25, dtype=np.float32)
    captures = {
        "Encoder": AttentionCapture(src, src, enc, AttentionKind.SELF, "m"),
        "Decoder": AttentionCapture(tgt, tgt, dec, AttentionKind.CAUSAL_SELF, "m"),
        "Cross": AttentionCapture(tgt, src, cross, AttentionKind.CROSS, "m"),
    }
    doc = bertviz_views.encoder_decoder_window_html(captures, "head", 1, 3)
    params = json.loads(doc.split("window.AE_PARAMS = ")[1].split(";</script>")[0])
    by_name = {item["name"]: item for item in params["attention"]}
    assert by_name["Encoder"]["left_text"] == ["b", "c"] == by_name["Encoder"]["right_text"]
    assert by_name["Decoder"]["left_text"] == ["x", "y"]  # the output from its start, as many as the window
    assert by_name["Cross"]["left_text"] == ["x", "y"] and by_name["Cross"]["right_text"] == ["b", "c"]
    assert by_name["Cross"]["attn"]["shape"] == [1, 1, 2, 2]
    with pytest.raises(ValueError, match="outside"):
        bertviz_views.encoder_decoder_window_html(captures, "head", 3, 9)
