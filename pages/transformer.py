"""Transformer: encoder self-attention, decoder causal self-attention and cross-attention, per layer and head."""

from __future__ import annotations

import functools

import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup, projector
from attention_explorer.pages.shared.widgets import (
    TRANSLATOR_CHARS,
    beam_candidates,
    chart,
    compare_link,
    figures_table,
    json_download,
    open_clicked_head,
    reading,
    rollout_pair,
    sentence_box,
)
from attention_explorer.viz import bertviz_views, heatmap
from attention_explorer.viz.text import literal, quoted

page_setup()

EXAMPLE = "the green apple will fall ."
KINDS = {
    "Encoder self-attention": "encoder",
    "Decoder causal self-attention": "decoder",
    "Encoder-decoder cross-attention": "cross",
}
BERTVIZ_NAMES = {"encoder": "Encoder", "decoder": "Decoder", "cross": "Cross"}
TEXT = state.Field("tf_text", "text", str, EXAMPLE, shared_text=True)
KIND = state.Field("tf_kind", "attention", str, "Encoder self-attention")
LAYER = state.Field("tf_layer", "layer", int, 0, lo=0, hi=63)
HEAD = state.Field("tf_head", "head", int, 0, lo=0, hi=63)
DECODINGS = ["Greedy", "Beam search"]
DECODING = state.Field("tf_mode", "decoding", str, "Greedy")
BEAM = state.Field("tf_width", "beam", int, 4, lo=2, hi=8)

st.title("Transformer: the three attentions")
st.caption(
    "No recurrence: every token attends to every other in one step. The encoder's self-attention mixes the "
    "English words; the decoder's self-attention is masked so a position sees only the French words already "
    "written (upper triangle zero); cross-attention lets each French position look at the encoded English — "
    "the job Bahdanau attention does in the RNN."
)

try:
    tr = cache.translator("transformer")
except CheckpointError as exc:
    st.error(f"The Transformer could not be loaded. {exc}")
    st.stop()

text = sentence_box(TEXT, "English sentence", TRANSLATOR_CHARS)
if not text.strip():
    st.info("Type an English sentence and press Enter.")
    st.stop()
c_mode, c_width = st.columns([2, 3])
with c_mode:
    mode = state.bound(DECODING, st.radio, "Decoding", DECODINGS, horizontal=True, valid=state.within(DECODINGS))
with c_width:
    width = state.bound(BEAM, st.slider, "Beam width", 2, 8) if mode == "Beam search" else 1
try:
    result = cache.translation("transformer", text, width)
except ValueError as exc:
    st.error(literal(str(exc), 400))
    st.stop()
if result.unknown:
    st.warning(
        "Never seen in training, read as <unk>: "
        + "; ".join(
            quoted(w) + (f" (nearest known: {', '.join(literal(x) for x in n)})" if n else "")
            for w, n in result.unknown.items()
        )
        + ". Where the decoder writes <unk>, it copies the unknown English word its best-aligned cross-attention "
        "head weighs most."
    )
st.markdown(f"### {literal(result.sentence) or '∅'}")
reading(st, result)
beam_candidates(st, result)


c1, c2, c3 = st.columns([2, 1, 1])
with c1:
    kind_label = state.bound(KIND, st.radio, "Attention", list(KINDS), valid=state.within(list(KINDS)))
capture = result.captures[KINDS[kind_label]]
layers, heads = list(range(capture.num_layers)), list(range(capture.num_heads))
with c2:
    layer = state.bound(LAYER, st.selectbox, "Layer", layers, valid=state.within(layers))
with c3:
    head = state.bound(HEAD, st.selectbox, "Head", heads, valid=state.within(heads))

left, right = st.columns([3, 2])
chart(left, cache.figure(capture, heatmap.head_heatmap, layer, head), key="tf_heatmap")
with right:
    st.markdown("**All layers and heads**")
    st.caption("Each tile is one head (rows: layers). Click a tile to open it on the left.")
    chart(
        st,
        cache.figure(capture, heatmap.heads_grid, tile_px=90),
        key="tf_grid",
        on_select=functools.partial(open_clicked_head, *("tf_grid", LAYER.key, HEAD.key, capture.num_heads)),
        selection_mode="points",
        config={"displayModeBar": False},
    )

COMPARE_NAMES = {
    "encoder": "Translator Transformer: encoder",
    "cross": "Translator Transformer: cross-attention",
    "decoder": "Translator Transformer: decoder",
}
compare_link(st, COMPARE_NAMES[KINDS[kind_label]], text, layer, head, capture.num_heads, beam=width)

rollout_box = st.expander("The encoder: raw attention and rollout", key="tf_rollout", on_change="rerun")
if rollout_box.open:
    with rollout_box:
        encoder = result.captures["encoder"]
        enc_layer = min(layer, encoder.num_layers - 1)
        st.caption(
            "Rollout (Abnar & Zuidema 2020) multiplies the encoder layers' head-averaged attention, each taken as "
            "0.5·A + 0.5·I for the residual connection: how much each English token draws on each input token by "
            f"layer {enc_layer}. It assumes information mixes only linearly through attention: a picture, not a proof."
        )
        rollout_pair(encoder, enc_layer, "tf_raw_mean", "tf_rollout_fig", name="encoder ")

bertviz = st.expander("bertviz encoder-decoder views (head view and model view)", key="tf_bertviz", on_change="rerun")
if bertviz.open:
    with bertviz:
        st.caption(
            "The Attention menu inside each view switches between Encoder, Decoder and Cross; it starts on the "
            "attention chosen above. Drawn from files installed with the app."
        )
        captures = {BERTVIZ_NAMES[k]: c for k, c in result.captures.items()}
        asset_url = cache.bertviz_asset_url()
        views: tuple[tuple[bertviz_views.View, str], ...] = (("head", "Head view"), ("model", "Model view"))
        for view, title in views:
            st.markdown(f"**{title}**")
            doc = bertviz_views.encoder_decoder_html(
                captures, view, layer=layer, asset_url=asset_url, shown=BERTVIZ_NAMES[KINDS[kind_label]]
            )
            st.iframe(doc, height="content")

if not projector():
    # the causal-mask check decodes the output again with altered inputs: a fifth of a run's cost, made only
    # when someone opens it
    integrity = st.expander("Integrity: does the decoder read only the past?", key="tf_integrity", on_change="rerun")
    if integrity.open:
        with integrity:
            change = cache.transformer_causality(text, width)
            i1, i2, i3, i4 = st.columns(4)
            i1.metric(
                "Causal mask",
                "holds" if change < 1e-4 else "BROKEN",
                help="At up to 8 cut points from the first word to the last, every later French input replaced "
                "by random words: the largest change this makes at the cut and before it. A decoder that reads "
                "only the past gives 0.",
            )
            i2.metric("Change from future words", f"{change:.1e}")
            i3.metric("Layers × heads", f"{capture.num_layers} × {capture.num_heads}")
            i4.metric("Max |row sum − 1|", f"{max(c.max_row_sum_error for c in result.captures.values()):.1e}")

    if tr.metrics:
        st.subheader("Test-set quality")
        best = tr.metrics["test"].get("best_alignment_head")
        figures_table(st, {"Transformer": tr.metrics["test"]["overall"]})
        if best:
            st.caption(
                f"Alignment accuracy is that of the cross-attention head that agrees best with the gold "
                f"alignment: layer {best[0]}, head {best[1]}."
            )
    json_download("All three attentions as JSON", result.to_dict, "transformer_attention.json")
