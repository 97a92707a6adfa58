"""Every input of every page, fed hostile values through AppTest: never an exception, never a traceback.

The pages come from app.py's navigation and their inputs from what each page draws (text boxes, number
inputs, selects, sliders, toggles, editable tables, and the inputs that appear after a choice, such as the
model-directory box), plus the link parameters each page declares (`state.Field`). Nothing here names a
page or a widget, so a new page is covered without editing this file.

Each value must leave the page with no exception element, no traceback text, and either a result (a chart,
a frame, a heading) or a clear message (error, warning or info). The default run uses a fixed list of
hostile values; `pytest tests/test_fuzz.py --fuzz-examples 200` adds that many seeded random strings per
text box and tries every link parameter on its own.
"""

from __future__ import annotations

import ast
import contextlib
import random
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")
PAGES = re.findall(r'st\.Page\("(pages/\w+\.py)"', (ROOT / "app.py").read_text(encoding="utf-8"))

HOSTILE_TEXT = [
    "",
    "   ",
    "\u200b",
    "\u200b\u200c\u200d\ufeff",
    "\x00\x07\x1b[31m\x7f",
    "tab\tnew\nline\r\n",
    "\u202eevil\u202c \u200fשלום עולם مرحبا",
    "👩‍👩‍👧‍👦🏳️‍🌈 😀" * 3,
    "e\u0301\u0302\u0303" * 30,
    "<script>alert(1)</script>",
    "</script><img src=x onerror=alert(1)>",
    "<b>bold</b> <a href='https://example.org'>x</a>",
    "[Click here to fix your model](https://example.org/login)",
    "![x](https://example.org/x.png)",
    "$\\frac{a}{b}$ :red[red] :smile: **bold** _it_ # heading",
    "%s %d %(name)s {0} {} {{7*7}} ${jndi:ldap://x}",
    "'; DROP TABLE users; --",
    "~nosuchuser",
    "..",
    "../../..",
    "/proc/self",
    "/",
    "/etc",
    "/dev/zero",
    "NaN",
    "-1e309",
    "qwxzzqj florbinate unglorpable",
    "a" * 10_000,
    "word " * 20_000,  # 100 kB
]
HOSTILE_PARAMS = ["", "-1", "999999", "1e309", "nan", "abc", "<script>alert(1)</script>", "x" * 100_000]
HOSTILE_CELLS = [float("nan"), float("inf"), -float("inf"), 1e308, None]
RESULT_ELEMENTS = ("plotly_chart", "dataframe", "iframe", "metric", "table", "json")
MESSAGES = ("error", "warning", "info")


def pytest_generate_tests(metafunc):
    if "page_path" in metafunc.fixturenames:
        metafunc.parametrize("page_path", PAGES)


def random_texts(count: int, seed: int) -> list[str]:
    """Seeded random strings over every Unicode plane that matters: controls, marks, RTL, emoji, CJK, symbols."""
    rng = random.Random(seed)
    ranges = [
        (0, 0x1F),
        (0x20, 0x7E),
        (0x300, 0x36F),
        (0x590, 0x6FF),
        (0x200B, 0x202E),
        (0x4E00, 0x4FFF),
        (0x1F300, 0x1FAFF),
    ]
    out = []
    for _ in range(count):
        parts = []
        for _ in range(rng.randint(1, 40)):
            lo, hi = rng.choice(ranges)
            parts.append(chr(rng.randint(lo, hi)))
        out.append("".join(parts) * rng.choice([1, 1, 1, 50]))
    return out


def walk(node) -> Iterator:
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        for child in children.values():
            yield child
            yield from walk(child)


def inputs(at: AppTest) -> list[tuple[str, str]]:
    """(widget type, key) of every keyed input on the page as it is drawn now."""
    kinds = {
        "text_input",
        "text_area",
        "number_input",
        "selectbox",
        "radio",
        "slider",
        "toggle",
        "checkbox",
        "dataframe",
    }
    return [
        (el.type, el.key) for el in walk(at._tree) if getattr(el, "type", None) in kinds and getattr(el, "key", None)
    ]


def all_text(at: AppTest) -> str:
    parts = []
    for el in walk(at._tree):
        for attr in ("value", "body", "label"):
            value = getattr(el, attr, None)
            if isinstance(value, str):
                parts.append(value)
    return "\n".join(parts)


def check(at: AppTest, what: str) -> None:
    assert not at.exception, f"{what}: exception on the page: {at.exception[0].value[:300]}"
    text = all_text(at)
    assert "Traceback (most recent call last)" not in text, f"{what}: traceback text on the page"
    # at.main: the sidebar's copy-link frame is on every page and is no result
    has_result = any(len(at.main.get(kind)) for kind in RESULT_ELEMENTS) or len(at.subheader) or len(at.markdown) > 1
    has_message = any(len(getattr(at, kind)) for kind in MESSAGES)
    assert has_result or has_message, f"{what}: neither a result nor a message"


def fresh(page: str, params: dict[str, str] | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=180)
    at.switch_page(page)
    for name, value in (params or {}).items():
        at.query_params[name] = value
    at.run()
    return at


