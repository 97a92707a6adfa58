"""Numbers computed from attention weights alone (NumPy only): what a head does, measured."""

from __future__ import annotations

from collections.abc import Sequence

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
    w = np.asarray(weights)
    if w.ndim != 4 or w.shape[-1] != w.shape[-2]:
        raise ValueError(f"Rollout needs square self-attention [layer, head, token, token]; got {w.shape}")
    n = w.shape[-1]
    mixed = w.mean(axis=1, dtype=np.float64)  # (layer, token, token), with no float64 copy of every head
    if residual:
        mixed = 0.5 * mixed + 0.5 * np.eye(n)
        mixed = mixed / mixed.sum(-1, keepdims=True)
    out = np.empty_like(mixed)
    acc = np.eye(n)
    for layer in range(len(mixed)):
        acc = mixed[layer] @ acc
        out[layer] = acc
    return out


def previous_token_weight(weights: np.ndarray) -> np.ndarray:
    """Mean weight each head puts on the token just before the query: [layer, head, query, key] → [layer, head].

    Averaged over queries 1 … T−1 (the first token has no previous one). A previous-token head — the pattern
    that, with an induction head, lets a GPT continue repeated text — scores close to 1.
    """
    w = np.asarray(weights)
    if w.ndim != 4 or w.shape[-1] != w.shape[-2] or w.shape[-1] < 2:
        raise ValueError(f"Previous-token weight needs self-attention over at least 2 tokens; got {w.shape}")
    n = w.shape[-1]
    return w[..., np.arange(1, n), np.arange(n - 1)].astype(np.float64).mean(-1)  # the diagonal only, then float64


def js_divergence(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Jensen–Shannon divergence (nats) between distributions along the last axis: 0 … ln 2, symmetric.

    JS(p, q) = ½ KL(p ‖ m) + ½ KL(q ‖ m) with m = ½ (p + q); terms where p (or q) is 0 count 0.
    """
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    if p.shape != q.shape:
        raise ValueError(f"Distributions differ in shape: {p.shape} and {q.shape}")
    m = 0.5 * (p + q)

    def kl(a: np.ndarray) -> np.ndarray:
        ratio = np.divide(a, m, out=np.ones_like(a), where=a > 0)
        return (a * np.log(ratio)).sum(-1)

    return np.clip(0.5 * kl(p) + 0.5 * kl(q), 0.0, np.log(2))


def head_divergence(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """How much each head changed between two models on one input: mean JS divergence of their rows.

    a, b: [layer, head, query, key] of the same tokens → [layer, head] in nats (0: identical, ln 2 at most).
    """
    if np.shape(a) != np.shape(b) or np.ndim(a) != 4:
        raise ValueError(
            f"Both captures must be [layer, head, query, key] of one shape; got {np.shape(a)}, {np.shape(b)}"
        )
    # one head at a time: float64 copies of two whole 512-token captures and their mixture are ~600 MB
    out = np.empty(np.shape(a)[:2])
    for layer, head in np.ndindex(*out.shape):
        out[layer, head] = js_divergence(a[layer][head], b[layer][head]).mean()
    return out


PUNCTUATION = frozenset(".,;:!?\"'()[]{}-–—…«»")
# name → the share of a row's weight that a head of that pattern puts on one kind of key
PATTERNS = ("first token", "last token", "self", "previous token", "next token", "punctuation")
BROAD = 0.8  # spread (entropy ÷ ln keys) from which a head with no single pattern is called "broad"


def head_measures(weights: np.ndarray, key_tokens: Sequence[str]) -> dict[str, np.ndarray]:
    """What each head does, as numbers: [layer, head, query, key] → {measure: [layer, head]}.

    entropy: mean row entropy (nats); spread: entropy ÷ ln(keys), 0 (one key) … 1 (uniform);
    distance: mean |query − key| position gap, weighted by attention;
    then, for self-attention, the mean share of each row's weight on the first token (e.g. [CLS]), the last
    (e.g. [SEP]), the query itself, the token before, the token after, and punctuation tokens.
    Computed one layer at a time in float64: a 512-token capture of 72 heads is 75 MB as float32, and a
    float64 copy of all of it (with its temporaries) would be several hundred MB for one click.
    """
    w = np.asarray(weights)
    if w.ndim != 4 or w.shape[-1] != len(key_tokens):
        raise ValueError(f"Head measures need [layer, head, query, key] over the {len(key_tokens)} keys; got {w.shape}")
    n_layers, n_heads, n_q, n_k = w.shape
    gap = np.abs(np.arange(n_q)[:, None] - np.arange(n_k)[None, :])
    punct = np.array([t.strip("#▁Ġ ") in PUNCTUATION and t.strip("#▁Ġ ") != "" for t in key_tokens])
    names = ["entropy", "spread", "distance", "first token", "last token", "punctuation"]
    if n_q == n_k:
        names += ["self", "previous token", "next token"]
    measures = {name: np.zeros((n_layers, n_heads)) for name in names}
    for layer in range(n_layers):
        lw = np.asarray(w[layer], dtype=np.float64)  # [head, query, key]
        entropy = head_entropy(lw[None])[0]
        measures["entropy"][layer] = entropy
        measures["spread"][layer] = entropy / np.log(n_k) if n_k > 1 else 0.0
        measures["distance"][layer] = (lw * gap).sum(-1).mean(-1)
        measures["first token"][layer] = lw[..., 0].mean(-1)
        measures["last token"][layer] = lw[..., -1].mean(-1)
        measures["punctuation"][layer] = lw[..., punct].sum(-1).mean(-1)
        if n_q == n_k:
            measures["self"][layer] = np.diagonal(lw, axis1=-2, axis2=-1).mean(-1)
            if n_q > 1:
                measures["previous token"][layer] = lw[..., np.arange(1, n_q), np.arange(n_q - 1)].mean(-1)
                measures["next token"][layer] = lw[..., np.arange(n_q - 1), np.arange(1, n_q)].mean(-1)
    return measures


def mean_measures(each: Sequence[dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The per-head measures of many inputs averaged: each measure's mean over the inputs that have it."""
    if not each:
        raise ValueError("No measures to average")
    names = [name for name in each[0] if all(name in m for m in each)]
    return {name: np.mean([m[name] for m in each], axis=0) for name in names}


def head_pattern(measures: dict[str, np.ndarray], layer: int, head: int, threshold: float = 0.5) -> str:
    """A name for what a head mostly does: the pattern holding over `threshold` of its weight, else 'mixed'."""
    shares = {name: float(measures[name][layer, head]) for name in PATTERNS if name in measures}
    best = max(shares, key=shares.__getitem__)
    if shares[best] > threshold:
        return best
    if "spread" in measures and measures["spread"][layer, head] >= BROAD:
        return "broad"
    return "mixed"
