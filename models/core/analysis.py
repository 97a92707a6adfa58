"""Numbers computed from attention weights alone (NumPy only): what a head does, measured."""

from __future__ import annotations

import numpy as np


def head_entropy(weights: np.ndarray) -> np.ndarray:
    """Mean row entropy (nats) of each head: [layer, head, query, key] → [layer, head].

    0 when every row puts all its weight on one key; ln(keys) when every row is uniform.
    """
    w = np.clip(weights, 1e-12, 1.0)
    return -(w * np.log(w)).sum(-1).mean(-1)


def attention_rollout(weights: np.ndarray, residual: bool = True) -> np.ndarray:
    """Attention rollout (Abnar & Zuidema 2020): how much each token draws on each input token, layer by layer.

    weights: self-attention [layer, head, token, token]. Heads are averaged; with `residual` each layer's
    matrix becomes 0.5·A + 0.5·I (the skip connection carries the token itself), rows renormalised; then
    rollout[l] = Â_l · … · Â_0. Returns [layer, token, token], every row summing to 1.
    Assumes attention mixes information linearly and that heads contribute equally: a picture, not a proof.
    """
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 4 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"Rollout needs square self-attention [layer, head, token, token]; got {w.shape}")
    n = w.shape[-1]
    mixed = w.mean(axis=1)  # (layer, token, token)
    if residual:
        mixed = 0.5 * mixed + 0.5 * np.eye(n)
        mixed = mixed / mixed.sum(-1, keepdims=True)
    out = np.empty_like(mixed)
    acc = np.eye(n)
    for layer in range(len(mixed)):
        acc = mixed[layer] @ acc
        out[layer] = acc
    return out
