"""Vision Transformer: a digit cut into patches, and where [CLS] and each patch look, layer by layer."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.core.analysis import attention_rollout
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.vit.capture import (
    DrawingError,
    EmptyDrawing,
    near_and_far,
    nearest_is_neighbour,
    read_drawing,
)
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart, open_clicked_head
from attention_explorer.viz import heatmap, vit
from attention_explorer.viz.matrices import value_heatmap

page_setup()

SOURCES = ["A test digit", "Draw one"]
SOURCE = state.Field("vit_source", "digit", str, SOURCES[0])
INDEX = state.Field("vit_index", "index", int, 0, lo=0, hi=10_000)
LAYER = state.Field("vit_layer", "layer", int, 0, lo=0, hi=63)
HEAD = state.Field("vit_head", "head", int, 0, lo=0, hi=63)
PATCH = state.Field("vit_patch", "patch", int, 5, lo=0, hi=63)  # default: a patch near the centre of 4 × 4

st.title("Vision Transformer on 8×8 digits")
st.caption(
    "An image becomes a sequence: the Vision Transformer (Dosovitskiy et al. 2021) cuts it into patches, turns "
    "each patch into a token vector, puts a learned [CLS] token in front and adds a learned position vector to "
    "every token. Self-attention then mixes the patches, and the digit is read from [CLS]'s last vector. This "
    "small ViT was trained in this repo on scikit-learn's bundled handwritten digits."
)

try:
    model, metrics = cache.vit_bundle()
    digits = cache.vit_test_digits()
except CheckpointError as exc:
    st.error(f"The ViT could not be loaded. {exc}")
    st.stop()
config = model.config
grid, patch_size = config.grid, config.patch_size
test = metrics.get("test", {})
if "accuracy" in test:
    st.caption(
        f"{grid}×{grid} patches of {patch_size}×{patch_size} pixels, {config.layers} layers × {config.heads} heads, "
        f"d_model {config.d_model}. Test accuracy {test['accuracy']:.1%} on {test.get('digits', len(digits))} "
        "held-out digits."
    )

# the chosen test digit outlives the index box (Streamlit drops a widget's state while it is not drawn)
st.session_state.setdefault("vit_chosen", 0)
st.session_state.setdefault("vit_canvas_version", 0)


def _show_misclassified() -> None:
    """A misclassified digit chosen in the pills → that digit in the index box."""
    chosen = st.session_state.get("vit_wrong")
    if chosen is not None:
        st.session_state["vit_index"] = int(chosen)


def _set_canvas(image: np.ndarray) -> None:
    """Replace the drawing; a new editor key drops the edits made on the old grid."""
    st.session_state["vit_canvas"] = np.asarray(image, dtype=np.int64)
    st.session_state["vit_canvas_version"] += 1


source = state.bound(SOURCE, st.radio, "Digit", SOURCES, horizontal=True, valid=state.within(SOURCES))
label: int | None = None
if source == "A test digit":
    wrong = cache.vit_misclassified()
    c1, c2 = st.columns([1, 3])
    with c1:
        index = int(
            state.bound(
                INDEX,
                st.number_input,
                f"Test digit (0–{len(digits) - 1})",
                0,
                len(digits) - 1,
                step=1,
                on_change=lambda: st.session_state.update(vit_wrong=None),  # a digit typed in is no longer the pill's
                valid=lambda i: min(max(int(i), 0), len(digits) - 1),
            )
        )
    wrong_labels = {i: f"#{i}: {truth} → {pred}" for i, truth, pred in wrong}
    c2.pills(
        f"Misclassified test digits ({len(wrong)}): true → predicted",
        list(wrong_labels),
        format_func=lambda i: wrong_labels[i],
        key="vit_wrong",
        on_change=_show_misclassified,
    )
    st.session_state["vit_chosen"] = index
    image = digits.images[index].astype(np.float32)
    label = int(digits.labels[index])
    caption = f"Test digit #{index} (label {label})"
else:
    if "vit_canvas" not in st.session_state:
        st.session_state["vit_canvas"] = digits.images[st.session_state["vit_chosen"]].astype(np.int64)
    st.caption(
        "Paint by typing ink values from 0 (paper) to 16 (full ink) into the cells (double-click a cell, type, "
        "press Enter), then press Classify. The digits the model learned fill most of the 8×8 box."
    )
    d1, d2, d3 = st.columns([3, 1, 1])
    d2.button("Clear", key="vit_clear", on_click=_set_canvas, args=(np.zeros((8, 8)),))
    d3.button(
        f"Start from test digit #{st.session_state['vit_chosen']}",
        key="vit_copy",
        on_click=lambda: _set_canvas(digits.images[st.session_state["vit_chosen"]]),
    )
    columns = [str(c) for c in range(config.image_size)]
    # a form: cells are painted without a rerun after each one (a rerun while a person types into the next
    # cell can drop what they typed); the drawing is read when they press the button
    with d1.form("vit_draw_form", border=False):
        edited = st.data_editor(
            pd.DataFrame(st.session_state["vit_canvas"], columns=columns),
            key=f"vit_draw_{st.session_state['vit_canvas_version']}",
            num_rows="fixed",
            column_config={
                c: st.column_config.NumberColumn(c, min_value=0, max_value=16, step=1, width=40) for c in columns
            },
        )
        st.form_submit_button("Classify this drawing", type="primary")
    try:
        drawing = read_drawing(edited.to_numpy(dtype=object), config.image_size, config.max_value)
    except EmptyDrawing as exc:
        st.info(str(exc))
        st.stop()
    except DrawingError as exc:
        st.error(str(exc))
        st.stop()
    for note in drawing.notes:
        st.warning(f"In your drawing: {note}.")
    image = drawing.image.astype(np.float32)
    caption = "Your drawing"

result = cache.vit_classify(image)
capture = result.capture
left, right = st.columns([1, 2])
chart(left, vit.digit_figure(image, title=caption), key="vit_digit")
chart(right, vit.probability_bars(result.probabilities, label=label), key="vit_probs")

st.subheader("Where [CLS] looks")
st.caption(
    "Each panel is the digit with [CLS]'s attention weights laid over it: the redder a patch, the more of "
    "[CLS]'s attention it gets (one colour scale for every panel). Rows are layers; the last column is the mean "
    "over heads. [CLS]'s weight on itself is not drawn: "
    + ", ".join(f"layer {layer} {capture.weights[layer, :, 0, 0].mean():.0%}" for layer in range(capture.num_layers))
    + " (mean over heads)."
)
chart(st, vit.cls_attention_figure(capture, image), key="vit_cls")

st.subheader("One head, as for a sentence")
st.caption(
    "The same heatmap the text pages draw: a token is a patch here, p(row,col) from the top left. Click a tile "
    "of the grid to open that head."
)


h1, h2 = st.columns(2)
with h1:
    layer = state.bound(
        LAYER,
        st.selectbox,
        "Layer",
        list(range(capture.num_layers)),
        valid=state.within(list(range(capture.num_layers))),
    )
with h2:
    head = state.bound(
        HEAD, st.selectbox, "Head", list(range(capture.num_heads)), valid=state.within(list(range(capture.num_heads)))
    )
g_left, g_right = st.columns([3, 2])
chart(g_left, heatmap.head_heatmap(capture, layer, head), key="vit_heatmap")
chart(
    g_right,
    heatmap.heads_grid(capture, tile_px=90),
    key="vit_grid",
    on_select=functools.partial(open_clicked_head, "vit_grid", LAYER.key, HEAD.key, capture.num_heads),
    selection_mode="points",
    config={"displayModeBar": False},
)

st.subheader("Where one patch looks")


def _pick_patch() -> None:
    points = st.session_state["vit_picker"].selection.points
    if points:
        st.session_state["vit_patch"] = int(points[0]["customdata"])


state.restore(PATCH)
p_left, p_right = st.columns([1, 3])
with p_left:
    chart(
        st,
        vit.patch_picker(image, grid, patch_size, int(st.session_state["vit_patch"])),
        key="vit_picker",
        on_select=_pick_patch,
        selection_mode="points",
        config={"displayModeBar": False},
    )
    patches = list(range(grid * grid))
    patch = state.bound(
        PATCH,
        st.selectbox,
        "Patch",
        patches,
        format_func=lambda i: capture.query_tokens[1 + i],
        valid=state.within(patches),
    )
chart(p_right, vit.patch_attention_figure(capture, image, patch, layer), key="vit_patch_attention")
st.caption(
    f"Layer {layer} (chosen above): each head's weights from {capture.query_tokens[1 + patch]} over the patches."
)

st.subheader("Attention rollout")
rollout = attention_rollout(capture.weights)
chart(st, vit.rollout_figure(rollout, image, grid, patch_size), key="vit_rollout")
st.caption(
    "Rollout (Abnar & Zuidema 2020) follows attention through the layers: average the heads, add the skip "
    "connection (½A + ½I), multiply the layers' matrices. Its [CLS] row says how much each input patch feeds "
    "[CLS] in the end — a picture that assumes attention mixes linearly, not a proof of what the model uses."
)

st.subheader("The learned position embeddings")
similarity = cache.vit_position_similarity()
labels = list(capture.query_tokens[1:])
s_left, s_right = st.columns([1, 1])
chart(
    s_left,
    value_heatmap(
        similarity,
        title="Cosine similarity of the patches' position vectors",
        x_title="patch",
        y_title="patch",
        row_labels=labels,
        col_labels=labels,
        show_values=False,
        height=520,
    ),
    key="vit_pos_matrix",
)
chart(s_right, vit.position_similarity_grid(similarity, grid), key="vit_pos_grid")
near, far = near_and_far(similarity, grid)
st.markdown(
    f"Nobody told the model that the patches form a {grid}×{grid} grid: it got {grid * grid} free vectors. For "
    f"{nearest_is_neighbour(similarity, grid)} of {grid * grid} patches the most similar other patch is a "
    f"neighbour (up, down, left or right); mean cosine between neighbours {near:.2f}, between patches 3 or more "
    f"steps apart {far:.2f}."
)
st.markdown(
    "Compare with the positional encoding of a sentence: its table gives one band along the diagonal (order "
    "in one dimension); these learned vectors found the two dimensions of the image."
)
st.page_link("pages/positions.py", label="Open Positional encoding", icon=":material/compare_arrows:")
