"""Score the translators on any file of English/French pairs, as a person would type them."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from attention_explorer.models.core.text import tokenize
from attention_explorer.models.translation.translator import Translator, load_translator, translate

BUCKETS = ((1, 10), (11, 20), (21, 30), (31, 10_000))


@dataclass(frozen=True)
class Scored:
    en: str
    reference: list[str]
    output: list[str]
    unknown: int  # input tokens the model does not know
    tokens: int


def read_pairs(path: Path) -> list[tuple[str, str]]:
    """(English, French) from a JSONL file of {"en": ..., "fr": ...} objects; ValueError names a bad line."""
    pairs = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            en, fr = row["en"], row["fr"]
        except (json.JSONDecodeError, KeyError, TypeError) as exc:
            raise ValueError(f"{path.name} line {n} is not a JSON object with 'en' and 'fr' ({exc})") from exc
        pairs.append((" ".join(en) if isinstance(en, list) else en, " ".join(fr) if isinstance(fr, list) else fr))
    if not pairs:
        raise ValueError(f"{path.name} holds no pairs")
    return pairs


def score_translator(translator: Translator, pairs: Sequence[tuple[str, str]], beam: int = 1) -> list[Scored]:
    out = []
    for en, fr in pairs:
        result = translate(translator, en, beam)
        output = [t for t in result.output if t != "</s>"]
        words = result.source[:-1]  # </s> left out
        out.append(Scored(en, tokenize(fr), output, sum(t in result.unknown for t in words), len(words)))
    return out


def figures(scored: Sequence[Scored]) -> dict:
    import sacrebleu

    hyps = [" ".join(s.output) for s in scored]
    refs = [" ".join(s.reference) for s in scored]
    return {
        "sentences": len(scored),
        "exact_match": float(np.mean([s.output == s.reference for s in scored])),
        "bleu": sacrebleu.corpus_bleu(hyps, [refs], tokenize="none", force=True).score,
        "chrf": sacrebleu.corpus_chrf(hyps, [refs]).score,
        "unknown_share": sum(s.unknown for s in scored) / max(1, sum(s.tokens for s in scored)),
    }


def by_length(scored: Sequence[Scored]) -> dict[str, dict]:
    out = {}
    for lo, hi in BUCKETS:
        chunk = [s for s in scored if lo <= s.tokens <= hi]
        if chunk:
            out[f"{lo}-{hi}" if hi < BUCKETS[-1][1] else f"{lo}+"] = figures(chunk)
    return out


def score_file(path: Path, folders: Sequence[Path], beam: int = 1) -> str:
    """A text table: each model's exact match, BLEU, chrF and unknown-word share, overall and by length."""
    pairs = read_pairs(path)
    lines = [f"{len(pairs)} pairs from {path.name}, beam {beam}", ""]
    header = f"{'model':<14} {'length':<7} {'n':>4} {'exact':>6} {'BLEU':>6} {'chrF':>6} {'unknown':>8}"
    lines.append(header)
    for folder in folders:
        scored = score_translator(load_translator(folder), pairs, beam)
        for name, f in [("all", figures(scored)), *by_length(scored).items()]:
            lines.append(
                f"{folder.name:<14} {name:<7} {f['sentences']:>4} {f['exact_match']:>6.3f} {f['bleu']:>6.1f} "
                f"{f['chrf']:>6.1f} {f['unknown_share']:>8.3f}"
            )
    return "\n".join(lines)
