"""How typed text becomes the tokens a translator reads, and how French text is split into words.

People type "I don't like coffee", "THE TRAIN IS LATE", "where does the dog sleep" (no question mark),
"you’re right" (a curly apostrophe) or "the  bread" (two spaces). `normalize` turns all of these into
the token conventions of the training corpus — lower case, contractions written out, the genitive 's a
token of its own, final punctuation present — and says what it changed, so a page can show the tokens
the model actually reads and why they differ from what was typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# French: elided words ("l'", "qu'") and punctuation are tokens; "aujourd'hui" is one word
_FR_TOKEN = re.compile(r"aujourd'hui|\w+'|\w+|[^\w\s]")
# English: numbers with separators, words (with inner hyphens), the genitive 's, punctuation
EN_TOKEN_PATTERN = r"\d+(?:[.,]\d+)*|'s\b|\w+(?:-\w+)*|[^\w\s]"
_EN_TOKEN = re.compile(EN_TOKEN_PATTERN)

_QUOTES = str.maketrans(
    {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"', "«": '"', "»": '"'}
)
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
_DROPPED = re.compile(r"[\"()\[\]{}<>*_#~|;:]")  # marks the corpus never has: read as spaces

SUBJECT_PRONOUNS = ("i", "you", "he", "she", "it", "we", "they")
_IS_AFTER = ("it", "he", "she", "that", "what", "who", "where", "there", "here", "how", "when", "why", "this")
_HAS_NEXT = ("been", "got", "gone", "done", "had", "seen", "eaten", "taken", "given", "made")
# words that open a question when they start a sentence (the question mark may be missing)
QUESTION_OPENERS = [
    *("who", "what", "where", "when", "why", "how", "which", "do", "does", "did", "is", "are", "was", "were", "am"),
    *("can", "could", "will", "would", "should", "must", "may", "might", "have", "has", "had", "shall"),
]

_CONTRACTIONS = {
    "won't": "will not",
    "can't": "cannot",
    "cant": "cannot",
    "shan't": "shall not",
    "ain't": "is not",
    "i'm": "i am",
    "im": "i am",
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "isnt": "is not",
    "wont": "will not",
    "let's": "let us",
}
_SUFFIXES = (("n't", " not"), ("'re", " are"), ("'ve", " have"), ("'ll", " will"), ("'d", " would"), ("'m", " am"))


@dataclass(frozen=True)
class Normalized:
    """Typed text as a translator reads it."""

    tokens: tuple[str, ...]  # what the model reads: lower case, contractions written out, final punctuation
    typed: tuple[str, ...]  # the same tokens in the case they were typed (names are copied from these)
    notes: tuple[str, ...]  # what normalisation changed, in words ("wrote “don't” as “do not”")


_WORDS = re.compile(r"\w+'|\w+|[^\w\s]")


def split_words(text: str) -> list[str]:
    """Lower-cased words, elided forms ("l'", "don'") and punctuation, as typed: no normalisation.

    How the classifier's labels read text (an elided "n'" before "t" is a negation).
    """
    return _WORDS.findall(text.lower().translate(_QUOTES))


def tokenize_fr(text: str) -> list[str]:
    """Lower-cased French words, elided words ("l'") and punctuation as separate tokens."""
    return _FR_TOKEN.findall(text.lower().translate(_QUOTES))


FR_SPACED = {"?": "\u202f", "!": "\u202f", ";": "\u202f", ":": "\u00a0"}  # the space French prints before these


def render_fr(tokens: list[str] | tuple[str, ...]) -> str:
    """French tokens written as a sentence: "la pomme est rouge ." → "La pomme est rouge."

    The inverse of `tokenize_fr` up to case: no space after an elided word ("l'arbre"), around the hyphen of
    an inversion ("dort-il") or before "." and ","; a narrow no-break space before "?", "!" and ";" and a
    no-break space before ":", as French is printed ("Dort-il ?"), so the mark never starts a line of its own;
    the first letter in upper case.
    """
    out = ""
    for i, token in enumerate(tokens):
        if i > 0 and token in FR_SPACED:
            out += FR_SPACED[token] + token
            continue
        glue = i == 0 or token in ".,-" or out.endswith(("'", "-"))
        out += token if glue else " " + token
    return out[:1].upper() + out[1:]


def tokenize_en(text: str) -> list[str]:
    """Lower-cased English words and punctuation; the genitive "'s" is a token of its own. No normalisation."""
    return _EN_TOKEN.findall(text.lower().translate(_QUOTES))


def _clean(text: str, notes: list[str]) -> str:
    """Unicode folded, curly quotes straightened, invisible and control characters removed, spaces collapsed."""
    folded = unicodedata.normalize("NFKC", text)
    straight = folded.translate(_QUOTES)
    if straight != folded:
        notes.append("straightened curly quotes")
    visible = _INVISIBLE.sub("", straight)
    visible = "".join(" " if unicodedata.category(c) in ("Cc", "Cf") else c for c in visible)
    if visible != straight:
        notes.append("removed invisible or control characters")
    dropped = _DROPPED.sub(" ", visible)
    if dropped != visible:
        notes.append("left out quotation marks, brackets and other marks the translators never saw")
    collapsed = " ".join(dropped.split())
    if collapsed != dropped.strip() or dropped != dropped.strip():
        notes.append("removed extra spaces")
    return collapsed


def _expand(word: str, following: str) -> list[str] | None:
    """A contraction written out as words (None if `word` is not one)."""
    low = word.lower()
    if low in _CONTRACTIONS:
        return _CONTRACTIONS[low].split()
    for suffix, full in _SUFFIXES:
        if low.endswith(suffix) and len(low) > len(suffix):
            stem = word[: -len(suffix)]
            return [stem, *full.split()]
    if low.endswith("'s") and low[:-2] in _IS_AFTER:
        verb = "has" if following.lower() in _HAS_NEXT else "is"
        return [word[:-2], verb]
    return None


def normalize(text: str) -> Normalized:
    """The tokens a translator reads for `text`, their typed case and what was changed (see the module doc)."""
    notes: list[str] = []
    clean = _clean(text, notes)
    raw = re.findall(r"\d+(?:[.,]\d+)*|[\w'-]+|[^\w\s]", clean)
    words: list[str] = []
    expanded: list[str] = []
    for k, word in enumerate(raw):
        following = raw[k + 1] if k + 1 < len(raw) else ""
        parts = _expand(word, following) if "'" in word or word.lower() in _CONTRACTIONS else None
        if parts is None:
            words.append(word)
            continue
        expanded.append(f"“{word}” as “{' '.join(parts)}”")
        # a negative question ("didn't you eat?", "can't you help?") reads "did you not eat?", as in the corpus
        if parts[-1] in ("not", "cannot") and following.lower() in SUBJECT_PRONOUNS and _opens_question(words):
            words += parts[:-1] if parts[-1] == "not" else ["can"]
            words.append(following)
            raw[k + 1] = "not"
            continue
        words += parts
    if expanded:
        notes.append("wrote " + ", ".join(expanded))
    typed: list[str] = []
    for word in words:
        typed += _EN_TOKEN.findall(word.translate(_QUOTES)) or [word]
    typed = [t for t in typed if t.strip()]
    tokens = [t.lower() for t in typed]
    if any(t != t.lower() for t in typed):
        notes.append("lower-cased")
    while len(tokens) > 1 and tokens[-1] in (".", "?", "!") and tokens[-2] in (".", "?", "!", ","):
        tokens.pop(-2)
        typed.pop(-2)
    if tokens and tokens[-1] == ",":
        tokens.pop()
        typed.pop()
    if tokens and tokens[-1] not in (".", "?", "!"):
        end = "?" if tokens[0] in QUESTION_OPENERS else "."
        tokens.append(end)
        typed.append(end)
        notes.append("added a final question mark" if end == "?" else "added a final full stop")
    return Normalized(tuple(tokens), tuple(typed), tuple(notes))


def _opens_question(words: list[str]) -> bool:
    """True at the start of a sentence, or right after a question word that starts it."""
    lowered = [w.lower() for w in words]
    return not lowered or (len(lowered) == 1 and lowered[0] in QUESTION_OPENERS[:7])


def tokenize(text: str) -> list[str]:
    """The English tokens a translator reads for `text` (normalised; see `normalize`)."""
    return list(normalize(text).tokens)
