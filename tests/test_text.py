"""Typed text becomes the corpus's tokens: case, contractions, quotes, spaces and final punctuation."""

import pytest

from attention_explorer.models.core.text import normalize, tokenize, tokenize_en, tokenize_fr


@pytest.mark.parametrize(
    ("typed", "tokens"),
    [
        ("the dog sleeps", "the dog sleeps ."),
        ("THE TRAIN IS LATE", "the train is late ."),
        ("the  bread is on the table", "the bread is on the table ."),
        ("  We need a new car. ", "we need a new car ."),
        ("where does the dog sleep", "where does the dog sleep ?"),
        ("are the girls happy", "are the girls happy ?"),
        ("I don't like coffee", "i do not like coffee ."),
        ("She can't come tomorrow", "she cannot come tomorrow ."),
        ("We won't forget this day.", "we will not forget this day ."),
        ("The shop isn’t open today", "the shop is not open today ."),
        ("It's snowing today", "it is snowing today ."),
        ("I'm hungry", "i am hungry ."),
        ("you’re right", "you are right ."),
        ("they've eaten", "they have eaten ."),
        ("he's been there", "he has been there ."),
        ("The boy's dog is black.", "the boy 's dog is black ."),
        ("Why didn't you call me?", "why did you not call me ?"),
        ("Didn't the cat sleep?", "did not the cat sleep ?"),
        ("Can't you help me?", "can you not help me ?"),
        ("Who is that man??", "who is that man ?"),
        ("Tom has 42 apples", "tom has 42 apples ."),
        ("In 1957, Tom bought this house.", "in 1957 , tom bought this house ."),
        ("“Hello,” she said.", "hello , she said ."),
        ("good\u200bbye", "goodbye ."),
    ],
)
def test_typed_text_reads_as_the_corpus_writes_it(typed, tokens):
    assert " ".join(tokenize(typed)) == tokens


def test_normalisation_says_what_it_changed():
    n = normalize("I don’t  know")
    assert n.tokens == ("i", "do", "not", "know", ".")
    notes = " ".join(n.notes)
    assert "curly" in notes and "spaces" in notes and "don't" in notes and "full stop" in notes
    assert "lower-cased" in notes  # "I"
    assert normalize("the cat sleeps .").notes == ()


def test_typed_case_is_kept_for_copying():
    n = normalize("Alice lives in Paris")
    assert n.tokens == ("alice", "lives", "in", "paris", ".")
    assert n.typed == ("Alice", "lives", "in", "Paris", ".")


def test_nothing_to_read():
    assert tokenize("") == []
    assert tokenize("   ") == []


def test_french_keeps_elision_and_one_word_for_aujourdhui():
    assert tokenize_fr("L'homme n'a-t-il pas mangé aujourd'hui?") == [
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
        "aujourd'hui",
        "?",
    ]


def test_english_splits_the_genitive_but_not_hyphenated_words():
    assert tokenize_en("The boy's well-known dog.") == ["the", "boy", "'s", "well-known", "dog", "."]


def test_french_tokens_are_written_back_as_the_sentence_they_came_from():
    from attention_explorer.models.core.text import render_fr, tokenize_fr
    from attention_explorer.models.translation.examples import REFERENCES

    for french in REFERENCES.values():
        assert render_fr(tokenize_fr(french)) == french
    tokens = ["l'", "homme", "qu'", "il", "voit", "dort", "-", "il", "?"]
    assert render_fr(tokens) == "L'homme qu'il voit dort-il\u202f?"  # a narrow no-break space, as French prints it
    assert render_fr(["attention", "!"]) == "Attention\u202f!"
