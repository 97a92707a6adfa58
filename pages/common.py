"""The one place where pages cache models and captures (Streamlit caches; no figures here)."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from models import bert
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
