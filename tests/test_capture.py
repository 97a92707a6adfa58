"""AttentionCapture validates itself on construction and round-trips through its exports."""

import json

import numpy as np
import pytest

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.export import to_csv, to_frame, to_json


def softmax_rows(shape, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    e = np.exp(x - x.max(-1, keepdims=True))
    return (e / e.sum(-1, keepdims=True)).astype(np.float32)


def make(weights, q=None, k=None, kind=AttentionKind.SELF):
    n_q, n_k = weights.shape[-2:]
    return AttentionCapture(
        query_tokens=q or [f"q{i}" for i in range(n_q)],
        key_tokens=k or [f"k{i}" for i in range(n_k)],
        weights=weights,
        kind=kind,
        model="test",
    )


def test_valid_capture_exposes_shape_and_is_read_only():
    cap = make(softmax_rows((2, 3, 4, 4)))
    assert (cap.num_layers, cap.num_heads) == (2, 3)
    assert cap.max_row_sum_error < 1e-6
    with pytest.raises(ValueError):
        cap.weights[0, 0, 0, 0] = 1.0  # shared through caches: must not be writable


def test_token_count_mismatch_names_both_numbers():
    with pytest.raises(ValueError, match="Attention has 4 query positions, while number of query tokens is 3"):
        make(softmax_rows((1, 1, 4, 4)), q=["a", "b", "c"])


@pytest.mark.parametrize(
    "weights, message",
    [
        (np.full((1, 1, 2, 2), 0.4, dtype=np.float32), "rows must sum to 1"),
        (np.zeros((1, 2, 2), dtype=np.float32), "must be \\[layer, head, query, key\\]"),
        (np.array([[[[1.5, -0.5], [0.5, 0.5]]]], dtype=np.float32), "non-negative"),
        (np.array([[[[np.nan, 1.0], [0.5, 0.5]]]], dtype=np.float32), "NaN"),
        (np.zeros((1, 1, 0, 0), dtype=np.float32), "empty"),
    ],
)
def test_malformed_weights_are_rejected(weights, message):
    with pytest.raises(ValueError, match=message):
        make(weights)


def test_self_attention_must_be_square_but_cross_need_not():
    w = softmax_rows((1, 1, 3, 5))
    with pytest.raises(ValueError, match="must be square"):
        make(w, kind=AttentionKind.SELF)
    assert make(w, kind=AttentionKind.CROSS).weights.shape == (1, 1, 3, 5)


def test_causal_capture_rejects_attention_to_future_tokens():
    lower = np.tril(np.ones((3, 3), dtype=np.float32))
    causal = (lower / lower.sum(-1, keepdims=True))[None, None]
    assert make(causal, kind=AttentionKind.CAUSAL_SELF).kind is AttentionKind.CAUSAL_SELF
    with pytest.raises(ValueError, match="future"):
        make(softmax_rows((1, 1, 3, 3)), kind=AttentionKind.CAUSAL_SELF)


def test_json_round_trip_keeps_tokens_and_weights():
    cap = make(softmax_rows((2, 2, 3, 3)), q=["the", "cat", "the"], k=["the", "cat", "the"])
    back = AttentionCapture.from_dict(json.loads(to_json(cap, decimals=7)))
    assert back.query_tokens == cap.query_tokens
    np.testing.assert_allclose(back.weights, cap.weights, atol=1e-6)


def test_frame_and_csv_have_one_row_per_weight():
    cap = make(softmax_rows((2, 3, 4, 4)))
    frame = to_frame(cap)
    assert len(frame) == 2 * 3 * 4 * 4
    row = frame[(frame["layer"] == 1) & (frame["head"] == 2) & (frame["query_index"] == 3) & (frame["key_index"] == 0)]
    assert row.weight.item() == pytest.approx(float(cap.weights[1, 2, 3, 0]))
    assert row.query_token.item() == "q3"
    one_head = to_csv(cap, layer=1, head=2).splitlines()
    assert one_head[0] == "layer,head,query_index,query_token,key_index,key_token,weight"
    assert len(one_head) == 1 + 4 * 4


def test_select_keeps_one_head_with_its_tokens_and_kind():
    cap = make(softmax_rows((2, 3, 4, 5)), kind=AttentionKind.CROSS)
    one = cap.select(1, 2)
    assert one.weights.shape == (1, 1, 4, 5)
    np.testing.assert_array_equal(one.weights[0, 0], cap.weights[1, 2])
    assert one.kind is AttentionKind.CROSS and one.key_tokens == cap.key_tokens
    assert "layer 1 head 2" in one.model
    with pytest.raises(ValueError, match="outside"):
        cap.select(2, 0)
