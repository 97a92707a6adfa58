"""Seq2seq with Bahdanau attention: English → French, the alignment α(t, i), step by step."""

from __future__ import annotations

import random
from typing import Any

import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.text import render_fr, tokenize
from attention_explorer.models.rnn.capture import context_parts
from attention_explorer.models.translation.alignment import alignment_hits, gold_pairs
from attention_explorer.models.translation.examples import EXAMPLES, REFERENCES, example_named, known_words
from attention_explorer.models.translation.translator import Translation
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup, projector
from attention_explorer.pages.shared.widgets import (
    TRANSLATOR_CHARS,
    beam_candidates,
    chart,
    compare_link,
    figures_table,
    json_download,
    reading,
    sentence_box,
)
from attention_explorer.viz import seq2seq as viz
from attention_explorer.viz.text import literal, quoted

page_setup()

EXAMPLE = "the green apple will fall ."
MODELS = {"bahdanau": "With attention (Bahdanau)", "no_attention": "Without attention (fixed context)"}
DECODINGS = ["Greedy", "Beam search"]
PARTS_OF_SPEECH = {"N": "noun", "V": "verb", "A": "adjective", "Adv": "adverb", "P": "preposition", "NO": "number"}
TEXT = state.Field("s2s_text", "text", str, EXAMPLE, shared_text=True)
DECODING = state.Field("s2s_mode", "decoding", str, "Greedy")
BEAM = state.Field("s2s_width", "beam", int, 4, lo=2, hi=8)
STEP = state.Field("s2s_step", "step", int, 0, lo=0, hi=200)
PREDICT = state.Field("s2s_predict", "predict", bool, False)
MEASURE = state.Field("s2s_measure", "measure", str, "exact_match")

st.title("RNN encoder-decoder with Bahdanau attention")
st.caption(
    "A GRU encoder reads the English sentence; a GRU decoder writes French. Without attention the decoder "
    "sees one fixed vector for the whole sentence and forgets the start of long ones. With attention, at "
    "each step t it scores every encoder state, e(t, i), turns the scores into weights α(t, i) with "
    "softmax, reads their weighted sum as its context, and emits a word. α is the alignment: rows are "
    "French words, columns English words — reordering (green apple → pomme verte) shows as a crossing."
)

translators = {}
for name, label in MODELS.items():
    try:
        translators[name] = cache.translator(name)
    except CheckpointError as exc:
        st.error(f"{label}: the trained model could not be loaded. {exc}")
if not translators:
    st.stop()

test = cache.test_sentences()


def _draw(short: bool) -> None:
    pool = [r for r in test.values() if (len(r["en"]) <= 10 if short else len(r["en"]) >= 25)]
    if pool:
        st.session_state[TEXT.key] = " ".join(random.choice(pool)["en"])


def _example() -> None:
    chosen = st.session_state.get("s2s_example")
    if chosen in EXAMPLES:
        st.session_state[TEXT.key] = EXAMPLES[chosen]


b1, b2, b3 = st.columns([1.2, 1.2, 1.6])  # at a laptop's 1024 px the buttons' labels still fit
b3.selectbox(
    "Try a construction",
    list(EXAMPLES),
    index=None,
    key="s2s_example",
    on_change=_example,
    placeholder="Pick a construction…",  # fits the column at a laptop's 1024 px
    label_visibility="collapsed",
)
for column, length in ((b1, "short"), (b2, "long")):
    column.button(
        f"Random {length}",
        on_click=_draw,
        args=(length == "short",),
        disabled=not test,
        help=f"A {length} sentence drawn from the held-out test set, which the models never trained on",
    )
