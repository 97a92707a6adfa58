"""Test-set figures for either translator: exact match, BLEU, chrF and alignment accuracy, by sentence length."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sacrebleu
import torch

from attention_explorer.models.core.vocab import Vocab
from attention_explorer.models.training.corpus import Pair
from attention_explorer.models.training.loop import tensors
from attention_explorer.models.translation.decoding import greedy_batch
from attention_explorer.models.translation.translator import TranslationModel

BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 10_000)]
EVAL_BATCH = 256


def bucket_name(n: int) -> str:
    """The length bucket of an n-word sentence: 1-10, 11-20, 21-30 or 31+."""
    lo, hi = next(b for b in BUCKETS if b[0] <= n <= b[1])
    return f"{lo}-{hi}" if hi < BUCKETS[-1][1] else f"{lo}+"


def greedy_outputs(
    model: TranslationModel, pairs: Sequence[Pair], src: Vocab, tgt: Vocab, slack: int = 10
) -> list[list[str]]:
    """Greedy translations of `pairs`, batched; decoding stops `slack` words past the longest reference."""
    outs: list[list[str]] = []
    for i in range(0, len(pairs), EVAL_BATCH):
        chunk = pairs[i : i + EVAL_BATCH]
        batch = tensors(chunk, src, tgt)
        ids = greedy_batch(
            model,
            batch.src,
            batch.lengths,
            sos_id=tgt.sos_id,
            eos_id=tgt.eos_id,
            pad_id=tgt.pad_id,
            max_len=max(len(p.fr) for p in chunk) + slack,
        )
        outs += [tgt.decode([t for t in row if t != tgt.pad_id]) for row in ids.tolist()]
    return outs


def exact_match(model: TranslationModel, pairs: Sequence[Pair], src: Vocab, tgt: Vocab, slack: int = 10) -> float:
    outs = greedy_outputs(model, pairs, src, tgt, slack)
    return float(np.mean([o == p.fr for o, p in zip(outs, pairs, strict=True)]))


@torch.inference_mode()
def alignment_hits(model: TranslationModel, pairs: Sequence[Pair], src: Vocab, tgt: Vocab) -> np.ndarray | None:
    """(sentence, layer, head) → gold pairs whose French word's largest weight falls on the gold English word.

    The model's alignment attention (Bahdanau α, or the Transformer's cross-attention) is read with teacher
    forcing on the reference, so every gold pair is scored. None for a model without attention.
    """
    out: np.ndarray | None = None
    for i in range(0, len(pairs), EVAL_BATCH):
        chunk = pairs[i : i + EVAL_BATCH]
        batch = tensors(chunk, src, tgt)
        _, attentions = model(batch.src, batch.lengths, batch.tgt_in)
        if model.alignment_attention not in attentions:
            return None
        best = attentions[model.alignment_attention].argmax(-1)  # (B, layer, head, T): source index per row
        if out is None:
            out = np.zeros((len(pairs), *best.shape[1:3]), dtype=np.int64)
        for b, pair in enumerate(chunk):
            for i_en, j in pair.align:
                out[i + b] += (best[b, :, :, j] == i_en).numpy()
    return out


def evaluate(model: TranslationModel, pairs: Sequence[Pair], src: Vocab, tgt: Vocab, slack: int = 10) -> dict:
    """Exact match, BLEU, chrF and (with attention) alignment accuracy, overall and by English length.

    Alignment accuracy is that of the head that agrees best with gold over the whole set (the only head of
    the GRU); with several heads every head's figure is kept too.
    """
    outs = greedy_outputs(model, pairs, src, tgt, slack)
    hits = alignment_hits(model, pairs, src, tgt)
    n_gold = np.array([len(p.align) for p in pairs])
    best: tuple[int, int] | None = None
    if hits is not None:
        layer, head = np.unravel_index(hits.sum(0).argmax(), hits.shape[1:])
        best = (int(layer), int(head))

    def summary(idx: list[int]) -> dict:
        hyps, refs = [" ".join(outs[k]) for k in idx], [" ".join(pairs[k].fr) for k in idx]
        m: dict = {
            "sentences": len(idx),
            "exact_match": float(np.mean([outs[k] == pairs[k].fr for k in idx])),
            "bleu": sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", force=True).score,
            "chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
        }
        if hits is not None and best is not None:
            per_head = hits[idx].sum(0) / max(1, int(n_gold[idx].sum()))
            m["alignment_accuracy"] = float(per_head[best])
            if per_head.size > 1:
                m["alignment_accuracy_by_head"] = per_head.round(4).tolist()
        return m

    by_len: dict[str, list[int]] = {}
    for k, p in enumerate(pairs):
        by_len.setdefault(bucket_name(len(p.en)), []).append(k)
    order = sorted(by_len, key=lambda name: int(name.split("-")[0].rstrip("+")))
    result: dict = {"overall": summary(list(range(len(pairs)))), "by_length": {n: summary(by_len[n]) for n in order}}
    if best is not None:
        result["best_alignment_head"] = list(best)
    return result
