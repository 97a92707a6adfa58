"""Scaled dot-product playground: Q, K, V → scores → ÷√d → mask → softmax → output, and friends."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from attention_explorer.models.pretrained.loading import default_model_dir
from attention_explorer.models.teaching import playground
from attention_explorer.pages.shared import cache
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart
from attention_explorer.viz.matrices import value_heatmap, weights_heatmap

page_setup()

st.title("Scaled dot-product attention, step by step")
st.caption(
    "Attention(Q, K, V) = softmax(Q·Kᵀ / √d) · V. Each query row is compared with every key row; the "
    "scores become weights that sum to 1; the output is the weighted mix of the value rows. Edit the "
    "numbers, or take Q, K and V from a real BERT head."
)

source = st.radio(
    "Q, K and V", ["Small matrices you edit", "A sentence through a BERT head"], horizontal=True, key="pg_source"
)
if source == "Small matrices you edit":
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
        st.error("Every cell must be a finite number.")
        st.stop()
    q_tokens = k_tokens = tokens
else:
    c1, c2, c3 = st.columns([3, 1, 1])
    text = c1.text_input("Sentence", "The cat sat on the mat.", key="pg_text", max_chars=500)
    layer = c2.selectbox("Layer", range(6), key="pg_layer")
    head = c3.selectbox("Head", range(12), key="pg_head")
    if not text.strip():
        st.info("Type a sentence to take Q, K and V from.")
        st.stop()
    toks, q, k, v = cache.pretrained_qkv(str(default_model_dir()), text[:500], layer, head)
    q_tokens = k_tokens = list(toks)
    st.caption(f"{len(toks)} tokens; each vector has d_head = {q.shape[1]} numbers (all-MiniLM-L6-v2).")

n_k = len(k)
c1, c2, c3, c4 = st.columns(4)
scale = c1.toggle("Divide by √d", value=True, key="pg_scale")
mask = c2.selectbox("Mask", playground.MASKS, key="pg_mask")
padding = c2.slider("Padding keys", 1, max(1, n_k - 1), 1, key="pg_pad") if mask == "padding" and n_k > 1 else 0
if mask == "padding" and n_k == 1:
    st.warning("A single key cannot be padding; the padding mask is not applied.")
    mask = "none"
temperature = c3.slider("Softmax temperature", 0.1, 5.0, 1.0, 0.1, key="pg_temp")
divisors = [h for h in (1, 2, 4, 8) if q.shape[1] % h == 0 and v.shape[1] % h == 0]
heads = c4.selectbox("Heads", divisors, key="pg_heads")

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
    st.subheader(f"Multi-head: {heads} heads of {d // heads} dimensions")
    parts, concat = playground.multi_head(
        q, k, v, heads, scale=scale, mask=mask, padding=padding, temperature=temperature
    )
    for h, (col, part) in enumerate(zip(st.columns(heads), parts, strict=True)):
        chart(
            col,
            weights_heatmap(part.weights, q_tokens, k_tokens, f"head {h}", show_values=False, height=300),
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
