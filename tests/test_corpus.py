"""The generated corpus: a real lexicon, deterministic sentences, gold alignments true to both sides."""

import pytest

from attention_explorer.models.core.text import tokenize
from attention_explorer.models.training import corpus


@pytest.fixture(scope="module")
def rows():
    return corpus.generate(400, seed=11)


def test_lexicon_is_several_hundred_pairs_known_to_pyrealb():
    import pyrealb

    lex = corpus.load_lexicon()
    assert sum(len(v) for v in lex.values()) >= 300
    assert {"N", "A", "VT", "VI", "Adv", "P", "NO"} <= set(lex)
    pyrealb.loadEn()
    en = pyrealb.getLexicon()
    pyrealb.loadFr()
    fr = pyrealb.getLexicon()
    pos_of = {"VT": "V", "VI": "V", "NO": None}
    for pos, entries in lex.items():
        for e in entries:
            if pos_of.get(pos, pos) is None:
                continue
            assert pos_of.get(pos, pos) in en[e.en], e
            assert pos_of.get(pos, pos) in fr[e.fr], e
            if pos == "N":
                assert fr[e.fr]["N"]["g"] == e.fr_gender, e


def test_generation_is_deterministic_and_split_by_sentence(rows):
    assert corpus.generate(50, seed=11) == rows[:50]
    assert corpus.generate(50, seed=12) != rows[:50]
    assert len({" ".join(r.en) for r in rows}) == len(rows)
    assert {r.split for r in rows} == set(corpus.SPLITS)


def test_sentences_span_short_to_long(rows):
    lengths = [len(r.en) for r in rows]
    assert min(lengths) <= 5 and max(lengths) >= 30
    assert max(lengths) <= corpus.MAX_TOKENS


def test_gold_alignments_join_forms_of_the_same_lemma(rows):
    en_map, fr_map = corpus._form_map("en"), corpus._form_map("fr")
    for r in rows:
        assert len({i for i, _ in r.align}) == len(r.align)  # one French word per English word
        for i, j in r.align:
            assert en_map[r.en[i]] & fr_map[r.fr[j]], (r.en[i], r.fr[j])


def test_french_reorders_adjectives_and_splits_negation():
    found_reorder = found_neg = False
    for r in corpus.generate(300, seed=3):
        found_reorder |= any(i1 < i2 and j1 > j2 for (i1, j1) in r.align for (i2, j2) in r.align)
        found_neg |= "ne" in r.fr or "n'" in r.fr
    assert found_reorder and found_neg


def test_tokenize_splits_elision_and_punctuation():
    assert tokenize("L'homme n'a-t-il pas mangé?") == [
        "l'",
        "homme",
        "n'",
        "a",
        "-",
        "t",
        "-",
        "il",
        "pas",
        "mangé",
        "?",
    ]
