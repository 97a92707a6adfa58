"""What every page does first."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager


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


def page_setup() -> None:
    leave_legacy_pages_mode()
