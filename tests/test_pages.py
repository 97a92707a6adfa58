"""The pages through Streamlit's AppTest: type, choose, and check what the page shows."""

import base64
import json
import urllib.parse
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).resolve().parent.parent / "app.py")
BERT_PAGE = "pages/bert.py"
SEQ2SEQ_PAGE = "pages/seq2seq.py"


def page(path: str, **params: str) -> AppTest:
    """The app, switched to the page at `path` (with these link parameters) and run once without an exception."""
    at = AppTest.from_file(APP, default_timeout=120)
    at.switch_page(path)
    for name, value in params.items():
        at.query_params[name] = value
    at.run()
    assert not at.exception
    return at


def test_home_says_what_each_page_teaches():
    at = AppTest.from_file(APP, default_timeout=60).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "BERT" in text and "bertviz" in text


def test_bert_page_shows_every_view_for_the_example():
    at = page(BERT_PAGE)
    assert at.title[0].value == "Pretrained Transformers"
    assert at.selectbox(key="bert_layer").options == [str(i) for i in range(6)]
    assert at.selectbox(key="bert_head").options == [str(i) for i in range(12)]
    assert [s.value for s in at.subheader][:2] == ["Layer 0, head 0", "All heads"]
    sections = at.segmented_control(key="bert_section")
    assert sections.value == "How a score is made" and "bertviz" in sections.options
    assert [box for box in at.selectbox if box.label == "Query token"]  # the section shown by default
    assert not at.main.get("iframe")  # bertviz is built only when chosen (the sidebar has the copy-link frame)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Attention"] == "eager"
    assert metrics["Layers × heads"] == "6 × 12"
    assert float(metrics["Max |row sum − 1|"]) < 1e-5


def test_typing_and_choosing_a_head_updates_the_page():
    at = page(BERT_PAGE)
    at.text_input(key="bert_text").input("The animal didn't cross the street because it was too tired.").run()
    at.selectbox(key="bert_layer").select(4).run()
    at.selectbox(key="bert_head").select(9).run()
    assert not at.exception
    assert at.subheader[0].value == "Layer 4, head 9"
    query = next(box for box in at.selectbox if box.label == "Query token")
    assert "animal" in query.options[2]
    assert at.query_params["layer"] == "4" and at.query_params["head"] == "9"  # the link keeps the head


def test_empty_text_prompts_instead_of_failing():
    at = page(BERT_PAGE)
    at.text_input(key="bert_text").input("   ").run()
    assert not at.exception
    assert "Type a sentence" in at.info[0].value
    assert not at.metric


def test_long_text_is_truncated_with_a_notice():
    at = page(BERT_PAGE)
    at.text_input(key="bert_text").input("word " * 600).run()
    assert not at.exception
    assert "602 tokens" in at.warning[0].value and "first 512" in at.warning[0].value


@pytest.mark.parametrize("text", ["😀 שלום \u200b\x07", "</script><img src=x onerror=alert(1)>"])
def test_awkward_text_renders(text):
    at = page(BERT_PAGE)
    at.text_input(key="bert_text").input(text).run()
    assert not at.exception and not at.error


def test_bad_model_directory_is_an_error_on_the_page(tmp_path, monkeypatch):
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", str(tmp_path))
    at = page(BERT_PAGE)
    at.radio(key="bert_source").set_value("Local directory").run()
    assert "Type the path" in at.sidebar.info[0].value
    at.text_input(key="bert_dir").input(str(tmp_path / "nowhere")).run()
    assert not at.exception
    assert "There is no folder" in at.error[0].value
    at.text_input(key="bert_dir").input("/etc").run()
    assert "outside the folders this server allows" in at.error[0].value
    at.text_input(key="bert_dir").input("[Click here to fix your model](https://example.org/login)").run()
    assert not at.exception and "\\[Click here" in at.error[0].value  # shown as text, not as a link


def test_a_server_with_no_allowed_folder_opens_no_local_model(tiny_bert_dir, monkeypatch):
    monkeypatch.delenv("ATTENTION_EXPLORER_MODEL_ROOTS", raising=False)
    at = page(BERT_PAGE)
    at.radio(key="bert_source").set_value("Local directory").run()
    at.text_input(key="bert_dir").input(str(tiny_bert_dir)).run()
    assert not at.exception and "does not open local model directories" in at.error[0].value


