"""How one attention score is made: q·k from the model's own projections, scaled, softmax.

Each layer's input (kept by `capture.run`) goes through that layer's own query and key projections — after
the layer norm the layer applies first (pre-LN models), with rotary positions applied to q and k (RoPE
models) and each query head reading its shared key head (grouped-query attention). The recomputed row is
then checked against the captured one: if an architecture makes its scores in a way this module does not
know, ScoreUnavailable says so instead of showing numbers that are not the model's.

Known: BERT, RoBERTa, ELECTRA (absolute positions), DistilBERT, ALBERT; GPT-2; Llama, Mistral, Qwen2/3 and
other Llama-style decoders; BART, mBART and Marian (encoder self, decoder self and cross-attention).
Not known: T5 (a learned relative-position bias is added to q·k), relative-position BERTs, sliding windows
shorter than the input, any model whose scale is not 1/√d_head.
"""

from __future__ import annotations

import math
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionKind, ScoreBreakdown
from attention_explorer.models.pretrained.capture import PretrainedRun
from attention_explorer.models.pretrained.loading import PretrainedBundle

MATCH_TOLERANCE = 1e-4  # a recomputed row further than this from the captured one is not shown


class ScoreUnavailable(ValueError):
    """This model's scores cannot be recomputed here; the message says why."""


@dataclass(frozen=True)
class HeadScores:
    """One query's scores in one head, over the keys it may see.

    breakdown: q·k, ÷√d_head and softmax per visible key (its tokens are those keys).
    captured: the captured attention row over the same keys, for comparison.
    notes: how this architecture makes the score (rotary positions, shared key heads, the causal mask).
    """

    breakdown: ScoreBreakdown
    query_token: str
    captured: np.ndarray
    notes: tuple[str, ...]

    @property
    def max_error(self) -> float:
        return float(np.abs(self.breakdown.weights - self.captured).max())


@dataclass(frozen=True)
class _Projected:
    q: torch.Tensor  # (head, query, d_head), positions already applied
    k: torch.Tensor  # (key head, key, d_head)
    scaling: float
    notes: tuple[str, ...] = ()


def _heads(x: torch.Tensor, d_head: int) -> torch.Tensor:
    """(token, heads·d) → (head, token, d)."""
    return x.view(x.shape[0], -1, d_head).transpose(0, 1)


def _hidden(run: PretrainedRun, part: str, layer: int) -> torch.Tensor:
    states = run.hidden_states.get(part)
    if states is None or not 0 <= layer < states.shape[0] - 1:
        raise ValueError(f"Layer {layer} does not exist in the {part}")
    return torch.from_numpy(states[layer])  # (token, hidden): the input to `layer`


def _scaling(attn: Any, d_head: int) -> float:
    scaling = float(getattr(attn, "scaling", d_head**-0.5))
    if not math.isclose(scaling, d_head**-0.5, rel_tol=1e-6):
        raise ScoreUnavailable(f"This model scales q·k by {scaling:.4g}, not by 1/√d_head; this view shows only that.")
    return scaling


def _bert_like(model: Any, config: Any, x: torch.Tensor, layer: int) -> _Projected:
    """BERT, RoBERTa, ELECTRA and the bundled MiniLM: post-LN, so the layer's input goes straight to query/key."""
    if getattr(config, "position_embedding_type", "absolute") not in (None, "absolute"):
        raise ScoreUnavailable("This BERT adds relative-position terms to q·k; this view shows plain q·k only.")
    attn = model.encoder.layer[layer].attention.self
    d = config.hidden_size // config.num_attention_heads
    return _Projected(_heads(attn.query(x), d), _heads(attn.key(x), d), _scaling(attn, d))


def _distilbert(model: Any, config: Any, x: torch.Tensor, layer: int) -> _Projected:
    attn = model.transformer.layer[layer].attention
    d = config.dim // config.n_heads
    return _Projected(_heads(attn.q_lin(x), d), _heads(attn.k_lin(x), d), d**-0.5)


def _albert(model: Any, config: Any, x: torch.Tensor, layer: int) -> _Projected:
    """ALBERT shares one set of layer weights across groups of layers."""
    if config.inner_group_num != 1:
        raise ScoreUnavailable("This ALBERT has several layers per group; this view knows one layer per group.")
    group = int(layer / (config.num_hidden_layers / config.num_hidden_groups))
    attn = model.encoder.albert_layer_groups[group].albert_layers[0].attention
    d = config.hidden_size // config.num_attention_heads
    return _Projected(_heads(attn.query(x), d), _heads(attn.key(x), d), _scaling(attn, d))


