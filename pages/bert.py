"""BERT self-attention: every layer and head of a pretrained encoder, for the sentence you type."""

from __future__ import annotations

import functools

import streamlit as st

from attention_explorer.models.core.analysis import head_entropy
from attention_explorer.models.core.export import to_csv, to_json
from attention_explorer.models.pretrained.loading import MAX_CHARS, ModelLoadError, default_model_dir
from attention_explorer.models.pretrained.paths import PathRefused, allowed_roots, describe_roots, resolve_model_dir
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, open_clicked_head, sentence_box
from attention_explorer.viz import bertviz_views, heatmap
from attention_explorer.viz.text import literal

page_setup()

EXAMPLE = "The cat sat on the mat because the mat was warm."

st.title("BERT self-attention")

with st.sidebar:
    st.subheader("Model")
    source = st.radio(
        "Model", ["Bundled: all-MiniLM-L6-v2", "Local directory"], key="bert_source", label_visibility="collapsed"
    )
    if source == "Local directory":
        model_dir = st.text_input(
            "Model directory",
            key="bert_dir",
            placeholder="/path/to/bert-base-uncased",
            help="A folder saved by save_pretrained: config.json, *.safetensors, tokenizer.",
        )
        roots = allowed_roots()
        st.caption(f"Folders this server allows: {literal(describe_roots(roots))}")
        if not model_dir.strip():
            st.info("Type the path of a local Hugging Face BERT-family model directory.")
            st.stop()
        try:
            model_path = str(resolve_model_dir(model_dir, roots))
        except PathRefused as exc:
            st.error(literal(str(exc), 400))
            st.stop()
    else:
        model_path = str(default_model_dir())

try:
    bundle = cache.pretrained_bundle(model_path)
except ModelLoadError as exc:
    st.error(f"Could not load this model. {literal(str(exc), 600)}")
    st.stop()

text = sentence_box(
    state.Field("bert_text", "text", str, EXAMPLE, max_len=MAX_CHARS, shared_text=True),
    "Sentence",
    MAX_CHARS,
    help="Press Enter to run. Up to the model's token limit is shown; longer text is cut.",
)
if not text.strip():
    st.info("Type a sentence above and press Enter to see where each token looks.")
    st.stop()

try:
    capture = cache.pretrained_run(model_path, text).capture
except ValueError as exc:
    st.error(f"The model could not process this text: {exc}")
    st.stop()

n = len(capture.query_tokens)
if capture.truncated_from:
    st.warning(
        f"This text has {capture.truncated_from} tokens; the model takes {n}. "
        f"Showing the first {n} tokens ([SEP] kept at the end)."
    )


for key, limit in (("bert_layer", capture.num_layers), ("bert_head", capture.num_heads)):
    if st.session_state.get(key, 0) >= limit:  # a smaller model was just chosen
        st.session_state[key] = 0

col_layer, col_head, col_info = st.columns([1, 1, 3])
layer = col_layer.selectbox("Layer", range(capture.num_layers), key="bert_layer")
head = col_head.selectbox("Head", range(capture.num_heads), key="bert_head")
col_info.caption(
    f"{n} tokens · {capture.num_layers} layers × {capture.num_heads} heads · model "
    f"**{capture.model}**. Rows are queries (the token that looks), columns are keys "
    "(the tokens it looks at); each row sums to 100%."
)

left, right = st.columns([3, 2])
with left:
    st.subheader(f"Layer {layer}, head {head}")
    chart(st, heatmap.head_heatmap(capture, layer, head), key="bert_head_heatmap")
with right:
    st.subheader("All heads")
    st.caption(
        "Each tile is one head (rows: layers). Click a tile to open it on the left."
        + (" Tiles of long inputs are pooled to 32×32 blocks." if n > 32 else "")
    )
    chart(
        st,
        heatmap.heads_grid(capture),
        key="bert_grid",
        on_select=functools.partial(open_clicked_head, *("bert_grid", "bert_layer", "bert_head", capture.num_heads)),
        selection_mode="points",
        config={"displayModeBar": False},
    )

