"""Shared fixtures: the app on loopback and a headless Chromium (one per test module), the bundled model loaded
once, a tiny random BERT saved to a temp dir, and no network.

The Hugging Face offline variables are deliberately NOT set: the app must be offline by itself. Every test
runs with outbound connections cut in this process (loopback stays open); a test that tried to reach
another host fails, naming it.
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest

LOOPBACK = {"localhost", "127.0.0.1", "::1", "0.0.0.0", ""}


def pytest_sessionfinish(session, exitstatus):
    """Let a model preload that a page run started finish before Python exits (it aborts the process otherwise)."""
    warmup = sys.modules.get("attention_explorer.pages.shared.warmup")
    if warmup is not None:
        warmup.wait_for_loads()


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


@pytest.fixture(scope="module")
def server():
    """The app (`streamlit run app.py`) on loopback, one per test module that asks for it; its base URL."""
    from tests import browser_support as bs

    with bs.streamlit_server() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium (Debian's, never a downloaded one), one per test module that asks for it."""
    from playwright import sync_api as playwright

    from tests import browser_support as bs

    with playwright.sync_playwright() as p:
        b = bs.launch(p)
        yield b
        b.close()


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


def make_tiny_bert(folder: Path) -> Path:
    """A randomly initialised BertModel (2 layers × 4 heads) with its own tokenizer, saved like a downloaded model.

    The tokenizer is a WordLevel one built with `tokenizers` (see tests/tiny_models.py): transformers 5 builds a
    BertTokenizerFast from a vocab.txt alone with nothing but its special tokens.
    """
    from tests.tiny_models import build

    return build("bert", folder)


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


@pytest.fixture(scope="session")
def tiny_family_dir(tmp_path_factory):
    """family name → the folder of a tiny random model of that family (tests/tiny_models.py), built once."""
    from tests.tiny_models import build

    root = tmp_path_factory.mktemp("families")
    built: dict[str, Path] = {}

    def get(family: str) -> Path:
        if family not in built:
            built[family] = build(family, root / family)
        return built[family]

    return get


@pytest.fixture(scope="session")
def tiny_family(tiny_family_dir):
    """family name → that tiny model loaded by the app's loader, once per session."""
    from attention_explorer.models.pretrained.loading import load_pretrained

    loaded: dict[str, object] = {}

    def get(family: str):
        if family not in loaded:
            loaded[family] = load_pretrained(tiny_family_dir(family))
        return loaded[family]

    return get