text = sentence_box(
    TEXT, "English sentence", TRANSLATOR_CHARS, help="Lower case or not; words the models never saw are flagged."
)
# its table is a twentieth of a run's cost, so it is built only when someone opens it
lexicon = st.expander("Words the translators know", key="s2s_known", on_change="rerun")
if lexicon.open:
    with lexicon:
        known = known_words()
        st.caption(
            f"{len(known):,} lemma pairs and fixed expressions the training sentences were drawn from (each word in "
            "all its forms: plurals, tenses); function words — the, my, it, not, who, … — are part of the grammar. "
            "Names and numbers need no entry: they are copied through attention."
        )
        if "s2s_known_search" not in st.session_state:  # dropped by Streamlit while the expander was closed
            st.session_state["s2s_known_search"] = st.session_state.get("s2s_known_kept", "")
        search = st.text_input("Search", key="s2s_known_search", placeholder="apple, pomme, run…")
        st.session_state["s2s_known_kept"] = search
        search = search.strip().lower()
        found = [row for row in known if not search or search in row[1].lower() or search in row[2].lower()]
        st.dataframe(
            {
                "kind": [PARTS_OF_SPEECH.get(kind, kind) for kind, _, _ in found[:500]],
                "English": [en for _, en, _ in found[:500]],
                "French": [fr for _, _, fr in found[:500]],
            },
            hide_index=True,
            height=240,
        )
        st.caption(
            f"{len(found):,} match"
            + ("es" if len(found) != 1 else "")
            + (" (first 500 shown)." if len(found) > 500 else ".")
        )

if not text.strip():
    st.info("Type an English sentence (or draw one from the test set) and press Enter.")
    st.stop()

c_mode, c_width = st.columns([2, 3])
with c_mode:
    mode = state.bound(DECODING, st.radio, "Decoding", DECODINGS, horizontal=True, valid=state.within(DECODINGS))
with c_width:
    width = state.bound(BEAM, st.slider, "Beam width", 2, 8) if mode == "Beam search" else 1

results: dict[str, Translation] = {}
for name in translators:
    try:
        results[name] = cache.translation(name, text, width)
    except ValueError as exc:
        st.error(literal(str(exc), 400))
        st.stop()
first = next(iter(results.values()))

if first.unknown:
    words = "; ".join(
        quoted(w) + (f" (nearest known: {', '.join(literal(n) for n in near)})" if near else "")
        for w, near in first.unknown.items()
    )
    st.warning(
        f"Never seen in training, read as <unk>: {words}. Where the attention model writes <unk>, it copies the "
        "unknown English word its attention weighs most (names, numbers); the model without attention cannot."
    )

typed = tuple(tokenize(text))
gold = test.get(typed)
example = example_named(typed)
if example is not None:
    st.caption(f"Example of {literal(example)}. Reference: *{literal(REFERENCES[example])}*")
cols = st.columns(len(results))
for col, (name, result) in zip(cols, results.items(), strict=True):
    col.markdown(f"**{MODELS[name]}**")
    col.markdown(f"### {literal(result.sentence) or '∅'}")
    reading(col, result)
    beam_candidates(col, result)
att = results.get("bahdanau")
if gold:
    verdicts = "; ".join(
        f"{MODELS[name].split(' (')[0].lower()} model {'matches' if gold_pairs(r.output, gold) else 'differs'}"
        for name, r in results.items()
    )
    st.caption(f"Test sentence. Reference: *{literal(render_fr(gold['fr']))}* — {verdicts}.")

alignment = att.alignment if att is not None else None
if att is None or alignment is None:
    st.info("The attention model is not available, so there is no alignment to show.")
    st.stop()
overlay = gold_pairs(att.output, gold)
gold_overlay = tuple(overlay) if overlay else None  # hashable: a key of the figure cache
predict = state.bound(
    PREDICT,
    st.toggle,
    "Predict, then reveal",
    help="Hide the weights so the class can guess where each French word will look; reveal step by step.",
)

st.subheader("Alignment α(t, i)")
if predict:
    with st.expander("The whole alignment (this gives the answers away)"):
        chart(st, cache.figure(alignment, viz.alignment_heatmap, gold_overlay), key="s2s_alignment")
else:
    if gold and overlay is None:
        st.caption("The output differs from the reference, so the gold alignment cannot be drawn on it.")
    chart(st, cache.figure(alignment, viz.alignment_heatmap, gold_overlay), key="s2s_alignment")
    if overlay:
        hits = alignment_hits(alignment.head(0, 0), overlay)
        st.caption(
            f"Gold pairs outlined in red: the largest α of {hits} of {len(overlay)} French content words "
            "falls on their English counterpart."
        )
