"""Playground arithmetic against PyTorch's own attention, and positional-encoding identities."""

import math

import numpy as np
import pytest
import torch

from attention_explorer.models.teaching import playground, positional


@pytest.fixture
def qkv():
    rng = np.random.default_rng(3)
    return rng.normal(size=(5, 8)), rng.normal(size=(6, 8)), rng.normal(size=(6, 4))


@pytest.mark.parametrize("mask", ["none", "causal"])
def test_scaled_dot_product_matches_torch(qkv, mask):
    q, k, v = qkv
    steps = playground.scaled_dot_product(q, k, v, mask=mask)
    allowed = torch.tensor(playground.make_mask(5, 6, mask))
    expected = torch.nn.functional.scaled_dot_product_attention(
        *(torch.tensor(a) for a in (q, k, v)), attn_mask=allowed
    )
    np.testing.assert_allclose(steps.output, expected.numpy(), atol=1e-10)
    np.testing.assert_allclose(steps.weights.sum(-1), 1.0)
    if mask == "causal":
        assert np.all(steps.weights[np.triu_indices(5, k=1, m=6)] == 0)


def test_scaling_temperature_and_padding(qkv):
    q, k, v = qkv
    unscaled = playground.scaled_dot_product(q, k, v, scale=False)
    np.testing.assert_allclose(unscaled.scaled, q @ k.T)
    hot = playground.scaled_dot_product(q, k, v, temperature=2.0)
    np.testing.assert_allclose(hot.weights, playground.softmax(q @ k.T / math.sqrt(8) / 2.0))
    padded = playground.scaled_dot_product(q, k, v, mask="padding", padding=2)
    assert np.all(padded.weights[:, -2:] == 0) and np.all(np.isneginf(padded.masked[:, -2:]))
    with pytest.raises(ValueError, match="padding"):
        playground.make_mask(2, 3, "padding", padding=3)


def test_additive_scores_follow_the_formula(qkv):
    q, k, v = qkv
    rng = np.random.default_rng(0)
    w_q, w_k, w_v = rng.normal(size=(8, 8)), rng.normal(size=(8, 8)), rng.normal(size=8)
    steps = playground.additive(q, k, v, w_q, w_k, w_v)
    assert steps.scores[2, 3] == pytest.approx(w_v @ np.tanh(w_q @ q[2] + w_k @ k[3]))
    np.testing.assert_allclose(steps.output, steps.weights @ v)


def test_multi_head_splits_attends_and_concatenates(qkv):
    q, k, v = qkv
    parts, concat = playground.multi_head(q, k[:, :8], np.concatenate([v, v], axis=1), heads=2)
    assert len(parts) == 2 and concat.shape == (5, 8)
    head1 = playground.scaled_dot_product(q[:, 4:], k[:, 4:], np.concatenate([v, v], axis=1)[:, 4:])
    np.testing.assert_allclose(concat[:, 4:], head1.output)
    with pytest.raises(ValueError, match="divide"):
        playground.multi_head(q, k, v, heads=3)


def test_sinusoidal_table_matches_the_formula():
    table = positional.sinusoidal_table(50, 16, base=10000.0)
    p, i = 7, 3
    assert table[p, 2 * i] == pytest.approx(math.sin(p / 10000 ** (2 * i / 16)))
    assert table[p, 2 * i + 1] == pytest.approx(math.cos(p / 10000 ** (2 * i / 16)))


@pytest.mark.parametrize("k", [1, 5, 17])
def test_shift_is_one_linear_map_for_every_position(k):
    table = positional.sinusoidal_table(64, 32, base=100.0)
    m = positional.shift_matrix(k, 32, base=100.0)
    np.testing.assert_allclose(table[k:], table[:-k] @ m.T, atol=1e-10)


def test_cosine_similarity_diagonal_is_one():
    sim = positional.cosine_similarity(positional.sinusoidal_table(20, 8))
    np.testing.assert_allclose(np.diag(sim), 1.0)
    assert sim[3, 4] > sim[3, 15]
