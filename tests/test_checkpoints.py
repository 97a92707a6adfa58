"""The committed checkpoints load, translate held-out sentences they never trained on, and match their metrics."""

import json

import numpy as np
import pytest

from attention_explorer.models.training.corpus import held_out
from attention_explorer.models.transformer.model import causality_check
from attention_explorer.models.translation.alignment import alignment_hits, gold_pairs
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    load_test_sentences,
    load_translator,
    model_inputs,
    translate,
)

SAMPLE = 100  # sentences spread over each test file, short and long


def spread(rows: list[dict], n: int = SAMPLE) -> list[dict]:
    ordered = sorted(rows, key=lambda r: len(r["en"]))
    return [ordered[int(k * len(ordered) / n)] for k in range(n)]


@pytest.fixture(scope="module")
def held_out_split():
    return spread(list(load_test_sentences().values()))


@pytest.fixture(scope="module")
def combinations():
    return spread(list(load_test_sentences(WEIGHTS / "test_combinations.jsonl").values()))


def exact(results, rows):
    return float(np.mean([gold_pairs(res.output, r) is not None for res, r in zip(results, rows, strict=True)]))


def floor(metrics: dict, key: str) -> float:
    """The reported exact match less a margin for a 100-sentence sample (about two standard errors)."""
    p = metrics[key]["overall"]["exact_match"]
    return p - 2 * np.sqrt(p * (1 - p) / SAMPLE) - 0.02


@pytest.mark.parametrize("name", ["bahdanau", "transformer"])
def test_translates_held_out_sentences_and_combinations_as_reported(name, held_out_split, combinations):
    tr = load_translator(WEIGHTS / name)
    results = [translate(tr, " ".join(r["en"])) for r in held_out_split]
    assert exact(results, held_out_split) >= floor(tr.metrics, "test")
    combo_results = [translate(tr, " ".join(r["en"])) for r in combinations]
    assert exact(combo_results, combinations) >= floor(tr.metrics, "test_combinations")
    # where the output is the reference, attention puts almost every French word on its gold English word
    head = tuple(tr.metrics["test"].get("best_alignment_head", (0, 0)))
    scored = [
        (res.alignment.head(*head), gold_pairs(res.output, r)) for res, r in zip(results, held_out_split, strict=True)
    ]
    scored = [(w, pairs) for w, pairs in scored if pairs]
    hits = sum(alignment_hits(w, pairs) for w, pairs in scored)
    reported = tr.metrics["test"]["overall"]["alignment_accuracy"]  # over the whole split; a sample varies
    assert hits / sum(len(pairs) for _, pairs in scored) >= reported - 0.05


def test_no_attention_model_fails_long_sentences_more(held_out_split):
    """Bahdanau et al.'s Fig. 2: the fixed context vector loses long sentences; attention keeps them."""
    import sacrebleu

    def chrf_by_length(name: str) -> dict[str, float]:
        tr = load_translator(WEIGHTS / name)
        scores: dict[str, list[float]] = {"short": [], "long": []}
        for r in held_out_split:
            result = translate(tr, " ".join(r["en"]))
            score = sacrebleu.sentence_chrf(" ".join(result.output[:-1]), [" ".join(r["fr"])]).score
            scores["short" if len(r["en"]) <= 10 else "long"].append(score)
        return {k: float(np.mean(v)) for k, v in scores.items()}

    fixed, attention = chrf_by_length("no_attention"), chrf_by_length("bahdanau")
    assert fixed["short"] > fixed["long"] + 10  # chrF falls with length without attention
    assert attention["long"] > fixed["long"] + 30  # and attention keeps the long ones


def test_transformer_decoder_reads_only_the_past(held_out_split):
    tr = load_translator(WEIGHTS / "transformer")
    for row in held_out_split[::10]:
        result = translate(tr, " ".join(row["en"]))
        assert causality_check(tr.model, *model_inputs(tr, result)) < 1e-4


def test_the_combination_test_set_is_made_of_held_out_combinations_only():
    rows = load_test_sentences(WEIGHTS / "test_combinations.jsonl").values()
    assert len(rows) >= 600
    assert all(held_out(set(r["features"])) for r in rows)
    assert not any(held_out(set(r.get("features", []))) for r in load_test_sentences().values())


@pytest.mark.parametrize("name", ["bahdanau", "no_attention", "transformer"])
def test_metrics_are_stored_beside_each_checkpoint(name):
    metrics = json.loads((WEIGHTS / name / "metrics.json").read_text(encoding="utf-8"))
    for key in ("test", "test_combinations", "test_handwritten"):
        overall = metrics[key]["overall"]
        assert {"exact_match", "bleu", "chrf", "sentences", "unknown_share"} <= set(overall)
        assert set(metrics[key]["by_length"]) <= {"1-10", "11-20", "21-30", "31+"}
    assert set(metrics["test"]["by_length"]) == {"1-10", "11-20", "21-30", "31+"}
    assert metrics["command"].startswith("attention-explorer train ") and metrics["seed"] == 0
    assert len(metrics["frequent_words_unknown"]) <= 9  # README names the 9 the corpus does not have yet
    assert (WEIGHTS / name / "model.safetensors").stat().st_size < 40 * 2**20  # a few MB to a few tens of MB


@pytest.mark.parametrize("name", ["bahdanau", "transformer"])
def test_the_evaluate_command_counts_every_gold_pair_as_training_does(name, combinations, tmp_path, capsys):
    """`attention-explorer evaluate` reads alignment on the reference for every sentence, the ones the model got
    wrong too, so its figure is training's (metrics.json), not one raised by scoring only the easy sentences."""
    from attention_explorer.models.translation import command, scoring

    rows = combinations[::2]
    path = tmp_path / "pairs.jsonl"
    path.write_text("".join(json.dumps({"en": r["en"], "fr": r["fr"], "align": r["align"]}) + "\n" for r in rows))
    tr = load_translator(WEIGHTS / name)
    scored = scoring.score_translator(tr, scoring.read_pairs(path))
    assert any(s.output != s.reference for s in scored)  # the sample holds misses, which count too
    assert [s.aligned[1] if s.aligned else None for s in scored] == [len(r["align"]) for r in rows]
    figure = scoring.figures(scored)["alignment_accuracy"]
    assert abs(figure - tr.metrics["test_combinations"]["overall"]["alignment_accuracy"]) < 0.04  # a 50-row sample
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"en": "the cat sleeps .", "fr": "le chat dort .", "align": [[0, 0], [9, 1]]}) + "\n")
    assert command.evaluate_main([str(bad), "--model", name]) == 2
    assert "gold pair (9, 1) is outside its 4 English and 4 French tokens" in capsys.readouterr().err
    long = " ".join(["la"] * 70)
    bad.write_text(json.dumps({"en": "the cat sleeps .", "fr": long, "align": [[0, 0]]}) + "\n")
    assert command.evaluate_main([str(bad), "--model", name]) == 2
    assert "its French reference has 70 tokens" in capsys.readouterr().err
