"""User text shown as literal text inside Streamlit's markdown (messages, captions, headings)."""

from __future__ import annotations

import re

# Every ASCII punctuation character may be backslash-escaped in CommonMark; escaping them all stops links,
# images, emphasis, headings, HTML, autolinks (https\://), Streamlit's :colour[…] and :emoji: directives
# and $LaTeX$ from forming out of what a person typed.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def literal(text: str, limit: int = 200) -> str:
    """`text` escaped for Streamlit markdown, on one line, control characters shown as �, cut at `limit`."""
    one_line = _CONTROL.sub("\ufffd", text.replace("\r", " ").replace("\n", " ").replace("\t", " "))
    if len(one_line) > limit:
        one_line = one_line[: limit - 1] + "…"
    return _PUNCTUATION.sub(r"\\\1", one_line)


def quoted(text: str, limit: int = 200) -> str:
    """A literal, in curly quotes: how a user's word or sentence appears inside a message."""
    return f"“{literal(text, limit)}”"
