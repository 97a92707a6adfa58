"""Pretrained Transformers: every layer and head of an encoder (BERT), a decoder (GPT) or an encoder-decoder (T5)."""

from __future__ import annotations

import functools

import pandas as pd
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.analysis import head_measures, head_pattern, mean_measures
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.export import downloads
from attention_explorer.models.gpt.model import GPT_DIR
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained.loading import MAX_CHARS, Family, ModelLoadError, default_model_dir
from attention_explorer.models.pretrained.paths import PathRefused, allowed_roots, describe_roots, resolve_model_dir
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import (
    chart,
    compare_link,
    open_clicked_head,
    open_table_head,
    rollout_pair,
    sentence_box,
)
from attention_explorer.viz import bertviz_views, generation, heatmap
from attention_explorer.viz.text import literal, quoted

page_setup()

EXAMPLE = "The cat sat on the mat because the mat was warm."
BUNDLED, GPT, LOCAL = "Bundled: all-MiniLM-L6-v2", "Trained here: GPT", "Local directory"
ZOOM_FROM = heatmap.NUMBERED_FROM  # tokens: from here on the head heatmap offers a zoom to a span of positions
UNITS = {"entropy": "nats", "spread": "÷ ln keys", "distance": "positions"}
PARTS = {"encoder": "Encoder self-attention", "decoder": "Decoder causal self-attention", "cross": "Cross-attention"}
BERTVIZ_NAMES = {"encoder": "Encoder", "decoder": "Decoder", "cross": "Cross"}
SOURCES = [BUNDLED, GPT, LOCAL]
COMPARE_MODELS = {BUNDLED: "MiniLM (bundled BERT)", GPT: "GPT trained here (with its continuation)"}  # compare.py's
MAX_LIST_SENTENCES = 200  # a pasted list: each sentence is run, measured and dropped, so memory stays one run
LIST_RESULT, LIST_MESSAGE, LIST_GO = "_bert:list_measures", "_bert:list_message", "_bert:list_go"
SOURCE = state.Field("bert_source", "model", str, BUNDLED)
TEXT = state.Field("bert_text", "text", str, EXAMPLE, max_len=MAX_CHARS, shared_text=True)
TOKENS = state.Field("bert_budget", "tokens", int, pretrained.DEFAULT_NEW_TOKENS, lo=1, hi=pretrained.MAX_NEW_TOKENS)
LAYER = state.Field("bert_layer", "layer", int, 0, lo=0)
HEAD = state.Field("bert_head", "head", int, 0, lo=0)
PREDICT = state.Field("bert_predict", "predict", bool, False)
SCORES, BERTVIZ, MEASURES = "How a score is made", "bertviz", "What each head does"
ROLLOUT, EXPORT = "Rollout", "Export"
SECTIONS = (SCORES, BERTVIZ, MEASURES, ROLLOUT, EXPORT)
SECTION = state.Field("bert_section", "show", str, SCORES, max_len=40)
REVEALED = "_bert:revealed"  # (model, attention, text hash, layer, head) of the views this session revealed


def measure_list(path: str, part: str, budget: int) -> None:
    """Every head measured on each pasted sentence, then averaged (kept in the session); progress shown."""
    lines = [line.strip() for line in st.session_state.get("bert_list", "").splitlines() if line.strip()]
    if not lines:
        st.session_state[LIST_MESSAGE] = "The list is empty: paste sentences, one per line."
        return
    if len(lines) > MAX_LIST_SENTENCES:
        st.session_state[LIST_MESSAGE] = (
            f"The list has {len(lines):,} sentences; the first {MAX_LIST_SENTENCES} are measured."
        )
        lines = lines[:MAX_LIST_SENTENCES]
    bundle = cache.pretrained_bundle(path)
    progress = st.progress(0.0, text="Measuring…")
    each = []
    for i, line in enumerate(lines):
        try:  # not cached: each run is measured and dropped, so a long list costs one run's memory
            captured = pretrained.run(bundle, line[:MAX_CHARS], budget).captures.get(part)
        except ValueError:
            continue
        if captured is not None:
            each.append(head_measures(captured.weights, captured.key_tokens))
        progress.progress((i + 1) / len(lines), text=f"Measured {i + 1} of {len(lines)} sentences")
    progress.empty()
    if not each:
        st.session_state[LIST_MESSAGE] = "None of these sentences could be read by this model."
        return
    measures = mean_measures(each)
    shape = next(iter(measures.values())).shape
    st.session_state[LIST_RESULT] = {"key": (path, part), "shape": shape, "measures": measures, "count": len(each)}