compare_link(
    st, "Translator GRU + Bahdanau", text, 0, 0, 1, b_model="Translator Transformer: cross-attention", beam=width
)  # the Transformer's layer 0, head 0 as B (greedy): the menus there pick any other


def step_figures(result: Translation, t: int) -> tuple[Any, Any, float]:
    """Step t's scores and weights, and its context vector taken apart (with how far the sum is from the one the
    decoder used)."""
    capture = result.alignment
    assert capture is not None
    alpha_row = capture.head(0, 0)[t]
    weighted, error = context_parts(result.arrays, alpha_row, t)
    return (
        viz.step_figure(result.source, result.arrays["scores"][t], alpha_row, result.output[t], t),
        viz.context_figure(result.source, weighted, alpha_row, t),
        error,
    )


@st.fragment
def step_through(result: Translation) -> None:
    """One decoding step at a time; moving the slider reruns only this part of the page."""
    st.subheader("Step through decoding")
    steps = len(result.output)
    t = state.bound(STEP, st.slider, "Output step t", 0, max(1, steps - 1), valid=lambda v: min(max(v, 0), steps - 1))
    t = min(t, steps - 1)
    emitted = literal(result.elided.get(t, result.output[t]))  # what the decoder wrote, before any elision
    st.markdown(
        f"Encode: the bidirectional GRU gives a state h_i for each of the {len(result.source)} source tokens. "
        f"Align: the decoder's previous state s_(t−1) is scored against every h_i → e({t}, i). "
        f"Weight: α({t}, i) = softmax_i e({t}, i). Context: c_{t} = Σ_i α({t}, i) h_i. "
        f"Decode: from s_{t}, c_{t} and the previous word it emits **{emitted}**."
    )
    revealed = st.session_state.setdefault("s2s_revealed", set())
    if predict and (result.text, t) not in revealed:
        st.info(f"Where will “{emitted}” look? The English words: {literal(' '.join(result.source))}")
        # the callback runs before the rerun it causes, so that run already draws the answer
        st.button("Reveal α for this step", key="s2s_reveal", on_click=revealed.add, args=((result.text, t),))
        return
    scores_figure, context_figure, error = cache.figure(result, step_figures, t)
    chart(st, scores_figure, key="s2s_step_figure")
    chart(st, context_figure, key="s2s_context")
    st.caption(
        f"Each strip is one encoder state h_i scaled by its weight α({t}, i); the last row adds them up. "
        f"Largest difference from the context vector the decoder itself used: {error:.1e}."
    )


step_through(att)

st.subheader("Quality against sentence length (test set)")
metrics = {MODELS[name]: tr.metrics for name, tr in translators.items() if tr.metrics}
owner = next(iter(translators.values()))  # lives as long as the loaded models, whose figures these are


def quality_figure(_: object, labels: tuple[str, ...], measure: str) -> Any:
    return viz.quality_by_length({label: metrics[label] for label in labels}, measure)


if metrics:
    measures = ["exact_match", "bleu"]
    measure = state.bound(
        MEASURE,
        st.radio,
        "Measure",
        measures,
        horizontal=True,
        format_func=lambda m: m.replace("_", " "),
        valid=state.within(measures),
    )
    chart(st, cache.figure(owner, quality_figure, tuple(metrics), measure), key="s2s_quality")
    figures_table(st, {name: m["test"]["overall"] for name, m in metrics.items()})
else:
    st.info("No metrics.json next to the checkpoints; retrain with attention-explorer train seq2seq.")

if not projector():
    st.subheader("Integrity")
    i1, i2, i3 = st.columns(3)
    i1.metric("Attention", alignment.attn_implementation)
    i2.metric("Output × source", f"{len(att.output)} × {len(att.source)}")
    i3.metric("Max |row sum − 1|", f"{alignment.max_row_sum_error:.1e}")
    json_download("Translation and α as JSON", att.to_dict, "translation.json")
    st.caption('Same from the command line: `attention-explorer translate "the green apple will fall ." -o out.json`')
