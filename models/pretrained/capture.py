"""Run text through a loaded Transformer; capture every layer's attention as AttentionCaptures.

- encoder-only: self-attention over the input ("encoder");
- decoder-only: causal self-attention over the prompt and the tokens it generates greedily ("decoder");
- encoder-decoder: encoder self ("encoder"), decoder causal self over the decoder's inputs ("decoder") and
  cross-attention of each output token over the input ("cross").
Generation is greedy with a token budget; each step keeps the token's probability and the top alternatives.
After generating, one teacher-forced pass over the whole sequence returns every attention and hidden state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.pretrained.loading import MAX_CHARS, Family, PretrainedBundle
from attention_explorer.models.pretrained.steps import GenerationStep

DEFAULT_NEW_TOKENS = 12
MAX_NEW_TOKENS = 64  # the budget a person may set: every step is one forward pass on a 2-core CPU
TOP_ALTERNATIVES = 10


@dataclass(frozen=True, eq=False)
class PretrainedRun:
    """One input through a model: its attentions, each layer's input, and what it generated.

    captures: "encoder" (self), "decoder" (causal self), "cross" (decoder queries over encoder keys) — those
        the model has, in that order.
    hidden_states: "encoder"/"decoder" → (layer + 1, token, hidden): [i] is the input to layer i.
    steps: the generated tokens (decoder-only: the tokens after the prompt; encoder-decoder: the output).
    prompt_length: decoder-only: how many of the capture's tokens are the prompt.
    encoder_output: encoder-decoder: the encoder's last hidden state (token, hidden), read by cross-attention.
    """

    captures: dict[str, AttentionCapture]
    hidden_states: dict[str, np.ndarray]
    family: Family
    steps: tuple[GenerationStep, ...] = ()
    prompt_length: int = 0
    generated_text: str = ""
    encoder_output: np.ndarray | None = None
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def capture(self) -> AttentionCapture:
        """The main attention: the encoder's self-attention, or the decoder-only model's causal self-attention."""
        return next(iter(self.captures.values()))


def _encode(bundle: PretrainedBundle, text: str, max_length: int) -> tuple[torch.Tensor, int]:
    """Token ids (1, T) cut to `max_length` (special tokens kept); also the untruncated token count."""
    text = text[:MAX_CHARS]
    full = bundle.tokenizer(text, add_special_tokens=True, truncation=False, verbose=False)["input_ids"]
    enc = bundle.tokenizer(text, return_tensors="pt", truncation=True, max_length=max_length)
    ids = enc["input_ids"]
    if ids.shape[1] == 0:
        raise ValueError("This text gives the model no tokens to read.")
    return ids, len(full)


def _tokens(bundle: PretrainedBundle, ids: torch.Tensor | list[int]) -> tuple[str, ...]:
    values = ids.tolist() if isinstance(ids, torch.Tensor) else ids
    return tuple(str(t) for t in bundle.tokenizer.convert_ids_to_tokens(values))


def _stack(attentions: Any, n_layers: int, what: str) -> np.ndarray:
    """Hugging Face's per-layer (1, head, query, key) tensors → float32 [layer, head, query, key]."""
    if attentions is None or len(attentions) != n_layers or any(a is None for a in attentions):
        raise ValueError(f"The model returned no {what} attention weights for its {n_layers} layers.")
    return torch.cat(list(attentions), dim=0).float().numpy()


def _hidden(states: Any) -> np.ndarray:
    return torch.cat(list(states), dim=0).float().numpy()  # (layer + 1, token, hidden)


def _stop_ids(bundle: PretrainedBundle) -> set[int]:
    """Token ids that end generation: the generation config's, the model config's, the tokenizer's."""
    found: set[int] = set()
    sources = (getattr(bundle.model, "generation_config", None), bundle.config, bundle.tokenizer)
    for source in sources:
        value = getattr(source, "eos_token_id", None)
        if isinstance(value, int):
            found.add(value)
        elif isinstance(value, list | tuple):
            found.update(int(v) for v in value)
    return found


def _banned_ids(bundle: PretrainedBundle) -> list[int]:
    """Tokens never generated: padding (unless it also ends text) and single tokens the generation config bans.

    Marian's configs ban <pad> this way; without it a greedy decoder can emit padding.
    """
    banned: set[int] = set()
    pad = getattr(bundle.config, "pad_token_id", None)
    if isinstance(pad, int) and pad not in _stop_ids(bundle):
        banned.add(pad)
    bad = getattr(getattr(bundle.model, "generation_config", None), "bad_words_ids", None) or []
    banned.update(int(seq[0]) for seq in bad if isinstance(seq, list | tuple) and len(seq) == 1)
    vocab = bundle.model.get_output_embeddings().weight.shape[0]
    return sorted(i for i in banned if 0 <= i < vocab)


