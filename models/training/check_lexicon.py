"""Checker for the bilingual data files in models/training/data (pyrealb 3.3.1).

    python -m attention_explorer.models.training.check_lexicon [-v]

Checks lexicon.tsv (every rule of the brief: lemmas in both pyrealb lexicons under the right
category, French gender, adjective position, verb frames, classes, one French per English lemma,
realisation without "[[" or warnings in both languages), lexicon_extra.tsv (the same with the two
documented exceptions), frequent_en.tsv, idioms.tsv and handwritten.jsonl (format, and that every
English word is covered by the lexicon, the closed-class list or a contraction).
Prints one line per check and ends with "ALL CHECKS PASSED ..." or "FAILED: n problem(s)".
Self-contained: does not import the build scripts in tools/.
"""

import collections
import contextlib
import io
import json
import os
import re
import sys

import pyrealb
from pyrealb import NP, PP, SP, VP, A, Adv, C, D, N, P, Pro, S, V

HERE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data")
VERBOSE = "-v" in sys.argv
problems = []


def fail(msg):
    problems.append(msg)
    if VERBOSE or len(problems) <= 60:
        print("  PROBLEM:", msg)


def report(name, n_problems_before, extra=""):
    n = len(problems) - n_problems_before
    print(
        f"[{'ok' if n == 0 else 'FAIL'}] {name}" + (f" ({n} problems)" if n else "") + (f" - {extra}" if extra else "")
    )


# ---------------------------------------------------------------- constants from the brief
COLS = ["pos", "en", "fr", "gender", "fr_pos", "frame", "en_prep", "fr_prep", "class"]  # + zipf (read apart)
POS_CAT = {"N": "N", "A": "A", "V": "V", "Adv": "Adv", "P": "P", "NO": None}
N_CLASSES = {"person", "animal", "food", "thing", "place", "body", "time", "abstract", "vehicle", "clothing", "nature"}
FRAMES = {"intr", "tr", "prep", "inf", "clause"}
V_HINTS = {"", "refl", "impers", "attr"}
ADV_HINTS = {"", "manner", "time", "place", "frequency", "degree"}
NUMBERS = dict(
    two="deux",
    three="trois",
    four="quatre",
    five="cinq",
    six="six",
    seven="sept",
    eight="huit",
    nine="neuf",
    ten="dix",
    eleven="onze",
    twelve="douze",
    thirteen="treize",
    fourteen="quatorze",
    fifteen="quinze",
    sixteen="seize",
    seventeen="dix-sept",
    eighteen="dix-huit",
    nineteen="dix-neuf",
    twenty="vingt",
    thirty="trente",
    forty="quarante",
    fifty="cinquante",
    sixty="soixante",
    hundred="cent",
    thousand="mille",
)
_CLOSED_WORDS = """the a an this that these those my your his her its our their some every each no all any other another
i you he she it we they me him us them myself yourself himself herself who what where when why how which whose
there here be am is are was were been being have has had having do does did done will would can could must
should may might not n't and or but because if while than as so to of very too more most also only just then
now up out about into over after before"""
CLOSED = set(_CLOSED_WORDS.split())
TARGETS = {"N": 900, "A": 300, "V": 450, "Adv": 100}

# ---------------------------------------------------------------- pyrealb helpers
pyrealb.loadEn()
EN = pyrealb.getLexicon()
pyrealb.loadFr()
FR = pyrealb.getLexicon()


def realise(build):
    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        try:
            out = build().realize().strip()
        except Exception as e:
            out = f"[[exception {e}]]"
    return out, err.getvalue().strip()


def check_outputs(tag, builders):
    """realise each builder; return list of outputs; record problems."""
    outs = []
    for b in builders:
        o, w = realise(b)
        outs.append(o)
        if "[[" in o:
            fail(f"{tag}: unrealisable -> {o}")
            break
        if w:
            fail(f"{tag}: pyrealb warning {w.splitlines()[0]} -> {o}")
            break
    return outs


