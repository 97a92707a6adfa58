"""A drawn sentence realised in both languages by pyrealb, corrected where pyrealb errs, and aligned.

pyrealb gets almost everything right; what it misses is fixed here on the token lists, each with a rule
that knows the structure, never by guessing:
- French "que" before a vowel is not elided when it comes from a conjunction or an object question
  ("parce que il", "Que avez-vous") → "qu'";
- a French past participle after a feminine or plural object clitic does not agree ("nous les avons vu")
  → the grammar records the agreed form and it replaces the plain one;
- English negated questions "Cannot you …?" → "can you not …?"; and a negated yes/no question with a
  noun subject is also written "does not the cat sleep?" (the order the input normaliser gives for
  "doesn't the cat sleep?").
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Sequence

from attention_explorer.models.core.text import SUBJECT_PRONOUNS, tokenize_en, tokenize_fr
from attention_explorer.models.training.forms import Forms
from attention_explorer.models.training.grammar import Drawn, Slot

VOWELS = tuple("aeiouyéèêàâîôûœ")
EN_AUX = {"do", "does", "did", "is", "are", "was", "were", "am", "have", "has", "had", "will", "would", "can",
          "could", "must", "should", "may", "might"}  # fmt: skip


class Unrealisable(Exception):
    """pyrealb could not realise the structure (a warning or a "[[…]]" in its output); draw another."""


def _realize(build, lang: str) -> str:
    import pyrealb

    pyrealb.loadEn() if lang == "en" else pyrealb.loadFr()
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(err):
        text = str(build().realize()).strip()
    if "[[" in text or err.getvalue().strip():
        raise Unrealisable(f"{lang}: {text} {err.getvalue().strip()[:200]}")
    return text


def fix_french(tokens: list[str], fixes: Sequence[tuple[str, str]]) -> list[str]:
    out = list(tokens)
    for k in range(len(out) - 1):
        if out[k] == "que" and out[k + 1].startswith(VOWELS):
            out[k] = "qu'"
    for plain, agreed in fixes:
        if plain in out:
            out[out.index(plain)] = agreed
    return out


def fix_english(tokens: list[str], move_not: bool, ever: bool = False) -> list[str]:
    out = list(tokens)
    if ever and len(out) > 3 and out[0] == "ever" and out[1] in SUBJECT_PRONOUNS and out[2] in EN_AUX:
        out[0:3] = [out[2], out[1], "ever"]  # "ever you have seen" → "have you ever seen"
    if out and out[-1] == "?":
        start = 1 if out[0] in ("who", "what", "where", "when", "why", "how") else 0
        if len(out) > start + 1 and out[start] == "cannot" and out[start + 1] in SUBJECT_PRONOUNS:
            out[start : start + 2] = ["can", out[start + 1], "not"]
        elif move_not and out[start] in EN_AUX and "not" in out[start + 1 :]:
            k = out.index("not", start + 1)
            out.pop(k)
            out.insert(start + 1, "not")
    return out


def occurrences(tokens: Sequence[str], forms: Forms, claimed: set[int]) -> list[tuple[int, ...]]:
    """Every span of `tokens` equal to one of `forms`, none overlapping a claimed token."""
    hits: list[tuple[int, ...]] = []
    positions: dict[str, list[int]] = {}
    for k, tok in enumerate(tokens):
        positions.setdefault(tok, []).append(k)
    for form in forms:
        n = len(form)
        for k in positions.get(form[0], ()):
            span = tuple(range(k, k + n))
            if tuple(tokens[k : k + n]) == form and not claimed.intersection(span):
                hits.append(span)
    # a shorter form inside a longer one found too ("le" inside "de le") counts once: keep maximal spans
    return [h for h in hits if not any(set(h) < set(o) for o in hits)]


Pairs = list[tuple[int, int]]


def align(en: Sequence[str], fr: Sequence[str], slots: Sequence[Slot]) -> tuple[Pairs, Pairs] | None:
    """Gold (English index, French index) pairs and the one-word content pairs among them.

    None if a content slot is not found exactly once.

    Each French token is aligned at most once. A multi-word form on both sides of the same length is
    paired word by word ("every day" ↔ "chaque jour"); otherwise the English form's last word is joined
    to every word of the French form ("ago" ↔ "il y a").
    """
    claimed_en: set[int] = set()
    claimed_fr: set[int] = set()
    pairs: Pairs = []
    content: Pairs = []
    order = sorted(slots, key=lambda s: (not s.content, -max((len(f) for f in s.forms("fr")), default=0)))
    for slot in order:
        e_hits = occurrences(en, slot.forms("en"), claimed_en)
        f_hits = occurrences(fr, slot.forms("fr"), claimed_fr)
        if len(e_hits) != 1 or len(f_hits) != 1:
            if slot.content:
                return None
            continue
        e_span, f_span = e_hits[0], f_hits[0]
        if slot.content and len(e_span) == len(f_span) == 1:
            content.append((e_span[0], f_span[0]))
        if len(e_span) == len(f_span):
            pairs += list(zip(e_span, f_span, strict=True))
        else:
            pairs += [(e_span[-1], j) for j in f_span]
        claimed_en.update(e_span)
        claimed_fr.update(f_span)
    return sorted(pairs, key=lambda p: p[1]), sorted(content, key=lambda p: p[1])


def realise(drawn: Drawn) -> tuple[list[str], list[str], Pairs, Pairs] | None:
    """English tokens, French tokens, gold pairs and content-word pairs for a drawn sentence (None: draw again)."""
    if drawn.fixed is not None:
        en_text, fr_text, pairs = drawn.fixed
        first = {j: i for i, j in reversed(pairs)}  # one English word per French word: the first
        return tokenize_en(en_text), tokenize_fr(fr_text), sorted((i, j) for j, i in first.items()), []
    en = tokenize_en(_realize(drawn.en, "en"))
    fr = tokenize_fr(_realize(drawn.fr, "fr"))
    en = fix_english(en, bool(drawn.en_not_moves), drawn.en_ever)
    fr = fix_french(fr, drawn.fr_fixes)
    if drawn.end and en and en[-1] in ".?!" and fr and fr[-1] in ".?!":
        en[-1] = fr[-1] = drawn.end
    if drawn.please:
        en[-1:-1] = [",", "please"]
        fr[-1:-1] = [",", "s'", "il", "vous", "plaît"]
    aligned = align(en, fr, drawn.slots)
    if aligned is None:
        return None
    pairs, content = aligned
    if drawn.please:
        i = len(en) - 2
        pairs += [(i, j) for j in range(len(fr) - 5, len(fr) - 1)]
    return en, fr, pairs, content