def test_another_local_model_can_be_chosen(tiny_bert_dir, monkeypatch):
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", str(tiny_bert_dir.parent))
    at = page(BERT_PAGE)
    at.selectbox(key="bert_layer").select(5).run()
    at.radio(key="bert_source").set_value("Local directory").run()
    at.text_input(key="bert_dir").input(str(tiny_bert_dir)).run()
    assert not at.exception and not at.error
    assert at.selectbox(key="bert_layer").options == ["0", "1"]  # layer 5 no longer exists: the nearest, 1
    assert at.selectbox(key="bert_layer").value == 1
    assert {m.label: m.value for m in at.metric}["Layers × heads"] == "2 × 4"


def test_seq2seq_page_translates_and_steps_through_decoding():
    at = page(SEQ2SEQ_PAGE)
    assert at.title[0].value.startswith("RNN encoder-decoder")
    assert any("pomme verte" in m.value for m in at.markdown)  # green apple → pomme verte: reordered
    subheaders = [s.value for s in at.subheader]
    assert {"Alignment α(t, i)", "Step through decoding", "Quality against sentence length (test set)"} <= set(
        subheaders
    )
    at.slider(key="s2s_step").set_value(2).run()
    assert not at.exception
    assert any("e(2, i)" in m.value for m in at.markdown)


def _context_error(at: AppTest) -> float | None:
    """The page's 'largest difference from the decoder's own context vector', or None when not shown."""
    for caption in at.caption:
        if "Largest difference from the context vector" in caption.value:
            return float(caption.value.rsplit(":", 1)[1].strip().rstrip("."))
    return None


def test_predict_then_reveal_hides_each_step_until_the_teacher_clicks():
    at = page(SEQ2SEQ_PAGE)
    assert _context_error(at) is not None  # shown by default
    at.toggle(key="s2s_predict").set_value(True).run()
    assert not at.exception
    assert _context_error(at) is None and any("Where will" in i.value for i in at.info)
    at.button(key="s2s_reveal").click().run()
    assert not at.exception
    assert _context_error(at) is not None and not any("Where will" in i.value for i in at.info)
    at.slider(key="s2s_step").set_value(1).run()  # the next step is hidden again
    assert _context_error(at) is None


@pytest.mark.parametrize("t", [0, 2])
def test_the_drawn_context_vector_is_the_decoders_own(t):
    """Σ α(t, i) h_i, as drawn, equals the context vector the decoder used at step t."""
    at = page(SEQ2SEQ_PAGE)
    at.slider(key="s2s_step").set_value(t).run()
    error = _context_error(at)
    assert error is not None and error <= 1e-5


def test_seq2seq_beam_search_and_test_sentences():
    at = page(SEQ2SEQ_PAGE)
    at.radio(key="s2s_mode").set_value("Beam search").run()
    at.slider(key="s2s_width").set_value(3).run()
    assert not at.exception
    at.button[1].click().run()  # a random long test sentence
    assert not at.exception
    assert len(at.text_input(key="s2s_text").value.split()) >= 25
    reference = next(c.value for c in at.caption if "Test sentence. Reference:" in c.value).replace("\\", "")
    # written as French is printed, not as the corpus's tokens ("… la table ." )
    assert " ." not in reference and " ," not in reference and " - " not in reference, reference


@pytest.mark.parametrize(
    "text, message",
    [("   ", "Type an English sentence"), ("cat " * 80, "at most 60")],
)
def test_seq2seq_empty_and_too_long_input(text, message):
    at = page(SEQ2SEQ_PAGE)
    at.text_input(key="s2s_text").input(text).run()
    assert not at.exception
    assert message in " ".join(m.value for m in [*at.info, *at.error])


def test_seq2seq_flags_unknown_words():
    at = page(SEQ2SEQ_PAGE)
    at.text_input(key="s2s_text").input("the grean apple will fall .").run()
    assert not at.exception
    assert "“grean” (nearest known: green" in at.warning[0].value


