"""The Transformer's three attentions on one sentence, as AttentionCaptures."""

from __future__ import annotations

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.forced import Forced
from attention_explorer.models.core.vocab import SOS
from attention_explorer.models.transformer.model import Transformer, TransformerState

IMPLEMENTATION = "scaled dot-product"


@torch.inference_mode()
def translation_captures(
    model: Transformer, forced: Forced, decoded: TransformerState | None = None
) -> tuple[dict[str, AttentionCapture], dict[str, np.ndarray]]:
    """The three attentions on the model's own output: read from `decoded`, the last state of a recording
    decoding whose decoder inputs were forced.tgt_in (no model work), or else from a teacher-forced pass.

    encoder: self [layer, head, source, source]; decoder: causal self over the decoder's inputs (<s> and
    the output so far); cross: [layer, head, output, source], the row that emits each output token.
    """
    if decoded is not None and decoded.trace is not None and torch.equal(decoded.ys, forced.tgt_in):
        att = {name: weights[None] for name, weights in model.recorded(decoded).items()}
    else:
        _, att = model(forced.src, torch.tensor([forced.src.shape[1]]), forced.tgt_in)
    source, output = forced.source, forced.output
    decoder_inputs = (SOS, *output[:-1])

    def cap(key: str, queries: tuple[str, ...], keys: tuple[str, ...], kind: AttentionKind) -> AttentionCapture:
        weights = att[key][0].float().numpy()  # (layer, head, query, key)
        return AttentionCapture(queries, keys, weights, kind, forced.name, attn_implementation=IMPLEMENTATION)

    captures = {
        "encoder": cap("encoder", source, source, AttentionKind.SELF),
        "decoder": cap("decoder", decoder_inputs, decoder_inputs, AttentionKind.CAUSAL_SELF),
        "cross": cap("cross", output, source, AttentionKind.CROSS),
    }
    return captures, {}
