"""The bilingual lexicon the corpus is drawn from: lemma pairs checked against pyrealb's own lexicons.

data/lexicon.tsv holds 2,219 English–French lemma pairs (nouns with their French gender and a semantic
class, adjectives with their French position, verbs with their frames and prepositions, adverbs with a
class, prepositions, numbers); data/lexicon_extra.tsv holds 177 everyday nouns that break one of its
rules: French epicene nouns (chat, ami, enfant, livre: realised in the gender of the intended sense) and
English uncountable nouns (bread, milk, music: never plural, never with "a" or a number).
data/frequent_en.tsv says how each of the 500 most frequent English words is covered.
"""

from __future__ import annotations

import csv
import functools
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
LEXICON = DATA / "lexicon.tsv"
EXTRA = DATA / "lexicon_extra.tsv"
FREQUENT = DATA / "frequent_en.tsv"
IDIOMS = DATA / "idioms.tsv"
HANDWRITTEN = DATA / "handwritten.jsonl"

# pyrealb gives these French adjectives no position, so they would follow the noun ("un voyage long")
PRENOMINAL = {"long", "même", "autre"}
# English verbs whose future pyrealb conjugates wrongly in French, and are kept out of the future
NO_FUTURE: set[str] = set()


@dataclass(frozen=True)
class Noun:
    en: str
    fr: str
    gender: str  # French gender of the intended sense: m or f
    cls: str  # person, animal, food, thing, place, body, time, abstract, vehicle, clothing, nature
    mass: bool = False  # uncountable in English: singular only, no "a", no number
    epicene: bool = False  # pyrealb's French lexicon gives no gender; realised with .g(gender)
    zipf: float = 4.0  # English word frequency (wordfreq): words are drawn in proportion to 10^(zipf/2)

    @property
    def animate(self) -> bool:
        return self.cls in ("person", "animal")


@dataclass(frozen=True)
class Adjective:
    en: str
    fr: str
    pre: bool  # the French adjective goes before the noun (petit, grand, beau…)
    zipf: float = 4.0


@dataclass(frozen=True)
class Frame:
    kind: str  # intr, tr, prep, inf, clause
    en_prep: str = ""  # prep: English preposition ("" = English direct object); inf: "to" or ""
    fr_prep: str = ""  # prep: French preposition ("" = French direct object); inf: à, de or ""


@dataclass(frozen=True)
class Verb:
    en: str
    fr: str
    frames: tuple[Frame, ...]
    refl: bool = False  # French reflexive (se souvenir, s'habiller)
    impers: bool = False  # weather verb: it rains / il pleut
    attr: bool = False  # takes an attribute (become → devenir)
    zipf: float = 4.0

    def frame(self, kind: str) -> list[Frame]:
        return [f for f in self.frames if f.kind == kind]


@dataclass(frozen=True)
class Adverb:
    en: str
    fr: str
    cls: str  # manner, degree, time, frequency, place
    zipf: float = 4.0


@dataclass(frozen=True)
class Word:
    """A preposition or a number word."""

    en: str
    fr: str
    zipf: float = 4.0


@dataclass(frozen=True)
class Lexicon:
    nouns: tuple[Noun, ...]
    adjectives: tuple[Adjective, ...]
    verbs: tuple[Verb, ...]
    adverbs: tuple[Adverb, ...]
    prepositions: tuple[Word, ...]
    numbers: tuple[Word, ...]

    def __len__(self) -> int:
        """Lemma pairs: one per noun, adjective, verb frame, adverb, preposition and number."""
        return (
            len(self.nouns)
            + len(self.adjectives)
            + sum(len(v.frames) for v in self.verbs)
            + len(self.adverbs)
            + len(self.prepositions)
            + len(self.numbers)
        )

    def nouns_of(self, *classes: str) -> tuple[Noun, ...]:
        return _nouns_of(self, classes)

    def verbs_with(self, kind: str, exclude_refl: bool = False) -> tuple[Verb, ...]:
        """Verbs that have a frame of this kind (weather verbs left out; tr: no attribute verbs)."""
        return _verbs_with(self, kind, exclude_refl)


