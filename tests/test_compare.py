"""Compare two views: which tokens pair up, A − B, the divergence, the ranking, and the page itself."""

import json
import math
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attention_explorer.models.core import compare as cmp

APP = str(Path(__file__).resolve().parent.parent / "app.py")
PAGE = "pages/compare.py"


def softmax_rows(rng: np.random.Generator, *shape: int) -> np.ndarray:
    x = rng.normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def test_a_view_is_one_head_a_layer_mean_or_the_mean_of_all_heads():
    w = softmax_rows(np.random.default_rng(0), 2, 3, 4, 4)
    assert np.array_equal(cmp.view_matrix(w, 1, 2), w[1, 2])
    assert np.allclose(cmp.view_matrix(w, 1, cmp.LAYER_MEAN), (w[1, 0] + w[1, 1] + w[1, 2]) / 3)
    assert np.allclose(cmp.view_matrix(w, 0, cmp.ALL_MEAN), w.reshape(6, 4, 4).mean(0))
    assert np.allclose(cmp.view_matrix(w, 0, cmp.ALL_MEAN).sum(-1), 1)


def test_a_swapped_word_pairs_with_its_position_and_an_inserted_one_has_no_partner():
    a = ["the", "trophy", "was", "too", "big", "."]
    assert cmp.matching_positions(a, ["the", "trophy", "was", "too", "small", "."]) == [(i, i) for i in range(6)]
    pairs = cmp.matching_positions(["the", "movie", "was", "good"], ["the", "movie", "was", "not", "good"])
    assert pairs == [(0, 0), (1, 1), (2, 2), (3, 4)]  # "not" (B's 3) pairs with nothing
    assert cmp.matching_positions(["[CLS]", "Big"], ["[CLS]", "big"]) == [(0, 0), (1, 1)]  # case does not matter


def test_identical_views_differ_by_nothing():
    w = softmax_rows(np.random.default_rng(1), 5, 5)
    tokens = list("abcde")
    d = cmp.difference(w, tokens, tokens, w, tokens, tokens)
    assert np.abs(d.diff).max() == 0 and d.js_mean == 0 and d.identical_tokens and not d.swapped


def test_the_difference_is_antisymmetric_and_the_divergence_symmetric_and_at_most_ln2():
    rng = np.random.default_rng(2)
    a, b = softmax_rows(rng, 4, 4), softmax_rows(rng, 4, 4)
    t = list("wxyz")
    ab, ba = cmp.difference(a, t, t, b, t, t), cmp.difference(b, t, t, a, t, t)
    assert np.allclose(ab.diff, a - b) and np.allclose(ab.diff, -ba.diff)
    assert np.allclose(ab.js, ba.js) and (ab.js > 0).all()
    one_hot = np.eye(4)
    shifted = np.roll(np.eye(4), 1, axis=1)  # every row looks somewhere else entirely
    assert np.allclose(cmp.difference(one_hot, t, t, shifted, t, t).js, math.log(2))


def test_rows_are_renormalised_over_the_keys_both_inputs_have():
    a_tokens, b_tokens = ["x", "y"], ["x", "new", "y"]
    a = np.array([[0.5, 0.5], [0.25, 0.75]])
    b = np.array([[0.25, 0.5, 0.25], [0.3, 0.4, 0.3], [0.2, 0.6, 0.2]])  # x and y rows over x, y: [0.5, 0.5]
    d = cmp.difference(a, a_tokens, a_tokens, b, b_tokens, b_tokens)
    assert d.rows == ((0, 0), (1, 2)) and d.cols == ((0, 0), (1, 2)) and d.renormalised
    assert np.allclose(d.diff, [[0.25, 0.25], [0.05, 0.55]])  # the weights as the models gave them
    assert d.js[0] == pytest.approx(0.0, abs=1e-12)  # same distribution once renormalised
    m = np.array([0.375, 0.625])
    expected = 0.5 * (0.25 * math.log(0.25 / m[0]) + 0.75 * math.log(0.75 / m[1])) + 0.5 * (
        0.5 * math.log(0.5 / m[0]) + 0.5 * math.log(0.5 / m[1])
    )
    assert d.js[1] == pytest.approx(expected)
    assert "“new” (B)" in d.dropped_cols


def test_nothing_in_common_is_not_comparable():
    with pytest.raises(cmp.NotComparable):
        cmp.difference(np.eye(2), ["a", "b"], ["a", "b"], np.eye(2), ["c", "d"], ["c", "d"])


@pytest.mark.parametrize("cells", [7, 40, 1_000_000])  # one head per batch, batches of 2 (and a short last one), all
def test_head_divergence_is_each_heads_own_whatever_the_batch(monkeypatch, cells):
    from attention_explorer.models.core.analysis import js_divergence

    rng = np.random.default_rng(5)
    a, b = softmax_rows(rng, 3, 3, 5, 5), softmax_rows(rng, 3, 3, 5, 5)
    rows, cols = [(0, 0), (2, 1), (4, 4)], [(0, 0), (1, 2), (3, 3)]  # some keys left out: rows renormalised
    monkeypatch.setattr(cmp, "JS_CHUNK_CELLS", cells)
    per_row = cmp.head_row_divergence(a, b, rows, cols)
    for layer, head in np.ndindex(3, 3):
        sub_a = a[layer, head][np.ix_([0, 2, 4], [0, 1, 3])]
        sub_b = b[layer, head][np.ix_([0, 1, 4], [0, 2, 3])]
        expected = js_divergence(sub_a / sub_a.sum(-1, keepdims=True), sub_b / sub_b.sum(-1, keepdims=True))
        np.testing.assert_allclose(per_row[layer, head], expected, atol=1e-12)


