"""A recursive English–French grammar whose features are drawn independently.

`draw(rng)` returns one sentence as a pair of builders (one per language) over pyrealb constituents,
the slots that the gold alignment joins, and the features the sentence uses. Each choice — the
subject (pronoun, name, noun phrase, coordination), the determiner, the adjectives, the tense, a modal,
negation, the question type, a relative clause on any noun phrase (subject or object gap, its own
tense, negated, nested), prepositional phrases and their chains, adverbs, a subordinate or coordinated
clause, the idioms — is drawn on its own, so any combination of them can occur.

Conventions for the French (the hand-written references follow them too): "you" is "vous" with plural
agreement; "it" is "il"/"le"; "they" is "ils"; the simple past and the present perfect are the passé
composé, the past progressive the imparfait, the present progressive the présent; will → futur,
would → conditionnel, can/could → pouvoir (présent/conditionnel), must → devoir, should → devoir
(conditionnel), may/might → pouvoir (présent/conditionnel), want to → vouloir; the genitive 's → de
("the boy's dog" → "le chien du garçon"); a negated indefinite object takes "de" ("pas de pomme").
"""

from __future__ import annotations

import functools
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from attention_explorer.models.training.forms import Forms, lemma_forms, literal
from attention_explorer.models.training.lexicon import Adjective, Frame, Lexicon, Noun, Verb, load_lexicon

# the verbs the lexicon leaves to the grammar, used as main verbs too ("I have two cats", "what are you doing?")
LIGHT_VERBS = (Verb("have", "avoir", (Frame("tr"),), zipf=6.5), Verb("do", "faire", (Frame("tr"),), zipf=6.0))

Build = Callable[[], Any]  # builds one pyrealb constituent for the language that is loaded


@dataclass
class Bi:
    """One constituent in both languages, as two builders."""

    en: Build
    fr: Build


def R():  # pyrealb's constructors, imported when a builder runs
    import pyrealb

    return pyrealb


@dataclass(frozen=True)
class Slot:
    """A word of the structure, realised once in each language: the gold alignment joins its two tokens.

    `en` / `fr` are ("lex", POS, lemma, gender) — every form pyrealb gives the lemma — or ("forms", Forms).
    A content slot must be found exactly once on both sides (otherwise the sentence is drawn again); a
    function-word slot is aligned only when it is.
    """

    en: tuple
    fr: tuple
    content: bool = True

    def forms(self, lang: str) -> Forms:
        key = self.en if lang == "en" else self.fr
        if key[0] == "forms":
            return key[1]
        return lemma_forms(lang, key[1], key[2], key[3] if len(key) > 3 else "")


def lex(pos: str, lemma: str, gender: str = "") -> tuple:
    return ("lex", pos, lemma, gender)


def lit(lang: str, *texts: str) -> tuple:
    return ("forms", literal(*texts, lang=lang))


_CUMULATIVE: dict[int, tuple[Any, list[float]]] = {}


def _cumulative(items) -> list[float] | None:
    """Cumulative drawing weights 10^(zipf/2) of lexicon entries (None for plain lists: uniform)."""
    if not items or not hasattr(items[0], "zipf"):
        return None
    cached = _CUMULATIVE.get(id(items))
    if cached is not None and cached[0] is items:
        return cached[1]
    cum = list(itertools.accumulate(10 ** (x.zipf / 2) for x in items))
    if isinstance(items, tuple):
        _CUMULATIVE[id(items)] = (items, cum)
    return cum


# sentence connectors and comment adverbs are left out of the manner adverbs that end a verb phrase
NOT_MANNER = ("so", "however", "therefore", "thus", "instead", "otherwise", "fortunately", "luckily", "unfortunately",
              "naturally", "honestly", "suddenly")  # fmt: skip


@functools.cache
def _manner_adverbs(lexicon: Lexicon) -> tuple:
    return tuple(a for a in lexicon.adverbs if a.cls == "manner" and a.en not in NOT_MANNER)


@functools.cache
def _without(items: tuple, exclude: frozenset[str]) -> tuple:
    return tuple(x for x in items if x.en not in exclude)


class Exhausted(Exception):
    """The sentence asked for a word it could not use (all used, or nothing fits); draw another."""


# ---- closed-class words -------------------------------------------------------------------------------

# key: (person, English number, French number, English gender, French gender)
PRONOUNS = {
    "I": (1, "s", "s", "m", "m"),
    "you": (2, "s", "p", "m", "m"),
    "he": (3, "s", "s", "m", "m"),
    "she": (3, "s", "s", "f", "f"),
    "it": (3, "s", "s", "n", "m"),
    "we": (1, "p", "p", "m", "m"),
    "they": (3, "p", "p", "m", "m"),
}
EN_FORMS: dict[str, dict[str, str]] = {
    "subj": {"I": "i", "you": "you", "he": "he", "she": "she", "it": "it", "we": "we", "they": "they"},
    "obj": {"I": "me", "you": "you", "he": "him", "she": "her", "it": "it", "we": "us", "they": "them"},
}
_FR_CASES = {  # French forms of each pronoun by case: subject, direct object, indirect object, after a preposition
    "subj": ("je j'", "vous", "il", "elle", "il", "nous", "ils"),
    "acc": ("me m'", "vous", "le l'", "la l'", "le l'", "nous", "les"),
    "dat": ("me m'", "vous", "lui", "lui", "lui", "nous", "leur"),
    "tonic": ("moi", "vous", "lui", "elle", "lui", "nous", "eux"),
}
FR_FORMS: dict[str, dict[str, tuple[str, ...]]] = {
    case: {key: tuple(forms.split()) for key, forms in zip(PRONOUNS, row, strict=True)}
    for case, row in _FR_CASES.items()
}
POSSESSIVES = {  # English possessive determiner → pronoun key
    "my": "I",
    "your": "you",
    "his": "he",
    "her": "she",
    "its": "it",
    "our": "we",
    "their": "they",
}
FR_POSSESSIVE_FORMS = {
    "I": ("mon", "ma", "mes"),
    "you": ("votre", "vos"),
    "he": ("son", "sa", "ses"),
    "she": ("son", "sa", "ses"),
    "it": ("son", "sa", "ses"),
    "we": ("notre", "nos"),
    "they": ("leur", "leurs"),
}
# (English, French, French forms) — person names and cities, all consonant-initial so that no French
# elision depends on a word the translator reads as <unk>
PERSON_NAMES = (
    ("Tom", "m"), ("Sarah", "f"), ("Paul", "m"), ("Marie", "f"), ("Peter", "m"), ("Julia", "f"),
    ("David", "m"), ("Laura", "f"), ("Max", "m"), ("Nina", "f"), ("Ben", "m"), ("Sophie", "f"),
    ("Jack", "m"), ("Lucy", "f"), ("Sam", "m"), ("Kate", "f"), ("Leo", "m"), ("Mia", "f"),
    ("Victor", "m"), ("Zoe", "f"), ("Hugo", "m"), ("Chloe", "f"), ("Noah", "m"), ("Rosa", "f"),
)  # fmt: skip
CITIES = ("Paris", "London", "Berlin", "Rome", "Madrid", "Tokyo", "Lisbon", "Dublin", "Vienna", "Geneva", "Boston",
          "Montreal", "Prague", "Warsaw", "Brussels", "Chicago", "Lyon", "Marseille", "Toronto", "Cairo")  # fmt: skip

DEGREE = [("very", "très"), ("too", "trop"), ("so", "si"), ("quite", "assez"), ("really", "vraiment"),
          ("extremely", "extrêmement"), ("rather", "plutôt"), ("completely", "complètement"),
          ("almost", "presque"), ("totally", "totalement"), ("particularly", "particulièrement")]  # fmt: skip
SENTENCE_ADVERBS = [("however", "cependant"), ("therefore", "donc"), ("fortunately", "heureusement"),
                    ("unfortunately", "malheureusement"), ("suddenly", "soudain"), ("finally", "enfin"),
                    ("then", "ensuite"), ("now", "maintenant"), ("luckily", "heureusement"), ("so", "alors"),
                    ("honestly", "honnêtement"), ("maybe", "peut-être"), ("perhaps", "peut-être")]  # fmt: skip
MID_ADVERBS = [("often", "souvent"), ("always", "toujours"), ("sometimes", "parfois"), ("usually", "habituellement"),
               ("rarely", "rarement"), ("also", "aussi"), ("really", "vraiment"), ("just", "juste"),
               ("only", "seulement"), ("probably", "probablement"), ("generally", "généralement"),
               ("normally", "normalement"), ("seldom", "rarement"), ("even", "même"), ("already", "déjà"),
               ("still", "encore")]  # fmt: skip
# time adverbs and the tenses they go with
TIME_ADVERBS = {
    "yesterday": ("hier", {"past", "pastprog"}),
    "today": ("aujourd'hui", {"pres", "prog", "past", "fut", "perf"}),
    "tomorrow": ("demain", {"fut"}),
    "now": ("maintenant", {"pres", "prog"}),
    "soon": ("bientôt", {"fut"}),
    "again": ("encore", {"pres", "past", "fut", "perf"}),
    "later": ("plus tard", {"fut"}),
    "early": ("tôt", {"pres", "past", "fut"}),
    "late": ("tard", {"pres", "past", "fut"}),
    "recently": ("récemment", {"past", "perf"}),
    "once": ("une fois", {"past", "perf"}),
    "every day": ("chaque jour", {"pres", "fut"}),
    "every morning": ("chaque matin", {"pres", "fut"}),
    "every evening": ("chaque soir", {"pres", "fut"}),
    "every week": ("chaque semaine", {"pres", "fut"}),
    "every year": ("chaque année", {"pres", "fut"}),
    "every night": ("chaque nuit", {"pres", "fut"}),
    "all night": ("toute la nuit", {"past", "fut", "pastprog"}),
    "all day": ("toute la journée", {"past", "fut", "pastprog", "pres"}),
    "last year": ("l'année dernière", {"past"}),
    "last week": ("la semaine dernière", {"past"}),
    "next week": ("la semaine prochaine", {"fut"}),
    "next year": ("l'année prochaine", {"fut"}),
    "two years ago": ("il y a deux ans", {"past"}),
    "three days ago": ("il y a trois jours", {"past"}),
    "ten minutes ago": ("il y a dix minutes", {"past"}),
    "a week ago": ("il y a une semaine", {"past"}),
}
PLACE_ADVERBS = [("here", "ici"), ("there", "là"), ("outside", "dehors"), ("inside", "dedans"),
                 ("everywhere", "partout"), ("far away", "loin"), ("at home", "à la maison"),
                 ("downstairs", "en bas"), ("upstairs", "en haut"), ("further", "plus loin"),
                 ("away", "loin"), ("back", "en arrière")]  # fmt: skip
# English particle verbs → one French verb (reflexive when marked)
PHRASAL = [("get", "up", "lever", True, False), ("wake", "up", "réveiller", True, False),
           ("go", "out", "sortir", False, False), ("come", "back", "revenir", False, False),
           ("go", "back", "retourner", False, False), ("come", "in", "entrer", False, False),
           ("go", "down", "descendre", False, False), ("go", "up", "monter", False, False),
           ("lie", "down", "allonger", True, False), ("calm", "down", "calmer", True, False),
           ("hurry", "up", "dépêcher", True, False), ("slow", "down", "ralentir", False, False),
           ("grow", "up", "grandir", False, False), ("give", "up", "abandonner", False, False),
           ("turn", "off", "éteindre", False, True), ("switch", "off", "éteindre", False, True),
           ("turn", "on", "allumer", False, True), ("put", "on", "mettre", False, True),
           ("take", "off", "enlever", False, True), ("pick", "up", "ramasser", False, True),
           ("throw", "away", "jeter", False, True), ("find", "out", "découvrir", False, False),
           ("write", "down", "noter", False, True), ("clean", "up", "nettoyer", False, True)]  # fmt: skip
# (verb, French "à" dative clitic for a pronoun object)
DATIVE_VERBS = {"parler", "téléphoner", "répondre", "obéir", "ressembler", "plaire", "sourire", "mentir",
                "pardonner", "écrire", "donner", "montrer", "dire", "envoyer", "apporter", "offrir", "prêter",
                "vendre", "expliquer", "enseigner", "promettre", "appartenir", "arriver"}  # fmt: skip
DITRANSITIVE = {"give", "show", "tell", "bring", "send", "offer", "lend", "sell", "explain", "teach", "promise",
                "write", "pass", "throw", "pay", "read", "buy"}  # fmt: skip
