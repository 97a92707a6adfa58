"""Shared fixtures: the bundled model loaded once, a tiny random BERT saved to a temp dir, and no network.

The Hugging Face offline variables are deliberately NOT set: the app must be offline by itself. Every test
runs with outbound connections cut in this process (loopback stays open); a test that tried to reach
another host fails, naming it.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

TINY_VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "cat", "sat", "on", "mat", "a", "dog", ".", "##s"]
LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def pytest_addoption(parser):
    parser.addoption(
        "--fuzz-examples",
        type=int,
        default=0,
        help="random strings added per text box (and per-parameter link runs) by tests/test_fuzz.py",
    )


@pytest.fixture
def fuzz_examples(request) -> int:
    return int(request.config.getoption("--fuzz-examples"))


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """Refuse (and record) every connection and name lookup that would leave this machine."""
    attempts: list[str] = []
    real_connect, real_getaddrinfo = socket.socket.connect, socket.getaddrinfo

    def connect(self, address):
        host = address[0] if isinstance(address, tuple) else None
        if host is not None and host not in LOOPBACK:
            attempts.append(f"connect {address}")
            raise OSError(f"network cut by the test suite: {address}")
        return real_connect(self, address)

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else (host or "")
        if name not in LOOPBACK:
            attempts.append(f"lookup {name}")
            raise socket.gaierror(f"network cut by the test suite: {name}")
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield attempts
    assert not attempts, f"the code tried to reach the network: {attempts}"


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
    from attention_explorer.models.pretrained.loading import default_model_dir, load_pretrained

    return load_pretrained(default_model_dir())


@pytest.fixture(scope="session")
def tiny(tiny_bert_dir):
    from attention_explorer.models.pretrained.loading import load_pretrained

    return load_pretrained(tiny_bert_dir)