def test_seq2seq_page_reports_a_broken_checkpoint(tmp_path, monkeypatch):
    import streamlit as st

    from attention_explorer.pages.shared import cache

    (tmp_path / "bahdanau").mkdir()
    (tmp_path / "bahdanau" / "config.json").write_text("{broken", encoding="utf-8")
    monkeypatch.setattr(cache, "WEIGHTS", tmp_path)
    # not the translator the preload loaded from the real folder (a test run alone finds it still waiting)
    monkeypatch.setattr(cache.warmup, "take", lambda key: None)
    st.cache_resource.clear()
    try:
        at = page(SEQ2SEQ_PAGE)
        assert "could not be loaded" in at.error[0].value
        assert "attention-explorer train seq2seq" in at.error[0].value
        assert str(tmp_path) not in at.error[0].value  # no server path on the page
    finally:
        st.cache_resource.clear()


def test_positional_encoding_page_shows_the_shift_identity():
    at = page("pages/positions.py")
    at.slider(key="pe_d").set_value(64).run()
    at.slider(key="pe_k").set_value(9).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "over 55 positions" in text  # 64 positions, shifted by 9
    error = float(text.split("over 55 positions")[1].split("**")[1])
    assert error < 1e-9
    assert len(at.get("plotly_chart")) >= 4


def test_playground_steps_masks_and_heads():
    at = page("pages/playground.py")
    at.selectbox(key="pg_mask").select("causal").run()
    at.selectbox(key="pg_heads").select(2).run()
    at.toggle(key="pg_scale").set_value(False).run()
    assert not at.exception
    assert "Multi-head: 2 heads of 2 dimensions each" in [s.value for s in at.subheader]
    at.selectbox(key="pg_heads").select(4).run()
    assert "Multi-head: 4 heads of 1 dimension each" in [s.value for s in at.subheader]
    titles = [json.loads(c.proto.spec)["layout"]["title"]["text"] for c in at.get("plotly_chart")]
    assert [t for t in titles if t.startswith("head ")] == ["head 0", "head 1", "head 2", "head 3"]
    at.selectbox(key="pg_mask").select("padding").run()
    assert not at.exception


def test_playground_padding_mask_with_a_sentence_of_only_zero_width_space():
    """Regression: [CLS] and [SEP] only gave a slider from 1 to 1 (StreamlitInvalidMinMaxError on the page)."""
    at = page("pages/playground.py")
    at.radio(key="pg_source").set_value("A sentence through a BERT head").run()
    at.selectbox(key="pg_mask").select("padding").run()
    at.text_input(key="pg_text").input("\u200b").run()
    assert not at.exception
    assert "no word the model can read" in at.info[0].value
    at.text_input(key="pg_text").input("a").run()  # [CLS] a [SEP]: two keys can be padding
    assert not at.exception and not at.error


@pytest.mark.parametrize(
    "cell, message", [(1e300, "overflow the scores"), (float("nan"), "finite number"), (float("inf"), "finite number")]
)
def test_playground_refuses_cells_it_cannot_attend_over(cell, message):
    at = page("pages/playground.py")
    at.session_state["pg_Q"] = {"edited_rows": {0: {"d0": cell}}, "added_rows": [], "deleted_rows": []}
    at.run()
    assert not at.exception
    assert message in at.error[0].value


def test_playground_takes_qkv_from_a_bert_head():
    at = page("pages/playground.py")
    at.radio(key="pg_source").set_value("A sentence through a BERT head").run()
    at.selectbox(key="pg_head").select(7).run()
    assert not at.exception
    assert any("d_head = 32" in c.value for c in at.caption)
    at.text_input(key="pg_text").input("").run()
    assert not at.exception and "Type a sentence" in at.info[0].value


def test_transformer_page_shows_three_attentions_and_the_causal_mask():
    at = page("pages/transformer.py")
    assert not [m for m in at.metric if m.label == "Causal mask"]  # checked only when its expander is opened
    at.session_state["tf_integrity"] = True
    at.run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Causal mask"] == "holds" and float(metrics["Change from future words"]) < 1e-4
    for kind in ("Encoder self-attention", "Decoder causal self-attention", "Encoder-decoder cross-attention"):
        at.radio(key="tf_kind").set_value(kind).run()
        at.selectbox(key="tf_layer").select(1).run()
        at.selectbox(key="tf_head").select(3).run()
        assert not at.exception
    assert any("pomme" in m.value for m in at.markdown)
    at.text_input(key="tf_text").input("the grean apple will fall .").run()
    assert "“grean”" in at.warning[0].value


