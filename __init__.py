"""Attention Explorer: type a sentence and see what a network attends to.

The repository root is the package `attention_explorer` (see pyproject.toml): `models/` turns text
into an `AttentionCapture`, `viz/` draws it, `pages/` wires the two into Streamlit pages, `app.py`
holds the navigation. Nothing here imports torch; importing this package is instant.
"""

__version__ = "0.2.0"
