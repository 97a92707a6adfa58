"""The training command runs end to end on a tiny corpus: losses fall, checkpoints and metrics are written."""

import re

from attention_explorer.models.training import train
from attention_explorer.models.translation.translator import load_test_sentences, load_translator


def epoch_losses(output: list[str]) -> list[float]:
    return [float(x) for line in output for x in re.findall(r"epoch \d+/\d+: loss ([0-9.]+)", line)]


def test_train_seq2seq_writes_both_checkpoints(tmp_path):
    log: list[str] = []
    assert train.main(["seq2seq", "--size", "200", "--epochs", "3", "--out", str(tmp_path)], log=log.append) == 0
    losses = epoch_losses(log)
    assert len(losses) == 6 and losses[2] < losses[0] and losses[5] < losses[3]  # both models learn
    test = load_test_sentences(tmp_path / "test_sentences.jsonl")
    assert test
    for name in ("bahdanau", "no_attention"):
        tr = load_translator(tmp_path / name)
        assert tr.model.config.attention == (name == "bahdanau")
        by_length = tr.metrics["test"]["by_length"]
        assert by_length and set(by_length) <= {"1-10", "11-20", "21-30", "31+"}
        assert (
            sum(b["sentences"] for b in by_length.values()) == tr.metrics["test"]["overall"]["sentences"] == len(test)
        )
        assert tr.metrics["command"] == f"attention-explorer train seq2seq --size 200 --epochs 3 --out {tmp_path}"
        assert tr.metrics["seed"] == 0 and tr.metrics["versions"]["torch"]
        assert re.fullmatch(r"[0-9a-f]{40}|unknown", tr.metrics["git_commit"])
    assert "alignment_accuracy" in load_translator(tmp_path / "bahdanau").metrics["test"]["overall"]
    assert "alignment_accuracy" not in load_translator(tmp_path / "no_attention").metrics["test"]["overall"]


def test_train_transformer_writes_its_checkpoint(tmp_path):
    log: list[str] = []
    assert train.main(["transformer", "--size", "200", "--epochs", "3", "--out", str(tmp_path)], log=log.append) == 0
    losses = epoch_losses(log)
    assert len(losses) == 3 and losses[-1] < losses[0]
    tr = load_translator(tmp_path / "transformer")
    by_head = tr.metrics["test"]["overall"]["alignment_accuracy_by_head"]
    assert len(by_head) == tr.model.config.layers and len(by_head[0]) == tr.model.config.heads
    layer, head = tr.metrics["test"]["best_alignment_head"]
    assert by_head[layer][head] == max(max(row) for row in by_head)
