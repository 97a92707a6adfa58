"""Fine-tuned BERT: the bundled MiniLM before and after LoRA fine-tuning for a task, on the same sentence."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.finetune.model import RETRAIN, Comparison
from attention_explorer.models.pretrained.loading import MAX_CHARS
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, compare_link, sentence_box
from attention_explorer.viz import compare, heatmap
from attention_explorer.viz.text import literal

page_setup()

EXAMPLE = "Did the old king sell the castle"
TEXT = state.Field("ft_text", "text", str, EXAMPLE, max_len=MAX_CHARS, shared_text=True)
CLS_LAYER = state.Field("ft_layer", "layer", int, 5, lo=0, hi=63)  # the last layer of the 6-layer MiniLM
# None: the head that changed most for this sentence (the page's choice until a person picks one)
HEAD_LAYER = state.Field("ft_head_layer", "hlayer", int, None, lo=0, hi=63)
HEAD = state.Field("ft_head", "head", int, None, lo=0, hi=63)

st.title("Fine-tuned BERT: transfer learning")
st.caption(
    "The bundled all-MiniLM-L6-v2 (a BERT, 6 layers × 12 heads) fine-tuned to tell a statement, a negated statement "
    "and a question apart. Only low-rank updates of its query and value layers (LoRA) and a new classification head "
    "on [CLS] were trained; every other weight is the pretrained one. What did the training change in its attention?"
)

try:
    model = cache.classifier()
except CheckpointError as exc:
    st.error(f"The fine-tuned model could not be loaded. {exc}")  # a fixed folder: no typed text in the message
    st.stop()

text = sentence_box(TEXT, "Sentence", MAX_CHARS, help="Press Enter to run.")
if not text.strip():
    st.info("Type a sentence and press Enter: try one without its question mark.")
    st.stop()
try:
    result = cache.finetune_comparison(text)
except ValueError as exc:
    st.error(f"The models could not process this text: {literal(str(exc), 400)}")
    st.stop()
pre, ft = result.pretrained, result.finetuned.capture
if ft.truncated_from:
    st.warning(f"This text has {ft.truncated_from} tokens; both models read the first {len(ft.query_tokens)}.")


# Figures are kept with the comparison they show (cache.figure): a class opening the same example builds each once.
def prediction_figure(result: Comparison) -> go.Figure:
    return compare.prediction_figure(result.finetuned.labels, result.finetuned.probabilities)


def cls_rows_figure(result: Comparison, layer: int) -> go.Figure:
    pre, ft = result.pretrained, result.finetuned.capture
    rows = [pre.weights[layer, :, 0, :], ft.weights[layer, :, 0, :]]
    return compare.first_row_figure(ft.key_tokens, rows, ["pretrained", "fine-tuned"], layer)


def divergence_figure(result: Comparison) -> go.Figure:
    return compare.divergence_heatmap(result.divergence)


# ---- prediction ----------------------------------------------------------------------------------------------------
st.subheader("Prediction")
p1, p2 = st.columns([1, 2])
p1.metric("The fine-tuned model says", result.finetuned.label, f"{result.finetuned.probability:.1%} probability")
chart(p2, cache.figure(result, prediction_figure), key="ft_prediction")

# ---- [CLS] rows side by side ---------------------------------------------------------------------------------------
st.subheader("Where [CLS] looks, before and after")
st.caption("The classification head reads [CLS]'s final vector, so its attention is where the task shows first.")
layers, heads = list(range(ft.num_layers)), list(range(ft.num_heads))
layer = state.bound(CLS_LAYER, st.selectbox, "Layer", layers, valid=state.within(layers))
chart(st, cache.figure(result, cls_rows_figure, layer), key="ft_cls")

# ---- which heads changed -------------------------------------------------------------------------------------------
st.subheader("Which heads changed")
d1, d2 = st.columns([3, 2])
chart(d1, cache.figure(result, divergence_figure), key="ft_divergence")
with d2:
    st.markdown("**Most changed heads** (mean Jensen–Shannon divergence of the two models' rows, 0 … ln 2 ≈ 0.69)")
    st.dataframe(
        {
            "layer": [layer_ for layer_, _, _ in result.most_changed()],
            "head": [head_ for _, head_, _ in result.most_changed()],
            "divergence (nats)": [round(d, 4) for _, _, d in result.most_changed()],
        },
        hide_index=True,
    )

c_layer, c_head = st.columns(2)
best_layer, best_head, _ = result.most_changed(1)[0]
with c_layer:
    h_layer = state.bound(
        HEAD_LAYER, st.selectbox, "Layer ", layers, valid=lambda v: best_layer if v is None else state.within(layers)(v)
    )
with c_head:
    h_head = state.bound(
        HEAD, st.selectbox, "Head", heads, valid=lambda v: best_head if v is None else state.within(heads)(v)
    )
left, right = st.columns(2)
chart(left, cache.figure(pre, heatmap.head_heatmap, h_layer, h_head), key="ft_pre_heatmap")
chart(right, cache.figure(ft, heatmap.head_heatmap, h_layer, h_head), key="ft_ft_heatmap")
compare_link(st, "MiniLM fine-tuned (classifier)", text, h_layer, h_head, ft.num_heads, b_model="MiniLM (bundled BERT)")

# ---- how it was trained --------------------------------------------------------------------------------------------
metrics = model.metrics
if metrics:
    st.subheader("How good it is")
    m1, m2, m3 = st.columns(3)
    m1.metric(
        "Held-out accuracy", f"{metrics['test']['accuracy']:.1%}", help=f"{metrics['test']['sentences']} sentences"
    )
    m2.metric("Without final punctuation", f"{metrics['test_without_final_punctuation']['accuracy']:.1%}")
    m3.metric("Sentences typed by hand", f"{metrics['typed_by_hand']['accuracy']:.1%}")
    st.caption(
        f"LoRA rank {metrics['lora']['r']} on {', '.join(metrics['lora']['target_modules'])}: "
        f"{metrics['trainable_parameters']:,} trained parameters (the base model has 22.7 M). Retrain: `{RETRAIN}`."
    )
