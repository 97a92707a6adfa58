"""The training command runs end to end on a tiny corpus: losses fall, checkpoints and metrics are written."""

import re

import pytest
import torch

from attention_explorer.models.training import corpus, train
from attention_explorer.models.translation.translator import load_test_sentences, load_translator


def epoch_losses(output: list[str]) -> list[float]:
    return [float(x) for line in output for x in re.findall(r"epoch \d+/\d+: loss ([0-9.]+)", line)]


def test_train_seq2seq_writes_both_checkpoints(tmp_path):
    log: list[str] = []
    args = ["seq2seq", "--size", "300", "--epochs", "3", "--out", str(tmp_path), "--corpus", str(tmp_path / "c.jsonl")]
    assert train.main(args, log=log.append) == 0
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
        assert tr.metrics["command"] == "attention-explorer train " + " ".join(args)
        assert tr.metrics["seed"] == 0 and tr.metrics["versions"]["torch"]
        assert re.fullmatch(r"[0-9a-f]{40}|unknown", tr.metrics["git_commit"])
    metrics = load_translator(tmp_path / "bahdanau").metrics
    assert "alignment_accuracy" in metrics["test"]["overall"]
    assert "alignment_accuracy" not in load_translator(tmp_path / "no_attention").metrics["test"]["overall"]
    # the three test sets, each by length; the held-out combinations scored one by one
    assert {"chrf", "bleu", "exact_match", "unknown_share"} <= set(metrics["test_handwritten"]["overall"])
    assert metrics["test_handwritten"]["overall"]["sentences"] == 150
    assert set(metrics["test_combinations"]["by_group"]) <= {c.name for c in corpus.HELD_OUT}
    assert isinstance(metrics["frequent_words_unknown"], list)
    combos = load_test_sentences(tmp_path / "test_combinations.jsonl").values()
    assert combos and all(corpus.held_out(set(r["features"])) for r in combos)
    assert metrics["versions"]["pyrealb"]


def test_train_transformer_writes_its_checkpoint(tmp_path):
    log: list[str] = []
    args = [
        "transformer",
        "--size",
        "300",
        "--epochs",
        "3",
        "--out",
        str(tmp_path),
        "--corpus",
        str(tmp_path / "c.jsonl"),
    ]
    assert train.main(args, log=log.append) == 0
    losses = epoch_losses(log)
    assert len(losses) == 3 and losses[-1] < losses[0]
    tr = load_translator(tmp_path / "transformer")
    by_head = tr.metrics["test"]["overall"]["alignment_accuracy_by_head"]
    assert len(by_head) == tr.model.config.layers and len(by_head[0]) == tr.model.config.heads
    layer, head = tr.metrics["test"]["best_alignment_head"]
    assert by_head[layer][head] == max(max(row) for row in by_head)


def test_only_trains_the_gru_model_it_names(tmp_path):
    args = ["seq2seq", "--only", "no_attention", "--size", "300", "--epochs", "1", "--out", str(tmp_path)]
    assert train.main([*args, "--corpus", str(tmp_path / "c.jsonl")], log=lambda m: None) == 0
    assert load_translator(tmp_path / "no_attention").model.config.attention is False
    assert not (tmp_path / "bahdanau").exists()


def test_asking_for_a_gpu_where_there_is_none_says_so(tmp_path, capsys):
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(SystemExit):
        train.main(["transformer", "--device", "cuda", "--size", "300", "--out", str(tmp_path)], log=lambda m: None)
    assert "no GPU" in capsys.readouterr().err
    assert not (tmp_path / "transformer").exists()
