"""AttentionCapture: the one type every page and every figure consumes."""

from __future__ import annotations

import enum
import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

ROW_SUM_TOLERANCE = 1e-4  # float32 softmax rows sum to 1 within ~1e-6; leave room for long rows


class AttentionKind(enum.StrEnum):
    """Where in a network the weights come from; decides which checks apply."""

    ALIGNMENT = "alignment"  # RNN decoder step t over encoder states i (Bahdanau alpha)
    SELF = "self"  # encoder self-attention: query and key tokens are the same sequence
    CAUSAL_SELF = "causal self"  # decoder self-attention under a causal mask
    CROSS = "cross"  # decoder queries over encoder keys


@dataclass(frozen=True, eq=False)
class AttentionCapture:
    """Attention weights of one input, with the tokens on both axes.

    weights: float32 array [layer, head, query, key]; every row (over key) sums to 1.
    truncated_from: number of tokens the input had before it was cut to fit the model, if it was.
    """

    query_tokens: tuple[str, ...]
    key_tokens: tuple[str, ...]
    weights: np.ndarray
    kind: AttentionKind
    model: str
    truncated_from: int | None = None
    attn_implementation: str = ""
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        object.__setattr__(self, "query_tokens", tuple(self.query_tokens))
        object.__setattr__(self, "key_tokens", tuple(self.key_tokens))
        object.__setattr__(self, "kind", AttentionKind(self.kind))
        w = np.ascontiguousarray(self.weights, dtype=np.float32)
        w.setflags(write=False)  # shared through caches: nobody may mutate it
        object.__setattr__(self, "weights", w)
        if w.ndim != 4:
            raise ValueError(f"Attention weights must be [layer, head, query, key]; got {w.ndim} dimensions {w.shape}")
        if 0 in w.shape:
            raise ValueError(f"Attention weights are empty: shape {w.shape}")
        n_query, n_key = w.shape[2:]
        if n_query != len(self.query_tokens):
            raise ValueError(
                f"Attention has {n_query} query positions, while number of query tokens is {len(self.query_tokens)}"
            )
        if n_key != len(self.key_tokens):
            raise ValueError(
                f"Attention has {n_key} key positions, while number of key tokens is {len(self.key_tokens)}"
            )
        if self.kind in (AttentionKind.SELF, AttentionKind.CAUSAL_SELF) and n_query != n_key:
            raise ValueError(f"{self.kind.value} attention must be square; got {n_query} × {n_key}")
        # two passes over the weights, not four: a NaN or infinity makes its row sum non-finite too
        err = self.max_row_sum_error
        if not np.isfinite(err):
            raise ValueError("Attention weights contain NaN or infinity")
        if w.min() < 0:
            raise ValueError(f"Attention weights must be non-negative; minimum is {w.min():.3g}")
        if err > ROW_SUM_TOLERANCE:
            raise ValueError(f"Attention rows must sum to 1; the worst row is off by {err:.3g}")
        if self.kind is AttentionKind.CAUSAL_SELF:
            future = np.triu(np.ones((n_query, n_key), dtype=bool), k=1)
            leak = float(w[..., future].max(initial=0.0))
            if leak > 0:
                raise ValueError(f"Causal attention looks at future tokens (weight {leak:.3g} above the diagonal)")

    @property
    def num_layers(self) -> int:
        return self.weights.shape[0]

    @property
    def num_heads(self) -> int:
        return self.weights.shape[1]

    @functools.cached_property  # computed once when validating; the integrity panel reads it again
    def max_row_sum_error(self) -> float:
        """Largest |sum over keys − 1| over every layer, head and query."""
        # numpy sums a contiguous last axis pairwise: float32 error stays ~1e-7, far below the tolerance
        return float(np.abs(self.weights.sum(axis=-1) - 1.0).max())

    def select(self, layer: int, head: int, model: str | None = None) -> AttentionCapture:
        """A capture holding only one layer and head (shape [1, 1, query, key]), same tokens and kind."""
        weights = self.head(layer, head)[None, None]
        return AttentionCapture(
            self.query_tokens,
            self.key_tokens,
            weights,
            self.kind,
            model or f"{self.model} layer {layer} head {head}",
            self.truncated_from,
            self.attn_implementation,
            dict(self.meta),
        )

    def head(self, layer: int, head: int) -> np.ndarray:
        """The [query, key] matrix of one layer and head."""
        if not (0 <= layer < self.num_layers and 0 <= head < self.num_heads):
            raise ValueError(
                f"Layer {layer}, head {head} is outside this capture "
                f"({self.num_layers} layers × {self.num_heads} heads)"
            )
        return self.weights[layer, head]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: tokens, weights [layer, head, query, key] as nested lists, model."""
        return {
            "model": self.model,
            "kind": self.kind.value,
            "attn_implementation": self.attn_implementation,
            "truncated_from": self.truncated_from,
            "query_tokens": list(self.query_tokens),
            "key_tokens": list(self.key_tokens),
            "shape": {
                "layer": self.num_layers,
                "head": self.num_heads,
                "query": len(self.query_tokens),
                "key": len(self.key_tokens),
            },
            "weights": self.weights.tolist(),
            "meta": self.meta,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AttentionCapture:
        """Rebuild a capture written by `to_dict` (validated like any other)."""
        return cls(
            query_tokens=tuple(data["query_tokens"]),
            key_tokens=tuple(data["key_tokens"]),
            weights=np.asarray(data["weights"], dtype=np.float32),
            kind=AttentionKind(data["kind"]),
            model=data["model"],
            truncated_from=data.get("truncated_from"),
            attn_implementation=data.get("attn_implementation", ""),
            meta=data.get("meta", {}),
        )


@dataclass(frozen=True)
class ScoreBreakdown:
    """How one query token's weights over the keys are made, in one head of one layer."""

    layer: int
    head: int
    query_index: int
    tokens: tuple[str, ...]
    d_head: int
    dot: np.ndarray  # q·k for each key, (key,)
    scaled: np.ndarray  # q·k / sqrt(d_head), (key,)
    weights: np.ndarray  # softmax(scaled), (key,)
