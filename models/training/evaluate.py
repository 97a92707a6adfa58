"""Test-set figures for either translator: exact match, BLEU, chrF, alignment accuracy and unknown words, by length.

Outputs are decoded greedily in batches, then every <unk> the decoder emitted is replaced by the source word
its attention points to — the same copy `translate` makes — so the figures are those of the translator as
people use it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import sacrebleu
import torch

from attention_explorer.models.core.vocab import UNK, Vocab
from attention_explorer.models.training.corpus import Pair
from attention_explorer.models.training.loop import tensors
from attention_explorer.models.translation.decoding import greedy_batch
from attention_explorer.models.translation.translator import TranslationModel, copy_rows, elide_before_copies

BUCKETS = [(1, 10), (11, 20), (21, 30), (31, 10_000)]
EVAL_BATCH = 256


def bucket_name(n: int) -> str:
    """The length bucket of an n-word sentence: 1-10, 11-20, 21-30 or 31+."""
    lo, hi = next(b for b in BUCKETS if b[0] <= n <= b[1])
    return f"{lo}-{hi}" if hi < BUCKETS[-1][1] else f"{lo}+"


@torch.inference_mode()
def greedy_outputs(
    model: TranslationModel,
    pairs: Sequence[Pair],
    src: Vocab,
    tgt: Vocab,
    slack: int = 10,
    copy_head: tuple[int, int] | None = (0, 0),
) -> list[list[str]]:
    """Greedy translations of `pairs`, batched, <unk> copied from the source through attention.

    Decoding stops `slack` words past the longest reference. copy_head: the (layer, head) whose attention
    chooses the copied word; None copies nothing.
    """
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
        rows = [[t for t in row if t != tgt.pad_id] for row in ids.tolist()]
        words = [tgt.decode(row) for row in rows]
        if copy_head is not None and any(UNK in w for w in words):
            words = _copy(model, batch.src, batch.lengths, rows, words, chunk, src, tgt, copy_head)
        outs += words
    return outs


def _copy(
    model, src_ids, lengths, rows, words, chunk, src: Vocab, tgt: Vocab, head: tuple[int, int]
) -> list[list[str]]:
    """Each <unk> replaced as the app replaces it (translator.copy_rows), its attention read with teacher forcing."""
    T = max(1, max(len(r) for r in rows))
    tgt_in = torch.full((len(rows), T), tgt.pad_id, dtype=torch.long)
    for b, row in enumerate(rows):
        inputs = [tgt.sos_id, *row][:T]
        tgt_in[b, : len(inputs)] = torch.tensor(inputs)
    _, attentions = model(src_ids, lengths, tgt_in)
    if model.alignment_attention not in attentions:
        return words
    weights = attentions[model.alignment_attention][:, head[0], head[1]].float().numpy()  # (B, T, S)
    out = []
    for b, (w, pair) in enumerate(zip(words, chunk, strict=True)):
        unknown_at = [i for i, token in enumerate(pair.en) if token not in src]
        copy, copied = copy_rows(w, weights[b], pair.en, unknown_at)
        out.append(list(elide_before_copies(copy, copied)[0]))
    return out


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


def figures(outs: Sequence[Sequence[str]], refs: Sequence[Sequence[str]]) -> dict:
    """Exact match, corpus BLEU and chrF of token outputs against token references."""
    hyps, ref_texts = [" ".join(o) for o in outs], [" ".join(r) for r in refs]
    return {
        "sentences": len(outs),
        "exact_match": float(np.mean([list(o) == list(r) for o, r in zip(outs, refs, strict=True)])),
        "bleu": sacrebleu.corpus_bleu(hyps, [ref_texts], tokenize="none", force=True).score,
        "chrf": sacrebleu.corpus_chrf(hyps, [ref_texts]).score,
    }


def evaluate(
    model: TranslationModel,
    pairs: Sequence[Pair],
    src: Vocab,
    tgt: Vocab,
    slack: int = 10,
    copy_head: tuple[int, int] | None = None,
    groups: dict[str, list[int]] | None = None,
) -> dict:
    """Exact match, BLEU, chrF, unknown-word share and (with attention) alignment accuracy, overall and by length.

    groups: named lists of sentence indices scored apart too (the held-out combinations).

    Alignment accuracy is that of the head that agrees best with gold over the whole set (the only head of
    the GRU); with several heads every head's figure is kept too. Unknown words are copied through the head
    `copy_head` (default: the best-aligned head).
    """
    hits = alignment_hits(model, pairs, src, tgt)
    n_gold = np.array([len(p.align) for p in pairs])
    best: tuple[int, int] | None = None
    if hits is not None:
        layer, head = np.unravel_index(hits.sum(0).argmax(), hits.shape[1:])
        best = (int(layer), int(head))
    outs = greedy_outputs(model, pairs, src, tgt, slack, copy_head or best)
    unknown = [sum(t not in src for t in p.en) for p in pairs]

    def summary(idx: list[int]) -> dict:
        m = figures([outs[k] for k in idx], [pairs[k].fr for k in idx])
        m["unknown_share"] = sum(unknown[k] for k in idx) / max(1, sum(len(pairs[k].en) for k in idx))
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
    if groups:
        result["by_group"] = {name: summary(idx) for name, idx in groups.items() if idx}
    if best is not None:
        result["best_alignment_head"] = list(best)
    result["errors"] = [
        {"en": " ".join(p.en), "reference": " ".join(p.fr), "output": " ".join(o)}
        for p, o in zip(pairs, outs, strict=True)
        if o != p.fr
    ][:25]
    return result
