"""Attention read as a word alignment: scored against gold pairs, and the cross-attention head that aligns best."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attention_explorer.models.core.capture import AttentionCapture
from attention_explorer.models.core.vocab import EOS

Pairs = list[tuple[int, int]]  # (English index, French index)


def gold_pairs(output: Sequence[str], reference: dict | None) -> Pairs | None:
    """The reference's gold pairs, if the output is exactly the reference and ended with </s>; else None.

    Gold pairs index the reference's words, so they are only meaningful on an output equal to it.
    """
    if reference is None or not output or output[-1] != EOS:
        return None
    if list(output[:-1]) != list(reference["fr"]):
        return None
    return [(int(i), int(j)) for i, j in reference["align"]]


def alignment_hits(weights: np.ndarray, pairs: Pairs) -> int:
    """How many gold pairs (i, j) have their largest weight of output row j on source column i."""
    best = weights.argmax(axis=-1)
    return sum(int(best[j] == i) for i, j in pairs if j < len(best))


@dataclass(frozen=True)
class HeadChoice:
    layer: int
    head: int
    reason: str  # why this head, in words, for the page


def preselect_cross_head(
    cross: AttentionCapture,
    gold: Pairs | None,
    alpha: AttentionCapture | None,
    test_set_best: Sequence[int] | None,
) -> HeadChoice:
    """The cross-attention head to show next to Bahdanau α.

    The head that agrees best with the gold alignment when there is one; else with α when both models
    wrote the same words; else the head that agreed best with gold on the test set (from metrics.json).
    """
    n_layers, n_heads = cross.num_layers, cross.num_heads
    heads = [(layer, head) for layer in range(n_layers) for head in range(n_heads)]
    scores: list[float]
    if gold:
        scores = [float(alignment_hits(cross.head(layer, head), gold)) for layer, head in heads]
        reason = "agrees best with the gold alignment"
    elif alpha is not None and alpha.query_tokens == cross.query_tokens:
        best_alpha = alpha.head(0, 0).argmax(-1)
        scores = [float((cross.head(layer, head).argmax(-1) == best_alpha).mean()) for layer, head in heads]
        reason = "agrees best with the RNN's α"
    else:
        fallback = tuple(test_set_best) if test_set_best else (n_layers - 1, 0)
        layer, head = (int(fallback[0]), int(fallback[1])) if len(fallback) == 2 else (n_layers - 1, 0)
        if not (0 <= layer < n_layers and 0 <= head < n_heads):
            layer, head = n_layers - 1, 0
        return HeadChoice(layer, head, "agreed best with gold on the test set")
    layer, head = heads[int(np.argmax(scores))]
    return HeadChoice(layer, head, reason)
