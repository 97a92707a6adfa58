"""Example sentences, one per construction the translators learned, each with the French they give for it.

`EXAMPLES` maps a construction's name to an English sentence that shows it; `REFERENCES` gives the French
translation (the conventions of the training corpus: "you" is "vous", the simple past is the passé
composé). The page shows the reference under the model's output. The committed Transformer translates 29
of the 34 exactly so and the GRU + attention 24 (tests/test_translation.py holds them to that).
"""

from __future__ import annotations

import csv
import functools

from attention_explorer.models.core.text import tokenize

_PAIRS: tuple[tuple[str, str, str], ...] = (
    ("pronoun subject", "She sleeps.", "Elle dort."),
    ("pronoun object", "We saw them in the park.", "Nous les avons vus dans le parc."),
    ("possessive", "My brother reads your book.", "Mon frère lit votre livre."),
    ("demonstrative", "This house is small.", "Cette maison est petite."),
    ("be + adjective", "The soup is hot.", "La soupe est chaude."),
    ("be + noun", "She is a doctor.", "Elle est médecin."),
    ("be + place", "The keys are on the table.", "Les clés sont sur la table."),
    ("there is", "There is a bird in the tree.", "Il y a un oiseau dans l'arbre."),
    ("modal verb", "You can open the window.", "Vous pouvez ouvrir la fenêtre."),
    ("want to", "They want to buy a new car.", "Ils veulent acheter une nouvelle voiture."),
    ("yes/no question", "Did you eat the apple?", "Avez-vous mangé la pomme\u202f?"),
    ("wh- question", "Where does the cat sleep?", "Où le chat dort-il\u202f?"),
    ("negation", "I do not like coffee.", "Je n'aime pas le café."),
    ("never", "My father never reads the newspaper.", "Mon père ne lit jamais le journal."),
    ("subject relative clause", "The woman who lives here is a doctor.", "La femme qui vit ici est médecin."),
    ("object relative clause", "The cat that the dog saw is sleeping.", "Le chat que le chien a vu dort."),
    (
        "negated relative clause",
        "The apples that the boy did not eat are red.",
        "Les pommes que le garçon n'a pas mangées sont rouges.",
    ),
    (
        "nested relative clauses",
        "The man who sold the house that we bought is my uncle.",
        "L'homme qui a vendu la maison que nous avons achetée est mon oncle.",
    ),
    ("coordinated nouns", "A boy and a girl sing.", "Un garçon et une fille chantent."),
    ("coordinated clauses", "She is tall and her brother is strong.", "Elle est grande et son frère est fort."),
    (
        "chain of prepositional phrases",
        "The letter is on the table in the kitchen of the old house.",
        "La lettre est sur la table dans la cuisine de la vieille maison.",
    ),
    ("adverb", "The old man walks slowly.", "Le vieil homme marche lentement."),
    ("number", "There are three pens on the desk.", "Il y a trois stylos sur le bureau."),
    ("comparative", "My brother is taller than me.", "Mon frère est plus grand que moi."),
    ("genitive 's", "The boy's dog is black.", "Le chien du garçon est noir."),
    ("because", "We stay at home because it is raining.", "Nous restons à la maison parce qu'il pleut."),
    ("if", "If it rains, we will stay at home.", "S'il pleut, nous resterons à la maison."),
    ("when", "When the bell rings, the girls run.", "Quand la cloche sonne, les filles courent."),
    ("future", "The train will arrive tomorrow.", "Le train arrivera demain."),
    (
        "past progressive",
        "I was reading the newspaper when the phone rang.",
        "Je lisais le journal quand le téléphone a sonné.",
    ),
    ("be hungry → avoir faim", "I am hungry.", "J'ai faim."),
    ("my feet hurt → j'ai mal aux pieds", "My feet hurt.", "J'ai mal aux pieds."),
    ("French adjective order", "The European economic area is big.", "La zone économique européenne est grande."),
    ("names and numbers copied", "Alice has 42 apples.", "Alice a 42 pommes."),
)

EXAMPLES: dict[str, str] = {name: en for name, en, _ in _PAIRS}  # construction → English sentence
REFERENCES: dict[str, str] = {name: fr for name, _, fr in _PAIRS}  # construction → its French translation


@functools.cache
def _by_tokens() -> dict[tuple[str, ...], str]:
    return {tuple(tokenize(en)): name for name, en, _ in _PAIRS}


def example_named(tokens: tuple[str, ...]) -> str | None:
    """The construction whose example sentence reads as these normalised tokens (None: not an example)."""
    return _by_tokens().get(tokens)


@functools.cache
def known_words() -> tuple[tuple[str, str, str], ...]:
    """The lexicon the corpus was drawn from, as (part of speech, English, French), plus its fixed expressions.

    Read from the training data files (lexicon.tsv, lexicon_extra.tsv, idioms.tsv) that ship with the package.
    """
    from attention_explorer.models.training.lexicon import DATA

    rows: list[tuple[str, str, str]] = []
    for name in ("lexicon.tsv", "lexicon_extra.tsv", "idioms.tsv"):
        with (DATA / name).open(encoding="utf-8") as fh:
            lines = [line for line in fh if not line.startswith("#")]
        for row in csv.DictReader(lines, delimiter="\t"):
            kind = row.get("pos") or ("expression" if row.get("kind") == "fixed" else "")
            if kind and row.get("en") and row.get("fr"):
                rows.append((kind, row["en"], row["fr"]))
    return tuple(sorted(set(rows), key=lambda r: (r[1].lower(), r[0])))
