"""Compare: two views side by side (model, sentence, layer, head), their difference, and the heads that differ most."""

from __future__ import annotations

import functools
import html
from collections.abc import Callable

import numpy as np
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core import compare as cmp
from attention_explorer.models.core.capture import AttentionCapture
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.gpt.model import GPT_DIR
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained.loading import MAX_CHARS, ModelLoadError, default_model_dir
from attention_explorer.models.pretrained.paths import PathRefused, allowed_roots, resolve_model_dir
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import TRANSLATOR_CHARS, chart, sentence_box
from attention_explorer.viz import compare as viz
from attention_explorer.viz import heatmap
from attention_explorer.viz.text import literal

page_setup()


def _bundled(text: str) -> AttentionCapture:
    return cache.pretrained_run(str(default_model_dir()), text).capture


def _gpt(text: str) -> AttentionCapture:
    return cache.pretrained_run(str(GPT_DIR), text, pretrained.DEFAULT_NEW_TOKENS).captures["decoder"]


def _finetuned(text: str) -> AttentionCapture:
    return cache.finetune_comparison(text).finetuned.capture


def _local(path: str) -> Callable[..., AttentionCapture]:  # a reader like MODELS' (it takes no beam)
    def capture(text: str) -> AttentionCapture:
        cache.pretrained_bundle(path)  # raises ModelLoadError with a message for a folder that is not a model
        return cache.pretrained_run(path, text, pretrained.DEFAULT_NEW_TOKENS).capture

    return capture


def _translator(name: str, part: str) -> Callable[..., AttentionCapture]:
    def capture(text: str, beam: int = 1) -> AttentionCapture:
        return cache.translation(name, text, beam).captures[part]

    return capture


# name → (what reads the text, the longest text it takes); a translator's reader also takes a beam width
MODELS: dict[str, tuple[Callable[..., AttentionCapture], int]] = {
    "MiniLM (bundled BERT)": (_bundled, MAX_CHARS),
    "MiniLM fine-tuned (classifier)": (_finetuned, MAX_CHARS),
    "GPT trained here (with its continuation)": (_gpt, MAX_CHARS),
    "Translator Transformer: encoder": (_translator("transformer", "encoder"), TRANSLATOR_CHARS),
    "Translator Transformer: cross-attention": (_translator("transformer", "cross"), TRANSLATOR_CHARS),
    "Translator Transformer: decoder": (_translator("transformer", "decoder"), TRANSLATOR_CHARS),
    "Translator GRU + Bahdanau": (_translator("bahdanau", "alignment"), TRANSLATOR_CHARS),
}
TRANSLATORS = {name for name in MODELS if name.startswith("Translator ")}  # they decode: greedy or a beam
LOCAL = "Local model directory"
NAMES = [*MODELS, LOCAL]
PAIR = cmp.MINIMAL_PAIRS["Coreference: big / small"]


def _fields(side: str, sentence: str, head: str) -> dict[str, state.Field]:
    s = side.lower()
    return {
        "model": state.Field(f"cmp_{s}_model", f"{s}_model", str, NAMES[0]),
        "text": state.Field(f"cmp_{s}_text", f"{s}_text", str, sentence, max_len=MAX_CHARS, shared_text=side == "A"),
        "layer": state.Field(f"cmp_{s}_layer", f"{s}_layer", int, 0, lo=0, hi=63),
        "head": state.Field(f"cmp_{s}_head", f"{s}_head", str, head),
        "dir": state.Field(f"cmp_{s}_dir", f"{s}_dir", str, "", max_len=1000),
        "beam": state.Field(f"cmp_{s}_beam", f"{s}_beam", int, 1, lo=1, hi=8),
    }


FIELDS = {"A": _fields("A", PAIR[0], "5"), "B": _fields("B", PAIR[1], "5")}


def use_pair() -> None:
    """The minimal-pair menu's callback: its two sentences go into A and B."""
    name = st.session_state.get("cmp_pair")
    if name in cmp.MINIMAL_PAIRS:
        first, second = cmp.MINIMAL_PAIRS[name]
        st.session_state[FIELDS["A"]["text"].key] = first
        st.session_state[FIELDS["B"]["text"].key] = second


