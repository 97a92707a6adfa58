"""The one place where pages cache models, captures and figures.

Models are `st.cache_resource` (loaded once, shared by every session, never mutated); captures are shared by
reference in byte-bounded LRUs; tables are `st.cache_data` with a bounded number of entries; figures are
kept per capture while it lives (`figure`).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import streamlit as st

from attention_explorer.models.core.memory import ByteLRU, OwnedMemo, release_free_memory
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

FIGURES = OwnedMemo(per_owner=24)  # per capture: a handful of heads and layers visited, rollouts, the grid


def figure(owner: Any, build: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """`build(owner, *args, **kwargs)`: a Plotly figure of `owner` (a capture), built once while `owner` lives.

    Building a figure (Plotly validates every property) costs more than the forward pass at 32 tokens, and
    a class looks at the same few heads of the same sentences. The figure is shared: pass it to `chart`
    (which copies it), never change it.
    """
    code = getattr(build, "__code__", None)  # pages' own helpers all live in "__main__": their file tells them apart
    key = (build.__module__, code.co_filename if code else "", build.__qualname__, args, tuple(sorted(kwargs.items())))
    return FIGURES.get_or_make(owner, key, lambda: build(owner, *args, **kwargs))


STATIC = Path(__file__).resolve().parent.parent.parent / "static"  # served at /app/static (enableStaticServing)


FINGERPRINT_SECONDS = 2.0  # how long a directory's fingerprint is reused before its files are listed again
_fingerprints: dict[str, tuple[float, tuple]] = {}
_clock = time.monotonic  # (a test steps it)


def fingerprint(path: str | Path) -> tuple:
    """model_fingerprint(path), listed again at most every FINGERPRINT_SECONDS.

    A page asks for it three to six times per run; under a class, listing and stat-ing the folder each time was
    an eighth of the server's CPU. A model saved again into its folder is picked up within two seconds.
    """
    key = str(path)
    now = _clock()
    hit = _fingerprints.get(key)
    if hit is not None and now - hit[0] < FINGERPRINT_SECONDS:
        return hit[1]
    value = model_fingerprint(path)
    if len(_fingerprints) >= 64:  # paths come from visitors (under the allowed roots): keep the memo small
        _fingerprints.clear()
    _fingerprints[key] = (now, value)
    return value


# ---- pretrained models: any local Hugging Face directory, the bundled MiniLM, the GPT trained here ----------------
# Every entry is keyed on the directory AND its files' names, sizes and modification times (model_fingerprint), so
# a model saved again into the same folder is loaded again instead of being served from the cache.


@st.cache_resource(show_spinner="Loading the model…", max_entries=3)
def _pretrained_bundle(path: str, fingerprint: tuple) -> PretrainedBundle:
    return warmup.settled(warmup.take(f"pretrained:{path}") or load_pretrained(path))


def pretrained_bundle(path: str) -> PretrainedBundle:
    """Load once per directory (and version of its files), shared by every session; read-only after load.

    At most three models stay loaded (the bundled one, the GPT, one more): a 1 B-parameter model is 4 GB.
    """
    return _pretrained_bundle(path, fingerprint(path))


RUNS_BUDGET = 256 * 2**20  # bytes of captures kept for every session together (a 512-token one is 75 MB)


def run_bytes(run: pretrained.PretrainedRun) -> int:
    """What one run holds: every attention (encoder, decoder, cross) and every layer's input."""
    weights = sum(cap.weights.nbytes for cap in run.captures.values())
    hidden = sum(states.nbytes for states in run.hidden_states.values())
    return weights + hidden + (run.encoder_output.nbytes if run.encoder_output is not None else 0)


@st.cache_resource
def _runs() -> ByteLRU[pretrained.PretrainedRun]:
    return ByteLRU(RUNS_BUDGET, run_bytes)


def pretrained_run(path: str, text: str, budget: int = pretrained.DEFAULT_NEW_TOKENS) -> pretrained.PretrainedRun:
    """Attentions, layer inputs and generated tokens of `text`: one run per (model version, text, token budget),
    shared by reference.

    Not st.cache_data: that pickles every value and unpickles a fresh copy on every read (75 MB at 512 tokens).
    """
    version = fingerprint(path)

    def make() -> pretrained.PretrainedRun:
        run = pretrained.run(_pretrained_bundle(path, version), text, budget)
        if run_bytes(run) > 8 * 2**20:
            release_free_memory()  # the forward pass's temporaries were as large as the capture
        return run

    return _runs().get_or_make((path, version, text, budget), make)


