"""The task: is a sentence a statement, a negated statement or a question? Labels read from its words alone.

Torch-free: the training command labels the generated corpus with it, the page names the classes with it.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

LABELS = ("statement", "negated statement", "question")
NEGATIONS = frozenset({"not", "n't", "never"})


def sentence_type(tokens: Sequence[str]) -> str:
    """ "question" if it ends with "?", else "negated statement" if it has a negation word, else "statement".

    tokens: lower-cased words and punctuation as models/core/text.py's split_words gives them ("don'", "t" for
    "don't": the "t" after an elided word also counts as a negation).
    """
    words = [t.lower() for t in tokens]
    if words and words[-1] == "?":
        return "question"
    elided_not = any(a.endswith("n'") and b == "t" for a, b in itertools.pairwise(words))
    if elided_not or NEGATIONS.intersection(words):
        return "negated statement"
    return "statement"
