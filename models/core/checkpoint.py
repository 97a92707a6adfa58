"""One reader and writer for every checkpoint trained in this repo: safetensors + config + vocabulary + metrics.

A checkpoint directory holds model.safetensors, config.json (the model's dataclass config, with its
family), vocab.json and metrics.json. Loading only loads: a missing file is an error, never a reason to train.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, is_dataclass
from pathlib import Path
from typing import Any, TypeVar

from safetensors.torch import load_file, save_file
from torch import nn

from attention_explorer.models.core.vocab import Vocab

ConfigT = TypeVar("ConfigT")
ModelT = TypeVar("ModelT", bound=nn.Module)


class CheckpointError(ValueError):
    """A checkpoint directory that cannot be loaded; the message says what to do."""


def save_checkpoint(folder: Path, model: nn.Module, config: Any, vocabs: dict[str, Vocab], metrics: dict) -> None:
    """Write model.safetensors, config.json, vocab.json (one id list per vocabulary) and metrics.json."""
    if not is_dataclass(config):
        raise TypeError("config must be a dataclass")
    folder.mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in model.state_dict().items()}, folder / "model.safetensors")
    (folder / "config.json").write_text(json.dumps(asdict(config), indent=2), encoding="utf-8")  # type: ignore[arg-type]
    (folder / "vocab.json").write_text(
        json.dumps({name: v.itos for name, v in vocabs.items()}, ensure_ascii=False), encoding="utf-8"
    )
    (folder / "metrics.json").write_text(json.dumps(metrics, indent=2, ensure_ascii=False), encoding="utf-8")


def read_config(folder: Path, retrain: str) -> dict[str, Any]:
    """config.json of a checkpoint as a dict (CheckpointError if missing or not JSON)."""
    path = folder / "config.json"
    if not path.is_file():
        raise CheckpointError(f"{_name(folder)}/config.json is missing. Retrain with: {retrain}")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CheckpointError(f"{_name(folder)}/config.json is unreadable ({exc}). Retrain with: {retrain}") from exc
    if not isinstance(data, dict):
        raise CheckpointError(f"{_name(folder)}/config.json is not a JSON object. Retrain with: {retrain}")
    return data


def read_checkpoint(
    folder: Path, config_cls: Callable[..., ConfigT], model_cls: Callable[[ConfigT], ModelT], retrain: str
) -> tuple[ModelT, ConfigT, dict[str, Vocab], dict]:
    """Rebuild a model written by `save_checkpoint`. Raises CheckpointError naming the file and the fix.

    Every weight must be present and no other: a partial file would otherwise load as a random model.
    """
    hint = f"Retrain with: {retrain}"
    for name in ("config.json", "model.safetensors", "vocab.json"):
        if not (folder / name).is_file():
            raise CheckpointError(f"{_name(folder)}/{name} is missing. {hint}")
    raw = read_config(folder, retrain)
    try:
        config = config_cls(**raw)
        vocab_data = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        vocabs = {name: Vocab.from_itos(itos) for name, itos in vocab_data.items()}
        model = model_cls(config)
        model.load_state_dict(load_file(folder / "model.safetensors"), strict=True)
    except Exception as exc:  # corrupt JSON, truncated safetensors, shape mismatch, missing keys: all one answer
        raise CheckpointError(f"The checkpoint {_name(folder)} is unreadable ({_short(exc)}). {hint}") from exc
    model.eval()
    metrics_file = folder / "metrics.json"
    try:
        metrics = json.loads(metrics_file.read_text(encoding="utf-8")) if metrics_file.is_file() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        metrics = {}  # metrics are for display; a broken file must not hide a working model
    return model, config, vocabs, metrics


def _name(folder: Path) -> str:
    """A checkpoint named by its last two path parts, so messages never print the server's absolute paths."""
    return "/".join(folder.parts[-2:])


def _short(exc: Exception) -> str:
    """The exception's message on one line, cut to a readable length."""
    text = " ".join(part.strip() for part in str(exc).splitlines() if part.strip()) or type(exc).__name__
    return text if len(text) <= 300 else text[:299] + "…"


def parameter_count(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
