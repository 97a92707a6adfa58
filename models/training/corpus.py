"""English→French corpus generated from the in-repo lexicon by the pyrealb realiser, with gold alignments.

Each sentence is first drawn as one language-neutral structure (clauses, noun phrases, content
words), then realised twice by pyrealb: in English and in French, which conjugates, agrees, elides,
places French adjectives after the noun and splits negation into "ne … pas". Every content word is a
slot with an English and a French lemma, so the gold alignment is known: the English token that
realises a slot's English lemma ↔ the French token that realises its French lemma.

    attention-explorer corpus                 # writes models/training/data/corpus.jsonl (deterministic)
    attention-explorer corpus --size 40000 --seed 7 --out /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import csv
import functools
import json
import random
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from pathlib import Path

from attention_explorer.models.core.text import tokenize

DATA = Path(__file__).resolve().parent / "data"
LEXICON = DATA / "lexicon.tsv"
CORPUS = DATA / "corpus.jsonl"
SPLITS = ("train", "valid", "test")
MAX_TOKENS = 40  # English tokens per sentence; longer draws are skipped (3 to 40 words kept)


@dataclass(frozen=True)
class Pair:
    """One sentence pair: English and French tokens, gold (English index, French index) pairs, its split."""

    en: list[str]
    fr: list[str]
    align: list[tuple[int, int]]
    split: str

    @classmethod
    def from_dict(cls, row: dict) -> Pair:
        return cls(list(row["en"]), list(row["fr"]), [(int(i), int(j)) for i, j in row["align"]], row.get("split", ""))

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Entry:
    """One lemma pair of the lexicon."""

    pos: str  # N, A, VT, VI, Adv, P, NO
    en: str
    fr: str
    fr_gender: str = ""


@functools.cache
def load_lexicon(path: Path = LEXICON) -> dict[str, tuple[Entry, ...]]:
    """The lexicon grouped by part of speech."""
    by_pos: dict[str, list[Entry]] = defaultdict(list)
    with path.open(encoding="utf-8") as fh:
        rows = csv.DictReader((line for line in fh if not line.startswith("#")), delimiter="\t")
        for row in rows:
            by_pos[row["pos"]].append(Entry(row["pos"], row["en"], row["fr"], row["fr_gender"] or ""))
    return {pos: tuple(entries) for pos, entries in by_pos.items()}


# ---- the language-neutral structure -------------------------------------------------------------


@dataclass
class NPSpec:
    noun: Entry
    det: str | Entry  # "def", "indef" or a number entry
    plural: bool
    adjs: list[Entry] = field(default_factory=list)
    pp: tuple[Entry, NPSpec] | None = None
    rel: VPSpec | None = None  # relative clause "that …" / "qui …" on this noun


@dataclass
class VPSpec:
    verb: Entry
    obj: NPSpec | None = None
    pp: tuple[Entry, NPSpec] | None = None
    adv: Entry | None = None


@dataclass
class ClauseSpec:
    subj: NPSpec
    vp: VPSpec
    tense: str  # "p" present, "ps" past, "f" future
    neg: bool = False
    question: bool = False


class _Exhausted(Exception):
    """A sentence asked for more distinct lemmas of a kind than the lexicon has; draw another."""


class Drawer:
    """Draws sentence structures; no content lemma is used twice in one sentence."""

    def __init__(self, rng: random.Random, lexicon: dict[str, tuple[Entry, ...]]):
        self.rng, self.lex = rng, lexicon
        self.used: set[str] = set()

    def word(self, pos: str) -> Entry:
        for _ in range(100):
            e = self.rng.choice(self.lex[pos])
            if e.en not in self.used and e.fr not in self.used:
                self.used.update((e.en, e.fr))
                return e
        raise _Exhausted(pos)

    def np(self, depth: int, size: float) -> NPSpec:
        r = self.rng.random()
        det: str | Entry = "def" if r < 0.5 else "indef" if r < 0.8 else self.word("NO")
        plural = isinstance(det, Entry) or self.rng.random() < 0.3
        n_adj = self.rng.choices([0, 1, 2], weights=[1.0, size, size * 0.4])[0]
        spec = NPSpec(noun=self.word("N"), det=det, plural=plural, adjs=[self.word("A") for _ in range(n_adj)])
        if depth < 2 and self.rng.random() < 0.25 * size:
            spec.pp = (self.word("P"), self.np(depth + 1, size * 0.5))
        elif depth < 1 and self.rng.random() < 0.2 * size:
            spec.rel = self.vp(depth + 1, size * 0.5)
        return spec

    def vp(self, depth: int, size: float) -> VPSpec:
        transitive = self.rng.random() < 0.7
        spec = VPSpec(verb=self.word("VT" if transitive else "VI"))
        if transitive:
            spec.obj = self.np(depth + 1, size)
        if depth == 0 and self.rng.random() < 0.35 * size:
            spec.pp = (self.word("P"), self.np(depth + 1, size * 0.6))
        if self.rng.random() < 0.25:
            spec.adv = self.word("Adv")
        return spec

    def sentence(self) -> list[ClauseSpec]:
        size = self.rng.choice([0.3, 0.8, 1.5, 2.5])  # mix short and long sentences
        n_clauses = self.rng.choices([1, 2, 3], weights=[6, 3, 1.5 * size])[0]
        clauses = []
        for _ in range(n_clauses):
            clause = ClauseSpec(self.np(0, size), self.vp(0, size), self.rng.choice(["p", "ps", "f"]))
            if n_clauses == 1:  # negation and questions on single clauses
                clause.neg = self.rng.random() < 0.25
                clause.question = self.rng.random() < 0.2
            clauses.append(clause)
        return clauses


# ---- realisation with pyrealb -------------------------------------------------------------------

_FR_TENSE = {"p": "p", "ps": "pc", "f": "f"}  # English simple past ↔ French passé composé


def _realise(clauses: list[ClauseSpec], lang: str) -> str:
    import pyrealb as R

    R.loadEn() if lang == "en" else R.loadFr()
    fr = lang == "fr"

    def lemma(e: Entry) -> str:
        return e.fr if fr else e.en

    def np(s: NPSpec):
        if isinstance(s.det, Entry):
            det = R.NO(
                int(
                    {
                        "two": 2,
                        "three": 3,
                        "four": 4,
                        "five": 5,
                        "six": 6,
                        "seven": 7,
                        "eight": 8,
                        "nine": 9,
                        "ten": 10,
                    }[s.det.en]
                )
            ).dOpt({"nat": True})
        else:
            det = R.D(("le" if s.det == "def" else "un") if fr else ("the" if s.det == "def" else "a"))
        parts = [det, *(R.A(lemma(a)) for a in s.adjs), R.N(lemma(s.noun))]
        if s.pp:
            parts.append(R.PP(R.P(lemma(s.pp[0])), np(s.pp[1])))
        if s.rel:
            parts.append(R.SP(R.Pro("qui" if fr else "that"), vp(s.rel)))
        phrase = R.NP(*parts)
        return phrase.n("p") if s.plural else phrase

    def vp(s: VPSpec):
        parts = [R.V(lemma(s.verb))]
        if s.obj:
            parts.append(np(s.obj))
        if s.pp:
            parts.append(R.PP(R.P(lemma(s.pp[0])), np(s.pp[1])))
        if s.adv:
            parts.append(R.Adv(lemma(s.adv)))
        return R.VP(*parts)

    sentences = []
    for c in clauses:
        s = R.S(np(c.subj), vp(c.vp)).t(_FR_TENSE[c.tense] if fr else c.tense)
        typ: dict[str, bool | str] = {}
        if c.neg:
            typ["neg"] = True
        if c.question:
            typ["int"] = "yon"
        sentences.append(s.typ(typ) if typ else s)
    if len(sentences) == 1:
        return sentences[0].realize()
    return R.S(R.CP(R.C("et" if fr else "and"), *sentences)).realize()


@functools.cache
def _form_map(lang: str) -> dict[str, frozenset[Entry]]:
    """Every surface form pyrealb gives a lexicon lemma → the entries it can realise."""
    import pyrealb as R

    R.loadEn() if lang == "en" else R.loadFr()
    fr = lang == "fr"
    forms: dict[str, set[Entry]] = defaultdict(set)
    for pos, entries in load_lexicon().items():
        for e in entries:
            lemma = e.fr if fr else e.en
            if pos in ("Adv", "P", "NO"):
                realised = [lemma]
            elif pos == "N":
                realised = [R.N(lemma).n(n).realize() for n in "sp"]
            elif pos == "A":
                realised = [R.A(lemma).g(g).n(n).realize() for g in "mf" for n in "sp"]
            else:
                tenses = ["p", "pc", "f", "b"] if fr else ["p", "ps", "f", "pp", "b", "pr"]
                realised = [R.V(lemma).t(t).pe(pe).n(n).realize() for t in tenses for pe in (1, 2, 3) for n in "sp"]
                if fr:  # past participles agree (transitive verbs) in gender and number
                    agreeing = [(g, n) for g in "mf" for n in "sp"] if pos == "VT" else [("m", "s")]
                    realised += [R.V(lemma).t("pp").g(g).n(n).realize() for g, n in agreeing]
            for form in realised:
                tokens = tokenize(form)
                if tokens:
                    forms[tokens[-1]].add(e)  # the last word: "a mangé" → "mangé", "will eat" → "eat"
    return {form: frozenset(es) for form, es in forms.items()}


def _slots(clauses: list[ClauseSpec]) -> list[Entry]:
    out: list[Entry] = []

    def np(s: NPSpec) -> None:
        if isinstance(s.det, Entry):
            out.append(s.det)
        out.extend(s.adjs)
        out.append(s.noun)
        if s.pp:
            out.append(s.pp[0])
            np(s.pp[1])
        if s.rel:
            vp(s.rel)

    def vp(s: VPSpec) -> None:
        out.append(s.verb)
        if s.obj:
            np(s.obj)
        if s.pp:
            out.append(s.pp[0])
            np(s.pp[1])
        if s.adv:
            out.append(s.adv)

    for c in clauses:
        np(c.subj)
        vp(c.vp)
    return out


def align(en: list[str], fr: list[str], slots: list[Entry]) -> list[tuple[int, int]] | None:
    """Gold (English index, French index) per content word; None if a slot is not found exactly once."""
    en_map, fr_map = _form_map("en"), _form_map("fr")
    pairs = []
    for entry in slots:
        i = [k for k, tok in enumerate(en) if entry in en_map.get(tok, ())]
        j = [k for k, tok in enumerate(fr) if entry in fr_map.get(tok, ())]
        if len(i) != 1 or len(j) != 1:
            return None
        pairs.append((i[0], j[0]))
    return pairs


def generate(size: int, seed: int = 0) -> list[Pair]:
    """`size` distinct sentence pairs with gold alignments and a split, the same for the same seed."""
    rng = random.Random(seed)
    lexicon = load_lexicon()
    seen: set[str] = set()
    out: list[Pair] = []
    while len(out) < size:
        try:
            clauses = Drawer(rng, lexicon).sentence()
        except _Exhausted:
            continue
        en, fr = tokenize(_realise(clauses, "en")), tokenize(_realise(clauses, "fr"))
        key = " ".join(en)
        if key in seen or len(en) > MAX_TOKENS:
            continue
        alignment = align(en, fr, _slots(clauses))
        if alignment is None:  # a form two slots share ("porte": door / carries); draw another
            continue
        seen.add(key)
        r = rng.random()
        split = "train" if r < 0.9 else "valid" if r < 0.95 else "test"
        out.append(Pair(en, fr, alignment, split))
    return out


def load_corpus(path: Path = CORPUS) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [Pair.from_dict(json.loads(line)) for line in fh]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the English→French corpus with gold alignments.")
    parser.add_argument("--size", type=int, default=30_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    rows = generate(args.size, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")
    lengths = sorted(len(r.en) for r in rows)
    counts = {s: sum(r.split == s for r in rows) for s in SPLITS}
    print(
        f"wrote {args.out}: {len(rows)} pairs {counts}, English length {lengths[0]}–{lengths[-1]} "
        f"(median {lengths[len(lengths) // 2]})"
    )


if __name__ == "__main__":
    main()
