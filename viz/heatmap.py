"""Plotly heatmaps of attention: one head, all heads at a glance, and one score taken apart.

Weights travel to the browser as whole percents in uint8 (one byte per weight, base64 in the
figure JSON): a colour scale cannot show finer steps than that, and hover reads "weight 42%".

The figures every run draws (one head, all heads, the score bars) are built with `_validate=False`: Plotly's
checking of every property was two fifths of their cost, and the JSON sent is the same (a test rebuilds
them with the checks on and compares it). Without the checks nothing is filled in or caught: a named
colour scale is sent as its name, which plotly.js reads as its own, different scale, so scales are
written out (COLORSCALE); a misspelt property fails only that test.
"""

from __future__ import annotations

import html

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from attention_explorer.models.core.capture import AttentionCapture, ScoreBreakdown

# written out, not named: a figure built without Plotly's checks sends what it is given, and plotly.js's own
# "Blues" is another scale (dark blue at 0, grey at 1), not ColorBrewer's that Plotly's name stands for
COLORSCALE = [[stop, color] for stop, color in plotly.colors.get_colorscale("Blues")]
_INVISIBLE = ("\u200b", "\u2060")  # zero-width space, word joiner: the two digits of a repeat count
_STRIP_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE))


def to_percent(weights: np.ndarray) -> np.ndarray:
    """Weights in [0, 1] → whole percents as uint8 (what the browser receives)."""
    return np.rint(np.clip(weights, 0.0, 1.0) * 100).astype(np.uint8)


NUMBERED_FROM = 40  # tokens: longer inputs get their position in every label (Plotly shows only some ticks)


def axis_labels(tokens: tuple[str, ...] | list[str], first: int = 0, numbered: bool | None = None) -> list[str]:
    """Token labels that Plotly shows as typed and never merges.

    Plotly treats labels as markup (`<b>` would bold), so <, > and & are escaped; and it merges equal
    category labels, so the k-th repeat of a token gets k written in binary with two invisible
    characters (log2 k of them, not k): "the" twice stays two rows that both read "the".
    numbered: prefix each label with its position ("12·the"; `first` is the position of tokens[0]); by
    default for inputs of NUMBERED_FROM tokens or more, where Plotly labels only every few ticks and a
    sparse row of bare words reads like a scrambled sentence.
    """
    if numbered is None:
        numbered = len(tokens) >= NUMBERED_FROM
    seen: dict[str, int] = {}
    labels = []
    for i, tok in enumerate(tokens):
        label = html.escape(tok.translate(_STRIP_INVISIBLE), quote=False)
        if numbered:
            label = f"{first + i}·{label}"
        count = seen.get(label, 0)
        seen[label] = count + 1
        suffix = "".join(_INVISIBLE[int(bit)] for bit in f"{count:b}") if count else ""
        labels.append(label + suffix)
    return labels


def matrix_heatmap(
    matrix: np.ndarray,
    query_tokens,
    key_tokens,
    *,
    title: str,
    x_title: str = "key",
    y_title: str = "query",
    numbered: bool | None = None,
    first: tuple[int, int] = (0, 0),
    zmax: int = 100,
) -> go.Figure:
    """A [query, key] weight matrix: query tokens as rows (top to bottom), key tokens as columns.

    first: the positions of the first query and key shown (when the matrix is a window of a longer input).
    zmax: the percent drawn darkest (two figures side by side share one).
    """
    z = to_percent(matrix)
    if numbered is None:
        numbered = max(len(query_tokens), len(key_tokens)) >= NUMBERED_FROM or first != (0, 0)
    return go.Figure(
        go.Heatmap(
            z=z,
            x=axis_labels(key_tokens, first[1], numbered),
            y=axis_labels(query_tokens, first[0], numbered),
            zmin=0,
            zmax=zmax,
            colorscale=COLORSCALE,
            colorbar={"title": {"text": "weight"}, "ticksuffix": "%"},
            hovertemplate=f"{y_title}: %{{y}}<br>{x_title}: %{{x}}<br>weight: %{{z}}%<extra></extra>",
            _validate=False,
        ),
        layout={
            "title": {"text": title, "y": 0.995, "yanchor": "top", "font": {"size": 14}},
            "xaxis": {"title": {"text": x_title}, "type": "category", "side": "top", "tickangle": -60},
            "yaxis": {"title": {"text": y_title}, "type": "category", "autorange": "reversed"},
            "height": int(min(900, max(420, 16 * z.shape[0] + 180))),
            "margin": {"l": 10, "r": 10, "t": 130, "b": 10},
        },
        _validate=False,
    )


