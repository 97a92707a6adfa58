"""Figures for the RNN encoder-decoder page: the alignment matrix, one decoding step, quality by length."""

from __future__ import annotations

import html

import numpy as np
import plotly.graph_objects as go

from attention_explorer.models.core.capture import AttentionCapture
from attention_explorer.viz.heatmap import axis_labels, matrix_heatmap


def alignment_heatmap(capture: AttentionCapture, gold: list[tuple[int, int]] | None = None) -> go.Figure:
    """α(t, i): French output words as rows, English source words as columns; gold pairs outlined."""
    fig = matrix_heatmap(
        capture.head(0, 0),
        capture.query_tokens,
        capture.key_tokens,
        title=f"{html.escape(capture.model)} · alignment α(t, i)",
        x_title="English (source)",
        y_title="French (output)",
    )
    if gold:
        x_labels, y_labels = axis_labels(capture.key_tokens), axis_labels(capture.query_tokens)
        pairs = [(i, j) for i, j in gold if i < len(x_labels) and j < len(y_labels)]
        fig.add_scatter(
            x=[x_labels[i] for i, _ in pairs],
            y=[y_labels[j] for _, j in pairs],
            mode="markers",
            marker={"symbol": "square-open", "size": 16, "color": "#d62728", "line": {"width": 2}},
            name="gold alignment",
            hovertemplate="gold: %{y} ↔ %{x}<extra></extra>",
        )
        fig.layout.legend = {"orientation": "h", "y": -0.02, "yanchor": "top"}
    return fig


def step_figure(source: tuple[str, ...], scores: np.ndarray, alpha: np.ndarray, emitted: str, t: int) -> go.Figure:
    """Output step t: the scores e(t, i) over the source, then α(t, i) = softmax(e), and the word emitted."""
    x = axis_labels(source)
    fig = go.Figure()
    for values, name, symbol, color, axis in (
        (scores, "e(t, i)", "e", "#9ecae1", "y"),
        (alpha, "α(t, i)", "α", "#08519c", "y2"),
    ):
        fig.add_bar(
            x=x,
            y=values,
            name=name,
            marker_color=color,
            yaxis=axis,
            hovertemplate=f"%{{x}}<br>{symbol} = %{{y:.3f}}<extra></extra>",
        )
    fig.layout = go.Layout(
        title={"text": f"step {t}: emits “{html.escape(emitted)}”", "font": {"size": 14}},
        xaxis={"type": "category", "tickangle": -60, "anchor": "y2"},
        yaxis={"domain": [0.55, 1.0], "title": {"text": "score e"}},
        yaxis2={"domain": [0.0, 0.45], "title": {"text": "weight α"}, "range": [0, 1]},
        height=460,
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def quality_by_length(metrics: dict[str, dict], measure: str = "exact_match") -> go.Figure:
    """Test-set quality by English sentence length, one line per model (from each metrics.json)."""
    fig = go.Figure()
    for name, m in metrics.items():
        buckets = m["test"]["by_length"]
        fig.add_scatter(
            x=list(buckets),
            y=[b[measure] for b in buckets.values()],
            mode="lines+markers",
            name=name,
            customdata=[b["sentences"] for b in buckets.values()],
            hovertemplate=f"{name}<br>%{{x}} words<br>{measure}: %{{y:.3f}}"
            "<br>%{customdata} sentences<extra></extra>",
        )
    fig.layout = go.Layout(
        xaxis={"title": {"text": "English sentence length (words)"}, "type": "category"},
        yaxis={"title": {"text": measure.replace("_", " ")}},
        height=360,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
    )
    return fig


def context_figure(source: tuple[str, ...], weighted: np.ndarray, alpha_row: np.ndarray, t: int) -> go.Figure:
    """c_t = Σ_i α(t, i) h_i drawn: one strip per source word (its state h_i scaled by α), and their sum.

    weighted: (S, D) rows α(t, i)·h_i. The last row is the sum, the context vector the decoder reads.
    """
    rows = axis_labels([f"{tok}  (α = {a:.2f})" for tok, a in zip(source, alpha_row, strict=True)])
    z = np.vstack([weighted, weighted.sum(0, keepdims=True)]).astype(np.float32)
    limit = float(np.abs(z).max()) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=z,
            y=[*rows, f"c_{t} = Σ α·h"],
            colorscale="RdBu",
            reversescale=True,
            zmid=0,
            zmin=-limit,
            zmax=limit,
            colorbar={"title": {"text": "value"}},
            hovertemplate="%{y}<br>dimension %{x}<br>%{z:.3f}<extra></extra>",
        )
    )
    fig.layout = go.Layout(
        title={
            "text": f"step {t}: the context vector is the α-weighted sum of the encoder states",
            "font": {"size": 14},
        },
        xaxis={"title": {"text": "dimension of h_i (forward and backward GRU states)"}},
        yaxis={"type": "category", "autorange": "reversed"},
        height=int(min(700, 22 * len(z) + 160)),
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
    )
    return fig
