"""Run text through a loaded encoder once; capture every layer's self-attention; explain one score."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind, ScoreBreakdown
from attention_explorer.models.pretrained.loading import MAX_CHARS, PretrainedBundle


def _encode(bundle: PretrainedBundle, text: str) -> tuple[dict[str, torch.Tensor], int]:
    """Tokenise with truncation to the model's limit; also return the untruncated token count."""
    text = text[:MAX_CHARS]
    full = bundle.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
    enc = bundle.tokenizer(text, return_tensors="pt", truncation=True, max_length=bundle.max_tokens)
    return dict(enc), len(full)


@dataclass(frozen=True, eq=False)
class PretrainedRun:
    """One forward pass: the attention capture, and each layer's input for explaining its scores."""

    capture: AttentionCapture
    hidden_states: np.ndarray  # (layer + 1, token, hidden): [i] is the input to layer i


def run(bundle: PretrainedBundle, text: str) -> PretrainedRun:
    """Run `text` through the encoder once, keeping every layer's attention and input.

    Input longer than the model's positions is truncated; `capture.truncated_from` then says how long it was.
    """
    enc, n_full = _encode(bundle, text)
    with torch.inference_mode():
        out = bundle.model(**enc, output_attentions=True, output_hidden_states=True)
    n_layers = bundle.num_layers
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
    return PretrainedRun(capture=cap, hidden_states=hidden)


def capture(bundle: PretrainedBundle, text: str) -> AttentionCapture:
    """Every layer's and head's self-attention for `text` (see `run`)."""
    return run(bundle, text).capture


def head_projections(
    bundle: PretrainedBundle, pretrained_run: PretrainedRun, layer: int, head: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The query, key and value vectors of every token in one head: three (token, d_head) arrays.

    The layer's input (hidden state, kept by `run`) goes through that layer's own query/key/value
    Linear layers, so the numbers are the real model's, not an approximation.
    """
    config = bundle.model.config
    if not (0 <= layer < bundle.num_layers and 0 <= head < bundle.num_heads):
        raise ValueError(f"Layer {layer}, head {head} does not exist in this model")
    model: Any = bundle.model  # a BERT-style module tree, read by attribute
    try:
        self_attn = model.encoder.layer[layer].attention.self
        projections = (self_attn.query, self_attn.key, self_attn.value)
    except AttributeError as exc:
        raise ValueError(
            "This model's layers are not laid out like BERT's; this view needs their query/key/value layers"
        ) from exc
    d_head = config.hidden_size // config.num_attention_heads
    cols = slice(head * d_head, (head + 1) * d_head)
    with torch.inference_mode():
        hidden = torch.from_numpy(pretrained_run.hidden_states[layer])  # (T, hidden): the input to `layer`
        q, k, v = (proj(hidden)[:, cols].double().numpy() for proj in projections)  # (T, d_head) each
    return q, k, v


def score_breakdown(
    bundle: PretrainedBundle, pretrained_run: PretrainedRun, layer: int, head: int, query_index: int
) -> ScoreBreakdown:
    """Recompute one row of attention: q·k for every key, ÷ √d_head, softmax."""
    tokens = pretrained_run.capture.query_tokens
    if not 0 <= query_index < len(tokens):
        raise ValueError(f"Query position {query_index} is outside the {len(tokens)} tokens")
    q, k, _ = head_projections(bundle, pretrained_run, layer, head)
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
