"""Figures of the Vision Transformer: the digit, its class probabilities, attention laid over the image.

A ViT capture's tokens are "[CLS]" then one per patch, row by row; `capture.meta` holds the patch grid
("grid" patches per side) and "patch_size" (pixels per patch side). An overlay draws the digit in grey
and, on top, one translucent red square per patch whose strength is that patch's attention weight: the
overlay trace's z is exactly the weights, reshaped to the patch grid. Pure: no torch, no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from attention_explorer.models.core.capture import AttentionCapture

# attention 0 is fully transparent, the largest weight shown is strong red
OVERLAY_SCALE = [[0.0, "rgba(220, 30, 30, 0)"], [1.0, "rgba(220, 30, 30, 0.85)"]]
INK_SCALE = [[0.0, "white"], [1.0, "#404040"]]  # 0: paper, 16: full ink; dark grey, so red stays visible on ink


def grid_of(capture: AttentionCapture) -> tuple[int, int]:
    """(patches per side, pixels per patch side) of a ViT capture."""
    try:
        return int(capture.meta["grid"]), int(capture.meta["patch_size"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("This capture has no patch grid: it does not come from the ViT") from exc


def to_grid(row: np.ndarray, grid: int) -> np.ndarray:
    """Weights over the patch tokens (patches,) → (grid, grid), patch (r, c) at [r, c]."""
    return np.asarray(row, dtype=np.float32).reshape(grid, grid)


def _centres(grid: int, patch_size: int) -> np.ndarray:
    """Pixel coordinate of each patch row's (or column's) centre."""
    return np.arange(grid) * patch_size + (patch_size - 1) / 2


def _image_trace(image: np.ndarray, max_value: float = 16.0) -> go.Heatmap:
    return go.Heatmap(
        z=np.asarray(image, dtype=np.float32),
        zmin=0,
        zmax=max_value,
        colorscale=INK_SCALE,
        showscale=False,
        hovertemplate="pixel (%{y}, %{x})<br>ink %{z:.0f}<extra></extra>",
    )


def _overlay_trace(weights: np.ndarray, grid: int, patch_size: int, zmax: float, *, scale: bool) -> go.Heatmap:
    centres = _centres(grid, patch_size)
    labels = np.array([[f"p({r},{c})" for c in range(grid)] for r in range(grid)])
    return go.Heatmap(
        z=to_grid(weights.ravel(), grid),
        x=centres,
        y=centres,
        zmin=0,
        zmax=max(zmax, 1e-9),
        colorscale=OVERLAY_SCALE,
        showscale=scale,
        colorbar={"title": {"text": "weight"}, "tickformat": ".0%"} if scale else None,
        customdata=labels,
        hovertemplate="patch %{customdata}<br>weight %{z:.1%}<extra></extra>",
    )


def _square_axes(fig: go.Figure, size: int) -> None:
    bare = {
        "showticklabels": False,
        "ticks": "",
        "showgrid": False,
        "zeroline": False,
        "showline": True,
        "mirror": True,
        "linecolor": "#bbbbbb",
        "range": [-0.5, size - 0.5],
    }
    fig.update_xaxes(**bare, constrain="domain")
    fig.update_yaxes(**bare, autorange=None)
    # the image's row 0 at the top; each y axis keeps its x axis's scale, so pixels stay square
    for name in [k for k in fig.layout if k.startswith("yaxis")]:
        x_name = "x" + name[5:]
        fig.layout[name].update(range=[size - 0.5, -0.5], scaleanchor=x_name, scaleratio=1)


def digit_figure(image: np.ndarray, *, title: str, max_value: float = 16.0, height: int = 260) -> go.Figure:
    """The 8×8 digit in grey (white paper, black ink)."""
    img = np.asarray(image)
    fig = go.Figure(_image_trace(img, max_value))
    _square_axes(fig, img.shape[0])
    fig.update_layout(
        title={"text": title, "font": {"size": 13}}, height=height, margin={"l": 5, "r": 5, "t": 35, "b": 5}
    )
    return fig


def probability_bars(probabilities: np.ndarray, *, label: int | None = None) -> go.Figure:
    """Class probabilities, the predicted class darker; the true class (if known) named in the title."""
    p = np.asarray(probabilities, dtype=np.float64)
    best = int(p.argmax())
    colors = ["#08519c" if i == best else "#9ecae1" for i in range(len(p))]
    fig = go.Figure(
        go.Bar(
            x=[str(i) for i in range(len(p))],
            y=p,
            marker_color=colors,
            text=[f"{v:.0%}" if v >= 0.005 else "" for v in p],
            textposition="outside",
            hovertemplate="digit %{x}<br>probability %{y:.2%}<extra></extra>",
        )
    )
    truth = "" if label is None else f" · true label {label}" + (" ✓" if label == best else " ✗")
    fig.update_layout(
        title={"text": f"Predicted {best} ({p[best]:.1%}){truth}", "font": {"size": 14}},
        xaxis={"title": {"text": "digit"}, "type": "category"},
        yaxis={"title": {"text": "probability"}, "range": [0, 1.15], "tickformat": ".0%"},
        height=280,
        margin={"l": 10, "r": 10, "t": 45, "b": 10},
    )
    return fig


def cls_rows(capture: AttentionCapture) -> np.ndarray:
    """[CLS]'s weights over the patches for every layer and head: (layer, head, grid, grid)."""
    grid, _ = grid_of(capture)
    rows = capture.weights[:, :, 0, 1:]  # (layer, head, patches)
    return rows.reshape(*rows.shape[:2], grid, grid)