def _gpt2(model: Any, config: Any, x: torch.Tensor, layer: int) -> _Projected:
    """GPT-2: pre-LN (ln_1), one fused projection for q, k and v."""
    block = model.transformer.h[layer]
    d = config.n_embd // config.n_head
    q, k, _ = block.attn.c_attn(block.ln_1(x)).split(config.n_embd, dim=-1)
    return _Projected(_heads(q, d), _heads(k, d), _scaling(block.attn, d), ("causal mask: later keys get weight 0",))


def _llama_like(model: Any, config: Any, x: torch.Tensor, layer: int) -> _Projected:
    """Llama, Mistral, Qwen: pre-LN (RMSNorm), separate q/k projections, rotary positions, shared key heads."""
    if getattr(config, "attn_logit_softcapping", None):
        raise ScoreUnavailable("This model caps its scores (soft-capping) before softmax; this view shows plain q·k.")
    window = getattr(config, "sliding_window", None)
    if window and getattr(config, "use_sliding_window", True) and x.shape[0] > window:
        raise ScoreUnavailable(f"This model sees only the last {window} tokens (sliding window); this input is longer.")
    decoder = model.model
    block = decoder.layers[layer]
    attn = block.self_attn
    d = attn.head_dim
    h = block.input_layernorm(x)
    q = _heads(attn.q_proj(h), d)  # (head, T, d)
    k = _heads(attn.k_proj(h), d)  # (key head, T, d)
    notes = ["causal mask: later keys get weight 0"]
    if hasattr(attn, "q_norm"):  # Qwen3-style per-head norm of q and k before the rotation
        q, k = attn.q_norm(q), attn.k_norm(k)
        notes.append("q and k are RMS-normalised per head before the rotation")
    rope = sys.modules[type(attn).__module__].apply_rotary_pos_emb
    positions = torch.arange(x.shape[0])[None]
    cos, sin = decoder.rotary_emb(h[None], positions)
    q, k = rope(q[None], k[None], cos, sin)
    notes.insert(0, "rotary positions: q and k are rotated by their position before the dot product")
    n_heads, n_kv = q.shape[1], k.shape[1]
    if n_kv != n_heads:
        notes.append(f"grouped-query attention: {n_heads} query heads share {n_kv} key heads")
    return _Projected(q[0], k[0], _scaling(attn, d), tuple(notes))


def _bart_layer(model: Any, part: str, layer: int) -> Any:
    stack = model.model.encoder if part == "encoder" else model.model.decoder
    return stack.layers[layer]


def _bart_self(model: Any, config: Any, x: torch.Tensor, layer: int, part: str) -> _Projected:
    """BART, Marian (post-LN) and mBART (pre-LN: the layer norm comes first)."""
    block = _bart_layer(model, part, layer)
    attn = block.self_attn
    d = attn.head_dim
    h = block.self_attn_layer_norm(x) if config.model_type == "mbart" else x
    notes = ("causal mask: later keys get weight 0",) if part == "decoder" else ()
    return _Projected(_heads(attn.q_proj(h), d), _heads(attn.k_proj(h), d), _scaling(attn, d), notes)


def _bart_cross(model: Any, config: Any, run: PretrainedRun, layer: int) -> _Projected:
    """The cross-attention query reads the decoder layer's state after its self-attention block.

    That state is rebuilt from the layer's input and its captured self-attention weights:
    x + out_proj(Σ_heads A·V), then the layer norm (post-LN), through the cross-attention's own projections.
    """
    if run.encoder_output is None:
        raise ValueError("This run has no encoder output")
    block = _bart_layer(model, "decoder", layer)
    x = _hidden(run, "decoder", layer)
    pre_ln = config.model_type == "mbart"
    sa = block.self_attn
    d = sa.head_dim
    z = block.self_attn_layer_norm(x) if pre_ln else x
    weights = torch.from_numpy(np.array(run.captures["decoder"].weights[layer]))  # (head, T, T)
    context = (weights @ _heads(sa.v_proj(z), d)).transpose(0, 1).reshape(x.shape[0], -1)  # (T, heads·d)
    state = x + sa.out_proj(context)
    state = block.encoder_attn_layer_norm(state) if pre_ln else block.self_attn_layer_norm(state)
    cross = block.encoder_attn
    keys = torch.from_numpy(run.encoder_output)
    notes = ("the query is the decoder's state after its self-attention; the keys are the encoder's output",)
    return _Projected(_heads(cross.q_proj(state), d), _heads(cross.k_proj(keys), d), _scaling(cross, d), notes)


