"""Attention pooling: Nadaraya–Watson kernel regression, queries, keys and values before any network."""

from __future__ import annotations

import numpy as np
import streamlit as st

import attention_explorer.pages.shared.ready  # noqa: F401  (first: waits for the preload's imports)
from attention_explorer.models.teaching import pooling
from attention_explorer.pages.shared import cache, state
from attention_explorer.pages.shared.setup import page_setup
from attention_explorer.pages.shared.widgets import chart
from attention_explorer.viz import pooling as figures

page_setup()

WIDTHS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.0, 3.0, 5.0, 10.0, 20.0, 50.0, 100.0)
SIDE_BY_SIDE = (0.02, 0.2, 1.0, 10.0)
QUERY_RANGE = (0.0, 5.0)
WIDTH = state.Field("pool_width", "width", float, 1.0, lo=WIDTHS[0], hi=WIDTHS[-1])
QUERY = state.Field("pool_q_num", "query", float, 2.5, lo=QUERY_RANGE[0], hi=QUERY_RANGE[1])

st.title("Attention pooling: queries, keys and values")
st.caption(
    "Before any network: 50 noisy training pairs (x_i, y_i) with y = 2 sin(x) + x^0.8 + noise are the keys and "
    "values; each test point x is a query. The prediction is a weighted mean of the values, "
    "f(x) = Σ_i α(x, x_i) y_i, with weights from a Gaussian kernel, α(x, x_i) = softmax_i(−(x − x_i)² / 2σ²): "
    "keys close to the query get most of the weight (Nadaraya 1964, Watson 1964)."
)

data = cache.pooling_data()
width = state.bound(WIDTH, st.select_slider, "Kernel width σ", options=WIDTHS, valid=state.within(WIDTHS))
pooled = pooling.nadaraya_watson(data.queries, data.keys, data.values, width)
regime = pooling.regime(pooled.weights)
effective = float(pooling.effective_keys(pooled.weights).mean())
explain = {
    "average pooling": "every key gets about the same weight, so every prediction is close to the mean of all y",
    "nearest neighbour": "almost all of each row's weight is on the nearest key, so the curve copies the noise",
    "in between": "nearby keys share the weight: the curve follows the data and smooths the noise",
}
st.markdown(
    f"σ = {width:g}: **{regime}** — each query pools about {effective:.1f} of the {len(data.keys)} keys "
    f"(1 / Σα², averaged over queries); {explain[regime]}."
)

left, right = st.columns(2)
chart(left, figures.prediction_figure(data, pooled.prediction, title=f"Prediction with σ = {width:g}"), key="pool_pred")
chart(
    right,
    figures.weights_figure(pooled.weights, data.queries, data.keys, title=f"Attention weights α (σ = {width:g})"),
    key="pool_weights",
)

st.subheader("The width decides the regime")
panels = []
for w in SIDE_BY_SIDE:
    result = pooling.nadaraya_watson(data.queries, data.keys, data.values, w)
    panels.append((f"σ = {w:g}: {pooling.regime(result.weights)}", result.prediction))
chart(st, figures.width_panels(data, panels), key="pool_widths")
st.caption(
    f"Very wide kernel: every weight ≈ 1/{len(data.keys)}, the prediction is the mean of y "
    f"({data.values.mean():.3f}) everywhere. Very narrow: each query takes the value of its nearest key."
)

st.subheader("One query")


def _sync(source: str, target: str) -> None:
    st.session_state[target] = st.session_state[source]


state.restore(QUERY)  # the typed value (kept in the link) drives the slider too
st.session_state["pool_q_slider"] = st.session_state[QUERY.key]
c1, c2 = st.columns([3, 1])
c1.slider(
    "Drag the query x",
    *QUERY_RANGE,
    step=0.01,
    key="pool_q_slider",
    on_change=_sync,
    args=("pool_q_slider", "pool_q_num"),
)
c2.number_input(
    "or type it",
    *QUERY_RANGE,
    step=0.01,
    format="%.3f",
    key="pool_q_num",
    on_change=_sync,
    args=("pool_q_num", "pool_q_slider"),
)
state.keep(QUERY)
query = float(st.session_state[QUERY.key])
one = pooling.nadaraya_watson(np.array([query]), data.keys, data.values, width)
row, prediction = one.weights[0], float(one.prediction[0])
m1, m2, m3 = st.columns(3)
m1.metric("Query x", f"{query:.3f}")
m2.metric("Prediction f(x)", f"{prediction:.4f}")
m3.metric("Truth 2 sin(x) + x^0.8", f"{float(pooling.truth(np.array(query))):.4f}")
q_left, q_right = st.columns(2)
chart(q_left, figures.weight_row_figure(data.keys, row, query=query, prediction=prediction), key="pool_row")
chart(
    q_right,
    figures.prediction_figure(
        data, pooled.prediction, title="Your query on the curve", query=query, query_prediction=prediction
    ),
    key="pool_query_curve",
)
top = np.argsort(-row)[:5]
st.dataframe(
    {
        "key x_i": data.keys[top],
        "value y_i": data.values[top],
        "weight α": row[top],
        "α · y_i": row[top] * data.values[top],
    },
    hide_index=True,
)

st.subheader("Learning the width: parametric attention pooling")
st.markdown(
    "Put a learnable w in the kernel, α(x, x_i) = softmax_i(−((x − x_i)·w)² / 2) — the same as σ = 1/|w| — and "
    "fit w by gradient descent on the squared error. Each training point is predicted from the **other** "
    "points (leave one out): otherwise the best w is infinite, every key predicting itself."
)
t1, t2, t3 = st.columns(3)
t1.number_input("Starting w", 0.1, 20.0, 1.0, step=0.1, key="pool_w0")
t2.slider("Learning rate", 0.5, 50.0, 10.0, step=0.5, key="pool_lr")
t3.slider("Steps", 1, 500, 50, key="pool_steps")
st.button(
    "Train w by gradient descent",
    key="pool_train",
    type="primary",
    on_click=lambda: st.session_state.update(
        pool_trained=(
            float(st.session_state["pool_w0"]),
            float(st.session_state["pool_lr"]),
            int(st.session_state["pool_steps"]),
        )
    ),
)
trained = st.session_state.get("pool_trained")
if trained is None:
    st.info("Press the button to train w (full-batch gradient descent: the same settings give the same run).")
    st.stop()
run = cache.pooling_training(*trained)
t_w0, t_lr, t_steps = trained
try:
    learned = pooling.nadaraya_watson(data.queries, data.keys, data.values, run.learned_width)
except ValueError:  # w ran off to 0, infinity or NaN
    st.error(f"Training diverged (w = {run.learned_w:.3g}): choose a smaller learning rate.")
    st.stop()
r1, r2, r3, r4 = st.columns(4)
r1.metric("Loss before", f"{run.loss[0]:.4f}")
r2.metric("Loss after", f"{run.loss[-1]:.4f}", delta=f"{run.loss[-1] - run.loss[0]:.4f}", delta_color="inverse")
r3.metric("Learned w", f"{run.learned_w:.4f}")
r4.metric("Learned width σ = 1/|w|", f"{run.learned_width:.4f}")
st.caption(f"Trained from w = {t_w0:g} with learning rate {t_lr:g} for {t_steps} steps.")
l_left, l_right = st.columns(2)
chart(l_left, figures.training_figure(run), key="pool_loss")
chart(
    l_right,
    figures.prediction_figure(data, learned.prediction, title=f"Prediction with the learned w = {run.learned_w:.3f}"),
    key="pool_learned",
)