GERUND_VERBS = {"like", "love", "hate", "prefer", "start", "begin", "stop"}
# copula adjectives realised with avoir + noun in French; "person" marks those that need an animate subject
AVOIR_ADJECTIVES = {"hungry": ("faim", False), "thirsty": ("soif", False), "afraid": ("peur", False),
                    "sleepy": ("sommeil", False), "right": ("raison", True), "wrong": ("tort", True),
                    "cold": ("froid", True), "hot": ("chaud", True)}  # fmt: skip
WEATHER_ADJECTIVES = {"cold": "froid", "hot": "chaud", "warm": "chaud", "nice": "beau"}
EXPRESSIONS = [  # fixed expressions, alone or before a sentence: (English, French, [(en index, fr index)])
    ("thank you", "merci", [(0, 0), (1, 0)]),
    ("thank you very much", "merci beaucoup", [(0, 0), (1, 0), (2, 1), (3, 1)]),
    ("good morning", "bonjour", [(0, 0), (1, 0)]),
    ("hello", "bonjour", [(0, 0)]),
    ("good evening", "bonsoir", [(0, 0), (1, 0)]),
    ("good night", "bonne nuit", [(0, 0), (1, 1)]),
    ("goodbye", "au revoir", [(0, 0), (0, 1)]),
    ("please", "s'il vous plaît", [(0, 0), (0, 1), (0, 2), (0, 3)]),
    ("of course", "bien sûr", [(0, 0), (1, 1)]),
    ("yes", "oui", [(0, 0)]),
    ("no", "non", [(0, 0)]),
    ("oh", "oh", [(0, 0)]),
    ("yeah", "ouais", [(0, 0)]),
    ("you are welcome", "de rien", [(2, 0), (2, 1)]),
    ("happy birthday", "joyeux anniversaire", [(0, 0), (1, 1)]),
    ("good luck", "bonne chance", [(0, 0), (1, 1)]),
    ("excuse me", "excusez-moi", [(0, 0), (1, 2)]),
    ("sorry", "pardon", [(0, 0)]),
    ("it does not matter", "ce n'est pas grave", [(2, 3), (3, 2), (4, 4)]),
    ("see you tomorrow", "à demain", [(2, 1)]),
]
QUESTIONS_FIXED = [
    ("how are you ?", "comment allez-vous ?", [(0, 0), (1, 1), (2, 3), (3, 4)]),
    ("what time is it ?", "quelle heure est-il ?", [(0, 0), (1, 1), (2, 2), (3, 4), (4, 5)]),
    ("what is your name ?", "comment vous appelez-vous ?", [(0, 0), (3, 2), (4, 5)]),
    ("how old are you ?", "quel âge avez-vous ?", [(0, 0), (1, 1), (2, 2), (3, 4), (4, 5)]),
    ("where are you from ?", "d'où venez-vous ?", [(0, 1), (3, 2), (4, 5)]),
]

# prepositions of more than one word: (English, French head, French preposition that contracts with le/les)
MULTIWORD_PREPOSITIONS = [("until", "", "jusqu'à"), ("near", "près", "de"), ("next to", "à côté", "de"),
                          ("far from", "loin", "de"), ("in front of", "", "devant"), ("because of", "à cause", "de"),
                          ("due to", "à cause", "de"), ("above", "au-dessus", "de"), ("over", "au-dessus", "de"),
                          ("around", "autour", "de"), ("along", "le long", "de"), ("across", "", "à travers"),
                          ("within", "", "dans"), ("outside", "", "hors de"), ("below", "", "sous"),
                          ("instead of", "au lieu", "de"), ("out of", "", "hors de"), ("up", "", "en haut de"),
                          ("down", "", "en bas de"), ("off", "", "hors de")]  # fmt: skip
# indefinite pronouns: English, French, French negation word the clause takes (or ""), simple tenses only
INDEFINITE_OBJECTS = [("something", "quelque chose", "", False), ("someone", "quelqu'un", "", False),
                      ("everything", "tout", "", True), ("everyone", "tout le monde", "", False),
                      ("nothing", "", "rien", False), ("anything", "", "rien", False),
                      ("anyone", "", "personne", True), ("nobody", "", "personne", True),
                      ("something else", "autre chose", "", False), ("someone else", "quelqu'un d'autre", "", False),
                      ("the others", "les autres", "", False)]  # fmt: skip
INDEFINITE_SUBJECTS = [("someone", "quelqu'un"), ("everyone", "tout le monde"), ("something", "quelque chose"),
                       ("everything", "tout")]  # fmt: skip
REFLEXIVES = {
    "I": "myself",
    "you": "yourself",
    "he": "himself",
    "she": "herself",
    "we": "ourselves",
    "they": "themselves",
}
CONTAINERS = {"cup", "glass", "bottle", "piece", "bag", "box", "plate", "bowl", "kilo", "slice", "jar", "basket",
              "spoon", "pot", "can", "packet", "list", "group", "lot"}  # fmt: skip
INDIRECT_WORDS = [("where", "où"), ("when", "quand"), ("why", "pourquoi"), ("how", "comment"), ("whether", "si"),
                  ("if", "si")]  # fmt: skip

TENSES = ("pres", "prog", "past", "pastprog", "perf", "fut", "cond")
SIMPLE_FR = {"pres", "prog", "pastprog", "fut", "cond"}  # tenses that are one French word (no participle)
EN_TENSE = {"pres": "p", "prog": "p", "past": "ps", "pastprog": "ps", "perf": "p", "fut": "f", "cond": "c"}
FR_TENSE = {"pres": "p", "prog": "p", "past": "pc", "pastprog": "i", "perf": "pc", "fut": "f", "cond": "c"}
EN_ASPECT = {"prog": {"prog": True}, "pastprog": {"prog": True}, "perf": {"perf": True}}
# modal → (English typ, English tense, French typ, French tense)
MODALS = {
    "can": ("poss", "p", "poss", "p"),
    "could": ("poss", "c", "poss", "c"),
    "must": ("obli", "p", "obli", "p"),
    "should": ("nece", "c", "obli", "c"),
    "may": ("perm", "p", "poss", "p"),
    "might": ("perm", "c", "poss", "c"),
}
FR_MODAL_VERB = {"can": "pouvoir", "could": "pouvoir", "must": "devoir", "should": "devoir", "may": "pouvoir",
                 "might": "pouvoir"}  # fmt: skip
QUESTIONS = {"who": "wos", "whom": "wod", "what": "wad", "where": "whe", "when": "whn", "why": "why", "how": "how"}
FR_QUESTION_WORDS = {"who": ("qui",), "whom": ("qui",), "what": ("que", "qu'"), "where": ("où",),
                     "when": ("quand",), "why": ("pourquoi",), "how": ("comment",)}  # fmt: skip


# ---- noun phrases ------------------------------------------------------------------------------------


@dataclass
class NP:
    """A drawn noun phrase: both builders and what agreement needs."""

    bi: Bi
    pe: int = 3
    n: str = "s"  # English number
    fr_n: str = "s"  # French number (you → vous is plural)
    g: str = "m"  # French gender
    en_g: str = "n"  # English pronoun gender: m, f, n
    pron: str | None = None  # personal pronoun key
    animate: bool = False
    kind: str = "np"  # np, pron, name, coord, indefinite
    indefinite: bool = False  # a/an, some, any, bare: French "de" under negation
    noun: Noun | None = None
    det: str = ""
    # the same NP under negation: English "any" / "no" for an indefinite, French "de" (None: no change)
    neg: Callable[[str, str], Any] | None = None

    def negated(self, lang: str, en_word: str = "any") -> Any:
        """This NP as the object of a negated clause ("any apples" / "no apples"; "de pommes")."""
        return self.neg(lang, en_word) if self.neg is not None else (self.bi.fr() if lang == "fr" else self.bi.en())


@dataclass
class Drawn:
    """One sentence drawn: builders for both languages, alignment slots, features and post-edits."""

    en: Build
    fr: Build
    slots: list[Slot]
    features: set[str]
    fixed: tuple[str, str, list[tuple[int, int]]] | None = None  # a fixed expression: texts and alignment
    end: str = ""  # final punctuation other than pyrealb's (an imperative may end with "!")
    please: bool = False  # an imperative followed by ", please" → ", s'il vous plaît"
    fr_fixes: list[tuple[str, str]] = field(default_factory=list)  # French token replacements (agreement)
    en_not_moves: list[int] = field(default_factory=list)  # English negated questions: subject token counts
    en_ever: bool = False  # "ever you have seen …?" to be written "have you ever seen …?"