st.title("Pretrained Transformers")
st.caption(
    "Encoder-only (BERT: every token sees every token), decoder-only (GPT: each token sees only the ones before it, "
    "and the model writes the next) and encoder-decoder (T5, BART, Marian: an encoder reads, a decoder writes while "
    "looking back at the input through cross-attention)."
)

# ---- model ---------------------------------------------------------------------------------------------------------
with st.sidebar:
    st.subheader("Model")
    source = state.bound(SOURCE, st.radio, "Model", SOURCES, label_visibility="collapsed", valid=state.within(SOURCES))
    if source == LOCAL:
        model_dir = st.text_input(
            "Model directory",
            key="bert_dir",
            placeholder="/path/to/bert-base-uncased",
            help="A folder saved by save_pretrained: config.json, *.safetensors, tokenizer files. Encoder-only, "
            "decoder-only or encoder-decoder text models.",
        )
        roots = allowed_roots()
        st.caption(f"Folders this server allows: {literal(describe_roots(roots))}")
        if not model_dir.strip():
            st.info("Type the path of a local Hugging Face model directory (BERT, GPT-2, Llama, T5, BART, …).")
            st.stop()
        try:
            model_path = str(resolve_model_dir(model_dir, roots))
        except PathRefused as exc:
            st.error(literal(str(exc), 400))
            st.stop()
    else:
        model_path = str(GPT_DIR if source == GPT else default_model_dir())

try:
    bundle = cache.pretrained_bundle(model_path)
except ModelLoadError as exc:
    st.error(f"Could not load this model. {literal(str(exc), 600)}")
    st.stop()
generates = bundle.family is not Family.ENCODER

# ---- input ---------------------------------------------------------------------------------------------------------
col_text, col_budget = st.columns([4, 1]) if generates else (st.container(), None)
with col_text:
    text = sentence_box(
        TEXT,
        "Sentence",
        MAX_CHARS,
        help="Press Enter to run. Up to the model's token limit is shown; longer text is cut.",
    )
budget = pretrained.DEFAULT_NEW_TOKENS
if col_budget is not None:
    with col_budget:
        budget = int(
            state.bound(
                TOKENS,
                st.number_input,
                "Tokens to generate",
                1,
                pretrained.MAX_NEW_TOKENS,
                help="Greedy decoding: each step appends the most probable token; it stops earlier at the "
                "end-of-text token.",
            )
        )
if not text.strip():
    st.info("Type a sentence above and press Enter to see where each token looks.")
    st.stop()

try:
    run = cache.pretrained_run(model_path, text, budget)
except ValueError as exc:
    st.error(f"The model could not process this text: {literal(str(exc), 400)}")
    st.stop()

unknown = pretrained.unknown_words(bundle, text)
if unknown:
    st.warning("Read as unknown by this model's tokenizer: " + ", ".join(quoted(w, 40) for w in unknown[:20]))
first = run.capture
if first.truncated_from:
    kept = len(first.query_tokens) if bundle.family is not Family.DECODER else run.prompt_length
    st.warning(
        f"This text has {first.truncated_from} tokens; the model takes {kept}. "
        f"Showing the first {kept} tokens" + (" ([SEP] kept at the end)." if bundle.family is Family.ENCODER else ".")
    )

part = next(iter(run.captures))
if len(run.captures) > 1:
    part = st.radio("Attention", list(run.captures), format_func=PARTS.__getitem__, key="bert_part", horizontal=True)

