"""The same sentence through the Bahdanau RNN and the Transformer: their alignments side by side."""

from __future__ import annotations

import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.text import tokenize
from attention_explorer.models.translation.alignment import alignment_hits, gold_pairs, preselect_cross_head
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import TRANSLATOR_CHARS, chart, reading, sentence_box
from attention_explorer.viz import seq2seq as viz
from attention_explorer.viz.text import literal

page_setup()

TEXT = state.Field("cmp_text", "text", str, "the green apple will fall .", shared_text=True)
HEAD = state.Field("cmp_head", "head", str, "")  # "layer,head"; empty: the preselected head

st.title("RNN attention vs Transformer cross-attention")
st.caption(
    "Both models translate the same sentence. On the left, the RNN decoder's Bahdanau weights α(t, i); on the "
    "right, one cross-attention head of the Transformer — rows are the French words each emits, columns the "
    "same English tokens. For test sentences both are scored against the gold alignment."
)

try:
    tr = cache.translator("transformer")
    cache.translator("bahdanau")
except CheckpointError as exc:
    st.error(f"A trained model could not be loaded. {exc}")
    st.stop()

test = cache.test_sentences()
text = sentence_box(TEXT, "English sentence", TRANSLATOR_CHARS)
if not text.strip():
    st.info("Type an English sentence and press Enter.")
    st.stop()
try:
    a = cache.translation("bahdanau", text, 1)
    b = cache.translation("transformer", text, 1)
except ValueError as exc:
    st.error(literal(str(exc), 400))
    st.stop()
alpha, cross = a.alignment, b.captures["cross"]
if alpha is None:
    st.error("The Bahdanau checkpoint has no attention; retrain with attention-explorer train seq2seq.")
    st.stop()

gold = test.get(tuple(tokenize(text)))
a_gold, b_gold = gold_pairs(a.output, gold), gold_pairs(b.output, gold)
choice = preselect_cross_head(cross, b_gold, alpha, tr.metrics.get("test", {}).get("best_alignment_head"))
options = [""] + [f"{layer},{head}" for layer in range(cross.num_layers) for head in range(cross.num_heads)]
picked = state.bound(
    HEAD,
    st.selectbox,
    "Transformer cross-attention head",
    options,
    # the label of "" stays the same for every sentence: the browser keeps showing an option's first label
    # while the widget lives, so "best match: layer 1, head 0" stayed on screen after a new sentence chose head 3
    format_func=lambda o: "best match for this sentence" if not o else "layer {}, head {}".format(*o.split(",")),
    valid=state.within(options),
)
st.caption(f"The preselected head, layer {choice.layer}, head {choice.head}, {choice.reason}.")
lay, h = (choice.layer, choice.head) if not picked else tuple(int(x) for x in picked.split(","))

left, right = st.columns(2)
with left:
    st.markdown(f"**RNN + Bahdanau** — {literal(a.sentence)}")
    reading(st, a)
    chart(st, viz.alignment_heatmap(alpha, a_gold), key="cmp_rnn")
    if a_gold:
        st.metric("Gold pairs hit", f"{alignment_hits(alpha.head(0, 0), a_gold)} / {len(a_gold)}")
with right:
    st.markdown(f"**Transformer** (layer {lay}, head {h}) — {literal(b.sentence)}")
    reading(st, b)
    chart(st, viz.alignment_heatmap(cross.select(lay, h), b_gold), key="cmp_tf")
    if b_gold:
        st.metric("Gold pairs hit", f"{alignment_hits(cross.head(lay, h), b_gold)} / {len(b_gold)}")
if gold and not (a_gold and b_gold):
    st.caption(f"Reference: *{literal(' '.join(gold['fr']))}* — gold pairs are drawn only on an output equal to it.")
