"""The LoRA-fine-tuned MiniLM: labels, the committed adapter (merged = unmerged, small, accurate), a broken
adapter refused, its attention compared with the pretrained model's, and training end to end."""

import json
import shutil

import numpy as np
import pytest
import torch
from safetensors.torch import load_file, save_file

from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.core.text import split_words as tokenize
from attention_explorer.models.finetune.labels import LABELS, sentence_type
from attention_explorer.models.finetune.model import (
    CLASSIFIER_DIR,
    base_classifier,
    classify,
    compare,
    load_classifier,
)
from attention_explorer.models.pretrained import capture as pretrained
from attention_explorer.models.training.corpus import generate
from attention_explorer.models.training.train_classifier import TYPED
from attention_explorer.models.training.train_classifier import main as train_main


@pytest.mark.parametrize(
    "text, label",
    [
        ("the cat slept .", "statement"),
        ("the cat did not sleep .", "negated statement"),
        ("I don't know", "negated statement"),
        ("did the cat sleep ?", "question"),
        ("didn't the cat sleep ?", "question"),  # a question first
        ("the knot is tight", "statement"),  # "not" inside a word is not a negation
    ],
)
def test_sentence_type_by_hand(text, label):
    assert sentence_type(tokenize(text)) == label


@pytest.fixture(scope="module")
def classifier():
    return load_classifier()


def test_the_adapter_is_small_and_the_merged_model_is_the_adapted_one(classifier):
    from peft import PeftModel

    files = {f.name: f.stat().st_size for f in CLASSIFIER_DIR.iterdir()}
    assert {"adapter_config.json", "adapter_model.safetensors", "task.json", "metrics.json"} <= set(files)
    assert files["adapter_model.safetensors"] < 1_000_000  # the adapter, not a copy of the 90 MB model
    config = json.loads((CLASSIFIER_DIR / "adapter_config.json").read_text(encoding="utf-8"))
    assert "/" not in config["base_model_name_or_path"]  # no path of the machine that trained it
    # the unmerged peft model, built independently, gives the same logits as the merged one
    peft_model = PeftModel.from_pretrained(base_classifier(len(LABELS)), str(CLASSIFIER_DIR)).eval()
    enc = classifier.tokenizer(["Did the old king sell the castle", "the dog did not bark ."], return_tensors="pt",
                               padding=True)  # fmt: skip
    with torch.inference_mode():
        expected = torch.softmax(peft_model(**enc).logits, -1).numpy()
    for i, text in enumerate(["Did the old king sell the castle", "the dog did not bark ."]):
        np.testing.assert_allclose(classify(classifier, text).probabilities, expected[i], atol=1e-5)


def test_the_fine_tuned_model_classifies_typed_sentences(classifier):
    typed = [(text, label) for label, texts in TYPED.items() for text in texts]
    correct = sum(classify(classifier, text).label == label for text, label in typed)
    assert correct / len(typed) >= 0.8
    metrics = classifier.metrics
    assert metrics["test"]["accuracy"] > 0.9 and metrics["command"] == "attention-explorer train classifier"


def test_the_fine_tuned_model_labels_fresh_sentences_without_their_punctuation(classifier):
    """Sentences of a seed the adapter never saw, final "." or "?" removed: a question told by word order alone."""
    fresh = [p.en for p in generate(90, seed=12345)]
    by_label: dict[str, list[bool]] = {label: [] for label in LABELS}
    for words in fresh:
        label = sentence_type(words)
        text = " ".join(words[:-1] if words[-1] in (".", "?") else words)
        by_label[label].append(classify(classifier, text).label == label)
    assert all(by_label.values()), {k: len(v) for k, v in by_label.items()}  # every label drawn at least once
    for label, hits in by_label.items():
        assert sum(hits) / len(hits) >= 0.9, (label, sum(hits), len(hits))


def test_attention_is_compared_head_by_head_with_the_pretrained_model(classifier, bundled):
    text = "Did the old king sell the castle"
    result = compare(pretrained.capture(bundled, text), classify(classifier, text))
    assert result.divergence.shape == (6, 12)
    assert (result.divergence >= 0).all() and (result.divergence <= np.log(2)).all()
    assert result.divergence.max() > 1e-3  # LoRA changed the queries, so some attention moved
    top = result.most_changed(3)
    assert [d for *_, d in top] == sorted((d for *_, d in top), reverse=True)
    assert top[0][2] == pytest.approx(result.divergence.max())
    with pytest.raises(ValueError, match="different tokens"):
        compare(pretrained.capture(bundled, "another sentence"), classify(classifier, text))


def test_a_broken_adapter_is_refused_with_the_command_that_fixes_it(tmp_path):
    folder = tmp_path / "classifier"
    shutil.copytree(CLASSIFIER_DIR, folder)
    state = load_file(folder / "adapter_model.safetensors")
    save_file({k: v for k, v in state.items() if "classifier" not in k}, folder / "adapter_model.safetensors")
    with pytest.raises(CheckpointError, match="attention-explorer train classifier"):
        load_classifier(folder)
    (folder / "task.json").unlink()
    with pytest.raises(CheckpointError, match=r"lacks task\.json") as info:
        load_classifier(folder)
    assert str(tmp_path) not in str(info.value)


def test_train_classifier_writes_an_adapter_the_app_loads(tmp_path, bundled):
    args = ["classifier", "--size", "200", "--per-label", "4", "--epochs", "1", "--out", str(tmp_path)]
    assert train_main(args, log=lambda m: None) == 0
    folder = tmp_path / "classifier"
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["labels"] == list(LABELS) and metrics["train_sentences"] == 12
    assert {"test", "test_without_final_punctuation", "typed_by_hand"} <= set(metrics)
    assert {"peft", "transformers", "torch"} <= set(metrics["versions"])
    assert not (folder / "README.md").exists()
    assert (folder / "adapter_model.safetensors").stat().st_size < 1_000_000  # the updates, not the base model
    # LoRA's B starts at 0: attention that differs from the base model's shows the trained updates were loaded
    text = "did the cat sleep ?"
    result = compare(pretrained.capture(bundled, text), classify(load_classifier(folder), text))
    assert result.divergence.max() > 1e-6


def test_an_adapter_of_another_shape_is_refused(tmp_path):
    folder = tmp_path / "classifier"
    shutil.copytree(CLASSIFIER_DIR, folder)
    state = load_file(folder / "adapter_model.safetensors")
    save_file(
        {k: torch.cat([v, v]) if "lora_A" in k else v for k, v in state.items()}, folder / "adapter_model.safetensors"
    )
    with pytest.raises(CheckpointError, match="does not fit"):
        load_classifier(folder)