# ---- generated text (decoder-only and encoder-decoder) -------------------------------------------------------------
if generates and run.steps:
    st.subheader("Generated")
    st.text(("" if bundle.family is Family.ENCODER_DECODER else text.strip() + " → ") + run.generated_text)
    chart(st, generation.generation_figure(run.steps), key="bert_generation")


# ---- the view: one head, all heads, and one section below them ----------------------------------------------------
# Everything below the sentence is one fragment: choosing a layer, a head, a tile, a zoom or a section reruns only
# this part of the page, on the run already cached; the section chooser builds only the section on screen.


@st.fragment
def view(model_path: str, text: str, budget: int, part: str, source: str) -> None:
    """The head view and the chosen section. Its arguments are kept for the fragment's reruns, so they are small."""
    bundle = cache.pretrained_bundle(model_path)
    run = cache.pretrained_run(model_path, text, budget)
    capture = run.captures[part]
    n = len(capture.query_tokens)
    generates = bundle.family is not Family.ENCODER

    col_layer, col_head, col_info = st.columns([1, 1, 3])
    with col_layer:  # a link's (or a larger model's) layer that this model lacks moves to the nearest it has
        layers = range(capture.num_layers)
        layer = state.bound(LAYER, st.selectbox, "Layer", layers, valid=state.within(layers))
    with col_head:
        heads = range(capture.num_heads)
        head = state.bound(HEAD, st.selectbox, "Head", heads, valid=state.within(heads))
    with col_info:
        predict = state.bound(
            PREDICT,
            st.toggle,
            "Predict, then reveal",
            help="Hide this head's weights so the class can guess where each token looks; the teacher reveals them.",
        )
    col_info.caption(
        f"{n} × {len(capture.key_tokens)} tokens · {capture.num_layers} layers × {capture.num_heads} heads · "
        f"{bundle.family.value} model **{capture.model}**. Rows are queries (the token that looks), columns are "
        "keys (the tokens it looks at); each row sums to 100%."
    )

    revealed = st.session_state.setdefault(REVEALED, set())
    shown_view = (model_path, part, hash(text), layer, head)
    if predict and shown_view not in revealed:
        st.subheader(f"Layer {layer}, head {head}: where will each token look?")
        st.info(
            "Guess first: for a few tokens, which token will this head look at most — the one before, itself, "
            "[CLS] or [SEP], a related word? Then reveal. The tokens: "
            + " · ".join(literal(t, 40) for t in capture.query_tokens[:80])
        )
        if len(revealed) > 500:  # a session's reveals stay a small set
            revealed.clear()
        # the callback runs before the rerun it causes, so that run already draws the answer
        st.button("Reveal this head", key="bert_reveal", on_click=revealed.add, args=(shown_view,), type="primary")
        return

    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"Layer {layer}, head {head}")
        zoom = None
        span = max(n, len(capture.key_tokens))
        if span >= ZOOM_FROM:  # a long input: zoom to a span of positions
            zoom_from, zoom_to = st.slider(
                "Zoom to token positions",
                0,
                span - 1,
                (0, span - 1),
                key="bert_zoom",
                help="Rows and columns of these positions only; each row keeps the model's own weights.",
            )
            zoom = None if (zoom_from, zoom_to) == (0, span - 1) else (zoom_from, zoom_to + 1)
        chart(st, cache.figure(capture, heatmap.head_heatmap, layer, head, window=zoom), key="bert_head_heatmap")
    with right:
        st.subheader("All heads")
        st.caption(
            "Each tile is one head (rows: layers). Click a tile to open it on the left."
            + (" Tiles of long inputs are pooled to 32×32 blocks." if span > 32 else "")
        )
        chart(
            st,
            cache.figure(capture, heatmap.heads_grid),
            key="bert_grid",
            on_select=functools.partial(open_clicked_head, "bert_grid", "bert_layer", "bert_head", capture.num_heads),
            selection_mode="points",
            config={"displayModeBar": False},
        )

    if generates and run.steps:
        step_by_step(run, bundle.family, layer, head)
    if source in COMPARE_MODELS:
        compare_link(st, COMPARE_MODELS[source], text, layer, head, capture.num_heads)

    multi = len(run.captures) > 1
    sections = [s for s in SECTIONS if s != ROLLOUT or (capture.kind is not AttentionKind.CROSS and n == span)]
    shown = state.bound(
        SECTION,
        st.segmented_control,
        "Show below",
        sections,
        required=True,
        valid=lambda s: s if s in sections else sections[0],
        help="Only the section on screen is built: each one is a click away.",
    )
    if shown == SCORES:
        score_section(model_path, text, layer, head, part, budget, capture.query_tokens)
    elif shown == BERTVIZ:
        bertviz_section(run, capture, layer, multi)
    elif shown == MEASURES:
        measures_section(model_path, capture, part, budget, "" if not multi else f"_{part}")
    elif shown == ROLLOUT:
        st.caption(
            "Rollout (Abnar & Zuidema 2020) multiplies the layers' head-averaged attention, each taken as "
            "0.5·A + 0.5·I for the residual connection, to estimate how much each token draws on each input token "
            "by this layer. It assumes information mixes only linearly through attention and ignores the values and "
            "feed-forward layers: a picture, not a proof."
        )
        rollout_pair(capture, layer, "bert_raw_mean", "bert_rollout")
    elif shown == EXPORT:
        export_section(capture, layer, head, "" if not multi else f"_{part}")
    integrity_section(model_path, run, capture)  # always: four numbers that say the weights are the model's own


