"""The same sentence through the Bahdanau RNN and the Transformer: their alignments side by side."""

from __future__ import annotations

import numpy as np
import streamlit as st

from models.corpus import tokenize
from models.seq2seq import EOS, CheckpointError
from pages import common
from viz import seq2seq as viz

st.title("RNN attention vs Transformer cross-attention")
st.caption(
    "Both models translate the same sentence. On the left, the RNN decoder's Bahdanau weights α(t, i); on the "
    "right, one cross-attention head of the Transformer — rows are the French words each emits, columns the "
    "same English tokens. For test sentences both are scored against the gold alignment."
)

try:
    rnn = common.translator("bahdanau")
    tr = common.transformer()
except CheckpointError as exc:
    st.error(f"A trained model could not be loaded. {exc}")
    st.stop()

test = common.test_sentences()
text = st.text_input("English sentence", value="the green apple will fall .", key="cmp_text", max_chars=2000)
if not text.strip():
    st.info("Type an English sentence and press Enter.")
    st.stop()
try:
    a = common.translation("bahdanau", text, 1)
    b = common.transformer_translation(text)
except ValueError as exc:
    st.error(str(exc))
    st.stop()

gold = test.get(tuple(tokenize(text)))


def gold_for(output: tuple[str, ...]) -> list[tuple[int, int]] | None:
    """Gold pairs, usable only when the model's output is the reference translation."""
    return gold["align"] if gold and list(output[:-1]) == gold["fr"] and output[-1] == EOS else None


def hits(weights: np.ndarray, pairs: list[tuple[int, int]]) -> int:
    best = weights.argmax(axis=-1)
    return sum(int(best[j] == i) for i, j in pairs)


cross = b.cross.weights  # (layer, head, output, source)
layer_head = [(lay, h) for lay in range(cross.shape[0]) for h in range(cross.shape[1])]
b_gold = gold_for(b.output)
if b_gold:
    scores = [hits(cross[lay, h], b_gold) for lay, h in layer_head]
    how = "agrees best with the gold alignment"
elif b.output == a.output:
    alpha = a.capture.head(0, 0)
    scores = [float((cross[lay, h].argmax(-1) == alpha.argmax(-1)).mean()) for lay, h in layer_head]
    how = "agrees best with the RNN's α"
else:
    best = tr.metrics.get("test", {}).get("best_cross_head", [cross.shape[0] - 1, 0])
    scores = [float((lay, h) == tuple(best)) for lay, h in layer_head]
    how = "agreed best with gold on the test set"
best_index = int(np.argmax(scores))
choice = st.selectbox(
    "Transformer cross-attention head",
    range(len(layer_head)),
    index=best_index,
    format_func=lambda k: (
        f"layer {layer_head[k][0]}, head {layer_head[k][1]}" + (" (best match)" if k == best_index else "")
    ),
    key="cmp_head",
)
st.caption(f"The preselected head {how}.")
lay, h = layer_head[choice]

left, right = st.columns(2)
with left:
    st.markdown(f"**RNN + Bahdanau** — {a.text}")
    a_gold = gold_for(a.output)
    st.plotly_chart(viz.alignment_heatmap(a.capture, a_gold), key="cmp_rnn")
    if a_gold:
        st.metric("Gold pairs hit", f"{hits(a.capture.head(0, 0), a_gold)} / {len(a_gold)}")
with right:
    st.markdown(f"**Transformer** (layer {lay}, head {h}) — {b.text}")
    head_capture = type(b.cross)(
        b.cross.query_tokens,
        b.cross.key_tokens,
        cross[lay : lay + 1, h : h + 1],
        b.cross.kind,
        f"{b.cross.model} layer {lay} head {h}",
    )
    st.plotly_chart(viz.alignment_heatmap(head_capture, b_gold), key="cmp_tf")
    if b_gold:
        st.metric("Gold pairs hit", f"{hits(cross[lay, h], b_gold)} / {len(b_gold)}")
if gold and not (gold_for(a.output) and b_gold):
    st.caption(f"Reference: *{' '.join(gold['fr'])}* — gold pairs are drawn only on an output equal to it.")
