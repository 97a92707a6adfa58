"""Two attention views side by side (NumPy only): which view, which tokens line up, how different they are.

A view is one head, the mean of one layer's heads, or the mean of every head. Two views can be differenced
only over tokens they share: when the two inputs differ (a minimal pair), their tokens are aligned by a
word-level diff and the difference is taken over the rows and columns of the tokens that match.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from attention_explorer.models.core.analysis import js_divergence

LAYER_MEAN, ALL_MEAN = "layer", "all"  # a view's head: a head number, or one of these
MAX_SWAP = 3  # tokens: a substitution up to this long pairs position by position (a minimal pair's swapped words)


def view_matrix(weights: np.ndarray, layer: int, head: int | str) -> np.ndarray:
    """[layer, head, query, key] → the [query, key] matrix of one head, a layer's mean or the mean of all heads.

    Means of rows that sum to 1 still sum to 1, so every view is a distribution per query row.
    """
    w = np.asarray(weights)
    if head == ALL_MEAN:
        return w.mean(axis=(0, 1))
    if head == LAYER_MEAN:
        return w[layer].mean(axis=0)
    return w[layer, int(head)]


def view_name(layer: int, head: int | str) -> str:
    if head == ALL_MEAN:
        return "mean of every layer and head"
    if head == LAYER_MEAN:
        return f"layer {layer}, mean of its heads"
    return f"layer {layer}, head {head}"


def _norm(token: str) -> str:
    return token.lower().strip("#▁Ġ ")


def matching_positions(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int]]:
    """Positions (i in a, j in b) that a word-level diff pairs up, in order, each used once.

    Equal tokens pair up; so does a short substitution (up to MAX_SWAP tokens for as many: "big" for
    "small") between equal ones, which is what a minimal pair is. Insertions, deletions, unequal or long
    replacements have no partner, and two inputs with no token in common pair up nowhere.
    """
    matcher = difflib.SequenceMatcher(a=[_norm(t) for t in a], b=[_norm(t) for t in b], autojunk=False)
    opcodes = matcher.get_opcodes()
    if not any(tag == "equal" for tag, *_ in opcodes):
        return []
    pairs: list[tuple[int, int]] = []
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal" or (tag == "replace" and i2 - i1 == j2 - j1 <= MAX_SWAP):
            pairs.extend(zip(range(i1, i2), range(j1, j2), strict=True))
    return pairs


def pair_label(a: str, b: str) -> str:
    """One label for two paired tokens: the token, or "big/small" where a minimal pair swapped it."""
    return a if a == b else f"{a}/{b}"


@dataclass(frozen=True)
class Difference:
    """A − B over the tokens both views share, and how far apart their rows are.

    rows/cols: (position in A, position in B) of the query and key tokens that line up. `diff` is A − B on
    those rows and columns as the models gave them. `js` compares each aligned query row as a distribution
    over the aligned keys (renormalised when some keys had no partner), in nats: 0 … ln 2.
    """

    rows: tuple[tuple[int, int], ...]
    cols: tuple[tuple[int, int], ...]
    query_tokens: tuple[str, ...]
    key_tokens: tuple[str, ...]
    diff: np.ndarray  # [aligned query, aligned key]
    js: np.ndarray  # [aligned query]
    dropped_rows: tuple[str, ...]  # tokens of A or B with no partner, as “token” (A) (shown in the note)
    dropped_cols: tuple[str, ...]
    renormalised: bool
    swapped: tuple[str, ...] = ()  # key labels where A and B have different tokens paired up ("big/small")

    @property
    def js_mean(self) -> float:
        return float(self.js.mean()) if len(self.js) else 0.0

    @property
    def identical_tokens(self) -> bool:
        return not (self.dropped_rows or self.dropped_cols)


class NotComparable(ValueError):
    """Two views whose difference cannot be taken; the message says why."""


def _renormalised(rows: np.ndarray) -> np.ndarray:
    total = rows.sum(-1, keepdims=True)
    return np.divide(rows, total, out=np.full_like(rows, 1.0 / max(rows.shape[-1], 1)), where=total > 0)


def _unmatched(tokens: Sequence[str], used: set[int], side: str) -> list[str]:
    return [f"“{tokens[i]}” ({side})" for i in range(len(tokens)) if i not in used]


def difference(
    a: np.ndarray,
    a_queries: Sequence[str],
    a_keys: Sequence[str],
    b: np.ndarray,
    b_queries: Sequence[str],
    b_keys: Sequence[str],
) -> Difference:
    """A − B and the Jensen–Shannon divergence per aligned query row; NotComparable when nothing lines up."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    rows = matching_positions(a_queries, b_queries)
    cols = matching_positions(a_keys, b_keys)
    if not rows or not cols:
        raise NotComparable("The two inputs share no tokens, so there is no cell to difference.")
    ra, rb = (np.array(x) for x in zip(*rows, strict=True))
    ca, cb = (np.array(x) for x in zip(*cols, strict=True))
    sub_a, sub_b = a[np.ix_(ra, ca)], b[np.ix_(rb, cb)]
    partial = len(cols) < len(a_keys) or len(cols) < len(b_keys)
    pa, pb = (_renormalised(sub_a), _renormalised(sub_b)) if partial else (sub_a, sub_b)
    dropped_rows = _unmatched(a_queries, set(ra.tolist()), "A") + _unmatched(b_queries, set(rb.tolist()), "B")
    dropped_cols = _unmatched(a_keys, set(ca.tolist()), "A") + _unmatched(b_keys, set(cb.tolist()), "B")
    return Difference(
        rows=tuple(rows),
        cols=tuple(cols),
        query_tokens=tuple(pair_label(a_queries[i], b_queries[j]) for i, j in rows),
        key_tokens=tuple(pair_label(a_keys[i], b_keys[j]) for i, j in cols),
        diff=sub_a - sub_b,
        js=js_divergence(pa, pb),
        dropped_rows=tuple(dropped_rows),
        dropped_cols=tuple(dropped_cols),
        renormalised=partial,
        swapped=tuple(
            dict.fromkeys(pair_label(a_keys[i], b_keys[j]) for i, j in cols if _norm(a_keys[i]) != _norm(b_keys[j]))
        ),
    )


