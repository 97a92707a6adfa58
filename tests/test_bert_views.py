"""The Pretrained page's per-head measures over a pasted list, its rollout, and its link to the compare page."""

import base64
import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from attention_explorer.models.core.analysis import head_measures, mean_measures
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.pages.shared import widgets

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SENTENCES = ["The cat sat on the mat.", "Where did the children go?", "It rained all day, so we stayed in."]


def bert_page(show: str | None = None) -> AppTest:
    """The Pretrained page, opened (like a link with ?show=…) on one of the sections below the head view."""
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/bert.py")
    if show:
        at.query_params["show"] = show
    at.run()
    assert not at.exception
    return at


def figure_z(at: AppTest, key: str) -> np.ndarray:
    spec = json.loads(next(c for c in at.get("plotly_chart") if key in c.proto.id).proto.spec)
    z = spec["data"][0]["z"]
    if isinstance(z, dict):
        return np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(
            [int(x) for x in str(z["shape"]).split(",")]
        )
    return np.asarray(z)


def measure_list(at: AppTest, text: str) -> AppTest:
    at.radio(key="bert_measure_over").set_value("a list of sentences").run()
    at.text_area(key="bert_list").input(text).run()
    at.button(key="bert_list_go").click().run()
    assert not at.exception
    return at


def test_a_pasted_list_gives_each_head_s_mean_over_the_sentences(bundled):
    at = measure_list(bert_page("What each head does"), "\n".join(SENTENCES) + "\n\n")
    assert any("mean over 3 sentences" in c.value for c in at.caption)
    table = at.dataframe[-1].value
    each = []
    for sentence in SENTENCES:
        cap = pretrained.run(bundled, sentence, 1).capture
        each.append(head_measures(cap.weights, cap.key_tokens))
    expected = mean_measures(each)
    got = table.sort_values(["layer", "head"])["entropy"].to_numpy().reshape(6, 12)
    assert np.allclose(got, expected["entropy"], atol=1e-4)


def test_an_empty_or_overlong_list_says_so():
    at = measure_list(bert_page("What each head does"), "  \n \n")
    assert "The list is empty" in at.warning[0].value
    at = measure_list(bert_page("What each head does"), "\n".join(f"Line {i}." for i in range(205)))
    assert "205 sentences; the first 200 are measured" in " ".join(w.value for w in at.warning)
    assert any("mean over 200 sentences" in c.value for c in at.caption)


def test_choosing_a_row_of_the_table_opens_that_head(monkeypatch):
    state = {"table": SimpleNamespace(selection=SimpleNamespace(rows=[29]))}
    monkeypatch.setattr(widgets.st, "session_state", state)
    widgets.open_table_head("table", "layer", "head", 12)
    assert (state["layer"], state["head"]) == (2, 5)  # row 29 of a layer-by-layer table of 12 heads


def test_rollout_is_drawn_next_to_raw_attention_and_keeps_the_residual():
    at = bert_page()
    assert not [c for c in at.get("plotly_chart") if "bert_rollout" in c.proto.id]  # built only when chosen
    at.segmented_control(key="bert_section").set_value("Rollout").run()
    raw, roll = figure_z(at, "bert_raw_mean"), figure_z(at, "bert_rollout")
    # at layer 0 rollout is 0.5·A + 0.5·I: every token keeps at least half its weight on itself
    assert (np.diag(roll) >= 50).all() and not (np.diag(raw) >= 50).all()
    at.selectbox(key="bert_layer").select(5).run()
    deep = figure_z(at, "bert_rollout")
    assert not np.array_equal(deep, roll)


def test_the_page_links_its_view_to_the_compare_page():
    at = bert_page()
    at.selectbox(key="bert_layer").select(3).run()
    at.selectbox(key="bert_head").select(7).run()
    link = next(e for e in at.get("page_link") if "Compare" in e.proto.label)
    assert "compare" in link.proto.page
    assert "a_layer=3" in link.proto.query_string and "a_head=7" in link.proto.query_string
    assert "b_head=8" in link.proto.query_string


def test_the_transformer_page_shows_encoder_rollout_and_links_to_compare():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/transformer.py").run()
    assert not at.exception and not any(c for c in at.get("plotly_chart") if "tf_rollout_fig" in c.proto.id)
    at.session_state["tf_rollout"] = True  # open the expander: only then is rollout computed and drawn
    at.run()
    roll = figure_z(at, "tf_rollout_fig")
    assert (np.diag(roll) >= 50).all() and roll.shape[0] == len(at.session_state["tf_text"].split()) + 1  # </s>
    link = next(e for e in at.get("page_link") if "Compare" in e.proto.label)
    assert "a_model=Translator+Transformer" in link.proto.query_string
    assert "b_head=1" in link.proto.query_string


def test_predict_mode_hides_each_head_until_the_teacher_reveals_it():
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page("pages/bert.py")
    at.query_params["predict"] = "1"
    at.run()
    assert not at.exception
    heatmaps = lambda: [c for c in at.get("plotly_chart") if "bert_head_heatmap" in c.proto.id]  # noqa: E731
    assert not heatmaps() and "where will each token look" in at.subheader[0].value
    assert "[CLS]" in at.info[0].value  # the tokens to guess about are shown
    at.button(key="bert_reveal").click().run()
    assert heatmaps() and at.subheader[0].value == "Layer 0, head 0"
    at.selectbox(key="bert_head").select(3).run()  # another head: hidden again
    assert not heatmaps()
    at.selectbox(key="bert_head").select(0).run()  # the one already revealed stays revealed
    assert heatmaps()
    at.toggle(key="bert_predict").set_value(False).run()
    at.selectbox(key="bert_head").select(5).run()
    assert heatmaps() and "predict" not in at.query_params


@pytest.mark.parametrize(
    ("path", "a_model", "b_model"),
    [
        ("pages/gpt.py", "GPT+trained+here", "GPT+trained+here"),
        ("pages/finetune.py", "MiniLM+fine-tuned", "MiniLM+%28bundled"),
    ],
)
def test_every_model_page_links_its_view_to_compare(path, a_model, b_model):
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(path).run()
    assert not at.exception
    link = next(e for e in at.get("page_link") if "Compare" in e.proto.label)
    assert f"a_model={a_model}" in link.proto.query_string and f"b_model={b_model}" in link.proto.query_string
