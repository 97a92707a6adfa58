"""Generation by a decoder: the next-token distribution at a step, and every generated token's probability.

Figures take the model layer's GenerationStep records (plain data); no torch here.
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from attention_explorer.models.pretrained.steps import GenerationStep
from attention_explorer.viz.heatmap import axis_labels

CHOSEN, OTHER = "#08519c", "#9ecae1"


def next_token_figure(step: GenerationStep, title: str = "") -> go.Figure:
    """The most probable next tokens at one step as horizontal bars, best on top; the chosen one dark."""
    tokens = axis_labels([t for t, _ in step.alternatives])
    probs = [p for _, p in step.alternatives]
    colors = [CHOSEN if i == 0 else OTHER for i in range(len(tokens))]
    fig = go.Figure(
        go.Bar(
            x=probs,
            y=tokens,
            orientation="h",
            marker_color=colors,
            text=[f"{p:.1%}" for p in probs],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        )
    )
    fig.layout = go.Layout(
        title={"text": html.escape(title or "next token", quote=False), "font": {"size": 14}},
        xaxis={"range": [0, 1.15], "tickformat": ".0%", "title": {"text": "probability"}},
        yaxis={"type": "category", "autorange": "reversed"},
        height=max(220, 26 * len(tokens) + 90),
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
        showlegend=False,
    )
    return fig


def generation_figure(steps: Sequence[GenerationStep], highlight: int | None = None) -> go.Figure:
    """One bar per generated token: the probability the model gave it; hover lists the runners-up."""
    if not steps:
        raise ValueError("Nothing was generated")
    labels = axis_labels([s.token for s in steps])
    hover = [
        "<br>".join(f"{html.escape(t)}: {p:.1%}" for t, p in s.alternatives[1:4]) or "(no alternative)" for s in steps
    ]
    colors = [CHOSEN if highlight is None or i == highlight else OTHER for i in range(len(steps))]
    fig = go.Figure(
        go.Bar(
            x=labels,
            y=[s.probability for s in steps],
            marker_color=colors,
            customdata=np.array(hover, dtype=object)[:, None],
            hovertemplate="step %{pointNumber}: %{x} %{y:.1%}<br>runners-up:<br>%{customdata[0]}<extra></extra>",
        )
    )
    fig.layout = go.Layout(
        title={"text": "each generated token's probability (greedy: the most probable one)", "font": {"size": 14}},
        xaxis={"type": "category", "tickangle": -45, "title": {"text": "generated token"}},
        yaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "probability"}},
        height=320,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def row_figure(key_tokens: Sequence[str], weights: np.ndarray, title: str) -> go.Figure:
    """One query's attention over its keys as bars (e.g. the row that chose a generated token).

    title is shown as text (tokens in it cannot add markup).
    """
    fig = go.Figure(
        go.Bar(
            x=axis_labels(list(key_tokens)),
            y=np.asarray(weights, dtype=np.float64),
            marker_color=CHOSEN,
            hovertemplate="key %{x}<br>weight %{y:.1%}<extra></extra>",
        )
    )
    fig.layout = go.Layout(
        title={"text": html.escape(title, quote=False), "font": {"size": 14}},
        xaxis={"type": "category", "tickangle": -60},
        yaxis={"range": [0, 1], "tickformat": ".0%", "title": {"text": "weight"}},
        height=300,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig


def previous_token_heatmap(scores: np.ndarray, threshold: float = 0.5) -> go.Figure:
    """[layer, head] mean weight on the previous token; heads above `threshold` are marked ★ (previous-token heads)."""
    n_layers, n_heads = scores.shape
    marks = np.where(scores > threshold, "★", "")
    fig = go.Figure(
        go.Heatmap(
            z=np.round(scores, 3),
            x=[f"h{h}" for h in range(n_heads)],
            y=[f"L{layer}" for layer in range(n_layers)],
            zmin=0,
            zmax=1,
            colorscale="Purples",
            text=marks,
            texttemplate="%{text}",
            colorbar={"title": {"text": "weight"}, "tickformat": ".0%"},
            hovertemplate="layer %{y} · head %{x}<br>mean weight on the previous token %{z:.1%}<extra></extra>",
        )
    )
    fig.layout = go.Layout(
        title={"text": f"weight on the previous token (★ above {threshold:.0%})", "font": {"size": 14}},
        yaxis={"autorange": "reversed"},
        height=n_layers * 40 + 120,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    return fig
