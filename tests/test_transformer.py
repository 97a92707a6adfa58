"""The small Transformer: shapes of all three attentions, the causal mask, checkpoints, the capture."""

import json

import numpy as np
import pytest
import torch

from models import transformer_capture
from models.capture import AttentionKind
from models.seq2seq import CheckpointError, Vocab
from models.transformer import Transformer, TransformerConfig, TransformerTranslator, attention, load_transformer


@pytest.fixture(scope="module")
def tiny():
    torch.manual_seed(0)
    src = Vocab(["the", "green", "apple", "will", "fall", "."])
    tgt = Vocab(["la", "pomme", "verte", "tombera", "."])
    config = TransformerConfig(len(src), len(tgt), d_model=16, heads=2, layers=3, d_ff=32, max_len=16)
    return TransformerTranslator(Transformer(config).eval(), src, tgt, "transformer", {})


def test_forward_returns_every_layer_and_head(tiny):
    src = torch.tensor([[4, 5, 6, 2, 0], [7, 8, 2, 0, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[1, 4, 5, 6], [1, 7, 8, 0]])
    logits, att = tiny.model(src, lengths, tgt_in)
    assert logits.shape == (2, 4, len(tiny.tgt))
    assert len(att.encoder) == len(att.decoder) == len(att.cross) == 3
    assert att.encoder[0].shape == (2, 2, 5, 5)
    assert att.decoder[0].shape == (2, 2, 4, 4)
    assert att.cross[0].shape == (2, 2, 4, 5)
    for p in [*att.encoder, *att.decoder, *att.cross]:
        torch.testing.assert_close(p.sum(-1), torch.ones(p.shape[:-1]))
    for p in att.decoder:  # causal: no position sees a later one
        assert torch.all(p.triu(diagonal=1) == 0)
    for p in [*att.encoder, *att.cross]:  # padding keys get nothing
        assert torch.all(p[1, ..., 3:] == 0)


def test_attention_is_softmax_of_scaled_dot_products():
    q, k, v = torch.randn(1, 1, 3, 4), torch.randn(1, 1, 5, 4), torch.randn(1, 1, 5, 2)
    out, p = attention(q, k, v, None)
    torch.testing.assert_close(p, torch.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1))
    torch.testing.assert_close(out, torch.nn.functional.scaled_dot_product_attention(q, k, v))


def test_translation_capture_has_three_valid_attentions(tiny):
    result = transformer_capture.translate(tiny, "The green apple will fall .")
    assert result.source == ("the", "green", "apple", "will", "fall", ".", "</s>")
    assert result.encoder.kind is AttentionKind.SELF
    assert result.decoder.kind is AttentionKind.CAUSAL_SELF  # validated: nothing above the diagonal
    assert result.cross.weights.shape == (3, 2, len(result.output), len(result.source))
    assert result.decoder.query_tokens[0] == "<s>"


def test_checkpoint_round_trip_and_errors(tiny, tmp_path):
    tiny.save(tmp_path / "transformer")
    loaded = load_transformer(tmp_path / "transformer")
    for k, v in tiny.model.state_dict().items():
        torch.testing.assert_close(loaded.model.state_dict()[k], v)
    out = tmp_path / "t.json"
    assert transformer_capture.main(["the apple .", "-o", str(out), "--model", str(tmp_path / "transformer")]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert np.array(data["cross"]).shape[:2] == (3, 2)
    (tmp_path / "transformer" / "config.json").write_text("{", encoding="utf-8")
    with pytest.raises(CheckpointError, match="unreadable"):
        load_transformer(tmp_path / "transformer")
    with pytest.raises(CheckpointError, match="missing"):
        load_transformer(tmp_path / "nowhere")
