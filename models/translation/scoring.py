"""Score the translators on any file of English/French pairs, as a person would type them.

Each English sentence goes through `translate` exactly as typed (normalisation, unknown words copied
through attention); the French reference is split into words the way the training corpus is. Figures:
exact match, BLEU and chrF (sacrebleu), the share of input words the model does not know, and alignment
accuracy when the file gives gold pairs ("align": [[English index, French index], …]) on the model's own
tokens. Alignment accuracy is measured as training measures it (`training.evaluate.alignment_hits`): the
attention is read with teacher forcing on the reference, so every gold pair counts, whatever the model
wrote, through the head the app copies with.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from attention_explorer.models.core.text import tokenize_fr
from attention_explorer.models.core.vocab import EOS
from attention_explorer.models.translation.translator import Translator, copy_head, load_translator, translate

BUCKETS = ((1, 10), (11, 20), (21, 30), (31, 10_000))


@dataclass(frozen=True)
class Scored:
    en: str
    reference: list[str]
    output: list[str]
    unknown: list[str]  # input tokens the model does not know
    tokens: int  # input tokens, final punctuation included, </s> not
    aligned: tuple[int, int] | None = None  # (gold pairs hit, gold pairs) when the file gives gold pairs


@dataclass(frozen=True)
class Reference:
    en: str
    fr: str
    align: list[tuple[int, int]] | None = None


def read_pairs(path: Path) -> list[Reference]:
    """{"en": ..., "fr": ...} objects of a JSONL file (text or token lists); ValueError names a bad line."""
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            en, fr = row["en"], row["fr"]
            align = [(int(i), int(j)) for i, j in row["align"]] if "align" in row else None
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path.name} line {n} is not a JSON object with 'en' and 'fr' ({exc})") from exc
        pairs.append(
            Reference(
                " ".join(en) if isinstance(en, list) else str(en),
                " ".join(fr) if isinstance(fr, list) else str(fr),
                align,
            )
        )
    if not pairs:
        raise ValueError(f"{path.name} holds no pairs")
    return pairs


def score_translator(translator: Translator, pairs: Sequence[Reference], beam: int = 1) -> list[Scored]:
    from attention_explorer.models.training.corpus import Pair
    from attention_explorer.models.training.evaluate import alignment_hits

    out = []
    gold: dict[int, Pair] = {}  # sentence → the reference to read the attention on, for those with gold pairs
    for k, ref in enumerate(pairs):
        result = translate(translator, ref.en, beam)
        output = [t.lower() for t in result.output if t != EOS]
        words = list(result.source[:-1])  # </s> left out
        reference = tokenize_fr(ref.fr)
        if ref.align is not None:
            outside = [(i, j) for i, j in ref.align if not (0 <= i < len(words) and 0 <= j < len(reference))]
            if outside:
                raise ValueError(
                    f"“{ref.en}”: gold pair {outside[0]} is outside its {len(words)} English and "
                    f"{len(reference)} French tokens ({' '.join(words)} / {' '.join(reference)})"
                )
            if len(reference) > translator.model.max_len:  # read with teacher forcing: past it, no positions left
                raise ValueError(
                    f"“{ref.en}”: its French reference has {len(reference)} tokens; {translator.name} writes at most "
                    f"{translator.model.max_len}, so its attention over it cannot be read"
                )
            gold[k] = Pair(words, reference, list(ref.align), "file")
        out.append(Scored(ref.en, reference, output, [t for t in words if t in result.unknown], len(words)))
    if gold:
        hits = alignment_hits(translator.model, list(gold.values()), translator.src, translator.tgt)
        if hits is not None:
            layer, head = copy_head(translator) or (0, 0)
            for k, row in zip(gold, hits[:, layer, head], strict=True):
                out[k] = replace(out[k], aligned=(int(row), len(gold[k].align)))
    return out


def figures(scored: Sequence[Scored]) -> dict:
    import sacrebleu

    hyps = [" ".join(s.output) for s in scored]
    refs = [" ".join(s.reference) for s in scored]
    result = {
        "sentences": len(scored),
        "exact_match": float(np.mean([s.output == s.reference for s in scored])),
        "bleu": sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", force=True).score,
        "chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
        "unknown_share": sum(len(s.unknown) for s in scored) / max(1, sum(s.tokens for s in scored)),
    }
    aligned = [s.aligned for s in scored if s.aligned is not None]
    if aligned:
        result["alignment_accuracy"] = sum(a for a, _ in aligned) / max(1, sum(n for _, n in aligned))
    return result


def by_length(scored: Sequence[Scored]) -> dict[str, dict]:
    out = {}
    for lo, hi in BUCKETS:
        chunk = [s for s in scored if lo <= s.tokens <= hi]
        if chunk:
            out[f"{lo}-{hi}" if hi < BUCKETS[-1][1] else f"{lo}+"] = figures(chunk)
    return out


def handwritten_figures(translator: Translator, path: Path) -> dict:
    """The figures of one translator on a file of typed sentences, overall and by length, with its misses."""
    scored = score_translator(translator, read_pairs(path))
    return {
        "overall": figures(scored),
        "by_length": by_length(scored),
        "unknown_words": sorted({w for s in scored for w in s.unknown}),
        "errors": [
            {"en": s.en, "reference": " ".join(s.reference), "output": " ".join(s.output)}
            for s in scored
            if s.output != s.reference
        ],
    }


def score_file(path: Path, folders: Sequence[Path], beam: int = 1) -> str:
    """A text table: each model's exact match, BLEU, chrF and unknown-word share, overall and by length."""
    pairs = read_pairs(path)
    lines = [f"{len(pairs)} pairs from {path.name}, beam {beam}", ""]
    header = f"{'model':<14} {'length':<7} {'n':>4} {'exact':>6} {'BLEU':>6} {'chrF':>6} {'unknown':>8} {'align':>6}"
    lines.append(header)
    for folder in folders:
        scored = score_translator(load_translator(folder), pairs, beam)
        for name, f in [("all", figures(scored)), *by_length(scored).items()]:
            align = f"{f['alignment_accuracy']:>6.3f}" if "alignment_accuracy" in f else f"{'—':>6}"
            lines.append(
                f"{folder.name:<14} {name:<7} {f['sentences']:>4} {f['exact_match']:>6.3f} {f['bleu']:>6.1f} "
                f"{f['chrf']:>6.1f} {f['unknown_share']:>8.3f} {align}"
            )
    return "\n".join(lines)
