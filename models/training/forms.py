"""Word forms for alignment: every surface form pyrealb gives a lemma, tokenised as the corpus is.

A gold alignment joins the English token that realises a slot's English lemma with the French token that
realises its French lemma. The generator knows the lemmas; these functions list the forms to look for.
"""

from __future__ import annotations

import functools
from typing import Any

from attention_explorer.models.core.text import tokenize_en, tokenize_fr

Forms = frozenset[tuple[str, ...]]

_EN_VERB = [("p", pe, n) for pe in (1, 2, 3) for n in "sp"] + [(t, 3, "s") for t in ("ps", "b", "pr", "pp")]
_FR_TENSES = ("p", "i", "f", "c", "ps", "s")


def _quiet(build: Any) -> str:
    import contextlib
    import io

    with contextlib.redirect_stderr(io.StringIO()):
        return str(build().realize())


@functools.cache
def lemma_forms(lang: str, pos: str, lemma: str, gender: str = "") -> Forms:
    """Token sequences pyrealb may write for `lemma` (a verb: its last token, "a mangé" → "mangé")."""
    import pyrealb as R

    R.loadEn() if lang == "en" else R.loadFr()
    tok = tokenize_en if lang == "en" else tokenize_fr
    texts: list[str] = []
    if pos == "N":
        texts = [
            _quiet(lambda n=n: (R.N(lemma).g(gender) if gender and lang == "fr" else R.N(lemma)).n(n)) for n in "sp"
        ]
    elif pos == "A":
        if lang == "en":
            texts = [_quiet(lambda f=f: R.A(lemma).f(f)) for f in ("", "co", "su") if f] + [lemma]
        else:
            texts = [_quiet(lambda g=g, n=n: R.A(lemma).g(g).n(n)) for g in "mf" for n in "sp"]
    elif pos == "V":
        if lang == "en":
            texts = [_quiet(lambda t=t, pe=pe, n=n: R.V(lemma).t(t).pe(pe).n(n)) for t, pe, n in _EN_VERB]
        else:
            texts = [
                _quiet(lambda t=t, pe=pe, n=n: R.V(lemma).t(t).pe(pe).n(n))
                for t in _FR_TENSES
                for pe in (1, 2, 3)
                for n in "sp"
            ]
            texts += [_quiet(lambda g=g, n=n: R.V(lemma).t("pp").g(g).n(n)) for g in "mf" for n in "sp"]
            texts += [_quiet(lambda: R.V(lemma).t("b")), _quiet(lambda: R.V(lemma).t("pr"))]
            texts += [_quiet(lambda: R.V(lemma).t("ip").pe(2).n("p"))]
        out = {tuple(tok(t)[-1:]) for t in texts if tok(t)}
        return frozenset(out)
    else:
        texts = [lemma]
    return frozenset(tuple(tok(t)) for t in texts if tok(t) and "[[" not in t)


def literal(*texts: str, lang: str) -> Forms:
    """Forms given as text ("quelque chose", "j'"), tokenised for `lang`."""
    tok = tokenize_en if lang == "en" else tokenize_fr
    return frozenset(tuple(tok(t)) for t in texts)