def step_by_step(run: pretrained.PretrainedRun, family: Family, layer: int, head: int) -> None:
    """Generation step by step: the next-token probabilities and the row of this head that chose the token."""
    st.subheader("Step by step")
    step = 0
    if len(run.steps) > 1:
        step = st.slider("Generation step", 0, len(run.steps) - 1, 0, key="bert_step")
    chooser = pretrained.step_query(run, step)
    row_part = "decoder" if family is Family.DECODER else "cross"
    row_capture = run.captures[row_part]
    s1, s2 = st.columns(2)
    chart(s1, generation.next_token_figure(run.steps[step], f"step {step}: the next token"), key="bert_next")
    row = row_capture.head(layer, head)[chooser, : chooser + 1 if row_part == "decoder" else None]
    keys = row_capture.key_tokens[: len(row)]
    title = f"layer {layer}, head {head}: the row that chose “{run.steps[step].token}”"
    chart(s2, generation.row_figure(keys, row, title), key="bert_step_row")


@st.fragment
def score_section(model_path: str, text: str, layer: int, head: int, part: str, budget: int, tokens: tuple) -> None:
    """How one score is made. A fragment: choosing another query token reruns only this section.

    Its arguments are kept for the fragment's reruns, so they are small: the tokens, not the capture.
    """
    # The options are the labels themselves: with positions as options and a format function, a new sentence
    # of the same length kept the old sentence's label on screen (same options, same value).
    query_labels = [f"{i}: {token}" for i, token in enumerate(tokens)]
    query_label = st.selectbox("Query token", query_labels, index=min(1, len(tokens) - 1), key="bert_query")
    query = query_labels.index(query_label)
    try:
        scores = cache.pretrained_scores(model_path, text, layer, head, query, part=part, budget=budget)
    except ValueError as exc:
        st.info(f"Not shown for this model: {exc}")
        return
    b = scores.breakdown
    st.markdown(
        f"For layer {layer}, head {head}: the query vector **q** of the query token is dotted with the key vector "
        f"**k** of every key it may see, divided by √d_head = √{b.d_head}, and put through softmax. These are the "
        "model's own projections, recomputed from the layer's input; the softmax matches the captured row "
        f"to {scores.max_error:.0e}."
    )
    for note in scores.notes:
        st.caption(f"• {note}")
    score_col, table_col = st.columns([3, 2])
    chart(score_col, heatmap.score_figure(b, query_token=scores.query_token), key="bert_scores")
    table_col.dataframe(
        {
            "key": list(b.tokens),
            "q·k": b.dot,
            f"÷√{b.d_head}": b.scaled,
            "softmax": b.weights,
            "captured": scores.captured,
        },
        hide_index=False,
        height=480,
    )


