"""Shared fixtures: the bundled model loaded once, and a tiny random BERT saved to a temp dir."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # nothing in these tests may reach a model hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", ".", "##s"]


def make_tiny_bert(folder: Path, *, layers: int = 2, heads: int = 4) -> Path:
    """A randomly initialised BertModel with its own tokenizer, saved like a downloaded model."""
    import torch
    from transformers import BertConfig, BertModel, BertTokenizerFast

    folder.mkdir(parents=True, exist_ok=True)
    vocab = folder / "vocab.txt"
    vocab.write_text("\n".join(TINY_VOCAB) + "\n", encoding="utf-8")
    tokenizer = BertTokenizerFast(vocab_file=str(vocab), do_lower_case=True)
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(TINY_VOCAB),
        hidden_size=32,
        num_hidden_layers=layers,
        num_attention_heads=heads,
        intermediate_size=64,
        max_position_embeddings=64,
    )
    BertModel(config).save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    return make_tiny_bert(tmp_path_factory.mktemp("tiny-bert"))


@pytest.fixture(scope="session")
def bundled():
    from models import bert

    return bert.load_bert(bert.default_model_dir())


@pytest.fixture(scope="session")
def tiny(tiny_bert_dir):
    from models import bert

    return bert.load_bert(tiny_bert_dir)
