"""The small Transformer: shapes of all three attentions, the causal mask, checkpoints, the capture."""

import json

import numpy as np
import pytest
import torch

from attention_explorer.models.core.capture import AttentionKind
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.transformer.model import Transformer, TransformerConfig, attention, causality_check
from attention_explorer.models.translation import command
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    Translator,
    load_translator,
    model_inputs,
    translate,
)


def _tiny(seed: int) -> Translator:
    """An untrained 3-layer, 2-head Transformer over a few words."""
    torch.manual_seed(seed)
    src = Vocab(["the", "green", "apple", "will", "fall", "."])
    tgt = Vocab(["la", "pomme", "verte", "tombera", "."])
    config = TransformerConfig(len(src), len(tgt), d_model=16, heads=2, layers=3, d_ff=32, max_len=16)
    return Translator(Transformer(config).eval(), src, tgt, "transformer", {})


@pytest.fixture(scope="module")
def tiny():
    return _tiny(0)


def test_config_checks_itself():
    with pytest.raises(ValueError, match="multiple of heads"):
        TransformerConfig(10, 10, d_model=30, heads=4)
    with pytest.raises(ValueError, match="dropout"):
        TransformerConfig(10, 10, dropout=1.5)
    with pytest.raises(ValueError, match="div_value"):
        TransformerConfig(10, 10, div_value=0.5)


def test_rarer_words_get_the_output_width_div_value_gives_them_and_it_survives_a_checkpoint(tmp_path):
    src, tgt = Vocab([f"e{i}" for i in range(40)]), Vocab([f"f{i}" for i in range(40)])
    for div_value, widths in ((1.0, [16, 16]), (4.0, [4, 1])):  # d_model / div_value**k for the k-th rarer cluster
        config = TransformerConfig(len(src), len(tgt), d_model=16, heads=2, cutoffs=(10, 25), div_value=div_value)
        Translator(Transformer(config), src, tgt, "transformer", {}).save(tmp_path / str(div_value))
        loaded = load_translator(tmp_path / str(div_value)).model
        assert isinstance(loaded, Transformer) and loaded.config.div_value == div_value
        assert loaded.out.adaptive is not None
        assert [cluster[0].out_features for cluster in loaded.out.adaptive.tail] == widths