@st.cache_data(show_spinner=False, max_entries=64)
def _pretrained_scores(
    path: str, fingerprint: tuple, text: str, budget: int, part: str, layer: int, head: int, query: int
) -> HeadScores:
    bundle = _pretrained_bundle(path, fingerprint)
    return head_scores(bundle, pretrained_run(path, text, budget), part, layer, head, query)


def pretrained_scores(
    path: str, text: str, layer: int, head: int, query: int, *, part: str = "", budget: int = 0
) -> HeadScores:
    """How one score is made (ScoreUnavailable, a ValueError, when this architecture's cannot be recomputed)."""
    budget = budget or pretrained.DEFAULT_NEW_TOKENS
    part = part or next(iter(pretrained_run(path, text, budget).captures))
    return _pretrained_scores(path, fingerprint(path), text, budget, part, layer, head, query)


@st.cache_data(show_spinner=False, max_entries=16)
def _pretrained_summary(path: str, fingerprint: tuple) -> dict[str, object]:
    return model_summary(_pretrained_bundle(path, fingerprint))


def pretrained_summary(path: str) -> dict[str, object]:
    return _pretrained_summary(path, fingerprint(path))


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
    return _gpt_metrics(fingerprint(GPT_DIR))


# ---- the fine-tuned classifier (bundled MiniLM + LoRA adapter) ---------------------------------------------------


@st.cache_resource(show_spinner="Loading the fine-tuned model…", max_entries=2)
def _classifier(fingerprint: tuple) -> ClassifierBundle:
    return warmup.settled(load_classifier(CLASSIFIER_DIR))  # the name looked up here: a test may point it elsewhere


def classifier() -> ClassifierBundle:
    """The fine-tuned MiniLM (adapter merged), reloaded when the files in models/weights/classifier change."""
    return _classifier(fingerprint(CLASSIFIER_DIR))


@st.cache_resource
def _comparisons() -> ByteLRU[Comparison]:
    return ByteLRU(RUNS_BUDGET // 2, lambda c: c.pretrained.weights.nbytes + c.finetuned.capture.weights.nbytes)


def finetune_comparison(text: str) -> Comparison:
    """`text` through the bundled MiniLM and through its fine-tuned copy: both attentions, the prediction.

    Shared by reference like pretrained_run (two 512-token captures are 150 MB; cache_data would copy them).
    """
    version = fingerprint(CLASSIFIER_DIR)

    def make() -> Comparison:
        base = pretrained_run(str(default_model_dir()), text).capture
        return compare_models(base, classify(_classifier(version), text))

    return _comparisons().get_or_make((version, text), make)


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
    return warmup.settled(warmup.take(f"translator:{name}") or load_translator(WEIGHTS / name))


def translation_bytes(result: Translation) -> int:
    """What one translation holds: its attentions and its arrays (scores, states, contexts)."""
    return sum(c.weights.nbytes for c in result.captures.values()) + sum(a.nbytes for a in result.arrays.values())


@st.cache_resource
def _translations() -> ByteLRU[Translation]:
    return ByteLRU(RUNS_BUDGET // 4, translation_bytes)


def translation(name: str, text: str, beam: int) -> Translation:
    """`text` through one translator with this beam width: one per (model, text, beam), shared by reference.

    Not st.cache_data, which unpickles a fresh copy on every read; a translation is never changed after it is made.
    """
    return _translations().get_or_make((name, text, beam), lambda: translate(translator(name), text, beam))


@st.cache_resource
def test_sentences() -> dict[tuple[str, ...], dict]:
    """The held-out split the translators never trained on, keyed by English tokens; shared, read only.

    Not st.cache_data: unpickling all of it on every run was most of the seq2seq page's cost.
    """
    return load_test_sentences()


@st.cache_data(show_spinner=False, max_entries=64)
def transformer_causality(text: str, beam: int = 1) -> float:
    """How much the Transformer's earlier outputs move when later decoder inputs change (0: the mask holds), on
    the output the page shows (greedy, or the beam's of this width)."""
    from attention_explorer.models.transformer.model import Transformer, causality_check
    from attention_explorer.models.translation.translator import model_inputs

    tr = translator("transformer")
    if not isinstance(tr.model, Transformer):
        raise ValueError("models/weights/transformer does not hold a Transformer")
    return causality_check(tr.model, *model_inputs(tr, translation("transformer", text, beam)))


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
    return warmup.settled(load_vit(Path(folder)))


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
