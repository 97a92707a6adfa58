"""GRU encoder-decoder: shapes, attention rows, decoding, checkpoints — on small random models."""

import json

import numpy as np
import pytest
import torch

from models import translate
from models.seq2seq import CheckpointError, Seq2Seq, Seq2SeqConfig, Translator, Vocab, load_translator


@pytest.fixture(scope="module")
def vocabs():
    src = Vocab(["the", "green", "apple", "will", "fall", "cat", "sleeps", "."])
    return src, Vocab(["la", "pomme", "verte", "tombera", "chat", "dort", "."])


@pytest.fixture(scope="module", params=[True, False], ids=["attention", "no_attention"])
def translator(request, vocabs):
    torch.manual_seed(0)
    src, tgt = vocabs
    model = Seq2Seq(
        Seq2SeqConfig(len(src), len(tgt), emb=8, hidden=16, attn_dim=8, attention=request.param, max_len=12)
    ).eval()
    return Translator(model, src, tgt, "bahdanau" if request.param else "no_attention", {})


def test_teacher_forced_shapes_and_attention_rows(translator):
    src = torch.tensor([[4, 5, 6, 2], [7, 8, 2, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[1, 4, 5, 6], [1, 8, 9, 0]])
    logits, alpha = translator.model(src, lengths, tgt_in)
    assert logits.shape == (2, 4, len(translator.tgt))
    if translator.model.config.attention:
        assert alpha.shape == (2, 4, 4)
        torch.testing.assert_close(alpha.sum(-1), torch.ones(2, 4))
        assert torch.all(alpha[1, :, 3] == 0)  # padding gets no attention
    else:
        assert alpha is None


def test_beam_width_one_is_greedy_decoding(translator):
    ids = [*translator.src.encode(["the", "green", "apple"]), 2]
    greedy = translator.model.greedy_batch(torch.tensor([ids]), torch.tensor([len(ids)]), 12)[0].tolist()
    beam = translator.model.beam_search(ids, width=1)
    assert beam.ids == [t for t in greedy if t != 0]
    wide = translator.model.beam_search(ids, width=4)
    assert len(wide.ids) <= 12


def test_translation_capture_and_unknown_words(translator):
    result = translate.translate(translator, "The green applz will fall .", beam=2)
    assert result.source[-1] == "</s>" and result.source[2] == "applz"
    assert result.unknown == {"applz": ["apple"]}
    if translator.model.config.attention:
        assert result.capture.weights.shape == (1, 1, len(result.output), len(result.source))
        assert result.scores.shape == (len(result.output), len(result.source))
        np.testing.assert_allclose(
            result.capture.weights[0, 0],
            np.exp(result.scores) / np.exp(result.scores).sum(-1, keepdims=True),
            atol=1e-5,
        )
    else:
        assert result.capture is None and result.scores is None
    with pytest.raises(ValueError, match="no word"):
        translate.translate(translator, "  ")
    with pytest.raises(ValueError, match="at most"):
        translate.translate(translator, "cat " * 100)


def test_checkpoint_round_trip_and_bad_checkpoints(translator, tmp_path):
    folder = tmp_path / translator.name
    translator.save(folder)
    loaded = load_translator(folder)
    for k, v in translator.model.state_dict().items():
        torch.testing.assert_close(loaded.model.state_dict()[k], v)
    assert loaded.src.itos == translator.src.itos
    (folder / "model.safetensors").write_bytes(b"\x00" * 32)
    with pytest.raises(CheckpointError, match="unreadable"):
        load_translator(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load_translator(folder)


def test_translate_command_writes_json(translator, tmp_path, capsys):
    folder = tmp_path / "ckpt"
    translator.save(folder)
    out = tmp_path / "t.json"
    assert translate.main(["the cat sleeps .", "-o", str(out), "--model", str(folder), "--beam", "3"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["source_tokens"] == ["the", "cat", "sleeps", ".", "</s>"]
    assert (data["alignment"] is None) != translator.model.config.attention
    assert translate.main(["", "-o", str(out), "--model", str(folder)]) == 2
