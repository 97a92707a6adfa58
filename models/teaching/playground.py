"""Scaled dot-product, additive and multi-head attention on small matrices, every step kept for display."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MASKS = ("none", "causal", "padding")


@dataclass(frozen=True)
class Steps:
    """Each stage of one attention computation, (queries, keys) unless noted."""

    scores: np.ndarray  # Q·Kᵀ (or additive scores)
    scaled: np.ndarray  # ÷ √d if scaling is on, else the same as scores
    masked: np.ndarray  # -inf where the mask forbids attending
    weights: np.ndarray  # softmax(masked / temperature), rows sum to 1
    output: np.ndarray  # weights · V, (queries, d_v)


def make_mask(n_q: int, n_k: int, kind: str, padding: int = 0) -> np.ndarray:
    """True where attending is allowed. causal: key ≤ query; padding: the last `padding` keys are padding."""
    if kind not in MASKS:
        raise ValueError(f"mask must be one of {MASKS}, not {kind!r}")
    allowed = np.ones((n_q, n_k), dtype=bool)
    if kind == "causal":
        allowed = np.tril(allowed)
    elif kind == "padding":
        if not 0 <= padding < n_k:
            raise ValueError(f"padding must leave at least one real key: 0 ≤ padding < {n_k}")
        allowed[:, n_k - padding :] = False
    return allowed


def softmax(x: np.ndarray, temperature: float = 1.0) -> np.ndarray:
    if temperature <= 0:
        raise ValueError("temperature must be positive")
    z = x / temperature
    z = z - np.max(z, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


def _finish(scores, scaled, v, mask, temperature) -> Steps:
    masked = np.where(mask, scaled, -np.inf)
    weights = softmax(masked, temperature)
    return Steps(scores, scaled, masked, weights, weights @ v)


def scaled_dot_product(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    *,
    scale: bool = True,
    mask: str = "none",
    padding: int = 0,
    temperature: float = 1.0,
) -> Steps:
    """softmax(Q·Kᵀ / √d [masked] / temperature) · V, stage by stage."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    if q.shape[1] != k.shape[1] or k.shape[0] != v.shape[0]:
        raise ValueError(f"Q {q.shape}, K {k.shape} and V {v.shape} do not fit: need Q·Kᵀ and one V row per key")
    scores = q @ k.T
    scaled = scores / np.sqrt(q.shape[1]) if scale else scores
    return _finish(scores, scaled, v, make_mask(len(q), len(k), mask, padding), temperature)


def additive(
    q: np.ndarray,
    k: np.ndarray,
    v: np.ndarray,
    w_q: np.ndarray,
    w_k: np.ndarray,
    w_v: np.ndarray,
    *,
    mask: str = "none",
    padding: int = 0,
    temperature: float = 1.0,
) -> Steps:
    """Bahdanau scoring on the same inputs: e(i, j) = w_vᵀ tanh(W_q q_i + W_k k_j); no √d scaling."""
    q, k, v = (np.asarray(a, dtype=np.float64) for a in (q, k, v))
    hidden = np.tanh((q @ w_q.T)[:, None, :] + (k @ w_k.T)[None, :, :])  # (queries, keys, a)
    scores = hidden @ w_v
    return _finish(scores, scores, v, make_mask(len(q), len(k), mask, padding), temperature)


def multi_head(q: np.ndarray, k: np.ndarray, v: np.ndarray, heads: int, **kwargs) -> tuple[list[Steps], np.ndarray]:
    """Split the feature dimension into `heads` parts, attend in each, concatenate the outputs."""
    d = q.shape[1]
    if d % heads or v.shape[1] % heads:
        raise ValueError(f"{heads} heads must divide the dimensions d={d} and d_v={v.shape[1]}")
    dq, dv = d // heads, v.shape[1] // heads
    parts = [
        scaled_dot_product(
            q[:, h * dq : (h + 1) * dq], k[:, h * dq : (h + 1) * dq], v[:, h * dv : (h + 1) * dv], **kwargs
        )
        for h in range(heads)
    ]
    return parts, np.concatenate([p.output for p in parts], axis=1)