class Gen:
    """Draws one sentence. No content lemma is used twice in it, so every slot is found once."""

    def __init__(self, rng: random.Random, lexicon: Lexicon):
        self.rng, self.lex = rng, lexicon
        self.used: set[str] = set()
        self.slots: list[Slot] = []
        self.features: set[str] = set()
        self.fr_fixes: list[tuple[str, str]] = []
        self.en_not_moves: list[int] = []
        self.en_ever = False  # an "ever" question: realise.fix_english moves "ever" after the subject
        self.in_relative = 0  # how many relative clauses the word being drawn is inside
        self.possessive_word = ""  # the possessive determiner drawn last ("my", "their")
        self.pronouns_used: set[str] = set()

    # -- helpers --------------------------------------------------------------------------------------

    def p(self, prob: float) -> bool:
        return self.rng.random() < prob

    def pick(self, options, weights=None):
        return self.rng.choices(options, weights)[0] if weights else self.rng.choice(options)

    def fresh(self, items, key=lambda x: (x.en, x.fr), tries: int = 60):
        """A random item whose words are not used yet in this sentence; lexicon words by their frequency."""
        cum = _cumulative(items)
        for _ in range(tries):
            item = self.rng.choices(items, cum_weights=cum)[0] if cum is not None else self.rng.choice(items)
            k = key(item)
            if not (set(k) & self.used):
                self.used.update(k)
                return item
        raise Exhausted

    def slot(self, en: tuple, fr: tuple, content: bool = True) -> None:
        self.slots.append(Slot(en, fr, content))

    def feature(self, name: str) -> None:
        self.features.add(name)

    # -- words ----------------------------------------------------------------------------------------

    def noun(self, classes: tuple[str, ...] | None = None, countable: bool = False) -> Noun:
        pool = self.lex.nouns_of(*classes) if classes else self.lex.nouns
        if countable:
            pool = tuple(n for n in pool if not n.mass)
        noun = self.fresh(pool)
        self.slot(lex("N", noun.en), lex("N", noun.fr, noun.gender if noun.epicene else ""))
        return noun

    def adjective(self, exclude: frozenset[str] = frozenset()) -> Adjective:
        pool = self.lex.adjectives if not exclude else _without(self.lex.adjectives, exclude)
        adj = self.fresh(pool)
        self.slot(lex("A", adj.en), lex("A", adj.fr))
        return adj

    @staticmethod
    def a_builders(adj: Adjective, form: str = "") -> Bi:
        def en():
            a = R().A(adj.en)
            return a.f(form) if form else a

        def fr():
            a = R().A(adj.fr).pos("pre" if adj.pre else "post")
            return a.f(form) if form else a

        return Bi(en, fr)

    def adjective_phrase(self, degree_p: float = 0.25, exclude: frozenset[str] = frozenset()) -> Bi:
        """An adjective, maybe with a degree adverb ("very tall") or coordinated ("tall and strong")."""
        adj = self.adjective(exclude)
        a = self.a_builders(adj)
        if self.p(degree_p):
            d_en, d_fr = self.fresh(DEGREE, key=lambda x: (x[0], x[1]))
            self.slot(lit("en", d_en), lit("fr", d_fr), content=False)
            self.feature("degree-adverb")
            return Bi(lambda: R().AP(R().Adv(d_en), a.en()), lambda: R().AP(R().Adv(d_fr), a.fr()))
        if self.p(0.12):
            other = self.a_builders(self.adjective(exclude))
            conj = self.pick([("and", "et"), ("but", "mais"), ("or", "ou")], [6, 2, 1])
            self.slot(lit("en", conj[0]), lit("fr", conj[1]), content=False)
            self.feature("coord-adjective")
            return Bi(
                lambda: R().CP(R().C(conj[0]), a.en(), other.en()), lambda: R().CP(R().C(conj[1]), a.fr(), other.fr())
            )
        return a

    # -- noun phrases ---------------------------------------------------------------------------------

    def pronoun(self, role: str, exclude: tuple[str, ...] = ()) -> NP:
        """A personal pronoun NP; role: subj, obj (English object form; French as the clause needs)."""
        keys = [k for k in PRONOUNS if k not in exclude and k not in self.pronouns_used]
        if not keys:
            raise Exhausted
        key = self.pick(keys, [3 if k in ("I", "you", "he", "she", "we", "they") else 1.5 for k in keys])
        self.pronouns_used.add(key)
        return self.pronoun_np(key, role)

    def pronoun_np(self, key: str, role: str) -> NP:
        pe, n, fr_n, en_g, g = PRONOUNS[key]
        self.feature("pronoun-subject" if role == "subj" else "pronoun-object")
        if role == "subj":

            def en():
                return R().Pro("I").pe(pe).n(n).g(en_g)

            def fr():
                return R().Pro("je").pe(pe).n(fr_n).g(g)

        else:

            def en():
                return R().Pro("me").pe(pe).n(n).g(en_g)

            def fr():  # the caller decides the French case (acc, dat or tonic)
                return R().Pro("moi").pe(pe).n(fr_n).g(g)

        return NP(Bi(en, fr), pe, n, fr_n, g, en_g, key, key != "it", "pron")

    def name(self, city: bool = False) -> NP:
        if city:
            word = self.fresh(CITIES, key=lambda c: (c,))
            gender = "f"
        else:
            word, gender = self.fresh(PERSON_NAMES, key=lambda c: (c[0],))
        self.slot(lit("en", word), lit("fr", word))
        self.feature("name")
        return NP(  # a name in an NP with its gender: French agreement and inversion ("Zoe est-elle allée ?")
            Bi(lambda: R().NP(R().Q(word)), lambda: R().NP(R().Q(word)).g(gender)),
            g=gender,
            en_g="n" if city else gender,
            animate=not city,
            kind="name",
        )

    def number_word(self, plural: bool) -> tuple[Build, Build] | None:
        """A number determiner: a word (two … thousand, one) or digits copied through."""
        if not plural:
            self.slot(lit("en", "one"), lit("fr", "un", "une"), content=False)
            self.feature("number")
            return (lambda: R().NO(1).nat(True), lambda: R().NO(1).nat(True))
        if self.p(0.25):
            digits = str(self.pick([self.rng.randint(2, 99), self.rng.randint(100, 2000)], [3, 1]))
            if digits in self.used:
                raise Exhausted
            self.used.add(digits)
            self.slot(lit("en", digits), lit("fr", digits))
            self.feature("digits")
            return (lambda: R().Q(digits), lambda: R().Q(digits))
        w = self.fresh(self.lex.numbers)
        self.slot(lex("NO", w.en), lit("fr", w.fr))
        self.feature("number")
        value = {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
        value |= {"eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16}
        value |= {"seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40}
        value |= {"fifty": 50, "sixty": 60, "hundred": 100, "thousand": 1000}
        v = value[w.en]
        return (lambda: R().NO(v).nat(True), lambda: R().NO(v).nat(True))

    def noun_phrase(
        self,
        depth: int,
        size: float,
        role: str = "obj",
        classes: tuple[str, ...] | None = None,
        allow_rel: bool = True,
        plural: bool | None = None,
    ) -> NP:
        """Det + adjectives + noun + PP chain + relative clause, each part drawn on its own."""
        noun = self.noun(classes)
        if plural is None:
            plural = not noun.mass and self.p(0.35)
        if noun.mass:
            plural = False
        dets = ["the", "a", "poss", "dem", "number", "some", "quant", "every", "another", "other", "such", "bare"]
        weights = [10, 6, 4, 2.5, 1.5, 1.2, 1.2, 0.6, 0.4, 0.3, 0.2, 0.6]
        det = self.pick(dets, weights)
        if noun.mass and det in ("a", "number", "every", "another", "such"):
            det = self.pick(["the", "some", "poss", "bare"])
        if det in ("every", "another", "such", "a") and plural:
            det = "some" if det == "a" else det
            plural = det in ("some",)
        if det == "some" and not noun.mass:
            plural = True
        if det == "bare" and (role == "subj" or not (noun.mass or plural)):
            det = "the"
        if det == "quant" and not (plural or noun.mass):
            plural = True
        n_adj = self.pick([0, 1, 2], [1.0, 0.35 + 0.3 * size, 0.08 * size])
        adj_entries = [self.adjective() for _ in range(n_adj)]
        adjs = [self.a_builders(a) for a in adj_entries]
        if n_adj == 2:
            self.feature("two-adjectives")
        if adjs:
            self.feature("adjective")
        pre_adjective = bool(adjs) and adj_entries[0].pre
        en_det, fr_det, fr_neg_det, indefinite = self.determiner(det, noun, plural, pre_adjective)
        gender = noun.gender
        n = "p" if plural else "s"

        pp: tuple[str, str, NP] | None = None
        rel: Bi | None = None
        if depth < 4 and self.p(0.22 * size + (0.1 if depth else 0)):
            pp = self.prep_phrase(depth + 1, size * 0.6)
            if depth >= 2:
                self.feature("pp-chain3")
            elif depth >= 1:
                self.feature("pp-chain2")
        if allow_rel and depth < 3 and self.p(0.16 * size):
            if noun.cls == "place" and self.p(0.35):
                rel = self.where_relative(depth + 1, size * 0.5)
            else:
                rel = self.relative(noun, n, gender, depth + 1, size * 0.5)
        based: Callable[[str], Any] | None = None
        if pp is None and rel is None and depth < 2 and self.p(0.015):
            basis = self.noun_phrase(depth + 1, size * 0.3, allow_rel=False)
            self.slot(lit("en", "based"), lit("fr", "basé", "basée", "basés", "basées"), content=False)
            self.feature("based-on")
            form = "basé" + ("e" if gender == "f" else "") + ("s" if plural else "")

            def based(lang: str) -> Any:
                if lang == "en":
                    return R().PP(R().Q("based on"), basis.bi.en())
                return R().PP(R().Q(form), R().P("sur"), basis.bi.fr())

        if pp is None and rel is None and based is None and noun.en in CONTAINERS and self.p(0.6):
            content = self.noun(("food", "thing"))
            content_plural = not content.mass and self.p(0.5)
            self.slot(lex("P", "of"), lit("fr", "de", "d'"), content=False)
            self.feature("container-of")
            bare = NP(
                Bi(
                    lambda: R().NP(R().N(content.en)).n("p" if content_plural else "s"),
                    lambda: R().NP(R().N(content.fr)).n("p" if content_plural else "s"),
                )
            )
            pp = ("of", "de", bare)

        def build(lang: str, neg_word: str = "") -> Any:
            fr = lang == "fr"
            parts: list[Any] = []
            if neg_word and fr:
                d = fr_neg_det
            elif neg_word == "no":
                d = lambda: R().D("no")  # noqa: E731
            elif neg_word == "any" and (plural or noun.mass):
                d = lambda: R().D("any")  # noqa: E731
            else:
                d = fr_det if fr else en_det
            if d is not None:
                dd = d()
                parts += dd if isinstance(dd, list) else [dd]
            nn = R().N(noun.fr if fr else noun.en)
            if fr and noun.epicene:
                nn = nn.g(noun.gender)
            if fr:
                parts += french_order([a.fr() for a in adjs], [e.pre for e in adj_entries], nn)
            else:
                parts += [*[a.en() for a in adjs], nn]
            if pp is not None:
                p_en, p_fr, obj = pp
                parts.append(self.pp(p_fr if fr else p_en, obj.bi.fr() if fr else obj.bi.en(), lang))
            if based is not None:
                parts.append(based(lang))
            if rel is not None:
                parts.append(rel.fr() if fr else rel.en())
            phrase = R().NP(*parts)
            return phrase.n(n)

        np = NP(
            Bi(lambda: build("en"), lambda: build("fr")),
            3,
            n,
            n,
            gender,
            "n" if not noun.animate else self.pick(["m", "f"]),
            None,
            noun.animate,
            "np",
            indefinite,
            noun,
            det,
            (lambda lang, word: build(lang, word)) if fr_neg_det is not None else None,
        )
        return np

    def determiner(
        self, det: str, noun: Noun, plural: bool, has_adj: bool
    ) -> tuple[Build | None, Build | None, Build | None, bool]:
        """(English, French, French under negation, indefinite) builders for one determiner kind."""
        de: Build = lambda: R().D("de")  # noqa: E731
        if det == "the":
            self.feature("definite")
            return (lambda: R().D("the"), lambda: R().D("le"), None, False)
        if det == "a":
            self.slot(lit("en", "a", "an"), lit("fr", "un", "une"), content=False)
            return (lambda: R().D("a"), lambda: R().D("un"), de, True)
        if det == "some":
            self.feature("some")
            self.slot(lit("en", "some"), lit("fr", "des", "du", "de la", "de l'"), content=False)
            if noun.mass:  # partitive: du pain, de l'eau
                return (lambda: R().D("some"), lambda: [R().P("de"), R().D("le")], de, True)
            if has_adj and plural:
                return (lambda: R().D("some"), de, de, True)
            return (lambda: R().D("some"), lambda: R().D("un"), de, True)
        if det == "bare":
            self.feature("bare-noun")
            if noun.mass:
                return (None, lambda: [R().P("de"), R().D("le")], de, True)
            return (None, de if has_adj else (lambda: R().D("un")), de, True)
        if det == "poss":
            word = self.pick(list(POSSESSIVES), [4, 3, 3, 3, 1, 2, 3])
            self.possessive_word = word
            key = POSSESSIVES[word]
            pe, n, _, en_g, _ = PRONOUNS[key]
            self.slot(lit("en", word), lit("fr", *FR_POSSESSIVE_FORMS[key]), content=False)
            self.feature("possessive")
            ow = "p" if n == "p" else "s"

            def fr_poss():
                if key == "you":
                    return R().D("votre")
                if key == "we":
                    return R().D("notre").pe(1)
                if key == "they":
                    return R().D("leur")
                return R().D("mon").pe(pe)

            return (lambda: R().D("my").pe(pe).ow(ow).g(en_g), fr_poss, None, False)
        if det == "dem":
            far = self.p(0.4)
            word = ("those" if far else "these") if plural else ("that" if far else "this")
            self.slot(lit("en", word), lit("fr", "ce", "cet", "cette", "ces"), content=False)
            self.feature("demonstrative")
            return (lambda: R().D("that" if far else "this"), lambda: R().D("ce"), None, False)
        if det == "number":
            words = self.number_word(plural)
            assert words is not None
            return (words[0], words[1], None, False)
        if det == "quant":
            q = self.pick(["many", "few", "a lot of", "several", "all the", "both", "much", "more", "less", "most"])
            if noun.mass and q in ("many", "few", "several", "both"):
                q = "a lot of"
            if not noun.mass and q == "much":
                q = "many"
            if q == "less" and not noun.mass:
                q = "more"
            self.feature("quantifier")
            if q in ("more", "less"):
                fr_q = "plus" if q == "more" else "moins"
                self.slot(lit("en", q), lit("fr", fr_q), content=False)
                return (lambda: R().Q(q), lambda: [R().Adv(fr_q), R().P("de")], None, False)
            if q == "most":
                self.slot(lit("en", "most"), lit("fr", "plupart"), content=False)
                return (lambda: R().D("most"), lambda: [R().Q("la plupart"), R().P("de"), R().D("le")], None, False)
            if q in ("many", "a lot of", "much"):
                self.slot(lit("en", "lot" if q == "a lot of" else q), lit("fr", "beaucoup"), content=False)
                en_b: Build = (lambda: R().Q("a lot of")) if q == "a lot of" else (lambda: R().D(q))
                return (en_b, lambda: [R().Adv("beaucoup"), R().P("de")], None, False)
            if q == "few":
                self.slot(lit("en", "few"), lit("fr", "peu"), content=False)
                return (lambda: R().D("few"), lambda: [R().Adv("peu"), R().P("de")], None, False)
            if q == "several":
                self.slot(lit("en", "several"), lit("fr", "plusieurs"), content=False)
                return (lambda: R().D("several"), lambda: R().D("plusieurs"), None, False)
            if q == "all the":
                self.slot(lit("en", "all"), lit("fr", "tous", "toutes", "tout", "toute"), content=False)
                return (lambda: [R().D("all"), R().D("the")], lambda: [R().D("tout"), R().D("le")], None, False)
            self.slot(lit("en", "both"), lit("fr", "deux"), content=False)
            return (lambda: R().D("both"), lambda: [R().D("le"), R().NO(2).nat(True)], None, False)
        if det == "every":
            word = self.pick(["every", "each"])
            self.slot(lit("en", word), lit("fr", "chaque"), content=False)
            self.feature("every")
            return (lambda: R().D(word), lambda: R().D("chaque"), None, False)
        if det == "another":
            self.slot(lit("en", "another"), lit("fr", "autre"), content=False)
            self.feature("another")
            return (lambda: R().D("another"), lambda: [R().D("un"), R().A("autre")], None, False)
        if det == "other":
            self.slot(lit("en", "other"), lit("fr", "autre", "autres"), content=False)
            self.feature("other")
            return (lambda: [R().D("the"), R().Q("other")], lambda: [R().D("le"), R().A("autre")], None, False)
        # such a
        self.slot(lit("en", "such"), lit("fr", "tel", "telle"), content=False)
        self.feature("such")
        return (lambda: [R().Q("such"), R().D("a")], lambda: [R().D("un"), R().A("tel")], None, False)

    def prep_phrase(self, depth: int, size: float) -> tuple[str, str, NP]:
        """(English preposition, French preposition, object); a multi-word preposition comes as one string."""
        if self.p(0.12):
            en_p, fr_head, fr_p = self.fresh(MULTIWORD_PREPOSITIONS, key=lambda x: (x[0],))
            self.feature("multiword-preposition")
            fr_text = f"{fr_head} {fr_p}".strip()
            self.slot(lit("en", en_p), lit("fr", fr_text), content=False)
            self.feature("pp")
            return (en_p, fr_text, self.noun_phrase(depth, size))
        prep = self.fresh(self.lex.prepositions)
        contracted = {"à": ("au", "aux"), "de": ("du", "des", "d'")}.get(prep.fr, ())
        self.slot(lex("P", prep.en), lit("fr", prep.fr, *contracted), content=False)
        self.feature("pp")
        if self.p(0.08) and depth <= 2:
            obj = self.pronoun("obj")
            key = obj.pron or "I"
            self.slot(lit("en", EN_FORMS["obj"][key]), lit("fr", *FR_FORMS["tonic"][key]), content=False)
            return (prep.en, prep.fr, obj)
        if self.p(0.05) and depth <= 2:
            return (prep.en, prep.fr, self.name(city=self.p(0.5)))
        return (prep.en, prep.fr, self.noun_phrase(depth, size))

    @staticmethod
    def pp(prep: str, obj: Any, lang: str) -> Any:
        """PP(P, obj), a multi-word preposition written as quoted words ("à côté" + de: "à côté du parc")."""
        words = prep.split()
        if len(words) == 1:
            return R().PP(R().P(prep), obj)
        if lang == "en":
            return R().PP(R().Q(prep), obj)
        last = words[-1]
        if last in ("de", "à"):
            return R().PP(R().Q(" ".join(words[:-1])), R().P(last), obj)
        return R().PP(R().Q(prep), obj)

    def owner_np(self) -> tuple[list[Build], NP]:
        """The owner of a genitive ("the boy's", "my mother's"): its English words and its French NP.

        English: quoted determiner and the noun with 's, to sit flat in the possessed noun phrase (a nested
        NP would make the verb agree with the owner: "my mother's keys is"); French: the NP after "de".
        """
        noun = self.noun(("person", "animal"), countable=True)
        if noun.en.endswith("s"):
            raise Exhausted  # pyrealb writes "the witness'"; people type "the witness's"
        det = self.pick(["the", "poss", "a"], [4, 3, 1])
        _, fr_d, _, _ = self.determiner(det, noun, False, False)
        assert fr_d is not None
        if det == "poss":
            word = self.possessive_word
        else:
            word = "the" if det == "the" else ("an" if noun.en[0].lower() in "aeiou" else "a")

        def fr():
            nn = R().N(noun.fr)
            if noun.epicene:
                nn = nn.g(noun.gender)
            return R().NP(fr_d(), nn)

        self.feature("genitive")
        en_words: list[Build] = [lambda: R().Q(word), lambda: R().N(noun.en).poss()]
        return en_words, NP(Bi(lambda: None, fr), g=noun.gender, animate=True, noun=noun)

    def genitive_np(self, depth: int, size: float) -> NP:
        """'the boy's dog' → 'le chien du garçon': the possessed noun with the owner after "de"."""
        owner_en, owner = self.owner_np()
        self.slot(lit("en", "'s"), lit("fr", "de", "du", "d'"), content=False)
        noun = self.noun()
        plural = not noun.mass and self.p(0.3)
        n = "p" if plural else "s"
        adj = self.adjective() if self.p(0.25) else None
        adjs = [self.a_builders(adj)] if adj else []

        def en():
            return R().NP(*[w() for w in owner_en], *([R().Q(adj.en)] if adj else []), R().N(noun.en).n(n))

        def fr():
            nn = R().N(noun.fr).n(n)
            if noun.epicene:
                nn = nn.g(noun.gender)
            ordered = french_order([a.fr() for a in adjs], [adj.pre] if adj else [], nn)
            return R().NP(R().D("le"), *ordered, R().PP(R().P("de"), owner.bi.fr())).n(n)

        return NP(Bi(en, fr), 3, n, n, noun.gender, "n", None, noun.animate, "np", False, noun, "gen")

    def coordinated_np(self, depth: int, size: float, role: str) -> NP:
        """'a boy and a girl' (plural agreement; French masculine if either is), or 'X or Y'."""
        first = self.noun_phrase(depth + 1, size * 0.5, role, allow_rel=False)
        second = self.noun_phrase(depth + 1, size * 0.5, role, allow_rel=False)
        members = [first, second]
        if self.p(0.15):
            members.append(self.noun_phrase(depth + 1, size * 0.4, role, allow_rel=False))
            self.feature("coord-noun-three")
        conj = ("and", "et") if role == "subj" or self.p(0.8) else ("or", "ou")
        self.slot(lit("en", conj[0]), lit("fr", conj[1]), content=False)
        self.feature("coord-noun")
        g = "f" if all(m.g == "f" for m in members) else "m"
        return NP(
            Bi(
                lambda: R().CP(R().C(conj[0]), *[m.bi.en() for m in members]),
                lambda: R().CP(R().C(conj[1]), *[m.bi.fr() for m in members]),
            ),
            3,
            "p",
            "p",
            g,
            "n",
            None,
            first.animate or second.animate,
            "coord",
        )

    def subject(
        self, depth: int, size: float, animate: bool = True, names: bool = True, coordinated: bool = True
    ) -> NP:
        """names: pyrealb does not invert a quoted name in questions; coordinated: a modal then warns."""
        r = self.rng.random()
        if r < 0.36:
            return self.pronoun("subj")
        if r < 0.42 and names:
            return self.name()
        if r < 0.48 and coordinated:
            return self.coordinated_np(depth, size, "subj")
        if r < 0.53:
            return self.genitive_np(depth, size)
        classes = ("person", "animal") if animate and self.p(0.75) else None
        return self.noun_phrase(depth, size, "subj", classes)

    def object_np(self, depth: int, size: float) -> NP:
        r = self.rng.random()
        if r < 0.14:
            return self.pronoun("obj")
        if r < 0.18:
            return self.name()
        if r < 0.23:
            return self.coordinated_np(depth, size, "obj")
        if r < 0.27:
            return self.genitive_np(depth, size)
        return self.noun_phrase(depth, size, "obj")

    # -- relative clauses -----------------------------------------------------------------------------

    def relative(self, noun: Noun, n: str, g: str, depth: int, size: float) -> Bi:
        """A relative clause on a noun: subject gap (who/which/that + VP) or object gap (that + S), own
        tense, maybe negated, maybe holding another relative (nested)."""
        self.feature("relative")
        if self.in_relative:
            self.feature("relative-nested")
        self.in_relative += 1
        try:
            return self._relative(noun, n, g, depth, size)
        finally:
            self.in_relative -= 1

    def _relative(self, noun: Noun, n: str, g: str, depth: int, size: float) -> Bi:
        tense = self.pick(["pres", "past", "fut", "perf", "prog", "pastprog"], [5, 4, 2, 1, 1, 1])
        neg = self.p(0.25)
        self.feature(f"relative-{tense}")
        if neg:
            self.feature("relative-negated")
            self.slot(lit("en", "not"), lit("fr", "pas"), content=False)
        if self.p(0.55):
            # subject gap: the woman who lives here
            self.feature("relative-subject")
            if neg:
                self.feature("relative-subject-negated")
            vp = self.verb_phrase(depth, size, tense, subj_pe=3, subj_n=n, subj_g=g, in_relative=True)
            word = "who" if noun.animate and self.p(0.6) else ("which" if not noun.animate and self.p(0.4) else "that")
            self.slot(lit("en", word), lit("fr", "qui"), content=False)

            def en_subject_gap():
                return R().SP(R().Pro(word), self.clause_vp(vp, "en", tense, neg))

            def fr_subject_gap():
                return R().SP(R().Pro("qui"), self.clause_vp(vp, "fr", tense, neg))

            return Bi(en_subject_gap, fr_subject_gap)
        # object gap: the cat that the dog saw / the apples (that) I ate
        self.feature("relative-object")
        if neg:
            self.feature("relative-object-negated")
        verb, _ = self.pick_verb("tr")
        subj = (
            self.pronoun("subj") if self.p(0.45) else self.noun_phrase(depth, size * 0.5, "subj", allow_rel=depth < 2)
        )
        word = self.pick(["that", "which", ""] if not noun.animate else ["that", "who", ""], [5, 2, 3])
        if word:
            self.slot(lit("en", word), lit("fr", "que", "qu'"), content=False)
        else:
            self.feature("relative-zero")
        self.verb_slot(verb)
        extra: list[Bi] = []
        if self.p(0.25 * size):
            extra.append(self.adjunct_pp(depth, size * 0.5))

        def en():
            s = R().S(subj.bi.en(), R().VP(R().V(verb.en), *[x.en() for x in extra])).t(EN_TENSE[tense])
            typ = dict(EN_ASPECT.get(tense, {}))
            if neg:
                typ["neg"] = True
            if typ:
                s = s.typ(typ)
            return R().SP(R().Pro(word), s) if word else R().SP(s)

        def fr():
            vp = R().VP(self.fr_verb(verb), *[x.fr() for x in extra]).t(FR_TENSE[tense])
            typ: dict[str, Any] = {"neg": True} if neg else {}
            if verb.refl:
                typ["refl"] = True
            if typ:
                vp = vp.typ(typ)
            return R().SP(R().Pro("que"), subj.bi.fr(), vp)

        return Bi(en, fr)

    def where_relative(self, depth: int, size: float) -> Bi:
        """the city where she works → la ville où elle travaille."""
        self.feature("relative")
        self.feature("relative-where")
        if self.in_relative:
            self.feature("relative-nested")
        self.slot(lit("en", "where"), lit("fr", "où"), content=False)
        tense = self.pick(["pres", "past", "fut", "pastprog"], [5, 4, 2, 1])
        self.in_relative += 1
        inner = self.clause(depth, size, allow_question=False, embedded=True, tense=tense)
        self.in_relative -= 1
        return Bi(lambda: R().SP(R().Pro("where"), inner.en()), lambda: R().SP(R().Pro("où"), inner.fr()))

    # -- verbs ----------------------------------------------------------------------------------------

    def pick_verb(self, kind: str, exclude_refl: bool = False) -> tuple[Verb, Any]:
        pool = self.lex.verbs_with(kind, exclude_refl)
        want = [v for v in pool if v.en == "want"] if kind == "inf" and "want" not in self.used else []
        verb = want[0] if want and self.p(0.35) else self.fresh(pool)
        self.used.update((verb.en, verb.fr))
        return verb, self.pick(verb.frame(kind))

    def verb_slot(self, verb: Verb) -> None:
        light = verb.en in ("have", "do", "be", "get", "make")
        self.slot(lex("V", verb.en), lex("V", verb.fr), content=not light)

    @staticmethod
    def fr_verb(verb: Verb) -> Any:
        return R().V(verb.fr)

    def clause_vp(self, vp: VPX, lang: str, tense: str, neg: bool) -> Any:
        """The VP of a relative clause with its own tense and negation."""
        fr = lang == "fr"
        obj = R().VP(*vp.parts(lang, neg))
        obj = obj.t(FR_TENSE[tense] if fr else EN_TENSE[tense])
        typ: dict[str, Any] = {} if fr else dict(EN_ASPECT.get(tense, {}))
        if neg:
            typ["neg"] = True
        if fr and vp.refl:
            typ["refl"] = True
        return obj.typ(typ) if typ else obj

    def adjunct_pp(self, depth: int, size: float) -> Bi:
        p_en, p_fr, obj = self.prep_phrase(depth + 1, size)
        return Bi(lambda: self.pp(p_en, obj.bi.en(), "en"), lambda: self.pp(p_fr, obj.bi.fr(), "fr"))

    def verb_phrase(
        self,
        depth: int,
        size: float,
        tense: str,
        subj_pe: int = 3,
        subj_n: str = "s",
        subj_g: str = "m",
        in_relative: bool = False,
        kind: str | None = None,
        asked_object: bool = False,
        subj_pron: str | None = None,
        neg: bool | str = False,
        question: str | None = None,
    ) -> VPX:
        """A verb with one of its frames and complements (no tense, negation or subject yet).

        subj_pron, neg, question and tense let the object be a reflexive ("myself") or an indefinite
        pronoun ("nothing" → ne … rien; "anything" under negation; "something" in a question).
        """
        if kind is None:
            kind = self.pick(["intr", "tr", "prep", "inf", "clause", "gerund", "phrasal", "ditr"],
                             [2, 6, 2.5, 1.8, 0.8 if depth < 2 else 0, 0.3, 0.6, 0.6])  # fmt: skip
        if kind == "gerund":
            pool = [v for v in self.lex.verbs if v.en in GERUND_VERBS]
            verb = self.fresh(pool)
            self.verb_slot(verb)
            inner, _ = self.pick_verb(self.pick(["intr", "tr"]), exclude_refl=True)
            self.verb_slot(inner)
            g_obj = self.object_np(depth + 1, size * 0.5) if inner.frame("tr") and self.p(0.6) else None
            if g_obj is not None and g_obj.kind == "pron":
                g_obj = None
            self.feature("gerund")
            fr_head = (
                ("arrêter", "de")
                if verb.en == "stop"
                else ((verb.fr, "à") if verb.en in ("start", "begin") else (verb.fr, ""))
            )

            def en_gerund():
                inner_vp = R().VP(R().V(inner.en).t("pr"), *([g_obj.bi.en()] if g_obj else []))
                return [R().V(verb.en), inner_vp]

            def fr_gerund():
                inner_vp = R().VP(R().V(inner.fr).t("b"), *([g_obj.bi.fr()] if g_obj else []))
                if inner.refl:
                    inner_vp = inner_vp.typ({"refl": True})
                return [R().V(fr_head[0]), R().PP(R().P(fr_head[1]), inner_vp) if fr_head[1] else inner_vp]

            return VPX(en_gerund, fr_gerund, verb)
        if kind == "phrasal":
            en_v, particle, fr_v, refl, transitive = self.fresh(PHRASAL, key=lambda x: (x[0] + " " + x[1], x[2]))
            self.slot(lex("V", en_v), lex("V", fr_v))
            self.slot(lit("en", particle), lit("fr", "§"), content=False)  # the particle stays unaligned
            self.feature("phrasal-verb")
            p_obj = self.noun_phrase(depth + 1, size * 0.5, allow_rel=False) if transitive else None

            def en_phrasal():  # a quoted particle stays after the verb ("has picked up"; an Adv would move)
                return [R().V(en_v), R().Q(particle), *([p_obj.bi.en()] if p_obj else [])]

            def fr_phrasal():
                return [R().V(fr_v), *([p_obj.bi.fr()] if p_obj else [])]

            return VPX(en_phrasal, fr_phrasal, None, refl=refl, fr_verb=fr_v, obj=p_obj)
        if kind == "ditr":
            pool = [v for v in self.lex.verbs if v.en in DITRANSITIVE and v.frame("tr")]
            verb = self.fresh(pool)
            self.verb_slot(verb)
            thing = self.noun_phrase(depth + 1, size * 0.5, allow_rel=False)
            self.feature("ditransitive")
            if self.p(0.45):
                rec = self.pronoun("obj")
                key = rec.pron or "I"
                self.slot(lit("en", EN_FORMS["obj"][key]), lit("fr", *FR_FORMS["dat"][key]), content=False)
                self.feature("pronoun-indirect")

                def en():
                    return [R().V(verb.en), rec.bi.en(), thing.bi.en()]

                def fr():
                    return [R().V(verb.fr), thing.bi.fr(), rec.bi.fr().c("dat")]

                return VPX(en, fr, verb, obj=thing)
            rec = self.noun_phrase(depth + 1, size * 0.4, allow_rel=False, classes=("person", "animal"))
            self.slot(lex("P", "to"), lit("fr", "à", "au", "aux"), content=False)
            double = self.p(0.4)

            def en():
                if double:
                    return [R().V(verb.en), rec.bi.en(), thing.bi.en()]
                return [R().V(verb.en), thing.bi.en(), R().PP(R().P("to"), rec.bi.en())]

            def fr():
                return [R().V(verb.fr), thing.bi.fr(), R().PP(R().P("à"), rec.bi.fr())]

            if double:
                self.slots.pop()
            return VPX(en, fr, verb, obj=thing)

        if kind == "tr" and self.p(0.08):
            verb = self.fresh(LIGHT_VERBS)
            frame = verb.frames[0]
            self.feature(f"verb-{verb.en}")
        else:
            verb, frame = self.pick_verb(kind)
        self.verb_slot(verb)
        extra: list[Bi] = []
        obj: NP | None = None
        fr_obj_case = "acc"
        en_parts: list[Callable[..., Any]] = []
        fr_parts: list[Callable[..., Any]] = []
        if kind == "tr" and asked_object:  # a placeholder pyrealb removes: no slot
            obj = NP(Bi(lambda: R().NP(R().D("a"), R().N("thing")), lambda: R().NP(R().D("un"), R().N("chose"))))
        elif kind == "tr" and not in_relative and not verb.refl and self.p(0.09):
            special = self.special_object(verb, tense, subj_pron, neg, question)
            if special is not None:
                return special
            obj = self.object_np(depth + 1, size)
        elif kind == "tr":
            obj = self.object_np(depth + 1, size)
        elif kind == "prep":
            obj = self.object_np(depth + 1, size * 0.8)
            if frame.en_prep:
                contracted = {"à": ("au", "aux"), "de": ("du", "des", "d'")}.get(frame.fr_prep, ())
                self.slot(lex("P", frame.en_prep), lit("fr", frame.fr_prep or "§", *contracted), content=False)
            self.feature("verb-preposition")
        elif kind == "inf":
            inner, _ = self.pick_verb(self.pick(["intr", "tr"]), exclude_refl=True)
            self.verb_slot(inner)
            inner_obj = self.object_np(depth + 1, size * 0.5) if inner.frame("tr") and not inner.frame("intr") else None
            if inner_obj is not None and inner_obj.kind == "pron":
                inner_obj = self.noun_phrase(depth + 1, size * 0.5)
            self.feature("infinitive")
            if verb.en == "want":
                self.feature("want-to")
            en_to = frame.en_prep == "to"

            def en_inf():
                return R().VP(R().V(inner.en).t("b-to" if en_to else "b"), *([inner_obj.bi.en()] if inner_obj else []))

            def fr_inf():
                v = R().VP(R().V(inner.fr).t("b"), *([inner_obj.bi.fr()] if inner_obj else []))
                return R().PP(R().P(frame.fr_prep), v) if frame.fr_prep else v

            en_parts.append(en_inf)
            fr_parts.append(fr_inf)
        elif (
            kind == "clause"
            and verb.en
            in (
                "know",
                "ask",
                "understand",
                "remember",
                "forget",
                "explain",
                "see",
                "wonder",
                "tell",
                "find",
                "learn",
                "guess",
                "discover",
                "decide",
            )
            and self.p(0.3)
        ):
            en_w, fr_w = self.pick(INDIRECT_WORDS)
            self.feature("indirect-question")
            self.slot(lit("en", en_w), lit("fr", fr_w, "s'") if fr_w == "si" else lit("fr", fr_w), content=False)
            inner_clause = self.clause(depth + 1, size * 0.6, allow_question=False, embedded=True)
            en_parts.append(lambda: R().SP(R().Q(en_w), inner_clause.en()))
            fr_parts.append(lambda: R().SP(R().C("si") if fr_w == "si" else R().Q(fr_w), inner_clause.fr()))
        elif kind == "clause":
            self.feature("that-clause")
            if verb.en in ("tell", "promise", "explain", "show", "write") and self.p(0.4):
                rec = (
                    self.pronoun("obj")
                    if self.p(0.4)
                    else self.noun_phrase(depth + 1, size * 0.3, allow_rel=False, classes=("person",))
                )
                self.feature("tell-someone-that")
                if rec.kind == "pron":
                    key = rec.pron or "I"
                    self.slot(lit("en", EN_FORMS["obj"][key]), lit("fr", *FR_FORMS["dat"][key]), content=False)
                    en_parts.append(lambda: rec.bi.en())
                    fr_parts.append(lambda: rec.bi.fr().c("dat"))
                else:
                    en_parts.append(
                        lambda: rec.bi.en() if verb.en in ("tell", "show") else R().PP(R().P("to"), rec.bi.en())
                    )
                    fr_parts.append(lambda: R().PP(R().P("à"), rec.bi.fr()))
            inner_clause = self.clause(depth + 1, size * 0.6, allow_question=False, embedded=True)
            that = self.p(0.7)
            if that:
                self.slot(lit("en", "that"), lit("fr", "que", "qu'"), content=False)
            en_parts.append(lambda: R().SP(R().C("that"), inner_clause.en()) if that else inner_clause.en())
            fr_parts.append(lambda: R().SP(R().C("que"), inner_clause.fr()))

        if obj is not None:
            if obj.kind == "pron":
                key = obj.pron or "I"
                if kind == "tr" or (kind == "prep" and not frame.fr_prep):
                    fr_obj_case = "acc"
                elif frame.fr_prep == "à" and verb.fr in DATIVE_VERBS:
                    fr_obj_case = "dat"
                else:
                    fr_obj_case = "tonic"
                self.slot(lit("en", EN_FORMS["obj"][key]), lit("fr", *FR_FORMS[fr_obj_case][key]), content=False)
            o = obj

            negatable = kind == "tr"  # "pas de pomme" only for a direct object

            def en_obj(neg: bool = False):
                inner = o.negated("en") if (neg and negatable) else o.bi.en()
                if kind == "prep" and frame.en_prep:
                    return R().PP(R().P(frame.en_prep), inner)
                return inner

            def fr_obj(neg: bool = False):
                if o.kind == "pron":
                    pro = o.bi.fr()
                    if fr_obj_case in ("acc", "dat"):
                        return pro.c(fr_obj_case)
                    return R().PP(R().P(frame.fr_prep), pro)
                inner = o.negated("fr") if (neg and negatable) else o.bi.fr()
                if kind == "prep" and frame.fr_prep:
                    return R().PP(R().P(frame.fr_prep), inner)
                return inner

            en_parts.insert(0, en_obj)
            fr_parts.insert(0, fr_obj)
        if depth < 2 and self.p(0.3 * size):
            extra.append(self.adjunct_pp(depth, size * 0.6))
        return VPX(
            lambda neg=False: [
                R().V(verb.en),
                *[(p(neg) if p.__name__ == "en_obj" else p()) for p in en_parts],
                *[x.en() for x in extra],
            ],
            lambda neg=False: [
                R().V(verb.fr),
                *[(p(neg) if p.__name__ == "fr_obj" else p()) for p in fr_parts],
                *[x.fr() for x in extra],
            ],
            verb,
            neg_aware=True,
            refl=verb.refl,
            obj=obj,
            fr_obj_case=fr_obj_case if obj is not None and obj.kind == "pron" else "",
            direct=kind == "tr" and obj is not None,
        )

    def special_object(
        self, verb: Verb, tense: str, subj_pron: str | None, neg: bool | str, question: str | None
    ) -> VPX | None:
        """A reflexive ("she sees herself" → "elle se voit") or indefinite pronoun object, or None."""
        if subj_pron in REFLEXIVES and neg is not True and self.p(0.3):
            word = REFLEXIVES[subj_pron]
            self.slot(lit("en", word), lit("fr", "me", "m'", "se", "s'", "nous", "vous"), content=False)
            self.feature("reflexive-object")
            return VPX(lambda: [R().V(verb.en), R().Q(word)], lambda: [R().V(verb.fr)], verb, refl=True)
        options = []
        for en, fr, neg_word, simple in INDEFINITE_OBJECTS:
            if simple and tense not in SIMPLE_FR:
                continue
            if neg == "never":
                continue
            if en in ("anything", "anyone"):
                if neg is True:
                    options.append((en, "", neg_word))
                elif question == "yon":
                    options.append((en, "quelque chose" if en == "anything" else "quelqu'un", ""))
            elif neg_word and not neg and not question:  # "nothing" → ne … rien
                options.append((en, "", neg_word))
            elif not neg_word and not neg:
                options.append((en, fr, ""))
        if not options:
            return None
        en, fr, neg_word = self.pick(options)
        self.feature("indefinite-pronoun")
        self.slot(lit("en", en), lit("fr", fr or neg_word), content=False)

        def en_parts():
            return [R().V(verb.en), R().Q(en)]

        def fr_parts():
            return [R().V(verb.fr), R().Q(fr)] if fr else [R().V(verb.fr)]

        return VPX(en_parts, fr_parts, verb, fr_neg_word=neg_word)

    # -- clauses --------------------------------------------------------------------------------------

    def clause(
        self,
        depth: int,
        size: float,
        allow_question: bool = True,
        embedded: bool = False,
        tense: str | None = None,
        subj: NP | None = None,
        question: str | None = None,
    ) -> Bi:
        """A full clause: subject, predicate, tense, modal, negation, question, adverbs — drawn apart."""
        if tense is None:
            tense = self.pick(list(TENSES), [6, 2.5, 5, 1.5, 1.5, 3, 1])
        predicate = self.pick(
            ["verb", "copula", "there", "avoir-adj", "weather", "hurt", "age", "need"],
            [14, 4, 1, 0.7, 0.35, 0.25, 0.3, 0.3],
        )
        if question is None and allow_question and self.p(0.22):
            question = self.pick(
                ["yon", "who", "whom", "what", "where", "when", "why", "how"], [8, 1.5, 0.6, 1.5, 1.5, 1.2, 1.2, 0.6]
            )
        modal = None
        if self.p(0.3) and tense == "pres" and predicate in ("verb", "copula"):
            modal = self.pick(list(MODALS), [4, 2, 2, 1.5, 0.6, 0.8])
            if modal in ("could", "should", "might"):
                tense = "pres"
        neg: bool | str = False
        if self.p(0.22):
            neg = "never" if self.p(0.15) and tense in ("pres", "past") and not question and not modal else True
        return self.realise_clause(depth, size, predicate, tense, modal, neg, question, embedded, subj)

    def realise_clause(
        self,
        depth: int,
        size: float,
        predicate: str,
        tense: str,
        modal: str | None,
        neg: bool | str,
        question: str | None,
        embedded: bool,
        subj: NP | None,
    ) -> Bi:
        f = self.feature
        if predicate in ("copula", "avoir-adj", "age", "need", "there", "hurt"):  # not "is being hungry"
            tense = {"prog": "pres", "pastprog": "past"}.get(tense, tense)
        if predicate in ("there", "hurt"):
            tense = {"cond": "pres", "perf": "past"}.get(tense, tense)
        f(f"tense-{tense}")
        if modal:
            f(f"modal-{modal}")
            fr_forms = lemma_forms("fr", "V", FR_MODAL_VERB[modal]) | {("puis",)}  # "puis-je"
            self.slot(lit("en", modal, "cannot") if modal == "can" else lit("en", modal), ("forms", fr_forms))
        if neg == "never":
            f("never")
            self.slot(lit("en", "never"), lit("fr", "jamais"), content=False)
        elif neg:
            f("negation")
            self.slot(
                lit("en", "not", "cannot") if modal == "can" else lit("en", "not"), lit("fr", "pas"), content=False
            )
        if question:
            f("question")
            f(f"question-{question}")
        # predicates that fix their subject
        if predicate == "weather":
            return self.weather(tense, neg, question)
        if predicate == "there":
            return self.there_is(depth, size, tense, neg, question)
        if predicate == "hurt":
            return self.body_hurts(tense, neg, question)
        if question in ("who", "what") and predicate != "verb":
            question = "yon"
        if question == "who":
            subj_np: NP | None = None  # "who" replaces the subject
        elif subj is not None:
            subj_np = subj
        else:
            animate = predicate in ("verb", "avoir-adj", "age", "need")
            subj_np = self.subject(depth, size, animate, coordinated=not modal)
        if subj_np is not None and subj_np.kind == "pron":
            key = subj_np.pron or "I"
            self.slot(lit("en", EN_FORMS["subj"][key]), lit("fr", *FR_FORMS["subj"][key]), content=False)
        if question:
            words = {"yon": None} | {k: k for k in QUESTIONS}
            w = words[question]
            if w:
                self.slot(lit("en", w), lit("fr", *FR_QUESTION_WORDS[w]), content=False)
        pe, n, g = (3, "s", "m") if subj_np is None else (subj_np.pe, subj_np.n, subj_np.g)

        if predicate == "copula":
            vp = self.copula(depth, size, subj_np, tense)
        elif predicate == "avoir-adj":
            vp = self.avoir_adjective(subj_np)
        elif predicate == "age":
            vp = self.age()
        elif predicate == "need":
            vp = self.need(depth, size)
        else:
            asked = question in ("whom", "what")  # the object is the question word: pyrealb leaves it out
            vp = self.verb_phrase(
                depth,
                size,
                tense,
                pe,
                n,
                g,
                kind="tr" if asked else None,
                asked_object=asked,
                subj_pron=subj_np.pron if subj_np is not None else None,
                neg=neg,
                question=question,
            )
        if question in ("whom", "what") and not vp.direct:
            question = "yon"
            self.features.discard("question-whom")
            self.features.discard("question-what")
            self.features.add("question-yon")

        # adverbs: a time adverb that fits the tense, a manner/place adverb at the end, a mid adverb
        end_en: list[Build] = []
        end_fr: list[Build] = []
        mid: tuple[str, str] | None = None
        front: tuple[str, str, bool] | None = None  # a time adverb before the subject, and its comma
        if self.p(0.18):
            options = [k for k, (_, ts) in TIME_ADVERBS.items() if tense in ts]
            if options:
                adv = self.fresh(options, key=lambda k: (k,))
                fr_adv = TIME_ADVERBS[adv][0]
                self.slot(lit("en", adv), lit("fr", fr_adv))
                f("time-adverb")
                if depth == 0 and not question and not embedded and self.p(0.3):
                    front = (adv, fr_adv, self.p(0.35))  # "yesterday(,) my sister …"
                    f("fronted-adverb")
                else:
                    end_en.append(lambda: R().Q(adv))
                    end_fr.append(lambda: R().Q(fr_adv))
        if depth == 0 and not question and not embedded and front is None and self.p(0.012):
            year = str(self.rng.randint(1900, 2030))
            if year not in self.used:
                self.used.add(year)
                self.slot(lit("en", year), lit("fr", year))
                self.slot(lit("en", "in"), lit("fr", "en"), content=False)
                f("year")
                front = (f"in {year}", f"en {year}", self.p(0.6))
        if self.p(0.12) and predicate == "verb":
            adv_m = self.fresh(_manner_adverbs(self.lex))
            self.slot(lex("Adv", adv_m.en), lit("fr", adv_m.fr))
            f("manner-adverb")
            end_en.insert(0, lambda: R().Adv(adv_m.en))
            end_fr.insert(0, lambda: R().Q(adv_m.fr))  # a quoted word: pyrealb would move a short adverb
        elif self.p(0.06):
            pl_en, pl_fr = self.fresh(PLACE_ADVERBS, key=lambda x: (x[0], x[1]))
            self.slot(lit("en", pl_en), lit("fr", pl_fr))
            f("place-adverb")
            end_en.append(lambda: R().Q(pl_en))
            end_fr.append(lambda: R().Q(pl_fr))
        if (
            self.p(0.1)
            and not question
            and not neg
            and not modal
            and tense in ("pres", "past")
            and predicate in ("verb", "copula")
            and not vp.fr_obj_case
        ):
            mid = self.fresh(MID_ADVERBS, key=lambda x: (x[0], x[1]))
            self.slot(lit("en", mid[0]), lit("fr", mid[1]))
            f("frequency-adverb")
        if neg is True and not question and not vp.fr_neg_word and self.p(0.04):
            self.slot(lit("en", "either"), lit("fr", "non plus"), content=False)
            f("either")
            end_en.append(lambda: R().Q("either"))
            end_fr.append(lambda: R().Q("non plus"))
        ever = (
            question == "yon"
            and tense == "perf"
            and not neg
            and subj_np is not None
            and subj_np.kind == "pron"
            and predicate == "verb"
            and self.p(0.35)
        )
        if ever:
            self.slot(lit("en", "ever"), lit("fr", "déjà"), content=False)
            self.en_ever = True
            f("ever")
        # a pronoun direct object in a compound tense: the French participle agrees with it
        agrees = vp.obj is not None and (vp.obj.g == "f" or vp.obj.fr_n == "p")
        if vp.fr_obj_case == "acc" and agrees and vp.verb is not None and FR_TENSE[tense] == "pc" and not modal:
            assert vp.obj is not None
            self.participle_fix(vp.verb.fr, vp.obj.g, vp.obj.fr_n)

        def en():
            parts = vp.parts("en", neg is True)
            # quoted, so that pyrealb keeps them where they are put (an Adv may move to another clause)
            if neg == "never":
                parts = [R().Q("never"), *parts] if predicate != "copula" else [parts[0], R().Q("never"), *parts[1:]]
            if mid is not None:
                parts = [R().Q(mid[0]), *parts] if predicate != "copula" else [parts[0], R().Q(mid[0]), *parts[1:]]
            if ever:  # pyrealb fronts it: "ever you have seen …?"; realise.fix_english puts it back
                parts = [R().Adv("ever"), *parts]
            s = R().S(
                *([R().Q(front[0]).a(",") if front[2] else R().Q(front[0])] if front else []),
                *([subj_np.bi.en()] if subj_np is not None else [R().Pro("I").pe(3)]),
                R().VP(*parts, *[b() for b in end_en]),
            )
            t = EN_TENSE[tense]
            typ: dict[str, Any] = dict(EN_ASPECT.get(tense, {}))
            if modal:
                typ["mod"] = MODALS[modal][0]
                t = MODALS[modal][1]
            if neg is True:
                typ["neg"] = True
            if question:
                typ["int"] = QUESTIONS.get(question, "yon")
            s = s.t(t)
            return s.typ(typ) if typ else s

        def fr():
            parts = vp.parts("fr", bool(neg))
            if mid is not None:
                parts = [parts[0], R().Adv(mid[1]), *parts[1:]]
            if ever:
                parts = [parts[0], R().Adv("déjà"), *parts[1:]]
            s = R().S(
                *([R().Q(front[1]).a(",") if front[2] else R().Q(front[1])] if front else []),
                *([subj_np.bi.fr()] if subj_np is not None else [R().Pro("je").pe(3)]),
                R().VP(*parts, *[b() for b in end_fr]),
            )
            t = FR_TENSE[tense]
            typ: dict[str, Any] = {}
            if modal:
                typ["mod"] = MODALS[modal][2]
                t = MODALS[modal][3]
            if neg == "never":
                typ["neg"] = "jamais"
            elif vp.fr_neg_word:
                typ["neg"] = vp.fr_neg_word
            elif neg:
                typ["neg"] = True
            if question:
                typ["int"] = QUESTIONS.get(question, "yon")
            if vp.refl:
                typ["refl"] = True
            s = s.t(t)
            return s.typ(typ) if typ else s

        # "does not the cat sleep?": English negated yes/no questions with a noun subject take both orders
        if neg is True and question == "yon" and subj_np is not None and subj_np.kind != "pron" and self.p(0.4):
            self.en_not_moves.append(1)
            f("negated-question-not-first")
        return Bi(en, fr)

    def participle_fix(self, fr_verb: str, g: str, n: str) -> None:
        import pyrealb

        pyrealb.loadFr()
        plain = pyrealb.V(fr_verb).t("pp").realize().strip()
        agreed = pyrealb.V(fr_verb).t("pp").g(g).n(n).realize().strip()
        if plain != agreed:
            self.fr_fixes.append((plain, agreed))
            self.feature("participle-agreement")

    def copula(self, depth: int, size: float, subj: NP | None, tense: str) -> VPX:
        """be + adjective phrase / noun / prepositional phrase / comparative."""
        kind = self.pick(["adj", "noun", "pp", "comparative", "as", "superlative"], [6, 1.5, 3, 1.2, 0.4, 0.3])
        if subj is not None and subj.kind == "pron" and subj.pron == "it" and kind == "noun":
            kind = "adj"
        self.feature(f"copula-{kind}")
        self.slot(lex("V", "be"), lex("V", "être"), content=False)
        if kind == "adj":
            animate = subj is None or subj.animate
            if animate and self.p(0.05):  # be late → être en retard
                self.slot(lit("en", "late"), lit("fr", "en retard"))
                self.feature("idiom-late")
                return VPX(lambda: [R().V("be"), R().A("late")], lambda: [R().V("être"), R().Q("en retard")], None)
            # a person is not "affamé" but "a faim": those adjectives go to avoir_adjective
            ap = self.adjective_phrase(exclude=frozenset(AVOIR_ADJECTIVES) if animate else frozenset())
            return VPX(lambda: [R().V("be"), ap.en()], lambda: [R().V("être"), ap.fr()], None)
        if kind == "noun":
            noun = self.noun(("person",) if (subj is None or subj.animate) else None, countable=True)
            plural = subj is not None and subj.n == "p"
            adj_bi = self.a_builders(self.adjective()) if self.p(0.3) else None
            profession = noun.cls == "person" and adj_bi is None and self.p(0.8)
            det = "a" if self.p(0.6) else self.pick(["the", "poss"])
            en_d, fr_d, _, _ = self.determiner(det, noun, plural, adj_bi is not None)

            def en():
                nn = R().N(noun.en)
                return [
                    R().V("be"),
                    R()
                    .NP(*([en_d()] if en_d else []), *([adj_bi.en()] if adj_bi else []), nn)
                    .n("p" if plural else "s"),
                ]

            def fr():
                nn = R().N(noun.fr)
                if noun.epicene:
                    nn = nn.g(noun.gender)
                n = "p" if (subj is not None and subj.fr_n == "p") else "s"
                if profession and det == "a":  # "she is a doctor" → "elle est médecin"
                    return [R().V("être"), R().NP(nn).n(n)]
                return [R().V("être"), R().NP(*([fr_d()] if fr_d else []), *([adj_bi.fr()] if adj_bi else []), nn).n(n)]

            return VPX(en, fr, None)
        if kind == "pp":
            p_en, p_fr, obj = self.prep_phrase(depth + 1, size)
            return VPX(
                lambda: [R().V("be"), self.pp(p_en, obj.bi.en(), "en")],
                lambda: [R().V("être"), self.pp(p_fr, obj.bi.fr(), "fr")],
                None,
            )
        adj = self.adjective()
        a = self.a_builders(adj)
        if kind == "superlative":
            self.slot(lit("en", "most", "the"), lit("fr", "plus"), content=False)
            return VPX(
                lambda: [R().V("be"), R().NP(R().D("the"), self.a_builders(adj, "su").en())],
                lambda: [R().V("être"), self.a_builders(adj, "su").fr()],
                None,
            )
        other = self.object_np(depth + 1, size * 0.5) if self.p(0.7) else self.pronoun("obj")
        if other.kind == "pron":
            key = other.pron or "I"
            self.slot(lit("en", EN_FORMS["obj"][key]), lit("fr", *FR_FORMS["tonic"][key]), content=False)
        if kind == "as":
            self.slot(lit("en", "as"), lit("fr", "aussi"), content=False)
            return VPX(
                lambda: [R().V("be"), R().AP(R().Adv("as"), a.en(), R().PP(R().P("as"), other.bi.en()))],
                lambda: [R().V("être"), R().AP(R().Adv("aussi"), a.fr()), R().C("que"), other.bi.fr()],
                None,
            )
        self.slot(lit("en", "than"), lit("fr", "que", "qu'"), content=False)
        return VPX(
            lambda: [R().V("be"), self.a_builders(adj, "co").en(), R().PP(R().P("than"), other.bi.en())],
            lambda: [R().V("être"), self.a_builders(adj, "co").fr(), R().C("que"), other.bi.fr()],
            None,
        )

    def avoir_adjective(self, subj: NP | None) -> VPX:
        """be hungry / thirsty / afraid / right / cold (a person) → avoir faim / soif / peur / raison / froid."""
        options = [k for k, (_, person) in AVOIR_ADJECTIVES.items() if not person or subj is None or subj.animate]
        en_a = self.fresh(options, key=lambda k: (k,))
        fr_n = AVOIR_ADJECTIVES[en_a][0]
        self.slot(lit("en", en_a), lit("fr", fr_n))
        self.feature("idiom-avoir")
        afraid_of: NP | None = None
        if en_a == "afraid" and self.p(0.4):
            afraid_of = self.noun_phrase(1, 0.5, allow_rel=False)
        return VPX(
            lambda: [R().V("be"), R().A(en_a), *([R().PP(R().P("of"), afraid_of.bi.en())] if afraid_of else [])],
            lambda: [
                R().V("avoir"),
                R().NP(R().N(fr_n)),
                *([R().PP(R().P("de"), afraid_of.bi.fr())] if afraid_of else []),
            ],
            None,
        )

    def age(self) -> VPX:
        """my sister is ten (years old) → ma soeur a dix ans."""
        words = self.number_word(True)
        assert words is not None
        years = self.p(0.7)
        self.feature("idiom-age")
        if years:
            self.slot(lit("en", "years"), lit("fr", "ans"), content=False)
        return VPX(
            lambda: (
                [R().V("be"), R().NP(words[0](), R().N("year").n("p")), R().A("old")]
                if years
                else [R().V("be"), words[0]()]
            ),
            lambda: [R().V("avoir"), R().NP(words[1](), R().N("an").n("p"))],
            None,
        )

    def need(self, depth: int, size: float) -> VPX:
        """need X → avoir besoin de X."""
        obj = self.noun_phrase(depth + 1, size * 0.6, allow_rel=False)
        self.slot(lit("en", "need", "needs", "needed", "needing"), lit("fr", "besoin"))
        self.feature("idiom-need")
        return VPX(
            lambda neg=False: [R().V("need"), obj.negated("en") if neg else obj.bi.en()],
            lambda neg=False: [
                R().V("avoir"),
                R().NP(R().N("besoin")),
                R().PP(R().P("de"), obj.negated("fr") if neg else obj.bi.fr()),
            ],
            None,
            neg_aware=True,
        )

    def weather(self, tense: str, neg: bool | str, question: str | None) -> Bi:
        """it rains / it is cold → il pleut / il fait froid, in any tense."""
        self.feature("weather")
        if question not in (None, "yon"):
            question = "yon"
        if self.p(0.5):
            verb = self.fresh([v for v in self.lex.verbs if v.impers])
            self.verb_slot(verb)
            en_parts: Callable[[], list] = lambda: [R().V(verb.en)]  # noqa: E731
            fr_parts: Callable[[], list] = lambda: [R().V(verb.fr)]  # noqa: E731
        else:
            en_a, fr_a = self.pick(list(WEATHER_ADJECTIVES.items()))
            tense = {"prog": "pres", "pastprog": "past"}.get(tense, tense)  # not "it is being cold"
            self.slot(lit("en", en_a), lit("fr", fr_a))
            en_parts = lambda: [R().V("be"), R().A(en_a)]  # noqa: E731
            fr_parts = lambda: [R().V("faire"), R().A(fr_a)]  # noqa: E731
        self.slot(lit("en", "it"), lit("fr", "il"), content=False)
        return self.simple_clause(
            lambda: R().Pro("I").pe(3).g("n"), lambda: R().Pro("je").pe(3), en_parts, fr_parts, tense, neg, question
        )

    def simple_clause(self, en_subj, fr_subj, en_parts, fr_parts, tense, neg, question) -> Bi:
        def build(lang: str) -> Any:
            fr = lang == "fr"
            s = R().S((fr_subj if fr else en_subj)(), R().VP(*(fr_parts() if fr else en_parts())))
            s = s.t(FR_TENSE[tense] if fr else EN_TENSE[tense])
            typ: dict[str, Any] = {} if fr else dict(EN_ASPECT.get(tense, {}))
            if neg:
                typ["neg"] = "jamais" if (fr and neg == "never") else True
            if question:
                typ["int"] = QUESTIONS.get(question, "yon")
            return s.typ(typ) if typ else s

        return Bi(lambda: build("en"), lambda: build("fr"))

    def there_is(self, depth: int, size: float, tense: str, neg: bool | str, question: str | None) -> Bi:
        """there is / there are NP (PP) → il y a NP (PP); il n'y a pas de N under negation."""
        self.feature("there-is")
        if tense in ("prog", "pastprog", "cond"):
            tense = "pres"
        if question not in (None, "yon"):
            question = "yon"
        if neg == "never":
            neg = True
        np = self.noun_phrase(depth + 1, size, "obj", classes=None)
        if np.det in ("the", "poss", "dem", "gen", "every"):
            raise Exhausted  # "there is the cat" is not what people say
        plural = np.n == "p"
        pp = self.adjunct_pp(depth, size * 0.6) if self.p(0.6) else None
        self.slot(lit("en", "there"), lit("fr", "y"), content=False)
        if neg and np.neg is not None:
            self.slot(lit("en", "no"), lit("fr", "pas"), content=False)
        fr_tense = {"pres": "p", "past": "pc", "perf": "pc", "fut": "f"}[tense]
        en_tense = {"pres": "p", "past": "ps", "perf": "p", "fut": "f"}[tense]

        no = neg and np.neg is not None  # "there is no bird" (else "there is not a …")

        def en():
            obj = np.negated("en", "no") if no else np.bi.en()
            there = R().NP(R().Q("there")).n("p" if plural else "s")
            s = R().S(there, R().VP(R().V("be"), obj, *([pp.en()] if pp else [])))
            typ: dict[str, Any] = {"perf": True} if tense == "perf" else {}
            if neg and not no:
                typ["neg"] = True
            if question:
                typ["int"] = "yon"
            s = s.t(en_tense)
            return s.typ(typ) if typ else s

        def fr():
            obj = np.negated("fr") if neg else np.bi.fr()
            s = R().S(R().Pro("je").pe(3), R().VP(R().V("avoir"), R().Pro("y"), obj, *([pp.fr()] if pp else [])))
            typ: dict[str, Any] = {}
            if neg:
                typ["neg"] = True
            if question:
                typ["int"] = "yon"
            s = s.t(fr_tense)
            return s.typ(typ) if typ else s

        return Bi(en, fr)

    def body_hurts(self, tense: str, neg: bool | str, question: str | None) -> Bi:
        """my feet hurt → j'ai mal aux pieds (the owner becomes the French subject)."""
        self.feature("idiom-hurt")
        if tense not in ("pres", "past", "fut"):
            tense = "pres"
        if question:
            question = "yon"
        body = self.fresh([n for n in self.lex.nouns_of("body") if not n.mass])
        self.slot(lex("N", body.en), lex("N", body.fr))
        self.slot(lex("V", "hurt"), lit("fr", "mal"))
        key = self.pick(list(POSSESSIVES))
        owner = POSSESSIVES[key]
        if owner == "it":
            owner = "he"
            key = "his"
        pe, n, fr_n, en_g, g = PRONOUNS[owner]
        plural = self.p(0.4)
        self.slot(lit("en", key), lit("fr", *FR_FORMS["subj"][owner]), content=False)

        def en():
            ow = "p" if n == "p" else "s"
            subj = R().NP(R().D("my").pe(pe).ow(ow).g(en_g), R().N(body.en)).n("p" if plural else "s")
            s = R().S(subj, R().VP(R().V("hurt"))).t(EN_TENSE[tense])
            typ: dict[str, Any] = {}
            if neg:
                typ["neg"] = True
            if question:
                typ["int"] = "yon"
            return s.typ(typ) if typ else s

        def fr():
            s = (
                R()
                .S(
                    R().Pro("je").pe(pe).n(fr_n).g(g),
                    R().VP(
                        R().V("avoir"),
                        R().NP(R().N("mal")),
                        R().PP(R().P("à"), R().NP(R().D("le"), R().N(body.fr)).n("p" if plural else "s")),
                    ),
                )
                .t({"pres": "p", "past": "pc", "fut": "f"}[tense])
            )
            typ: dict[str, Any] = {}
            if neg:
                typ["neg"] = True
            if question:
                typ["int"] = "yon"
            return s.typ(typ) if typ else s

        return Bi(en, fr)

    # -- sentences ------------------------------------------------------------------------------------

    def sentence(self) -> Drawn:
        size = self.pick([0.3, 0.7, 1.2, 1.8, 2.6], [2, 3, 3, 2, 1.5])
        r = self.rng.random()
        if r < 0.02:
            return self.expression()
        if r < 0.04:
            return self.imperative(size)
        if r < 0.048:
            return self.who_is(size)
        if r < 0.053:
            return self.my_name()
        if r < 0.64:
            body = self.clause(0, size)
            kind = "simple"
        elif r < 0.8:
            body = self.coordination(size)
            kind = "coordination"
        else:
            body = self.subordination(size)
            kind = "subordination"
        self.feature(kind)
        prefix: tuple[str, str] | None = None
        if self.p(0.05):
            prefix = self.pick(SENTENCE_ADVERBS)
            self.slot(lit("en", prefix[0]), lit("fr", prefix[1]), content=False)
            self.feature("sentence-adverb")
        return self.finish(body, prefix)

    def finish(self, body: Bi, prefix: tuple[str, str] | None) -> Drawn:
        def en():
            s = body.en()
            return R().S(R().Q(prefix[0]).a(","), s) if prefix else s

        def fr():
            s = body.fr()
            return R().S(R().Q(prefix[1]).a(","), s) if prefix else s

        return Drawn(
            en,
            fr,
            self.slots,
            self.features,
            fr_fixes=self.fr_fixes,
            en_not_moves=self.en_not_moves,
            en_ever=self.en_ever,
        )

    def coordination(self, size: float) -> Bi:
        """Two clauses (and / but / or / so), or one subject with two verb phrases ("reads and writes")."""
        if self.p(0.3):
            return self.coordinated_vps(size)
        conj = self.pick([("and", "et"), ("but", "mais"), ("or", "ou"), ("so", "donc")], [6, 3, 1, 1])
        self.slot(lit("en", conj[0]), lit("fr", conj[1]), content=False)
        self.feature("coord-clause")
        both_questions = self.p(0.08)
        first = self.clause(0, size * 0.6, allow_question=both_questions, question="yon" if both_questions else None)
        second = self.clause(0, size * 0.6, allow_question=both_questions, question="yon" if both_questions else None)
        if both_questions:
            self.feature("coord-questions")
        comma = self.p(0.3) and conj[0] != "or"
        return Bi(
            lambda: R().S(R().CP(R().C(conj[0]), first.en().a(",") if comma else first.en(), second.en())),
            lambda: R().S(R().CP(R().C(conj[1]), first.fr().a(",") if comma else first.fr(), second.fr())),
        )

    def coordinated_vps(self, size: float) -> Bi:
        self.feature("coord-verb")
        tense = self.pick(["pres", "past", "fut"], [4, 4, 2])
        subj = self.subject(0, size * 0.5)
        if subj.kind == "pron":
            key = subj.pron or "I"
            self.slot(lit("en", EN_FORMS["subj"][key]), lit("fr", *FR_FORMS["subj"][key]), content=False)
        f_tense = self.feature
        f_tense(f"tense-{tense}")
        pe, n, g = subj.pe, subj.n, subj.g
        vps = [
            self.verb_phrase(1, size * 0.5, tense, pe, n, g, kind=self.pick(["intr", "tr", "prep"], [1, 3, 1]))
            for _ in range(2)
        ]
        if any(v.refl or v.fr_obj_case or v.fr_neg_word for v in vps):
            raise Exhausted  # clitics, reflexives and "rien" in coordinated VPs are not worth the trouble
        self.slot(lit("en", "and"), lit("fr", "et"), content=False)

        def en():
            return R().S(subj.bi.en(), R().CP(R().C("and"), *[R().VP(*v.parts("en")) for v in vps])).t(EN_TENSE[tense])

        def fr():
            return R().S(subj.bi.fr(), R().CP(R().C("et"), *[R().VP(*v.parts("fr")) for v in vps])).t(FR_TENSE[tense])

        return Bi(en, fr)

    def subordination(self, size: float) -> Bi:
        """because / if / when / while / before / after clause, before or after the main clause."""
        conj = self.pick(["because", "if", "when", "while", "although"], [4, 3, 3, 1, 0.6])
        self.feature(f"subordinate-{conj}")
        if conj == "if":
            sub_t, main_t = self.pick([("pres", "fut"), ("pres", "pres"), ("past", "cond")], [5, 2, 1])
            if main_t == "cond":  # if + past → si + imparfait, conditional main clause
                sub_t = "pastprog_as_imparfait"
        elif conj == "when":
            main_t = self.pick(["pres", "past", "fut", "pastprog"], [3, 3, 2, 1])
            sub_t = {"pres": "pres", "past": "past", "fut": "pres_as_future", "pastprog": "past"}[main_t]
        elif conj == "while":
            sub_t, main_t = self.pick([("pres", "pres"), ("pastprog", "past"), ("pastprog", "pastprog")])
        elif conj == "although":
            sub_t, main_t = "pres_subjunctive", self.pick(["pres", "past", "fut"])
        else:
            sub_t, main_t = self.pick(list(TENSES)), self.pick(list(TENSES))
        fr_conj = {"because": "parce que", "if": "si", "when": "quand", "while": "pendant que", "although": "bien que"}[
            conj
        ]
        self.slot(
            lit("en", conj),
            lit("fr", *fr_conj.split()[:1], "s'" if conj == "if" else fr_conj.split()[0]),
            content=False,
        )
        asked = "question" in self.features
        main = self.clause(0, size * 0.6, allow_question=conj in ("if", "when"), tense=main_t)
        sub = self.sub_clause(size * 0.6, sub_t)
        # a question ends the sentence: "if it rains, will you stay?" (never "will you stay? if it rains")
        first = ("question" in self.features and not asked) or self.p(0.4 if conj != "because" else 0.1)
        comma = first and self.p(0.75)

        def build(lang: str) -> Any:
            fr = lang == "fr"
            word = (
                R().C(conj) if not fr else (R().Q(fr_conj) if " " in fr_conj and conj != "because" else R().C(fr_conj))
            )
            sp = R().SP(word, sub.fr() if fr else sub.en())
            m = main.fr() if fr else main.en()
            if first:
                return R().S(sp.a(",") if comma else sp, m)
            return R().S(m, sp)

        return Bi(lambda: build("en"), lambda: build("fr"))

    def sub_clause(self, size: float, tense: str) -> Bi:
        """A subordinate clause whose French tense may differ (quand + futur, si + imparfait, bien que + subj.)."""
        special = {
            "pres_as_future": ("pres", "f"),
            "pastprog_as_imparfait": ("past", "i"),
            "pres_subjunctive": ("pres", "s"),
        }
        if tense not in special:
            return self.clause(1, size, allow_question=False, tense=tense)
        en_t, fr_t = special[tense]
        inner = self.clause(1, size, allow_question=False, tense=en_t, question=None)

        def fr():
            s = inner.fr()
            return s.t(fr_t)

        return Bi(inner.en, fr)

    def imperative(self, size: float) -> Drawn:
        """Close the door! → Fermez la porte! (vous), maybe negated."""
        self.feature("imperative")
        vp = self.verb_phrase(1, size * 0.5, "pres", kind=self.pick(["intr", "tr", "prep", "phrasal"], [1, 3, 1, 1]))
        if vp.refl or vp.fr_obj_case or vp.fr_neg_word:
            raise Exhausted
        neg = self.p(0.25)
        if neg:
            self.slot(lit("en", "not"), lit("fr", "pas"), content=False)
            self.feature("negation")
        end = self.pick([".", "!"])
        please = self.p(0.2)
        if please:
            self.feature("please")

        def build(lang: str) -> Any:
            fr = lang == "fr"
            parts = vp.parts(lang, neg)
            head = parts[0].t("ip")
            if fr:
                head = head.pe(2).n("p")
            s = R().S(R().VP(head, *parts[1:]))
            if neg:
                s = s.typ({"neg": True})
            return s

        drawn = self.finish(Bi(lambda: build("en"), lambda: build("fr")), None)
        drawn.end, drawn.please = end, please
        return drawn

    def who_is(self, size: float) -> Drawn:
        """who is that man? → qui est cet homme ? (and where is …? → où est … ?)"""
        self.feature("question")
        np = self.noun_phrase(
            1, size * 0.5, "subj", classes=("person",) if self.p(0.7) else None, allow_rel=self.p(0.3)
        )
        word, fr_word = self.pick([("who", "qui"), ("where", "où")], [2, 1])
        self.feature(f"question-{word}-is")
        self.slot(lit("en", word), lit("fr", fr_word), content=False)
        self.slot(lit("en", "is", "are", "was", "were"), lit("fr", "est", "sont", "était", "étaient"), content=False)
        past = self.p(0.25)
        self.feature("tense-past" if past else "tense-pres")

        def build(lang: str) -> Any:
            fr = lang == "fr"
            verb = R().V("être" if fr else "be").t(("i" if fr else "ps") if past else "p")
            subj = np.bi.fr() if fr else np.bi.en()
            return R().S(R().Pro(fr_word if fr else word), R().VP(verb.n(np.fr_n if fr else np.n), subj))

        drawn = self.finish(Bi(lambda: build("en"), lambda: build("fr")), None)
        drawn.end = "?"
        return drawn

    def my_name(self) -> Drawn:
        """my name is Tom → je m'appelle Tom (his name → il s'appelle)."""
        self.feature("idiom-name")
        key = self.pick(["I", "you", "he", "she", "we", "they"], [5, 2, 2, 2, 1, 1])
        word = {v: k for k, v in POSSESSIVES.items()}[key]
        name, _ = self.fresh(PERSON_NAMES, key=lambda c: (c[0],))
        pe, n, fr_n, en_g, g = PRONOUNS[key]
        self.slot(lit("en", word), lit("fr", *FR_FORMS["subj"][key]), content=False)
        self.slot(lit("en", "name", "names"), lex("V", "appeler"))
        self.slot(lit("en", name), lit("fr", name))
        plural = n == "p"

        def en():
            ow = "p" if n == "p" else "s"
            subj = R().NP(R().D("my").pe(pe).ow(ow).g(en_g), R().N("name")).n("p" if plural else "s")
            return R().S(subj, R().VP(R().V("be"), R().Q(name)))

        def fr():
            return R().S(R().Pro("je").pe(pe).n(fr_n).g(g), R().VP(R().V("appeler"), R().Q(name))).typ({"refl": True})

        return self.finish(Bi(en, fr), None)

    def expression(self) -> Drawn:
        """A fixed expression, alone ("thank you .") or a fixed question ("how are you ?")."""
        self.feature("expression")
        if self.p(0.35):
            en, fr, pairs = self.pick(QUESTIONS_FIXED)
        else:
            en, fr, pairs = self.pick(EXPRESSIONS)
            en, fr = en + " " + self.pick([".", "!"]), fr
            fr = fr + " " + en.split()[-1]
            pairs = list(pairs)
        drawn = self.finish(Bi(lambda: None, lambda: None), None)
        drawn.fixed = (en, fr, pairs)
        return drawn


@dataclass
class VPX:
    """A verb phrase before tense and subject: builders of its parts, and what the clause needs to know."""

    en: Callable[..., list]
    fr: Callable[..., list]
    verb: Verb | None
    refl: bool = False
    fr_verb: str = ""
    obj: NP | None = None
    fr_obj_case: str = ""  # acc / dat / tonic when the object is a pronoun
    direct: bool = False  # a direct object a wh-question may ask for
    neg_aware: bool = False  # the builders take `neg`: a negated clause's indefinite object ("any", "de")
    fr_neg_word: str = ""  # the French negation this object needs: "rien" (nothing, anything), "personne"

    def parts(self, lang: str, neg: bool = False) -> list:
        build = self.fr if lang == "fr" else self.en
        return build(neg) if self.neg_aware else build()


def french_order(adjectives: list[Any], pre: list[bool], noun: Any) -> list[Any]:
    """French order of a noun and the adjectives English puts before it, in English order.

    Prenominal adjectives keep their order before the noun; the others follow it in mirror order:
    "a small red car" → "une petite voiture rouge", "European Economic Area" → "zone économique européenne".
    """
    before = [a for a, p in zip(adjectives, pre, strict=True) if p]
    after = [a for a, p in zip(adjectives, pre, strict=True) if not p][::-1]
    return [*before, noun, *after]


def adjective_phrase_pair(adjectives: Sequence[str], noun: str, det: str = "the") -> tuple[str, str]:
    """English and French text of det + adjectives + noun, realised as the corpus realises them.

    For tests and examples: "the", ["European", "economic"], "area" → ("the European economic area",
    "la zone économique européenne"). Raises KeyError for a word the lexicon lacks.
    """
    lexicon = load_lexicon()
    by_en = {a.en.lower(): a for a in lexicon.adjectives}
    entries = [by_en[a.lower()] for a in adjectives]
    noun_entry = next(n for n in lexicon.nouns if n.en == noun)
    builders = [Gen.a_builders(a) for a in entries]
    fr_det = {"the": "le", "a": "un"}[det]

    def en() -> Any:
        return R().NP(R().D(det), *[b.en() for b in builders], R().N(noun_entry.en))

    def fr() -> Any:
        nn = R().N(noun_entry.fr)
        if noun_entry.epicene:
            nn = nn.g(noun_entry.gender)
        return R().NP(R().D(fr_det), *french_order([b.fr() for b in builders], [e.pre for e in entries], nn))

    pyrealb = R()
    pyrealb.loadEn()
    en_text = str(en().realize()).strip()
    pyrealb.loadFr()
    return en_text, str(fr().realize()).strip()


def draw(rng: random.Random, lexicon: Lexicon | None = None) -> Drawn:
    """One sentence structure; raises Exhausted when the draw cannot be completed (draw again)."""
    return Gen(rng, lexicon or load_lexicon()).sentence()