st.subheader("How a score is made")
query = st.selectbox(
    "Query token",
    range(n),
    index=min(1, n - 1),
    key="bert_query",
    format_func=lambda i: f"{i}: {capture.query_tokens[i]}",
)
scores = cache.pretrained_scores(model_path, text, layer, head, query)
st.markdown(
    f"For layer {layer}, head {head}: the query vector **q** of “{capture.query_tokens[query]}” is dotted with "
    f"the key vector **k** of every token, divided by √d_head = √{scores.d_head}, and put through softmax. "
    "These are the model's own projections, recomputed from the layer's input."
)
score_col, table_col = st.columns([3, 2])
chart(score_col, heatmap.score_figure(scores), key="bert_scores")
table_col.dataframe(
    {
        "key": list(capture.key_tokens),
        "q·k": scores.dot,
        f"÷√{scores.d_head}": scores.scaled,
        "softmax": scores.weights,
        "captured": capture.head(layer, head)[query],
    },
    hide_index=False,
    height=480,
)

st.subheader("bertviz")
st.caption(
    "Jesse Vig's bertviz, drawn from files installed with the app: it works with no network. "
    "Hover a token to see its lines; click a coloured square to toggle a head (double-click: only that head)."
)
views: tuple[tuple[bertviz_views.View, str], ...] = (("head", "Head view"), ("model", "Model view"))
for view, title in views:
    st.markdown(f"**{title}**")
    window, start = bertviz_views.max_window(view, capture.num_layers, capture.num_heads, n), 0
    if window < n:
        c_size, c_start = st.columns(2)
        window = int(
            c_size.number_input(
                f"{title}: tokens shown",
                2,
                n,
                window,
                key=f"bert_{view}_window",
                help="bertviz draws one SVG line per weight (about 100,000 lines a second): more tokens, slower.",
            )
        )
        start = 0  # the whole input: a slider from 0 to 0 cannot be drawn
        if window < n:
            start = c_start.slider(f"{title}: first token shown", 0, n - window, 0, key=f"bert_{view}_start")
        lines = bertviz_views.lines_drawn(view, capture.num_layers, capture.num_heads, window)
        st.caption(
            f"Showing tokens {start}–{start + window - 1} of {n} ({lines:,} lines); "
            "the heatmaps above show every token."
        )
    html = bertviz_views.bertviz_html(
        capture, view, start, start + window, layer=layer, asset_url=cache.bertviz_asset_url()
    )
    st.iframe(html, height="content")

st.subheader("Integrity")
summary = cache.pretrained_summary(model_path)
c1, c2, c3, c4 = st.columns(4)
c1.metric("Attention implementation", capture.attn_implementation)
c2.metric("Layers × heads", f"{capture.num_layers} × {capture.num_heads}")
c3.metric("Max |row sum − 1|", f"{capture.max_row_sum_error:.1e}")
c4.metric("Tokens", n if not capture.truncated_from else f"{n} of {capture.truncated_from}")
with st.expander("Model details and head entropy"):
    st.json(summary)
    chart(st, heatmap.entropy_heatmap(head_entropy(capture.weights)), key="bert_entropy")

st.subheader("Export")
e1, e2, e3 = st.columns(3)
e1.download_button(
    "This head as CSV",
    data=lambda: to_csv(capture, layer, head),
    file_name=f"attention_L{layer}_H{head}.csv",
    mime="text/csv",
    on_click="ignore",
)
e2.download_button(
    "All heads as CSV", data=lambda: to_csv(capture), file_name="attention.csv", mime="text/csv", on_click="ignore"
)
e3.download_button(
    "All heads as JSON",
    data=lambda: to_json(capture),
    file_name="attention.json",
    mime="application/json",
    on_click="ignore",
)
st.caption('Same from the command line: `attention-explorer export "your sentence" -o capture.json`')