def same_sentence() -> None:
    st.session_state[FIELDS["B"]["text"].key] = st.session_state.get(FIELDS["A"]["text"].key, "")


def open_ranked(key: str, ranked: list[tuple[int, int]]) -> None:
    """The ranked table's callback: the chosen head opens in both panels."""
    rows = st.session_state[key].selection.rows
    if rows and rows[0] < len(ranked):
        layer, head = ranked[rows[0]]
        for side in FIELDS.values():
            st.session_state[side["layer"].key], st.session_state[side["head"].key] = layer, str(head)


def nearest_head(options: list[str]) -> Callable[[str], str]:
    """A `valid` for the head menu: a head this model lacks becomes its last head; anything else the layer mean."""

    def nearest(value: str) -> str:
        if value in options:
            return value
        if str(value).isdigit():
            return options[-1]
        return options[0]

    return nearest


def head_label(option: str) -> str:
    if option == cmp.LAYER_MEAN:
        return "mean of this layer's heads"
    if option == cmp.ALL_MEAN:
        return "mean of every layer and head"
    return f"head {option}"


st.title("Compare two views")
st.caption(
    "Two panels, A and B: each picks a model, a sentence, a layer and a head (or a mean of heads). Both are drawn on "
    "one colour scale; below, A − B over the tokens they share and how far apart their rows are. Same sentence, two "
    "heads: head against head. Two sentences that differ in a word: what that word changes."
)

p1, p2 = st.columns([2, 1], vertical_alignment="bottom")  # the button's label fits at a laptop's 1024 px
p1.selectbox(
    "Start from a minimal pair",
    list(cmp.MINIMAL_PAIRS),
    index=None,
    placeholder="Choose two sentences that differ in a word or two…",
    key="cmp_pair",
    on_change=use_pair,
)
p2.button(
    "Same sentence in B", on_click=same_sentence, help="B reads A's sentence: head against head, layer against layer"
)

panels: dict[str, tuple[AttentionCapture, np.ndarray, int, str] | None] = {}
columns = dict(zip(("A", "B"), st.columns(2), strict=True))
for side, col in columns.items():
    fields = FIELDS[side]
    with col:
        st.subheader(side)
        model = state.bound(fields["model"], st.selectbox, f"{side}: model", NAMES, valid=state.within(NAMES))
        panels[side] = None
        if model == LOCAL:  # the Pretrained page's rule: only folders under the roots the server owner allows
            folder = state.bound(fields["dir"], st.text_input, f"{side}: model directory", placeholder="/path/to/model")
            if not folder.strip():
                st.info(f"Type the path of a local Hugging Face model for {side}.")
                continue
            try:
                reader, limit = _local(str(resolve_model_dir(folder, allowed_roots()))), MAX_CHARS
            except PathRefused as exc:
                st.error(literal(str(exc), 400))
                continue
        else:
            reader, limit = MODELS[model]
        text = sentence_box(fields["text"], f"{side}: sentence", limit)
        if not text.strip():
            st.info(f"Type a sentence for {side}.")
            continue
        beam = 1
        if model in TRANSLATORS:  # the output whose attention is drawn: the translator pages' decoding choice
            beam = state.bound(
                fields["beam"], st.slider, f"{side}: beam width", 1, 8, help="1: greedy decoding, as the pages' default"
            )
        try:
            capture = reader(text, beam) if model in TRANSLATORS else reader(text)
        except (ValueError, CheckpointError, ModelLoadError) as exc:
            st.error(f"{side} could not be computed: {literal(str(exc), 400)}")
            continue
        lc, hc = st.columns(2)
        with lc:
            layers = list(range(capture.num_layers))
            layer = state.bound(fields["layer"], st.selectbox, f"{side}: layer", layers, valid=state.within(layers))
        with hc:
            options = [cmp.LAYER_MEAN, cmp.ALL_MEAN] + [str(h) for h in range(capture.num_heads)]
            head = state.bound(
                fields["head"],
                st.selectbox,
                f"{side}: head",
                options,
                format_func=head_label,
                valid=nearest_head(options),
            )
        panels[side] = (capture, cmp.view_matrix(capture.weights, layer, head), layer, head)