def _step(bundle: PretrainedBundle, logits: torch.Tensor, top: int) -> tuple[int, GenerationStep]:
    """The greedy choice from one position's logits, with its probability and the top alternatives.

    Banned tokens (`_banned_ids`) get probability 0; the rest are the model's softmax.
    """
    logits = logits.float().clone()
    logits[_banned_ids(bundle)] = float("-inf")
    probs = torch.softmax(logits, dim=-1)
    values, indices = probs.topk(min(top, probs.shape[-1]))
    names = _tokens(bundle, indices)
    alternatives = tuple((name, float(p)) for name, p in zip(names, values.tolist(), strict=True))
    chosen = int(indices[0])
    return chosen, GenerationStep(names[0], float(values[0]), alternatives)


def run(bundle: PretrainedBundle, text: str, max_new_tokens: int = DEFAULT_NEW_TOKENS) -> PretrainedRun:
    """Run `text` through the model once (generating up to `max_new_tokens` for generating models).

    Input longer than the model takes is cut; the capture's `truncated_from` then says how long it was.
    """
    budget = int(min(max(max_new_tokens, 1), MAX_NEW_TOKENS))
    if bundle.family is Family.DECODER:
        return _run_decoder(bundle, text, budget)
    if bundle.family is Family.ENCODER_DECODER:
        return _run_encoder_decoder(bundle, text, budget)
    return _run_encoder(bundle, text)


def capture(bundle: PretrainedBundle, text: str, max_new_tokens: int = DEFAULT_NEW_TOKENS) -> AttentionCapture:
    """The main attention capture of `text` (see `run`)."""
    return run(bundle, text, max_new_tokens).capture


def _run_encoder(bundle: PretrainedBundle, text: str) -> PretrainedRun:
    ids, n_full = _encode(bundle, text, bundle.max_tokens)
    with torch.inference_mode():
        # one sentence: segment ids (BERT) default to zeros, as the tokenizer would give them
        out = bundle.model(
            input_ids=ids, attention_mask=torch.ones_like(ids), output_attentions=True, output_hidden_states=True
        )
    n_layers = bundle.config.num_hidden_layers
    tokens = _tokens(bundle, ids[0])
    cap = AttentionCapture(
        query_tokens=tokens,
        key_tokens=tokens,
        weights=_stack(out.attentions, n_layers, "self"),
        kind=AttentionKind.SELF,
        model=bundle.name,
        truncated_from=n_full if n_full > len(tokens) else None,
        attn_implementation=bundle.config._attn_implementation,
    )
    return PretrainedRun({"encoder": cap}, {"encoder": _hidden(out.hidden_states)}, Family.ENCODER)


def _run_decoder(bundle: PretrainedBundle, text: str, budget: int) -> PretrainedRun:
    limit = bundle.max_tokens
    budget = min(budget, limit - 1)
    ids, n_full = _encode(bundle, text, limit - budget)
    prompt_length = ids.shape[1]
    stop = _stop_ids(bundle)
    steps: list[GenerationStep] = []
    generated: list[int] = []
    model = bundle.model
    with torch.inference_mode():
        past, new = None, ids
        for _ in range(budget):
            out = model(input_ids=new, past_key_values=past, use_cache=True)  # one new position per step
            past = out.past_key_values
            chosen, step = _step(bundle, out.logits[0, -1], TOP_ALTERNATIVES)
            steps.append(step)
            generated.append(chosen)
            new = torch.tensor([[chosen]])
            if chosen in stop:
                break
        full = torch.cat([ids, torch.tensor([generated], dtype=ids.dtype)], dim=1)
        out = model(input_ids=full, output_attentions=True, output_hidden_states=True)
    tokens = _tokens(bundle, full[0])
    meta = {"prompt_tokens": prompt_length, "generated": [s.to_dict() for s in steps]}
    cap = AttentionCapture(
        query_tokens=tokens,
        key_tokens=tokens,
        weights=_stack(out.attentions, bundle.config.num_hidden_layers, "causal self"),
        kind=AttentionKind.CAUSAL_SELF,
        model=bundle.name,
        truncated_from=n_full if n_full > prompt_length else None,
        attn_implementation=bundle.config._attn_implementation,
        meta=meta,
    )
    return PretrainedRun(
        {"decoder": cap},
        {"decoder": _hidden(out.hidden_states)},
        Family.DECODER,
        steps=tuple(steps),
        prompt_length=prompt_length,
        generated_text=str(bundle.tokenizer.decode(generated, skip_special_tokens=True)),
    )


def _decoder_start(bundle: PretrainedBundle) -> int:
    for source in (getattr(bundle.model, "generation_config", None), bundle.config):
        value = getattr(source, "decoder_start_token_id", None)
        if isinstance(value, int):
            return value
    raise ValueError(f"{bundle.name} names no decoder_start_token_id, so its decoder cannot start.")


def _layer_counts(config: Any) -> tuple[int, int]:
    """(encoder layers, decoder layers): BART/Marian name them apart, T5 calls the decoder's num_decoder_layers."""
    encoder = getattr(config, "encoder_layers", None) or config.num_hidden_layers
    decoder = getattr(config, "decoder_layers", None) or getattr(config, "num_decoder_layers", None) or encoder
    return int(encoder), int(decoder)


