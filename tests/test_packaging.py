"""The project installs as one package, `attention_explorer`, carrying everything the app reads at run time."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(ROOT)],
        check=True,
        capture_output=True,
    )
    (path,) = out.glob("attention_explorer-*.whl")
    return zipfile.ZipFile(path)


def test_the_wheel_holds_the_app_its_pages_weights_and_settings(wheel):
    names = set(wheel.namelist())
    for required in [
        "attention_explorer/app.py",
        "attention_explorer/.streamlit/config.toml",
        "attention_explorer/models/weights/transformer/model.safetensors",
        "attention_explorer/models/weights/bahdanau/vocab.json",
        "attention_explorer/models/weights/test_sentences.jsonl",
        "attention_explorer/models/weights/gpt/model.safetensors",
        "attention_explorer/models/weights/gpt/tokenizer.json",
        "attention_explorer/models/weights/classifier/adapter_model.safetensors",
        "attention_explorer/models/weights/classifier/task.json",
        "attention_explorer/models/gpt/model.py",
        "attention_explorer/models/finetune/model.py",
        "attention_explorer/models/training/data/lexicon.tsv",
        "attention_explorer/viz/heatmap.py",
    ]:
        assert required in names, required
    app = (ROOT / "app.py").read_text(encoding="utf-8")
    for page in (ROOT / "pages").glob("*.py"):
        assert f"attention_explorer/pages/{page.name}" in names
        if page.name != "__init__.py":
            assert f'"pages/{page.name}"' in app
    assert not any(n.startswith(("attention_explorer/tests/", "attention_explorer/.venv/")) for n in names)


def test_the_wheel_declares_the_command_and_the_pinned_dependencies(wheel):
    meta = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    text = wheel.read(meta).decode()
    assert "Requires-Dist: torch==2.13.0" in text and "Requires-Dist: streamlit==1.67.0" in text
    entry = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "attention-explorer = attention_explorer.models.cli:main" in wheel.read(entry).decode()
