"""GRU encoder-decoder and the shared decoders: shapes, attention, beam search, checkpoints on small random models."""

import json
from typing import ClassVar

import numpy as np
import pytest
import torch

from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.rnn.model import Seq2Seq, Seq2SeqConfig
from attention_explorer.models.translation import command
from attention_explorer.models.translation.decoding import beam_search, greedy, greedy_batch
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    Translator,
    load_translator,
    model_inputs,
    translate,
)


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


def test_config_checks_itself():
    with pytest.raises(ValueError, match="hidden"):
        Seq2SeqConfig(10, 10, hidden=0)
    with pytest.raises(ValueError, match="pad_id"):
        Seq2SeqConfig(10, 10, pad_id=10)
    with pytest.raises(ValueError, match="div_value"):
        Seq2SeqConfig(10, 10, hidden=16, readout=16, div_value=0.5)


def test_rarer_words_get_the_output_width_div_value_gives_them_and_it_survives_a_checkpoint(tmp_path):
    src, tgt = Vocab([f"e{i}" for i in range(40)]), Vocab([f"f{i}" for i in range(40)])
    for div_value, widths in ((1.0, [16, 16]), (4.0, [4, 1])):  # readout / div_value**k for the k-th rarer cluster
        config = Seq2SeqConfig(len(src), len(tgt), emb=8, hidden=16, readout=16, cutoffs=(10, 25), div_value=div_value)
        Translator(Seq2Seq(config), src, tgt, "bahdanau", {}).save(tmp_path / str(div_value))
        loaded = load_translator(tmp_path / str(div_value)).model
        assert isinstance(loaded, Seq2Seq) and loaded.config.div_value == div_value
        assert loaded.decoder.out.adaptive is not None
        assert [cluster[0].out_features for cluster in loaded.decoder.out.adaptive.tail] == widths


def test_teacher_forced_shapes_and_attention_rows(translator):
    src = torch.tensor([[4, 5, 6, 2], [7, 8, 2, 0]])
    lengths = torch.tensor([4, 3])
    tgt_in = torch.tensor([[1, 4, 5, 6], [1, 8, 9, 0]])
    logits, attentions = translator.model(src, lengths, tgt_in)
    assert logits.shape == (2, 4, len(translator.tgt))
    if translator.model.config.attention:
        alpha = attentions["alignment"]
        assert alpha.shape == (2, 1, 1, 4, 4)
        torch.testing.assert_close(alpha.sum(-1), torch.ones(2, 1, 1, 4))
        assert torch.all(alpha[1, ..., 3] == 0)  # padding gets no attention
    else:
        assert attentions == {}


def test_context_vector_is_the_alpha_weighted_sum_of_encoder_states(vocabs):
    src_v, tgt_v = vocabs
    torch.manual_seed(1)
    model = Seq2Seq(Seq2SeqConfig(len(src_v), len(tgt_v), emb=8, hidden=16, attn_dim=8)).eval()
    tr = model.trace(torch.tensor([[4, 5, 2]]), torch.tensor([3]), torch.tensor([[1, 4, 5]]))
    manual = torch.einsum("ts,sd->td", tr.alpha[0], tr.states[0])  # Σ_i α(t, i) h_i
    torch.testing.assert_close(tr.contexts[0], manual, atol=1e-6, rtol=0)


def test_beam_width_one_is_greedy_decoding(translator):
    ids = [*translator.src.encode(["the", "green", "apple"]), translator.src.eos_id]
    tgt = translator.tgt
    batch = greedy_batch(
        translator.model,
        torch.tensor([ids]),
        torch.tensor([len(ids)]),
        sos_id=tgt.sos_id,
        eos_id=tgt.eos_id,
        pad_id=tgt.pad_id,
        max_len=12,
    )[0].tolist()
    one = beam_search(translator.model, ids, 1, sos_id=tgt.sos_id, eos_id=tgt.eos_id)
    assert len(one) == 1 and list(one[0].ids) == [t for t in batch if t != tgt.pad_id]


class Scripted(torch.nn.Module):
    """A 'model' whose next-word log-probabilities are a fixed table over (previous word): a known trap for greedy.

    Vocabulary: 0 pad, 1 <s>, 2 </s>, 3 "a", 4 "b". From <s>, greedy takes "a" (0.6) but then every word after
    "a" is less likely, while "b" (0.4) leads to a confident </s>: beam search must find <s> b </s>.
    """

    max_len = 6
    table: ClassVar[dict[int, list[float]]] = {
        1: [0, 0, 0.0, 0.6, 0.4],
        3: [0, 0, 0.5, 0.25, 0.25],
        4: [0, 0, 0.95, 0.025, 0.025],
    }

    def start(self, src, src_len):
        return None

    def step(self, state, y_prev):
        probs = torch.tensor([self.table[int(y)] for y in y_prev]) + 1e-9
        return probs.log(), state

    def reorder(self, state, index):
        return state


