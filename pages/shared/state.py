"""What a person chose lives in the URL; session state is only a cache of it.

Each control a person can share is a `Field`: a widget key and a query parameter. `bound()` creates the
widget with its value taken, in order, from the link (when the page is opened from one), from what this
session last had on the page (so returning to a page shows the view left there), or from the default;
after the widget is drawn its value is written back to the URL. Values from a link are checked: a bad or
out-of-range value gives the nearest valid one and a note for the page, never an exception.

One sentence is carried from page to page: every page's text box starts from the last sentence typed on
any page (`SHARED_SENTENCE`), unless the link or the page's own last view says otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

SHARED_SENTENCE = "_shared:sentence"
NOTES = "_state:notes"  # notes shown in this run (so each shows once)
BOX = "_state:box"  # where this run's notes go: a container page_setup() put near the top
MAX_TEXT_IN_LINK = 2_000  # characters a sentence may bring in through a link; the rest is cut with a note


@dataclass(frozen=True)
class Field:
    """A shareable control: its widget key, its query parameter, and what a valid value is."""

    key: str
    param: str
    kind: type  # str, int, float or bool
    default: Any
    lo: float | None = None  # numbers: the smallest valid value
    hi: float | None = None  # numbers: the largest valid value
    max_len: int = MAX_TEXT_IN_LINK  # text: longest value taken from a link
    shared_text: bool = False  # a sentence: starts from (and updates) the sentence shared by all pages

    def parse(self, raw: str) -> tuple[Any, str | None]:
        """A link's text → (valid value, note or None). Never raises."""
        label = f"“{self.param}”"
        if self.kind is str:
            if len(raw) > self.max_len:
                return raw[
                    : self.max_len
                ], f"The link's {label} was {len(raw):,} characters; the first {self.max_len:,} are used."
            return raw, None
        if self.kind is bool:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True, None
            if raw.lower() in ("0", "false", "no", "off", ""):
                return False, None
            return self.default, f"The link's {label} should be 1 or 0; using {int(self.default)}."
        try:
            number = float(raw)
            if not math.isfinite(number):
                raise ValueError(raw)
            value = int(number) if self.kind is int else number
            if self.kind is int and number != int(number):
                raise ValueError(raw)
        except (ValueError, OverflowError):
            fallback = "the page's choice" if self.default is None else self.default
            return self.default, f"The link's {label} is not a number; using {fallback}."
        return self.clamp(value, label)

    def clamp(self, value: Any, label: str) -> tuple[Any, str | None]:
        lo = self.lo if self.lo is not None else value
        hi = self.hi if self.hi is not None else value
        if value < lo or value > hi:
            near = self.kind(min(max(value, lo), hi))
            return (
                near,
                f"The link asked for {label} = {value}, outside {self.kind(lo)}–{self.kind(hi)}; showing {near}.",
            )
        return value, None

    def to_param(self, value: Any) -> str | None:
        """The query-string form of a value; None when it is the default (kept out of the URL)."""
        if value is None or value == self.default:
            return None
        if self.kind is bool:
            return "1" if value else "0"
        return str(value)[: self.max_len]


def _kept(key: str) -> str:
    return f"_kept:{key}"


PAGE = "_state:page"  # the page this session's last full run showed
ARRIVAL = "_state:arrival"  # counts arrivals on a page (from another page, or a fresh session)


def open_notes() -> None:
    """Start a full run: count an arrival when the page changed; notes about the link go into a container here."""
    ctx = get_script_run_ctx()
    page = ctx.page_script_hash if ctx is not None else ""
    if st.session_state.get(PAGE) != page:
        st.session_state[ARRIVAL] = st.session_state.get(ARRIVAL, 0) + 1
    st.session_state[PAGE] = page
    st.session_state[NOTES] = []
    st.session_state[BOX] = st.container()


def note(text: str) -> None:
    """Say what was adjusted in the link that opened this page (once per run), as plain text."""
    notes = st.session_state.setdefault(NOTES, [])
    if text in notes:
        return
    notes.append(text)
    st.session_state.get(BOX, st).info(text, icon="🔗")


def restore(field: Field, valid: Callable[[Any], Any] | None = None) -> None:
    """Put the field's value in session state before its widget is drawn (link, then last view, then default).

    valid: maps a value to the nearest valid one for this page (e.g. a layer the model has); called on
    every run, so a value that became invalid (a smaller model was chosen) is moved too.
    """
    raw = st.query_params.get(field.param)
    memo = _kept(field.key) + ":url"  # the link's value for this field as this session last saw or wrote it
    arrival = st.session_state.get(ARRIVAL, 0)
    arrived = st.session_state.get(_kept(field.key) + ":arrival") != arrival
    st.session_state[_kept(field.key) + ":arrival"] = arrival
    if raw is not None and st.session_state.get(memo) != raw:
        # the link says something new: a link was opened, or the address edited (back/forward too)
        value, message = field.parse(raw)
        if message:
            note(message)
        st.session_state[memo] = raw
        st.session_state[field.key] = value
    elif field.key not in st.session_state or arrived:
        # once per arrival on a page the key may still hold another page's widget of the same name: set it again
        if _kept(field.key) in st.session_state:
            value = st.session_state[_kept(field.key)]
        elif field.shared_text and SHARED_SENTENCE in st.session_state:
            value = st.session_state[SHARED_SENTENCE]
        else:
            value = field.default
        st.session_state[field.key] = value
    if valid is not None:
        current = st.session_state[field.key]
        fixed = valid(current)
        if fixed != current:
            if raw is not None and field.parse(raw)[0] == current:
                note(f"The link asked for “{field.param}” = {current}, which this view does not have; showing {fixed}.")
            st.session_state[field.key] = fixed


def keep(field: Field) -> None:
    """After the widget is drawn: remember its value for this session and write it into the URL."""
    value = st.session_state.get(field.key)
    st.session_state[_kept(field.key)] = value
    param = field.to_param(value)
    if param is None:
        if field.param in st.query_params:
            del st.query_params[field.param]
    elif st.query_params.get(field.param) != param:
        st.query_params[field.param] = param
    st.session_state[_kept(field.key) + ":url"] = st.query_params.get(field.param)
    if field.shared_text and isinstance(value, str) and value.strip():
        st.session_state[SHARED_SENTENCE] = value


def bound(
    field: Field,
    widget: Callable[..., Any],
    *args: Any,
    valid: Callable[[Any], Any] | None = None,
    **kwargs: Any,
) -> Any:
    """Draw `widget(*args, key=field.key, **kwargs)` with its value restored from the link / last view."""
    restore(field, valid)
    value = widget(*args, key=field.key, **kwargs)
    keep(field)
    return value


def within(options: Sequence[Any]) -> Callable[[Any], Any]:
    """A `valid` for a selectbox: the value if it is an option, else the nearest option (or the first)."""

    def nearest(value: Any) -> Any:
        if value in options:
            return value
        try:
            return min(options, key=lambda o: abs(o - value))
        except TypeError:
            return options[0]

    return nearest
