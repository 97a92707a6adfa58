"""The GPT trained here: its tokenizer reads text as the translators do, the committed model is a working
decoder that the generic loader reads, its recorded figures hold on fresh sentences, and training runs end to end."""

import json
import math

import numpy as np
import pytest
import torch

from attention_explorer.models.core.analysis import previous_token_weight
from attention_explorer.models.core.text import tokenize_en as tokenize
from attention_explorer.models.gpt.model import GPT_DIR, build_tokenizer, load_gpt, read_metrics
from attention_explorer.models.pretrained import capture, scores
from attention_explorer.models.pretrained.loading import Family, ModelLoadError, default_display
from attention_explorer.models.training.corpus import generate
from attention_explorer.models.training.train_gpt import main as train_main


@pytest.fixture(scope="module")
def gpt():
    return load_gpt()


@pytest.fixture(scope="module")
def fresh():
    """Sentences drawn with a seed the model was not trained with."""
    return [p.en for p in generate(80, seed=12345)]


@pytest.mark.parametrize(
    "text",
    [
        "The cat sat.",
        "Don’t stop, l'homme!",
        "  WILL   the kings   sleep ? ",
        "a-b c_d 3 cats",
        "é è ç",
        "the cat's well-known toy cost 1,000 euros",
    ],
)
def test_the_tokenizer_splits_text_as_the_corpus_english_is_split(text):
    words = tokenize(text)
    tok = build_tokenizer(words)
    ids = tok(text)["input_ids"]
    assert tok.convert_ids_to_tokens(ids) == ["<s>", *words]


def test_unknown_words_become_unk_and_are_listed(gpt):
    ids = gpt.tokenizer("the zorblat sat")["input_ids"]
    assert gpt.tokenizer.convert_ids_to_tokens(ids)[2] == "<unk>"
    assert capture.unknown_words(gpt, "the zorblat and the Zorblat") == ["zorblat", "Zorblat"]


def test_the_committed_gpt_is_a_decoder_the_generic_loader_reads(gpt):
    assert gpt.family is Family.DECODER and type(gpt.model).__name__ == "GPT2LMHeadModel"
    assert (gpt.num_layers, gpt.num_heads) == (2, 4)
    size = sum(f.stat().st_size for f in GPT_DIR.iterdir())
    assert size < 5_000_000  # a few MB, committed
    run = capture.run(gpt, "the old king will", 5)
    assert run.prompt_length == 5 and 1 <= len(run.steps) <= 5
    s = scores.head_scores(gpt, run, "decoder", 1, 2, run.prompt_length)
    np.testing.assert_allclose(s.breakdown.weights, s.captured, atol=1e-5)


def sentence_ids(gpt, words):
    return [*gpt.tokenizer(" ".join(words))["input_ids"], gpt.tokenizer.eos_token_id]


def test_recorded_perplexity_and_previous_token_scores_hold_on_fresh_sentences(gpt, fresh):
    metrics = read_metrics()
    total, count, prev = 0.0, 0, []
    with torch.inference_mode():
        for words in fresh:
            ids = torch.tensor([sentence_ids(gpt, words)])
            out = gpt.model(input_ids=ids, output_attentions=True)
            logp = torch.log_softmax(out.logits[0, :-1], -1)
            total -= float(logp[torch.arange(ids.shape[1] - 1), ids[0, 1:]].sum())
            count += ids.shape[1] - 1
            prev.append(previous_token_weight(torch.cat(list(out.attentions)).numpy()))
    ppl = math.exp(total / count)
    assert ppl < 1.5 * metrics["test"]["perplexity"]
    assert ppl < 0.1 * len(gpt.tokenizer)  # far better than guessing among the vocabulary
    # each head's weight on the previous token, as recorded, within 0.07 on sentences it never saw
    measured = np.mean(prev, axis=0)
    recorded = np.array(metrics["previous_token"]["score_by_head"])
    np.testing.assert_allclose(measured, recorded, atol=0.07)
    listed = {tuple(h) for h in metrics["previous_token"]["heads"]}
    assert listed == {(int(a), int(b)) for a, b in zip(*np.nonzero(recorded > 0.5), strict=True)}
    assert metrics["command"] == "attention-explorer train gpt" and metrics["seed"] == 0


def test_a_missing_gpt_names_the_command_that_makes_it(tmp_path):
    with pytest.raises(ModelLoadError, match="attention-explorer train gpt"):
        load_gpt(tmp_path / "gpt")
    assert default_display(GPT_DIR) == "models/weights/gpt"  # messages never show where the app is installed


def test_train_gpt_writes_a_directory_the_app_loads(tmp_path):
    assert train_main(["gpt", "--size", "60", "--epochs", "1", "--out", str(tmp_path)], log=lambda m: None) == 0
    folder = tmp_path / "gpt"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["command"] == "attention-explorer train gpt --size 60 --epochs 1"  # --out changes nothing
    assert {"perplexity", "sentences"} <= set(metrics["test"]) and np.shape(
        metrics["previous_token"]["score_by_head"]
    ) == (2, 4)
    assert {"torch", "transformers", "tokenizers"} <= set(metrics["versions"]) and metrics["examples"]
    bundle = load_gpt(folder)
    assert bundle.family is Family.DECODER and capture.run(bundle, "the cat", 2).steps