JS_CHUNK_CELLS = 65_536  # float64 cells per array in head_row_divergence: 512 kB, within a core's cache


def head_row_divergence(
    a: np.ndarray, b: np.ndarray, rows: Sequence[tuple[int, int]], cols: Sequence[tuple[int, int]]
) -> np.ndarray:
    """Every head of A against the same head of B: JS divergence of each aligned query row → [layer, head, row].

    a, b: [layer, head, query, key] of the same model shape; rows/cols from a `Difference`.
    """
    a, b = np.asarray(a), np.asarray(b)
    if a.shape[:2] != b.shape[:2]:
        raise NotComparable(
            f"A has {a.shape[0]} layers × {a.shape[1]} heads and B {b.shape[0]} × {b.shape[1]}: "
            "no head-by-head pairing."
        )
    ra, rb = (np.array(x) for x in zip(*rows, strict=True))
    ca, cb = (np.array(x) for x in zip(*cols, strict=True))
    partial = len(cols) < a.shape[-1] or len(cols) < b.shape[-1]
    flat_a, flat_b = a.reshape(-1, *a.shape[2:]), b.reshape(-1, *b.shape[2:])
    out = np.empty((len(flat_a), len(rows)))
    # as many heads at a time as keep each array within JS_CHUNK_CELLS: 72 heads of a short sentence in one go,
    # 512 tokens a few heads at a time (all 72 at once would be 150 MB). The rows are taken first, with every
    # key, so that intermediate bounds the batch, not the shared keys alone
    step = max(1, JS_CHUNK_CELLS // max(1, len(rows) * max(a.shape[-1], b.shape[-1])))
    for first in range(0, len(flat_a), step):
        heads = slice(first, first + step)
        sub_a = flat_a[heads].take(ra, axis=1).take(ca, axis=2).astype(np.float64)
        sub_b = flat_b[heads].take(rb, axis=1).take(cb, axis=2).astype(np.float64)
        if partial:
            sub_a, sub_b = _renormalised(sub_a), _renormalised(sub_b)
        out[heads] = js_divergence(sub_a, sub_b)
    return out.reshape(*a.shape[:2], len(rows))


def rank_heads(per_row: np.ndarray, by: str = "mean", top: int | None = None) -> list[tuple[int, int, float, int]]:
    """Heads ordered by how much they differ, largest first: (layer, head, score, the row that differs most).

    per_row: [layer, head, row] from `head_row_divergence`; by: "mean" over the rows, or "max" (the one row
    that changed most, e.g. the pronoun whose referent a minimal pair flips).
    """
    score = per_row.max(-1) if by == "max" else per_row.mean(-1)
    worst = per_row.argmax(-1)
    order = np.argsort(-score, axis=None, kind="stable")[:top]
    n_heads = score.shape[1]
    return [(int(i // n_heads), int(i % n_heads), float(score.flat[i]), int(worst.flat[i])) for i in order]


# Sentence pairs that differ in a word or two, for the same head: what changes where the model looks.
MINIMAL_PAIRS: dict[str, tuple[str, str]] = {
    "Coreference: big / small": (
        "The trophy didn't fit in the suitcase because it was too big.",
        "The trophy didn't fit in the suitcase because it was too small.",
    ),
    "Coreference: he / she": (
        "The doctor called the nurse because she was late.",
        "The doctor called the nurse because he was late.",
    ),
    "Agreement: key / keys": (
        "The key to the cabinets is on the table.",
        "The keys to the cabinet are on the table.",
    ),
    "Agreement: across a relative clause": (
        "The author that the guards like laughs.",
        "The authors that the guard likes laugh.",
    ),
    "Negation": (
        "The movie was good and I liked it.",
        "The movie was not good and I did not like it.",
    ),
    "Word order": (
        "The dog chased the cat into the garden.",
        "The cat chased the dog into the garden.",
    ),
    "Attachment: with the telescope / with the hat": (
        "I saw the man with the telescope.",
        "I saw the man with the hat.",
    ),
}