@pytest.mark.parametrize(
    ("path", "models"),
    [("pages/transformer.py", ["transformer"]), (SEQ2SEQ_PAGE, ["bahdanau", "no_attention"])],
)
def test_translator_pages_show_the_committed_models_test_figures(path, models):
    from attention_explorer.models.translation.translator import WEIGHTS

    figures = [json.loads((WEIGHTS / m / "metrics.json").read_text())["test"]["overall"] for m in models]
    table = next(m.value for m in page(path).markdown if m.value.startswith("| |"))
    rows = {line.split("|")[1].strip(): [c.strip() for c in line.split("|")[2:-1]] for line in table.splitlines()}
    assert rows["exact match"] == [str(round(f["exact_match"], 4)) for f in figures]
    assert rows["chrF"] == [str(round(f["chrf"], 4)) for f in figures]
    assert rows["sentences"] == [f"{f['sentences']:,}" for f in figures]


def test_transformer_page_decodes_with_a_beam_from_a_link(monkeypatch):
    """Greedy drops Alice from this sentence; a beam of 4 finds the translation that keeps her. The page shows
    the beam's output, its candidates and the attentions of that output."""
    text = "The cat that Alice saw is sleeping."
    greedy = page("pages/transformer.py", text=text)
    assert not any("Alice" in m.value for m in greedy.markdown if m.value.startswith("### "))
    at = page("pages/transformer.py", text=text, decoding="Beam search", beam="4")
    assert at.radio(key="tf_mode").value == "Beam search" and at.slider(key="tf_width").value == 4
    shown = next(m.value for m in at.markdown if m.value.startswith("### "))
    assert "Alice" in shown
    candidates = at.dataframe[0].value
    assert len(candidates) > 1 and candidates["candidate"][0] == "le chat que <unk> a vu dort ."  # before the copy
    from attention_explorer.pages.shared import cache

    checked: list[int] = []  # the causal-mask check runs on the output shown: the beam's
    monkeypatch.setattr(cache, "transformer_causality", lambda text, beam=1: checked.append(beam) or 0.0)
    at.session_state["tf_integrity"] = True
    at.run()
    assert {m.label: m.value for m in at.metric}["Causal mask"] == "holds" and checked == [4]
    at.radio(key="tf_kind").set_value("Encoder-decoder cross-attention").run()
    rows = _figure_spec(at, "tf_heatmap")["data"][0]["y"]
    assert any("Alice" in r for r in rows)  # the cross-attention of the output shown, Alice's row in it
    # "Compare this view" opens the same output there: the beam travels in the link, and Compare decodes with it
    link = next(e for e in at.get("page_link") if "Compare" in e.proto.label)
    query = dict(pair.split("=", 1) for pair in link.proto.query_string.split("&"))
    assert query["a_beam"] == query["b_beam"] == "4"
    compare = AppTest.from_file(APP, default_timeout=120)
    compare.switch_page("pages/compare.py")
    for name, value in query.items():
        compare.query_params[name] = urllib.parse.unquote_plus(value)
    compare.run()
    assert not compare.exception and compare.slider(key="cmp_a_beam").value == 4
    assert any("Alice" in r for r in _figure_spec(compare, "cmp_a_heatmap")["data"][0]["y"])


def test_transformer_page_says_broken_when_the_decoder_peeks(monkeypatch):
    """A leak the attention weights cannot show: each position's input also carries every later input."""
    from attention_explorer.models.transformer.model import Transformer

    embed = Transformer.embed
    monkeypatch.setattr(Transformer, "embed", lambda self, emb, ids: embed(self, emb, ids).cumsum(1).flip(1))
    at = page("pages/transformer.py")
    at.session_state["tf_integrity"] = True
    at.text_input(key="tf_text").input("the red cat will sleep .").run()  # a sentence not cached unmasked
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Causal mask"] == "BROKEN" and float(metrics["Change from future words"]) > 1e-3


def test_rnn_vs_transformer_page_scores_a_test_sentence_against_gold():
    from attention_explorer.models.translation.translator import load_test_sentences

    test = load_test_sentences()
    sentence = next(r for r in test.values() if 8 <= len(r["en"]) <= 12)
    at = page("pages/rnn_vs_transformer.py")
    at.text_input(key="cmp_text").input(" ".join(sentence["en"])).run()
    assert not at.exception
    head = at.selectbox(key="cmp_head")
    assert "best match" in head.format_func(head.value)
    # the option's label does not name a head (the browser would keep a stale one); the caption and heading do
    assert "layer" not in head.format_func("") and "head" not in head.format_func("")
    caption = next(c.value for c in at.caption if "preselected head" in c.value)
    heading = next(m.value for m in at.markdown if m.value.startswith("**Transformer** (layer"))
    assert caption.split("preselected head, ")[1].split(",")[:2] == heading.split("(")[1].split(")")[0].split(",")
    labels = [m.label for m in at.metric]
    assert "Gold pairs hit" in labels  # at least one model translated it exactly and was scored


