"""Helpers the pages share: caches, URL state, page setup. Not pages themselves (Streamlit never lists them)."""