def link_params(page: str) -> list[str]:
    """The link parameters a page declares (state.Field(key, param, …)), and the ones every page has."""
    names: list[str] = []
    for source in (ROOT / page, ROOT / "pages/shared/setup.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            is_field = (
                isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "Field"
            )
            if is_field and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant):
                names.append(node.args[1].value)
    return sorted(set(names))


def option_values(element) -> list:
    """Values a person can pick in a select or radio: AppTest shows only their labels, so find a value whose
    label is the option's (the label itself, a number, words joined by _). Options none fits are left out."""
    values = []
    for label in list(element.options)[:12]:
        candidates: list = [label, label.replace(" ", "_")]
        for convert in (int, float):
            with contextlib.suppress(ValueError):
                candidates.append(convert(label))
        for candidate in candidates:
            try:
                if str(element.format_func(candidate)) == label:
                    values.append(candidate)
                    break
            except Exception:  # a format_func that cannot take this candidate
                continue
    return values


def fuzz_widget(at: AppTest, kind: str, key: str, texts: list[str], page: str) -> None:
    widget = at.get(kind)
    element = next((w for w in widget if getattr(w, "key", None) == key), None)
    if element is None:  # an earlier value removed it (e.g. a mode switched it off)
        return
    if kind in ("text_input", "text_area"):
        for text in texts:
            getattr(at, kind)(key=key).input(text).run()
            check(at, f"{page} {key}={text[:40]!r}")
    elif kind == "number_input":
        for value in {element.min, element.max}:
            if value is not None:
                at.number_input(key=key).set_value(value).run()
                check(at, f"{page} {key}={value}")
    elif kind in ("selectbox", "radio"):
        for option in option_values(element):
            getattr(at, kind)(key=key).set_value(option).run()
            check(at, f"{page} {key}={option}")
    elif kind == "slider":
        for value in (element.min, element.max):
            at.slider(key=key).set_value(value).run()
            check(at, f"{page} {key}={value}")
    elif kind in ("toggle", "checkbox"):
        for value in (True, False):
            getattr(at, kind)(key=key).set_value(value).run()
            check(at, f"{page} {key}={value}")
    elif kind == "dataframe":
        column = str(element.value.columns[0])  # an edit the browser could send: a real cell of the table
        for cell in HOSTILE_CELLS:
            at.session_state[key] = {"edited_rows": {0: {column: cell}}, "added_rows": [], "deleted_rows": []}
            at.run()
            check(at, f"{page} {key} cell={cell}")
        at.session_state[key] = {"edited_rows": {}, "added_rows": [], "deleted_rows": []}
        at.run()


@pytest.mark.fuzz
def test_every_input_of_every_page_takes_hostile_values(page_path, fuzz_examples, monkeypatch):
    monkeypatch.setenv("ATTENTION_EXPLORER_MODEL_ROOTS", "*")  # a single-user server: typed paths reach the loader
    texts = HOSTILE_TEXT + random_texts(fuzz_examples, seed=len(page_path))
    at = fresh(page_path)
    check(at, f"{page_path} opened")
    seen: set[tuple[str, str]] = set()
    for kind, key in inputs(at):
        seen.add((kind, key))
        if kind in ("selectbox", "radio", "toggle", "checkbox"):
            # a choice can reveal new inputs (a model-directory box, a beam-width slider): fuzz those too
            element = next((w for w in at.get(kind) if getattr(w, "key", None) == key), None)
            if element is None:  # a text fuzzed before hid it (e.g. an empty sentence stops the page early)
                at = fresh(page_path)
                element = next((w for w in at.get(kind) if getattr(w, "key", None) == key), None)
            if element is None:
                continue
            options = [True, False] if kind in ("toggle", "checkbox") else option_values(element)[:6]
            for option in options:
                if (kind, key) not in inputs(at):  # the last choice or text hid it: start from a fresh page
                    at = fresh(page_path)
                getattr(at, kind)(key=key).set_value(option).run()
                check(at, f"{page_path} {key}={option}")
                for new_kind, new_key in inputs(at):
                    if (new_kind, new_key) not in seen:
                        seen.add((new_kind, new_key))
                        fuzz_widget(at, new_kind, new_key, texts, page_path)
            at = fresh(page_path)
        else:
            fuzz_widget(at, kind, key, texts, page_path)


@pytest.mark.fuzz
def test_every_link_parameter_takes_hostile_values(page_path, fuzz_examples):
    params = link_params(page_path)
    assert params, f"{page_path} declares no link parameter"
    for value in HOSTILE_PARAMS:  # every parameter of the page at once
        at = fresh(page_path, dict.fromkeys(params, value))
        check(at, f"{page_path} link with every parameter = {value[:30]!r}")
    if fuzz_examples:  # the long run: each parameter on its own, with random values too
        for name in params:
            for value in HOSTILE_PARAMS + random_texts(min(fuzz_examples, 20), seed=len(name)):
                check(fresh(page_path, {name: value}), f"{page_path} ?{name}={value[:30]!r}")