def test_beam_search_finds_what_greedy_misses_and_ranks_by_mean_log_probability():
    model = Scripted()
    g = greedy(model, [3], sos_id=1, eos_id=2)
    beams = beam_search(model, [3], 2, sos_id=1, eos_id=2)
    assert g.ids == (3,) and g.ended  # <s> a </s>: 0.6 × 0.5
    assert beams[0].ids == (4,) and beams[0].ended  # <s> b </s>: 0.4 × 0.95
    assert beams[0].score == pytest.approx((np.log(0.4) + np.log(0.95)) / 2, abs=1e-6)
    assert beams[0].score >= g.score
    assert [b.score for b in beams] == sorted((b.score for b in beams), reverse=True)


def test_wider_beams_never_score_below_greedy_on_a_random_model(translator):
    tgt = translator.tgt
    for words in (["the", "cat"], ["the", "green", "apple", "will", "fall", "."], ["cat", "sleeps"]):
        ids = [*translator.src.encode(words), translator.src.eos_id]
        g = greedy(translator.model, ids, sos_id=tgt.sos_id, eos_id=tgt.eos_id)
        for width in (2, 4, 8):
            assert beam_search(translator.model, ids, width, sos_id=tgt.sos_id, eos_id=tgt.eos_id)[0].score >= g.score


def test_translation_capture_and_unknown_words(translator):
    result = translate(translator, "The green applz will fall .", beam=2)
    assert result.source[-1] == "</s>" and result.source[2] == "applz"
    assert result.unknown == {"applz": ["apple"]}
    shown = tuple("<unk>" if t in result.copied else w for t, w in enumerate(result.output) if w != "</s>")
    assert result.hypotheses and result.hypotheses[0][0] == shown
    if translator.model.config.attention:
        cap = result.alignment
        assert cap.weights.shape == (1, 1, len(result.output), len(result.source))
        scores = result.arrays["scores"]
        assert scores.shape == (len(result.output), len(result.source))
        np.testing.assert_allclose(cap.weights[0, 0], np.exp(scores) / np.exp(scores).sum(-1, keepdims=True), atol=1e-5)
    else:
        assert result.alignment is None and "scores" not in result.arrays
    with pytest.raises(ValueError, match="no word"):
        translate(translator, "  ")
    with pytest.raises(ValueError, match="at most"):
        translate(translator, "cat " * 100)


