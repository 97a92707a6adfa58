"""Transformer: encoder self-attention, decoder causal self-attention and cross-attention, per layer and head."""

from __future__ import annotations

import streamlit as st

from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.pages.shared import cache
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, json_download
from attention_explorer.viz import bertviz_views, heatmap

page_setup()

EXAMPLE = "the green apple will fall ."
KINDS = {
    "Encoder self-attention": "encoder",
    "Decoder causal self-attention": "decoder",
    "Encoder-decoder cross-attention": "cross",
}

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

text = st.text_input("English sentence", value=EXAMPLE, key="tf_text", max_chars=2000)
if not text.strip():
    st.info("Type an English sentence and press Enter.")
    st.stop()
try:
    result = cache.translation("transformer", text, 1)
except ValueError as exc:
    st.error(str(exc))
    st.stop()
if result.unknown:
    st.warning(
        "Never seen in training, read as <unk>: "
        + "; ".join(f"“{w}”" + (f" (nearest known: {', '.join(n)})" if n else "") for w, n in result.unknown.items())
    )
st.markdown(f"### {result.text or '∅'}")

c1, c2, c3 = st.columns([2, 1, 1])
kind_label = c1.radio("Attention", list(KINDS), key="tf_kind")
capture = result.captures[KINDS[kind_label]]
layer = c2.selectbox("Layer", range(capture.num_layers), key="tf_layer")
head = c3.selectbox("Head", range(capture.num_heads), key="tf_head")

left, right = st.columns([3, 2])
chart(left, heatmap.head_heatmap(capture, layer, head), key="tf_heatmap")
with right:
    st.markdown("**All layers and heads**")
    chart(st, heatmap.heads_grid(capture, tile_px=90), key="tf_grid", config={"displayModeBar": False})

st.subheader("Integrity")
change = cache.transformer_causality(text)
i1, i2, i3, i4 = st.columns(4)
i1.metric(
    "Causal mask",
    "holds" if change < 1e-4 else "BROKEN",
    help="Every later French input replaced by random words: the largest change this makes at earlier positions. "
    "A decoder that reads only the past gives 0.",
)
i2.metric("Change from future words", f"{change:.1e}")
i3.metric("Layers × heads", f"{capture.num_layers} × {capture.num_heads}")
i4.metric("Max |row sum − 1|", f"{max(c.max_row_sum_error for c in result.captures.values()):.1e}")

st.subheader("bertviz encoder-decoder views")
st.caption("Choose Encoder, Decoder or Cross in the Attention menu. Drawn from files installed with the app.")
captures = {
    "Encoder": result.captures["encoder"],
    "Decoder": result.captures["decoder"],
    "Cross": result.captures["cross"],
}
asset_url = cache.bertviz_asset_url()
views: tuple[tuple[bertviz_views.View, str], ...] = (("head", "Head view"), ("model", "Model view"))
for view, title in views:
    st.markdown(f"**{title}**")
    st.iframe(bertviz_views.encoder_decoder_html(captures, view, layer=layer, asset_url=asset_url), height="content")

if tr.metrics:
    st.subheader("Test-set quality")
    overall = {k: v for k, v in tr.metrics["test"]["overall"].items() if k != "alignment_accuracy_by_head"}
    best = tr.metrics["test"].get("best_alignment_head")
    st.dataframe({"Transformer": overall})
    if best:
        st.caption(
            f"Alignment accuracy is that of the cross-attention head that agrees best with the gold "
            f"alignment: layer {best[0]}, head {best[1]}."
        )
json_download("All three attentions as JSON", result.to_dict, "transformer_attention.json")