def bertviz_section(run: pretrained.PretrainedRun, capture: AttentionCapture, layer: int, multi: bool) -> None:
    st.caption(
        "Jesse Vig's bertviz, drawn from files installed with the app: it works with no network. "
        "Hover a token to see its lines; click a coloured square to toggle a head (double-click: only that head)."
        + (" Choose Encoder, Decoder or Cross in the Attention menu." if multi else "")
    )
    views: tuple[tuple[bertviz_views.View, str], ...] = (("head", "Head view"), ("model", "Model view"))
    longest = max(max(len(c.query_tokens), len(c.key_tokens)) for c in run.captures.values())
    named = {BERTVIZ_NAMES[k]: c for k, c in run.captures.items()}
    for view_name, title in views:
        st.markdown(f"**{title}**")
        window, start = bertviz_views.max_window(view_name, capture.num_layers, capture.num_heads, longest), 0
        if window < longest:
            c_size, c_start = st.columns(2)
            window = int(
                c_size.number_input(
                    f"{title}: tokens shown",
                    2,
                    longest,
                    window,
                    key=f"bert_{view_name}_window",
                    help="bertviz draws one SVG line per weight (about 100,000 lines a second): more tokens, slower.",
                )
            )
            start = 0  # the whole input: a slider from 0 to 0 cannot be drawn
            if window < longest:
                start = c_start.slider(
                    f"{title}: first token shown", 0, longest - window, 0, key=f"bert_{view_name}_start"
                )
            lines = bertviz_views.lines_drawn(view_name, capture.num_layers, capture.num_heads, window)
            st.caption(
                f"Showing tokens {start}–{start + window - 1} of {longest} ({lines:,} lines); "
                "the heatmaps above show every token."
            )
        asset_url = cache.bertviz_asset_url()
        if multi:
            html = bertviz_views.encoder_decoder_window_html(named, view_name, start, start + window, layer, asset_url)
            standalone = functools.partial(
                bertviz_views.encoder_decoder_window_html,
                named,
                view_name,
                start,
                start + window,
                layer,
                asset_url=None,
            )
        else:
            html = bertviz_views.bertviz_html(
                capture, view_name, start, start + window, layer=layer, asset_url=asset_url
            )
            standalone = functools.partial(
                bertviz_views.bertviz_html, capture, view_name, start, start + window, layer=layer, asset_url=None
            )
        st.iframe(html, height="content")
        # the same view with its scripts inlined (asset_url=None), built when clicked: a file that opens offline
        st.download_button(
            f"{title} as HTML",
            data=standalone,
            file_name=f"bertviz_{view_name}_view.html",
            mime="text/html",
            on_click="ignore",
            key=f"bert_{view_name}_html",
            help="This view as one HTML file with its scripts inside: it opens in a browser with no network.",
        )


def integrity_section(model_path: str, run: pretrained.PretrainedRun, capture: AttentionCapture) -> None:
    st.subheader("Integrity")
    first = run.capture
    c1, c2, c3, c4 = st.columns(4)
    c1.metric("Attention", capture.attn_implementation, help="eager: the fused SDPA path returns no weights")
    c2.metric("Layers × heads", f"{capture.num_layers} × {capture.num_heads}")
    c3.metric("Max |row sum − 1|", f"{max(c.max_row_sum_error for c in run.captures.values()):.1e}")
    if first.truncated_from:
        c4.metric("Tokens", f"{len(first.query_tokens)} of {first.truncated_from}")
    else:
        c4.metric("Tokens", len(first.query_tokens))
    causal = [c for c in run.captures.values() if c.kind is AttentionKind.CAUSAL_SELF]
    if causal:
        st.caption(
            f"Causal mask: the largest weight on a later token is {max(map(pretrained.max_future_weight, causal)):.1e} "
            "(a decoder may look only at the tokens before it)."
        )
    with st.expander("Model details"):
        st.json(cache.pretrained_summary(model_path))


