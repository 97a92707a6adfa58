"""Head measures on heads whose behaviour is known by construction (hand-built weights)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from attention_explorer.models.core.analysis import head_measures, head_pattern

TOKENS = ["[CLS]", "the", "cat", "sat", ".", "[SEP]"]
N = len(TOKENS)


def heads() -> np.ndarray:
    """One layer, six heads: self, previous token, next token, all on [CLS], all on [SEP], uniform."""
    eye = np.eye(N)
    prev = np.roll(eye, -1, axis=1)  # row i → column i−1 (row 0 wraps to the last column)
    nxt = np.roll(eye, 1, axis=1)  # row i → column i+1 (the last row wraps to column 0)
    first = np.zeros((N, N))
    first[:, 0] = 1
    last = np.zeros((N, N))
    last[:, -1] = 1
    uniform = np.full((N, N), 1 / N)
    return np.stack([eye, prev, nxt, first, last, uniform])[None]


def test_each_pattern_is_measured_and_named():
    m = head_measures(heads(), TOKENS)
    assert [head_pattern(m, 0, h) for h in range(5)] == [
        "self",
        "previous token",
        "next token",
        "first token",
        "last token",
    ]
    assert head_pattern(m, 0, 5) == "broad" and m["spread"][0, 5] == pytest.approx(1)
    half = np.zeros((1, 1, N, N))
    half[..., 0], half[..., 1] = 0.45, 0.55  # two keys share every row: no pattern over half, not broad
    assert head_pattern(head_measures(half, TOKENS), 0, 0) == "mixed"
    assert m["self"][0, 0] == 1 and m["previous token"][0, 1] == 1 and m["next token"][0, 2] == 1
    assert m["first token"][0, 3] == 1 and m["last token"][0, 4] == 1
    # the uniform head: 1/N on every kind of key, one punctuation token of six, entropy ln N
    assert m["punctuation"][0, 5] == pytest.approx(1 / N)
    assert m["entropy"][0, 5] == pytest.approx(math.log(N))
    assert m["entropy"][0, 0] == pytest.approx(0, abs=1e-9)


def test_distance_is_the_attention_weighted_position_gap():
    m = head_measures(heads(), TOKENS)
    assert m["distance"][0, 0] == 0  # each token looks at itself
    # previous-token head: gap 1 for rows 1…5, row 0 wraps to the last column (gap 5)
    assert m["distance"][0, 1] == pytest.approx((5 * 1 + 5) / N)
    # all on [CLS]: row i is i positions away
    assert m["distance"][0, 3] == pytest.approx(sum(range(N)) / N)


def test_punctuation_share_counts_only_punctuation_keys():
    w = np.zeros((1, 1, N, N))
    w[..., 4] = 1  # every row on "."
    m = head_measures(w, TOKENS)
    assert m["punctuation"][0, 0] == 1 and head_pattern(m, 0, 0) == "punctuation"


def test_cross_attention_has_no_self_or_neighbour_measures():
    w = np.full((1, 2, 3, N), 1 / N)
    m = head_measures(w, TOKENS)
    assert "self" not in m and "previous token" not in m
    assert m["first token"].shape == (1, 2)


def test_weights_that_do_not_match_the_tokens_are_refused():
    with pytest.raises(ValueError, match="6 keys"):
        head_measures(np.ones((1, 1, 4, 4)) / 4, TOKENS)


def test_measures_of_a_512_token_capture_stay_within_a_small_multiple_of_one_layer():
    import tracemalloc

    from attention_explorer.models.core.analysis import attention_rollout, head_divergence

    rng = np.random.default_rng(0)
    w = rng.random((6, 12, 512, 512), dtype=np.float32)  # 75 MB, as a 512-token MiniLM capture
    w /= w.sum(-1, keepdims=True)
    tokens = [f"t{i}" for i in range(512)]
    for name, compute in [
        ("head_measures", lambda: head_measures(w, tokens)),
        ("attention_rollout", lambda: attention_rollout(w)),
        ("head_divergence", lambda: head_divergence(w, w[::-1])),
    ]:
        tracemalloc.start()
        compute()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 110 * 2**20, (name, peak / 2**20)  # a float64 copy of the whole capture alone is 150 MB
