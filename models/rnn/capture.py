"""The GRU translator's attention on one sentence: α(t, i) as an alignment capture, with e, h_i and c_t."""

from __future__ import annotations

import numpy as np
import torch

from attention_explorer.models.core.capture import AttentionCapture, AttentionKind
from attention_explorer.models.core.forced import Forced
from attention_explorer.models.rnn.model import RNNState, Seq2Seq

IMPLEMENTATION = "additive (Bahdanau)"


@torch.inference_mode()
def translation_captures(
    model: Seq2Seq, forced: Forced, decoded: RNNState | None = None
) -> tuple[dict[str, AttentionCapture], dict[str, np.ndarray]]:
    """α, e, the encoder states and the contexts on the model's own output: read from `decoded`, the last
    state of a recording decoding whose decoder inputs were forced.tgt_in (no model work), or else from a
    teacher-forced pass over it.

    Returns {"alignment": α [1, 1, output, source]} ({} without attention) and the arrays the step view
    draws: "scores" e(t, i) (T, S), "states" h_i (S, 2H), "contexts" c_t (T, 2H).
    """
    inputs = None if decoded is None else model.recorded_inputs(decoded)
    if decoded is not None and inputs is not None and torch.equal(inputs, forced.tgt_in):
        trace = model.recorded(decoded)
    else:  # the output distribution is not drawn here: scores_out=False skips the softmax at every step
        trace = model.trace(forced.src, torch.tensor([forced.src.shape[1]]), forced.tgt_in, scores_out=False)
    extras = {"states": trace.states[0].numpy(), "contexts": trace.contexts[0].numpy()}
    if trace.alpha is None or trace.scores is None:
        return {}, extras
    extras["scores"] = trace.scores[0].numpy()
    alignment = AttentionCapture(
        query_tokens=forced.output,
        key_tokens=forced.source,
        weights=trace.alpha[0].numpy()[None, None],
        kind=AttentionKind.ALIGNMENT,
        model=forced.name,
        attn_implementation=IMPLEMENTATION,
    )
    return {"alignment": alignment}, extras


def context_parts(arrays: dict[str, np.ndarray], alpha_row: np.ndarray, t: int) -> tuple[np.ndarray, float]:
    """Step t's context vector taken apart: α(t, i)·h_i for every source word (S, 2H), and how far their sum
    is from the context vector the decoder itself used at that step (largest absolute difference).
    """
    states, contexts = arrays["states"], arrays["contexts"]
    if not 0 <= t < len(contexts):
        raise ValueError(f"Step {t} is outside the {len(contexts)} output steps")
    weighted = alpha_row[:, None].astype(np.float64) * states  # (S, 2H)
    return weighted, float(np.abs(weighted.sum(0) - contexts[t]).max())
