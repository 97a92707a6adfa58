"""Positional encoding: the sinusoidal table, its similarities, the shift identity, learned tables."""

from __future__ import annotations

import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.pretrained.loading import ModelLoadError, default_model_dir, position_embeddings
from attention_explorer.models.teaching import positional
from attention_explorer.models.transformer.model import Transformer
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart
from attention_explorer.viz.matrices import position_similarity, value_heatmap

page_setup()

D_MODEL = state.Field("pe_d", "d_model", int, 128, lo=4, hi=512)
LENGTH = state.Field("pe_len", "positions", int, 64, lo=2, hi=512)
BASE = state.Field("pe_base", "base", float, 10000.0, lo=2.0, hi=1e6)
SHIFT = state.Field("pe_k", "shift", int, 5, lo=0, hi=511)

st.title("Positional encoding")
st.caption(
    "Self-attention by itself ignores word order: shuffle the tokens and every token sees the same set. "
    "A Transformer adds a position vector to each token's embedding. The original Transformer uses a fixed "
    "table of sines and cosines, PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)); "
    "BERT learns its table instead."
)

c1, c2, c3 = st.columns(3)
with c1:
    d_model = state.bound(D_MODEL, st.slider, "d_model", 4, 512, step=2, valid=lambda d: d - d % 2)
with c2:
    length = state.bound(LENGTH, st.slider, "Positions", 2, 512)
with c3:
    base = state.bound(BASE, st.number_input, "Base", 2.0, 1e6, step=1000.0)
table = positional.sinusoidal_table(length, d_model, base)

left, right = st.columns(2)
chart(
    left,
    value_heatmap(table, title="PE table", x_title="dimension", y_title="position", show_values=False, height=480),
    key="pe_table",
)
chart(
    right,
    value_heatmap(
        table @ table.T,
        title="PE(p) · PE(q): nearby positions are alike",
        x_title="position q",
        y_title="position p",
        show_values=False,
        height=480,
    ),
    key="pe_similarity",
)

st.subheader("PE(p + k) is a fixed linear map of PE(p)")
k = state.bound(SHIFT, st.slider, "Shift k", 0, length - 1, valid=lambda v: min(max(v, 0), length - 1))
m_k = positional.shift_matrix(k, d_model, base)
error, n_positions = positional.shift_error(table, k, base)
st.markdown(
    f"M_{k} rotates each (sin, cos) pair by ω_i·{k}; it does not depend on p. "
    f"Largest |PE(p+{k}) − M_{k}·PE(p)| over {n_positions} position{'s' if n_positions != 1 else ''}: "
    f"**{error:.1e}**."
)
view = min(d_model, 16)
chart(
    st,
    value_heatmap(
        m_k[:view, :view],
        title=f"M_{k}, first {view} dimensions (block diagonal)",
        x_title="from dimension",
        y_title="to dimension",
        show_values=view <= 12,
    ),
    key="pe_shift",
)

st.subheader("Learned next to fixed")
cols = st.columns(2)
try:
    transformer = cache.translator("transformer").model
    if not isinstance(transformer, Transformer):
        raise CheckpointError("models/weights/transformer does not hold a Transformer")
    tf_table = transformer.pe.numpy()  # the table the trained model adds to its embeddings
    chart(
        cols[0],
        position_similarity(tf_table, f"This Transformer (fixed sinusoidal, d={tf_table.shape[1]})"),
        key="pe_tf",
    )
except CheckpointError as exc:
    cols[0].error(f"The Transformer checkpoint could not be loaded. {exc}")
try:
    bundle = cache.pretrained_bundle(str(default_model_dir()))
    table_learned = position_embeddings(bundle)
    if table_learned is None:
        raise ModelLoadError("this model has no learned position table")
    learned = table_learned[:length]
    chart(
        cols[1],
        position_similarity(learned, f"BERT ({bundle.name}), learned, first {len(learned)} positions"),
        key="pe_bert",
    )
except ModelLoadError as exc:
    cols[1].error(f"BERT's position embeddings could not be read: {exc}")
st.caption(
    "Cosine similarity between position vectors. Both show a band along the diagonal: nearby positions "
    "get similar vectors — one by construction, the other learned from text."
)
