"""What every page does first: leave Streamlit's legacy routing, projector mode, notes about the link."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

from attention_explorer.models.core.memory import collect_when_grown, release_free_memory
from attention_explorer.pages.shared import state, warmup

PROJECTOR = state.Field("projector", "projector", bool, False)
FIGURE_FORMATS = ("png", "svg")
# what each figure's camera button saves; a link's value is one of two short words, so a long one is cut short
FIGURES = state.Field("figure_format", "figures", str, "png", max_len=16)

# Projector mode: text readable from the back of a classroom at 1280×720 (figures are restyled in chart()).
PROJECTOR_CSS = """
<style>
  .stApp, .stApp p, .stApp li, .stApp label, .stApp input, .stApp textarea, .stApp [data-testid="stMarkdownContainer"] {
    font-size: 20px !important;
  }
  .stApp h1 { font-size: 2.4rem !important; }
  .stApp h2, .stApp h3 { font-size: 1.7rem !important; }
  [data-testid="stMetricValue"] { font-size: 2rem !important; }
</style>
"""


# "Copy link": the address bar's URL holds the whole view (state.py keeps it up to date), read when clicked.
# The frame is same-origin, so it reads the page's address; the clipboard API first, else a hidden text
# area and execCommand (a plain-http classroom server is not a secure context); else the link is shown.
COPY_LINK_HTML = """<!doctype html><html><body style="margin:0">
<button id="copy" type="button" style="font:14px sans-serif;padding:6px 10px;border-radius:8px;cursor:pointer;
  background:transparent;color:#808495;border:1px solid #808495;max-width:100%;overflow-wrap:anywhere">
  Copy link to this view</button>
<script>
const button = document.getElementById("copy");
button.addEventListener("click", async () => {
  const url = window.parent.location.href;
  let copied = false;
  try { await window.parent.navigator.clipboard.writeText(url); copied = true; } catch (e) {}
  if (!copied) {
    const d = window.parent.document, area = d.createElement("textarea");
    area.value = url; area.style.position = "fixed"; area.style.opacity = "0";
    d.body.appendChild(area); area.select();
    try { copied = d.execCommand("copy"); } catch (e) {}
    area.remove();
  }
  button.dataset.copied = copied ? url : "";
  button.textContent = copied ? "✓ Link copied" : url;
  if (copied) setTimeout(() => { button.textContent = "Copy link to this view"; }, 2500);
});
</script></body></html>"""


def leave_legacy_pages_mode() -> None:
    """Hand a cold deep link over to app.py's navigation instead of Streamlit's legacy `pages/` routing.

    Until `st.navigation` has run once in the process, Streamlit treats a `pages/` folder next to the main
    script as legacy multipage pages and answers a deep link (/bert) by running pages/bert.py on its own,
    or with "Page not found". Each page file is named after its URL path, so the legacy router finds it and
    runs it; this switches the legacy mode off and reruns, so that app.py's navigation serves the page.
    """
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def projector() -> bool:
    """Is projector mode on (large type, high-contrast colour-blind-safe scales, no developer panels)?"""
    return bool(st.session_state.get(PROJECTOR.key, False))


def figure_format() -> str:
    """What the camera button of every figure saves: "png" or "svg" (Plotly draws either in the browser)."""
    chosen = st.session_state.get(FIGURES.key)
    return chosen if chosen in FIGURE_FORMATS else FIGURES.default


def page_setup() -> None:
    leave_legacy_pages_mode()
    if not collect_when_grown():  # garbage in reference cycles, once memory has grown (see .streamlit/config.toml)
        release_free_memory()  # what the last run freed (large arrays, figures) goes back to the OS
    warmup.start()  # the first page of the process starts loading the models for the others
    with st.sidebar:
        state.bound(
            PROJECTOR,
            st.toggle,
            "Projector mode",
            help="Large type and high-contrast colour-blind-safe colours for a classroom screen; hides the "
            "developer panels. Kept in the link.",
        )
    if projector():
        st.html(PROJECTOR_CSS)
    state.open_notes()
    with st.sidebar:
        st.iframe(COPY_LINK_HTML, height=44)
    with st.sidebar:  # after open_notes: a link's unknown format is noted in this run's notes
        state.bound(
            FIGURES,
            st.radio,
            "Figure downloads",
            FIGURE_FORMATS,
            format_func=str.upper,
            horizontal=True,
            valid=state.within(FIGURE_FORMATS),
            help="What the camera button above each figure saves: PNG at slide size (1600 px wide, 2×) or SVG, "
            "sharp at any size. Kept in the link.",
        )
