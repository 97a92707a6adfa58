"""Two models on one sentence: the [CLS] rows side by side, which heads changed, the predictions.

Plain arrays in, Plotly figures out (no torch).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from attention_explorer.viz.heatmap import COLORSCALE, axis_labels, to_percent


def first_row_figure(
    key_tokens: Sequence[str], rows: Sequence[np.ndarray], names: Sequence[str], layer: int, query: str = "[CLS]"
) -> go.Figure:
    """Each model's first-token ([CLS]) row in one layer, side by side: heads as rows, keys as columns.

    rows: per model a [head, key] array (the [CLS] query's weights in `layer`).
    """
    if len(rows) != len(names):
        raise ValueError("One name per model")
    x = axis_labels(list(key_tokens))
    # the layout is written out rather than made by make_subplots and update_*: a third of the time to build
    # (17 ms → 5 for 12 heads × 34 keys), on every new sentence of the fine-tuning page
    gap = 0.04
    width = (1 - gap * (len(rows) - 1)) / len(rows)
    layout: dict = {
        "title": {
            "text": f"layer {layer}: where {html.escape(query, quote=False)} looks, per head",
            "font": {"size": 14},
        },
        "height": max(300, 24 * np.asarray(rows[0]).shape[0] + 170),
        "margin": {"l": 10, "r": 10, "t": 70, "b": 10},
        "yaxis": {"autorange": "reversed", "type": "category", "anchor": "x"},  # one y axis: the heads, shared
        "annotations": [],
    }
    traces = []
    for i, row in enumerate(rows):
        z = to_percent(np.asarray(row))
        name = html.escape(names[i], quote=False)
        left = i * (width + gap)
        layout["xaxis" if i == 0 else f"xaxis{i + 1}"] = {
            "domain": [left, left + width],
            "type": "category",
            "tickangle": -60,
            "anchor": "y",
        }
        layout["annotations"].append(  # the panel's title, where make_subplots puts one
            {
                "text": name,
                "x": left + width / 2,
                "y": 1.0,
                "xref": "paper",
                "yref": "paper",
                "xanchor": "center",
                "yanchor": "bottom",
                "showarrow": False,
                "font": {"size": 16},
            }
        )
        traces.append(
            go.Heatmap(
                z=z,
                x=x,
                y=[f"head {h}" for h in range(z.shape[0])],
                xaxis="x" if i == 0 else f"x{i + 1}",
                yaxis="y",
                zmin=0,
                zmax=100,
                colorscale=COLORSCALE,
                showscale=i == len(rows) - 1,
                colorbar={"title": {"text": "weight"}, "ticksuffix": "%"},
                hovertemplate=f"{name}<br>%{{y}} · key %{{x}}<br>weight %{{z}}%<extra></extra>",
            )
        )
    return go.Figure(traces, layout=layout)


def divergence_heatmap(divergence: np.ndarray, title: str = "how much each head changed") -> go.Figure:
    """[layer, head] Jensen–Shannon divergence (nats, 0 … ln 2) between two models' attention rows."""
    n_layers, n_heads = divergence.shape
    return go.Figure(
        go.Heatmap(
            z=np.round(divergence, 4),
            x=[f"h{h}" for h in range(n_heads)],
            y=[f"L{layer}" for layer in range(n_layers)],
            zmin=0,
            colorscale="Reds",
            colorbar={"title": {"text": "JS (nats)"}},
            hovertemplate="layer %{y} · head %{x}<br>JS divergence %{z} nats<extra></extra>",
        ),
        layout={
            "title": {"text": html.escape(title, quote=False), "font": {"size": 14}},
            "yaxis": {"autorange": "reversed"},
            "height": n_layers * 30 + 120,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        },
    )


def prediction_figure(labels: Sequence[str], probabilities: Sequence[float] | np.ndarray) -> go.Figure:
    """The classifier's probability for each label, the predicted one dark."""
    probs = np.asarray(probabilities, dtype=np.float64)
    best = int(probs.argmax())
    return go.Figure(
        go.Bar(
            x=probs,
            y=[html.escape(label, quote=False) for label in labels],
            orientation="h",
            marker_color=["#08519c" if i == best else "#9ecae1" for i in range(len(labels))],
            text=[f"{p:.1%}" for p in probs],
            textposition="outside",
            cliponaxis=False,
            hovertemplate="%{y}: %{x:.2%}<extra></extra>",
        ),
        layout={
            "xaxis": {"range": [0, 1.15], "tickformat": ".0%", "title": {"text": "probability"}},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "height": 60 * len(labels) + 80,
            "margin": {"l": 10, "r": 10, "t": 20, "b": 10},
        },
    )


def difference_heatmap(
    diff: np.ndarray, query_tokens: Sequence[str], key_tokens: Sequence[str], title: str = "A − B"
) -> go.Figure:
    """A − B over the aligned tokens: red where A looks more, blue where B does, white at 0 (percentage points)."""
    z = np.round(np.asarray(diff, dtype=np.float64) * 100, 1)
    limit = max(float(np.abs(z).max()) if z.size else 0.0, 1.0)
    return go.Figure(
        go.Heatmap(
            z=z,
            x=axis_labels(list(key_tokens)),
            y=axis_labels(list(query_tokens)),
            zmin=-limit,
            zmax=limit,
            zmid=0,
            colorscale="RdBu_r",
            colorbar={"title": {"text": "A − B"}, "ticksuffix": " pt"},
            hovertemplate="query: %{y}<br>key: %{x}<br>A − B: %{z} points<extra></extra>",
        ),
        layout={
            "title": {"text": html.escape(title, quote=False), "y": 0.995, "yanchor": "top", "font": {"size": 14}},
            "xaxis": {"title": {"text": "key"}, "type": "category", "side": "top", "tickangle": -60},
            "yaxis": {"title": {"text": "query"}, "type": "category", "autorange": "reversed"},
            "height": int(min(900, max(420, 16 * z.shape[0] + 180))),
            "margin": {"l": 10, "r": 10, "t": 130, "b": 10},
        },
    )


def row_divergence_figure(query_tokens: Sequence[str], js: np.ndarray) -> go.Figure:
    """Jensen–Shannon divergence of each aligned query row (nats, 0 … ln 2 ≈ 0.69)."""
    values = np.round(np.asarray(js, dtype=np.float64), 4)
    return go.Figure(
        go.Bar(
            x=values,
            y=axis_labels(list(query_tokens)),
            orientation="h",
            marker_color="#b2182b",
            hovertemplate="query %{y}<br>JS divergence %{x} nats<extra></extra>",
        ),
        layout={
            "title": {"text": "JS divergence per row", "font": {"size": 14}},
            "xaxis": {"range": [0, float(np.log(2))], "title": {"text": "nats (ln 2: no overlap)"}},
            "yaxis": {"autorange": "reversed", "type": "category"},
            "height": int(min(900, max(300, 18 * len(values) + 120))),
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
        },
    )
