"""The one place where pages cache models and captures (Streamlit caches; no figures here)."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from models import bert, seq2seq, transformer_capture, translate
from models.transformer import TransformerTranslator, load_transformer
from viz import bertviz_views

STATIC = Path(__file__).resolve().parent.parent / "static"  # served at /app/static (enableStaticServing)


@st.cache_resource(show_spinner="Loading the model…", max_entries=4)
def bert_bundle(path: str) -> bert.BertBundle:
    """Load once per directory, shared by every session; read-only after load."""
    return bert.load_bert(path)


@st.cache_data(show_spinner=False, max_entries=16)
def bert_run(path: str, text: str) -> bert.BertRun:
    """Attention capture and layer inputs of `text`: one forward pass per (model, text)."""
    return bert.run(bert_bundle(path), text)


@st.cache_data(show_spinner=False, max_entries=64)
def bert_scores(path: str, text: str, layer: int, head: int, query: int) -> bert.ScoreBreakdown:
    return bert.score_breakdown(bert_bundle(path), bert_run(path, text), layer, head, query)


@st.cache_data(show_spinner=False, max_entries=16)
def bert_summary(path: str) -> dict[str, object]:
    return bert.model_summary(bert_bundle(path))


@st.cache_resource
def bertviz_asset_url() -> str | None:
    """URL of d3 and jQuery copied from the installed packages; None (inline them) if they can't be written."""
    try:
        bertviz_views.write_assets(STATIC / "vendor")
    except OSError:
        return None
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/vendor" if base else "/app/static/vendor"


@st.cache_resource(show_spinner="Loading the translators…")
def translator(name: str) -> seq2seq.Translator:
    """A trained GRU translator from models/weights/<name>; shared by every session, read-only."""
    return seq2seq.load_translator(seq2seq.WEIGHTS / name)


@st.cache_data(show_spinner=False, max_entries=64)
def translation(name: str, text: str, beam: int) -> translate.Translation:
    return translate.translate(translator(name), text, beam)


@st.cache_data(show_spinner=False)
def test_sentences() -> dict[tuple[str, ...], dict]:
    """The held-out split the translators never trained on, keyed by English tokens."""
    path = seq2seq.WEIGHTS / "test_sentences.jsonl"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return {tuple(r["en"]): r for r in rows}


@st.cache_resource(show_spinner="Loading the Transformer…")
def transformer() -> TransformerTranslator:
    """The trained Transformer from models/weights/transformer; shared by every session, read-only."""
    return load_transformer(seq2seq.WEIGHTS / "transformer")


@st.cache_data(show_spinner=False, max_entries=64)
def transformer_translation(text: str) -> transformer_capture.TransformerTranslation:
    return transformer_capture.translate(transformer(), text)


@st.cache_data(show_spinner=False, max_entries=32)
def bert_qkv(path: str, text: str, layer: int, head: int):
    """(tokens, q, k, v) of one BERT head for `text`."""
    bundle = bert_bundle(path)
    bert_run_ = bert_run(path, text)
    return (bert_run_.capture.query_tokens, *bert.head_projections(bundle, bert_run_, layer, head))
