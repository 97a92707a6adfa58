"""Positional encodings: the fixed sinusoidal table, its shift identity, and learned tables to compare."""

from __future__ import annotations

import numpy as np


def sinusoidal_table(length: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    """PE[p, 2i] = sin(p / base^(2i/d)), PE[p, 2i+1] = cos(p / base^(2i/d)): (length, d_model)."""
    if length < 1 or d_model < 2 or d_model % 2:
        raise ValueError(f"Need at least one position and an even d_model ≥ 2; got {length} and {d_model}")
    if base <= 1:
        raise ValueError(f"The base must be greater than 1; got {base}")
    pos = np.arange(length)[:, None]
    freq = base ** (-np.arange(0, d_model, 2) / d_model)  # (d/2,)
    table = np.zeros((length, d_model))
    table[:, 0::2] = np.sin(pos * freq)
    table[:, 1::2] = np.cos(pos * freq)
    return table


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


def shift_error(table: np.ndarray, k: int, base: float = 10000.0) -> tuple[float, int]:
    """Largest |PE(p+k) − M_k·PE(p)| over every p that has a p+k in `table`, and how many positions that is."""
    positions = np.arange(max(0, len(table) - k))
    if not len(positions):
        return 0.0, 0
    m_k = shift_matrix(k, table.shape[1], base)
    return float(np.abs(table[positions + k] - table[positions] @ m_k.T).max()), len(positions)


def cosine_similarity(table: np.ndarray) -> np.ndarray:
    """(positions, dim) → (positions, positions) cosine similarity of every pair of position vectors."""
    unit = table / np.maximum(np.linalg.norm(table, axis=1, keepdims=True), 1e-12)
    return unit @ unit.T
