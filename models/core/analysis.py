"""Numbers computed from attention weights alone (NumPy only): what a head does, measured."""

from __future__ import annotations

import numpy as np


def head_entropy(weights: np.ndarray) -> np.ndarray:
    """Mean row entropy (nats) of each head: [layer, head, query, key] → [layer, head].

    0 when every row puts all its weight on one key; ln(keys) when every row is uniform.
    """
    w = np.clip(weights, 1e-12, 1.0)
    return -(w * np.log(w)).sum(-1).mean(-1)
