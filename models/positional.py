"""Positional encodings: the fixed sinusoidal table, its shift identity, and learned tables to compare."""

from __future__ import annotations

import numpy as np

from models.transformer import sinusoidal_table

__all__ = ["cosine_similarity", "shift_matrix", "sinusoidal_table"]


def shift_matrix(k: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """M_k with PE(p + k) = M_k · PE(p) for every p: one 2×2 rotation by ω_i·k per sin/cos pair.

    [sin ω(p+k), cos ω(p+k)] = [[cos ωk, sin ωk], [−sin ωk, cos ωk]] · [sin ωp, cos ωp]: the map depends on
    k only, not on p — which is why relative positions are easy for attention to read.
    """
    freq = base ** (-np.arange(0, d_model, 2) / d_model)
    m = np.zeros((d_model, d_model))
    for i, w in enumerate(freq):
        c, s = np.cos(w * k), np.sin(w * k)
        m[2 * i : 2 * i + 2, 2 * i : 2 * i + 2] = [[c, s], [-s, c]]
    return m


def cosine_similarity(table: np.ndarray) -> np.ndarray:
    """(positions, dim) → (positions, positions) cosine similarity of every pair of position vectors."""
    unit = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T