def test_forward_returns_every_layer_and_head(tiny):
    src = torch.tensor([[4, 5, 6, 2, 0], [7, 8, 2, 0, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[1, 4, 5, 6], [1, 7, 8, 0]])
    logits, att = tiny.model(src, lengths, tgt_in)
    assert logits.shape == (2, 4, len(tiny.tgt))
    assert att["encoder"].shape == (2, 3, 2, 5, 5)
    assert att["decoder"].shape == (2, 3, 2, 4, 4)
    assert att["cross"].shape == (2, 3, 2, 4, 5)
    for p in att.values():
        torch.testing.assert_close(p.sum(-1), torch.ones(p.shape[:-1]))
    assert torch.all(att["decoder"].triu(diagonal=1) == 0)  # the model's own output, before any capture
    for name in ("encoder", "cross"):  # padding keys get nothing
        assert torch.all(att[name][1, ..., 3:] == 0)


def test_attention_is_softmax_of_scaled_dot_products():
    q, k, v = torch.randn(1, 1, 3, 4), torch.randn(1, 1, 5, 4), torch.randn(1, 1, 5, 2)
    out, p = attention(q, k, v, None)
    torch.testing.assert_close(p, torch.softmax(q @ k.transpose(-2, -1) / 2.0, dim=-1))
    torch.testing.assert_close(out, torch.nn.functional.scaled_dot_product_attention(q, k, v))


def test_a_decoding_step_gives_what_decoding_every_input_so_far_gives(tiny):
    """`step` keeps the earlier positions' keys and values instead of re-reading them: same log-probabilities."""
    model = tiny.model
    src, lengths = torch.tensor([[4, 5, 6, 2, 0], [7, 8, 2, 0, 0]]), torch.tensor([4, 3])
    ys = torch.tensor([[1, 4, 5, 6, 7, 8], [1, 7, 8, 4, 4, 5]])
    memory, mask, _ = model.encode(src, lengths)
    full, _, _ = model.decode(memory, mask, ys)  # (2, 6, V)
    with torch.inference_mode():
        state = model.start(src, lengths)
        for t in range(3):
            log_probs, state = model.step(state, ys[:, t])
            torch.testing.assert_close(log_probs, full[:, t])
        state = model.reorder(state, torch.tensor([1, 1, 0]))  # as a beam does: rows picked and repeated
        picked = ys[[1, 1, 0]]
        memory, mask, _ = model.encode(src[[1, 1, 0]], lengths[[1, 1, 0]])
        full, _, _ = model.decode(memory, mask, picked)
        for t in range(3, 6):
            log_probs, state = model.step(state, picked[:, t])
            torch.testing.assert_close(log_probs, full[:, t])


def test_causality_check_sees_a_broken_mask(tiny, monkeypatch):
    inputs = torch.tensor([[4, 5, 6, 2]]), torch.tensor([4]), torch.tensor([[1, 4, 5, 6, 7]])
    assert causality_check(tiny.model, *inputs) < 1e-5
    tril = torch.tril
    full = torch.ones(64, 64, dtype=torch.bool)
    monkeypatch.setattr(torch, "tril", lambda x, *a, **k: full[: x.shape[0], : x.shape[1]])  # a decoder that peeks
    assert causality_check(tiny.model, *inputs) > 1e-3
    monkeypatch.setattr(torch, "tril", lambda x, *a, **k: tril(x, diagonal=1))  # each position sees the next one
    assert causality_check(tiny.model, *inputs) > 1e-3
    long = torch.tensor([[1, *[4, 5, 6, 7] * 3]])  # 13 inputs: more positions than cut points
    assert causality_check(tiny.model, inputs[0], inputs[1], long) > 1e-3


def test_translation_capture_has_three_valid_attentions(tiny):
    result = translate(tiny, "The green apple will fall .")
    assert result.source == ("the", "green", "apple", "will", "fall", ".", "</s>")
    assert set(result.captures) == {"encoder", "decoder", "cross"}
    assert result.captures["encoder"].kind is AttentionKind.SELF
    assert result.captures["cross"].weights.shape == (3, 2, len(result.output), len(result.source))
    decoder = result.captures["decoder"]
    assert decoder.query_tokens[0] == "<s>" and decoder.query_tokens[1:] == result.output[:-1]
    assert result.alignment is result.captures["cross"]


def test_greedy_result_matches_the_teacher_forced_argmax(tiny):
    """The output read back with teacher forcing gives, at each step, the word the decoder chose."""
    result = translate(tiny, "the apple will fall")
    src, src_len, tgt_in = model_inputs(tiny, result)
    logits, _ = tiny.model(src, src_len, tgt_in)
    assert tiny.tgt.decode(logits[0].argmax(-1).tolist()) == list(result.output)


def test_checkpoint_round_trip_and_errors(tiny, tmp_path):
    tiny.save(tmp_path / "transformer")
    loaded = load_translator(tmp_path / "transformer")
    assert isinstance(loaded.model, Transformer) and loaded.family == "transformer"
    for k, v in tiny.model.state_dict().items():
        torch.testing.assert_close(loaded.model.state_dict()[k], v)
    out = tmp_path / "t.json"
    args = ["the apple .", "-o", str(out), "--model", str(tmp_path / "transformer")]
    assert command.translate_main(args) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert np.array(data["attention"]["cross"]).shape[:2] == (3, 2)
    (tmp_path / "transformer" / "config.json").write_text("{", encoding="utf-8")
    with pytest.raises(CheckpointError, match="unreadable"):
        load_translator(tmp_path / "transformer")
    with pytest.raises(CheckpointError, match="missing"):
        load_translator(tmp_path / "nowhere")


def _forced_attentions(translator: Translator, result) -> dict[str, np.ndarray]:
    src, src_len, tgt_in = model_inputs(translator, result)
    _, att = translator.model(src, src_len, tgt_in)
    return {name: weights[0].numpy() for name, weights in att.items()}


@pytest.fixture(scope="module")
def endless():
    """A tiny model that never writes </s>: its output runs to the length limit."""
    translator = _tiny(1)
    assert translator.model.out.linear is not None
    with torch.no_grad():
        translator.model.out.linear.bias[translator.tgt.eos_id] = -1e4
    return translator


@pytest.mark.parametrize("which", ["endless", "committed"])
def test_attentions_recorded_while_decoding_are_those_of_a_teacher_forced_pass(endless, monkeypatch, which):
    """Greedy decoding keeps the weights it computes, so translate() makes no second pass over its output;
    they are the weights the teacher-forced pass gives, row for row: for an output cut at the length limit
    and for the committed model's translation, which ends with </s>."""
    translator = endless if which == "endless" else load_translator(WEIGHTS / "transformer")
    forward = Transformer.forward
    monkeypatch.setattr(Transformer, "forward", lambda *a, **k: pytest.fail("a second, teacher-forced pass"))
    result = translate(translator, "the green apple will fall on the table of my friend")
    monkeypatch.setattr(Transformer, "forward", forward)
    assert len(result.output) > 8 and (result.output[-1] == "</s>") == (which == "committed")
    with torch.inference_mode():
        forced = _forced_attentions(translator, result)
    for name, capture in result.captures.items():
        np.testing.assert_allclose(capture.weights, forced[name], atol=1e-5, err_msg=name)


def test_a_beam_wider_than_one_reads_its_attentions_with_a_teacher_forced_pass(tiny):
    result = translate(tiny, "the green apple will fall .", beam=3)
    with torch.inference_mode():
        forced = _forced_attentions(tiny, result)
    for name, capture in result.captures.items():
        np.testing.assert_allclose(capture.weights, forced[name], atol=1e-6, err_msg=name)