def head_heatmap(capture: AttentionCapture, layer: int, head: int, window: tuple[int, int] | None = None) -> go.Figure:
    """One head's attention: query tokens as rows (top to bottom), key tokens as columns.

    window: (start, stop) of the query and key positions to show, for zooming into a long input; each row
    keeps the model's own weights (it is not renormalised over the window). Labels then carry positions.
    """
    title = f"{html.escape(capture.model)} · layer {layer} · head {head} · {capture.kind.value} attention"
    matrix = capture.head(layer, head)
    if window is None:
        return matrix_heatmap(matrix, capture.query_tokens, capture.key_tokens, title=title)
    start, stop = window
    n_q, n_k = len(capture.query_tokens), len(capture.key_tokens)
    if not 0 <= start < stop:
        raise ValueError(f"Token window {start}–{stop} is empty")
    q_stop, k_stop = min(stop, n_q), min(stop, n_k)
    return matrix_heatmap(
        matrix[start:q_stop, start:k_stop],
        capture.query_tokens[start:q_stop],
        capture.key_tokens[start:k_stop],
        title=f"{title} · tokens {start}–{max(q_stop, k_stop) - 1}",
        numbered=True,
        first=(start, start),
    )


def pool_rows(weights: np.ndarray, cells: int) -> np.ndarray:
    """Shrink [..., query, key] to at most cells × cells, keeping rows stochastic.

    A pooled cell is the share of attention that the queries of a block give to a block of keys:
    mean over the block's queries of the sum over its keys.
    """
    n_query, n_key = weights.shape[-2:]
    q_edges = np.linspace(0, n_query, min(cells, n_query) + 1).astype(int)[:-1]
    k_edges = np.linspace(0, n_key, min(cells, n_key) + 1).astype(int)[:-1]
    summed = np.add.reduceat(weights, k_edges, axis=-1)  # sum over keys in each block
    counts = np.diff(np.append(q_edges, n_query))
    return np.add.reduceat(summed, q_edges, axis=-2) / counts[:, None]  # mean over queries


def heads_grid(capture: AttentionCapture, cells: int = 32, tile_px: int = 56) -> go.Figure:
    """Every layer × head as a small heatmap in one figure; click a tile to pick that head.

    One heatmap trace holds all tiles (pooled to at most `cells` per side) with one-cell gaps, so the
    figure stays small for 512 tokens. An invisible scatter point over each tile carries (layer, head)
    as customdata: Streamlit returns click selections for scatter points, not for heatmaps.
    """
    n_layers, n_heads = capture.num_layers, capture.num_heads
    pooled = to_percent(pool_rows(capture.weights, cells))  # (layer, head, s_q, s_k)
    s_q, s_k = pooled.shape[-2:]
    gap = 101  # a value past zmax, drawn as background
    z = np.full((n_layers * (s_q + 1) - 1, n_heads * (s_k + 1) - 1), gap, dtype=np.uint8)
    for layer in range(n_layers):
        for head in range(n_heads):
            r, c = layer * (s_q + 1), head * (s_k + 1)
            z[r : r + s_q, c : c + s_k] = pooled[layer, head]
    colorscale = [[stop * 100 / 101, color] for stop, color in COLORSCALE] + [[100.5 / 101, "white"], [1.0, "white"]]
    col_centres = np.arange(n_heads) * (s_k + 1) + (s_k - 1) / 2
    row_centres = np.arange(n_layers) * (s_q + 1) + (s_q - 1) / 2
    layer_idx, head_idx = np.meshgrid(np.arange(n_layers), np.arange(n_heads), indexing="ij")
    bare = {"showgrid": False, "zeroline": False}
    return go.Figure(
        [
            go.Heatmap(
                z=z, zmin=0, zmax=101, colorscale=colorscale, showscale=False, hoverinfo="skip", _validate=False
            ),
            go.Scatter(
                x=col_centres[head_idx.ravel()],
                y=row_centres[layer_idx.ravel()],
                customdata=np.stack([layer_idx.ravel(), head_idx.ravel()], axis=1),
                mode="markers",
                marker={"symbol": "square", "size": tile_px - 4, "opacity": 0},
                hovertemplate="layer %{customdata[0]} · head %{customdata[1]}<extra>click to open</extra>",
                showlegend=False,
                _validate=False,
            ),
        ],
        layout={
            "xaxis": {
                "tickvals": col_centres,
                "ticktext": [f"h{h}" for h in range(n_heads)],
                "side": "top",
                "range": [-0.5, z.shape[1] - 0.5],
                **bare,
            },
            "yaxis": {
                "tickvals": row_centres,
                "ticktext": [f"L{layer}" for layer in range(n_layers)],
                "autorange": "reversed",
                **bare,
            },
            "height": n_layers * tile_px + 60,
            "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
            "dragmode": False,
            "clickmode": "event+select",
        },
        _validate=False,
    )