def _projected(bundle: PretrainedBundle, run: PretrainedRun, part: str, layer: int) -> _Projected:
    model: Any = bundle.model
    config = bundle.config
    mt = config.model_type
    if mt in ("t5", "mt5", "umt5", "longt5"):
        raise ScoreUnavailable(
            "T5 adds a learned relative-position bias to q·k and does not divide by √d; this view shows q·k/√d."
        )
    if part == "cross":
        if mt in ("bart", "mbart", "marian"):
            return _bart_cross(model, config, run, layer)
        raise ScoreUnavailable(f"This view does not know how {mt} makes its cross-attention queries.")
    x = _hidden(run, part, layer)
    if mt in ("bart", "mbart", "marian"):
        return _bart_self(model, config, x, layer, part)
    if mt == "distilbert":
        return _distilbert(model, config, x, layer)
    if mt == "albert":
        return _albert(model, config, x, layer)
    if mt == "gpt2":
        return _gpt2(model, config, x, layer)
    if hasattr(getattr(model, "encoder", None), "layer"):
        return _bert_like(model, config, x, layer)
    layers = getattr(getattr(model, "model", None), "layers", None)
    if layers is not None and hasattr(layers[0].self_attn, "q_proj") and hasattr(model.model, "rotary_emb"):
        return _llama_like(model, config, x, layer)
    raise ScoreUnavailable(f"This view does not know where {mt} keeps its query and key projections.")


def head_scores(
    bundle: PretrainedBundle, run: PretrainedRun, part: str, layer: int, head: int, query_index: int
) -> HeadScores:
    """Recompute one captured row of attention (`part`: encoder / decoder / cross) from q and k.

    Raises ScoreUnavailable when the architecture's scores are not plain softmax(q·k/√d) over the keys it may
    see, or when the recomputed row does not reproduce the captured one.
    """
    cap = run.captures.get(part)
    if cap is None:
        raise ValueError(f"This model has no {part} attention")
    if not (0 <= layer < cap.num_layers and 0 <= head < cap.num_heads):
        raise ValueError(f"Layer {layer}, head {head} does not exist in this model")
    if not 0 <= query_index < len(cap.query_tokens):
        raise ValueError(f"Query position {query_index} is outside the {len(cap.query_tokens)} tokens")
    try:
        with torch.inference_mode():
            p = _projected(bundle, run, part, layer)
    except (AttributeError, IndexError, TypeError) as exc:  # a module tree laid out differently
        raise ScoreUnavailable(
            f"This view does not know how {bundle.config.model_type} lays out its attention layers."
        ) from exc
    group = p.q.shape[0] // p.k.shape[0]
    q = p.q[head, query_index].double().numpy()  # (d,)
    k = p.k[head // group].double().numpy()  # (key, d): the key head this query head reads
    visible = query_index + 1 if cap.kind is AttentionKind.CAUSAL_SELF else k.shape[0]
    dot = k[:visible] @ q
    scaled = dot * p.scaling
    weights = np.exp(scaled - scaled.max())
    weights /= weights.sum()
    captured = cap.head(layer, head)[query_index, :visible].astype(np.float64)
    error = float(np.abs(weights - captured).max())
    if error > MATCH_TOLERANCE:
        raise ScoreUnavailable(
            f"Recomputing this row from {bundle.config.model_type}'s q and k gives weights {error:.1e} away from "
            "the captured ones: this model makes its scores in a way this view does not know."
        )
    notes = p.notes
    if group > 1:
        notes = (*notes, f"query head {head} reads key head {head // group}")
    breakdown = ScoreBreakdown(
        layer=layer,
        head=head,
        query_index=query_index,  # for cross-attention: the decoder position (its token is query_token)
        tokens=cap.key_tokens[:visible],
        d_head=q.shape[0],
        dot=dot,
        scaled=scaled,
        weights=weights,
    )
    return HeadScores(breakdown, cap.query_tokens[query_index], captured, notes)


def score_breakdown(
    bundle: PretrainedBundle, run: PretrainedRun, layer: int, head: int, query_index: int
) -> ScoreBreakdown:
    """Recompute one row of the main attention (see `head_scores`): q·k for every key, ÷ √d_head, softmax."""
    part = next(iter(run.captures))
    return head_scores(bundle, run, part, layer, head, query_index).breakdown


def head_projections(
    bundle: PretrainedBundle, run: PretrainedRun, layer: int, head: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The query, key and value vectors of every token in one head of a BERT-style encoder: (token, d_head) each."""
    model: Any = bundle.model
    config = bundle.config
    if not (0 <= layer < bundle.num_layers and 0 <= head < bundle.num_heads):
        raise ValueError(f"Layer {layer}, head {head} does not exist in this model")
    try:
        attn = model.encoder.layer[layer].attention.self
        projections = (attn.query, attn.key, attn.value)
    except AttributeError as exc:
        raise ValueError(
            "This model's layers are not laid out like BERT's; this view needs their query/key/value layers"
        ) from exc
    d_head = config.hidden_size // config.num_attention_heads
    cols = slice(head * d_head, (head + 1) * d_head)
    with torch.inference_mode():
        hidden = _hidden(run, "encoder", layer)
        q, k, v = (proj(hidden)[:, cols].double().numpy() for proj in projections)  # (T, d_head) each
    return q, k, v