def overlay_grid(
    image: np.ndarray,
    panels: Sequence[Sequence[tuple[str, np.ndarray]]],
    grid: int,
    patch_size: int,
    *,
    title: str,
    highlight: tuple[int, int] | None = None,
    panel_px: int = 150,
) -> go.Figure:
    """Rows × columns of overlays: each panel is (subtitle, weights over the patches) on the same image.

    One colour scale for every panel (0 … the largest weight shown), so panels compare. `highlight`
    outlines one patch (row, col) in every panel: the query patch of a patch-to-patch view.
    """
    n_rows, n_cols = len(panels), max(len(r) for r in panels)
    titles = [t for row in panels for t, _ in row]
    fig = make_subplots(
        rows=n_rows, cols=n_cols, subplot_titles=titles, horizontal_spacing=0.02, vertical_spacing=0.3 / n_rows
    )
    zmax = max(float(np.max(w)) for row in panels for _, w in row)
    size = grid * patch_size
    for r, row in enumerate(panels):
        for c, (_, weights) in enumerate(row):
            fig.add_trace(_image_trace(image), row=r + 1, col=c + 1)
            first = r == 0 and c == 0
            fig.add_trace(
                _overlay_trace(np.asarray(weights), grid, patch_size, zmax, scale=first), row=r + 1, col=c + 1
            )
            if highlight is not None:
                y0, x0 = highlight[0] * patch_size - 0.5, highlight[1] * patch_size - 0.5
                fig.add_shape(
                    type="rect",
                    x0=x0,
                    x1=x0 + patch_size,
                    y0=y0,
                    y1=y0 + patch_size,
                    line={"color": "#1f77b4", "width": 3},
                    row=r + 1,
                    col=c + 1,
                )
    _square_axes(fig, size)
    fig.update_annotations(font_size=11)
    fig.update_layout(
        title={"text": title, "font": {"size": 14}},
        height=n_rows * panel_px + 70,
        width=None,
        margin={"l": 5, "r": 5, "t": 70, "b": 5},
    )
    return fig


def cls_attention_figure(capture: AttentionCapture, image: np.ndarray) -> go.Figure:
    """[CLS]'s attention over the patches, one row per layer, one panel per head and the mean over heads."""
    grid, patch_size = grid_of(capture)
    rows = cls_rows(capture)
    panels = []
    for layer in range(capture.num_layers):
        row = [(f"L{layer} h{head}", rows[layer, head]) for head in range(capture.num_heads)]
        row.append((f"L{layer} mean of heads", rows[layer].mean(axis=0)))
        panels.append(row)
    return overlay_grid(image, panels, grid, patch_size, title="[CLS] attention over the patches")


