"""Widgets several pages use in the same way."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import plotly.graph_objects as go
import streamlit as st


def json_download(label: str, payload: Callable[[], object], file_name: str) -> None:
    """A download button whose JSON is built only when clicked (not on every rerun)."""
    st.download_button(
        label,
        data=lambda: json.dumps(payload(), ensure_ascii=False),
        file_name=file_name,
        mime="application/json",
        on_click="ignore",
    )


# Plotly's camera button saves a slide-ready PNG: 1600 px wide at 2× (Plotly draws it in the browser).
IMAGE_EXPORT = {"format": "png", "width": 1600, "height": 900, "scale": 2}


def chart(where: Any, fig: go.Figure, *, key: str, config: dict | None = None, **kwargs: Any) -> Any:
    """Draw a Plotly figure in `where` (st, a column, a container) with the app's chart settings.

    Every chart goes through here, so export size and display settings are set in one place.
    """
    settings = {"toImageButtonOptions": {**IMAGE_EXPORT, "filename": key}, "displaylogo": False, **(config or {})}
    return where.plotly_chart(fig, key=key, config=settings, **kwargs)