@functools.cache
def _nouns_of(lexicon: Lexicon, classes: tuple[str, ...]) -> tuple[Noun, ...]:
    return tuple(n for n in lexicon.nouns if n.cls in classes)


@functools.cache
def _verbs_with(lexicon: Lexicon, kind: str, exclude_refl: bool) -> tuple[Verb, ...]:
    return tuple(
        v
        for v in lexicon.verbs
        if v.frame(kind) and not v.impers and not (exclude_refl and v.refl) and not (kind == "tr" and v.attr)
    )


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t"))


@functools.cache
def load_lexicon(main: Path = LEXICON, extra: Path | None = EXTRA) -> Lexicon:
    """Both lexicon files as one Lexicon (the extra nouns with their epicene / mass flags)."""
    rows = _rows(main) + (_rows(extra) if extra else [])
    nouns: dict[str, Noun] = {}
    adjs: dict[str, Adjective] = {}
    frames: dict[tuple[str, str], list[Frame]] = defaultdict(list)
    verb_class: dict[tuple[str, str], set[str]] = defaultdict(set)
    verb_zipf: dict[tuple[str, str], float] = {}
    advs: dict[str, Adverb] = {}
    preps: dict[str, Word] = {}
    numbers: dict[str, Word] = {}
    for r in rows:
        pos, en, fr = r["pos"], r["en"], r["fr"]
        notes = set((r.get("note") or "").split(","))
        zipf = float(r.get("zipf") or 4.0)
        if pos == "N" and en not in nouns:
            nouns[en] = Noun(en, fr, r["gender"], r["class"], "mass" in notes, "epicene" in notes, zipf)
        elif pos == "A" and en not in adjs:
            adjs[en] = Adjective(en, fr, r["fr_pos"] == "pre" or fr in PRENOMINAL, zipf)
        elif pos == "V":
            frame = Frame(r["frame"], r["en_prep"], r["fr_prep"])
            if frame not in frames[(en, fr)]:
                frames[(en, fr)].append(frame)
            verb_class[(en, fr)] |= {c for c in r["class"].split(",") if c}
            verb_zipf[(en, fr)] = zipf
        elif pos == "Adv" and en not in advs:
            advs[en] = Adverb(en, fr, r["class"], zipf)
        elif pos == "P" and en not in preps:
            preps[en] = Word(en, fr, zipf)
        elif pos == "NO":
            numbers[en] = Word(en, fr, zipf)
    verbs = tuple(
        Verb(
            en,
            fr,
            tuple(fs),
            refl="refl" in verb_class[(en, fr)],
            impers="impers" in verb_class[(en, fr)],
            attr="attr" in verb_class[(en, fr)],
            zipf=verb_zipf[(en, fr)],
        )
        for (en, fr), fs in frames.items()
    )
    return Lexicon(
        tuple(nouns.values()),
        tuple(adjs.values()),
        verbs,
        tuple(advs.values()),
        tuple(preps.values()),
        tuple(numbers.values()),
    )


@dataclass(frozen=True)
class Frequent:
    rank: int
    word: str
    status: str  # lexicon, closed, contraction, excluded
    note: str


def load_frequent(path: Path = FREQUENT) -> list[Frequent]:
    """The 500 most frequent English words (wordfreq) and how each is covered."""
    return [Frequent(int(r["rank"]), r["word"], r["status"], r["note"] or "") for r in _rows(path)]


# Words of frequent_en.tsv a translator may leave unknown: digits, letters, abbreviations, proper names,
# slang and profanity (the "500 most frequent English words" minus what is not a word to translate)
NOT_WORDS = ("digit", "single letter", "abbreviation", "proper name", "part of proper names", "profanity", "slang")


def must_know(rows: list[Frequent] | None = None) -> list[str]:
    """The frequent words every translator must know, as the normaliser leaves them (contractions expanded)."""
    out = []
    for r in rows or load_frequent():
        if r.status == "contraction" or (r.status == "excluded" and r.note.startswith(NOT_WORDS)):
            continue
        out.append(r.word)
    return out
