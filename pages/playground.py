"""Scaled dot-product playground: Q, K, V → scores → ÷√d → mask → softmax → output, and friends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.pretrained.loading import default_model_dir
from attention_explorer.models.teaching import playground
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, sentence_box
from attention_explorer.viz.matrices import value_heatmap, weights_heatmap

page_setup()

SOURCES = ["Small matrices you edit", "A sentence through a BERT head"]
SOURCE = state.Field("pg_source", "source", str, SOURCES[0])
TEXT = state.Field("pg_text", "text", str, "The cat sat on the mat.", shared_text=True)
LAYER = state.Field("pg_layer", "layer", int, 0, lo=0, hi=5)
HEAD = state.Field("pg_head", "head", int, 0, lo=0, hi=11)
SCALE = state.Field("pg_scale", "scale", bool, True)
MASK = state.Field("pg_mask", "mask", str, "none")
TEMPERATURE = state.Field("pg_temp", "temperature", float, 1.0, lo=0.1, hi=5.0)
HEADS = state.Field("pg_heads", "heads", int, 1, lo=1, hi=8)
LIMIT = 1e6  # larger entries overflow the scores; the lesson needs none of them

st.title("Scaled dot-product attention, step by step")
st.caption(
    "Attention(Q, K, V) = softmax(Q·Kᵀ / √d) · V. Each query row is compared with every key row; the "
    "scores become weights that sum to 1; the output is the weighted mix of the value rows. Edit the "
    "numbers, or take Q, K and V from a real BERT head."
)

source = state.bound(SOURCE, st.radio, "Q, K and V", SOURCES, horizontal=True, valid=state.within(SOURCES))
if source == SOURCES[0]:
    rng = np.random.default_rng(0)
    tokens = ["the", "cat", "sat", "down"]
    cols = [f"d{i}" for i in range(4)]
    defaults = {name: pd.DataFrame(rng.normal(size=(4, 4)).round(2), index=tokens, columns=cols) for name in "QKV"}
    edited = {}
    for col, name in zip(st.columns(3), "QKV", strict=True):
        col.markdown(f"**{name}**")
        edited[name] = col.data_editor(defaults[name], key=f"pg_{name}", num_rows="fixed")
    try:
        q, k, v = (np.asarray(edited[name], dtype=np.float64) for name in "QKV")
    except (TypeError, ValueError):
        st.error("Every cell must be a number.")
        st.stop()
    if not (np.isfinite(q).all() and np.isfinite(k).all() and np.isfinite(v).all()):
        st.error("Every cell must be a finite number: an empty cell, NaN or infinity cannot be attended to.")
        st.stop()
    if max(np.abs(q).max(), np.abs(k).max(), np.abs(v).max()) > LIMIT:
        st.error(f"Use numbers between −{LIMIT:,.0f} and {LIMIT:,.0f}: larger ones overflow the scores.")
        st.stop()
    q_tokens = k_tokens = tokens
else:
    c1, c2, c3 = st.columns([3, 1, 1])
    with c1:
        text = sentence_box(TEXT, "Sentence", 500)
    with c2:
        layer = state.bound(LAYER, st.selectbox, "Layer", list(range(6)), valid=state.within(list(range(6))))
    with c3:
        head = state.bound(HEAD, st.selectbox, "Head", list(range(12)), valid=state.within(list(range(12))))
    toks: tuple[str, ...] = ()
    if text.strip():
        toks, q, k, v = cache.pretrained_qkv(str(default_model_dir()), text, layer, head)
    if len(toks) <= 2:  # nothing but [CLS] and [SEP]: empty, or only characters the tokenizer drops
        st.info("Type a sentence to take Q, K and V from (this text has no word the model can read).")
        st.stop()
    q_tokens = k_tokens = list(toks)
    st.caption(f"{len(toks)} tokens; each vector has d_head = {q.shape[1]} numbers (all-MiniLM-L6-v2).")

n_k = len(k)
c1, c2, c3, c4 = st.columns(4)
with c1:
    scale = state.bound(SCALE, st.toggle, "Divide by √d")
with c2:
    mask = state.bound(MASK, st.selectbox, "Mask", list(playground.MASKS), valid=state.within(list(playground.MASKS)))
    padding = 0
    if mask == "padding" and n_k == 1:
        st.warning("A single key cannot be padding; the padding mask is not applied.")
        mask = "none"
    elif mask == "padding" and n_k == 2:
        padding = 1  # the only choice: a slider from 1 to 1 cannot be drawn
        st.caption("Padding keys: 1 (the last key)")
    elif mask == "padding":
        padding = st.slider("Padding keys", 1, n_k - 1, 1, key="pg_pad")
with c3:
    temperature = state.bound(TEMPERATURE, st.slider, "Softmax temperature", 0.1, 5.0, step=0.1)
divisors = [h for h in (1, 2, 4, 8) if q.shape[1] % h == 0 and v.shape[1] % h == 0]
with c4:
    heads = state.bound(HEADS, st.selectbox, "Heads", divisors, valid=state.within(divisors))

steps = playground.scaled_dot_product(q, k, v, scale=scale, mask=mask, padding=padding, temperature=temperature)
d = q.shape[1]
s1, s2 = st.columns(2)
chart(
    s1,
    value_heatmap(
        steps.scores, title="1 · scores Q·Kᵀ", x_title="key", y_title="query", row_labels=q_tokens, col_labels=k_tokens
    ),
    key="pg_scores",
)
chart(
    s2,
    value_heatmap(
        steps.masked,
        title=f"2 · {'÷ √' + str(d) if scale else 'not scaled'}, mask: {mask}",
        x_title="key",
        y_title="query",
        row_labels=q_tokens,
        col_labels=k_tokens,
    ),
    key="pg_masked",
)
s3, s4 = st.columns(2)
chart(
    s3,
    weights_heatmap(steps.weights, q_tokens, k_tokens, f"3 · softmax (temperature {temperature:g}): rows sum to 1"),
    key="pg_weights",
)
chart(
    s4,
    value_heatmap(
        steps.output, title="4 · output = weights · V", x_title="dimension", y_title="query", row_labels=q_tokens
    ),
    key="pg_output",
)
spread = np.std(steps.scores) / np.sqrt(d) if scale else np.std(steps.scores)
st.caption(
    f"Why √d: the scores' spread grows with √d (here d = {d}); dividing keeps softmax out of its flat, "
    f"saturated region. Spread after this step: {spread:.2f}."
)

st.subheader("Additive (Bahdanau) scoring on the same inputs")
rng = np.random.default_rng(1)
w_q, w_k = rng.normal(size=(d, d)) / np.sqrt(d), rng.normal(size=(d, d)) / np.sqrt(d)
w_v = np.asarray(rng.normal(size=d))
add = playground.additive(q, k, v, w_q, w_k, w_v, mask=mask, padding=padding, temperature=temperature)
a1, a2 = st.columns(2)
chart(a1, weights_heatmap(steps.weights, q_tokens, k_tokens, "dot-product weights"), key="pg_dot_weights")
chart(
    a2,
    weights_heatmap(add.weights, q_tokens, k_tokens, "additive weights: e = vᵀ tanh(W_q q + W_k k)"),
    key="pg_add_weights",
)
st.caption(
    "Additive scoring passes q and k through a small network (W_q, W_k, v fixed here at random); "
    "dot-product scoring needs no parameters and is one matrix product, which is why Transformers use it."
)

if heads > 1:
    d_head = d // heads
    st.subheader(f"Multi-head: {heads} heads of {d_head} dimension{'s' if d_head != 1 else ''} each")
    parts, concat = playground.multi_head(
        q, k, v, heads, scale=scale, mask=mask, padding=padding, temperature=temperature
    )
    per_row = min(heads, 4)  # at most four heads side by side, so token labels stay readable
    for start in range(0, heads, per_row):
        for h, col in zip(range(start, start + per_row), st.columns(per_row), strict=True):
            chart(
                col,
                weights_heatmap(parts[h].weights, q_tokens, k_tokens, f"head {h}", show_values=False, height=340),
                key=f"pg_head{h}",
            )
    chart(
        st,
        value_heatmap(
            concat,
            title="concatenated outputs (then a final linear layer mixes them)",
            x_title="dimension",
            y_title="query",
            row_labels=q_tokens,
        ),
        key="pg_concat",
    )
