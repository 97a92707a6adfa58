"""Seq2seq with Bahdanau attention: English → French, the alignment α(t, i), step by step."""

from __future__ import annotations

import random

import streamlit as st

from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.text import tokenize
from attention_explorer.models.translation.alignment import alignment_hits, gold_pairs
from attention_explorer.pages.shared import cache
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, json_download
from attention_explorer.viz import seq2seq as viz

page_setup()

EXAMPLE = "the green apple will fall ."
MODELS = {"bahdanau": "With attention (Bahdanau)", "no_attention": "Without attention (fixed context)"}

st.title("RNN encoder-decoder with Bahdanau attention")
st.caption(
    "A GRU encoder reads the English sentence; a GRU decoder writes French. Without attention the decoder "
    "sees one fixed vector for the whole sentence and forgets the start of long ones. With attention, at "
    "each step t it scores every encoder state, e(t, i), turns the scores into weights α(t, i) with "
    "softmax, reads their weighted sum as its context, and emits a word. α is the alignment: rows are "
    "French words, columns English words — reordering (green apple → pomme verte) shows as a crossing."
)

try:
    translators = {name: cache.translator(name) for name in MODELS}
except CheckpointError as exc:
    st.error(f"The trained translators could not be loaded. {exc}")
    st.stop()

test = cache.test_sentences()


def _draw(short: bool) -> None:
    pool = [r for r in test.values() if (len(r["en"]) <= 10 if short else len(r["en"]) >= 25)]
    if pool:
        st.session_state["s2s_text"] = " ".join(random.choice(pool)["en"])


b1, b2, _ = st.columns([1, 1, 2])
b1.button("Random short test sentence", on_click=_draw, args=(True,), disabled=not test)
b2.button("Random long test sentence", on_click=_draw, args=(False,), disabled=not test)
text = st.text_input(
    "English sentence",
    value=EXAMPLE,
    key="s2s_text",
    max_chars=2000,
    help="Lower case or not; words the models never saw are flagged.",
)
if not text.strip():
    st.info("Type an English sentence (or draw one from the test set) and press Enter.")
    st.stop()

mode = st.radio("Decoding", ["Greedy", "Beam search"], horizontal=True, key="s2s_mode")
width = st.slider("Beam width", 2, 8, 4, key="s2s_width") if mode == "Beam search" else 1

try:
    results = {name: cache.translation(name, text, width) for name in MODELS}
except ValueError as exc:
    st.error(str(exc))
    st.stop()
att, base = results["bahdanau"], results["no_attention"]

if att.unknown:
    words = "; ".join(
        f"“{w}”" + (f" (nearest known: {', '.join(near)})" if near else "") for w, near in att.unknown.items()
    )
    st.warning(f"Never seen in training, read as <unk>: {words}. The translation of these words will be wrong.")

gold = test.get(tuple(tokenize(text)))
c1, c2 = st.columns(2)
for col, result in ((c1, att), (c2, base)):
    col.markdown(f"**{MODELS[result.model]}**")
    col.markdown(f"### {result.text or '∅'}")
overlay = gold_pairs(att.output, gold)
if gold:
    st.caption(
        f"Test sentence. Reference: *{' '.join(gold['fr'])}* — attention model "
        f"{'matches' if overlay is not None else 'differs'}; no-attention model "
        f"{'matches' if gold_pairs(base.output, gold) is not None else 'differs'}."
    )

alignment = att.alignment
if alignment is None:
    st.error("The attention model's checkpoint has no attention; retrain with attention-explorer train seq2seq.")
    st.stop()
st.subheader("Alignment α(t, i)")
if gold and overlay is None:
    st.caption("The output differs from the reference, so the gold alignment cannot be drawn on it.")
chart(st, viz.alignment_heatmap(alignment, overlay), key="s2s_alignment")
if overlay:
    hits = alignment_hits(alignment.head(0, 0), overlay)
    st.caption(
        f"Gold pairs outlined in red: the largest α of {hits} of {len(overlay)} French content words "
        "falls on their English counterpart."
    )

st.subheader("Step through decoding")
steps = len(att.output)
t = st.slider("Output step t", 0, steps - 1, 0, key="s2s_step") if steps > 1 else 0
st.markdown(
    f"Encode: the bidirectional GRU gives a state h_i for each of the {len(att.source)} source tokens. "
    f"Align: the decoder's previous state s_(t−1) is scored against every h_i → e({t}, i). "
    f"Weight: α({t}, i) = softmax_i e({t}, i). Context: c_{t} = Σ_i α({t}, i) h_i. "
    f"Decode: from s_{t}, c_{t} and the previous word it emits **{att.output[t]}**."
)
chart(
    st,
    viz.step_figure(att.source, att.arrays["scores"][t], alignment.head(0, 0)[t], att.output[t], t),
    key="s2s_step_figure",
)

st.subheader("Quality against sentence length (test set)")
metrics = {MODELS[name]: tr.metrics for name, tr in translators.items() if tr.metrics}
if metrics:
    measure = st.radio(
        "Measure",
        ["exact_match", "bleu"],
        horizontal=True,
        key="s2s_measure",
        format_func=lambda m: m.replace("_", " "),
    )
    chart(st, viz.quality_by_length(metrics, measure), key="s2s_quality")
    st.dataframe(
        {
            name: {k: round(v, 4) if isinstance(v, float) else v for k, v in m["test"]["overall"].items()}
            for name, m in metrics.items()
        }
    )
else:
    st.info("No metrics.json next to the checkpoints; retrain with attention-explorer train seq2seq.")

st.subheader("Integrity")
i1, i2, i3 = st.columns(3)
i1.metric("Attention", alignment.attn_implementation)
i2.metric("Output × source", f"{len(att.output)} × {len(att.source)}")
i3.metric("Max |row sum − 1|", f"{alignment.max_row_sum_error:.1e}")
json_download("Translation and α as JSON", att.to_dict, "translation.json")
st.caption('Same from the command line: `attention-explorer translate "the green apple will fall ." -o out.json`')
