"""The English→French corpus: sentences drawn from the grammar, realised by pyrealb, with gold alignments.

Every sentence is drawn by `grammar.draw` (features chosen independently), realised in both languages
and aligned by `realise.realise`. Sentences are split by their English text into train / valid / test,
except those that use one of the HELD_OUT feature combinations: these never reach training and form the
"combinations" test set, which measures generalisation to new combinations of known constructions.

    attention-explorer corpus                 # writes models/training/data/corpus.jsonl (deterministic)
    attention-explorer corpus --size 40000 --seed 7 --out /tmp/corpus.jsonl
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from multiprocessing import get_context
from pathlib import Path

from attention_explorer.models.training import grammar, realise
from attention_explorer.models.training.lexicon import DATA

CORPUS = DATA / "corpus.jsonl"
SPLITS = ("train", "valid", "test", "combinations")
MAX_TOKENS = 40  # English tokens per sentence; longer draws are skipped
CHUNK = 1000  # sentences drawn from one seed: chunks run in parallel and join in order
VALID_SHARE, TEST_SHARE = 0.006, 0.014


@dataclass(frozen=True)
class Pair:
    """One sentence pair: English and French tokens, gold (English index, French index) pairs, its split."""

    en: list[str]
    fr: list[str]
    align: list[tuple[int, int]]
    split: str
    features: list[str] = field(default_factory=list)
    content: list[tuple[int, int]] = field(default_factory=list)  # one-word content pairs: <unk> in training

    @classmethod
    def from_dict(cls, row: dict) -> Pair:
        return cls(
            list(row["en"]),
            list(row["fr"]),
            [(int(i), int(j)) for i, j in row["align"]],
            row.get("split", ""),
            list(row.get("features", [])),
            [(int(i), int(j)) for i, j in row.get("content", [])],
        )

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Combination:
    """A combination of grammar features kept out of training."""

    name: str
    description: str
    test: Callable[[set[str]], bool]


HELD_OUT = (
    Combination(
        "question+negated-object-relative",
        "a question holding a negated object relative (did the girl see the cat that the dog did not chase?)",
        lambda f: {"question", "relative-object-negated"} <= f,
    ),
    Combination(
        "coordinated-questions",
        "two yes/no questions joined by and / or / but (will she come or will she stay at home?)",
        lambda f: "coord-questions" in f,
    ),
    Combination(
        "nested-relative+negated-relative",
        "a relative clause inside a relative clause, in a sentence with a negated relative",
        lambda f: {"relative-nested", "relative-negated"} <= f,
    ),
    Combination(
        "question+pp-chain3",
        "a question with a chain of three prepositional phrases",
        lambda f: {"question", "pp-chain3"} <= f,
    ),
    Combination(
        "question+comparative",
        "a question holding a comparison (is your brother taller than you?)",
        lambda f: {"question", "copula-comparative"} <= f,
    ),
    Combination(
        "there-is+relative",
        "there is / there are with a relative clause (there is a cat that the dog saw)",
        lambda f: {"there-is", "relative"} <= f,
    ),
)


def held_out(features: set[str]) -> list[str]:
    """Names of the held-out combinations a sentence with these features belongs to."""
    return [c.name for c in HELD_OUT if c.test(features)]


def _chunk(args: tuple[int, int]) -> list[tuple]:
    """CHUNK sentences drawn from seed (seed, index): English, French, gold pairs, content pairs, features."""
    seed, index = args
    rng = random.Random(f"{seed}:{index}")
    out: list[tuple] = []
    while len(out) < CHUNK:
        try:
            drawn = grammar.draw(rng)
            result = realise.realise(drawn)
        except (grammar.Exhausted, realise.Unrealisable):
            continue
        if result is None or len(result[0]) > MAX_TOKENS:
            continue
        en, fr, pairs, content = result
        out.append((en, fr, pairs, content, sorted(drawn.features)))
    return out


def _chunks(seed: int, workers: int) -> Iterator[list]:
    index = 0
    if workers <= 1:
        while True:
            yield _chunk((seed, index))
            index += 1
    with get_context("fork").Pool(workers) as pool:
        while True:
            yield from pool.map(_chunk, [(seed, index + k) for k in range(workers * 4)])
            index += workers * 4


def split_of(en: list[str], seed: int, valid_share: float = VALID_SHARE, test_share: float = TEST_SHARE) -> str:
    """train / valid / test by the English text alone, so the same sentence always lands in the same split."""
    r = random.Random(f"{seed}:{' '.join(en)}").random()
    return "valid" if r < valid_share else "test" if r < valid_share + test_share else "train"


def generate(size: int, seed: int = 0, workers: int = 1) -> list[Pair]:
    """`size` distinct sentence pairs (by English) with gold alignments and a split; the same for the same seed."""
    seen: set[str] = set()
    out: list[Pair] = []
    for chunk in _chunks(seed, workers):
        for en, fr, pairs, content, features in chunk:
            key = " ".join(en)
            if key in seen:
                continue
            seen.add(key)
            split = "combinations" if held_out(set(features)) else split_of(en, seed)
            out.append(Pair(en, fr, pairs, split, features, content))
            if len(out) == size:
                return out
    return out


def load_corpus(path: Path = CORPUS) -> list[Pair]:
    with path.open(encoding="utf-8") as fh:
        return [Pair.from_dict(json.loads(line)) for line in fh]


def write_corpus(rows: list[Pair], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row.to_dict(), ensure_ascii=False) + "\n")


NAME_TOKENS = frozenset(w.lower() for w, _ in grammar.PERSON_NAMES) | frozenset(c.lower() for c in grammar.CITIES)
_DIGITS = re.compile(r"^\d+(?:[.,]\d+)*$")


def copied(token: str) -> bool:
    """Names and numbers in digits: never in a vocabulary, always read as <unk> and copied through."""
    return token in NAME_TOKENS or bool(_DIGITS.match(token))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Generate the English→French corpus with gold alignments.")
    parser.add_argument("--size", type=int, default=150_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--out", type=Path, default=CORPUS)
    args = parser.parse_args(argv)
    rows = generate(args.size, args.seed, args.workers)
    write_corpus(rows, args.out)
    lengths = sorted(len(r.en) for r in rows)
    counts = {s: sum(r.split == s for r in rows) for s in SPLITS}
    print(
        f"wrote {args.out}: {len(rows)} pairs {counts}, English length {lengths[0]}–{lengths[-1]} "
        f"(median {lengths[len(lengths) // 2]})"
    )


if __name__ == "__main__":
    main()