def patch_attention_figure(capture: AttentionCapture, image: np.ndarray, patch: int, layer: int) -> go.Figure:
    """One patch's attention over the patches in one layer: each head and the mean over heads.

    patch: index among the patches (0 … grid² − 1), row by row. Its own square is outlined.
    """
    grid, patch_size = grid_of(capture)
    if not 0 <= patch < grid * grid:
        raise ValueError(f"Patch {patch} is outside the {grid}×{grid} grid")
    rows = capture.weights[layer, :, 1 + patch, 1:]  # (head, patches)
    panels = [[(f"h{h}", rows[h]) for h in range(capture.num_heads)] + [("mean of heads", rows.mean(axis=0))]]
    label = capture.query_tokens[1 + patch]
    return overlay_grid(
        image, panels, grid, patch_size, title=f"Where {label} looks in layer {layer}", highlight=divmod(patch, grid)
    )


def patch_picker(image: np.ndarray, grid: int, patch_size: int, selected: int) -> go.Figure:
    """The digit with one invisible clickable point per patch: click a patch to choose it.

    Streamlit returns click selections for scatter points, not heatmaps; customdata holds the patch index.
    """
    centres = _centres(grid, patch_size)
    rr, cc = np.meshgrid(np.arange(grid), np.arange(grid), indexing="ij")
    fig = go.Figure(
        [
            _image_trace(image),
            go.Scatter(
                x=centres[cc.ravel()],
                y=centres[rr.ravel()],
                customdata=np.arange(grid * grid),
                text=[f"p({r},{c})" for r, c in zip(rr.ravel(), cc.ravel(), strict=True)],
                mode="markers",
                marker={"symbol": "square", "size": 36, "opacity": 0},
                hovertemplate="patch %{text}<extra>click to choose</extra>",
                showlegend=False,
            ),
        ]
    )
    r, c = divmod(selected, grid)
    fig.add_shape(
        type="rect",
        x0=c * patch_size - 0.5,
        x1=(c + 1) * patch_size - 0.5,
        y0=r * patch_size - 0.5,
        y1=(r + 1) * patch_size - 0.5,
        line={"color": "#1f77b4", "width": 3},
    )
    _square_axes(fig, grid * patch_size)
    fig.update_layout(
        title={"text": "Click a patch", "font": {"size": 13}},
        height=260,
        margin={"l": 5, "r": 5, "t": 35, "b": 5},
        dragmode=False,
        clickmode="event+select",
    )
    return fig


def rollout_figure(rollout: np.ndarray, image: np.ndarray, grid: int, patch_size: int) -> go.Figure:
    """Attention rollout: how much [CLS] draws on each patch after each layer (rollout [layer, token, token])."""
    panels = [[(f"after layer {layer}", rollout[layer, 0, 1:]) for layer in range(len(rollout))]]
    return overlay_grid(
        image,
        panels,
        grid,
        patch_size,
        title="Attention rollout from [CLS] (heads averaged, skip connection counted)",
        panel_px=190,
    )


def position_similarity_grid(similarity: np.ndarray, grid: int) -> go.Figure:
    """Per patch, a small grid×grid image of its position vector's cosine similarity with every patch.

    The panel at (r, c) is patch p(r,c)'s row of `similarity` reshaped to the grid; a learned table that
    has found the 2-D layout lights up each patch's own row and column neighbours.
    """
    n = grid * grid
    sim = np.asarray(similarity, dtype=np.float32)
    if sim.shape != (n, n):
        raise ValueError(f"Expected a {n}×{n} similarity matrix; got {sim.shape}")
    fig = make_subplots(
        rows=grid,
        cols=grid,
        subplot_titles=[f"p({r},{c})" for r in range(grid) for c in range(grid)],
        horizontal_spacing=0.02,
        vertical_spacing=0.06,
    )
    for i in range(n):
        r, c = divmod(i, grid)
        fig.add_trace(
            go.Heatmap(
                z=sim[i].reshape(grid, grid),
                zmin=-1,
                zmax=1,
                colorscale="RdBu",
                reversescale=True,
                showscale=i == 0,
                colorbar={"title": {"text": "cosine"}},
                hovertemplate=f"p({r},{c}) vs p(%{{y}},%{{x}})<br>cosine %{{z:.3f}}<extra></extra>",
            ),
            row=r + 1,
            col=c + 1,
        )
    _square_axes(fig, grid)
    fig.update_annotations(font_size=10)
    fig.update_layout(
        title={"text": "Each patch's position vector vs every other (cosine)", "font": {"size": 14}},
        height=grid * 120 + 80,
        margin={"l": 5, "r": 5, "t": 70, "b": 5},
    )
    return fig
