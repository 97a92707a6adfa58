"""Figures of attention pooling (Nadaraya–Watson): predictions, the weight matrix, one query's row, training.

Pure functions of NumPy arrays (models.teaching.pooling); no torch, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attention_explorer.models.teaching.pooling import PoolingData, WidthTraining

KEY_COLOR, TRUTH_COLOR, PRED_COLOR, QUERY_COLOR = "#7f7f7f", "#2ca02c", "#1f77b4", "#d62728"


def _data_traces(data: PoolingData, prediction: np.ndarray, *, legend: bool = True) -> list[go.Scatter]:
    return [
        go.Scatter(
            x=data.keys,
            y=data.values,
            mode="markers",
            name="training pairs (keys x_i, values y_i)",
            marker={"color": KEY_COLOR, "size": 6, "opacity": 0.7},
            showlegend=legend,
            hovertemplate="key x=%{x:.3f}<br>value y=%{y:.3f}<extra></extra>",
        ),
        go.Scatter(
            x=data.queries,
            y=data.truth,
            mode="lines",
            name="truth 2 sin(x) + x^0.8",
            line={"color": TRUTH_COLOR, "dash": "dash"},
            showlegend=legend,
            hovertemplate="x=%{x:.2f}<br>truth %{y:.3f}<extra></extra>",
        ),
        go.Scatter(
            x=data.queries,
            y=prediction,
            mode="lines",
            name="prediction f(x) = Σ α y_i",
            line={"color": PRED_COLOR, "width": 2.5},
            showlegend=legend,
            hovertemplate="query x=%{x:.2f}<br>prediction %{y:.3f}<extra></extra>",
        ),
    ]


def prediction_figure(
    data: PoolingData,
    prediction: np.ndarray,
    *,
    title: str,
    query: float | None = None,
    query_prediction: float | None = None,
) -> go.Figure:
    """Training pairs, the true curve and the pooled prediction at every query; optionally one query marked."""
    fig = go.Figure(_data_traces(data, prediction))
    if query is not None and query_prediction is not None:
        fig.add_trace(
            go.Scatter(
                x=[query],
                y=[query_prediction],
                mode="markers",
                name="your query",
                marker={"color": QUERY_COLOR, "size": 13, "symbol": "x"},
                hovertemplate="query x=%{x:.3f}<br>prediction %{y:.3f}<extra></extra>",
            )
        )
        fig.add_vline(x=query, line={"color": QUERY_COLOR, "width": 1, "dash": "dot"})
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        xaxis={"title": {"text": "x"}},
        yaxis={"title": {"text": "y"}},
        height=420,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "y": -0.18},
    )
    return fig


def weights_figure(weights: np.ndarray, queries: np.ndarray, keys: np.ndarray, *, title: str) -> go.Figure:
    """The attention weight matrix: one row per query, one column per key (at its x), each row sums to 1."""
    w = np.asarray(weights, dtype=np.float64)
    fig = go.Figure(
        go.Heatmap(
            z=w,
            x=np.round(keys, 3),
            y=np.round(queries, 3),
            colorscale="Blues",
            zmin=0,
            zmax=max(float(w.max()), 1e-9),
            colorbar={"title": {"text": "α"}},
            hovertemplate="query x=%{y}<br>key x_i=%{x}<br>α=%{z:.4f}<extra></extra>",
        )
    )
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        xaxis={"title": {"text": "key x_i (training input)"}},
        yaxis={"title": {"text": "query x (test input)"}, "autorange": "reversed"},
        height=440,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def width_panels(data: PoolingData, panels: Sequence[tuple[str, np.ndarray]]) -> go.Figure:
    """The same data pooled with several kernel widths, side by side: (title, prediction) per panel."""
    fig = make_subplots(rows=1, cols=len(panels), subplot_titles=[t for t, _ in panels], shared_yaxes=True)
    for i, (_, prediction) in enumerate(panels):
        for trace in _data_traces(data, prediction, legend=i == 0):
            fig.add_trace(trace, row=1, col=i + 1)
    fig.update_annotations(font_size=12)
    fig.update_layout(height=330, margin={"l": 10, "r": 10, "t": 40, "b": 10}, legend={"orientation": "h", "y": -0.15})
    return fig


def weight_row_figure(keys: np.ndarray, row: np.ndarray, *, query: float, prediction: float) -> go.Figure:
    """One query's weights over the keys (one bar per key, at its x); the bars sum to 1."""
    fig = go.Figure(
        go.Bar(
            x=keys,
            y=row,
            marker_color=PRED_COLOR,
            width=0.06,
            hovertemplate="key x_i=%{x:.3f}<br>α=%{y:.4f}<extra></extra>",
        )
    )
    fig.add_vline(x=query, line={"color": QUERY_COLOR, "width": 1.5, "dash": "dot"})
    fig.update_layout(
        title={"text": f"Weights of the query x = {query:.3f} over the keys → prediction {prediction:.3f}"},
        xaxis={"title": {"text": "key x_i"}},
        yaxis={"title": {"text": "α(x, x_i)"}, "rangemode": "tozero"},
        height=300,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig


def training_figure(run: WidthTraining) -> go.Figure:
    """Gradient descent on w: the leave-one-out loss and w at every step."""
    steps = np.arange(len(run.loss))
    fig = make_subplots(rows=1, cols=2, subplot_titles=["leave-one-out loss", "w (the kernel is exp(−(x·w)²/2))"])
    fig.add_trace(
        go.Scatter(
            x=steps, y=run.loss, mode="lines", name="loss", hovertemplate="step %{x}<br>loss %{y:.5f}<extra></extra>"
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Scatter(x=steps, y=run.w, mode="lines", name="w", hovertemplate="step %{x}<br>w %{y:.4f}<extra></extra>"),
        row=1,
        col=2,
    )
    fig.update_xaxes(title_text="step")
    fig.update_layout(height=300, showlegend=False, margin={"l": 10, "r": 10, "t": 40, "b": 10})
    return fig
