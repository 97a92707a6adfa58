"""Pretrained capture: the weights are Hugging Face's own, on the bundled model and on any local model dir."""

import json

import numpy as np
import pytest
import torch

from attention_explorer.models.core.capture import AttentionKind
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.pretrained import scores
from attention_explorer.models.pretrained.command import main as export_main
from attention_explorer.models.pretrained.loading import ModelLoadError, load_pretrained, position_embeddings

SENTENCE = "The cat sat on the mat."
AWKWARD = [
    "😀 emoji 👩‍👩‍👧 and more",
    "שלום עולם مرحبا بالعالم",
    "zero\u200bwidth\u200d and \x07control\x1b chars\u0000",
    '</script><img src=x onerror=alert(1)> <b>bold</b> "quotes" & ampersands',
    "qwxzzqj florbinate unglorpable",
]


def hf_attentions(bundle, text):
    """What Hugging Face itself returns for `text`, asked directly."""
    enc = bundle.tokenizer(text, return_tensors="pt", truncation=True, max_length=bundle.max_tokens)
    with torch.inference_mode():
        out = bundle.model(**enc, output_attentions=True)
    return torch.stack([a[0] for a in out.attentions]).numpy(), enc["input_ids"][0].tolist()


@pytest.mark.parametrize("which", ["bundled", "tiny"])
def test_capture_equals_hugging_face_output_attentions(which, request):
    bundle = request.getfixturevalue(which)
    cap = pretrained.capture(bundle, SENTENCE)
    expected, ids = hf_attentions(bundle, SENTENCE)
    assert cap.weights.shape == expected.shape
    np.testing.assert_allclose(cap.weights, expected, atol=1e-6, rtol=0)
    assert list(cap.query_tokens) == bundle.tokenizer.convert_ids_to_tokens(ids)
    assert cap.kind is AttentionKind.SELF and cap.attn_implementation == "eager"
    assert np.abs(cap.weights.sum(-1) - 1).max() < 1e-5


def test_bundled_model_is_a_6x12_bert_with_distinct_repeated_tokens(bundled):
    cap = pretrained.capture(bundled, "the cat sat on the mat")
    assert (cap.num_layers, cap.num_heads) == (6, 12)
    assert cap.query_tokens == ("[CLS]", "the", "cat", "sat", "on", "the", "mat", "[SEP]")
    # the two "the" rows are different rows of the matrix, not one merged row
    assert not np.allclose(cap.weights[:, :, 1], cap.weights[:, :, 5])


def test_tiny_model_from_a_temp_dir_has_its_own_shape(tiny):
    cap = pretrained.capture(tiny, "the cat sat on the mat.")
    assert (cap.num_layers, cap.num_heads) == (2, 4)
    assert cap.model == tiny.path.name


def test_long_input_is_truncated_to_512_and_says_how_long_it_was(bundled):
    cap = pretrained.capture(bundled, "word " * 700)
    assert len(cap.query_tokens) == 512
    assert cap.truncated_from == 702
    assert cap.query_tokens[-1] == "[SEP]"
    assert pretrained.capture(bundled, SENTENCE).truncated_from is None


@pytest.mark.parametrize("text", AWKWARD)
def test_awkward_text_is_tokenised_not_rejected(bundled, text):
    cap = pretrained.capture(bundled, text)
    assert cap.query_tokens[0] == "[CLS]" and cap.query_tokens[-1] == "[SEP]"
    assert cap.max_row_sum_error < 1e-5


def hf_scores(bundle, text, layer, head, query):
    """q·k of one query against every key, from Hugging Face's own hidden states and the layer's weights."""
    enc = bundle.tokenizer(text, return_tensors="pt")
    with torch.inference_mode():
        hidden = bundle.model(**enc, output_hidden_states=True).hidden_states[layer][0]
        attn = bundle.model.encoder.layer[layer].attention.self
        d = bundle.model.config.hidden_size // bundle.model.config.num_attention_heads
        q = torch.nn.functional.linear(hidden, attn.query.weight, attn.query.bias)[:, head * d : (head + 1) * d]
        k = torch.nn.functional.linear(hidden, attn.key.weight, attn.key.bias)[:, head * d : (head + 1) * d]
    return (k @ q[query]).double().numpy(), d


def test_score_breakdown_reproduces_the_captured_row(bundled, tiny):
    for bundle in (bundled, tiny):
        run = pretrained.run(bundle, SENTENCE)
        expected, _ = hf_attentions(bundle, SENTENCE)
        for layer, head, query in [(0, 0, 1), (run.capture.num_layers - 1, run.capture.num_heads - 1, 3)]:
            b = scores.score_breakdown(bundle, run, layer, head, query)
            dot, d_head = hf_scores(bundle, SENTENCE, layer, head, query)
            assert b.d_head == d_head
            np.testing.assert_allclose(b.dot, dot, atol=1e-4)
            np.testing.assert_allclose(b.scaled, dot / np.sqrt(d_head), atol=1e-4)
            # softmax of the recomputed scores is the row Hugging Face itself returned
            np.testing.assert_allclose(b.weights, expected[layer, head, query], atol=1e-5)
            assert b.weights.argmax() == expected[layer, head, query].argmax()
    with pytest.raises(ValueError, match="outside"):
        scores.score_breakdown(bundled, pretrained.run(bundled, SENTENCE), 0, 0, 99)


def test_position_embeddings_are_the_model_table(bundled):
    table = position_embeddings(bundled)
    assert table.shape == (512, 384)
    np.testing.assert_array_equal(table[7], bundled.model.embeddings.position_embeddings.weight[7].detach().numpy())


def test_bad_model_directories_raise_clear_errors(tmp_path, tiny_bert_dir):
    with pytest.raises(ModelLoadError, match="No such directory"):
        load_pretrained(tmp_path / "missing")
    with pytest.raises(ModelLoadError, match=r"no config\.json"):
        load_pretrained(tmp_path)
    (tmp_path / "config.json").write_text("{not json", encoding="utf-8")
    (tmp_path / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ModelLoadError, match=r"config\.json"):
        load_pretrained(tmp_path)
    # a real config and tokenizer with corrupt weights
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in tiny_bert_dir.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    (broken / "model.safetensors").write_bytes(b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="weights"):
        load_pretrained(broken)
    (broken / "model.safetensors").unlink()
    with pytest.raises(ModelLoadError, match="safetensors"):
        load_pretrained(broken)


def test_export_command_writes_the_capture(tmp_path, tiny_bert_dir, tiny, capsys):
    out = tmp_path / "capture.json"
    assert export_main([SENTENCE, "-o", str(out), "--model", str(tiny_bert_dir), "--decimals", "8"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    cap = pretrained.capture(tiny, SENTENCE)
    assert data["query_tokens"] == list(cap.query_tokens)
    assert data["shape"] == {"layer": 2, "head": 4, "query": len(cap.query_tokens), "key": len(cap.key_tokens)}
    np.testing.assert_allclose(np.array(data["weights"]), cap.weights, atol=1e-7)
    assert "wrote" in capsys.readouterr().out

    csv_out = tmp_path / "head.csv"
    args = [SENTENCE, "-o", str(csv_out), "--model", str(tiny_bert_dir), "--layer", "1", "--head", "2"]
    assert export_main(args) == 0
    lines = csv_out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1 + len(cap.query_tokens) ** 2
    assert all(line.startswith("1,2,") for line in lines[1:])

    assert export_main([SENTENCE, "-o", str(out), "--model", str(tmp_path / "nope")]) == 2
    assert "No such directory" in capsys.readouterr().err