drawn = {side: panel for side, panel in panels.items() if panel is not None}
if drawn:  # one colour scale for both: the darkest cell is the larger of the two maxima
    zmax = max(1, int(np.ceil(max(float(p[1].max()) for p in drawn.values()) * 100)))
    for side, col in columns.items():
        panel = panels[side]
        if panel is None:
            continue
        capture, matrix, layer, head = panel
        title = f"{side}: {html.escape(capture.model)} · {cmp.view_name(layer, head)}"
        fig = heatmap.matrix_heatmap(matrix, capture.query_tokens, capture.key_tokens, title=title, zmax=zmax)
        chart(col, fig, key=f"cmp_{side.lower()}_heatmap")
    if len(drawn) == 2:
        st.caption(f"Both panels: white 0%, darkest {zmax}% (the larger of the two maxima).")

# ---- the difference ------------------------------------------------------------------------------------------------
st.subheader("A − B")
a_panel, b_panel = panels["A"], panels["B"]
if a_panel is None or b_panel is None:
    st.info("The difference needs both panels.")
    st.stop()
a_cap, a_matrix, _, a_head = a_panel
b_cap, b_matrix, _, b_head = b_panel
try:
    d = cmp.difference(a_matrix, a_cap.query_tokens, a_cap.key_tokens, b_matrix, b_cap.query_tokens, b_cap.key_tokens)
except cmp.NotComparable as exc:
    st.info(f"{exc} Both panels are drawn above; the difference cannot be taken.")
    st.stop()

if not d.identical_tokens:
    left_out = ", ".join(literal(t, 40) for t in list(dict.fromkeys((*d.dropped_rows, *d.dropped_cols)))[:12])
    st.info(
        f"The two inputs differ, so the difference is taken over the {len(d.rows)} query and {len(d.cols)} key tokens "
        f"a word-level diff pairs up. Left out: {left_out}."
        + (" Each row is renormalised over the shared keys before the divergence." if d.renormalised else "")
    )
if d.swapped:
    st.caption(
        "Words swapped between A and B are paired position by position: " + ", ".join(literal(t, 40) for t in d.swapped)
    )
m1, m2, m3 = st.columns(3)
m1.metric("Mean JS divergence", f"{d.js_mean:.3f} nats", help="0: the same; ln 2 ≈ 0.693: no overlap at all")
m2.metric("Largest |A − B|", f"{float(np.abs(d.diff).max()) * 100:.0f} points")
m3.metric("Tokens compared", f"{len(d.rows)} × {len(d.cols)}")
dl, dr = st.columns([3, 2])
chart(dl, viz.difference_heatmap(d.diff, d.query_tokens, d.key_tokens), key="cmp_difference")
chart(dr, viz.row_divergence_figure(d.query_tokens, d.js), key="cmp_rows")

# ---- the heads that differ most ------------------------------------------------------------------------------------
st.subheader("The heads most different between A and B")
try:
    per_row = cmp.head_row_divergence(a_cap.weights, b_cap.weights, d.rows, d.cols)
except cmp.NotComparable as exc:
    st.info(str(exc))
    st.stop()
by = st.radio(
    "Rank by",
    ["max", "mean"],
    format_func={"max": "the row that changed most", "mean": "the mean over all rows"}.__getitem__,
    horizontal=True,
    key="cmp_rank_by",
    help="A minimal pair usually changes a few rows (the swapped word, a pronoun): their largest change ranks "
    "the heads that notice it; the mean ranks heads that changed everywhere.",
)
ranked = cmp.rank_heads(per_row, by)
st.caption(
    "Every head of A against the same head of B, over the tokens compared above: Jensen–Shannon divergence of "
    "each row. Choose a row of the table to open that head in both panels."
)
t1, t2 = st.columns([1, 1])
order = [(layer, head) for layer, head, _, _ in ranked]
t1.dataframe(
    [
        {"layer": layer, "head": head, "JS (nats)": round(score, 4), "most changed row": d.query_tokens[row]}
        for layer, head, score, row in ranked
    ],
    hide_index=True,
    height=360,
    key="cmp_ranked",
    on_select=functools.partial(open_ranked, "cmp_ranked", order),
    selection_mode="single-row",
)
grid = per_row.max(-1) if by == "max" else per_row.mean(-1)
chart(t2, viz.divergence_heatmap(grid, "JS divergence of each head, A against B"), key="cmp_divergence")
