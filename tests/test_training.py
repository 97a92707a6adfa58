"""The training commands run end to end on a tiny corpus: losses fall, checkpoints and metrics are written."""

import re

from models import train_seq2seq, train_transformer
from models.seq2seq import load_translator
from models.transformer import load_transformer


def epoch_losses(output: str) -> list[float]:
    return [float(x) for x in re.findall(r"epoch \d+/\d+: loss ([0-9.]+)", output)]


def test_train_seq2seq_writes_both_checkpoints(tmp_path, capsys):
    train_seq2seq.main(["--size", "200", "--epochs", "3", "--out", str(tmp_path)])
    losses = epoch_losses(capsys.readouterr().out)
    assert len(losses) == 6 and losses[2] < losses[0] and losses[5] < losses[3]  # both models learn
    for name in ("bahdanau", "no_attention"):
        tr = load_translator(tmp_path / name)
        assert tr.model.config.attention == (name == "bahdanau")
        assert set(tr.metrics["test"]["by_length"]) <= {"1-10", "11-20", "21-30", "31+"}
    assert "alignment_accuracy" in load_translator(tmp_path / "bahdanau").metrics["test"]["overall"]
    assert (tmp_path / "test_sentences.jsonl").read_text(encoding="utf-8").count("\n") > 0


def test_train_transformer_writes_its_checkpoint(tmp_path, capsys):
    train_transformer.main(["--size", "200", "--epochs", "3", "--out", str(tmp_path / "transformer")])
    losses = epoch_losses(capsys.readouterr().out)
    assert len(losses) == 3 and losses[-1] < losses[0]
    tr = load_transformer(tmp_path / "transformer")
    by_head = tr.metrics["test"]["overall"]["alignment_accuracy_by_head"]
    assert len(by_head) == tr.model.config.layers and len(by_head[0]) == tr.model.config.heads
