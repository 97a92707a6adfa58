"""The one place where pages cache models and captures (Streamlit caches; no figures here).

Models are `st.cache_resource` (loaded once, shared by every session, never mutated); captures and
tables are `st.cache_data` with a bounded number of entries.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st
from transformers.utils import logging as hf_logging

from attention_explorer.models.core.capture import ScoreBreakdown
from attention_explorer.models.core.memory import ByteLRU, release_free_memory
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained.loading import PretrainedBundle, load_pretrained, model_summary
from attention_explorer.models.teaching import pooling as pooling_lesson
from attention_explorer.models.teaching.positional import cosine_similarity
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    Translation,
    Translator,
    load_test_sentences,
    load_translator,
    translate,
)
from attention_explorer.models.vit import capture as vit_capture
from attention_explorer.models.vit.model import WEIGHTS as VIT_WEIGHTS
from attention_explorer.models.vit.model import TestDigits, ViT, load_test_digits, load_vit
from attention_explorer.pages.shared import warmup
from attention_explorer.viz import bertviz_views

hf_logging.disable_progress_bar()  # "Loading weights: 100%…" bars are noise in a server's log

STATIC = Path(__file__).resolve().parent.parent.parent / "static"  # served at /app/static (enableStaticServing)


@st.cache_resource(show_spinner="Loading the model…", max_entries=4)
def pretrained_bundle(path: str) -> PretrainedBundle:
    """Load once per directory, shared by every session; read-only after load."""
    return warmup.take(f"pretrained:{path}") or load_pretrained(path)


RUNS_BUDGET = 256 * 2**20  # bytes of captures kept for every session together (a 512-token one is 75 MB)


@st.cache_resource
def _runs() -> ByteLRU[pretrained.PretrainedRun]:
    return ByteLRU(RUNS_BUDGET, lambda run: run.capture.weights.nbytes + run.hidden_states.nbytes)


def pretrained_run(path: str, text: str) -> pretrained.PretrainedRun:
    """Attention capture and layer inputs of `text`: one forward pass per (model, text), shared by reference.

    Not st.cache_data: that pickles every value and unpickles a fresh copy on every read (75 MB at 512 tokens).
    """

    def make() -> pretrained.PretrainedRun:
        run = pretrained.run(pretrained_bundle(path), text)
        if run.capture.weights.nbytes > 8 * 2**20:
            release_free_memory()  # the forward pass's temporaries were as large as the capture
        return run

    return _runs().get_or_make((path, text), make)


@st.cache_data(show_spinner=False, max_entries=64)
def pretrained_scores(path: str, text: str, layer: int, head: int, query: int) -> ScoreBreakdown:
    return pretrained.score_breakdown(pretrained_bundle(path), pretrained_run(path, text), layer, head, query)


@st.cache_data(show_spinner=False, max_entries=16)
def pretrained_summary(path: str) -> dict[str, object]:
    return model_summary(pretrained_bundle(path))


@st.cache_data(show_spinner=False, max_entries=32)
def pretrained_qkv(
    path: str, text: str, layer: int, head: int
) -> tuple[tuple[str, ...], np.ndarray, np.ndarray, np.ndarray]:
    """(tokens, q, k, v) of one head for `text`."""
    run = pretrained_run(path, text)
    return (run.capture.query_tokens, *pretrained.head_projections(pretrained_bundle(path), run, layer, head))


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
    return warmup.take(f"translator:{name}") or load_translator(WEIGHTS / name)


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


# --- Attention pooling and the Vision Transformer -------------------------------------------------------------

VIT_DIR = VIT_WEIGHTS  # the checkpoint folder the ViT page reads (a test points it elsewhere)


@st.cache_data(show_spinner=False, max_entries=1)
def pooling_data() -> pooling_lesson.PoolingData:
    """The chapter's 1-D example with its fixed seed: keys, values, queries, truth."""
    return pooling_lesson.make_data()


@st.cache_data(show_spinner=False, max_entries=16)
def pooling_training(w0: float, lr: float, steps: int) -> pooling_lesson.WidthTraining:
    """Gradient descent on the kernel's w (deterministic, so equal settings give the same run)."""
    data = pooling_data()
    return pooling_lesson.train_width(data.keys, data.values, w0=w0, lr=lr, steps=steps)


@st.cache_resource(show_spinner="Loading the ViT…", max_entries=2)
def _vit(folder: str) -> tuple[ViT, dict]:
    return load_vit(Path(folder))


def vit_bundle() -> tuple[ViT, dict]:
    """The trained ViT and its metrics from VIT_DIR; shared by every session, read-only (CheckpointError if broken)."""
    return _vit(str(VIT_DIR))


@st.cache_data(show_spinner=False, max_entries=2)
def _vit_test_digits(folder: str) -> TestDigits:
    return load_test_digits(Path(folder))


def vit_test_digits() -> TestDigits:
    """The held-out digits stored beside the checkpoint."""
    return _vit_test_digits(str(VIT_DIR))


@st.cache_data(show_spinner=False, max_entries=64)
def _vit_classify(folder: str, image: np.ndarray) -> vit_capture.DigitResult:
    return vit_capture.classify(_vit(folder)[0], image)


def vit_classify(image: np.ndarray) -> vit_capture.DigitResult:
    """Probabilities and attention of one 8×8 image (64 images kept)."""
    return _vit_classify(str(VIT_DIR), np.asarray(image, dtype=np.float32))


@st.cache_data(show_spinner=False, max_entries=2)
def _vit_misclassified(folder: str) -> list[tuple[int, int, int]]:
    digits = _vit_test_digits(folder)
    predictions = vit_capture.predict(_vit(folder)[0], digits.images)
    return [
        (i, int(digits.labels[i]), int(predictions[i])) for i in vit_capture.misclassified(predictions, digits.labels)
    ]


def vit_misclassified() -> list[tuple[int, int, int]]:
    """(position in the test split, true label, prediction) of every test digit the ViT gets wrong."""
    return _vit_misclassified(str(VIT_DIR))


@st.cache_data(show_spinner=False, max_entries=2)
def _vit_position_similarity(folder: str) -> np.ndarray:
    return cosine_similarity(_vit(folder)[0].position_table())


def vit_position_similarity() -> np.ndarray:
    """Cosine similarity of the learned position vectors of every pair of patches."""
    return _vit_position_similarity(str(VIT_DIR))
