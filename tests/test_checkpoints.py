"""The committed checkpoints load and translate held-out sentences they never trained on."""

import json

import numpy as np
import pytest

from attention_explorer.models.transformer.model import causality_check
from attention_explorer.models.translation.alignment import alignment_hits, gold_pairs
from attention_explorer.models.translation.translator import (
    WEIGHTS,
    load_test_sentences,
    load_translator,
    model_inputs,
    translate,
)


@pytest.fixture(scope="module")
def held_out():
    rows = list(load_test_sentences().values())
    return rows[::15]  # 100 sentences spread over the test split, short and long


def exact(results, rows):
    return np.mean([gold_pairs(res.output, r) is not None for res, r in zip(results, rows, strict=True)])


def test_bahdanau_translates_held_out_sentences(held_out):
    tr = load_translator(WEIGHTS / "bahdanau")
    results = [translate(tr, " ".join(r["en"])) for r in held_out]
    assert exact(results, held_out) >= 0.9
    # where the output is the reference, α puts almost every French content word on its English word
    scored = [(res.alignment.head(0, 0), gold_pairs(res.output, r)) for res, r in zip(results, held_out, strict=True)]
    scored = [(w, pairs) for w, pairs in scored if pairs]
    hits = sum(alignment_hits(w, pairs) for w, pairs in scored)
    assert hits / sum(len(pairs) for _, pairs in scored) >= 0.95


def test_no_attention_model_loads_and_fails_long_sentences_more(held_out):
    tr = load_translator(WEIGHTS / "no_attention")
    ok = {"short": [], "long": []}
    for r in held_out:
        result = translate(tr, " ".join(r["en"]))
        ok["short" if len(r["en"]) <= 10 else "long"].append(gold_pairs(result.output, r) is not None)
    assert np.mean(ok["short"]) > np.mean(ok["long"])


def test_transformer_translates_held_out_sentences_and_its_decoder_reads_only_the_past(held_out):
    tr = load_translator(WEIGHTS / "transformer")
    results = [translate(tr, " ".join(r["en"])) for r in held_out]
    assert exact(results, held_out) >= 0.95
    for result in results[:10]:
        assert causality_check(tr.model, *model_inputs(tr, result)) < 1e-4


@pytest.mark.parametrize("name", ["bahdanau", "no_attention", "transformer"])
def test_metrics_are_stored_beside_each_checkpoint(name):
    metrics = json.loads((WEIGHTS / name / "metrics.json").read_text(encoding="utf-8"))
    overall = metrics["test"]["overall"]
    assert {"exact_match", "bleu", "sentences"} <= set(overall)
    assert set(metrics["test"]["by_length"]) == {"1-10", "11-20", "21-30", "31+"}
    assert (WEIGHTS / name / "model.safetensors").stat().st_size < 8 * 2**20  # a few MB