def en_struct(r, t, n):
    subj = Pro("it") if r["class"] == "impers" else NP(D("the"), N("woman")).n(n)
    comp = []
    f, ep = r["frame"], r["en_prep"]
    obj = NP(D("the"), N("book"))
    if f == "tr":
        comp = [obj]
    elif f == "prep":
        comp = [PP(P(ep), obj) if ep else obj]
    elif f == "inf":
        comp = [VP(V("go").t("b-to" if ep == "to" else "b"))]
    elif f == "clause":
        comp = [SP(C("that"), S(NP(D("the"), N("boy")), VP(V("run"))))]
    return lambda: S(subj, VP(V(r["en"]), *comp)).t(t)


def fr_struct(r, t, n):
    subj = Pro("je").pe(3) if r["class"] == "impers" else NP(D("le"), N("homme")).n(n)
    comp = []
    f, fp = r["frame"], r["fr_prep"]
    obj = NP(D("le"), N("livre").g("m"))  # masculine object: tests à+le -> au, de+le -> du
    if f == "tr":
        comp = [obj]
    elif f == "prep":
        comp = [PP(P(fp), obj) if fp else obj]
    elif f == "inf":
        inf = VP(V("partir").t("b"))
        comp = [PP(P(fp), inf) if fp else inf]
    elif f == "clause":
        comp = [SP(C("que"), S(NP(D("le"), N("garçon")), VP(V("courir"))))]
    typ = {"refl": True} if r["class"] == "refl" else {}
    return lambda: S(subj, VP(V(r["fr"]), *comp)).typ(typ).t(t)


