"""GPT: a decoder-only Transformer trained here predicts the next word; causal self-attention, step by step."""

from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.analysis import previous_token_weight
from attention_explorer.models.core.capture import AttentionCapture
from attention_explorer.models.gpt.model import GPT_DIR, RETRAIN
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained.loading import MAX_CHARS, ModelLoadError
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, compare_link, sentence_box
from attention_explorer.viz import generation, heatmap
from attention_explorer.viz.text import literal, quoted

page_setup()

EXAMPLE = "the old king will"
MODEL = str(GPT_DIR)
# A prompt to continue, not a sentence to analyse: it does not take the sentence typed on the other pages.
TEXT = state.Field("gpt_text", "text", str, EXAMPLE, max_len=MAX_CHARS)
WORDS = state.Field("gpt_budget", "words", int, 10, lo=1, hi=pretrained.MAX_NEW_TOKENS)
STEP = state.Field("gpt_step", "step", int, 0, lo=0, hi=pretrained.MAX_NEW_TOKENS - 1)
LAYER = state.Field("gpt_layer", "layer", int, 0, lo=0, hi=63)
HEAD = state.Field("gpt_head", "head", int, 0, lo=0, hi=63)

st.title("GPT: next-word prediction")
st.caption(
    "A decoder-only Transformer (GPT-2 architecture: 2 layers × 4 heads) trained in this repo to predict the next "
    "word of the generated English sentences. Each token may attend only to itself and the tokens before it "
    "(causal self-attention); the last position's output is a probability for every word of the vocabulary."
)

try:
    bundle = cache.pretrained_bundle(MODEL)
except ModelLoadError as exc:
    st.error(f"The GPT could not be loaded. {exc} Retrain with: `{RETRAIN}`")  # a fixed folder: no typed text
    st.stop()

# ---- input ---------------------------------------------------------------------------------------------------------
col_text, col_budget = st.columns([4, 1])
with col_text:
    text = sentence_box(TEXT, "Prompt", MAX_CHARS, help="Press Enter to run.")
with col_budget:
    budget = int(
        state.bound(
            WORDS,
            st.number_input,
            "Words to generate",
            1,
            pretrained.MAX_NEW_TOKENS,
            help="Greedy: the most probable each time.",
        )
    )
if not text.strip():
    st.info("Type the start of a sentence and press Enter: the model continues it, one word at a time.")
    st.stop()
try:
    run = cache.pretrained_run(MODEL, text, budget)
except ValueError as exc:
    st.error(f"The model could not process this prompt: {literal(str(exc), 400)}")
    st.stop()
unknown = pretrained.unknown_words(bundle, text)
if unknown:
    st.warning(
        "Never seen in training, read as `<unk>`: "
        + ", ".join(quoted(w, 40) for w in unknown[:20])
        + ". The model knows only the words of the generated corpus."
    )
cap = run.capture
if cap.truncated_from:
    st.warning(f"The prompt has {cap.truncated_from} tokens; the first {run.prompt_length} are used.")


# Figures are kept with the run they show (cache.figure): a class opening the same example builds each once.
def next_word_figure(run: pretrained.PretrainedRun, step: int, title: str) -> go.Figure:
    return generation.next_token_figure(run.steps[step], title)


def generation_figure(run: pretrained.PretrainedRun) -> go.Figure:
    return generation.generation_figure(run.steps)


def looked_back_figure(run: pretrained.PretrainedRun, query: int, layer: int, head: int, title: str) -> go.Figure:
    seen = pretrained.prefix(run.capture, query + 1)  # what the model had read when it chose this step's word
    return generation.row_figure(seen.key_tokens, seen.head(layer, head)[query], title)


def read_so_far_heatmap(run: pretrained.PretrainedRun, query: int, layer: int, head: int) -> go.Figure:
    return heatmap.head_heatmap(pretrained.prefix(run.capture, query + 1), layer, head)


def previous_token_figure(cap: AttentionCapture) -> go.Figure:
    return generation.previous_token_heatmap(previous_token_weight(cap.weights))


# ---- the next word -------------------------------------------------------------------------------------------------
st.subheader("The next word")
left, right = st.columns([2, 3])
chart(left, cache.figure(run, next_word_figure, 0, "after the prompt"), key="gpt_next")
with right:
    st.markdown("**The prompt and what the model wrote** (greedy decoding)")
    shown = text.strip() if len(text.strip()) <= 300 else text.strip()[:300] + "…"
    st.text(f"{shown} → {run.generated_text}")
    chart(st, cache.figure(run, generation_figure), key="gpt_generation")

# ---- step by step --------------------------------------------------------------------------------------------------
st.subheader("Generation step by step")
last = len(run.steps) - 1
step = 0
if last > 0:
    step = state.bound(STEP, st.slider, "Step", 0, last, valid=lambda v: min(max(int(v), 0), last))
c_layer, c_head = st.columns(2)
layers, heads = list(range(cap.num_layers)), list(range(cap.num_heads))
with c_layer:
    layer = state.bound(LAYER, st.selectbox, "Layer", layers, valid=state.within(layers))
with c_head:
    head = state.bound(HEAD, st.selectbox, "Head", heads, valid=state.within(heads))
query = pretrained.step_query(run, step)
s1, s2 = st.columns(2)
chart(s1, cache.figure(run, next_word_figure, step, f"step {step}: candidates"), key="gpt_step_next")
title = f"layer {layer}, head {head}: how “{cap.query_tokens[query]}” looked back"
chart(s2, cache.figure(run, looked_back_figure, query, layer, head, title), key="gpt_step_row")
chart(st, cache.figure(run, read_so_far_heatmap, query, layer, head), key="gpt_step_heatmap")
compare_link(st, "GPT trained here (with its continuation)", text, layer, head, cap.num_heads)
st.caption(
    f"The model has read {query + 1} tokens; the last row produced “{run.steps[step].token}”. Everything above "
    "the diagonal is 0: no token sees the future."
)

# ---- every head ----------------------------------------------------------------------------------------------------
st.subheader("Causal self-attention, every head")
g1, g2 = st.columns([3, 2])
chart(g1, cache.figure(cap, heatmap.heads_grid, tile_px=90), key="gpt_grid", config={"displayModeBar": False})
with g2:
    chart(st, cache.figure(cap, previous_token_figure), key="gpt_previous")
    st.caption(
        "A previous-token head puts most of its weight on the token just before each query: the diagonal line "
        "below the main diagonal in its tile."
    )

metrics = cache.gpt_metrics()
if metrics:
    st.subheader("How good it is")
    m1, m2, m3 = st.columns(3)
    m1.metric("Perplexity on held-out sentences", f"{metrics['test']['perplexity']:.2f}")
    found = ", ".join(f"L{layer_}·h{head_}" for layer_, head_ in metrics["previous_token"]["heads"])
    m2.metric("Previous-token heads", found or "none")
    m3.metric("Parameters", f"{metrics['parameters']:,}")
    st.caption(
        "Perplexity: e to the mean negative log-probability of each next word of the test sentences — the number of "
        "equally likely words the model is, on average, choosing between. Previous-token heads: mean weight on the "
        "previous token over the test sentences above 0.5."
    )
st.caption("Every view of the Pretrained Transformers page (bertviz, scores, export) works for this GPT too.")
