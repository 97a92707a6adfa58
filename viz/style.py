"""Figure styles shared by every page: projector mode for a classroom screen."""

from __future__ import annotations

import plotly.graph_objects as go

PROJECTOR_FONT = 18  # px: tick labels, cell values and tokens readable from the back at 1280×720
SEQUENTIAL = "Cividis"  # colour-blind safe, monotone in lightness: high contrast on light and dark themes
DIVERGING = "PuOr"  # colour-blind-safe diverging scale for values centred on 0


def for_projector(fig: go.Figure) -> go.Figure:
    """A copy of `fig` with large type and colour-blind-safe, high-contrast colour scales."""
    out = go.Figure(fig)
    out.update_layout(font={"size": PROJECTOR_FONT}, title_font={"size": PROJECTOR_FONT + 4})
    out.update_xaxes(tickfont={"size": PROJECTOR_FONT}, title_font={"size": PROJECTOR_FONT})
    out.update_yaxes(tickfont={"size": PROJECTOR_FONT}, title_font={"size": PROJECTOR_FONT})
    for trace in out.data:
        if isinstance(trace, go.Heatmap):
            custom = isinstance(trace.colorscale, tuple) and len(trace.colorscale) > 0 and trace.showscale is False
            if not custom:  # the all-heads grid paints its gaps with its own scale: leave it
                diverging = trace.zmid is not None
                trace.update(colorscale=DIVERGING if diverging else SEQUENTIAL, reversescale=False)
            trace.update(textfont={"size": PROJECTOR_FONT})
        elif isinstance(trace, go.Bar):
            trace.update(textfont={"size": PROJECTOR_FONT})
    return out
