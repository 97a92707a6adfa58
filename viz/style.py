"""Figure styles shared by every page: the template every figure starts from, projector mode for a classroom
screen."""

from __future__ import annotations

import plotly.graph_objects as go
import plotly.io as pio

PROJECTOR_FONT = 18  # px: tick labels, cell values and tokens readable from the back at 1280×720
SEQUENTIAL = "Cividis"  # colour-blind safe, monotone in lightness: high contrast on light and dark themes
DIVERGING = "PuOr"  # colour-blind-safe diverging scale for values centred on 0


TRACE_TYPES = ("bar", "heatmap", "scatter")  # every kind of trace the app draws (tests/test_viz.py checks)
TEMPLATE = "attention_explorer"


def use_template() -> None:
    """Make every new figure start from Plotly's own default template ("plotly") cut to the trace types the app
    draws: the same look, since a trace only ever reads its own type's entry.

    The full template carries defaults for 40 kinds of trace (7 KB); each figure holds a copy, which Plotly
    copies again and Streamlit serialises and sends with every chart. Cut, it is 3.5 KB.
    """
    if TEMPLATE not in pio.templates:
        full = pio.templates["plotly"]
        pio.templates[TEMPLATE] = go.layout.Template(
            layout=full.layout, data={kind: full.data[kind] for kind in TRACE_TYPES}
        )
    pio.templates.default = TEMPLATE


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
