"""The fine-tuned classifier: the bundled MiniLM with the committed LoRA adapter and classification head.

models/weights/classifier holds adapter_config.json and adapter_model.safetensors (peft: the low-rank
query/value updates and the trained classification head), task.json (the labels) and metrics.json. The base
model is always the bundled all-MiniLM-L6-v2, so the adapter stays a few hundred kB. Loading only loads;
training is `attention-explorer train classifier`.
"""

from __future__ import annotations

import json
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from safetensors.torch import load_file
from transformers import AutoModelForSequenceClassification, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from attention_explorer.models.core.analysis import head_divergence
from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.checkpoint import CheckpointError
from attention_explorer.models.pretrained.loading import MAX_CHARS, default_model_dir

CLASSIFIER_DIR = Path(__file__).resolve().parent.parent / "weights" / "classifier"
RETRAIN = "attention-explorer train classifier"
NAME = "MiniLM + LoRA (sentence type)"
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "task.json")
HEAD = ("classifier.weight", "classifier.bias")  # the new layer the adapter file must provide


@dataclass(frozen=True, eq=False)
class ClassifierBundle:
    """The fine-tuned model (LoRA merged into the base weights), its tokenizer and labels. Read-only after load."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    labels: tuple[str, ...]
    metrics: dict[str, Any]
    name: str = NAME


@dataclass(frozen=True, eq=False)
class Classification:
    """One sentence through the fine-tuned model: its attention and the probability of each label."""

    capture: AttentionCapture
    labels: tuple[str, ...]
    probabilities: np.ndarray  # (label,)

    @property
    def label(self) -> str:
        return self.labels[int(self.probabilities.argmax())]

    @property
    def probability(self) -> float:
        return float(self.probabilities.max())


def base_classifier(num_labels: int) -> PreTrainedModel:
    """The bundled MiniLM with a new (untrained) classification head, eager attention.

    Every pretrained weight must load; only the head may be missing (it comes from training or the adapter).
    The missing head is checked here, so transformers' report of it stays out of the server's log.
    """
    from transformers.utils import logging as hf_logging

    verbosity = hf_logging.get_verbosity()
    hf_logging.set_verbosity_error()
    try:
        model, info = AutoModelForSequenceClassification.from_pretrained(
            default_model_dir(),
            num_labels=num_labels,
            local_files_only=True,
            use_safetensors=True,
            attn_implementation="eager",
            output_loading_info=True,
        )
    finally:
        hf_logging.set_verbosity(verbosity)
    missing = set(info["missing_keys"]) - set(HEAD)
    if missing or info["unexpected_keys"]:
        raise CheckpointError(f"The bundled MiniLM did not load whole: {sorted(missing or info['unexpected_keys'])}")
    return model


def load_classifier(folder: Path = CLASSIFIER_DIR) -> ClassifierBundle:
    """Base model + committed adapter, merged. CheckpointError (naming the fix) if a file is missing or broken."""
    from peft import LoraConfig, PeftModel, set_peft_model_state_dict

    where = f"models/weights/{folder.name}"
    missing_files = [name for name in ADAPTER_FILES if not (folder / name).is_file()]
    if missing_files:
        raise CheckpointError(f"{where} lacks {', '.join(missing_files)}. Retrain with: {RETRAIN}")
    try:
        task = json.loads((folder / "task.json").read_text(encoding="utf-8"))
        labels = tuple(str(label) for label in task["labels"])
        config = LoraConfig.from_pretrained(str(folder))
        state = load_file(folder / "adapter_model.safetensors")
    except (OSError, ValueError, KeyError, TypeError, SafetensorError) as exc:
        raise CheckpointError(f"{where} is unreadable ({exc}). Retrain with: {RETRAIN}") from exc
    base = base_classifier(len(labels))
    with warnings.catch_warnings():  # peft calls a transformers method deprecated for v6: noise in the server's log
        warnings.filterwarnings("ignore", message=".*is_gradient_checkpointing", category=FutureWarning)
        model = PeftModel(base, config)
    try:
        result: Any = set_peft_model_state_dict(model, state)
    except (KeyError, RuntimeError, ValueError) as exc:  # a tensor missing, or of another shape
        raise CheckpointError(
            f"{where}/adapter_model.safetensors does not fit ({exc}). Retrain with: {RETRAIN}"
        ) from exc
    wanted = [k for k in result.missing_keys if "lora_" in k or "modules_to_save" in k]
    if result.unexpected_keys or wanted or not all(any(k.endswith(h) for k in state) for h in HEAD):
        odd = sorted(result.unexpected_keys) or wanted or ["the classification head"]
        raise CheckpointError(f"{where}/adapter_model.safetensors does not fit ({odd[:3]}). Retrain with: {RETRAIN}")
    merged = model.merge_and_unload()
    merged.eval()
    tokenizer = AutoTokenizer.from_pretrained(default_model_dir(), local_files_only=True)
    try:
        metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        metrics = {}
    return ClassifierBundle(merged, tokenizer, labels, metrics)


def classify(bundle: ClassifierBundle, text: str) -> Classification:
    """The fine-tuned model's attention for `text` (cut to 512 tokens, as the pretrained page cuts it) and its label."""
    text = text[:MAX_CHARS]
    full = bundle.tokenizer(text, truncation=False, verbose=False)["input_ids"]
    enc = bundle.tokenizer(text, return_tensors="pt", truncation=True, max_length=bundle.tokenizer.model_max_length)
    ids = enc["input_ids"]
    with torch.inference_mode():
        out = bundle.model(input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True)
    n_layers = bundle.model.config.num_hidden_layers
    if out.attentions is None or len(out.attentions) != n_layers:
        raise ValueError(f"The classifier returned no attention weights for its {n_layers} layers.")
    tokens = tuple(bundle.tokenizer.convert_ids_to_tokens(ids[0].tolist()))
    capture = AttentionCapture(
        tokens,
        tokens,
        torch.cat(list(out.attentions)).float().numpy(),
        AttentionKind.SELF,
        bundle.name,
        truncated_from=len(full) if len(full) > len(tokens) else None,
        attn_implementation=bundle.model.config._attn_implementation,
    )
    probabilities = torch.softmax(out.logits[0].float(), -1).numpy()
    return Classification(capture, bundle.labels, probabilities)


@dataclass(frozen=True, eq=False)
class Comparison:
    """The same sentence through the pretrained and the fine-tuned model: both attentions and what changed."""

    pretrained: AttentionCapture
    finetuned: Classification
    divergence: np.ndarray  # [layer, head]: mean Jensen–Shannon divergence of the two models' rows (nats)

    def most_changed(self, k: int = 5) -> list[tuple[int, int, float]]:
        """The k heads whose attention changed most: (layer, head, divergence), largest first."""
        order = np.argsort(self.divergence, axis=None)[::-1][:k]
        n_heads = self.divergence.shape[1]
        return [(int(i // n_heads), int(i % n_heads), float(self.divergence.flat[i])) for i in order]


def compare(pretrained: AttentionCapture, finetuned: Classification) -> Comparison:
    """Pair two captures of one sentence; ValueError if they did not read the same tokens."""
    if pretrained.query_tokens != finetuned.capture.query_tokens or pretrained.weights.shape != (
        finetuned.capture.weights.shape
    ):
        raise ValueError("The two models read this sentence as different tokens; they cannot be compared head by head")
    return Comparison(pretrained, finetuned, head_divergence(pretrained.weights, finetuned.capture.weights))