def test_bert_page_windows_long_inputs_for_bertviz():
    at = page(BERT_PAGE, show="bertviz")
    at.text_input(key="bert_text").input("the cat sat on a mat . " * 14).run()
    assert not at.exception
    assert any("Showing tokens 0–44 of 100" in c.value for c in at.caption)
    at.slider(key="bert_head_start").set_value(30).run()
    assert any("Showing tokens 30–74 of 100" in c.value for c in at.caption)
    at.number_input(key="bert_model_window").set_value(10).run()
    assert any("Showing tokens 0–9 of 100" in c.value for c in at.caption)


def _figure_spec(at: AppTest, key: str) -> dict:
    chart = next(c for c in at.get("plotly_chart") if key in c.proto.id)
    return json.loads(chart.proto.spec)


def _head_heatmap_spec(at: AppTest) -> dict:
    return _figure_spec(at, "bert_head_heatmap")


def test_a_long_input_can_be_zoomed_to_a_window_of_positions():
    at = page(BERT_PAGE)
    assert not [s for s in at.slider if s.key == "bert_zoom"]  # 14 tokens: nothing to zoom
    at.text_input(key="bert_text").input("the cat sat on a mat . " * 14).run()
    full = _head_heatmap_spec(at)["data"][0]
    assert len(full["y"]) == 100
    at.slider(key="bert_zoom").set_range(10, 19).run()
    assert not at.exception
    zoomed = _head_heatmap_spec(at)["data"][0]
    assert len(zoomed["y"]) == 10 and len(zoomed["x"]) == 10
    assert zoomed["y"][0].startswith("10·")  # rows keep their positions in the sentence


def test_bert_page_measures_what_each_head_does():
    at = page(BERT_PAGE, show="What each head does")
    table = at.dataframe[-1].value
    assert len(table) == 6 * 12 and {"layer", "head", "pattern", "entropy", "previous token"} <= set(table.columns)
    # MiniLM's layer-0 head 2 is a previous-token head (the diagonal stripes of the model view)
    row = table[(table["layer"] == 0) & (table["head"] == 2)].iloc[0]
    assert row["pattern"] == "previous token" and row["previous token"] > 0.5
    at.selectbox(key="bert_measure").select("previous token").run()
    assert not at.exception
    spec = json.loads(next(c for c in at.get("plotly_chart") if "bert_measures" in c.proto.id).proto.spec)
    z = spec["data"][0]["z"]  # Plotly sends arrays as base64 of float64
    z = np.frombuffer(base64.b64decode(z["bdata"]), dtype=z["dtype"]).reshape(6, 12) if isinstance(z, dict) else z
    assert z[0][2] == pytest.approx(row["previous token"], abs=1e-3)


# ---- every kind of pretrained model, the GPT and the fine-tuned BERT ---------------------------------------------


@pytest.fixture
def any_folder(monkeypatch):
    """A single-user server: the page may open any local folder."""
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", "*")


def local_model(at: AppTest, folder) -> AppTest:
    at.radio(key="bert_source").set_value("Local directory").run()
    at.text_input(key="bert_dir").input(str(folder)).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    return at


@pytest.mark.parametrize("family", ["gpt2", "llama"])
def test_a_decoder_shows_its_generation_step_by_step(family, tiny_family_dir, any_folder):
    at = local_model(page(BERT_PAGE), tiny_family_dir(family))
    subheaders = [s.value for s in at.subheader]
    assert {"Generated", "Step by step"} <= set(subheaders)
    assert [box for box in at.selectbox if box.label == "Query token"]
    assert at.selectbox(key="bert_head").options == ["0", "1", "2", "3"]  # query heads, not the shared key heads
    at.number_input(key="bert_budget").set_value(4).run()
    at.slider(key="bert_step").set_value(3).run()
    assert not at.exception
    assert any("Causal mask: the largest weight on a later token is 0.0e+00" in c.value for c in at.caption)
    if family == "llama":
        assert any("rotary positions" in c.value for c in at.caption)
        assert any("grouped-query attention: 4 query heads share 2 key heads" in c.value for c in at.caption)