def measures_section(model_path: str, capture: AttentionCapture, part: str, budget: int, suffix: str) -> None:
    over = st.radio(
        "Measured on",
        ["this sentence", "a list of sentences"],
        horizontal=True,
        key="bert_measure_over",
        help="A list averages each measure over many inputs: a head's habit, not one sentence's accident.",
    )
    measures = cache.figure(capture, measure_heads)
    measured_on = "this sentence"
    if over == "a list of sentences":
        st.text_area(
            f"Sentences, one per line (up to {MAX_LIST_SENTENCES})",
            key="bert_list",
            height=140,
            placeholder="The cat sat on the mat.\nThe keys to the cabinet are on the table.\n…",
        )
        # the callback only raises a flag; the measuring runs here, so its progress bar shows in place
        st.button(
            "Measure every head on this list",
            key="bert_list_go",
            on_click=st.session_state.update,
            args=({LIST_GO: True},),
        )
        if st.session_state.pop(LIST_GO, False):
            measure_list(model_path, part, budget)
        averaged = st.session_state.get(LIST_RESULT)
        message = st.session_state.pop(LIST_MESSAGE, None)
        if message:
            st.warning(message)
        if averaged and averaged["key"] == (model_path, part) and averaged["shape"] == capture.weights.shape[:2]:
            measures, measured_on = averaged["measures"], f"the mean over {averaged['count']} sentences"
        else:
            st.caption("Paste sentences and press the button; until then the measures are of this sentence.")
    names = list(measures)
    shown = st.selectbox(
        "Measure",
        names,
        key="bert_measure",
        help="entropy: how spread out each row is (nats); spread: the same ÷ ln(keys), 0 one key … 1 uniform; "
        "distance: mean gap in positions between a token and "
        "what it looks at; the others: the mean share of each row's weight on that kind of key.",
    )
    st.caption(f"Measured on {measured_on}. Choose a row of the table to open that head above.")
    m1, m2 = st.columns([2, 3])
    chart(m1, heatmap.measure_heatmap(measures[shown], shown, UNITS.get(shown, "share")), key="bert_measures")
    table = [
        {"layer": lay, "head": h, "pattern": head_pattern(measures, lay, h)}
        | {name: round(float(values[lay, h]), 4) for name, values in measures.items()}
        for lay in range(capture.num_layers)
        for h in range(capture.num_heads)
    ]
    m2.dataframe(
        table,
        hide_index=True,
        height=360,
        key="bert_measure_table",
        on_select=functools.partial(
            open_table_head, "bert_measure_table", "bert_layer", "bert_head", capture.num_heads
        ),
        selection_mode="single-row",
    )
    m2.download_button(
        "These measures as CSV",
        data=pd.DataFrame(table).to_csv(index=False),
        file_name=f"head_measures{suffix}.csv",
        mime="text/csv",
        key="bert_measures_csv",
    )


def measure_heads(capture: AttentionCapture) -> dict:
    """Every head's measures on this capture (kept with the capture by `cache.figure`, like a figure)."""
    return head_measures(capture.weights, capture.key_tokens)


def export_section(capture: AttentionCapture, layer: int, head: int, suffix: str) -> None:
    # sizes are known before anything is built; a form over the download limit is replaced by a compact one
    offered, over_limit = downloads(capture, layer, head, name=f"attention{suffix}")
    for column, item in zip(st.columns(3), offered, strict=False):
        column.download_button(
            item.button_label,
            data=item.build,  # a partial holding only the capture, built when clicked
            file_name=item.file_name,
            mime=item.mime,
            on_click="ignore",
            help=item.help,
        )
    if over_limit:
        st.info(over_limit, icon="📦")
    st.caption('Same from the command line: `attention-explorer export "your sentence" -o capture.json`')


view(model_path, text, budget, part, source)