def test_the_head_that_changed_ranks_first_by_its_worst_row_and_by_the_mean():
    rng = np.random.default_rng(3)
    a = softmax_rows(rng, 2, 3, 4, 4)
    b = a.copy()
    b[1, 2, 3] = np.roll(a[1, 2, 3], 2)  # one row of one head looks elsewhere
    b[0, 1] = 0.98 * a[0, 1] + 0.02 / 4  # another head changes a little everywhere
    cols = [(i, i) for i in range(4)]
    per_row = cmp.head_row_divergence(a, b, cols, cols)
    assert per_row.shape == (2, 3, 4)
    top = cmp.rank_heads(per_row, "max")
    assert top[0][:2] == (1, 2) and top[0][3] == 3 and len(top) == 6
    assert cmp.rank_heads(per_row, "mean")[0][:2] == (1, 2)
    untouched = cmp.rank_heads(per_row, "max")[-1]
    assert untouched[2] == pytest.approx(0.0, abs=1e-12)
    with pytest.raises(cmp.NotComparable):
        cmp.head_row_divergence(a, a[:, :2], cols, cols)


# ---- the page ------------------------------------------------------------------------------------------------------


def opened(**params: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(PAGE)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def test_the_page_draws_both_panels_on_one_scale_and_their_difference():
    at = opened(b_head=cmp.ALL_MEAN)  # B's mean of every head peaks far lower than A's one head
    charts = at.get("plotly_chart")
    assert len(charts) == 5  # A, B, A − B, the rows' divergence, the heads' divergence
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Tokens compared"] == "17 × 17"
    swapped = next(c.value for c in at.caption if c.value.startswith("Words swapped"))
    assert "big" in swapped and "small" in swapped
    a, b = (c.proto.spec for c in charts[:2])
    zmax = [s.split('"zmax":')[1].split(",")[0] for s in (a, b)]
    assert zmax[0] == zmax[1]  # one colour scale


def test_a_minimal_pair_and_b_reading_a_s_sentence():
    at = opened()
    at.selectbox(key="cmp_pair").select("Negation").run()
    assert at.text_input(key="cmp_a_text").value == cmp.MINIMAL_PAIRS["Negation"][0]
    assert at.text_input(key="cmp_b_text").value == cmp.MINIMAL_PAIRS["Negation"][1]
    assert "“not”" in " ".join(i.value for i in at.info)  # the inserted words are named
    at.button[0].click().run()
    assert at.text_input(key="cmp_b_text").value == cmp.MINIMAL_PAIRS["Negation"][0]
    at.selectbox(key="cmp_b_head").select("3").run()  # head against head on one sentence
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Mean JS divergence"].split()[0]) > 0
    assert at.query_params["b_head"] in ("3", ["3"])


def test_two_models_of_different_shapes_still_draw_and_say_why_heads_cannot_be_paired():
    at = opened(b_model="Translator Transformer: encoder", b_text="the green apple will fall .")
    assert len(at.get("plotly_chart")) == 4  # both panels, the difference over the shared words, its rows
    assert "no head-by-head pairing" in " ".join(i.value for i in at.info)


def test_a_bad_link_gives_the_nearest_view():
    at = opened(a_layer="99", a_head="40", b_head="nonsense", a_model="nope", b_text="x" * 100_000)
    assert at.selectbox(key="cmp_a_layer").value == 5 and at.selectbox(key="cmp_a_head").value == "11"
    assert at.selectbox(key="cmp_b_head").value == cmp.LAYER_MEAN
    assert at.selectbox(key="cmp_a_model").value == "MiniLM (bundled BERT)"
    notes = " ".join(i.value for i in at.info)
    assert "100,000 characters" in notes and "“a_layer” = 99" in notes


def test_a_local_model_directory_is_a_model_like_the_others(monkeypatch, tiny_bert_dir):
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", "*")  # a single-user server
    at = opened(a_model="Local model directory", a_dir=str(tiny_bert_dir), a_layer="0", a_head="0")
    assert not at.error, [e.value for e in at.error]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")[:2]]
    assert "tiny" in titles[0].lower() or "bert" in titles[0].lower()
    assert "no head-by-head pairing" in " ".join(i.value for i in at.info)  # 2 layers against MiniLM's 6


def test_a_local_directory_outside_the_allowed_roots_is_refused(monkeypatch, tiny_bert_dir):
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", "")  # a shared server allowing no folder
    at = opened(a_model="Local model directory", a_dir=str(tiny_bert_dir))
    assert at.error and str(tiny_bert_dir) not in at.error[0].value
    assert len(at.get("plotly_chart")) == 1  # B still draws