@pytest.mark.parametrize("family", ["bart", "t5"])
def test_an_encoder_decoder_shows_all_three_attentions(family, tiny_family_dir, any_folder):
    at = local_model(page(BERT_PAGE), tiny_family_dir(family))
    for part in ("encoder", "decoder", "cross"):
        at.radio(key="bert_part").set_value(part).run()
        assert not at.exception
        assert at.subheader[1].value == "Layer 0, head 0"  # after "Generated"
        notes = " ".join(i.value for i in at.info)
        if family == "t5":  # its scores carry a relative-position bias: said, not drawn wrongly
            assert "relative-position bias" in notes
        else:
            assert "Not shown" not in notes and any("matches the captured row" in m.value for m in at.markdown)


def test_a_directory_without_tokenizer_files_is_an_error_on_the_page(tiny_family_dir, tmp_path, any_folder):
    import shutil

    folder = tmp_path / "no-tokenizer"
    shutil.copytree(tiny_family_dir("bert"), folder, ignore=shutil.ignore_patterns("tokenizer*"))
    at = page(BERT_PAGE)
    at.radio(key="bert_source").set_value("Local directory").run()
    at.text_input(key="bert_dir").input(str(folder)).run()
    assert not at.exception and "no tokenizer files" in at.error[0].value


def test_a_model_saved_again_into_the_same_folder_is_reloaded(tiny_family_dir, tmp_path, any_folder, monkeypatch):
    import shutil
    import time

    from attention_explorer.pages.shared import cache

    folder = tmp_path / "model"
    shutil.copytree(tiny_family_dir("bert"), folder)
    at = local_model(page(BERT_PAGE), folder)
    assert {m.label: m.value for m in at.metric}["Layers × heads"] == "2 × 4"
    shutil.rmtree(folder)
    shutil.copytree(tiny_family_dir("distilbert"), folder)  # 2 heads, saved into the same path
    # the pages list a model's folder again once its fingerprint is FINGERPRINT_SECONDS old: step past that
    monkeypatch.setattr(cache, "_clock", lambda: time.monotonic() + cache.FINGERPRINT_SECONDS)
    at.run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["Layers × heads"] == "2 × 2"


def test_the_gpt_trained_here_is_one_of_the_models():
    at = page(BERT_PAGE)
    at.radio(key="bert_source").set_value("Trained here: GPT").run()
    assert not at.exception and not at.error
    assert {m.label: m.value for m in at.metric}["Layers × heads"] == "2 × 4"
    assert "Generated" in [s.value for s in at.subheader]


GPT_PAGE = "pages/gpt.py"


def test_gpt_page_predicts_the_next_word_and_steps_through_generation():
    at = page(GPT_PAGE)
    assert at.title[0].value == "GPT: next-word prediction"
    assert [s.value for s in at.subheader][:3] == [
        "The next word",
        "Generation step by step",
        "Causal self-attention, every head",
    ]
    assert any(t.value.startswith("the old king will → ") for t in at.text)
    at.slider(key="gpt_step").set_value(3).run()
    at.selectbox(key="gpt_layer").select(1).run()
    assert not at.exception
    assert any("The model has read 8 tokens" in c.value for c in at.caption)  # <s> + 4 prompt words + 3 generated
    assert float({m.label: m.value for m in at.metric}["Perplexity on held-out sentences"]) > 1


@pytest.mark.parametrize("text", ["   ", "the zorblat will", "😀 </script><b>x</b> שלום " * 30])
def test_gpt_page_answers_any_prompt(text):
    at = page(GPT_PAGE)
    at.text_input(key="gpt_text").input(text).run()
    assert not at.exception and not at.error
    if not text.strip():
        assert "Type the start of a sentence" in at.info[0].value
    else:
        assert "Never seen in training" in at.warning[0].value


def test_gpt_page_reports_a_missing_model(tmp_path, monkeypatch):
    from attention_explorer.models.gpt import model as gpt_model

    monkeypatch.setattr(gpt_model, "GPT_DIR", tmp_path / "gpt")
    at = page(GPT_PAGE)
    assert "No such directory" in at.error[0].value and "attention-explorer train gpt" in at.error[0].value


FINETUNE_PAGE = "pages/finetune.py"


