"""The one place where pages cache models and captures (Streamlit caches; no figures here).

Models are `st.cache_resource` (loaded once, shared by every session, never mutated); captures and
tables are `st.cache_data` with a bounded number of entries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from attention_explorer.models.finetune.model import (
    CLASSIFIER_DIR,
    ClassifierBundle,
    Comparison,
    classify,
    load_classifier,
)
from attention_explorer.models.finetune.model import compare as compare_models
from attention_explorer.models.gpt.model import GPT_DIR
from attention_explorer.models.gpt.model import read_metrics as read_gpt_metrics
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained.loading import (
    PretrainedBundle,
    default_model_dir,
    load_pretrained,
    model_fingerprint,
    model_summary,
)
from attention_explorer.models.pretrained.scores import HeadScores, head_projections, head_scores
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    Translation,
    Translator,
    load_test_sentences,
    load_translator,
    translate,
)
from attention_explorer.viz import bertviz_views

STATIC = Path(__file__).resolve().parent.parent.parent / "static"  # served at /app/static (enableStaticServing)


# ---- pretrained models: any local Hugging Face directory, the bundled MiniLM, the GPT trained here ----------------
# Every entry is keyed on the directory AND its files' names, sizes and modification times (model_fingerprint), so
# a model saved again into the same folder is loaded again instead of being served from the cache.


@st.cache_resource(show_spinner="Loading the model…", max_entries=3)
def _pretrained_bundle(path: str, fingerprint: tuple) -> PretrainedBundle:
    return load_pretrained(path)


def pretrained_bundle(path: str) -> PretrainedBundle:
    """Load once per directory (and version of its files), shared by every session; read-only after load.

    At most three models stay loaded (the bundled one, the GPT, one more): a 1 B-parameter model is 4 GB.
    """
    return _pretrained_bundle(path, model_fingerprint(path))


@st.cache_data(show_spinner="Running the model…", max_entries=16)
def _pretrained_run(path: str, fingerprint: tuple, text: str, budget: int) -> pretrained.PretrainedRun:
    return pretrained.run(_pretrained_bundle(path, fingerprint), text, budget)


def pretrained_run(path: str, text: str, budget: int = pretrained.DEFAULT_NEW_TOKENS) -> pretrained.PretrainedRun:
    """Attentions, layer inputs and generated tokens of `text`: one run per (model, text, token budget)."""
    return _pretrained_run(path, model_fingerprint(path), text, budget)


@st.cache_data(show_spinner=False, max_entries=64)
def _pretrained_scores(
    path: str, fingerprint: tuple, text: str, budget: int, part: str, layer: int, head: int, query: int
) -> HeadScores:
    bundle = _pretrained_bundle(path, fingerprint)
    return head_scores(bundle, _pretrained_run(path, fingerprint, text, budget), part, layer, head, query)


def pretrained_scores(
    path: str, text: str, layer: int, head: int, query: int, *, part: str = "", budget: int = 0
) -> HeadScores:
    """How one score is made (ScoreUnavailable, a ValueError, when this architecture's cannot be recomputed)."""
    budget = budget or pretrained.DEFAULT_NEW_TOKENS
    part = part or next(iter(pretrained_run(path, text, budget).captures))
    return _pretrained_scores(path, model_fingerprint(path), text, budget, part, layer, head, query)


@st.cache_data(show_spinner=False, max_entries=16)
def _pretrained_summary(path: str, fingerprint: tuple) -> dict[str, object]:
    return model_summary(_pretrained_bundle(path, fingerprint))


def pretrained_summary(path: str) -> dict[str, object]:
    return _pretrained_summary(path, model_fingerprint(path))


@st.cache_data(show_spinner=False, max_entries=32)
def pretrained_qkv(
    path: str, text: str, layer: int, head: int
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """(tokens, q, k, v) of one head of a BERT-style encoder for `text`."""
    run = pretrained_run(path, text)
    return (run.capture.query_tokens, *head_projections(pretrained_bundle(path), run, layer, head))


@st.cache_data(show_spinner=False, max_entries=4)
def _gpt_metrics(fingerprint: tuple) -> dict:
    return read_gpt_metrics()


def gpt_metrics() -> dict:
    """metrics.json of the GPT trained here (perplexity, previous-token heads); {} if absent."""
    return _gpt_metrics(model_fingerprint(GPT_DIR))


# ---- the fine-tuned classifier (bundled MiniLM + LoRA adapter) ---------------------------------------------------


@st.cache_resource(show_spinner="Loading the fine-tuned model…", max_entries=2)
def _classifier(fingerprint: tuple) -> ClassifierBundle:
    return load_classifier(CLASSIFIER_DIR)  # the name looked up here, so a test can point it elsewhere


def classifier() -> ClassifierBundle:
    """The fine-tuned MiniLM (adapter merged), reloaded when the files in models/weights/classifier change."""
    return _classifier(model_fingerprint(CLASSIFIER_DIR))


@st.cache_data(show_spinner="Running both models…", max_entries=16)
def _finetune_comparison(fingerprint: tuple, text: str) -> Comparison:
    base = pretrained_run(str(default_model_dir()), text).capture
    return compare_models(base, classify(_classifier(fingerprint), text))


def finetune_comparison(text: str) -> Comparison:
    """`text` through the bundled MiniLM and through its fine-tuned copy: both attentions, the prediction."""
    return _finetune_comparison(model_fingerprint(CLASSIFIER_DIR), text)


@st.cache_resource
def bertviz_asset_url() -> str | None:
    """URL of d3 and jQuery copied from the installed packages; None (inline them) if they can't be written."""
    try:
        bertviz_views.write_assets(STATIC / "vendor")
    except OSError:
        return None
    base = st.get_option("server.baseUrlPath").strip("/")
    return f"/{base}/app/static/vendor" if base else "/app/static/vendor"


@st.cache_resource(show_spinner="Loading the translator…")
def translator(name: str) -> Translator:
    """A trained translator from models/weights/<name>; shared by every session, read-only."""
    return load_translator(WEIGHTS / name)


@st.cache_data(show_spinner=False, max_entries=64)
def translation(name: str, text: str, beam: int) -> Translation:
    return translate(translator(name), text, beam)


@st.cache_data(show_spinner=False)
def test_sentences() -> dict[tuple[str, ...], dict]:
    """The held-out split the translators never trained on, keyed by English tokens."""
    return load_test_sentences()


@st.cache_data(show_spinner=False, max_entries=64)
def transformer_causality(text: str) -> float:
    """How much the Transformer's earlier outputs move when later decoder inputs change (0: the mask holds)."""
    from attention_explorer.models.transformer.model import Transformer, causality_check
    from attention_explorer.models.translation.translator import model_inputs

    tr = translator("transformer")
    if not isinstance(tr.model, Transformer):
        raise ValueError("models/weights/transformer does not hold a Transformer")
    return causality_check(tr.model, *model_inputs(tr, translation("transformer", text, 1)))