def test_checkpoint_round_trip_and_bad_checkpoints(translator, tmp_path):
    folder = tmp_path / translator.name
    translator.save(folder)
    loaded = load_translator(folder)
    for k, v in translator.model.state_dict().items():
        torch.testing.assert_close(loaded.model.state_dict()[k], v)
    assert loaded.src.itos == translator.src.itos and loaded.family == "rnn"
    (folder / "model.safetensors").write_bytes(b"\x00" * 32)
    with pytest.raises(CheckpointError, match="unreadable"):
        load_translator(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(CheckpointError, match="missing"):
        load_translator(folder)


def test_a_checkpoint_missing_weights_is_refused_not_loaded_at_random(translator, tmp_path):
    from safetensors.torch import load_file, save_file

    folder = tmp_path / "partial"
    translator.save(folder)
    weights = load_file(folder / "model.safetensors")
    weights.pop(next(iter(weights)))
    save_file(weights, folder / "model.safetensors")
    with pytest.raises(CheckpointError, match="Missing key"):
        load_translator(folder)


def test_translate_command_writes_json_and_jsonl(translator, tmp_path, capsys):
    folder = tmp_path / "ckpt"
    translator.save(folder)
    out = tmp_path / "t.json"
    assert command.translate_main(["the cat sleeps .", "-o", str(out), "--model", str(folder), "--beam", "3"]) == 0
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["source_tokens"] == ["the", "cat", "sleeps", ".", "</s>"]
    assert ("alignment" in data["attention"]) == translator.model.config.attention
    assert command.translate_main(["", "-o", str(out), "--model", str(folder)]) == 2
    lines = tmp_path / "in.txt"
    lines.write_text("the cat sleeps .\n\nthe green apple\n", encoding="utf-8")
    out_lines = tmp_path / "out.jsonl"
    assert command.translate_main(["--input", str(lines), "-o", str(out_lines), "--model", str(folder)]) == 0
    rows = [json.loads(x) for x in out_lines.read_text(encoding="utf-8").splitlines()]
    assert [r.get("error") is None for r in rows] == [True, False, True]  # the empty line gets its error
    assert rows[2]["source_tokens"] == ["the", "green", "apple", ".", "</s>"]  # the full stop it lacked
    assert rows[2]["normalisation"] == ["added a final full stop"]


@pytest.mark.parametrize("div_value", [1.0, 2.0])
def test_the_output_layers_best_word_is_the_argmax_of_every_words_log_probability(div_value):
    from attention_explorer.models.core.output import OutputLayer

    torch.manual_seed(0)
    layer = OutputLayer(16, 60, (10, 30, 59), div_value).eval()  # the last cluster holds one word: its own
    x = torch.randn(2000, 16) * 3  # log-probability is its cluster's, the sharpest test of skipping a cluster
    with torch.inference_mode():
        ids, log_probs = layer.best(x)
        full = layer.log_probs(x)
    assert torch.equal(ids, full.argmax(-1))
    torch.testing.assert_close(log_probs, full.max(-1).values)
    assert {int(i >= 10) + int(i >= 30) + int(i >= 59) for i in ids} == {0, 1, 2, 3}  # every cluster wins somewhere


class FullScoresOnly:
    """A translator seen through `step` alone: every word scored, no shortcut."""

    def __init__(self, model):
        self.model, self.max_len = model, model.max_len

    def start(self, src, src_len):
        return self.model.start(src, src_len)

    def step(self, state, y_prev):
        return self.model.step(state, y_prev)


def test_greedy_decoding_with_the_shortcut_matches_scoring_every_word():
    torch.manual_seed(1)
    src, tgt = Vocab([f"e{i}" for i in range(30)]), Vocab([f"f{i}" for i in range(60)])
    config = Seq2SeqConfig(len(src), len(tgt), emb=8, hidden=16, readout=16, cutoffs=(10, 30), max_len=12)
    model = Seq2Seq(config).eval()
    sentences = [[4 + (k * 7 + j) % 20 for j in range(3 + k % 6)] + [src.eos_id] for k in range(20)]
    for ids in sentences:
        fast = greedy(model, ids, sos_id=tgt.sos_id, eos_id=tgt.eos_id)
        slow = greedy(FullScoresOnly(model), ids, sos_id=tgt.sos_id, eos_id=tgt.eos_id)
        assert fast.ids == slow.ids and fast.log_prob == pytest.approx(slow.log_prob, abs=1e-4)
    lengths = torch.tensor([len(s) for s in sentences])
    batch = torch.nn.utils.rnn.pad_sequence([torch.tensor(s) for s in sentences], batch_first=True)
    kwargs = {"sos_id": tgt.sos_id, "eos_id": tgt.eos_id, "pad_id": tgt.pad_id, "max_len": 12}
    assert torch.equal(
        greedy_batch(model, batch, lengths, **kwargs), greedy_batch(FullScoresOnly(model), batch, lengths, **kwargs)
    )


@pytest.mark.parametrize("name", ["bahdanau", "no_attention"])
@pytest.mark.parametrize("text", ["the cat of Alice sleeps on the big red chair .", "apple apple the will will green"])
def test_what_the_step_view_draws_comes_from_the_decoding_as_a_teacher_forced_pass_gives_it(monkeypatch, name, text):
    """Greedy decoding keeps each step's α, e and context, so translate() makes no second pass over its output;
    they are what the teacher-forced pass gives, step for step (the committed models: the second sentence is
    nonsense, whatever its output)."""
    translator = load_translator(WEIGHTS / name)
    monkeypatch.setattr(Seq2Seq, "trace", lambda *a, **k: pytest.fail("a second, teacher-forced pass"))
    result = translate(translator, text)
    monkeypatch.undo()
    assert len(result.output) > 4
    src, src_len, tgt_in = model_inputs(translator, result)
    with torch.inference_mode():
        trace = translator.model.trace(src, src_len, tgt_in, scores_out=False)
    np.testing.assert_allclose(result.arrays["states"], trace.states[0].numpy(), atol=1e-6)
    np.testing.assert_allclose(result.arrays["contexts"], trace.contexts[0].numpy(), atol=1e-5)
    if name == "bahdanau":
        assert trace.alpha is not None and trace.scores is not None
        np.testing.assert_allclose(result.arrays["scores"], trace.scores[0].numpy(), atol=1e-4)
        np.testing.assert_allclose(result.alignment.weights[0, 0], trace.alpha[0].numpy(), atol=1e-6)
    else:
        assert "scores" not in result.arrays and result.alignment is None
