"""Pieces every model family shares. `capture` is torch-free so that figures can import it."""
