"""The committed checkpoints load and translate held-out sentences they never trained on."""

import json

import numpy as np
import pytest

from models import transformer_capture, translate
from models.seq2seq import EOS, WEIGHTS, load_translator
from models.transformer import load_transformer


@pytest.fixture(scope="module")
def held_out():
    with (WEIGHTS / "test_sentences.jsonl").open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    return rows[::15]  # 100 sentences spread over the test split, short and long


def test_bahdanau_translates_held_out_sentences(held_out):
    tr = load_translator(WEIGHTS / "bahdanau")
    results = [translate.translate(tr, " ".join(r["en"])) for r in held_out]
    exact = np.mean([list(res.output) == [*r["fr"], EOS] for res, r in zip(results, held_out, strict=True)])
    assert exact >= 0.9, exact
    # where the output is the reference, α puts almost every French content word on its English word
    pairs = [
        (res.capture.head(0, 0).argmax(-1), r["align"])
        for res, r in zip(results, held_out, strict=True)
        if list(res.output[:-1]) == r["fr"]
    ]
    hits = sum(int(best[j] == i) for best, align in pairs for i, j in align)
    assert hits / sum(len(align) for _, align in pairs) >= 0.95


def test_no_attention_model_loads_and_fails_long_sentences_more(held_out):
    tr = load_translator(WEIGHTS / "no_attention")
    ok = {"short": [], "long": []}
    for r in held_out:
        out = translate.translate(tr, " ".join(r["en"])).output
        ok["short" if len(r["en"]) <= 10 else "long"].append(list(out) == [*r["fr"], EOS])
    assert np.mean(ok["short"]) > np.mean(ok["long"])


def test_transformer_translates_held_out_sentences_with_a_causal_decoder(held_out):
    tr = load_transformer()
    results = [transformer_capture.translate(tr, " ".join(r["en"])) for r in held_out]
    exact = np.mean([list(res.output) == [*r["fr"], EOS] for res, r in zip(results, held_out, strict=True)])
    assert exact >= 0.95, exact
    assert all(np.triu(res.decoder.weights, k=1).max() == 0 for res in results)


@pytest.mark.parametrize("name", ["bahdanau", "no_attention", "transformer"])
def test_metrics_are_stored_beside_each_checkpoint(name):
    metrics = json.loads((WEIGHTS / name / "metrics.json").read_text(encoding="utf-8"))
    overall = metrics["test"]["overall"]
    assert {"exact_match", "bleu", "sentences"} <= set(overall)
    assert set(metrics["test"]["by_length"]) == {"1-10", "11-20", "21-30", "31+"}
    assert (WEIGHTS / name / "model.safetensors").stat().st_size < 8 * 2**20  # a few MB