def _run_encoder_decoder(bundle: PretrainedBundle, text: str, budget: int) -> PretrainedRun:
    limit = bundle.max_tokens
    ids, n_full = _encode(bundle, text, limit)
    budget = min(budget, limit)
    mask = torch.ones_like(ids)
    stop = _stop_ids(bundle)
    model = bundle.model
    steps: list[GenerationStep] = []
    decoder_ids = [_decoder_start(bundle)]
    with torch.inference_mode():
        encoder_outputs = model.get_encoder()(input_ids=ids, attention_mask=mask)
        past, new = None, torch.tensor([decoder_ids])
        for _ in range(budget):
            out = model(
                encoder_outputs=encoder_outputs,
                attention_mask=mask,
                decoder_input_ids=new,
                past_key_values=past,
                use_cache=True,
            )
            past = out.past_key_values
            chosen, step = _step(bundle, out.logits[0, -1], TOP_ALTERNATIVES)
            steps.append(step)
            decoder_ids.append(chosen)
            new = torch.tensor([[chosen]])
            if chosen in stop:
                break
        # teacher-forced: the decoder reads the start token and every output but the last
        decoder_inputs = torch.tensor([decoder_ids[:-1]])
        out = model(
            input_ids=ids,
            attention_mask=mask,
            decoder_input_ids=decoder_inputs,
            output_attentions=True,
            output_hidden_states=True,
        )
    source = _tokens(bundle, ids[0])
    inputs = _tokens(bundle, decoder_inputs[0])
    output = _tokens(bundle, decoder_ids[1:])
    truncated = n_full if n_full > len(source) else None
    impl = bundle.config._attn_implementation
    meta = {"generated": [s.to_dict() for s in steps]}
    n_enc, n_dec = _layer_counts(bundle.config)

    def cap(q: tuple[str, ...], k: tuple[str, ...], weights: np.ndarray, kind: AttentionKind) -> AttentionCapture:
        return AttentionCapture(q, k, weights, kind, bundle.name, truncated, impl, meta)

    captures = {
        "encoder": cap(source, source, _stack(out.encoder_attentions, n_enc, "encoder"), AttentionKind.SELF),
        "decoder": cap(inputs, inputs, _stack(out.decoder_attentions, n_dec, "decoder"), AttentionKind.CAUSAL_SELF),
        "cross": cap(output, source, _stack(out.cross_attentions, n_dec, "cross"), AttentionKind.CROSS),
    }
    return PretrainedRun(
        captures,
        {"encoder": _hidden(out.encoder_hidden_states), "decoder": _hidden(out.decoder_hidden_states)},
        Family.ENCODER_DECODER,
        steps=tuple(steps),
        generated_text=str(bundle.tokenizer.decode(decoder_ids[1:], skip_special_tokens=True)),
        encoder_output=out.encoder_last_hidden_state[0].float().numpy(),
    )


def prefix(cap: AttentionCapture, n: int) -> AttentionCapture:
    """The first `n` tokens of a causal self-attention capture: what the model had read after n tokens.

    Causal rows put no weight on later tokens, so cutting them keeps every row summing to 1.
    """
    if cap.kind is not AttentionKind.CAUSAL_SELF:
        raise ValueError("Only causal self-attention can be cut to a prefix")
    if not 1 <= n <= len(cap.query_tokens):
        raise ValueError(f"A prefix of {n} tokens is outside the {len(cap.query_tokens)} tokens")
    return AttentionCapture(
        cap.query_tokens[:n],
        cap.key_tokens[:n],
        cap.weights[:, :, :n, :n],
        cap.kind,
        cap.model,
        cap.truncated_from,
        cap.attn_implementation,
        dict(cap.meta),
    )


def step_query(run: PretrainedRun, step: int) -> int:
    """The query position whose row chose generated token `step` (0-based).

    Decoder-only: the token before it (prompt_length + step − 1). Encoder-decoder: decoder position `step`
    (it reads the start token and the outputs before `step`; its cross-attention row is labelled by the output).
    """
    if not 0 <= step < len(run.steps):
        raise ValueError(f"Step {step} is outside the {len(run.steps)} generated tokens")
    return run.prompt_length + step - 1 if run.family is Family.DECODER else step


def max_future_weight(cap: AttentionCapture) -> float:
    """Largest weight any query puts on a later key (0 when a causal mask holds)."""
    n_query, n_key = cap.weights.shape[2:]
    return float(cap.weights[..., np.triu(np.ones((n_query, n_key), dtype=bool), k=1)].max(initial=0.0))


def unknown_words(bundle: PretrainedBundle, text: str) -> list[str]:
    """Pieces of `text` the tokenizer reads as its unknown token, in order, each once."""
    tok = bundle.tokenizer
    unk = tok.unk_token_id
    if unk is None:
        return []
    text = text[:MAX_CHARS]
    enc = tok(text, add_special_tokens=False, return_offsets_mapping=True)
    out: list[str] = []
    for token_id, (start, end) in zip(enc["input_ids"], enc["offset_mapping"], strict=True):
        piece = text[start:end]
        if token_id == unk and piece not in out:
            out.append(piece)
    return out