def test_finetune_page_puts_both_models_side_by_side():
    at = page(FINETUNE_PAGE)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["The fine-tuned model says"] == "question"
    assert "Which heads changed" in [s.value for s in at.subheader]
    at.text_input(key="ft_text").input("The children did not laugh at the clown.").run()
    at.selectbox(key="ft_layer").select(2).run()
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["The fine-tuned model says"] == "negated statement"
    at.text_input(key="ft_text").input("").run()
    assert not at.exception and "Type a sentence" in at.info[0].value


def test_finetune_page_reports_a_missing_adapter(tmp_path, monkeypatch):
    import streamlit as st

    from attention_explorer.pages.shared import cache

    monkeypatch.setattr(cache, "CLASSIFIER_DIR", tmp_path / "classifier")
    st.cache_resource.clear()
    try:
        at = page(FINETUNE_PAGE)
        assert "attention-explorer train classifier" in at.error[0].value
    finally:
        st.cache_resource.clear()


def test_translator_pages_show_what_the_model_read_and_what_it_copied():
    at = page(SEQ2SEQ_PAGE)
    at.text_input(key="s2s_text").input("Alice doesn't live in Paris").run()
    captions = " ".join(c.value for c in at.caption)
    assert "The model reads: alice · does · not · live" in captions  # contraction written out, lower case
    assert "final full stop" in captions  # what normalisation added, said in words
    assert "copied where α points" in captions and "Alice" in captions and "Paris" in captions
    at.text_input(key="s2s_text").input("The cat of Alice sleeps.").run()
    captions = " ".join(c.value for c in at.caption)
    assert (
        "Elided before a copy that starts with a vowel, as French writes it: “de” → “d\\'”" in captions
    )  # Markdown-escaped
    at.selectbox(key="s2s_example").select("object relative clause").run()
    assert at.text_input(key="s2s_text").value == "The cat that the dog saw is sleeping."
    reference = next(c.value for c in at.caption if c.value.startswith("Example of"))
    assert "Le chat que le chien a vu dort" in reference  # the reference, under the model's own output
    assert any(m.value.startswith("### Le chat") for m in at.markdown)  # the output written as a sentence


def test_the_words_the_translators_know_are_listed_when_opened_and_searched_in_both_languages():
    at = page(SEQ2SEQ_PAGE)
    assert not any("lemma pairs" in c.value for c in at.caption)  # closed: the table is not built
    at.session_state["s2s_known"] = True  # what opening the expander does
    at.run()
    assert any("lemma pairs" in c.value for c in at.caption)
    at.text_input(key="s2s_known_search").input("pomme").run()
    table = at.dataframe[0].value
    assert "apple" in list(table["English"]) and all("pomme" in fr for fr in table["French"])
    at.text_input(key="s2s_known_search").input("my feet hurt").run()
    assert list(at.dataframe[0].value["French"]) == ["j' ai mal aux pieds"]
    at.session_state["s2s_known"] = False  # closed: the search box is not drawn, and Streamlit forgets it
    at.run()
    at.session_state["s2s_known"] = True
    at.run()
    assert at.text_input(key="s2s_known_search").value == "my feet hurt"  # reopened on the same search


def test_an_unk_left_in_the_output_is_explained():
    """The Transformer writes <unk> for "gare" but looks at </s> there, so nothing is copied: the page says so."""
    at = page("pages/transformer.py", text="Où est la gare ?")
    assert any("\\<unk\\>" in m.value for m in at.markdown if m.value.startswith("### "))  # Markdown-escaped
    caption = next(c.value for c in at.caption if "left in the output" in c.value)
    assert "end of the sentence" in caption


@pytest.mark.parametrize(
    ("alignment", "unknown", "why"),
    [(None, {"gare": []}, "without attention"), ("α", {}, "no unknown word"), ("α", {"gare": []}, "end of the")],
)
def test_why_an_unk_was_not_copied(alignment, unknown, why):
    from types import SimpleNamespace

    from attention_explorer.pages.shared.widgets import reading

    captions: list[str] = []
    where = SimpleNamespace(caption=captions.append)
    output = ("où", "<unk>", "<unk>", "?", "</s>")
    result = SimpleNamespace(source=("x",), notes=[], copied={}, output=output, alignment=alignment, unknown=unknown)
    reading(where, result)
    assert why in captions[-1] and "(2 times)" in captions[-1]