# ---------------------------------------------------------------- reading
def read_tsv(fname, cols):
    path = os.path.join(HERE, fname)
    rows: list[dict] = []
    with open(path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    while lines and lines[0].startswith("#"):  # comments may come before the header
        lines.pop(0)
    if lines and lines[0].split("\t")[-1] == "zipf" and cols[-1] != "zipf":  # the frequency column added later
        cols = [*cols, "zipf"]
    if not lines or lines[0].split("\t") != cols:
        fail(f"{fname}: header must be {'|'.join(cols)}, got {lines[0] if lines else 'nothing'}")
        return rows
    for i, ln in enumerate(lines[1:], 2):
        if ln.startswith("#"):
            continue
        parts = ln.split("\t")
        if len(parts) != len(cols):
            fail(f"{fname}:{i}: {len(parts)} columns instead of {len(cols)}: {ln!r}")
            continue
        rows.append(dict(zip(cols, parts, strict=True), _line=i))
    return rows


# ---------------------------------------------------------------- lexicon rows
def check_rows(fname, rows, extra=False):
    k0 = len(problems)
    seen: set[tuple] = set()
    fr_of: dict[tuple[str, str], str] = {}
    for r in rows:
        pos, en, fr = r["pos"], r["en"], r["fr"]
        tag = f"{fname}:{r['_line']} {pos} {en}/{fr}"
        if pos not in POS_CAT:
            fail(f"{tag}: bad pos")
            continue
        if not en or not fr or re.search(r"[\s_]", en + fr):
            fail(f"{tag}: lemmas must be single words")
        key = (pos, en, r["frame"], r["en_prep"], r["fr_prep"])
        if key in seen:
            fail(f"{tag}: duplicate row")
        seen.add(key)
        if fr_of.setdefault((pos, en), fr) != fr:
            fail(f"{tag}: second French lemma for {pos} {en} (first: {fr_of[(pos, en)]})")
        if extra and pos != "N":
            fail(f"{tag}: lexicon_extra.tsv holds nouns only")
        # columns that must be empty for this POS
        for col, allowed in (
            ("gender", pos == "N"),
            ("fr_pos", pos == "A"),
            ("frame", pos == "V"),
            ("en_prep", pos == "V"),
            ("fr_prep", pos == "V"),
        ):
            if r[col] and not allowed:
                fail(f"{tag}: column {col} must be empty for {pos}")
        cat = POS_CAT[pos]
        if pos == "NO":
            if NUMBERS.get(en) != fr:
                fail(f"{tag}: not one of the expected number words")
            continue
        if cat not in EN.get(en, {}):
            fail(f'{tag}: "{en}" is not a {cat} in pyrealb English lexicon')
            continue
        if cat not in FR.get(fr, {}):
            fail(f'{tag}: "{fr}" is not a {cat} in pyrealb French lexicon')
            continue
        if pos == "N":
            g = FR[fr]["N"].get("g")
            if r["class"] not in N_CLASSES:
                fail(f"{tag}: class {r['class']!r} not in {sorted(N_CLASSES)}")
            if not extra:
                if g not in ("m", "f") or r["gender"] != g:
                    fail(f"{tag}: gender {r['gender']!r} but pyrealb says {g!r}")
            else:
                note = set(r["note"].split(","))
                if not note or not note <= {"epicene", "mass"}:
                    fail(f"{tag}: note must be epicene and/or mass")
                if ("epicene" in note) != (g not in ("m", "f")):
                    fail(f"{tag}: note epicene iff pyrealb gender is not m/f (it is {g!r})")
                if "epicene" not in note and r["gender"] != g:
                    fail(f"{tag}: gender {r['gender']!r} but pyrealb says {g!r}")
                if r["gender"] not in ("m", "f"):
                    fail(f"{tag}: gender must be m or f")
                if ("mass" in note) != (EN[en]["N"].get("cnt") == "no"):
                    fail(f"{tag}: note mass iff English cnt=no")
        elif pos == "A":
            want = FR[fr]["A"].get("pos", "post")
            if r["fr_pos"] != want:
                fail(f"{tag}: fr_pos {r['fr_pos']!r}, pyrealb lexicon gives {want!r}")
            if r["class"]:
                pass  # optional hint
        elif pos == "V":
            f, ep, fp = r["frame"], r["en_prep"], r["fr_prep"]
            if f not in FRAMES:
                fail(f"{tag}: frame {f!r}")
            if r["class"] not in V_HINTS:
                fail(f"{tag}: verb hint {r['class']!r} not in {sorted(V_HINTS)}")
            if f in ("intr", "tr", "clause") and (ep or fp):
                fail(f"{tag}: frame {f} takes no prepositions")
            if f == "prep":
                if not (ep or fp):
                    fail(f"{tag}: frame prep needs en_prep or fr_prep")
                if ep and "P" not in EN.get(ep, {}):
                    fail(f"{tag}: en_prep {ep} is not an English P")
                if fp and "P" not in FR.get(fp, {}):
                    fail(f"{tag}: fr_prep {fp} is not a French P")
            if f == "inf" and (ep not in ("to", "") or fp not in ("", "de", "à")):
                fail(f"{tag}: inf frame needs en_prep to/empty and fr_prep empty/de/à")
        elif pos == "Adv":
            if r["class"] not in ADV_HINTS:
                fail(f"{tag}: adverb hint {r['class']!r}")
        elif pos == "P" and r["class"]:
            fail(f"{tag}: class must be empty for P")
    report(f"{fname}: columns, pyrealb lexicon membership, genders, fr_pos, frames, classes", k0)


def realise_rows(fname, rows, extra=False):
    k0 = len(problems)
    positions: collections.Counter[str] = collections.Counter()
    # English
    pyrealb.loadEn()
    for r in rows:
        tag = f"{fname}:{r['_line']} EN {r['pos']} {r['en']}"
        pos, en = r["pos"], r["en"]
        if pos == "N":
            nums = "s" if extra and "mass" in r["note"] else "sp"
            check_outputs(tag, [lambda n=n, en=en: NP(D("the"), N(en)).n(n) for n in nums])
        elif pos == "A":
            check_outputs(
                tag, [lambda n=n, h=h, en=en: NP(D("a"), A(en), N(h)).n(n) for h in ("boy", "girl") for n in "sp"]
            )
        elif pos == "V":
            outs = check_outputs(
                tag,
                [
                    en_struct(r, t, n)
                    for t in ("p", "ps", "f")
                    for n in "sp"
                    if not (n == "p" and r["class"] == "impers")
                ],
            )
            if outs and r["frame"] == "prep" and r["en_prep"] and f" {r['en_prep']} " not in outs[0]:
                fail(f"{tag}: preposition missing in {outs[0]}")
        elif pos == "Adv":
            check_outputs(tag, [lambda en=en: S(NP(D("the"), N("boy")), VP(V("run"), Adv(en)))])
        elif pos == "P":
            check_outputs(tag, [lambda en=en: PP(P(en), NP(D("the"), N("house")))])
    # French
    pyrealb.loadFr()
    for r in rows:
        tag = f"{fname}:{r['_line']} FR {r['pos']} {r['fr']}"
        pos, fr = r["pos"], r["fr"]
        if pos == "N":
            g = r["gender"] if extra and "epicene" in r["note"] else None
            outs = check_outputs(
                tag, [lambda n=n, fr=fr, g=g: NP(D("le"), N(fr).g(g) if g else N(fr)).n(n) for n in "sp"]
            )
            if outs and fr not in outs[0].split()[-1].split("'")[-1]:
                fail(f"{tag}: singular {outs[0]!r} does not show the lemma {fr!r}")
        elif pos == "A":
            outs = check_outputs(
                tag, [lambda n=n, h=h, fr=fr: NP(D("un"), N(h), A(fr)).n(n) for h in ("chapeau", "robe") for n in "sp"]
            )
            if outs:
                toks = outs[0].split()
                where = "pre" if "chapeau" in toks and toks.index("chapeau") > 1 else "post"
                positions[where] += 1
                if where != r["fr_pos"]:
                    fail(f"{tag}: pyrealb places it {where} ({outs[0]!r}) but fr_pos={r['fr_pos']}")
        elif pos == "V":
            check_outputs(
                tag,
                [
                    fr_struct(r, t, n)
                    for t in ("p", "pc", "f")
                    for n in "sp"
                    if not (n == "p" and r["class"] == "impers")
                ],
            )
        elif pos == "Adv":
            check_outputs(tag, [lambda fr=fr: S(NP(D("le"), N("garçon")), VP(V("courir"), Adv(fr)))])
        elif pos == "P":
            check_outputs(tag, [lambda h=h, fr=fr: PP(P(fr), NP(D("le"), N(h))) for h in ("chapeau", "maison")])
    report(
        f"{fname}: realisation in both languages (N sg/pl, A m/f sg/pl + French position, "
        f'V p/ps|pc/f x sg/pl per frame, Adv, P): no "[[" and no warning',
        k0,
        f"French adjective positions {dict(positions)}" if positions else "",
    )


def check_lexicon():
    rows = read_tsv("lexicon.tsv", COLS)
    extra = read_tsv("lexicon_extra.tsv", [*COLS, "note"])
    check_rows("lexicon.tsv", rows)
    check_rows("lexicon_extra.tsv", extra, extra=True)
    k0 = len(problems)
    main_keys = {(r["pos"], r["en"]) for r in rows}
    for r in extra:
        if (r["pos"], r["en"]) in main_keys:
            fail(f"lexicon_extra.tsv:{r['_line']}: {r['en']} is also in lexicon.tsv")
    c = collections.Counter(r["pos"] for r in rows)
    for pos, n in TARGETS.items():
        if c[pos] < n:
            fail(f"lexicon.tsv: only {c[pos]} {pos} rows (target {n})")
    if not 20 <= c["P"] <= 35:
        fail(f"lexicon.tsv: {c['P']} P rows (target about 25)")
    if not 20 <= c["NO"] <= 30:
        fail(f"lexicon.tsv: {c['NO']} NO rows (target about 25)")
    if len(rows) < 2000:
        fail(f"lexicon.tsv: {len(rows)} rows < 2000")
    frames = collections.Counter(r["frame"] for r in rows if r["pos"] == "V")
    lemmas = len({r["en"] for r in rows if r["pos"] == "V"})
    report(
        "lexicon.tsv: targets and overlap with lexicon_extra.tsv",
        k0,
        f"{len(rows)} rows {dict(c)}; V frames {dict(frames)} over {lemmas} verbs; extra {len(extra)}",
    )
    realise_rows("lexicon.tsv", rows)
    realise_rows("lexicon_extra.tsv", extra, extra=True)
    return rows, extra


# ---------------------------------------------------------------- English lemmatisation (pyrealb morphology)
pyrealb.loadEn()
LEMMATA = pyrealb.buildLemmataMap("en")


def en_lemmas(word):
    out = {(c.constType, c.lemma) for c in LEMMATA.get(word, [])}
    for pos in ("N", "A", "V", "Adv", "P", "NO"):
        out.add((pos, word))
        out.add((pos, word.capitalize()))
    return out


# ---------------------------------------------------------------- frequent_en.tsv
def check_frequent(rows):
    k0 = len(problems)
    lex = {(r["pos"], r["en"]) for r in rows}
    fr_rows = read_tsv("frequent_en.tsv", ["rank", "word", "status", "note"])
    ref = [r["word"] for r in fr_rows]  # the list itself; compared with wordfreq when it is installed
    try:  # compare with wordfreq itself when it is importable in this Python
        import wordfreq

        if wordfreq.top_n_list("en", 500) != ref:
            fail('frequent_en.tsv differs from wordfreq.top_n_list("en", 500)')
    except ImportError:
        pass
    if [r["word"] for r in fr_rows] != ref or [r["rank"] for r in fr_rows] != [str(i) for i in range(1, 501)]:
        fail('frequent_en.tsv: words/ranks are not wordfreq.top_n_list("en", 500) in order')
    stat: collections.Counter[str] = collections.Counter()
    for r in fr_rows:
        w, st, note = r["word"], r["status"], r["note"]
        stat[st] += 1
        tag = f"frequent_en.tsv:{r['_line']} {w}"
        if st == "lexicon":
            m = re.match(r"(\w+):(\S+)", note)
            if not m or (m.group(1), m.group(2)) not in lex:
                fail(f"{tag}: status lexicon but note {note!r} names no lexicon.tsv lemma")
            elif (
                (m.group(1), m.group(2)) not in en_lemmas(w)
                and "(comparative" not in note
                and "(superlative" not in note
            ):
                fail(f"{tag}: {m.group(2)} is not a lemma of {w} for pyrealb")
        elif st == "closed":
            if w not in CLOSED and "form of" not in note:
                fail(f"{tag}: closed but not in the closed-class list")
        elif st == "contraction":
            if "'" not in w and "fragment" not in note:
                fail(f"{tag}: contraction without apostrophe")
        elif st == "excluded":
            if not note:
                fail(f"{tag}: excluded without a reason")
        else:
            fail(f"{tag}: bad status {st!r}")
        if st != "lexicon" and w not in CLOSED and st not in ("contraction",):
            hits = [p for p in en_lemmas(w) if p in lex]
            if hits and st == "excluded":
                fail(f"{tag}: excluded but {hits[0]} is in lexicon.tsv")
    report("frequent_en.tsv: 500 words in wordfreq order, statuses justified", k0, dict(stat))


# ---------------------------------------------------------------- idioms.tsv
def check_idioms():
    k0 = len(problems)
    rows = read_tsv("idioms.tsv", ["kind", "en", "fr", "align", "note"])
    if not 20 <= len(rows) <= 40:
        fail(f"idioms.tsv: {len(rows)} rows, expected 20-40")
    for r in rows:
        tag = f"idioms.tsv:{r['_line']} {r['en']}"
        if r["kind"] not in ("pattern", "fixed", "check"):
            fail(f"{tag}: kind {r['kind']!r}")
        et, ft = r["en"].split(" "), r["fr"].split(" ")
        if "" in et or "" in ft:
            fail(f"{tag}: double space in tokens")
        pairs = r["align"].split()
        if not pairs:
            fail(f"{tag}: no alignment")
        aligned_e, aligned_f = set(), set()
        for p in pairs:
            m = re.fullmatch(r"(\d+)-(\d+)", p)
            if not m or int(m.group(1)) >= len(et) or int(m.group(2)) >= len(ft):
                fail(f"{tag}: bad alignment pair {p} ({len(et)} en / {len(ft)} fr tokens)")
                continue
            aligned_e.add(int(m.group(1)))
            aligned_f.add(int(m.group(2)))
        if r["kind"] == "pattern" and not re.search(r"\b[A-Z]{2,}\d?\b", r["en"]):
            fail(f"{tag}: pattern without slot")
        if r["kind"] == "pattern" and not r["note"]:
            fail(f"{tag}: pattern without note")
        for t in ft:  # elisions must be split off
            if re.match(r"^[a-zA-Z]+'[^ ]", t):
                fail(f"{tag}: elided token {t!r} must be split (j' ai)")
    need = [
        "POSS BODY hurt",
        "my feet hurt",
        "his head hurts",
        "her back hurts",
        "be hungry",
        "be thirsty",
        "be cold",
        "be hot",
        "be afraid",
        "be right",
        "be wrong",
        "years old",
        "how are you",
        "raining",
        "snowing",
        "thank you",
        "good morning",
        "good night",
        "of course",
        "there be",
        "European Economic Area",
    ]
    ens = [r["en"] for r in rows]
    for n in need:
        if not any(n in e for e in ens):
            fail(f"idioms.tsv: nothing for {n!r}")
    if not any(r["kind"] == "check" and r["en"] == "European Economic Area" for r in rows):
        fail("idioms.tsv: European Economic Area must be kind=check")
    # realise a few of them with pyrealb and compare
    pyrealb.loadFr()
    tests = [
        (
            lambda: S(Pro("je").pe(1), VP(V("avoir"), NP(N("mal")), PP(P("à"), NP(D("le"), N("pied").n("p"))))),
            "J'ai mal aux pieds.",
        ),
        (
            lambda: S(Pro("je").pe(3), VP(V("avoir"), NP(N("mal")), PP(P("à"), NP(D("le"), N("tête"))))),
            "Il a mal à la tête.",
        ),
        (
            lambda: S(Pro("je").pe(3).g("f"), VP(V("avoir"), NP(N("mal")), PP(P("à"), NP(D("le"), N("dos"))))),
            "Elle a mal au dos.",
        ),
        (lambda: NP(D("le"), N("zone"), A("économique"), A("européen")), "la zone économique européenne"),
        (lambda: S(Pro("je").pe(3), VP(V("pleuvoir"))), "Il pleut."),
        (lambda: S(Pro("je").pe(3), VP(V("neiger"))), "Il neige."),
        (lambda: NP(D("le"), N("chien"), PP(P("de"), NP(D("le"), N("garçon")))), "le chien du garçon"),
    ]
    for b, want in tests:
        got, _ = realise(b)
        if got != want:
            fail(f"idioms.tsv: pyrealb gives {got!r}, expected {want!r}")
    pyrealb.loadEn()
    got, _ = realise(lambda: NP(A("European"), A("economic"), N("area")))
    if got != "European economic area":
        fail(f"idioms.tsv: English EEA realised as {got!r}")
    report(
        "idioms.tsv: format, alignments in range, required idioms present, pyrealb realisations",
        k0,
        f"{len(rows)} rows " + str(dict(collections.Counter(r["kind"] for r in rows))),
    )


# ---------------------------------------------------------------- handwritten.jsonl
CONTRACTIONS = {
    "can't": "can not",
    "won't": "will not",
    "n't": " not",
    "'re": " are",
    "'m": " am",
    "'ll": " will",
    "'ve": " have",
    "'d": " would",
}
IS_AFTER = {"it", "he", "she", "that", "there", "what", "who", "where", "how", "here"}
NAMES = {"alice", "tom", "paris", "berlin", "sarah", "london"}
GRAMMAR_EXTRA = {
    "never",
    "'s",
}  # produced by the grammar (negation ne...jamais, genitive 's) though not in the closed list


def tokenize_en(text):
    """lowercase, normalise apostrophes, expand contractions, split words and punctuation."""
    t = text.replace("\u2019", "'").replace("\u2018", "'").lower()
    t = re.sub(r"\bcan't\b", "can not", t)
    t = re.sub(r"\bwon't\b", "will not", t)
    t = re.sub(r"n't\b", " not", t)
    for k, v in (("'re", " are"), ("'m", " am"), ("'ll", " will"), ("'ve", " have"), ("'d", " would")):
        t = t.replace(k, v)
    t = re.sub(r"\b(\w+)'s\b", lambda m: m.group(1) + (" is" if m.group(1) in IS_AFTER else " 's"), t)
    return re.findall(r"'s|\d+|[a-z]+(?:[-.][a-z]+)*|[^\w\s]", t)


def check_handwritten(rows, extra):
    k0 = len(problems)
    lex = {(r["pos"], r["en"]) for r in rows}
    xlex = {(r["pos"], r["en"]) for r in extra}
    path = os.path.join(HERE, "handwritten.jsonl")
    sents = []
    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    for i, ln in enumerate(text.split("\n"), 1):
        if not ln.strip():
            continue
        try:
            d = json.loads(ln)
        except json.JSONDecodeError as e:
            fail(f"handwritten.jsonl:{i}: bad JSON {e}")
            continue
        if (
            set(d) != {"en", "fr", "tags"}
            or not isinstance(d["tags"], list)
            or not d["tags"]
            or not d["en"].strip()
            or not d["fr"].strip()
        ):
            fail(f"handwritten.jsonl:{i}: needs non-empty en, fr, tags")
            continue
        d["_line"] = i
        sents.append(d)
    if len(sents) != 150:
        fail(f"handwritten.jsonl: {len(sents)} sentences, expected 150")
    if len({d["en"].strip().lower() for d in sents}) != len(sents):
        fail("handwritten.jsonl: duplicate English sentences")
    uncovered: collections.Counter[str] = collections.Counter()
    uses_extra: list[list[str]] = []
    grammar_extra: collections.Counter[str] = collections.Counter()
    lengths = []
    surface: collections.Counter[str] = collections.Counter()
    for d in sents:
        toks = tokenize_en(d["en"])
        words = [t for t in toks if re.match(r"[a-z0-9']", t)]
        lengths.append(len(words))
        x = []
        for w in words:
            if w in CLOSED or w.isdigit() or w in NAMES:
                continue
            if w in GRAMMAR_EXTRA:
                grammar_extra[w] += 1
                continue
            cands = en_lemmas(w)
            if any(c in lex for c in cands):
                continue
            if any(c in xlex for c in cands):
                x.append(w)
                continue
            uncovered[w] += 1
            fail(f"handwritten.jsonl:{d['_line']}: word {w!r} not covered: {d['en']!r}")
        if x:
            uses_extra.append(x)
            if "extra-lexicon" not in d["tags"]:
                fail(f"handwritten.jsonl:{d['_line']}: uses lexicon_extra words {x} but not tagged extra-lexicon")
        elif "extra-lexicon" in d["tags"]:
            fail(f"handwritten.jsonl:{d['_line']}: tagged extra-lexicon but uses no such word")
        typed = d["en"]
        surface["contraction"] += bool(re.search(r"[a-z]['\u2019](t|s|re|m|ll|ve|d)\b", typed, re.I))
        surface["curly apostrophe"] += "\u2019" in typed
        surface["no final punctuation"] += not re.search(r"[.?!]\s*$", typed)
        surface["extra spaces"] += bool(re.search(r"  |^ | $", typed))
        surface["all lower case"] += typed == typed.lower()
        surface["proper name or digits"] += bool(re.search(r"\d", typed) or set(tokenize_en(typed)) & NAMES)
        if d["fr"] != d["fr"].strip() or "  " in d["fr"]:
            fail(f"handwritten.jsonl:{d['_line']}: French reference has stray spaces")
    tags = collections.Counter(t for d in sents for t in d["tags"])
    hist = collections.Counter(
        "2-5"
        if n <= 5
        else "6-10"
        if n <= 10
        else "11-15"
        if n <= 15
        else "16-24"
        if n <= 24
        else "25-35"
        if n <= 35
        else "36+"
        for n in lengths
    )
    report(
        "handwritten.jsonl: format and vocabulary coverage (lexicon.tsv + closed list + contractions + names/digits)",
        k0,
        f"{len(sents)} sentences, lengths {min(lengths)}-{max(lengths)} words {dict(sorted(hist.items()))}; "
        f"{len(uses_extra)} use lexicon_extra.tsv words; grammar words outside the closed list {dict(grammar_extra)}",
    )
    print("     surface:", dict(surface))
    print("     tags:", dict(tags.most_common()))


def main() -> int:
    """Run every check; 0 when all pass."""
    lex_rows, extra_rows = check_lexicon()
    check_frequent(lex_rows)
    check_idioms()
    check_handwritten(lex_rows, extra_rows)
    if problems:
        print(f"FAILED: {len(problems)} problem(s)")
        return 1
    print(f"ALL CHECKS PASSED ({len(lex_rows)} lexicon rows, {len(extra_rows)} extra rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