def grid_head(point_index: int, n_heads: int) -> tuple[int, int]:
    """(layer, head) of the `heads_grid` scatter point that was clicked (points run layer by layer)."""
    return divmod(point_index, n_heads)


def entropy_heatmap(entropy: np.ndarray) -> go.Figure:
    """Mean attention entropy per layer and head (low: focused head, high: spread out)."""
    return measure_heatmap(entropy, "mean entropy", "nats", decimals=2)


def measure_heatmap(values: np.ndarray, measure: str, unit: str = "", decimals: int = 3) -> go.Figure:
    """One number per layer and head (a head measure), layers as rows."""
    n_layers, n_heads = values.shape
    return go.Figure(
        go.Heatmap(
            z=np.round(values, decimals),
            x=[f"h{h}" for h in range(n_heads)],
            y=[f"L{layer}" for layer in range(n_layers)],
            colorscale="Viridis",
            colorbar={"title": {"text": html.escape(unit or measure)}},
            hovertemplate=(
                f"layer %{{y}} · head %{{x}}<br>{html.escape(measure)} %{{z}} {html.escape(unit)}<extra></extra>"
            ),
        ),
        layout={
            "yaxis": {"autorange": "reversed"},
            "height": n_layers * 28 + 120,
            "margin": {"l": 10, "r": 10, "t": 30, "b": 10},
        },
    )


def score_figure(b: ScoreBreakdown, query_token: str | None = None) -> go.Figure:
    """The three steps for one query: q·k, divided by √d_head, softmax — one bar per key.

    query_token: the query's token when it is not among the keys (cross-attention); default tokens[query_index].
    """
    x = axis_labels(b.tokens)
    steps = [
        ("q·k", b.dot, "#9ecae1"),
        (f"q·k / √{b.d_head}", b.scaled, "#4292c6"),
        ("softmax weight", b.weights, "#08519c"),
    ]
    query = html.escape(query_token if query_token is not None else b.tokens[b.query_index])
    return go.Figure(
        [
            go.Bar(
                x=x,
                y=values,
                name=name,
                marker_color=color,
                xaxis="x",
                yaxis=f"y{i + 1 if i else ''}",
                hovertemplate=f"key %{{x}}<br>{name}: %{{y:.4f}}<extra></extra>",
                _validate=False,
            )
            for i, (name, values, color) in enumerate(steps)
        ],
        layout={
            "title": {"text": f"query “{query}” (position {b.query_index}) · layer {b.layer} · head {b.head}"},
            "xaxis": {"type": "category", "tickangle": -60, "anchor": "y3"},
            "yaxis": {"domain": [0.70, 1.0], "title": {"text": "q·k"}},
            "yaxis2": {"domain": [0.37, 0.66], "title": {"text": "÷ √d"}},
            "yaxis3": {"domain": [0.0, 0.33], "title": {"text": "softmax"}, "range": [0, 1]},
            "height": 560,
            "showlegend": False,
            "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        },
        _validate=False,
    )
