"""How the translators read typed text: lower case, words, elided articles and punctuation as tokens."""

from __future__ import annotations

import re

_TOKEN = re.compile(r"\w+'|\w+|[^\w\s]")


def tokenize(text: str) -> list[str]:
    """Lower-cased words, elided articles ("l'") and punctuation as separate tokens."""
    return _TOKEN.findall(text.lower().replace("’", "'"))
