"""Widgets several pages use in the same way."""

from __future__ import annotations

import json
from collections.abc import Callable

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
