"""Real-valued matrices as Plotly heatmaps: positional-encoding tables, similarities, playground steps."""

from __future__ import annotations

from typing import Any

import numpy as np
import plotly.graph_objects as go

from attention_explorer.models.teaching.positional import cosine_similarity
from attention_explorer.viz.heatmap import axis_labels


def value_heatmap(
    matrix: np.ndarray,
    *,
    title: str,
    x_title: str,
    y_title: str,
    row_labels: list[str] | None = None,
    col_labels: list[str] | None = None,
    diverging: bool = True,
    show_values: bool | None = None,
    height: int | None = None,
) -> go.Figure:
    """A matrix of any real values; diverging colours centred on 0, numbers printed when it is small.

    -inf (a masked score) is drawn as an empty cell and printed as −∞.
    """
    m = np.asarray(matrix, dtype=np.float64)
    rows: list[str] | list[int] = list(range(m.shape[0]))
    cols: list[str] | list[int] = list(range(m.shape[1]))
    if row_labels is not None:
        rows = axis_labels(row_labels)
    if col_labels is not None:
        cols = axis_labels(col_labels)
    finite = np.where(np.isfinite(m), m, np.nan).astype(np.float32)
    show = m.size <= 144 if show_values is None else show_values
    text = np.where(np.isfinite(m), np.char.mod("%.2f", np.nan_to_num(m, neginf=0.0)), "−∞") if show else None
    limit = float(np.nanmax(np.abs(finite))) if np.isfinite(finite).any() else 1.0
    heat = go.Heatmap(
        z=finite,
        x=cols,
        y=rows,
        text=text,
        texttemplate="%{text}" if show else None,
        colorscale="RdBu" if diverging else "Blues",
        reversescale=diverging,
        zmid=0 if diverging else None,
        zmin=None if diverging else 0,
        zmax=None if diverging else max(limit, 1e-9),
        hovertemplate=f"{y_title} %{{y}}<br>{x_title} %{{x}}<br>%{{z:.4f}}<extra></extra>",
    )
    fig = go.Figure(heat)
    fig.layout = go.Layout(
        title={"text": title, "font": {"size": 14}, "y": 0.995, "yanchor": "top"},
        xaxis={"title": {"text": x_title}, "type": "category" if col_labels is not None else "linear", "side": "top"},
        yaxis={
            "title": {"text": y_title},
            "type": "category" if row_labels is not None else "linear",
            "autorange": "reversed",
        },
        height=height or int(min(700, max(260, 26 * m.shape[0] + 140))),
        margin={"l": 10, "r": 10, "t": 105, "b": 10},
    )
    return fig


def position_similarity(table: np.ndarray, title: str) -> go.Figure:
    """Cosine similarity of every pair of position vectors of a (positions, dim) table."""
    return value_heatmap(
        cosine_similarity(table), title=title, x_title="position", y_title="position", show_values=False, height=420
    )


def weights_heatmap(weights: np.ndarray, queries: list[str], keys: list[str], title: str, **options: Any) -> go.Figure:
    """Attention weights (queries × keys, each row sums to 1) on a 0-based sequential scale."""
    return value_heatmap(
        weights,
        title=title,
        x_title="key",
        y_title="query",
        row_labels=queries,
        col_labels=keys,
        diverging=False,
        **options,
    )
